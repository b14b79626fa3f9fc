#!/usr/bin/env bash
# bench/nbd.sh — fio --ioengine=nbd, 4 KiB random reads, against four NBD
# servers serving the same image on this host, interleaved in one run:
#
#   capio        capio run nbd, the CAPIO arm: the NIC (TAP, e1000e model,
#                lwIP) and the NVMe queue pair driven by the process itself
#   capio-kpath  capio run nbd --kernel-path, the kernel arm: frames
#                through the CAPIO kernel's send/receive calls and blocks
#                through its block calls (SYS_BLK_*)
#   nbdkit       nbdkit file IMAGE, on the namespace's loopback
#   qemu-nbd     qemu-nbd -f raw IMAGE, on the namespace's loopback
#
# Each round runs every arm (order rotated per round) at QD1 (latency)
# and QD32 (IOPS), RUNTIME seconds each. Prints median and IQR over the
# rounds per arm, and writes every sample to OUT/nbd.csv and the summary
# to OUT/nbd.json. Needs root (a network namespace and TAP devices), fio,
# nbdkit, qemu-nbd (scripts/deps.sh test) and jq.
#
#   bench/nbd.sh [-r ROUNDS] [-t RUNTIME] [-s SIZE_MB] [-o OUT] [-c CAPIO]
set -u
rounds=5 runtime=5 size=256 out=bench-out capio=build/capio
while getopts r:t:s:o:c: opt; do
  case $opt in
  r) rounds=$OPTARG ;; t) runtime=$OPTARG ;; s) size=$OPTARG ;;
  o) out=$OPTARG ;; c) capio=$OPTARG ;;
  *) echo "usage: bench/nbd.sh [-r ROUNDS] [-t RUNTIME] [-s SIZE_MB] [-o OUT] [-c CAPIO]" >&2; exit 2 ;;
  esac
done
capio=$(readlink -f "$capio")
[[ -x $capio ]] || { echo "bench/nbd.sh: no $capio (make build)" >&2; exit 1; }
[[ $(id -u) == 0 && -c /dev/net/tun ]] || { echo "bench/nbd.sh: needs root and /dev/net/tun" >&2; exit 1; }
for t in fio nbdkit qemu-nbd jq ip; do
  command -v $t >/dev/null || { echo "bench/nbd.sh: $t not installed (scripts/deps.sh test)" >&2; exit 1; }
