#!/usr/bin/env bash
# e2e_memcached_suite.sh — memcached 1.6.18's own test suite (the t/*.t of
# Debian 12's memcached source package) against `capio run memcached`
# through a TAP interface in a network namespace this test creates, and
# the same files against the real /usr/bin/memcached in that namespace for
# reference. The suite talks to an already running server when
# T_MEMD_USE_DAEMON=ip:port is set (t/lib/MemcachedTest.pm), so each file
# gets a fresh server of each kind, started with the options the file
# asks of memcached where capio has them (-m, -I, -c, -o idle_timeout).
#
# Passes when every file of RUN passes against capio and against
# memcached. PENDING files wait for a feature being added (the binary
# protocol, the stats family, the meta protocol): they run against both
# and are reported, never counted; one that passes against capio says so,
# to be moved to RUN. SKIP lists the rest with the reason for each
# (docs/memcached.md, "memcached's own test suite").
#
# The source package is fetched once into the build directory
# (memcached-suite/) with apt-get source, with deb-src entries derived
# from the machine's own apt sources, and reused. Skips (77) without root,
# /dev/net/tun, a working `ip netns exec`, perl, or the network for the
# first fetch.
set -u
capio=$(readlink -f "$1")
build=$PWD

# file|options for both servers|options for memcached only[|timeout, s]
RUN=(
  "binary-get.t||"
  "bogus-commands.t||"
  "cas.t||"
  "flags.t||"
  "getandtouch.t||"
  "idle-timeout.t|-o idle_timeout=3|"
  "incrdecr.t||"
  "issue_104.t||"
  "issue_108.t||"
  "issue_152.t||"
  "issue_192.t||"
  "issue_3.t||"
  "issue_68.t||"
  "issue_70.t||"
  "lru.t||-o no_modern"
  "malicious-commands.t||"
  "multiversioning.t||"
  "noreply.t||"
  "quit.t||"
  "touch.t||"
  "getset.t|-m 128||90"
  "binary.t|-c 1024||90"
  "issue_29.t||"
  "issue_41.t||"
  "issue_42.t||-o no_modern"
  "metaget.t||"
  "strtol-testing.t||"
)
# file|options for both|options for memcached only|what it waits for
PENDING=(
  "stats.t|-I 1024|-o slab_chunk_max=1024,no_lru_crawler,no_lru_maintainer|all 83 general stats (capio has 40) and their initial values"
  "stats-detail.t|||per-prefix counters in stats detail dump (not kept)"
  "issue_14.t|||1 MiB slab pages per class in stats slabs (one store, no pages)"
  "issue_163.t|||reclaimed: an expired item's memory reused within its class"
  "evictions.t|-m 3||evictions counted per slab class (one LRU here)"
  "issue_22.t|-m 3||evictions per slab class, and their number after stats reset"
  "issue_183.t||-o no_modern|stats reclaimed for an expired item's memory reused"
)
# file|why it is not run
SKIP=(
  "00-startup.t|starts memcached with many command lines itself"
  "64bit.t|needs -m 4098 on a 64-bit memcached and its slab stats"
  "ascii-auth.t|needs -Y authfile (ASCII auth): not in capio"
  "binary-extstore.t|needs extstore"
  "binary-sasl.t|needs SASL"
  "chunked-extstore.t|needs extstore"
  "chunked-items.t|too slow for the time bound: 16,600 checks on items up to 1 MB (a minute against memcached)"
  "conn-limits.t|needs -o read_buf_mem_limit, -t 32, -R"
  "daemonize.t|starts memcached with -d itself"
  "dash-M.t|needs -M (refuse sets instead of evicting): stores until refused"
  "dyn-maxbytes.t|needs cache_memlimit and slab automove"
  "error-extstore.t|needs extstore"
  "expirations.t|needs debugtime, a command of memcached's debug build only"
  "extstore-buckets.t|needs extstore"
  "extstore-jbod.t|needs extstore"
  "extstore.t|needs extstore"
  "flush-all.t|restarts the daemon with -F (flush_all refused)"
  "issue_140.t|the suite skips it itself (the fix was an illusion)"
  "issue_260.t|the suite skips it itself (artificial conditions only)"
  "issue_50.t|needs -B binary (a server that speaks only the binary protocol)"
  "issue_61.t|needs -R (requests per event) and its conn_yields counter"
  "issue_67.t|starts memcached on many ports itself"
  "item_size_max.t|restarts the daemon with many -I values"
  "line-lengths.t|checks doc/protocol.txt, not a server"
  "lru-crawler.t|needs the LRU crawler and restarts the daemon"
  "lru-maintainer.t|needs the LRU maintainer and restarts the daemon"
  "maxconns.t|stops the daemon itself at the end"
  "misbehave.t|needs -o drop_privileges (seccomp)"
  "proxy.t|needs the proxy (not built into Debian's memcached)"
  "refhang.t|the suite skips it itself (flaky, needs special hooks)"
  "restart.t|needs to restart the daemon (-e memory file)"
  "shutdown.t|needs shutdown and to restart the daemon"
  "slabhang.t|needs the slab rebalancer"
  "slabs-reassign-chunked.t|needs the slab rebalancer"
  "slabs-reassign2.t|needs the slab rebalancer"
  "slabs_reassign.t|needs the slab rebalancer"
  "ssl_cert_refresh.t|needs TLS"
  "ssl_ports.t|needs TLS"
  "ssl_proto_version.t|needs TLS"
  "ssl_session_resumption.t|needs TLS"
  "ssl_settings.t|needs TLS"
  "ssl_verify_modes.t|needs TLS"
  "stats-conns.t|needs -U udp and a unix socket"
  "udp.t|needs -U udp"
  "unixsocket.t|needs a unix socket"
  "watcher.t|needs the watch command (log streams)"
  "watcher_connid.t|needs the watch command (log streams)"
  "whitespace.t|checks the sources in a git checkout, not a server"
)
TIMEOUT=${CAPIO_SUITE_TIMEOUT:-30}   # seconds, per file and server
PENDING_TIMEOUT=${CAPIO_SUITE_PENDING_TIMEOUT:-6}   # a PENDING file against capio
# CAPIO_SUITE_ONLY="a.t b.t": run only these (of RUN and PENDING)
only=" ${CAPIO_SUITE_ONLY:-} "

