#!/usr/bin/env bash
# e2e_tcp_tap.sh — TCP as memcached's clients expect it, over a TAP inside a
# network namespace this test creates (10.78.0.0/24 exists only in there),
# checked on the capture capio records (--pcap):
#  (a) no Nagle: a 10,000-byte value got 50 times on one connection; the
#      last segment of each reply leaves without waiting for an ACK;
#  (b) no delayed ACK for input that brought no reply (set ... noreply,
#      client with Nagle on): capio's ACK comes in well under 100 ms;
#  (c) a SYN reusing the 4-tuple of a connection capio holds in TIME_WAIT
#      (the client sent quit, capio closed first) opens a new connection,
#      20 times in a row from one source port.
# Skips (77) without root, /dev/net/tun, a working `ip netns exec`,
# python3 or tshark.
set -u
capio=$(readlink -f "$1")
[[ $(id -u) == 0 && -c /dev/net/tun ]] || { echo "SKIPPED: needs root and /dev/net/tun"; exit 77; }
command -v ip >/dev/null || { echo "SKIPPED: no iproute2"; exit 77; }
command -v python3 >/dev/null || { echo "SKIPPED: no python3"; exit 77; }
command -v tshark >/dev/null || { echo "SKIPPED: no tshark"; exit 77; }
ns=capio-tcp-$$
ip netns add "$ns" || { echo "SKIPPED: cannot create a network namespace"; exit 77; }
work=$(mktemp -d)
pid=
cleanup() {
  [[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  [[ -n ${KEEP:-} ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
inns() { ip netns exec "$ns" "$@"; }
inns true 2>/dev/null || { echo "SKIPPED: 'ip netns exec' does not work here (a chroot or container whose / is not a mount point?)"; exit 77; }
fail=0

ip netns exec "$ns" "$capio" run memcached --tap capio0 --ip 10.78.0.2/24 --host-ip 10.78.0.1/24 \
  --pcap "$work/tcp.pcap" --seconds 60 > "$work/mc.log" 2>&1 &
pid=$!
for _ in $(seq 100); do
  inns ip -4 addr show dev capio0 2>/dev/null | grep -q 10.78.0.1 && break
  sleep 0.1
done

# The clients. Prints the source ports (a) and (b) used, for the capture.
if ! inns python3 - > "$work/ports" 2> "$work/client.log" <<'EOF'
import errno, socket, sys, time
SRV = ("10.78.0.2", 11211)

def readuntil(s, end):
    b = b""
    while not b.endswith(end):
        d = s.recv(65536)
        if not d:
            raise SystemExit("connection closed early: %r" % b[-80:])
        b += d
    return b

# (a) one connection, TCP_NODELAY as memcached clients set it
a = socket.create_connection(SRV, timeout=5)
a.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
val = bytes(48 + i % 75 for i in range(10000))
a.sendall(b"set big 0 0 10000\r\n" + val + b"\r\n")
if readuntil(a, b"\r\n") != b"STORED\r\n":
    raise SystemExit("set failed")
t = time.monotonic()
for _ in range(50):
    a.sendall(b"get big\r\n")
    r = readuntil(a, b"END\r\n")
    if r != b"VALUE big 0 10000\r\n" + val + b"\r\nEND\r\n":
        raise SystemExit("get returned %d bytes, not the value" % len(r))
dt = time.monotonic() - t
print("(a) 50 gets of 10,000 bytes: %.0f gets/s" % (50 / dt), file=sys.stderr)
pa = a.getsockname()[1]
a.close()

# (b) noreply with Nagle on: the next write waits for capio's ACK
b = socket.create_connection(SRV, timeout=5)
b.sendall(b"set k 0 0 1 noreply\r\nx\r\n")
time.sleep(0.6)
pb = b.getsockname()[1]
b.close()

# (c) quit, then the same 4-tuple again while capio holds TIME_WAIT
for i in range(20):
    # The previous client socket may wait a moment in LAST_ACK for
    # capio's ACK: the port is then busy here, not at capio.
    for _ in range(100):
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.bind(("10.78.0.1", 40123))
        c.settimeout(2)
        try:
            c.connect(SRV)
            break
        except OSError as e:
            c.close()
            if e.errno != errno.EADDRNOTAVAIL:
                raise SystemExit("(c) connection %d from port 40123: %s" % (i + 1, e))
            time.sleep(0.01)
    try:
        c.sendall(b"version\r\nquit\r\n")
        r = b""
        while True:
            d = c.recv(4096)
            if not d:
                break
            r += d
    except OSError as e:
        raise SystemExit("(c) connection %d from port 40123: %s" % (i + 1, e))
    if not r.startswith(b"VERSION "):
        raise SystemExit("(c) connection %d: %r" % (i + 1, r))
    c.close()
print("(c) 20 connections from port 40123 served", file=sys.stderr)
print(pa, pb)
EOF
then
  echo "FAILED: client"; fail=1
fi
cat "$work/client.log"
kill -INT "$pid" 2>/dev/null
wait "$pid"; rc=$?
pid=
[[ $rc == 0 ]] || { echo "FAILED: capio run memcached exited $rc"; cat "$work/mc.log"; fail=1; }

if [[ $fail == 0 ]]; then
  read -r pa pb < "$work/ports"
  tshark -r "$work/tcp.pcap" -Y tcp -T fields -e frame.time_relative \
    -e tcp.srcport -e tcp.dstport -e tcp.len -e tcp.seq -e tcp.ack \
    -e tcp.nxtseq > "$work/segs" 2> "$work/tshark.log" ||
    { echo "FAILED: tshark"; cat "$work/tshark.log"; fail=1; }
  python3 - "$work/segs" "$pa" "$pb" <<'EOF' || fail=1
import sys
segs = [l.split("\t") for l in open(sys.argv[1]) if l.strip()]
pa, pb = int(sys.argv[2]), int(sys.argv[3])
bad = 0

# (a) between two requests of the client, capio's data segments (one
# reply) follow each other without a gap an ACK would have to fill
# (Linux delays one for 40 ms; the margin is 30 ms).
last = None; gaps = []; replies = 0
for t, sp, dp, ln, seq, ack, nxt in segs:
    t, sp, dp, ln = float(t), int(sp), int(dp), int(ln)
    if sp == pa and ln > 0:
        last = None; replies += 1
    elif sp == 11211 and dp == pa and ln > 0:
        if last is not None and t - last >= 0.030:
            gaps.append(t - last)
        last = t
if replies < 51:
    print("FAILED: (a) %d requests in the capture, not 51" % replies); bad = 1
if gaps:
    print("FAILED: (a) %d replies held back (%s ms)" % (len(gaps),
        ", ".join("%.0f" % (g * 1000) for g in gaps[:5]))); bad = 1

# (b) capio's ACK of the noreply set
sent = None; delay = None
for t, sp, dp, ln, seq, ack, nxt in segs:
    t, sp, dp, ln = float(t), int(sp), int(dp), int(ln)
    if sp == pb and ln > 0 and sent is None:
        sent, end = t, int(nxt)
    elif sent is not None and sp == 11211 and dp == pb and int(ack) >= end:
        delay = t - sent
        break
if delay is None:
    print("FAILED: (b) no ACK from capio for the noreply set"); bad = 1
elif delay >= 0.100:
    print("FAILED: (b) noreply set acknowledged after %.0f ms" % (delay * 1000)); bad = 1
else:
    print("(b) noreply set acknowledged after %.1f ms" % (delay * 1000))
sys.exit(bad)
EOF
fi
[[ $fail == 0 ]] && echo "e2e_tcp_tap: all passed"
exit $fail
