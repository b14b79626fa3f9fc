/*
 * attack_tcp.c — TCP by hand (attack_tcp.h), for class 15: a peer that
 * writes every field of its segments itself (options, windows, IPv4
 * fragment bits) through its own user-level driver, so what reaches the
 * victim's lwIP is exactly what the attack says. The harness's seeder
 * and checker, well-behaved clients, use the same code with honest
 * segments; tests and fuzzers the same builders.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/attack_tcp.h"
#include "machine/cpu.h"
#include "user/inet.h"

size_t
atk_tcp_frame(uint8_t *f, size_t room, const struct atk_seg *s)
{
	uint8_t *ip = f + 14, *tcp = ip + 20;
	size_t hlen = 20 + ((s->optlen + 3) & ~(size_t)3), tot;

	if (s->optlen > 40 || 34 + hlen + s->len > room)
		return 0;
	tot = 20 + hlen + s->len;
	memcpy(f, s->dmac, 6);
	memcpy(f + 6, s->smac, 6);
	inet_put16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	inet_put16(ip + 2, (uint16_t)tot);
	inet_put16(ip + 6, s->frag);
	ip[8] = 64;
	ip[9] = 6;
	inet_put32(ip + 12, s->sip);
	inet_put32(ip + 16, s->dip);
	inet_put16(ip + 10, inet_cksum(inet_sum(ip, 20, 0)));
	inet_put16(tcp, s->sport);
	inet_put16(tcp + 2, s->dport);
	inet_put32(tcp + 4, s->seq);
	inet_put32(tcp + 8, s->ack);
	tcp[12] = (uint8_t)(hlen / 4 << 4);
	tcp[13] = s->flags;
	inet_put16(tcp + 14, s->wnd);
	inet_put32(tcp + 16, 0);		/* checksum 0, urgent pointer 0 */
	memset(tcp + 20, 0, hlen - 20);		/* EOL pads the options */
	if (s->optlen > 0)
		memcpy(tcp + 20, s->opt, s->optlen);
	if (s->len > 0)
		memcpy(tcp + hlen, s->data, s->len);
	/* Over the pseudo-header too. */
	inet_put16(tcp + 16, inet_cksum(inet_sum(tcp, hlen + s->len,
	    inet_sum(ip + 12, 8, 6 + (uint32_t)(hlen + s->len)))));
	return 14 + tot;
}

void
atk_arp_frame(uint8_t *f, uint16_t op, const uint8_t dst[6],
    const uint8_t sha[6], uint32_t sip, const uint8_t *tha, uint32_t tip)
{
	memset(f, 0, ATK_ARP_LEN);
	memcpy(f, dst, 6);
	memcpy(f + 6, sha, 6);
	inet_put16(f + 12, 0x0806);
	inet_put16(f + 14, 1);			/* Ethernet */
	inet_put16(f + 16, 0x0800);		/* IPv4 */
	f[18] = 6;
	f[19] = 4;
	inet_put16(f + 20, op);
	memcpy(f + 22, sha, 6);
	inet_put32(f + 28, sip);
	if (tha != NULL)
		memcpy(f + 32, tha, 6);
	inet_put32(f + 38, tip);
}

int
atk_tcp_open(struct atk_tcp *t, int dev, const uint8_t victim_mac[6])
{
	memset(t->c, 0, sizeof t->c);
	memcpy(t->dmac, victim_mac, 6);
	return udrv_open(&t->d, dev);
}

void
atk_tcp_raw(struct atk_tcp *t, const uint8_t *f, size_t n)
{
	struct udrv_frame fr = { .data = (void *)(uintptr_t)f,
	    .len = (uint16_t)n };

	/* A full ring drains as the NIC sends: wait for it, boundedly. */
	for (int i = 0; i < 1000 && udrv_tx_burst(&t->d, &fr, 1) != 1; i++)
		wfe();
}

void
atk_tcp_seg(struct atk_tcp *t, struct atk_conn *c, uint32_t seq,
    uint8_t flags, uint16_t wnd, const uint8_t *opt, size_t optlen,
    const char *data, size_t len, uint16_t frag)
{
	struct atk_seg s = {
		.dmac = t->dmac, .smac = t->d.mac,
		.sip = ATK_PEER_IP, .dip = ATK_MC_IP,
		.sport = c->port, .dport = ATK_MC_PORT,
		.seq = seq, .ack = c->rcv, .flags = flags, .wnd = wnd,
		.opt = opt, .optlen = optlen, .data = data, .len = len,
		.frag = frag,
	};
	uint8_t f[ATK_FRAME_MAX];
	size_t n;

	if ((n = atk_tcp_frame(f, sizeof f, &s)) > 0)
		atk_tcp_raw(t, f, n);
}

void
atk_tcp_send(struct atk_tcp *t, struct atk_conn *c, uint8_t flags,
    uint16_t wnd, const uint8_t *opt, size_t optlen, const char *data)
{
	size_t len = data != NULL ? strlen(data) : 0;

	atk_tcp_seg(t, c, c->snd, flags, wnd, opt, optlen, data, len,
	    ATK_IP_DF);
	c->snd += (uint32_t)len + ((flags & (ATK_TCP_SYN | ATK_TCP_FIN)) != 0);
}