[[ $(id -u) == 0 && -c /dev/net/tun ]] || { echo "SKIPPED: needs root and /dev/net/tun"; exit 77; }
command -v ip >/dev/null || { echo "SKIPPED: no iproute2"; exit 77; }
command -v perl >/dev/null || { echo "SKIPPED: no perl (scripts/deps.sh test)"; exit 77; }
[[ -x /usr/bin/memcached ]] || { echo "SKIPPED: no /usr/bin/memcached for reference (scripts/deps.sh test)"; exit 77; }

# --- the suite: Debian's source package, fetched once ---------------------
cache=$build/memcached-suite
suite=$cache/src
fetch() {
  command -v apt-get >/dev/null || { echo "no apt-get"; return 1; }
  local tmp=$cache/apt
  rm -rf "$tmp" && mkdir -p "$tmp/parts" "$tmp/lists/partial" "$tmp/cache/archives/partial" "$tmp/dl" || return 1
  # deb-src twins of the machine's own deb entries: deb822 files first,
  # then one-line lists. No archive is named here.
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -r $f ]] || continue
    awk 'BEGIN { RS = ""; ORS = "\n\n" }
         /(^|\n)Types:[^\n]*[ \t]deb([ \t\n]|$)/ || /(^|\n)Types:[ \t]*deb([ \t\n]|$)/ {
           if ($0 ~ /(^|\n)Enabled:[ \t]*no/) next
           sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f"
  done > "$tmp/parts/capio-src.sources"
  : > "$tmp/src.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -r $f ]] || continue
    sed -n 's/^[[:space:]]*deb\([[:space:]]\)/deb-src\1/p' "$f"
  done >> "$tmp/src.list"
  [[ -s $tmp/parts/capio-src.sources || -s $tmp/src.list ]] || { echo "no deb entries in the apt sources"; return 1; }
  local o=(-o "Dir::Etc::SourceList=$tmp/src.list" -o "Dir::Etc::SourceParts=$tmp/parts"
           -o "Dir::State::Lists=$tmp/lists" -o "Dir::Cache=$tmp/cache"
           -o APT::Sandbox::User=root -o Acquire::Retries=1 -q)
  timeout 120 apt-get "${o[@]}" update > "$tmp/apt.log" 2>&1 || { tail -5 "$tmp/apt.log"; return 1; }
  local want ver
  ver=$(dpkg-query -W -f='${Version}' memcached 2>/dev/null)
  (cd "$tmp/dl" && { [[ -n $ver ]] && timeout 120 apt-get "${o[@]}" source --download-only "memcached=$ver" ||
                     timeout 120 apt-get "${o[@]}" source --download-only memcached; }) >> "$tmp/apt.log" 2>&1 ||
    { tail -5 "$tmp/apt.log"; return 1; }
  want=$(ls "$tmp"/dl/memcached_*.dsc 2>/dev/null | head -1)
  [[ -n $want ]] || { echo "no .dsc downloaded"; return 1; }
  rm -rf "$cache/src.new"
  if command -v dpkg-source >/dev/null; then
    dpkg-source --no-check -x "$want" "$cache/src.new" >> "$tmp/apt.log" 2>&1 || { tail -5 "$tmp/apt.log"; return 1; }
  else
    # The upstream tarball alone: Debian's patches do not touch t/.
    mkdir -p "$cache/src.new" &&
      tar -xf "$(ls "$tmp"/dl/memcached_*.orig.tar.* | head -1)" -C "$cache/src.new" --strip-components=1 || return 1
  fi
  cp "$want" "$cache/"
  mv "$cache/src.new" "$suite"
  rm -rf "$tmp"
}
if [[ ! -f $suite/t/lib/MemcachedTest.pm ]]; then
  mkdir -p "$cache"
  why=$(fetch 2>&1) || { echo "SKIPPED: cannot fetch memcached's source package: $why"; exit 77; }
