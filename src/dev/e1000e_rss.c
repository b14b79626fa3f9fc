/*
 * e1000e_rss.c — receive-side scaling (82574L datasheet §7.1.11): with
 * MRQC.MRQ_EN = 01, extended descriptors (RFCTL.EXTEN) and the hash in
 * place of the checksum (RXCSUM.PCSD), a frame's IPv4 or IPv6 addresses,
 * and for TCP its ports, are hashed with the Toeplitz function under the
 * 40-byte key RSSRK (for IPv6 the home address option's and type 2
 * routing header's addresses stand in for the header's under the EX and
 * TCP types); bit 7 of the redirection table entry (RETA, 128
 * bytes) that the hash's 7 low bits select picks queue 0 or 1. The hash
 * and the type of what was hashed go to the descriptor.
 */
#include <string.h>

#include "dev/e1000e_core.h"

/* MRQ RSS types in the extended descriptor's write-back. */
#define RSS_NONE	0
#define RSS_IPV4_TCP	1
#define RSS_IPV4	2
#define RSS_IPV6_TCP	3
#define RSS_IPV6_EX	4
#define RSS_IPV6	5

bool
e1000e_rss_enabled(const struct e1000e *d)
{
	return (e1000e_reg(d, E1000E_MRQC) & E1000E_MRQC_EN_MASK) ==
	    E1000E_MRQC_RSS &&
	    (e1000e_reg(d, E1000E_RXCSUM) & E1000E_RXCSUM_PCSD) &&
	    (e1000e_reg(d, E1000E_RFCTL) & E1000E_RFCTL_EXTEN);
}

static uint8_t
key_byte(const struct e1000e *d, unsigned i)
{
	return (uint8_t)(e1000e_reg(d, E1000E_RSSRK + 4 * (i / 4)) >>
	    (8 * (i % 4)));
}

/* Toeplitz: for every set bit of the input, XOR in the 32 key bits that
 * start at that bit's position. N is at most 36 bytes (the key's 40
 * leave 32 bits for the last input bit). */
static uint32_t
toeplitz(const struct e1000e *d, const uint8_t *in, size_t n)
{
	uint32_t hash = 0, win;
	unsigned next = 4, i, b;

	win = (uint32_t)key_byte(d, 0) << 24 | (uint32_t)key_byte(d, 1) << 16 |
	    (uint32_t)key_byte(d, 2) << 8 | key_byte(d, 3);
	for (i = 0; i < n; i++) {
		uint8_t k = key_byte(d, next++);

		for (b = 0; b < 8; b++) {
			if (in[i] & (0x80u >> b))
				hash ^= win;
			win = win << 1 | ((k >> (7 - b)) & 1u);
		}
	}
	return hash;
}

static uint32_t
rss_type(const struct e1000e *d, const struct e1000e_pkt *p)
{
	uint32_t mrqc = e1000e_reg(d, E1000E_MRQC);

	if (p->ip4) {
		if (p->tcp && (mrqc & E1000E_MRQC_TCPIPV4))
			return RSS_IPV4_TCP;
		if (mrqc & E1000E_MRQC_IPV4)
			return RSS_IPV4;
	} else if (p->ip6) {
		uint32_t rfctl = e1000e_reg(d, E1000E_RFCTL);

		/* RFCTL may exclude frames with extension headers, or with
		 * the home address option or routing header, from the EX
		 * and TCP types. */
		if ((!(rfctl & E1000E_RFCTL_IPV6_EX_DIS) || !p->ip6_ext) &&
		    (!(rfctl & E1000E_RFCTL_NEW_IPV6_EXT_DIS) ||
		    (p->ex_src == 0 && p->ex_dst == 0))) {
			if (p->tcp && (mrqc & E1000E_MRQC_TCPIPV6))
				return RSS_IPV6_TCP;
			if (mrqc & E1000E_MRQC_IPV6EX)
				return RSS_IPV6_EX;
		}
		if (mrqc & E1000E_MRQC_IPV6)
			return RSS_IPV6;
	}
	return RSS_NONE;
}

void
e1000e_rss_compute(const struct e1000e *d, const uint8_t *f,
    const struct e1000e_pkt *p, struct e1000e_rss *r)
{
	uint8_t in[36];
	size_t n = 0, alen;
	uint8_t byte;

	r->type = rss_type(d, p);
	r->hash = 0;
	r->queue = 0;
	if (r->type == RSS_NONE)
		return;
	/* Source and destination address, then the ports for TCP types;
	 * the EX and IPv6/TCP types take the home address option's and the
	 * routing header's addresses when the frame has them. */
	alen = p->ip4 ? 4 : 16;
	memcpy(in, f + p->l3 + (p->ip4 ? 12 : 8), 2 * alen);
	n = 2 * alen;
	if (r->type == RSS_IPV6_EX || r->type == RSS_IPV6_TCP) {
		if (p->ex_src != 0)
			memcpy(in, f + p->ex_src, 16);
		if (p->ex_dst != 0)
			memcpy(in + 16, f + p->ex_dst, 16);
	}
	if (r->type == RSS_IPV4_TCP || r->type == RSS_IPV6_TCP) {
		memcpy(in + n, f + p->l4, 4);
		n += 4;
	}
	r->hash = toeplitz(d, in, n);
	byte = (uint8_t)(e1000e_reg(d, E1000E_RETA + 4 * ((r->hash & 0x7F) /
	    4)) >> (8 * (r->hash & 3)));
	r->queue = byte >> 7;
}
