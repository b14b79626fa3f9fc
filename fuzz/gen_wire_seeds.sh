#!/bin/sh
# gen_wire_seeds.sh — write the seed inputs of fuzz_wire (the script
# format is described at the top of fuzz/fuzz_wire.c) into
# fuzz/corpus/fuzz_wire/. Run from anywhere: sh fuzz/gen_wire_seeds.sh
set -eu
out=$(cd "$(dirname "$0")" && pwd)/corpus/fuzz_wire
mkdir -p "$out"

# b HEX...: the bytes, written as they are.
b() {
	for x in "$@"; do
		printf "\\$(printf %03o "0x$x")"
	done
}
# Ops (fuzz_wire.c): 00 ARP, 01 SYN, 02 SEG, 03 UDP, 04 RAW, 05 PUMP,
# 06 REPEAT. A payload byte 4N is the memcached command N of the
# dictionary (40: a set of "hello", 41: get k, 45: stats, 46: version,
# 51: set big 0 0 15000), 00 no payload, 8N N*32 bytes of x.
syn() {		# slot: SYN, window 65535, MSS 1460
	b 01 "$1" ff ff 04 02 04 05 b4
}
seg() {		# slot flags window-hi window-lo payload: in sequence
	b 02 "$1" "$2" 00 00 "$3" "$4" 00 "$5"
}
pump() {
	b 05 "$1"
}

# A handshake, a set, a get and the acknowledgement of the answers.
{ b 01; syn 00; pump 10; seg 00 18 ff ff 40; pump 10; seg 00 18 ff ff 41
  pump 10; seg 00 10 ff ff 00; pump 10; } > "$out/mc_set_get"

# The MSS sequence (docs/memcached.md): a zero window holds `stats`'s
# answer back, then `version` rides on a segment with an MSS of 16.
{ b 01; syn 00; pump 10; seg 00 10 00 00 00; seg 00 18 00 00 45; pump 40
  b 02 00 18 00 00 00 00 04 02 04 00 10 46; pump 40
  seg 00 10 ff ff 00; pump ff; } > "$out/mc_mss"

# A UDP datagram to the echo server.
{ b 00; b 03 00 40 00 05; printf hello; pump 10; } > "$out/udp_echo"

# Small limits (-c 4, -m 512k, -I 16k): six connections, each declaring
# a 15000-byte set and sending only part of it.
{ b 03
  for s in 00 01 02 03 04 05; do syn $s; done; pump 20
  for s in 00 01 02 03 04 05; do seg $s 18 ff ff 51; seg $s 18 ff ff bf; done
  pump 40; } > "$out/mc_unfinished_sets"

# A fragmented datagram (first half, more fragments) and an ARP claim of
# the server's own address, to the echo server.
{ b 00; b 03 00 20 00 88; pump 4; b 00 03; pump 4
  b 03 00 40 00 05; printf again; pump 10; } > "$out/udp_frag_arp"

# Small limits: a 15000-byte set sent whole on one connection (ten
# full segments through REPEAT, then 384 + 16 bytes and CRLF), read back.
{ b 03; syn 00; pump 10; seg 00 18 ff ff 51; seg 00 18 ff ff bf; b 06 09
  seg 00 18 ff ff 8c; seg 00 18 ff ff 12; printf 'xxxxxxxxxxxxxxxx\r\n'
  pump 40; b 02 00 18 00 00 ff ff 00 09; printf 'get big\r\n'; pump 80
  seg 00 10 ff ff 00; pump 80; } > "$out/mc_full_set"