fi
ver=$(sed -n 's/.*VERSION_NUMBER\], \[\([0-9.]*\)\].*/\1/p' "$suite/version.m4" 2>/dev/null)
echo "suite: $(basename "$(ls "$cache"/memcached_*.dsc 2>/dev/null | head -1)" .dsc) (memcached ${ver:-?})"
# The suite asks `$builddir/memcached-debug -h` what the server supports
# (it never starts it in daemon mode): memcached's help without the
# features capio does not have, so that their checks are left out, for
# both servers alike (stats settings then expects no unix socket, ...).
rm -f "$suite/memcached-debug"
printf '%s\n' '#!/bin/sh' \
  '/usr/bin/memcached "$@" | grep -v -i -e unix-socket -e enable-ssl -e sasl -e ext_path -e proxy_config -e no_drop_privileges' \
  > "$suite/memcached-debug" && chmod +x "$suite/memcached-debug"

# --- the namespace, as in e2e_run_tap.sh -----------------------------------
ns=capio-suite-$$
ip netns add "$ns" || { echo "SKIPPED: cannot create a network namespace"; exit 77; }
work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && { kill -INT "$pid" 2>/dev/null; sleep 0.3; kill -KILL "$pid" 2>/dev/null; }
  ip netns del "$ns" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
inns() { ip netns exec "$ns" "$@"; }
inns true 2>/dev/null || { echo "SKIPPED: 'ip netns exec' does not work here (a chroot or container whose / is not a mount point?)"; exit 77; }
inns ip link set lo up
fail=0

# wait_port HOST PORT: until a TCP connection opens
wait_port() {
  for _ in $(seq 100); do
    inns bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}
# wait_up IFNAME: until the host side has its address
wait_up() {
  for _ in $(seq 100); do
    inns ip -4 addr show dev "$1" 2>/dev/null | grep -q 10.77.0.1 && return 0
    sleep 0.1
  done
  return 1
}
stop() {
  [[ -n $pid ]] || return 0
  kill -INT "$pid" 2>/dev/null
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  pid=
}

