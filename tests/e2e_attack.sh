#!/bin/bash
# e2e_attack.sh CAPIO — the security evaluation end to end:
#  * `capio attack --json`: every attack of the catalogue under both arms;
#    under capio every one trapped or refused with nothing changed, under
#    page exactly the expected ones succeed; the kernel-path claim and the
#    resource limits (classes 13, 14) hold under both, and so does a
#    victim memcached's netstack and its -c and -m (class 15); exit
#    status 0;
#  * the exfiltration evidence: the page-arm pcap holds the kernel's
#    secret, the capio-arm pcap does not;
#  * with the IOMMU off, capabilities alone do not stop DMA: the DMA
#    attacks succeed under capio too and the exit status says so;
#  * `capio inspect e1000e --exposure TDT,RDT --svg`: the privileged
#    registers that come along, and an SVG that renders to a non-empty
#    picture;
#  * bad arguments exit 2 with one "capio CMD: " line and a usage line.
# Needs jq, tshark (scripts/deps.sh) and rsvg-convert (librsvg2-bin).
set -u
capio=$1
fail=0
err() { echo "e2e_attack: $*" >&2; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for tool in jq tshark rsvg-convert; do
  command -v "$tool" >/dev/null ||
    { echo "SKIPPED: $tool is missing (sh make.sh test installs it)"; exit 77; }
done
# Checks that could not run: reported, and the test counts as skipped.
skipped=""

# The page arm (4 KiB pages, no IOMMU) lets these through; nothing else.
page_succeeds="1a 1b 1c 1d 2a 3a 3b 4a 5b 11a 11b 11c 11d 12a 12b"
secret="CAPIO-KERNEL-SECRET"

# --- the catalogue, both arms --------------------------------------------
"$capio" attack --json --pcap "$tmp/leak.pcap" >"$tmp/out.json" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] || err "capio attack --json exited $rc: $(head -3 "$tmp/err")"
[ "$(wc -l <"$tmp/out.json")" -eq 1 ] || err "JSON is not one line"
jq -e . "$tmp/out.json" >/dev/null || err "output is not JSON"

ids=$("$capio" attack --list | awk '{print $1}')
n=$(echo "$ids" | wc -l)
[ "$n" -ge 30 ] || err "only $n attacks in the catalogue"
for c in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
  echo "$ids" | grep -q "^$c[a-z]$" || err "no attack of class $c"
done
jq -r '.attacks[] | [.id, .arm, .outcome, .unchanged, .secret_on_wire, .cause,
  .changed] | @tsv' "$tmp/out.json" >"$tmp/rows"
for id in $ids; do
  for arm in page capio; do
    row=$(awk -F'\t' -v id="$id" -v arm="$arm" '$1 == id && $2 == arm' "$tmp/rows")
    [ -n "$row" ] || { err "$id/$arm missing"; continue; }
    IFS=$'\t' read -r _ _ outcome unchanged leaked cause changed <<<"$row"
    [ -n "$cause" ] || err "$id/$arm: empty cause"
    if [ "$arm" = capio ]; then
      case $outcome in
        trapped|refused) ;;
        *) err "$id under capio: $outcome ($cause)" ;;
      esac
      [ "$unchanged" = true ] || err "$id under capio changed: $changed"
      [ "$leaked" = false ] || err "$id under capio leaked"
    else
      if echo " $page_succeeds " | grep -q " $id "; then
        [ "$outcome" = succeeded ] || err "$id under page: $outcome, expected succeeded ($cause)"
      else
        case $outcome in
          trapped|refused) ;;
          *) err "$id under page: $outcome, expected trapped or refused ($cause)" ;;
        esac
      fi
    fi
  done
done
[ "$(wc -l <"$tmp/rows")" -eq $((2 * n)) ] || err "not one row per attack and arm"
# Specific causes the design promises.
cause() { jq -r --arg id "$1" --arg arm "$2" \
  '.attacks[] | select(.id == $id and .arm == $arm) | .cause' "$tmp/out.json"; }
