#!/usr/bin/env bash
# large_get.sh — `get`s of one large value per second on one connection:
# `capio run memcached` (over a TAP interface, through the simulated
# 82574L, the user-level driver and lwIP) against the real memcached
# (Debian's, on the loopback), both in one network namespace this script
# makes, rounds interleaved A B B A so drift in the host's speed falls on
# both alike. Every reply is checked byte for byte (bench/getrate.c).
#
#   bench/large_get.sh [--capio PATH] [--getrate PATH] [--size BYTES]
#                      [--rounds N] [--seconds S] [--out DIR]
#
# Prints each round, then per server the median and interquartile range
# of gets/s and the median of the per-round ratios capio/memcached;
# writes DIR/large_get.csv (one line per run) and DIR/large_get.json.
# Needs root (a network namespace and a TAP) and memcached installed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
capio=$here/../build/capio getrate=$here/../build/getrate
size=10000 rounds=10 seconds=2 out=.
while [[ $# -gt 0 ]]; do
  case $1 in
    --capio|--getrate|--size|--rounds|--seconds|--out)
      [[ $# -ge 2 ]] || { echo "large_get.sh: $1 needs a value" >&2; exit 2; } ;;&
    --capio) capio=$2; shift 2 ;;
    --getrate) getrate=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "large_get.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for v in size rounds seconds; do
  [[ ${!v} =~ ^[0-9]+$ && ${!v} -ge 1 ]] || { echo "large_get.sh: --$v must be a positive integer" >&2; exit 2; }
done
(( size <= 1000000 )) || { echo "large_get.sh: --size at most 1000000 (memcached's item limit)" >&2; exit 2; }
[[ -x $capio ]] || { echo "large_get.sh: no capio at $capio (make build, or --capio PATH)" >&2; exit 2; }
[[ -x $getrate ]] || { echo "large_get.sh: no getrate at $getrate (make build, or --getrate PATH)" >&2; exit 2; }
[[ -x /usr/bin/memcached ]] || { echo "large_get.sh: needs memcached (apt-get install memcached)" >&2; exit 2; }
[[ $(id -u) == 0 && -c /dev/net/tun ]] || { echo "large_get.sh: needs root and /dev/net/tun" >&2; exit 2; }
mkdir -p "$out" || exit 2
ns=capio-lget-$$
ip netns add "$ns" || { echo "large_get.sh: cannot create a network namespace" >&2; exit 2; }
pids=()
log=$(mktemp)
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 30); do
    kill -0 "${pids[@]}" 2>/dev/null || break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  rm -f "$log"
}
trap cleanup EXIT
inns() { ip netns exec "$ns" "$@"; }
inns ip link set lo up
ip netns exec "$ns" /usr/bin/memcached -U 0 -l 127.0.0.1 -p 11211 -u root -I 2m > /dev/null 2>&1 &
pids+=($!)
ip netns exec "$ns" "$capio" run memcached --tap lget0 --ip 10.91.0.2/24 \
  --host-ip 10.91.0.1/24 > "$log" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 100); do
  if inns ip -4 addr show dev lget0 2>/dev/null | grep -q 10.91.0.1 &&
     inns bash -c 'exec 3<>/dev/tcp/127.0.0.1/11211' 2>/dev/null; then up=1; break; fi
  sleep 0.1
done
[[ $up == 1 ]] || { echo "large_get.sh: the servers did not come up"; cat "$log"; exit 1; }
run() {  # run NAME HOST: one measurement, gets/s on stdout
  local r
  r=$(inns "$getrate" "$2" 11211 "$size" "$seconds") || { echo "large_get.sh: $1: getrate failed" >&2; return 1; }
  echo "${r#gets_per_s }"
}
csv=$out/large_get.csv
echo "round,server,size,gets_per_s" > "$csv"
declare -a cap mc ratio
echo "large_get: $size-byte get, one connection, $rounds rounds of $seconds s each"
for r in $(seq "$rounds"); do
  # A B B A: capio first in odd rounds, memcached first in even ones.
  if (( r % 2 )); then order="capio memcached"; else order="memcached capio"; fi
  for s in $order; do
    if [[ $s == capio ]]; then c=$(run capio 10.91.0.2) || exit 1; cap+=("$c")
    else m=$(run memcached 127.0.0.1) || exit 1; mc+=("$m"); fi
  done
  ratio+=("$(awk -v a="$c" -v b="$m" 'BEGIN { printf "%.3f", a / b }')")
  printf "round %2d  capio %8s  memcached %8s  ratio %s\n" "$r" "$c" "$m" "${ratio[-1]}"
  echo "$r,capio,$size,$c" >> "$csv"
  echo "$r,memcached,$size,$m" >> "$csv"
done
# median, and first and third quartiles by nearest rank
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
  n = NR; m = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  q1 = int((n + 3) / 4); q3 = int((3 * n + 3) / 4)
  printf "%s %s %s", m, v[q1], v[q3] }'; }
read -r cm cl ch <<< "$(stats "${cap[@]}")"
read -r mm ml mh <<< "$(stats "${mc[@]}")"
read -r rm rl rh <<< "$(stats "${ratio[@]}")"
printf "\n%-10s %12s %24s\n" server "median get/s" "interquartile range"
printf "%-10s %12.0f %11.0f .. %-10.0f\n" capio "$cm" "$cl" "$ch"
printf "%-10s %12.0f %11.0f .. %-10.0f\n" memcached "$mm" "$ml" "$mh"
printf "capio/memcached, per round: median %.3f (IQR %.3f .. %.3f)\n" "$rm" "$rl" "$rh"
cat > "$out/large_get.json" <<JSON
{"benchmark": "large_get", "size": $size, "rounds": $rounds, "seconds": $seconds,
 "capio": {"median": $cm, "q1": $cl, "q3": $ch, "runs": [$(IFS=,; echo "${cap[*]}")]},
 "memcached": {"median": $mm, "q1": $ml, "q3": $mh, "runs": [$(IFS=,; echo "${mc[*]}")]},
 "ratio": {"median": $rm, "q1": $rl, "q3": $rh, "runs": [$(IFS=,; echo "${ratio[*]}")]}}
JSON
echo "wrote $csv and $out/large_get.json"
