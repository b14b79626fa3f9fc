/*
 * e1000e_pkt.c — what the offloads need to know of a frame: an 802.1Q
 * tag (the type VET names), the IPv4 or IPv6 header and its extension
 * headers, and the TCP or UDP header behind it, each only when it lies
 * wholly inside the frame. Garbage parses as "not IP": the receive
 * checksum and RSS logic then leave the frame alone.
 */
#include <string.h>

#include "dev/e1000e_core.h"

#define ETH_HLEN	14
#define ETYPE_IPV4	0x0800u
#define ETYPE_IPV6	0x86DDu
#define IPV6_HLEN	40
#define IPV6_MAX_EXT	8	/* extension headers followed, at most */

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
parse_l4(const uint8_t *f, size_t end, struct e1000e_pkt *p)
{
	size_t hl;

	if (p->frag)
		return;
	if (p->proto == 6 && p->l4 + 20 <= end) {
		hl = (size_t)(f[p->l4 + 12] >> 4) * 4;
		if (hl >= 20 && p->l4 + hl <= end) {
			p->tcp = true;
			p->l5 = p->l4 + hl;
		}
	} else if (p->proto == 17 && p->l4 + 8 <= end) {
		p->udp = true;
		p->l5 = p->l4 + 8;
	}
}

static void
parse_ip4(const uint8_t *f, struct e1000e_pkt *p)
{
	size_t ihl, tot;

	if (p->l3 + 20 > p->len || (f[p->l3] >> 4) != 4)
		return;
	ihl = (size_t)(f[p->l3] & 0xF) * 4;
	tot = be16(f + p->l3 + 2);
	if (ihl < 20 || tot < ihl || p->l3 + tot > p->len)
		return;
	p->ip4 = true;
	p->l3_len = ihl;
	p->end = p->l3 + tot;
	p->proto = f[p->l3 + 9];
	/* MF set or a fragment offset: not the whole datagram. */
	p->frag = (be16(f + p->l3 + 6) & 0x3FFF) != 0;
	p->l4 = p->l3 + ihl;
	parse_l4(f, p->end, p);
}

/* A destination options header at OFF (LEN bytes): a home address
 * option (type 201, 16 bytes) is the mobile node's source address. */
static void
parse_ip6_dest(const uint8_t *f, size_t off, size_t len,
    struct e1000e_pkt *p)
{
	size_t o = off + 2, end = off + len;

	while (o < end) {
		if (f[o] == 0) {		/* Pad1 */
			o++;
			continue;
		}
		if (o + 2 > end || o + 2 + f[o + 1] > end)
			return;
		if (f[o] == 201 && f[o + 1] == 16)
			p->ex_src = o + 2;
		o += 2 + (size_t)f[o + 1];
	}
}

static void
parse_ip6(const uint8_t *f, struct e1000e_pkt *p)
{
	size_t off, plen;
	uint8_t nh;
	unsigned i;

	if (p->l3 + IPV6_HLEN > p->len || (f[p->l3] >> 4) != 6)
		return;
	plen = be16(f + p->l3 + 4);
	if (p->l3 + IPV6_HLEN + plen > p->len)
		return;
	p->ip6 = true;
	p->end = p->l3 + IPV6_HLEN + plen;
	nh = f[p->l3 + 6];
	off = p->l3 + IPV6_HLEN;
	for (i = 0; i < IPV6_MAX_EXT; i++) {
		if (nh == 0 || nh == 43 || nh == 60) {	/* hop, routing, dest */
			size_t hl = ((size_t)f[off + 1] + 1) * 8;

			if (off + 8 > p->end || off + hl > p->end)
				return;
			p->ip6_ext = true;
			/* Routing type 2, one segment left: the home
			 * address, the real destination. */
			if (nh == 43 && f[off + 2] == 2 && f[off + 3] == 1 &&
			    hl >= 24)
				p->ex_dst = off + 8;
			if (nh == 60)
				parse_ip6_dest(f, off, hl, p);
			nh = f[off];
			off += hl;
		} else if (nh == 44) {			/* fragment */
			if (off + 8 > p->end)
				return;
			p->ip6_ext = true;
			p->frag = true;
			nh = f[off];
			off += 8;
		} else {
			break;
		}
	}
	if (off > p->end)
		return;
	p->l3_len = off - p->l3;
	p->proto = nh;
	p->l4 = off;
	parse_l4(f, p->end, p);
}

void
e1000e_pkt_parse(const uint8_t *f, size_t len, uint16_t vet,
    struct e1000e_pkt *p)
{
	uint16_t type;

	memset(p, 0, sizeof(*p));
	p->len = len;
	if (len < ETH_HLEN)
		return;
	p->l3 = ETH_HLEN;
	type = be16(f + 12);
	if (type == vet && len >= ETH_HLEN + 4) {
		p->vlan = true;
		p->tci = be16(f + 14);
		type = be16(f + 16);
		p->l3 = ETH_HLEN + 4;
	}
	if (type == ETYPE_IPV4)
		parse_ip4(f, p);
	else if (type == ETYPE_IPV6)
		parse_ip6(f, p);
}