cause 1a capio | grep -q "^bounds, e1000e0 BAR0+0x3800 (TDBAL)$" || err "1a: $(cause 1a capio)"
cause 3a capio | grep -q "^permission, .*(TDH)$" || err "3a: $(cause 3a capio)"
cause 6a capio | grep -q "^tag" || err "6a: $(cause 6a capio)"
cause 7a capio | grep -q "^seal" || err "7a: $(cause 7a capio)"
cause 7c capio | grep -q "^EPERM$" || err "7c: $(cause 7c capio)"
cause 7e capio | grep -q "^EBUSY$" || err "7e: $(cause 7e capio)"
cause 8a capio | grep -q "^page on all 9" || err "8a: $(cause 8a capio)"
cause 9a capio | grep -q "^permission" || err "9a: $(cause 9a capio)"
cause 11a capio | grep -q "^DMA fault" || err "11a: $(cause 11a capio)"
cause 11b capio | grep -q "^DMA fault" || err "11b: $(cause 11b capio)"
cause 11d capio | grep -q "^bounds, .*(TDBAL)$" || err "11d: $(cause 11d capio)"
# The kernel path is a claim, and no process exhausts the kernel: under
# both arms, since neither depends on how registers are granted.
for arm in page capio; do
  cause 13a $arm | grep -q "^EPERM$" || err "13a/$arm: $(cause 13a $arm)"
  cause 13b $arm | grep -q "^EPERM$" || err "13b/$arm: $(cause 13b $arm)"
  cause 13c $arm | grep -q "^EBUSY$" || err "13c/$arm: $(cause 13c $arm)"
  cause 14a $arm | grep -q "^ENOMEM: stopped after 15 MiB$" || err "14a/$arm: $(cause 14a $arm)"
  cause 14b $arm | grep -Eq "^bounded: 2000 attach/map/goodbye cycles, its page tables ([0-9]+) at the start, at most \1, \1 at the end$" ||
    err "14b/$arm: $(cause 14b $arm)"
  # A victim memcached, the same process, serves pre afterwards.
  mc="^contained: victim pid [0-9]+ serves pre; "
  cause 15a $arm | grep -Eq "${mc}version after MSS 16 answered, get pre after MSS 1 and 8 served; bad options, fragments, IPv6 sent; rejected_connections 0, bytes [0-9]+ of 4194304$" ||
    err "15a/$arm: $(cause 15a $arm)"
  cause 15b $arm | grep -Eq "${mc}12 connections held idle, 4 refused; rejected_connections 4, bytes [0-9]+ of 4194304$" ||
    err "15b/$arm: $(cause 15b $arm)"
  cause 15c $arm | grep -Eq "${mc}6 sets of 1000000 bytes begun, 5 answered SERVER_ERROR out of memory; rejected_connections 0, bytes [0-9]+ of 4194304$" ||
    err "15c/$arm: $(cause 15c $arm)"
done
# What changed under page is shown, and found by the harness.
jq -e '.attacks[] | select(.id == "1a" and .arm == "page") |
  .device_unchanged == false and (.changed | test("TDBAL"))' "$tmp/out.json" >/dev/null ||
  err "1a under page: TDBAL change not reported"
jq -e '.attacks[] | select(.id == "11b" and .arm == "page") | .kernel_unchanged == false' \
  "$tmp/out.json" >/dev/null || err "11b under page: kernel memory change not found"
jq -e '.attacks[] | select(.id == "11c" and .arm == "page") | .procs_unchanged == false' \
  "$tmp/out.json" >/dev/null || err "11c under page: bystander harm not found"
jq -e '.summary.ok == true and .summary.capio_failures == 0 and .summary.errors == 0' \
  "$tmp/out.json" >/dev/null || err "summary not ok: $(jq -c .summary "$tmp/out.json")"

# --- the exfiltration evidence ------------------------------------------------
jq -e --arg s "$secret" '.attacks[] | select(.id == "11d" and .arm == "page") |
  .secret_on_wire and (.leaked | startswith($s))' "$tmp/out.json" >/dev/null ||
  err "11d under page: the secret was not reported on the wire"
for arm in page capio; do
  [ -s "$tmp/leak.$arm.pcap" ] || err "no pcap for $arm"
done
tshark -r "$tmp/leak.page.pcap" -x 2>/dev/null | grep -q "CAPIO-KERNEL-SE" ||
  tshark -r "$tmp/leak.page.pcap" -T fields -e data.data 2>/dev/null |
  grep -qi "$(printf %s "$secret" | od -An -tx1 | tr -d ' \n')" ||
  err "the page-arm pcap does not hold the secret"
frames=$(tshark -r "$tmp/leak.page.pcap" 2>/dev/null | wc -l)
[ "$frames" -ge 1 ] || err "the page-arm pcap has no frame"
tshark -r "$tmp/leak.capio.pcap" >/dev/null 2>&1 || err "the capio-arm pcap is not a capture"
if grep -qa "$secret" "$tmp/leak.capio.pcap"; then
  err "the capio-arm pcap holds the secret"
fi

