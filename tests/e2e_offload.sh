#!/bin/bash
# e2e_offload.sh CAPIO — transmit offloads leave the wire right: through
# `capio qtest`, an 82574L sends to a second one on a pair wire recorded in
# a pcap file (--nic pcap=FILE) frames whose checksums it was asked to
# insert (IPv4 header, UDP, TCP over IPv4 and IPv6, a legacy IC
# descriptor), a frame it was asked to tag (VLE) and a TCP segment it was
# asked to cut (TSO, MSS 1000); tshark, validating every checksum, must
# find each one good, the tag in place, and the segments with the right
# lengths, sequence numbers and IP identifications, PSH and FIN on the
# last only.
# Needs tshark and python3 (scripts/deps.sh).
set -u
capio=$1
fail=0
err() { echo "e2e_offload: $*" >&2; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for tool in tshark python3; do
	command -v "$tool" >/dev/null ||
	    { echo "SKIPPED: $tool is missing (sh make.sh test installs it)"; exit 77; }
done

# The session: NIC A (slot 1, BAR0 0xE0000000) transmits, NIC B (slot 2)
# is the other end. Each frame is built with its checksum fields as a
# driver leaves them for the NIC: IP checksum 0, TCP/UDP checksum the
# pseudo-header sum (TSO: without the length, total length 0).
python3 - >"$tmp/session" <<'EOF'
import struct
def fold(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return s
def put16(f, off, v): return f[:off] + struct.pack('!H', v) + f[off + 2:]
A = bytes([0x52, 0x54, 0, 0x12, 0x34, 0x56]); B = bytes([0x52, 0x54, 0, 0x12, 0x34, 0x57])
IA = bytes([10, 0, 0, 1]); IB = bytes([10, 0, 0, 2])
I6A = bytes([0xfe, 0x80] + [0] * 13 + [1]); I6B = bytes([0xfe, 0x80] + [0] * 13 + [2])
def ip4(proto, l4, ident=0x100, tot=None):
    return struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(l4) if tot is None else tot,
                       ident, 0x4000, 64, proto, 0, IA, IB) + l4
def ps4(proto, n): return IA + IB + struct.pack('!BBH', 0, proto, n)
def ps6(proto, n): return I6A + I6B + struct.pack('!IxxxB', n, proto)
def tcp(seq, flags, data): return struct.pack('!HHIIBBHHH', 4321, 80, seq, 7, 0x50, flags, 0xffff, 0, 0) + data
def udp(data): return struct.pack('!HHHH', 1111, 2222, 8 + len(data), 0) + data
pay = bytes((i * 13) & 0xff for i in range(300))
cmds = ['outl 0xcf8 0x80000810', 'outl 0xcfc 0xe0000000', 'outl 0xcf8 0x80000804',
        'outw 0xcfc 0x0006', 'outl 0xcf8 0x80001010', 'outl 0xcfc 0xe0040000',
        'outl 0xcf8 0x80001004', 'outw 0xcfc 0x0006',
        'writel 0xe0000000 0x40140241', 'writel 0xe0040000 0x00140241',
        'writel 0xe0003800 0x100000', 'writel 0xe0003808 512', 'writel 0xe0000400 0x0003f0fa']
slot = [0]; buf = [0x110000]
def frame(f):
    a = buf[0]; buf[0] += (len(f) + 0xfff) & ~0xfff
    cmds.append('write 0x%x %d 0x%s' % (a, len(f), f.hex()))
    return a
def desc(q0, q1):
    d = 0x100000 + 16 * slot[0]; slot[0] += 1
    cmds.append('writeq 0x%x 0x%x' % (d, q0)); cmds.append('writeq 0x%x 0x%x' % (d + 8, q1))
def ctx(ipcss, ipcso, ipcse, tucss, tucso, tucmd, paylen=0, hdrlen=0, mss=0):
    desc(ipcss | ipcso << 8 | ipcse << 16 | tucss << 32 | tucso << 40,
         paylen | (tucmd | 0x20) << 24 | hdrlen << 40 | mss << 48)
def data(a, n, dcmd, popts, special=0):
    desc(a, n | 1 << 20 | (dcmd | 0x20) << 24 | popts << 40 | special << 48)
EOP, IFCS, TSE, RS, VLE, IC = 1, 2, 4, 8, 0x40, 4
# 1: UDP over IPv4, IP and UDP checksums (POPTS IXSM|TXSM).
u = udp(pay[:100]); f = B + A + b'\x08\x00' + ip4(17, u)
f = put16(put16(f, 24, 0), 40, fold(ps4(17, len(u))))
ctx(14, 24, 33, 34, 40, 0x02); data(frame(f), len(f), EOP | IFCS | RS, 3)
# 2: TCP over IPv4, TCP checksum.
t = tcp(1, 0x18, pay[:200]); f = B + A + b'\x08\x00' + ip4(6, t, 0x101)
f = put16(f, 24, fold(f[14:34]) ^ 0xffff)
f = put16(f, 50, fold(ps4(6, len(t))))
ctx(14, 24, 33, 34, 50, 0x03); data(frame(f), len(f), EOP | IFCS | RS, 2)
# 3: TCP over IPv6, TCP checksum.
t = tcp(1, 0x18, pay[:150])
f = B + A + b'\x86\xdd' + struct.pack('!IHBB16s16s', 0x60000000, len(t), 6, 64, I6A, I6B) + t
f = put16(f, 70, fold(ps6(6, len(t))))
ctx(14, 0, 0, 54, 70, 0x01); data(frame(f), len(f), EOP | IFCS | RS, 2)
# 4: a legacy descriptor with IC: TCP sum from CSS 34 inserted at CSO 50.
t = tcp(5, 0x18, pay[:64]); f = B + A + b'\x08\x00' + ip4(6, t, 0x102)
f = put16(f, 24, fold(f[14:34]) ^ 0xffff)
f = put16(f, 50, fold(ps4(6, len(t))))
desc(frame(f), len(f) | 50 << 16 | (EOP | IFCS | RS | IC) << 24 | 34 << 40)
# 5: UDP with its checksum and the tag 0x0123 (VLE, CTRL.VME).
u = udp(pay[:80]); f = B + A + b'\x08\x00' + ip4(17, u, 0x103)
f = put16(f, 24, fold(f[14:34]) ^ 0xffff)
f = put16(f, 40, fold(ps4(17, len(u))))
ctx(14, 24, 33, 34, 40, 0x02); data(frame(f), len(f), EOP | IFCS | RS | VLE, 2, 0x0123)
# 6: TSO: 2,500 bytes of TCP payload cut at MSS 1000, from two buffers.
t = tcp(0x1000, 0x19, bytes((i * 7) & 0xff for i in range(2500)))
f = B + A + b'\x08\x00' + ip4(6, t, 0x4000, tot=0)
f = put16(put16(f, 24, 0), 50, fold(ps4(6, 0)))
ctx(14, 24, 33, 34, 50, 0x07, 2500, 54, 1000)
data(frame(f[:1054]), 1054, IFCS | RS | TSE, 3)
data(frame(f[1054:]), len(f) - 1054, EOP | IFCS | RS | TSE, 3)
cmds.append('writel 0xe0003818 %d' % slot[0])
cmds.append('readl 0xe0003810')
print('\n'.join(cmds))
EOF
[ -s "$tmp/session" ] || { echo "e2e_offload: could not build the session" >&2; exit 1; }

"$capio" qtest --nic "pcap=$tmp/wire.pcap,wire=pair" --nic wire=pair \
    <"$tmp/session" >"$tmp/out" 2>"$tmp/err" ||
    err "capio qtest exited $?: $(head -3 "$tmp/err")"
[ "$(tail -1 "$tmp/out")" = "OK 0x000000000000000c" ] ||
    err "the ring did not drain: $(tail -1 "$tmp/out")"
grep -q '^FAIL\|^ERR' "$tmp/out" && err "a command failed: $(grep -m1 '^FAIL\|^ERR' "$tmp/out")"

# Every frame on the wire, its checksums validated by tshark:
# ip/tcp/udp .checksum.status is 1 (good) wherever the frame has one.
tshark -r "$tmp/wire.pcap" -o ip.check_checksum:TRUE \
    -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE \
    -T fields -E separator=, -e frame.len -e vlan.id -e ip.id \
    -e ip.checksum.status -e tcp.checksum.status -e udp.checksum.status \
    -e tcp.seq_raw -e tcp.flags -e ipv6.plen >"$tmp/fields" 2>"$tmp/tshark.err" ||
    err "tshark failed: $(head -3 "$tmp/tshark.err")"
[ "$(wc -l <"$tmp/fields")" = 8 ] ||
    err "want 8 frames on the wire, got $(wc -l <"$tmp/fields")"
n=0
while IFS=, read -r len vid ipid ipst tcpst udpst seq flags plen; do
	n=$((n + 1))
	for st in $ipst $tcpst $udpst; do
		[ "$st" = 1 ] || err "frame $n: a checksum is not good" \
		    "(ip '$ipst' tcp '$tcpst' udp '$udpst')"
	done
	case $n in
	1) [ "$len,$ipst,$udpst" = "142,1,1" ] || err "frame 1 (UDP/IPv4): $len,$ipst,$udpst" ;;
	2) [ "$len,$tcpst" = "254,1" ] || err "frame 2 (TCP/IPv4): $len,$tcpst" ;;
	3) [ "$len,$tcpst,$plen" = "224,1,170" ] || err "frame 3 (TCP/IPv6): $len,$tcpst,$plen" ;;
	4) [ "$len,$tcpst" = "118,1" ] || err "frame 4 (legacy IC): $len,$tcpst" ;;
	5) [ "$len,$vid,$udpst" = "126,291,1" ] || err "frame 5 (VLAN): $len,$vid,$udpst" ;;
	*)
		s=$((n - 6)) wlen=1054 wflags=$((0x10))
		[ $s = 2 ] && { wlen=554; wflags=$((0x19)); }
		[ "$len,$tcpst" = "$wlen,1" ] || err "segment $s: $len,$tcpst, want $wlen,1"
		[ "$seq" = $((0x1000 + 1000 * s)) ] || err "segment $s: seq $seq"
		[ "$((ipid))" = $((0x4000 + s)) ] || err "segment $s: IP id $ipid"
		[ "$((flags))" = "$wflags" ] || err "segment $s: flags $flags"
		;;
	esac