static void
arp_reply(struct atk_tcp *t, const uint8_t *tha, uint32_t tip)
{
	uint8_t f[ATK_ARP_LEN];

	atk_arp_frame(f, 2, tha, t->d.mac, ATK_PEER_IP, tha, tip);
	atk_tcp_raw(t, f, sizeof f);
}

/* ARP for our address is answered; in-order data of our connections is
 * kept and acknowledged with window wnd. */
static void
input(struct atk_tcp *t, const uint8_t *f, size_t n, uint16_t wnd)
{
	const uint8_t *ip = f + 14, *tcp;
	struct atk_conn *c = NULL;
	size_t ihl, hlen, plen;

	if (n >= 42 && inet_get16(f + 12) == 0x0806) {
		if (inet_get16(f + 20) == 1 && inet_get32(f + 38) == ATK_PEER_IP)
			arp_reply(t, f + 22, inet_get32(f + 28));
		return;
	}
	if (n < 54 || inet_get16(f + 12) != 0x0800 || ip[9] != 6)
		return;
	ihl = (size_t)(ip[0] & 15) * 4;
	tcp = ip + ihl;
	hlen = (size_t)(tcp[12] >> 4) * 4;
	if (14 + ihl + hlen > n || inet_get16(ip + 2) < ihl + hlen)
		return;
	plen = inet_get16(ip + 2) - ihl - hlen;
	for (int i = 0; i < ATK_TCP_CONNS; i++)
		if (t->c[i].port != 0 && t->c[i].port == inet_get16(tcp + 2))
			c = &t->c[i];
	if (c == NULL || inet_get16(tcp) != ATK_MC_PORT)
		return;
	if (tcp[13] & ATK_TCP_RST) {
		c->reset = true;
		return;
	}
	if ((tcp[13] & (ATK_TCP_SYN | ATK_TCP_ACK)) == (ATK_TCP_SYN | ATK_TCP_ACK)) {
		c->rcv = inet_get32(tcp + 4) + 1;
		c->synack = true;
		return;
	}
	if (tcp[13] & ATK_TCP_FIN)
		c->fin = true;
	if (plen == 0)
		return;
	if (inet_get32(tcp + 4) == c->rcv && 14 + ihl + hlen + plen <= n &&
	    c->ngot + plen < sizeof c->got) {
		memcpy(c->got + c->ngot, tcp + hlen, plen);
		c->ngot += plen;
		c->got[c->ngot] = '\0';
		c->rcv += (uint32_t)plen;
	}
	atk_tcp_send(t, c, ATK_TCP_ACK, wnd, NULL, 0, NULL);
}

bool
atk_tcp_pump(struct atk_tcp *t, int rounds, uint16_t wnd, struct atk_conn *c,
    const char *want)
{
	struct udrv_frame fr[ATK_TCP_ROOM];

	for (int r = 0; r < rounds; r++) {
		int n;

		if (c != NULL && want != NULL && strstr(c->got, want) != NULL)
			return true;
		for (int i = 0; i < ATK_TCP_ROOM; i++)
			fr[i] = (struct udrv_frame){ .data = t->room[i],
			    .size = sizeof t->room[i] };
		n = udrv_rx_burst(&t->d, fr, ATK_TCP_ROOM);
		for (int i = 0; i < n; i++)
			input(t, fr[i].data, fr[i].len, wnd);
		wfe();
	}
	return c != NULL && want != NULL && strstr(c->got, want) != NULL;
}

bool
atk_tcp_connect(struct atk_tcp *t, struct atk_conn *c, uint16_t port,
    const uint8_t mss[4])
{
	memset(c, 0, sizeof *c);
	c->port = port;
	c->snd = 1000u * port;
	for (int i = 0; i < 3 && !c->synack; i++) {
		atk_tcp_seg(t, c, c->snd, ATK_TCP_SYN, 65535, mss, 4, NULL, 0,
		    ATK_IP_DF);
		atk_tcp_pump(t, 200, 65535, NULL, NULL);
	}
	c->snd++;
	if (c->synack)
		atk_tcp_send(t, c, ATK_TCP_ACK, 65535, NULL, 0, NULL);
	return c->synack;
}

bool
atk_tcp_ask(struct atk_tcp *t, struct atk_conn *c, const uint8_t *opt,
    size_t optlen, const char *req, const char *want)
{
	c->ngot = 0;
	c->got[0] = '\0';
	atk_tcp_send(t, c, ATK_TCP_ACK | ATK_TCP_PSH, 65535, opt, optlen, req);
	return atk_tcp_pump(t, 20000, 65535, c, want);
}

void
atk_tcp_close(struct atk_tcp *t)
{
	for (int i = 0; i < ATK_TCP_CONNS; i++)
		if (t->c[i].synack)
			atk_tcp_send(t, &t->c[i], ATK_TCP_RST | ATK_TCP_ACK, 0,
			    NULL, 0, NULL);
	atk_tcp_pump(t, 50, 65535, NULL, NULL);
	(void)udrv_close(&t->d);
}

uint64_t
atk_stat(const char *stats, const char *name)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof key, "STAT %s ", name);
	if ((p = strstr(stats, key)) == NULL)
		return UINT64_MAX;
	return strtoull(p + strlen(key), NULL, 10);
}
