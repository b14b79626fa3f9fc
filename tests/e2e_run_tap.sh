#!/usr/bin/env bash
# e2e_run_tap.sh — `capio run` against real clients, through a TAP interface,
# entirely inside a network namespace this test creates (10.77.0.0/24 exists
# only in there; nothing leaves it): ping gets ICMP replies, `sockperf
# ping-pong` gets answers from udp-echo, memccp/memccat store and read back
# values through memcached, and tests/memcached_corpus.txt gets the same
# answers from it as from a real memcached started in the namespace
# (test_memcached_ref --target). Skips (77) without root or /dev/net/tun.
set -u
capio=$(readlink -f "$1")
build=$PWD
src=${CAPIO_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
[[ $(id -u) == 0 && -c /dev/net/tun ]] || { echo "SKIPPED: needs root and /dev/net/tun"; exit 77; }
command -v ip >/dev/null || { echo "SKIPPED: no iproute2"; exit 77; }
. "$(dirname "$0")/netns.sh"
netns_open capio-run-$$
fail=0

# wait_up IFNAME: until the host side has its address
wait_up() {
  for _ in $(seq 100); do
    inns ip -4 addr show dev "$1" 2>/dev/null | grep -q 10.77.0.1 && return 0
    sleep 0.1
  done
  return 1
}

# --- udp-echo: ping and sockperf ------------------------------------------
ip netns exec "$ns" "$capio" run udp-echo --tap capio0 --ip 10.77.0.2/24 --host-ip 10.77.0.1/24 \
  --seconds 60 > "$work/udp.log" 2>&1 &
pids+=($!)
if wait_up capio0; then
  if inns ping -c 3 -W 2 10.77.0.2 > "$work/ping.log" 2>&1; then
    grep -q "3 received" "$work/ping.log" || { echo "FAILED: ping"; cat "$work/ping.log"; fail=1; }
  else
    echo "FAILED: ping got no reply"; cat "$work/ping.log"; fail=1
  fi
  if command -v sockperf >/dev/null; then
    inns sockperf ping-pong -i 10.77.0.2 -p 11111 -t 2 -m 64 > "$work/sockperf.log" 2>&1
    grep -q "Summary: Latency is" "$work/sockperf.log" ||
      { echo "FAILED: sockperf ping-pong"; tail -20 "$work/sockperf.log"; fail=1; }
    grep "Summary: Latency" "$work/sockperf.log"
  else
    echo "FAILED: sockperf not installed"; fail=1
  fi
else
  echo "FAILED: udp-echo did not come up"; cat "$work/udp.log"; fail=1
fi
kill -INT "${pids[0]}" 2>/dev/null
wait "${pids[0]}"; rc=$?
[[ $rc == 0 ]] || { echo "FAILED: capio run udp-echo exited $rc after SIGINT"; cat "$work/udp.log"; fail=1; }
grep -q "stopped; server exited 0" "$work/udp.log" || { echo "FAILED: no clean goodbye"; cat "$work/udp.log"; fail=1; }
# The once-a-second line saw the link up and the frames sockperf sent.
grep -Eq "link up, rx [1-9][0-9]* tx" "$work/udp.log" || { echo "FAILED: no counter line with link up and frames"; cat "$work/udp.log"; fail=1; }

# --- memcached: real clients store and read back --------------------------
ip netns exec "$ns" "$capio" run memcached --tap capio1 --ip 10.77.0.2/24 --host-ip 10.77.0.1/24 \
  --seconds 60 > "$work/mc.log" 2>&1 &
pids+=($!)
if wait_up capio1; then
  cd "$work" || exit 1
  head -c 3000 /dev/urandom | base64 > value1
  printf 'hello capio\n' > value2
  if command -v memccp >/dev/null; then
    inns memccp --servers=10.77.0.2:11211 value1 value2 || { echo "FAILED: memccp"; fail=1; }
    inns memccat --servers=10.77.0.2:11211 value1 > got1 || { echo "FAILED: memccat"; fail=1; }
    inns memccat --servers=10.77.0.2:11211 value2 > got2 || { echo "FAILED: memccat"; fail=1; }
    # memccat ends each value it prints with a newline of its own.
    { cat value1; echo; } > want1; { cat value2; echo; } > want2
    cmp -s want1 got1 && cmp -s want2 got2 || { echo "FAILED: values differ after a round trip"; fail=1; }
    inns memcstat --servers=10.77.0.2:11211 > stat.txt 2>&1
    grep -q "curr_items: 2" stat.txt || { echo "FAILED: memcstat"; cat stat.txt; fail=1; }
  else
    echo "FAILED: libmemcached-tools not installed"; fail=1
  fi
  # The text protocol by hand, too.
  reply=$(inns bash -c 'exec 3<>/dev/tcp/10.77.0.2/11211; printf "set k 5 0 2\r\nhi\r\nget k\r\nquit\r\n" >&3; timeout 5 cat <&3')
  [[ $reply == *"STORED"*"VALUE k 5 2"*"hi"*"END"* ]] || { echo "FAILED: raw protocol: $reply"; fail=1; }
  cd - >/dev/null || true
  # The whole corpus, to this server and to a real memcached on the
  # namespace's own loopback, answer for answer.
  if [[ -x /usr/bin/memcached && -x $build/test_memcached_ref ]]; then
    inns ip link set lo up
    # Each request in one write, then cut in pieces of a few bytes.
    for split in "" --split; do
      if inns "$build/test_memcached_ref" --target 10.77.0.2:11211 $split \
          "$src/tests/memcached_corpus.txt" > "$work/ref.log" 2>&1; then
        echo "${split:-one write}: $(grep "corpus entries compared" "$work/ref.log")"
      else
        echo "FAILED: corpus over TCP (${split:-one write}) differs from memcached"; tail -40 "$work/ref.log"; fail=1
      fi
    done
  else
    echo "FAILED: memcached or test_memcached_ref missing"; fail=1
  fi
else
  echo "FAILED: memcached did not come up"; cat "$work/mc.log"; fail=1
fi
kill -INT "${pids[1]}" 2>/dev/null
wait "${pids[1]}"; rc=$?
[[ $rc == 0 ]] || { echo "FAILED: capio run memcached exited $rc"; cat "$work/mc.log"; fail=1; }

# Nothing leaked into the host's namespace.
ip link show capio0 >/dev/null 2>&1 && { echo "FAILED: capio0 visible outside the namespace"; fail=1; }
[[ $fail == 0 ]] && echo "e2e_run_tap: all passed"
exit $fail