n=0
# run_file KIND FILE OPTS [SECONDS]: start a fresh server of KIND (capio
# or memcached) with OPTS, run t/FILE against it; sets result to pass, fail, timeout or skip (the
# suite skipped itself)
result=
run_file() {
  local kind=$1 f=$2 opts=$3 tmo=${4:-$TIMEOUT} addr log rc
  log=$work/$kind-$f.log
  n=$((n + 1))
  # shellcheck disable=SC2086  # options are words
  if [[ $kind == capio ]]; then
    # Not through inns: $! must be the server itself, for stop.
    ip netns exec "$ns" "$capio" run memcached --tap "cs$n" --ip 10.77.0.2/24 --host-ip 10.77.0.1/24 \
      --restart 0 --seconds 600 $opts > "$work/server-$kind-$f.log" 2>&1 &
    pid=$!
    addr=10.77.0.2
    wait_up "cs$n" || { result=fail; echo "capio did not come up" > "$log"; stop; return; }
  else
    ip netns exec "$ns" /usr/bin/memcached -u root -U 0 -l 127.0.0.1 -p 11211 $opts > "$work/server-$kind-$f.log" 2>&1 &
    pid=$!
    addr=127.0.0.1
  fi
  if ! wait_port $addr 11211; then
    result=fail; echo "$kind did not listen" > "$log"; stop; return
  fi
  (cd "$suite" && inns env T_MEMD_USE_DAEMON=$addr:11211 timeout -k 5 "$tmo" perl "t/$f") > "$log" 2>&1
  rc=$?
  stop
  if [[ $rc == 124 || $rc == 137 ]]; then result=timeout
  elif grep -q '^1\.\.0 # SKIP' "$log"; then result=skip
  elif [[ $rc == 0 ]] && ! grep -q '^not ok' "$log"; then result=pass
  else result=fail
  fi
}
# why FILE KIND: the failed assertions, briefly
why() {
  grep -E '^not ok|^#   (Failed|at |got|expected)|^# +(got|expected)|Bail out|died|^Can.t|timeout' \
    "$work/$2-$1.log" | head -12 | cut -c1-200 | sed 's/^/    /'
}

start=$SECONDS
echo "RUN (must pass against both):"
for e in "${RUN[@]}"; do
  IFS='|' read -r f opts mopts tmo <<< "$e"
  [[ $only == "  " || $only == *" $f "* ]] || continue
  [[ -f $suite/t/$f ]] || { echo "FAILED: t/$f is not in the source package"; fail=1; continue; }
  run_file memcached "$f" "$opts $mopts" "${tmo:-$TIMEOUT}"; m=$result
  run_file capio "$f" "$opts" "${tmo:-$TIMEOUT}"; c=$result
  printf '  %-24s memcached %-7s capio %s\n' "$f" "$m" "$c"
  [[ $m == pass ]] || { echo "FAILED: t/$f against memcached: $m"; why "$f" memcached; fail=1; }
  [[ $c == pass ]] || { echo "FAILED: t/$f against capio: $c"; why "$f" capio; fail=1; }
done
echo "PENDING (reported, not counted):"
timeouts=0
for e in "${PENDING[@]}"; do
  IFS='|' read -r f opts mopts wait_for <<< "$e"
  [[ $only == "  " || $only == *" $f "* ]] || continue
  [[ -f $suite/t/$f ]] || continue
  # Against capio first, briefly; against memcached only to confirm a pass.
  run_file capio "$f" "$opts" "$PENDING_TIMEOUT"; c=$result; m=-
  if [[ $c == pass ]]; then
    run_file memcached "$f" "$opts $mopts"; m=$result
  fi
  printf '  %-24s capio %-7s memcached %-4s (waits for %s)\n' "$f" "$c" "$m" "${wait_for:-?}"
  [[ $c == pass && $m == pass ]] && echo "  note: t/$f passes against capio now: move it to RUN"
  [[ $c == timeout ]] && timeouts=1
  [[ -n ${CAPIO_SUITE_VERBOSE:-} && $c != pass ]] && why "$f" capio
done
[[ $timeouts == 1 ]] && echo "  (a timeout is after $PENDING_TIMEOUT s; CAPIO_SUITE_PENDING_TIMEOUT=60 gives longer)"
echo "SKIP:"
for e in "${SKIP[@]}"; do
  IFS='|' read -r f reason <<< "$e"
  printf '  %-24s %s\n' "$f" "$reason"
done
# Every t/ file is in exactly one list.
for t in "$suite"/t/*.t; do
  f=$(basename "$t")
  c=$(printf '%s\n' "${RUN[@]}" "${PENDING[@]}" "${SKIP[@]}" | grep -c "^$f|")
  [[ $c == 1 ]] || { echo "FAILED: t/$f is in $c lists (want 1)"; fail=1; }
done
echo "took $((SECONDS - start)) s"
[[ $fail == 0 ]] && echo "e2e_memcached_suite: all passed"
exit $fail
