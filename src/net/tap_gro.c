/*
 * tap_gro.c — merging a burst of TCP segments for the host (tap_gro.h).
 * The rules are those of the host's own GRO for TCP over IPv4, so the
 * host's stack sees what it would have seen from a real NIC.
 */
#include "net/tap_gro.h"

#include <stdlib.h>
#include <string.h>

#include "net/inet_csum.h"

#define ETH_HLEN	14
#define IP_HLEN		20
#define TCP_HLEN	20
#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_PSH		0x08
#define TCP_ACK		0x10

/* struct virtio_net_hdr, as <linux/virtio_net.h> lays it out. */
#define VNET_F_NEEDS_CSUM	1
#define VNET_GSO_TCPV4		1

const uint8_t tap_vnet_plain[TAP_VNET_HDR];

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Little-endian, as the virtio-net header is on every host capio runs on
 * (a legacy header is in the host's byte order). */
static void
put16le(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

int
tap_gro_init(struct tap_gro *g)
{
	memset(g, 0, sizeof(*g));
	g->buf = malloc(TAP_VNET_HDR + TAP_GRO_MAX);
	g->orig = malloc(TAP_GRO_ORIG);
	if (g->buf == NULL || g->orig == NULL) {
		tap_gro_free(g);
		return -1;
	}
	return 0;
}

void
tap_gro_free(struct tap_gro *g)
{
	free(g->buf);
	free(g->orig);
	g->buf = g->orig = NULL;
	g->len = 0;
	g->segs = 0;
}

/*
 * A segment GRO could merge: its TCP header offset and length and its
 * payload, or false. Both checksums are checked here, once.
 */
static bool
segment(const uint8_t *f, size_t len, size_t *l4, size_t *thlen,
    size_t *plen)
{
	size_t tot, th;

	if (len < ETH_HLEN + IP_HLEN + TCP_HLEN || get16(f + 12) != 0x0800)
		return false;
	const uint8_t *ip = f + ETH_HLEN;
	if (ip[0] != 0x45 || ip[9] != 6 || (get16(ip + 6) & 0x3fff) != 0)
		return false;	/* options, not TCP, or a fragment */
	tot = get16(ip + 2);
	if (tot < IP_HLEN + TCP_HLEN || tot > len - ETH_HLEN)
		return false;
	const uint8_t *tcp = ip + IP_HLEN;
	th = (size_t)(tcp[12] >> 4) * 4;
	if (th < TCP_HLEN || th > tot - IP_HLEN || (tcp[12] & 0x0f) != 0)
		return false;
	if ((tcp[13] & ~TCP_PSH) != TCP_ACK)
		return false;	/* SYN, FIN, RST, URG, ECE, CWR: alone */
	if (tot - IP_HLEN - th == 0)
		return false;	/* a pure ACK carries nothing to merge */
	if (inet_csum_fold(inet_csum_add(0, ip, IP_HLEN)) != 0xffff)
		return false;
	uint64_t s = inet_csum_pseudo4(ip + 12, ip + 16, 6,
	    (uint32_t)(tot - IP_HLEN));
	if (inet_csum_fold(inet_csum_add(s, tcp, tot - IP_HLEN)) != 0xffff)
		return false;
	*l4 = ETH_HLEN + IP_HLEN;
	*thlen = th;
	*plen = tot - IP_HLEN - th;
	return true;
}

/* Does segment F (header offsets as segment() found them) follow what is
 * held, in the same flow? */
static bool
follows(const struct tap_gro *g, const uint8_t *f, size_t thlen)
{
	const uint8_t *h = g->buf + TAP_VNET_HDR;
	const uint8_t *hip = h + ETH_HLEN, *ip = f + ETH_HLEN;
	const uint8_t *htcp = h + g->l4, *tcp = f + g->l4;

	if (g->closed || thlen != g->thlen || memcmp(h, f, ETH_HLEN) != 0)
		return false;
	/* TOS, DF, TTL, protocol, addresses. */
	if (hip[1] != ip[1] || hip[6] != ip[6] || hip[8] != ip[8] ||
	    memcmp(hip + 12, ip + 12, 8) != 0)
		return false;
	/* Ports, then acknowledgement, offset, flags but PSH, window, and
	 * every option word. */
	if (memcmp(htcp, tcp, 4) != 0 || get32(tcp + 4) != g->next_seq ||
	    memcmp(htcp + 8, tcp + 8, 5) != 0 ||
	    ((htcp[13] ^ tcp[13]) & ~TCP_PSH) != 0 ||
	    memcmp(htcp + 14, tcp + 14, 2) != 0 ||
	    memcmp(htcp + TCP_HLEN, tcp + TCP_HLEN, thlen - TCP_HLEN) != 0)
		return false;
	return true;
}

enum tap_gro_verdict
tap_gro_offer(struct tap_gro *g, const uint8_t *f, size_t len)
{
	size_t l4, thlen, plen;

	if (!segment(f, len, &l4, &thlen, &plen) || len > TAP_GRO_ORIG)
		return TAP_GRO_ALONE;
	const uint8_t *tcp = f + l4;
	if (g->segs == 0) {
		if (g->keep)
			memcpy(g->orig, f, len);
		g->olen[0] = g->oused = len;
		memcpy(g->buf + TAP_VNET_HDR, f, l4 + thlen + plen);
		g->len = l4 + thlen + plen;
		g->segs = 1;
		g->l4 = l4;
		g->thlen = thlen;
		g->mss = (uint32_t)plen;
		g->next_seq = get32(tcp + 4) + (uint32_t)plen;
		g->closed = (tcp[13] & TCP_PSH) != 0;
		return TAP_GRO_HELD;
	}
	if (!follows(g, f, thlen) || plen > g->mss ||
	    g->len + plen > TAP_GRO_MAX || g->segs == TAP_GRO_SEGS ||
	    g->oused + len > TAP_GRO_ORIG)
		return TAP_GRO_FLUSH;
	if (g->keep)
		memcpy(g->orig + g->oused, f, len);
	g->olen[g->segs] = len;
	g->oused += len;
	memcpy(g->buf + TAP_VNET_HDR + g->len, tcp + thlen, plen);
	g->len += plen;
	g->segs++;
	g->next_seq += (uint32_t)plen;
	/* A short segment or a push ends the run, as it ends GRO's. */
	if (plen < g->mss || (tcp[13] & TCP_PSH)) {
		g->closed = true;
		g->buf[TAP_VNET_HDR + g->l4 + 13] |= tcp[13] & TCP_PSH;
	}
	return TAP_GRO_HELD;
}

const uint8_t *
tap_gro_merged(struct tap_gro *g, size_t *len)
{
	uint8_t *v = g->buf, *f = g->buf + TAP_VNET_HDR;
	uint8_t *ip = f + ETH_HLEN, *tcp = f + g->l4;
	size_t tot = g->len - ETH_HLEN;

	*len = 0;
	if (g->segs == 0)
		return NULL;
	memset(v, 0, TAP_VNET_HDR);
	*len = TAP_VNET_HDR + g->len;
	if (g->segs == 1)
		return v;	/* as it came (without Ethernet padding) */
	put16(ip + 2, (uint16_t)tot);
	put16(ip + 10, 0);
	put16(ip + 10, (uint16_t)~inet_csum_fold(inet_csum_add(0, ip,
	    IP_HLEN)));
	/*
	 * Every segment's checksum was right; the merged one is left for
	 * the host to finish (the pseudo-header sum in the field, as in a
	 * GSO frame), and the host's stack takes it as checked.
	 */
	put16(tcp + 16, inet_csum_fold(inet_csum_pseudo4(ip + 12, ip + 16, 6,
	    (uint32_t)(tot - IP_HLEN))));
	v[0] = VNET_F_NEEDS_CSUM;
	v[1] = VNET_GSO_TCPV4;
	put16le(v + 2, (uint16_t)(g->l4 + g->thlen));	/* hdr_len */
	put16le(v + 4, (uint16_t)g->mss);		/* gso_size */
	put16le(v + 6, (uint16_t)g->l4);		/* csum_start */
	put16le(v + 8, 16);				/* csum_offset */
	return v;
}

const uint8_t *
tap_gro_seg(const struct tap_gro *g, unsigned i, size_t *len)
{
	size_t off = 0;

	*len = 0;
	if (i >= g->segs)
		return NULL;
	for (unsigned j = 0; j < i; j++)
		off += g->olen[j];
	*len = g->olen[i];
	return g->keep ? g->orig + off : NULL;
}

void
tap_gro_clear(struct tap_gro *g)
{
	g->len = 0;
	g->segs = 0;
	g->oused = 0;
}
