#!/usr/bin/env bash
# e2e_hostile_tap.sh — no packet from the wire stops the service: `capio
# run memcached --tap` (-c 8 -m 4), inside a private network namespace
# (10.79.0.0/24 exists only in there; nothing leaves it), against
#  (a) the MSS sequence in raw frames (python3, AF_PACKET on the TAP's
#      host side, as 10.79.0.3 with a MAC of its own: a zero window holds
#      `stats`'s answer back, then `version` rides on a segment with an
#      MSS option of 16; Debian's lwIP alone aborts on it),
#  (b) 20 idle connections, past -c 8,
#  (c) 7 connections each declaring a 900000-byte set and never finishing
#      it (-m 4: the sets still arriving may hold 1 MiB),
#  (d) the MSS sequence again, against a second server run --unfiltered
#      (lwIP sees the option): lwIP's assertion aborts that server, the
#      abort ends its process only, `capio run` says why and starts it
#      again (--restart), and a client is served by the new one,
# with a real client served during and after each (bash /dev/tcp, and
# memccp/memccat at the end), the server's own `stats` within its limits,
# no restart of the server, and capio's resident memory (VmRSS, sampled
# every 0.2 s) under RSS_MAX_KB throughout. Verdicts never depend on
# timing; every wait is bounded. Skips (77) without root, /dev/net/tun,
# python3 or a working `ip netns exec`.
set -u
capio=$(readlink -f "$1")
RSS_MAX_KB=$((300 * 1024))
[[ $(id -u) == 0 && -c /dev/net/tun ]] || { echo "SKIPPED: needs root and /dev/net/tun"; exit 77; }
command -v ip >/dev/null || { echo "SKIPPED: no iproute2"; exit 77; }
command -v python3 >/dev/null || { echo "SKIPPED: no python3"; exit 77; }
. "$(dirname "$0")/netns.sh"
netns_open capio-hostile-$$
fail=0
srv=10.79.0.2

# --- the attacker and the clients, in python3 (no scapy) -----------------
cat > "$work/hostile.py" <<'EOF'
import os, select, socket, struct, sys, time

SRV, PORT = os.environ.get("SRV", "10.79.0.2"), 11211
ME, MYMAC = os.environ.get("ME", "10.79.0.3"), bytes.fromhex("020000790003")

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip4(a):
    return socket.inet_aton(a)

class Raw:
    """Ethernet frames on the TAP's host side, as ME; answers ARP for ME."""
    def __init__(self, ifname):
        self.s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        self.s.bind((ifname, 0))
        self.smac = None

    def arp(self, op, dmac, tmac, tip):
        f = dmac + MYMAC + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, op)
        f += MYMAC + ip4(ME) + tmac + ip4(tip)
        self.s.send(f)

    def frames(self, timeout):
        """Frames for us until timeout; ARP for ME answered on the way."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                return
            f, addr = self.s.recvfrom(4096)
            if addr[2] == socket.PACKET_OUTGOING or len(f) < 42:
                continue
            if f[12:14] == b"\x08\x06":
                op = struct.unpack("!H", f[20:22])[0]
                if op == 1 and f[38:42] == ip4(ME):
                    self.arp(2, f[22:28], f[22:28], socket.inet_ntoa(f[28:32]))
                elif op == 2 and f[28:32] == ip4(SRV):
                    self.smac = f[22:28]
                continue
            yield f

    def tcp(self, sport, seq, ack, flags, wnd, opt=b"", data=b""):
        hl = 20 + len(opt)
        t = struct.pack("!HHIIBBHHH", sport, PORT, seq & 0xffffffff,
                        ack & 0xffffffff, hl // 4 << 4, flags, wnd, 0, 0) + opt + data
        ph = ip4(ME) + ip4(SRV) + struct.pack("!BBH", 0, 6, len(t))
        t = t[:16] + struct.pack("!H", csum(ph + t)) + t[18:]
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(t), 1, 0x4000, 64, 6, 0,
                        ip4(ME), ip4(SRV))
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        self.s.send(self.smac + MYMAC + b"\x08\x00" + h + t)

def segments(raw, sport, timeout):
    """(seq, flags, payload) of the server's segments to sport."""
    for f in raw.frames(timeout):
        if f[12:14] != b"\x08\x00" or f[23] != 6:
            continue
        ihl = (f[14] & 15) * 4
        tot = struct.unpack("!H", f[16:18])[0]
        t = f[14 + ihl:14 + tot]
        sp, dp, seq = struct.unpack("!HHI", t[:8])
        if sp == PORT and dp == sport:
            yield seq, t[13], t[(t[12] >> 4) * 4:]

