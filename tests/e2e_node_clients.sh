#!/usr/bin/env bash
# e2e_node_clients.sh — two Node.js memcached clients against `capio run
# memcached` through a TAP interface in a network namespace this test
# creates (as in e2e_run_tap.sh): `memcached` speaks the text protocol,
# `memjs` the binary one. tests/node/clients.js sets, gets (a 10 KB value
# too), deletes and increments with each and reports each client on its
# own line. Both must pass, against the real memcached in the namespace
# first, for reference, then against capio.
#
# The npm packages are installed once into the build directory
# (node-clients/) from the registry npm is configured with, and reused.
# Skips (77) without root, /dev/net/tun, a working `ip netns exec`, node
# and npm, or the network for the first install.
set -u
capio=$(readlink -f "$1")
build=$PWD
src=${CAPIO_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
[[ $(id -u) == 0 && -c /dev/net/tun ]] || { echo "SKIPPED: needs root and /dev/net/tun"; exit 77; }
command -v ip >/dev/null || { echo "SKIPPED: no iproute2"; exit 77; }
command -v node >/dev/null && command -v npm >/dev/null ||
  { echo "SKIPPED: needs node and npm (scripts/deps.sh test)"; exit 77; }

# --- the clients, installed once -----------------------------------------
cache=$build/node-clients
if [[ ! -f $cache/node_modules/memcached/package.json || ! -f $cache/node_modules/memjs/package.json ]]; then
  mkdir -p "$cache" || exit 1
  [[ -f $cache/package.json ]] || printf '{ "name": "capio-node-clients", "private": true }\n' > "$cache/package.json"
  if ! (cd "$cache" && timeout 180 npm install --no-audit --no-fund --loglevel=error memcached memjs) > "$cache/npm.log" 2>&1; then
    echo "SKIPPED: npm install memcached memjs failed (no network?):"; tail -5 "$cache/npm.log"; exit 77
  fi
fi
for m in memcached memjs; do
  echo "$m $(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$cache/node_modules/$m/package.json" | head -1)"
done

. "$(dirname "$0")/netns.sh"
netns_open capio-node-$$
inns ip link set lo up
fail=0

wait_up() {
  for _ in $(seq 100); do
    inns ip -4 addr show dev "$1" 2>/dev/null | grep -q 10.77.0.1 && return 0
    sleep 0.1
  done
  return 1
}
wait_port() {
  for _ in $(seq 100); do
    inns bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
# clients TARGET LOG: run clients.js against TARGET
clients() {
  NODE_PATH=$cache/node_modules inns timeout -k 5 60 node "$src/tests/node/clients.js" "$1" > "$2" 2>&1
}

# --- reference: the real memcached in the namespace -----------------------
if [[ -x /usr/bin/memcached ]]; then
  ip netns exec "$ns" /usr/bin/memcached -u root -U 0 -l 127.0.0.1 -p 11211 > "$work/memcached.log" 2>&1 &
  pids+=($!)
  if wait_port 127.0.0.1 11211; then
    clients 127.0.0.1:11211 "$work/ref.log"
    sed 's/^/memcached server: /' "$work/ref.log"
    grep -q '^memcached (ASCII): pass' "$work/ref.log" && grep -q '^memjs (binary): pass' "$work/ref.log" ||
      { echo "FAILED: the clients do not pass against the real memcached"; fail=1; }
  else
    echo "FAILED: memcached did not listen"; fail=1
  fi
  kill -INT "${pids[0]}" 2>/dev/null; wait "${pids[0]}" 2>/dev/null
else
  echo "FAILED: no /usr/bin/memcached for reference"; fail=1
fi

# --- capio ------------------------------------------------------------------
ip netns exec "$ns" "$capio" run memcached --tap capio1 --ip 10.77.0.2/24 --host-ip 10.77.0.1/24 \
  --restart 0 --seconds 120 > "$work/capio.log" 2>&1 &
pids+=($!)
if wait_up capio1 && wait_port 10.77.0.2 11211; then
  clients 10.77.0.2:11211 "$work/capio-clients.log"
  sed 's/^/capio server: /' "$work/capio-clients.log"
  grep -q '^memcached (ASCII): pass' "$work/capio-clients.log" ||
    { echo "FAILED: the memcached client (text protocol) against capio"; fail=1; }
  grep -q '^memjs (binary): pass' "$work/capio-clients.log" ||
    { echo "FAILED: the memjs client (binary protocol) against capio"; fail=1; }
else
  echo "FAILED: capio run memcached did not come up"; cat "$work/capio.log"; fail=1
fi
kill -INT "${pids[1]}" 2>/dev/null
wait "${pids[1]}"; rc=$?
[[ $rc == 0 ]] || { echo "FAILED: capio run memcached exited $rc"; tail -20 "$work/capio.log"; fail=1; }

[[ $fail == 0 ]] && echo "e2e_node_clients: all passed"
exit $fail
