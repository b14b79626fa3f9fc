/*
 * test_tap_gro.c — the Internet checksum against its definition, and the
 * TAP backend's merging of TCP segments (tap_gro.h): what merges, what
 * never does, the merged frame's headers, and that garbage is bounded.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "net/inet_csum.h"
#include "net/tap_gro.h"

#define MSS	1460

/* RFC 1071 word by word, big-endian: the definition. */
static uint16_t
csum_ref(const uint8_t *p, size_t n, uint64_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint16_t
get16le(const uint8_t *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}

/* A TCP/IPv4 segment of the flow 10.0.0.2:11211 -> 10.0.0.1:40000 with
 * PLEN payload bytes (byte i of the stream is (uint8_t)(seq + i)), right
 * checksums. Returns the frame length. */
static size_t
segment(uint8_t *f, uint32_t seq, size_t plen, uint8_t flags)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;

	memset(f, 0, 14 + 20 + 20);
	memcpy(f, "\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02", 12);
	put16(f + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + 20 + plen));
	put16(ip + 4, (uint16_t)seq);		/* an ID that changes */
	put16(ip + 6, 0x4000);			/* DF */
	ip[8] = 255;
	ip[9] = 6;
	memcpy(ip + 12, "\x0a\x00\x00\x02\x0a\x00\x00\x01", 8);
	put16(ip + 10, (uint16_t)~csum_ref(ip, 20, 0));
	put16(tcp, 11211);
	put16(tcp + 2, 40000);
	put32(tcp + 4, seq);
	put32(tcp + 8, 777);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	put16(tcp + 14, 32000);
	for (size_t i = 0; i < plen; i++)
		tcp[20 + i] = (uint8_t)(seq + i);
	uint64_t ps = inet_csum_pseudo4(ip + 12, ip + 16, 6,
	    (uint32_t)(20 + plen));
	put16(tcp + 16, (uint16_t)~inet_csum_fold(inet_csum_add(ps, tcp,
	    20 + plen)));
	return 14 + 20 + 20 + plen;
}

static void
test_csum(void)
{
	uint8_t b[2048];

	check_seed(1);
	for (int t = 0; t < 2000; t++) {
		size_t n = check_rand() % sizeof(b), o = check_rand() % 5;
		uint64_t start = check_rand() % 100000;

		for (size_t i = 0; i < n; i++)
			b[i] = (uint8_t)check_rand();
		if (o > n)
			o = n;
		CHECK_EQ(inet_csum_fold(inet_csum_add(start, b + o, n - o)),
		    csum_ref(b + o, n - o, start));
	}
	/* Pieces of even length add up to the whole. */
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (uint8_t)(i * 7);
	CHECK_EQ(inet_csum_fold(inet_csum_add(inet_csum_add(0, b, 1000),
	    b + 1000, 1001)), csum_ref(b, 2001, 0));
}

/* Seven segments of a 10,000-byte reply merge into one frame the host
 * takes as GSO TCPv4 with a 1460-byte segment size. */