def client(req, want, timeout=10):
    """A well-behaved client from the host's own stack: the answer."""
    got = b""
    try:
        with socket.create_connection((SRV, PORT), timeout=timeout) as c:
            c.sendall(req)
            end = time.monotonic() + timeout
            while want not in got and time.monotonic() < end:
                b = c.recv(65536)
                if not b:
                    break
                got += b
    except OSError as e:
        return ("error: %s" % e).encode()
    return got

def served(tag):
    got = client(b"set e2e 0 0 5\r\nhello\r\nget e2e\r\n", b"END\r\n")
    ok = b"STORED\r\nVALUE e2e 0 5\r\nhello\r\nEND\r\n" in got
    print("%s: a client is %s" % (tag, "served" if ok else "NOT served: %r" % got[:200]))
    return ok

def mss(ifname):
    raw, sport, ok = Raw(ifname), 40123, True
    for _ in range(5):
        raw.arp(1, b"\xff" * 6, b"\0" * 6, SRV)
        for _ in raw.frames(1):
            pass
        if raw.smac:
            break
    if not raw.smac:
        print("mss: the server does not answer ARP"); return False
    iss, rcv = 1000, None
    for _ in range(5):
        raw.tcp(sport, iss, 0, 0x02, 65535, b"\x02\x04\x05\xb4")
        for seq, fl, _ in segments(raw, sport, 1):
            if fl & 0x12 == 0x12:
                rcv = seq + 1
                break
        if rcv is not None:
            break
    if rcv is None:
        print("mss: no SYN-ACK"); return False
    snd = iss + 1
    raw.tcp(sport, snd, rcv, 0x10, 0)                      # window 0
    raw.tcp(sport, snd, rcv, 0x18, 0, data=b"stats\r\n")    # answer held back
    snd += 7
    for _ in segments(raw, sport, 0.5):
        pass
    raw.tcp(sport, snd, rcv, 0x18, 0, b"\x02\x04\x00\x10", b"version\r\n")
    snd += 9
    for _ in segments(raw, sport, 0.5):
        pass
    ok = served("mss, during") and ok
    got = b""
    raw.tcp(sport, snd, rcv, 0x10, 65535)                  # window open
    end = time.monotonic() + 15
    while b"VERSION " not in got and time.monotonic() < end:
        for seq, fl, data in segments(raw, sport, 0.5):
            if seq == rcv and data:
                got += data
                rcv += len(data)
                raw.tcp(sport, snd, rcv, 0x10, 65535)
            if fl & 0x04:
                end = 0
                break
            if b"VERSION " in got:
                break
    raw.tcp(sport, snd, rcv, 0x14, 0)
    answered = b"STAT pid" in got and b"END\r\nVERSION " in got
    print("mss: the held-back answers %s (%d bytes)" %
          ("arrived whole" if answered else "did NOT arrive", len(got)))
    return answered and ok

def stats():
    got = client(b"stats\r\n", b"END\r\n")
    st = {}
    for line in got.decode(errors="replace").split("\r\n"):
        p = line.split(" ")
        if len(p) == 3 and p[0] == "STAT":
            st[p[1]] = p[2]
    return st