# --- text mode: the table and the demonstration ------------------------------
"$capio" attack --only 1a,11d >"$tmp/out.txt" 2>&1 || err "capio attack --only 1a,11d failed"
grep -q "^1a *tdt-tdbal *capio .*trapped: bounds" "$tmp/out.txt" || err "no 1a capio row"
grep -q "^1a *tdt-tdbal *page .*SUCCEEDED" "$tmp/out.txt" || err "no 1a page row"
grep -q "page: *the wire carried 64 bytes of it: \"$secret" "$tmp/out.txt" || err "no leak shown"
grep -q "capio: *the secret never appeared on the wire" "$tmp/out.txt" || err "no capio line"

# --- capabilities do not bound DMA: without the IOMMU the capio arm fails ---
"$capio" attack --arm capio --only 11a,11b,11c,1a --iommu off --json >"$tmp/noiommu.json" 2>/dev/null
rc=$?
[ $rc -eq 1 ] || err "capio arm without IOMMU exited $rc, not 1"
for id in 11a 11b 11c; do
  jq -e --arg id "$id" '.attacks[] | select(.id == $id) | .outcome == "succeeded"' \
    "$tmp/noiommu.json" >/dev/null || err "$id without IOMMU did not succeed"
done
jq -e '.attacks[] | select(.id == "1a") | .outcome == "trapped"' "$tmp/noiommu.json" \
  >/dev/null || err "1a without IOMMU not trapped"

# --- the exposure map ----------------------------------------------------------
"$capio" inspect e1000e --exposure TDT,RDT --svg "$tmp/bar0.svg" >"$tmp/exp.txt" 2>&1 ||
  err "inspect --exposure failed"
grep -q "TDBAL@0x03800" "$tmp/exp.txt" || err "TDBAL not listed as exposed"
grep -q "^  4 KiB *2 of 32 *8192 (1024x) *43 " "$tmp/exp.txt" || err "4 KiB summary wrong"
"$capio" inspect e1000e --exposure TDT,RDT --json >"$tmp/exp.json" || err "exposure --json failed"
jq -e '.capio_bytes == 8 and (.page_sizes | length) == 3 and
  (.page_sizes[0].mapped_pages == [8192, 12288]) and
  ([.page_sizes[0].registers[].name] | index("TDBAL") != null) and
  ([.page_sizes[0].registers[].name] | index("CTRL") == null) and
  ([.page_sizes[1].registers[].name] | index("CTRL") != null) and
  ([.page_sizes[2].registers[].name] | index("GPTC") != null)' "$tmp/exp.json" >/dev/null ||
  err "exposure JSON wrong: $(head -c 300 "$tmp/exp.json")"
grep -q "<svg" "$tmp/bar0.svg" || err "no SVG written"
if command -v xmllint >/dev/null; then
  xmllint --noout "$tmp/bar0.svg" || err "SVG is not well-formed XML"
else
  skipped="$skipped; xmllint is missing (libxml2-utils): the SVG's XML was not checked"
fi
rsvg-convert "$tmp/bar0.svg" -o "$tmp/bar0.png" || err "rsvg-convert failed"
# A PNG: signature, then IHDR width and height, both non-zero.
sig=$(od -An -tx1 -N8 "$tmp/bar0.png" | tr -d ' \n')
[ "$sig" = 89504e470d0a1a0a ] || err "not a PNG: $sig"
w=$(od -An -tu1 -j16 -N4 "$tmp/bar0.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
h=$(od -An -tu1 -j20 -N4 "$tmp/bar0.png" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
[ "${w:-0}" -ge 500 ] && [ "${h:-0}" -ge 500 ] || err "picture is ${w}x${h}"
[ "$(stat -c %s "$tmp/bar0.png")" -ge 10000 ] || err "picture suspiciously small"

# --- bad arguments ---------------------------------------------------------------
bad() {
  "$capio" "$@" >/dev/null 2>"$tmp/bad"
  local rc=$?
  [ $rc -eq 2 ] || err "'$*' exited $rc, not 2"
  [ "$(grep -Ec '^capio (attack|inspect): ' "$tmp/bad")" -eq 1 ] || err "'$*': no one 'capio CMD: ' line"
  grep -q '^usage: ' "$tmp/bad" || err "'$*': no usage line"
}
bad attack --arm sideways
bad attack --only 99z
bad attack --only 1a,
bad attack --iommu maybe
bad attack --pcap
bad attack --frobnicate
bad inspect e1000e --exposure TDBAL
bad inspect e1000e --exposure TDT,TDT
bad inspect e1000e --exposure TDT --pages 3K
bad inspect e1000e --svg x.svg
"$capio" attack --help >/dev/null || err "attack --help failed"
"$capio" attack --help | grep -q "^usage: capio attack" || err "attack --help: no usage"

[ $fail -eq 0 ] || exit 1
[ -z "$skipped" ] || { echo "SKIPPED: ${skipped#; }"; exit 77; }
echo "e2e_attack: ok"
