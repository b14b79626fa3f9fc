#!/usr/bin/env bash
# e2e_cli.sh CAPIO — the conventions every subcommand shares: --version,
# `capio help CMD` (the same text as `capio CMD --help`), --opt=value
# wherever --opt value works, and what a missing or out-of-range value
# says (e2e_errors.sh drives every error path).
set -u
capio=$1
fail=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/capio-e2e.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
err() { echo "FAILED: $*"; fail=1; }

# --- --version ---------------------------------------------------------------
out=$("$capio" --version); rc=$?
[ $rc -eq 0 ] || err "--version exited $rc"
[[ $out =~ ^capio\ 0\.3\.0\ \(commit\ ([0-9a-f]{4,40}|unknown)\)$ ]] ||
    err "--version printed '$out'"

# --- help --------------------------------------------------------------------
for form in help --help -h; do
	out=$("$capio" $form); rc=$?
	[ $rc -eq 0 ] || err "capio $form exited $rc"
	for want in "capio help [COMMAND]" "capio --version" "--opt=value"; do
		[[ $out == *"$want"* ]] || err "capio $form does not mention '$want'"
	done
done
for cmd in demo run cap inspect qtest attack bench; do
	"$capio" help "$cmd" >"$tmp/help" 2>&1; rc=$?
	[ $rc -eq 0 ] || err "help $cmd exited $rc"
	"$capio" "$cmd" --help >"$tmp/dash" 2>&1
	cmp -s "$tmp/help" "$tmp/dash" || err "help $cmd differs from $cmd --help"
	grep -q "^usage: capio $cmd" "$tmp/help" || err "help $cmd: no usage line"
done
for cmd in demo run cap inspect qtest attack; do
	# cap's options take no value.
	[ $cmd = cap ] || "$capio" help "$cmd" | grep -q -- '--[a-z-]*=' ||
	    err "help $cmd shows no --opt=value"
	"$capio" help "$cmd" | grep -q '^Exit status' || err "help $cmd: no exit status"
done
"$capio" help nosuchtopic >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] || err "help nosuchtopic exited $rc, not 2"
grep -q "^capio: no help topic 'nosuchtopic'" "$tmp/err" || err "help nosuchtopic: $(cat "$tmp/err")"

# --- --opt=value -------------------------------------------------------------
# The same answer both ways.
same() {	# same ARGS-WITH-= -- ARGS-WITH-SPACE
	local a=() b=()
	while [ "$1" != -- ]; do a+=("$1"); shift; done; shift
	b=("$@")
	"$capio" "${a[@]}" >"$tmp/a" 2>&1; ra=$?
	"$capio" "${b[@]}" >"$tmp/b" 2>&1; rb=$?
	[ $ra -eq 0 ] && [ $rb -eq 0 ] && cmp -s "$tmp/a" "$tmp/b" ||
	    { err "'${a[*]}' ($ra) and '${b[*]}' ($rb) differ"; diff "$tmp/a" "$tmp/b" | head -5; }
}
same inspect e1000e --exposure=TDT,RDT --pages=4K,2M --json -- \
     inspect e1000e --exposure TDT,RDT --pages 4K,2M --json
same attack --list -- attack --list
out=$("$capio" run udp-echo --ops=200 --port=7 2>&1) ||
    err "run udp-echo --ops=200 --port=7: $out"
[[ $out == *"200 operations, 200 verified"* ]] || err "--ops=200 not taken: $out"
out=$(printf 'outl 0xcf8 0x80000800\ninl 0xcfc\n' |
    "$capio" qtest --ram=256 --nic=mac=52:54:00:12:34:57 2>&1) ||
    err "qtest --ram=256 --nic=mac=...: $out"
[[ $out == *"OK 0x10d38086"* ]] || err "qtest with --opt=value: $out"
# Only the first '=' splits: the rest belongs to the value.
printf '' | "$capio" qtest --nic=mac=52:54:00:12:34:57,wire=pair --nic=wire=pair \
    >/dev/null 2>"$tmp/err" || err "qtest --nic=...,wire=pair: $(cat "$tmp/err")"
# Not options: "--=x" has no name, words without "--" are not split.
"$capio" demo --=x >/dev/null 2>"$tmp/err"
grep -q "unknown option '--=x'" "$tmp/err" || err "--=x: $(cat "$tmp/err")"
# A flag given a value says so.
"$capio" demo --quiet=1 >/dev/null 2>"$tmp/err"
grep -q "^capio demo: --quiet takes no value" "$tmp/err" || err "--quiet=1: $(cat "$tmp/err")"
out=$("$capio" cap decode 0 0 --untagged) || err "cap decode 0 0 --untagged"
"$capio" cap decode a=b 0 >/dev/null 2>"$tmp/err"
grep -q "bad 64-bit hex value in 'a=b 0'" "$tmp/err" || err "a=b was split: $(cat "$tmp/err")"

# --- missing values and ranges --------------------------------------------------
says() {	# says MESSAGE ARGS...: exit 2, the first line is MESSAGE
	local want=$1; shift
	"$capio" "$@" </dev/null >/dev/null 2>"$tmp/err"; rc=$?
	[ $rc -eq 2 ] || err "capio $*: exit $rc, not 2"
	[ "$(head -1 "$tmp/err")" = "$want" ] || err "capio $*: '$(head -1 "$tmp/err")', want '$want'"
	sed -n 2p "$tmp/err" | grep -q '^usage: capio' || err "capio $*: no usage line"
}
says "capio run: --ops needs a value" run memcached --ops
says "capio run: --ops needs a value" run memcached --ops=
says "capio run: --ops must be 1..100000000, not '0'" run memcached --ops 0
says "capio run: --port must be 1..65535, not '65536'" run memcached --port=65536
says "capio demo: --pcap needs a value" demo --pcap
says "capio demo: --pcap needs a value" demo --pcap --quiet
says "capio demo: --ops must be 1..10000000, not '0'" demo --ops=0
says "capio demo: --pcap does not apply to --machine" demo --machine --pcap F
says "capio inspect: --svg needs a value" inspect e1000e --exposure TDT --svg
says "capio qtest: --ram must be 2..2048, not '1'" qtest --ram=1
says "capio qtest: --socket needs a value" qtest --socket
says "capio attack: --only needs a value" attack --only
says "capio attack: --arm does not apply to --list" attack --list --arm=page
# --list --json is the catalogue as JSON.
out=$("$capio" attack --list --json) || err "attack --list --json failed"
[[ $out == '{"attacks":[{"id":"1a","class":1,"name":"tdt-tdbal","what":'* ]] ||
    err "attack --list --json: ${out:0:80}"
if command -v jq >/dev/null; then
	[ "$(printf '%s' "$out" | jq '.attacks | length')" = "$("$capio" attack --list | wc -l)" ] ||
	    err "attack --list --json: not one entry per attack"
fi

[ $fail -eq 0 ] || exit 1
echo "e2e_cli: all passed"
