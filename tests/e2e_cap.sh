#!/usr/bin/env bash
# e2e_cap.sh — `capio cap` from the command line: exact JSON, errors, and
# every reference vector through --batch.
set -u
capio=$1
data=${CAPIO_SRC:-$(cd "$(dirname "$0")/.." && pwd)}/tests/data
fail=0
# Our own scratch directory: tests run in parallel in the same build dir.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/capio-e2e.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
expect() { # expect "description" "expected" "actual"
  if [[ "$2" != "$3" ]]; then echo "FAILED: $1"; echo "  want: $2"; echo "  got:  $3"; fail=1; fi
}
expect "root" \
  '{"tag":true,"address":"0x0","base":"0x0","top":"0x10000000000000000","length":"0x10000000000000000","perms":"0x3ffff","otype":"0x0","sealed":false,"pesbt":"0xffffc00000010005","cursor":"0x0"}' \
  "$("$capio" cap root)"
expect "decode null untagged" \
  '{"tag":false,"address":"0x0","base":"0x0","top":"0x10000000000000000","length":"0x10000000000000000","perms":"0x0","otype":"0x0","sealed":false}' \
  "$("$capio" cap decode 0 0 --untagged)"
expect "setbounds 4 bytes" \
  '{"pesbt":"0xffffc000781c3818","cursor":"0x3818","tag":true,"base":"0x3818","top":"0x381c","exact":true}' \
  "$("$capio" cap setbounds 0xffffc00000010005 0x3818 4)"
expect "setbounds inexact --exact" \
  '{"pesbt":"0xffffc000000f0001","cursor":"0x320000000000","tag":false,"base":"0x320000000000","top":"0x320000100200","exact":false}' \
  "$("$capio" cap setbounds ffffc00000010005 320000000000 100001 --exact)"
expect "replen" \
  '{"length":"0xfff8","representable_length":"0x10000","alignment_mask":"0xffffffffffffffe0"}' \
  "$("$capio" cap replen 0xfff8)"

# Bad arguments: one-line error + usage, exit 2.
for args in "cap" "cap frob" "cap decode 1" "cap decode zz 0" "cap replen 0x10000000000000000" \
            "cap setbounds 0 0 0x20000000000000000" "cap root extra" "cap decode 0 0 --bogus" "nosuchcommand"; do
  "$capio" $args >/dev/null 2>"$tmp/err.txt"; rc=$?
  [[ $rc == 2 ]] || { echo "FAILED: capio $args exited $rc, want 2"; fail=1; }
  head -1 "$tmp/err.txt" | grep -Eq '^capio( cap( [a-z]+)?)?: ' || { echo "FAILED: capio $args: no one-line error"; fail=1; }
  grep -q '^usage: ' "$tmp/err.txt" || { echo "FAILED: capio $args: no usage line"; fail=1; }
done
"$capio" cap --help | grep -q '^usage: capio cap' || { echo "FAILED: cap --help"; fail=1; }

# Batch mode over the public reference vectors: every row must agree.
dir=$data/morello
if [[ -d $dir ]]; then
  tail -n +2 "$dir/morello_replen.tsv" | cut -f1 | "$capio" cap replen --batch > replen.out
  tail -n +2 "$dir/morello_replen.tsv" | awk -F'\t' '{
      l=$1; sub(/^0+/, "", l); if (l=="") l="0"; r=$2; sub(/^0+/, "", r); if (r=="") r="0"; m=$3; sub(/^0+/, "", m); if (m=="") m="0";
      printf "{\"length\":\"0x%s\",\"representable_length\":\"0x%s\",\"alignment_mask\":\"0x%s\"}\n", l, r, m }' > replen.want
  cmp -s replen.out replen.want || { echo "FAILED: replen --batch differs from the reference"; diff replen.out replen.want | head; fail=1; }
  tail -n +2 "$dir/morello_setbounds.tsv" | cut -f1-3 | "$capio" cap setbounds --batch > sb.out
  tail -n +2 "$dir/morello_setbounds.tsv" | awk -F'\t' 'function h(x){ sub(/^0+/, "", x); return x=="" ? "0" : x }
      { printf "{\"pesbt\":\"0x%s\",\"cursor\":\"0x%s\",\"tag\":%s,\"base\":\"0x%s\",\"top\":\"0x%s\",\"exact\":%s}\n",
        h($4), h($5), ($9=="1"?"true":"false"), h($6), h($7), ($8=="1"?"true":"false") }' > sb.want
  cmp -s sb.out sb.want || { echo "FAILED: setbounds --batch differs from the reference"; diff sb.out sb.want | head; fail=1; }
  tail -n +2 "$dir/morello_decode.tsv" | awk -F'\t' '{ print $1, $2, ($3=="1" ? "" : "--untagged") }' | "$capio" cap decode --batch > dec.out
  tail -n +2 "$dir/morello_decode.tsv" | awk -F'\t' 'function h(x){ sub(/^0+/, "", x); return x=="" ? "0" : x }
      { printf "%s %s %s %s %s %s\n", ($3=="1"?"true":"false"), h($2), h($4), h($5), h($6), h($7) }' > dec.want
  sed -E 's/^\{"tag":([a-z]+),"address":"0x([0-9a-f]+)","base":"0x([0-9a-f]+)","top":"0x([0-9a-f]+)","length":"[^"]*","perms":"0x([0-9a-f]+)","otype":"0x([0-9a-f]+)".*/\1 \2 \3 \4 \5 \6/' dec.out > dec.got
  cmp -s dec.got dec.want || { echo "FAILED: decode --batch differs from the reference"; diff dec.got dec.want | head; fail=1; }
  # A bad line is reported in place and the rest goes on.
  printf '10\nzz\n20\n' | "$capio" cap replen --batch > bad.out 2>/dev/null; rc=$?
  [[ $rc == 1 && $(wc -l < bad.out) == 3 ]] && grep -q '"error":"line 2' bad.out || { echo "FAILED: bad batch line"; fail=1; }
else
  echo "FAILED: reference vectors not found in $dir"; fail=1
fi
[[ $fail == 0 ]] && echo "e2e_cap: all passed"
exit $fail