done
mkdir -p "$out"
out=$(readlink -f "$out")
ns=capio-nbdbench-$$
work=$(mktemp -d)
pids=()
cleanup() {
  kill -CONT "${pids[@]}" 2>/dev/null
  for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null
  done
  wait 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
ip netns add "$ns" || { echo "bench/nbd.sh: cannot create a network namespace" >&2; exit 1; }
inns() { ip netns exec "$ns" "$@"; }
inns ip link set lo up

image=$work/image.raw
head -c "${size}M" /dev/urandom > "$image"
# The capio arms serve copies: each NVMe model owns its file.
cp "$image" "$work/capio.raw"
cp "$image" "$work/kpath.raw"

# `ip netns exec` execs the server: $! is the server, and SIGINT reaches it.
ip netns exec "$ns" "$capio" run nbd --tap nbb0 --ip 10.80.0.2/24 --host-ip 10.80.0.1/24 \
  --disk "$work/capio.raw" > "$work/capio.log" 2>&1 &
pids+=($!)
ip netns exec "$ns" "$capio" run nbd --kernel-path --tap nbb1 --ip 10.80.1.2/24 --host-ip 10.80.1.1/24 \
  --disk "$work/kpath.raw" > "$work/kpath.log" 2>&1 &
pids+=($!)
ip netns exec "$ns" nbdkit -f -r -i 127.0.0.1 -p 10810 file "$image" > "$work/nbdkit.log" 2>&1 &
pids+=($!)
ip netns exec "$ns" qemu-nbd -r -t -f raw -b 127.0.0.1 -p 10811 "$image" > "$work/qemu-nbd.log" 2>&1 &
pids+=($!)

# The capio servers poll their TAP every millisecond even when idle: the
# two not measured are stopped (SIGSTOP) so that they take no CPU from
# the one that is (nbdkit and qemu-nbd sleep when idle).
capio_pid=${pids[0]} kpath_pid=${pids[1]}
only() {  # only ARM: the capio servers other than ARM stopped
  kill -CONT "$capio_pid" "$kpath_pid" 2>/dev/null
  [[ $1 == capio ]] || kill -STOP "$capio_pid"
  [[ $1 == capio-kpath ]] || kill -STOP "$kpath_pid"
}

declare -A uri=(
  [capio]=nbd://10.80.0.2/capio
  [capio-kpath]=nbd://10.80.1.2/capio
  [nbdkit]=nbd://127.0.0.1:10810
  [qemu-nbd]=nbd://127.0.0.1:10811
)
arms=(capio capio-kpath nbdkit qemu-nbd)
for a in "${arms[@]}"; do
  ok=0
  for _ in $(seq 100); do
    inns fio --name=probe --ioengine=nbd --uri="${uri[$a]}" --rw=read --bs=4k \
      --size=4k --output=/dev/null >/dev/null 2>&1 && { ok=1; break; }
    sleep 0.2
  done
  [[ $ok == 1 ]] || { echo "bench/nbd.sh: $a did not come up" >&2; cat "$work"/*.log >&2; exit 1; }
done

# fio JSON: IOPS, and total latency (submission to completion) in ns.
csv=$out/nbd.csv
echo "arm,round,qd,iops,lat_p50_us,lat_mean_us,lat_p99_us" > "$csv"
cmd_qd() {
  echo "fio --name=nbd --ioengine=nbd --uri=URI --rw=randread --bs=4k --iodepth=$1" \
       "--size=${size}M --runtime=$runtime --time_based --lat_percentiles=1 --output-format=json"
}
for r in $(seq "$rounds"); do
  n=${#arms[@]}
  for i in $(seq 0 $((n - 1))); do
    a=${arms[$(( (i + r) % n ))]}
    only "$a"
    for qd in 1 32; do
      inns fio --name=nbd --ioengine=nbd --uri="${uri[$a]}" --rw=randread --bs=4k \
        --iodepth=$qd --size="${size}M" --runtime="$runtime" --time_based \
        --lat_percentiles=1 --output-format=json > "$work/fio.json" 2>/dev/null ||
        { echo "bench/nbd.sh: fio against $a failed" >&2; exit 1; }
      # fio's nbd engine prints a line of its own before the JSON.
      sed -n '/^{/,$p' "$work/fio.json" > "$work/fio2.json"
      jq -r --arg a "$a" --arg r "$r" --arg q "$qd" \
        '.jobs[0].read | [$a, $r, $q, .iops,
          .lat_ns.percentile["50.000000"] / 1000, .lat_ns.mean / 1000,
          .lat_ns.percentile["99.000000"] / 1000] | @csv' "$work/fio2.json" |
        tr -d '"' >> "$csv"
    done
  done
  echo "round $r of $rounds done" >&2
done
kill -CONT "$capio_pid" "$kpath_pid" 2>/dev/null

# Median and IQR (25th..75th percentile, nearest rank) per arm.
stat() {  # stat ARM QD COLUMN -> "median q1 q3"
  awk -F, -v a="$1" -v q="$2" -v c="$3" '$1 == a && $3 == q { print $c }' "$csv" |
    sort -g | awk '{ v[NR] = $1 } END {
      if (NR == 0) { print "nan nan nan"; exit }
      m = v[int((NR + 1) / 2)]; q1 = v[int((NR + 3) / 4)]; q3 = v[int((3 * NR + 3) / 4)]
      print m, q1, q3 }'
}
json=$out/nbd.json
{
  echo "{"
  echo "  \"rounds\": $rounds, \"runtime_s\": $runtime, \"image_mb\": $size,"
  echo "  \"qd1_command\": \"$(cmd_qd 1)\","
  echo "  \"qd32_command\": \"$(cmd_qd 32)\","
  echo "  \"arms\": {"
  first=1
  for a in "${arms[@]}"; do
    read -r lm l1 l3 < <(stat "$a" 1 5)
    read -r pm p1 p3 < <(stat "$a" 1 7)
    read -r im i1 i3 < <(stat "$a" 32 4)
    [[ $first == 1 ]] || echo ","
    first=0
    printf '    "%s": {"qd1_p50_us": {"median": %s, "q1": %s, "q3": %s}, "qd1_p99_us": {"median": %s, "q1": %s, "q3": %s}, "qd32_iops": {"median": %s, "q1": %s, "q3": %s}}' \
      "$a" "$lm" "$l1" "$l3" "$pm" "$p1" "$p3" "$im" "$i1" "$i3"
  done
  echo
  echo "  }"
  echo "}"
} > "$json"

echo
echo "4 KiB random read, fio --ioengine=nbd, $rounds rounds x ${runtime}s per arm and depth, median [IQR]"
printf "%-12s %26s %26s %28s\n" arm "QD1 p50 latency (us)" "QD1 p99 latency (us)" "QD32 IOPS"
for a in "${arms[@]}"; do
  read -r lm l1 l3 < <(stat "$a" 1 5)
  read -r pm p1 p3 < <(stat "$a" 1 7)
  read -r im i1 i3 < <(stat "$a" 32 4)
  printf "%-12s %9.1f [%6.1f..%6.1f] %9.1f [%6.1f..%6.1f] %9.0f [%7.0f..%7.0f]\n" \
    "$a" "$lm" "$l1" "$l3" "$pm" "$p1" "$p3" "$im" "$i1" "$i3"
done
echo "QD1:  $(cmd_qd 1)"
echo "QD32: $(cmd_qd 32)"
echo "samples: $csv; summary: $json"