def idle_flood(n):
    socks, refused = [], 0
    for _ in range(n):
        socks.append(socket.create_connection((SRV, PORT), timeout=10))
    for s in socks:
        s.settimeout(2)
        try:
            if s.recv(100).startswith(b"ERROR Too many open connections"):
                refused += 1
        except socket.timeout:
            pass
    print("idle flood: %d connections, %d refused" % (n, refused))
    during = client(b"version\r\n", b"\r\n")
    print("idle flood, during: a client reads %r" % during[:40])
    ok = refused == n - 8 and during.startswith(b"ERROR Too many open connections")
    for s in socks:
        s.close()
    time.sleep(1)
    ok = served("idle flood, after") and ok
    st = stats()
    print("idle flood: rejected_connections %s" % st.get("rejected_connections"))
    return ok and int(st.get("rejected_connections", 0)) > 0

def set_flood(n, size):
    socks, oom = [], 0
    for i in range(n):
        s = socket.create_connection((SRV, PORT), timeout=10)
        s.sendall(b"set big%d 0 0 %d\r\n" % (i, size) + b"x" * 65536)
        socks.append(s)
    for s in socks:
        s.settimeout(2)
        try:
            if s.recv(100).startswith(b"SERVER_ERROR out of memory storing object"):
                oom += 1
        except socket.timeout:
            pass
    st = stats()
    print("set flood: %d unfinished sets of %d bytes, %d told out of memory; "
          "bytes %s of limit_maxbytes %s, store_no_memory %s, curr_connections %s"
          % (n, size, oom, st.get("bytes"), st.get("limit_maxbytes"),
             st.get("store_no_memory"), st.get("curr_connections")))
    ok = served("set flood, during")
    # -m 4: 1 MiB for sets still arriving, so one reservation fits.
    ok = ok and oom >= n - 1 and int(st.get("store_no_memory", 0)) >= n - 1
    ok = ok and int(st.get("bytes", 1 << 40)) <= int(st.get("limit_maxbytes", 0))
    for s in socks:
        s.close()
    time.sleep(1)
    return served("set flood, after") and ok

what = sys.argv[1]
ok = {"mss": lambda: mss(sys.argv[2]), "idle": lambda: idle_flood(20),
      "sets": lambda: set_flood(7, 900000), "served": lambda: served(sys.argv[2])}[what]()
sys.exit(0 if ok else 1)
EOF

# --- the server, and its resident memory ---------------------------------
ip netns exec "$ns" "$capio" run memcached --tap capio0 --ip $srv/24 --host-ip 10.79.0.1/24 \
  -c 8 -m 4 --seconds 100 > "$work/mc.log" 2>&1 &
cpid=$!
pids+=("$cpid")
# `ip netns exec` execs the command: $! is capio itself.
[[ $(cat "/proc/$cpid/comm" 2>/dev/null) == ip || $(cat "/proc/$cpid/comm" 2>/dev/null) == capio ]] ||
  echo "note: pid $cpid is $(cat "/proc/$cpid/comm" 2>/dev/null)"
(while kill -0 "$cpid" 2>/dev/null; do
   awk '/^VmRSS/ {print $2}' "/proc/$cpid/status" 2>/dev/null
   sleep 0.2
 done) > "$work/rss" &
pids+=($!)
up=0
for _ in $(seq 100); do
  inns python3 "$work/hostile.py" served start > "$work/start.log" 2>&1 && { up=1; break; }
  sleep 0.2
done
if [[ $up == 1 ]]; then
  for step in "mss capio0" idle sets; do
    if ! inns timeout 60 python3 "$work/hostile.py" $step; then
      echo "FAILED: ${step%% *}"; fail=1
    fi
  done
  # And a real client's tools, after it all.
  if command -v memccp >/dev/null; then
    printf 'after the attacks\n' > "$work/value"
    (cd "$work" && inns memccp --servers=$srv:11211 value && inns memccat --servers=$srv:11211 value) > "$work/memc.out" 2>&1
    grep -q "after the attacks" "$work/memc.out" && echo "memccp/memccat: served" ||
      { echo "FAILED: memccp/memccat"; cat "$work/memc.out"; fail=1; }
  fi
