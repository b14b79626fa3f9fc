#!/usr/bin/env bash
# e2e_bench_nvme.sh — `capio bench nvme --quick` runs the four arms and
# the tenants and leaves well-formed CSV, JSON and (with gnuplot) PNG; its
# --json line has the keys docs/nvme.md names; the costs per I/O are what
# the arms are (one system call per I/O on the kernel path at QD1, one
# per batch of 32 at QD32, none for the user-level driver; two doorbells
# per I/O or per batch; no check on the raw arm); a quick run judges no
# target; bad arguments exit 2 with a message. No timing figure is
# asserted.
set -u
capio=$1
fail=0
out=$(mktemp -d "${TMPDIR:-/tmp}/capio-bench-nvme.XXXXXX")
trap 'rm -rf "$out"' EXIT
bad() { echo "FAILED: $*"; fail=1; }

# 1. The table and the files.
"$capio" bench nvme --quick --out "$out/q" >"$out/q.txt" 2>"$out/q.err" ||
	bad "bench nvme --quick exited $?: $(tail -3 "$out/q.err")"
for f in nvme.csv nvme.json nvme.dat nvme.gp; do
	[[ -s $out/q/$f ]] || bad "$f missing"
done
awk -F, 'NR == 1 { n = NF; next } NF != n { exit 1 } END { if (NR != 19) exit 1 }' \
	"$out/q/nvme.csv" || bad "nvme.csv: not 18 rows of the header's fields"
if command -v gnuplot >/dev/null 2>&1; then
	[[ $(head -c 8 "$out/q/nvme.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] ||
		bad "nvme.png is not a PNG"
fi
for want in 'latency at QD1' 'IOPS at QD32' 'capio/kernel' 'randread_qd1' \
    'randwrite_qd32' '4 tenants / 1 tenant' 'files: '; do
	grep -qF "$want" "$out/q.txt" || bad "summary: no '$want'"
done
grep -q 'MISSED' "$out/q.txt" && bad "bench nvme --quick printed MISSED"
grep -Eq '(^| )met( |$)' "$out/q.txt" && bad "bench nvme --quick printed met"
grep -q 'not judged' "$out/q.txt" || bad "bench nvme --quick: no 'not judged'"
grep -q '^bench nvme: randread_qd1 done (1/5)$' "$out/q.err" ||
	bad "no progress line per phase on a non-terminal stderr"

# 2. --json: one line; its shape and the costs per I/O.
doc=$("$capio" bench nvme --quick --json --samples 1000 --warmup 50 \
	--out "$out/j" 2>"$out/j.err") || bad "bench nvme --json exited $?"
[[ $(printf '%s\n' "$doc" | wc -l) == 1 ]] || bad "--json is not one line"
have_py=0
command -v python3 >/dev/null 2>&1 && have_py=1
if ((have_py)); then
	printf '%s\n' "$doc" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["bench"] == "nvme" and d["options"]["quick"] is True
assert d["samples"] == 1000 and d["io_bytes"] == 4096 and d["queue_depth"] == 32
r = d["results"]
for a in d["arms"]:
    for w in d["workloads"]:
        x = r[a][w]
        assert x["ios"] > 0, (a, w)
        if w.endswith("qd1"):
            assert x["n"] == 1000 and x["min_ns"] <= x["p25_ns"] <= x["p50_ns"] <= x["p75_ns"] <= x["p99_ns"] <= x["max_ns"], (a, w, x)
        else:
            assert x["iops_p25"] <= x["iops"] <= x["iops_p75"], (a, w, x)
for w in ("randread_qd1", "randwrite_qd1"):
    assert r["kernel"][w]["syscalls_per_io"] == 1, r["kernel"][w]
    assert r["kernel"][w]["checks_per_io"] == 1, r["kernel"][w]
    for a in d["arms"]:
        assert r[a][w]["mmio_per_io"] == 2, (a, w, r[a][w])
for w in ("randread_qd32", "randwrite_qd32"):
    assert abs(r["kernel"][w]["syscalls_per_io"] - 1 / 32) < 1e-3, r["kernel"][w]
    for a in d["arms"]:
        assert abs(r[a][w]["mmio_per_io"] - 2 / 32) < 1e-3, (a, w, r[a][w])
for w in d["workloads"]:
    for a in ("page", "capio", "raw"):
        assert r[a][w]["syscalls_per_io"] == 0, (a, w)
    assert r["raw"][w]["checks_per_io"] == 0, w
    assert r["capio"][w]["checks_per_io"] == r["page"][w]["checks_per_io"], w
    # The data once per I/O; the user-level driver also copies its
    # 64-byte submission entry in.
    for a in ("kernel", "raw"):
        assert r[a][w]["bytes_copied_per_io"] == 4096, (a, w, r[a][w])
    for a in ("page", "capio"):
        assert r[a][w]["bytes_copied_per_io"] == 4096 + 64, (a, w, r[a][w])
    for k, x in d["ratios"][w].items():
        assert x["blocks"] == d["blocks"] and x["p25"] <= x["median"] <= x["p75"], (w, k, x)
t = d["tenants"]
assert t["one"]["tenants"] == 1 and t["four"]["tenants"] == 4
assert t["one"]["iops"] > 0 and t["four"]["iops"] > 0 and t["four_one"]["median"] > 0
assert len(d["targets"]) == 7
for x in d["targets"]:
    assert x["verdict"] == "not judged" and x["met"] is None, x
assert d["targets_missed"] == 0
' || bad "--json: shape or costs"
fi

# 3. Help and bad arguments.
"$capio" bench nvme --help | grep -q '^usage: capio bench nvme' || bad "nvme --help"
"$capio" bench --help | grep -q '^  nvme ' || bad "bench --help lists no nvme"
check_bad() {	# message, then the arguments
	local want=$1
	shift
	"$capio" bench "$@" >/dev/null 2>"$out/err"
	rc=$?
	[[ $rc == 2 ]] || bad "bench $*: exited $rc, not 2"
	grep -qF -- "$want" "$out/err" || bad "bench $*: not '$want': $(head -1 "$out/err")"
	grep -q '^usage: capio bench nvme' "$out/err" || bad "bench $*: no usage line"
}
check_bad "capio bench nvme: --samples must be 1..1000000, not '0'" nvme --samples 0
check_bad "capio bench nvme: --procs is an option of rtt only" nvme --procs 2
check_bad "capio bench nvme: --frames is an option of throughput only" nvme --frames 5000
check_bad "capio bench nvme: unknown argument '--qd'" nvme --qd 4
check_bad "capio bench nvme: --check needs a full run" nvme --quick --check

[[ $fail == 0 ]] || exit 1
if ((!have_py)); then
	echo "SKIPPED: python3 is missing: the JSON's shape and costs were not checked (sh make.sh test installs it)"
	exit 77
fi
echo "e2e_bench_nvme: all passed"