static void
test_merge(void)
{
	static uint8_t f[16][2048];
	size_t len[16], mlen, total = 0;
	struct tap_gro g;
	uint32_t seq = 1000;
	const uint8_t *m;
	int n = 7;

	CHECK_EQ(tap_gro_init(&g), 0);
	g.keep = true;
	for (int i = 0; i < n; i++) {
		size_t plen = i < n - 1 ? MSS : 10000 - (size_t)(n - 1) * MSS;

		len[i] = segment(f[i], seq, plen, i == n - 1 ? 0x18 : 0x10);
		seq += (uint32_t)plen;
		total += plen;
		CHECK_EQ(tap_gro_offer(&g, f[i], len[i]), TAP_GRO_HELD);
	}
	CHECK_EQ(g.segs, (unsigned)n);
	for (int i = 0; i < n; i++) {
		size_t l;
		const uint8_t *s = tap_gro_seg(&g, (unsigned)i, &l);

		CHECK(s != NULL && l == len[i] && memcmp(s, f[i], l) == 0);
	}
	m = tap_gro_merged(&g, &mlen);
	CHECK(m != NULL);
	CHECK_EQ(mlen, TAP_VNET_HDR + 14 + 20 + 20 + total);
	/* virtio_net_hdr: NEEDS_CSUM, GSO TCPv4, hdr_len, gso_size,
	 * csum_start, csum_offset. */
	CHECK_EQ(m[0], 1);
	CHECK_EQ(m[1], 1);
	CHECK_EQ(get16le(m + 2), 54);
	CHECK_EQ(get16le(m + 4), MSS);
	CHECK_EQ(get16le(m + 6), 34);
	CHECK_EQ(get16le(m + 8), 16);
	const uint8_t *fr = m + TAP_VNET_HDR, *ip = fr + 14, *tcp = ip + 20;
	CHECK_EQ(get16(ip + 2), 40 + total);
	CHECK_EQ(csum_ref(ip, 20, 0), 0xffff);
	CHECK_EQ(tcp[13], 0x18);		/* the last one's PSH */
	CHECK_EQ(get16(tcp + 16), inet_csum_fold(inet_csum_pseudo4(ip + 12,
	    ip + 16, 6, (uint32_t)(20 + total))));
	int same = 1;
	for (size_t i = 0; i < total; i++)
		same &= tcp[20 + i] == (uint8_t)(1000 + i);
	CHECK(same);
	/* Written with the right checksum, the merged segment checks. */
	uint8_t *w = malloc(mlen);
	memcpy(w, m, mlen);
	uint8_t *wt = w + TAP_VNET_HDR + 34;
	put16(wt + 16, 0);
	put16(wt + 16, (uint16_t)~inet_csum_fold(inet_csum_add(
	    inet_csum_pseudo4(ip + 12, ip + 16, 6, (uint32_t)(20 + total)), wt,
	    20 + total)));
	CHECK_EQ(csum_ref(wt, 20 + total, inet_csum_pseudo4(ip + 12, ip + 16,
	    6, (uint32_t)(20 + total))), 0xffff);
	free(w);
	/* Closed by the PSH: the next segment starts anew. */
	uint8_t nx[2048];
	size_t nl = segment(nx, seq, MSS, 0x10);
	CHECK_EQ(tap_gro_offer(&g, nx, nl), TAP_GRO_FLUSH);
	tap_gro_clear(&g);
	CHECK_EQ(tap_gro_offer(&g, nx, nl), TAP_GRO_HELD);
	/* One segment held: it goes as it came, with a plain header. */
	m = tap_gro_merged(&g, &mlen);
	CHECK(m != NULL && mlen == TAP_VNET_HDR + nl);
	CHECK(m != NULL && memcmp(m, tap_vnet_plain, TAP_VNET_HDR) == 0 &&
	    memcmp(m + TAP_VNET_HDR, nx, nl) == 0);
	tap_gro_clear(&g);
	CHECK(tap_gro_merged(&g, &mlen) == NULL && mlen == 0);
	/* Without a pcap file to feed, only the lengths are kept. */
	g.keep = false;
	CHECK_EQ(tap_gro_offer(&g, f[0], len[0]), TAP_GRO_HELD);
	CHECK_EQ(tap_gro_offer(&g, f[1], len[1]), TAP_GRO_HELD);
	size_t l1;
	CHECK(tap_gro_seg(&g, 1, &l1) == NULL && l1 == len[1]);
	CHECK(tap_gro_merged(&g, &mlen) != NULL &&
	    mlen == TAP_VNET_HDR + 14 + 20 + 20 + 2 * MSS);
	tap_gro_free(&g);
}