done <"$tmp/fields"
((fail == 0)) && echo "ok   e2e_offload: 8 frames, every checksum good (tshark)," \
    "the tag, 3 TSO segments"

# The user-level driver's own use of it: `capio run udp-echo` leaves the
# UDP checksums of the datagrams that fit a frame to the NIC (legacy IC)
# unless --no-csum-offload. Both ways every datagram on the wire, echo
# and request, must carry a good checksum, and the two captures must be
# the same bytes (the NIC computes what lwIP would have).
for mode in offload no-offload; do
	opt=; [ $mode = no-offload ] && opt=--no-csum-offload
	"$capio" run udp-echo --ops 40 $opt --pcap "$tmp/$mode.pcap" \
	    >"$tmp/run.out" 2>&1 || err "capio run udp-echo $opt: $(tail -2 "$tmp/run.out")"
	grep -q "40 verified" "$tmp/run.out" ||
	    err "capio run udp-echo $opt: $(tail -1 "$tmp/run.out")"
	tshark -r "$tmp/$mode.pcap" -o udp.check_checksum:TRUE -Y udp \
	    -T fields -e udp.checksum.status >"$tmp/$mode.st" 2>/dev/null
	[ "$(grep -c '^1$' "$tmp/$mode.st")" = 80 ] && [ "$(wc -l <"$tmp/$mode.st")" = 80 ] ||
	    err "capio run udp-echo $opt: want 80 datagrams with a good" \
	    "checksum, got $(sort "$tmp/$mode.st" | uniq -c | tr '\n' ' ')"
	tshark -r "$tmp/$mode.pcap" -Y udp -T fields -e udp.checksum \
	    >"$tmp/$mode.sums" 2>/dev/null
done
cmp -s "$tmp/offload.sums" "$tmp/no-offload.sums" ||
    err "the NIC's UDP checksums differ from lwIP's"
((fail == 0)) && echo "ok   e2e_offload: capio run udp-echo, 80 datagrams with" \
    "good checksums, offloaded or not, the same bytes"
exit $fail