else
  echo "FAILED: memcached did not come up"; cat "$work/start.log" "$work/mc.log"; fail=1
fi
kill -INT "$cpid" 2>/dev/null
wait "$cpid"; rc=$?
[[ $rc == 0 ]] || { echo "FAILED: capio run memcached exited $rc"; fail=1; }
if grep -q "the server died\|the server ended" "$work/mc.log"; then
  echo "FAILED: the server was stopped from the wire"; grep "server" "$work/mc.log"; fail=1
fi
grep -q "stopped; server exited 0; restarted 0 times" "$work/mc.log" ||
  { echo "FAILED: no clean goodbye"; tail -5 "$work/mc.log"; fail=1; }
max=$(sort -n "$work/rss" | tail -1)
echo "capio VmRSS: at most ${max:-?} kB over $(wc -l < "$work/rss") samples (bound $RSS_MAX_KB kB)"
[[ -n $max && $max -le $RSS_MAX_KB ]] || { echo "FAILED: capio's resident memory"; fail=1; }

# --- (d) supervision: the same attack on a server without the filter ------
# What the killed server had malloc'd (its lwIP's buffers) is never given
# back: a documented limit of containment (docs/kernel.md). Under ASan
# that is a leak report at exit, so leak detection is off for this run
# alone; every other check of the sanitizers stays on.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
ip netns exec "$ns" "$capio" run memcached --tap capio1 --ip 10.79.1.2/24 --host-ip 10.79.1.1/24 \
  --unfiltered --restart 3 --seconds 100 > "$work/mc2.log" 2>&1 &
c2=$!
pids+=("$c2")
up=0
for _ in $(seq 100); do
  SRV=10.79.1.2 inns python3 "$work/hostile.py" served start2 > "$work/start2.log" 2>&1 && { up=1; break; }
  sleep 0.2
done
if [[ $up == 1 ]]; then
  # Expected to fail: the server it talks to dies halfway.
  SRV=10.79.1.2 ME=10.79.1.3 inns timeout 60 python3 "$work/hostile.py" mss capio1 > "$work/mss2.log" 2>&1
  restarted=0
  for _ in $(seq 100); do
    grep -q "restarting it (1 of 3)" "$work/mc2.log" && { restarted=1; break; }
    sleep 0.1
  done
  if [[ $restarted == 1 ]]; then
    grep "the server died" "$work/mc2.log" | head -1
    grep -q "the server died: SIGABRT" "$work/mc2.log" ||
      { echo "FAILED: (d) the server died, but not of lwIP's abort"; fail=1; }
    served=0
    for _ in $(seq 50); do
      SRV=10.79.1.2 inns python3 "$work/hostile.py" served "(d) after the restart" && { served=1; break; }
      sleep 0.2
    done
    [[ $served == 1 ]] || { echo "FAILED: (d) the restarted server serves no client"; fail=1; }
  else
    echo "FAILED: (d) the unfiltered server was not killed and restarted"; cat "$work/mss2.log"; tail -5 "$work/mc2.log"; fail=1
  fi
else
  echo "FAILED: (d) the second memcached did not come up"; cat "$work/start2.log" "$work/mc2.log"; fail=1
fi
kill -INT "$c2" 2>/dev/null
wait "$c2"; rc=$?
[[ $rc == 0 ]] || { echo "FAILED: (d) capio run memcached --unfiltered exited $rc"; tail -5 "$work/mc2.log"; fail=1; }
grep -q "stopped; server exited 0; restarted 1 times" "$work/mc2.log" ||
  { echo "FAILED: (d) no clean goodbye after one restart"; tail -5 "$work/mc2.log"; fail=1; }

ip link show capio0 >/dev/null 2>&1 && { echo "FAILED: capio0 visible outside the namespace"; fail=1; }
[[ $fail == 0 ]] && echo "e2e_hostile_tap: all passed"
exit $fail