/* What GRO would not merge is not merged. */
static void
test_refused(void)
{
	static uint8_t a[2048], b[2048];
	struct tap_gro g;
	size_t la, lb;

	CHECK_EQ(tap_gro_init(&g), 0);
	la = segment(a, 5000, MSS, 0x10);
	/* Never merged: SYN, FIN, RST, a pure ACK, a bad TCP or IP checksum,
	 * IP options, a fragment, not IPv4, not TCP, too short. */
	uint8_t flags[] = { 0x12, 0x11, 0x14, 0x30 };
	for (size_t i = 0; i < sizeof(flags); i++) {
		lb = segment(b, 5000, MSS, flags[i]);
		CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_ALONE);
	}
	lb = segment(b, 5000, 0, 0x10);
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_ALONE);
	lb = segment(b, 5000, MSS, 0x10);
	b[100] ^= 1;
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_ALONE);
	lb = segment(b, 5000, MSS, 0x10);
	b[14 + 8] = 64;				/* TTL, IP checksum now wrong */
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_ALONE);
	lb = segment(b, 5000, MSS, 0x10);
	b[14] = 0x46;
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_ALONE);
	lb = segment(b, 5000, MSS, 0x10);
	put16(b + 14 + 6, 0x2000);		/* MF */
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_ALONE);
	lb = segment(b, 5000, MSS, 0x10);
	put16(b + 12, 0x86dd);
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_ALONE);
	lb = segment(b, 5000, MSS, 0x10);
	b[14 + 9] = 17;
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_ALONE);
	CHECK_EQ(tap_gro_offer(&g, b, 53), TAP_GRO_ALONE);
	CHECK_EQ(g.segs, 0);

	/* Held, then what does not follow: a gap, another flow, another
	 * acknowledgement or window, a longer segment after a short one. */
	CHECK_EQ(tap_gro_offer(&g, a, la), TAP_GRO_HELD);
	lb = segment(b, 5000 + MSS + 1, MSS, 0x10);
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_FLUSH);
	lb = segment(b, 5000 + MSS, MSS, 0x10);
	put16(b + 34 + 2, 40001);		/* another port: redo checksum */
	put16(b + 34 + 16, 0);
	put16(b + 34 + 16, (uint16_t)~inet_csum_fold(inet_csum_add(
	    inet_csum_pseudo4(b + 26, b + 30, 6, 20 + MSS), b + 34, 20 + MSS)));
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_FLUSH);
	lb = segment(b, 5000 + MSS, MSS, 0x10);
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_HELD);
	lb = segment(b, 5000 + 2 * MSS, 100, 0x10);
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_HELD);	/* short: ends */
	lb = segment(b, 5000 + 2 * MSS + 100, 100, 0x10);
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_FLUSH);
	tap_gro_clear(&g);
	lb = segment(b, 9000, 100, 0x10);
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_HELD);
	lb = segment(b, 9100, 200, 0x10);
	CHECK_EQ(tap_gro_offer(&g, b, lb), TAP_GRO_FLUSH);	/* longer */
	tap_gro_clear(&g);

	/* At most TAP_GRO_SEGS segments, and at most an IP datagram. */
	uint32_t seq = 1;
	int held = 0;
	for (int i = 0; i < TAP_GRO_SEGS + 5; i++) {
		lb = segment(b, seq, 100, 0x10);
		if (tap_gro_offer(&g, b, lb) != TAP_GRO_HELD)
			break;
		held++;
		seq += 100;
	}
	CHECK_EQ(held, TAP_GRO_SEGS);
	tap_gro_clear(&g);
	seq = 1;
	held = 0;
	for (int i = 0; i < 60; i++) {
		lb = segment(b, seq, MSS, 0x10);
		if (tap_gro_offer(&g, b, lb) != TAP_GRO_HELD)
			break;
		held++;
		seq += MSS;
	}
	CHECK_EQ(held, (65535 - 40) / MSS);
	size_t ml;
	CHECK(tap_gro_merged(&g, &ml) != NULL && ml <= TAP_VNET_HDR + TAP_GRO_MAX);
	tap_gro_free(&g);
}

/* Garbage, and garbage with a valid frame's headers, never takes more
 * than the holder has room for. */
static void
test_garbage(void)
{
	static uint8_t b[16384];
	struct tap_gro g;
	uint32_t seq = 1;

	CHECK_EQ(tap_gro_init(&g), 0);
	check_seed(7);
	for (int t = 0; t < 20000; t++) {
		size_t n = 14 + check_rand() % (sizeof(b) - 14);

		if (check_rand() % 2) {
			(void)segment(b, seq, check_rand() % MSS, 0x10);
			if (check_rand() % 3 == 0)
				b[check_rand() % 80] ^= (uint8_t)check_rand();
		} else
			for (size_t i = 0; i < 80; i++)
				b[i] = (uint8_t)check_rand();
		enum tap_gro_verdict v = tap_gro_offer(&g, b, n);
		if (v == TAP_GRO_FLUSH) {
			size_t ml;
			(void)tap_gro_merged(&g, &ml);
			CHECK(ml <= TAP_VNET_HDR + TAP_GRO_MAX);
			tap_gro_clear(&g);
		}
		CHECK(g.segs <= TAP_GRO_SEGS && g.oused <= TAP_GRO_ORIG &&
		    g.len <= TAP_GRO_MAX);
		seq += (uint32_t)(check_rand() % 2000);
	}
	tap_gro_free(&g);
}

int
main(void)
{
	test_csum();
	test_merge();
	test_refused();
	test_garbage();
	return check_done("test_tap_gro");
}
