#!/usr/bin/env bash
# e2e_memcapable_tap.sh — libmemcached's conformance checker against
# `capio run memcached` over a TAP interface inside a network namespace this
# test creates (10.81.0.0/24 exists only in there): `memccapable -a` (the
# text protocol) and `memccapable -b` (the binary protocol) must pass every
# test, as they do against the real memcached, which is run the same way on
# the namespace's loopback for comparison. Then the binary cases of
# test_memcached_binary_ref go to capio over TCP and must get memcached's
# answers. Skips (77) without root, /dev/net/tun or network namespaces.
set -u
capio=$(readlink -f "$1")
build=$PWD
[[ $(id -u) == 0 && -c /dev/net/tun ]] || { echo "SKIPPED: needs root and /dev/net/tun"; exit 77; }
command -v ip >/dev/null || { echo "SKIPPED: no iproute2"; exit 77; }
# Debian's libmemcached-tools names it memccapable; upstream, memcapable.
mcap=$(command -v memccapable || command -v memcapable) ||
  { echo "FAILED: memcapable not installed (apt-get install libmemcached-tools)"; exit 1; }
. "$(dirname "$0")/netns.sh"
netns_open capio-mcap-$$
fail=0

# memcapable NAME HOST PORT MODE: every test passes.
memcapable() {
  local log=$work/$1$4.log t0=$SECONDS
  if inns timeout 120 "$mcap" -h "$2" -p "$3" "$4" -t 5 > "$log" 2>&1 &&
      grep -q "All tests passed" "$log"; then
    echo "$1 $4: $(grep -c '\[pass\]' "$log") passed ($((SECONDS - t0)) s)"
  else
    echo "FAILED: memcapable $4 against $1"; grep -v '\[pass\]' "$log" | tail -20; fail=1
  fi
}

# The reference: the real memcached, on the namespace's loopback.
inns ip link set lo up
if [[ -x /usr/bin/memcached ]]; then
  # Not through inns (a function): $! must be the server, for kill.
  ip netns exec "$ns" /usr/bin/memcached -U 0 -l 127.0.0.1 -p 11211 -u root -t 1 > /dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do inns bash -c 'exec 3<>/dev/tcp/127.0.0.1/11211' 2>/dev/null && break; sleep 0.1; done
  memcapable memcached 127.0.0.1 11211 -a
  memcapable memcached 127.0.0.1 11211 -b
fi

ip netns exec "$ns" "$capio" run memcached --tap capio5 --ip 10.81.0.2/24 --host-ip 10.81.0.1/24 \
  --seconds 120 > "$work/mc.log" 2>&1 &
pids+=($!)
up=0
for _ in $(seq 100); do
  inns ip -4 addr show dev capio5 2>/dev/null | grep -q 10.81.0.1 && { up=1; break; }
  sleep 0.1
done
if [[ $up == 1 ]]; then
  memcapable capio 10.81.0.2 11211 -a
  memcapable capio 10.81.0.2 11211 -b
  if [[ -x /usr/bin/memcached && -x $build/test_memcached_binary_ref ]]; then
    if inns "$build/test_memcached_binary_ref" --target 10.81.0.2:11211 > "$work/ref.log" 2>&1; then
      echo "binary cases over TCP: $(tail -1 "$work/ref.log")"
    else
      echo "FAILED: binary cases over TCP differ from memcached"; tail -40 "$work/ref.log"; fail=1
    fi
  fi
else
  echo "FAILED: capio run memcached did not come up"; cat "$work/mc.log"; fail=1
fi
kill -INT "${pids[-1]}" 2>/dev/null
wait "${pids[-1]}"; rc=$?
[[ $rc == 0 ]] || { echo "FAILED: capio run memcached exited $rc"; tail -20 "$work/mc.log"; fail=1; }
[[ $fail == 0 ]] && echo "e2e_memcapable_tap: all passed"
exit $fail
