#!/usr/bin/env bash
# e2e_run_tap_sockperf.sh — `sockperf ping-pong` against `capio run
# udp-echo` through a TAP interface in a network namespace this test
# creates (as in e2e_run_tap.sh), at message sizes 14 (sockperf's
# smallest: its header), 1472 (the largest in one 1500-byte frame), 8000
# and 14000 (IP fragments, reassembled by the server's lwIP and sent back
# fragmented) and 14792, the largest datagram the server's lwIP
# reassembles: Debian's liblwip is built with lwIP's default
# IP_REASS_MAX_PBUFS of 10, one pbuf per received frame, so 10 fragments
# of 1480 bytes of IP payload = 14800 bytes, 14792 of them UDP payload
# (docs/memcached.md, "UDP datagram sizes"). One byte more needs an 11th
# fragment and the datagram is dropped: a python3 probe checks both sides
# of that limit. Every size must get answers with no message dropped.
# Skips (77) without root, /dev/net/tun, `ip netns exec` or sockperf.
set -u
capio=$(readlink -f "$1")
[[ $(id -u) == 0 && -c /dev/net/tun ]] || { echo "SKIPPED: needs root and /dev/net/tun"; exit 77; }
command -v ip >/dev/null || { echo "SKIPPED: no iproute2"; exit 77; }
command -v sockperf >/dev/null || { echo "SKIPPED: no sockperf (scripts/deps.sh test)"; exit 77; }
. "$(dirname "$0")/netns.sh"
netns_open capio-sp-$$
fail=0
LIMIT=14792    # the largest UDP payload the server reassembles

wait_up() {
  for _ in $(seq 100); do
    inns ip -4 addr show dev "$1" 2>/dev/null | grep -q 10.77.0.1 && return 0
    sleep 0.1
  done
  return 1
}

ip netns exec "$ns" "$capio" run udp-echo --tap capio0 --ip 10.77.0.2/24 --host-ip 10.77.0.1/24 \
  --restart 0 --seconds 120 > "$work/udp.log" 2>&1 &
pids+=($!)
if ! wait_up capio0; then
  echo "FAILED: udp-echo did not come up"; cat "$work/udp.log"; exit 1
fi
# The first datagram also waits for ARP.
inns ping -c 1 -W 2 10.77.0.2 >/dev/null 2>&1

for m in 14 1472 8000 14000 $LIMIT; do
  log=$work/sockperf-$m.log
  inns timeout -k 5 30 sockperf ping-pong -i 10.77.0.2 -p 11111 -t 2 -m "$m" > "$log" 2>&1
  lat=$(grep -o 'Summary: Latency is [0-9.]* usec' "$log")
  got=$(sed -n 's/.*ReceivedMessages=\([0-9]*\).*/\1/p' "$log" | head -1)
  dropped=$(sed -n 's/.*# dropped messages = \([0-9]*\).*/\1/p' "$log" | head -1)
  printf '  %5d bytes: %s, %s messages answered, %s dropped\n' "$m" "${lat:-no latency}" "${got:-no}" "${dropped:-?}"
  if [[ -z $lat || ${got:-0} == 0 ]]; then
    echo "FAILED: sockperf -m $m got no answers"; tail -15 "$log"; fail=1
  elif [[ ${dropped:-1} != 0 ]]; then
    echo "FAILED: sockperf -m $m: $dropped messages dropped"; fail=1
  fi
done

# Both sides of the reassembly limit, with a sockperf-shaped ping (client
# flag set) so the answer also shows the flag cleared across the chain.
if command -v python3 >/dev/null; then
  inns timeout 20 python3 - "$LIMIT" > "$work/limit.log" 2>&1 <<'EOF'
import socket, struct, sys
limit = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.0)
def ping(size, seq):
    msg = struct.pack('>QHI', seq, 1, size) + bytes((i * 7) & 0xff for i in range(size - 14))
    s.sendto(msg, ('10.77.0.2', 11111))
    try:
        while True:
            got, _ = s.recvfrom(65536)
            if got[:8] == msg[:8]:
                return got == msg[:9] + bytes([msg[9] & ~1]) + msg[10:]
    except socket.timeout:
        return None
for size, want in ((limit, True), (limit + 1, None)):
    r = ping(size, size)
    print(f'{size} bytes: {"answered, client flag cleared" if r else "answered wrongly" if r is False else "no answer"}')
    if r != want:
        sys.exit(1)
EOF
  rc=$?
  sed 's/^/  /' "$work/limit.log"
  [[ $rc == 0 ]] || { echo "FAILED: the reassembly limit is not $LIMIT bytes (update docs/memcached.md)"; fail=1; }
else
  echo "FAILED: python3 not installed"; fail=1
fi

kill -INT "${pids[0]}" 2>/dev/null
wait "${pids[0]}"; rc=$?
[[ $rc == 0 ]] || { echo "FAILED: capio run udp-echo exited $rc"; tail -20 "$work/udp.log"; fail=1; }
grep -q "stopped; server exited 0" "$work/udp.log" || { echo "FAILED: no clean goodbye"; tail -20 "$work/udp.log"; fail=1; }
[[ $fail == 0 ]] && echo "e2e_run_tap_sockperf: all passed"
exit $fail
