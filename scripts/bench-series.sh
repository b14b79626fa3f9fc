#!/usr/bin/env bash
# bench-series.sh — run `capio bench rtt --json` N times in a row and
# print, per run, the capio/page and capio/raw ratio medians at 64, 1028
# and 1518 bytes with their interquartile range, as a Markdown table:
# what one run says and how far the next one moves.
#
#   scripts/bench-series.sh [-n N] [--hog] [--capio PATH] [-- RTT-ARGS...]
#
#   -n N        runs (default 5)
#   --hog       keep another core busy for the whole series (stress-ng
#               --cpu 1 if installed, else a shell busy loop), to see
#               what a noisy neighbour does to the figures
#   --capio P   the capio binary (default: $CAPIO, else build/capio)
#   RTT-ARGS    passed to `capio bench rtt` (e.g. --samples 40000)
#
# Needs jq or python3 to read the JSON. Progress goes to stderr.
set -u

usage() {
	echo "usage: scripts/bench-series.sh [-n N] [--hog] [--capio PATH]" \
	    "[-- RTT-ARGS...]" >&2
	exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd)
capio=${CAPIO:-$root/build/capio}
runs=5
hog=0
while (($#)); do
	case $1 in
	-n)
		(($# >= 2)) || { echo "bench-series: -n needs a value" >&2; usage; }
		runs=$2
		shift 2
		;;
	--hog)
		hog=1
		shift
		;;
	--capio)
		(($# >= 2)) || { echo "bench-series: --capio needs a value" >&2; usage; }
		capio=$2
		shift 2
		;;
	--)
		shift
		break
		;;
	-h | --help)
		sed -n '2,16s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "bench-series: unknown argument '$1'" >&2
		usage
		;;
	esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "bench-series: -n must be 1 or more" >&2; usage; }
[[ -x $capio ]] || { echo "bench-series: no capio binary at $capio (build it, or --capio PATH)" >&2; exit 1; }

if command -v jq >/dev/null 2>&1; then
	reader=jq
elif command -v python3 >/dev/null 2>&1; then
	reader=python3
else
	echo "bench-series: needs jq or python3" >&2
	exit 1
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/bench-series.XXXXXX")
hog_pid=
cleanup() {
	# Only the hog this script started, by its pid.
	[[ -n $hog_pid ]] && kill "$hog_pid" 2>/dev/null && wait "$hog_pid" 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if ((hog)); then
	if command -v stress-ng >/dev/null 2>&1; then
		stress-ng --cpu 1 --quiet &
		what="stress-ng --cpu 1"
	else
		sh -c 'while :; do :; done' &
		what="a shell busy loop"
	fi
	hog_pid=$!
	echo "bench-series: hog running ($what, pid $hog_pid)" >&2
fi

# One table row from one rtt.json: "| run | page 64 | … | raw 1518 | verdict |".
row() {	# run file
	if [[ $reader == jq ]]; then
		jq -r --arg run "$1" '
		    def fix(d): . * pow(10; d) | round | tostring
		        | (if length <= d then ("0" * (d + 1 - length)) + . else . end)
		        | .[:length - d] + "." + .[length - d:];
		    def cell(r): if r == null or r.median == null then "n/a"
		        else "\(r.median | fix(3)) (\(r.p25 | fix(2))-\(r.p75 | fix(2)))" end;
		    [$run] + [("capio_page", "capio_raw") as $k
		        | ("64", "1028", "1518") as $s | cell(.ratios[$s][$k])]
		    + [if .noisy then "noisy (\(.noise | length))" else "ok" end]
		    | "| " + join(" | ") + " |"' "$2"
	else
		python3 - "$1" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[2]))
def cell(r):
    if not r or r.get("median") is None:
        return "n/a"
    return "%.3f (%.2f-%.2f)" % (r["median"], r["p25"], r["p75"])
cells = [sys.argv[1]]
for k in ("capio_page", "capio_raw"):
    for s in ("64", "1028", "1518"):
        cells.append(cell(d["ratios"].get(s, {}).get(k)))
cells.append("noisy (%d)" % len(d["noise"]) if d.get("noisy") else "ok")
print("| " + " | ".join(cells) + " |")
EOF
	fi
}

rows=()
for ((i = 1; i <= runs; i++)); do
	echo "bench-series: run $i of $runs" >&2
	if ! "$capio" bench rtt --json --out "$out/run$i" "$@" >"$out/run$i.json" \
	    2>"$out/run$i.err"; then
		echo "bench-series: run $i failed:" >&2
		cat "$out/run$i.err" >&2
		exit 1
	fi
	# The noise lines, for the record.
	grep -v '^bench rtt: ' "$out/run$i.err" >&2
	rows+=("$(row "$i" "$out/run$i.json")") || exit 1
done

((hog)) && note=", another core busy (--hog)" || note=""
echo "capio bench rtt, $runs runs in a row$note: ratio median (p25-p75) per size"
echo
echo "| run | capio/page 64 | capio/page 1028 | capio/page 1518 | capio/raw 64 | capio/raw 1028 | capio/raw 1518 | verdict |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"
printf '%s\n' "${rows[@]}"
