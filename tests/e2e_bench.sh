#!/usr/bin/env bash
# e2e_bench.sh — `capio bench --quick` runs every file-writing benchmark
# and leaves well-formed CSV, JSON and (with gnuplot) PNG files; the
# --json one-liners carry the keys the issue names; the per-round-trip
# counts are what the arms are (4 system calls for the kernel path, none
# for the user-level driver); bad arguments exit 2. No timing figure is
# asserted.
set -u
capio=$1
fail=0
out=$(mktemp -d "${TMPDIR:-/tmp}/capio-bench.XXXXXX")
trap 'rm -rf "$out"' EXIT
bad() { echo "FAILED: $*"; fail=1; }

have_py=0
command -v python3 >/dev/null 2>&1 && have_py=1
# Which file-writing benchmarks this build has (memcached joins with its
# server).
benches=(rtt throughput udp)
"$capio" bench --help | grep -q '^  memcached ' && benches+=(memcached)

json_ok() {	# file
	if ((have_py)); then
		python3 -m json.tool "$1" >/dev/null 2>&1
	else
		[[ $(wc -l <"$1") == 1 ]] && grep -q '^{.*}$' "$1"
	fi
}

csv_ok() {	# file: a header and rows, all with the header's field count
	awk -F, 'NR == 1 { n = NF; if (n < 5) exit 1; next }
	    NF != n { exit 1 } END { if (NR < 2) exit 1 }' "$1"
}

png_ok() {
	[[ $(head -c 8 "$1" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]]
}

# 1. Everything, quick, into one directory.
"$capio" bench --quick --out "$out/all" >"$out/all.txt" 2>"$out/all.err" ||
	bad "capio bench --quick exited $?: $(tail -3 "$out/all.err")"
for b in "${benches[@]}"; do
	for ext in csv json; do
		[[ -s $out/all/$b.$ext ]] || bad "$b.$ext missing"
	done
	[[ -s $out/all/$b.csv ]] && { csv_ok "$out/all/$b.csv" || bad "$b.csv malformed"; }
	[[ -s $out/all/$b.json ]] && { json_ok "$out/all/$b.json" || bad "$b.json malformed"; }
	if command -v gnuplot >/dev/null 2>&1; then
		png_ok "$out/all/$b.png" || bad "$b.png is not a PNG"
	fi
	grep -q "files: .*$b.csv" "$out/all.txt" || bad "no $b summary"
done
grep -q 'capio/kernel' "$out/all.txt" || bad "no ratio table"

# 2. The one-line JSON of rtt and throughput.
rtt=$("$capio" bench rtt --quick --json --out "$out/rtt") || bad "rtt --json exited $?"
[[ $(printf '%s\n' "$rtt" | wc -l) == 1 ]] || bad "rtt --json is not one line"
for s in 64 1028 1518; do
	[[ $rtt =~ \"ratios\":\{.*\"$s\":\{\"capio_kernel\":[0-9.]+,\"capio_page\":[0-9.]+,\"capio_raw\":[0-9.]+\} ]] ||
		bad "rtt --json: no ratios for $s"
done
tp=$("$capio" bench throughput --quick --json --frames 5000 --out "$out/tp") ||
	bad "throughput --json exited $?"
[[ $(printf '%s\n' "$tp" | wc -l) == 1 ]] || bad "throughput --json is not one line"
for a in kernel page capio raw; do
	[[ $tp =~ \"mpps\":\{.*\"$a\":\{\"64\":[0-9.]+,\"1518\":[0-9.]+\} ]] ||
		bad "throughput --json: no mpps for $a"
done

# 3. What a round trip costs, by arm: counts, not times.
if ((have_py)); then
	printf '%s\n' "$rtt" | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = d["results"]
for k in ("machine", "commit", "date", "options", "arms", "sizes", "targets"):
    assert k in d, k
assert d["options"]["quick"] is True
for s in ("64", "1028", "1518"):
    assert r["kernel"][s]["syscalls_per_rtt"] == 4, r["kernel"][s]
    assert r["kernel"][s]["mmio_per_rtt"] == 4, r["kernel"][s]
    for a in ("page", "capio", "raw"):
        assert r[a][s]["syscalls_per_rtt"] == 0, (a, r[a][s])
        assert r[a][s]["mmio_per_rtt"] == 4, (a, r[a][s])
    assert r["raw"][s]["checks_per_rtt"] == 0, r["raw"][s]
    assert r["capio"][s]["checks_per_rtt"] == r["page"][s]["checks_per_rtt"]
    for a in d["arms"]:
        assert r[a][s]["bytes_copied_per_rtt"] == 4 * (int(s) - 4), (a, s)
        assert r[a][s]["min_ns"] <= r[a][s]["p50_ns"] <= r[a][s]["p99_ns"] <= r[a][s]["max_ns"]
' || bad "rtt --json: per-round-trip counts"
fi

# 4. Two processes, one per NIC.
"$capio" bench rtt --quick --procs 2 --samples 200 --warmup 20 --json \
	--out "$out/p2" >/dev/null || bad "rtt --procs 2 exited $?"

# 5. Help and bad arguments.
"$capio" bench --help | grep -q '^usage: capio bench' || bad "bench --help"
"$capio" bench rtt --help | grep -q '^usage: capio bench rtt' || bad "rtt --help"
for args in "nosuch" "--bogus" "rtt --procs 3" "rtt --samples x" \
    "rtt --samples" "throughput --frames 5" "udp --procs 2" "all --frames 9000" \
    "rtt --out"; do
	# shellcheck disable=SC2086
	"$capio" bench $args >/dev/null 2>"$out/err"
	rc=$?
	[[ $rc == 2 ]] || bad "bench $args exited $rc, not 2"
	[[ $(grep -c '^capio: ' "$out/err") == 1 ]] || bad "bench $args: message"
	grep -q '^usage: ' "$out/err" || bad "bench $args: no usage line"
done

[[ $fail == 0 ]] && echo "e2e_bench: all passed"
exit $fail
