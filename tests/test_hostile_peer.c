/*
 * test_hostile_peer.c — a hostile co-tenant on the pair wire. A process
 * that owns NIC 1 sends crafted frames through its own user-level driver
 * to a memcached server process on NIC 0 (server_main, as `capio run`
 * starts it, -c 8 -m 8): the MSS sequence that makes Debian's lwIP
 * abort, MSS options on data segments and a SYN's MSS of 1, TCP in IPv4
 * fragments, IPv6, malformed options, a blind reset, out-of-order data,
 * half-open connections past -c. A third process keeps working on its
 * own memory throughout. Afterwards the server is the same process, the
 * value stored before the attack is intact, a well-behaved client
 * (mc_client_main, with lwIP of its own, on NIC 1 once the hostile
 * process has said goodbye) gets every reply right, and nothing else
 * changed: the victim's page, the kernel's private page, NIC 0's ring
 * registers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "board/board.h"
#include "dev/e1000e.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "machine/phys.h"
#include "user/client.h"
#include "user/e1000e_driver.h"
#include "user/inet.h"
#include "user/libcapio.h"
#include "user/netstack.h"
#include "user/server.h"

#define SERVER_IP	0x0a000001u
#define PEER_IP		0x0a000002u
#define MC_PORT		11211
#define NCONN		16
#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_PSH		0x08
#define TCP_ACK		0x10
#define PAGE		4096

/* --- frames ---------------------------------------------------------------- */

/* --- the hostile process --------------------------------------------------- */

struct conn {
	uint16_t port;
	uint32_t snd, rcv;		/* next to send; next expected */
	bool synack, reset;
	char got[4096];
	size_t ngot;
};

struct hostile {
	struct server_cfg *srv;
	struct udrv d;
	uint8_t smac[6];
	struct conn c[NCONN];
	int stage;			/* how far it got */
	uint64_t syn_refused;		/* the server's, after the flood */
	bool done;
};

static void
h_send(struct hostile *h, const uint8_t *f, size_t n)
{
	struct udrv_frame fr = { (void *)(uintptr_t)f, (uint16_t)n, 0 };

	for (int i = 0; i < 1000 && udrv_tx_burst(&h->d, &fr, 1) != 1; i++)
		wfe();
}

/*
 * A TCP segment of connection c as the fields say; frag is the IPv4
 * flags and offset (DF: 0x4000). The TCP checksum is right unless
 * the segment is a fragment (it covers the whole datagram then).
 */
static void
h_seg(struct hostile *h, struct conn *c, uint32_t seq, uint8_t flags,
    uint16_t wnd, const uint8_t *opt, size_t optlen, const char *data,
    uint16_t frag)
{
	uint8_t f[1514], *ip = f + 14, *tcp = ip + 20;
	size_t len = data != NULL ? strlen(data) : 0, hlen = 20 + optlen;

	memcpy(f, h->smac, 6);
	memcpy(f + 6, h->d.mac, 6);
	inet_put16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	inet_put16(ip + 2, (uint16_t)(20 + hlen + len));
	inet_put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = 6;
	inet_put32(ip + 12, PEER_IP);
	inet_put32(ip + 16, SERVER_IP);
	inet_put16(ip + 10, inet_cksum(inet_sum(ip, 20, 0)));
	inet_put16(tcp, c->port);
	inet_put16(tcp + 2, MC_PORT);
	inet_put32(tcp + 4, seq);
	inet_put32(tcp + 8, c->rcv);
	tcp[12] = (uint8_t)(hlen / 4 << 4);
	tcp[13] = flags;
	inet_put16(tcp + 14, wnd);
	inet_put32(tcp + 16, 0);
	if (optlen > 0)
		memcpy(tcp + 20, opt, optlen);
	if (len > 0)
		memcpy(tcp + hlen, data, len);
	inet_put16(tcp + 16, inet_cksum(inet_sum(tcp, hlen + len, inet_sum(ip + 12, 8, 6 +
	    (uint32_t)(hlen + len)))));
	h_send(h, f, 34 + hlen + len);
}

/* In sequence: the next segment follows it. */
static void
h_tcp(struct hostile *h, struct conn *c, uint8_t flags, uint16_t wnd,
    const uint8_t *opt, size_t optlen, const char *data)
{
	h_seg(h, c, c->snd, flags, wnd, opt, optlen, data, 0x4000);
	c->snd += (uint32_t)(data != NULL ? strlen(data) : 0) +
	    ((flags & (TCP_SYN | TCP_FIN)) != 0);
}

static void
h_arp_reply(struct hostile *h, const uint8_t *tha, uint32_t tip)
{
	uint8_t f[60];

	memset(f, 0, sizeof f);
	memcpy(f, tha, 6);
	memcpy(f + 6, h->d.mac, 6);
	inet_put16(f + 12, 0x0806);
	inet_put16(f + 14, 1);
	inet_put16(f + 16, 0x0800);
	f[18] = 6;
	f[19] = 4;
	inet_put16(f + 20, 2);
	memcpy(f + 22, h->d.mac, 6);
	inet_put32(f + 28, PEER_IP);
	memcpy(f + 32, tha, 6);
	inet_put32(f + 38, tip);
	h_send(h, f, sizeof f);
}

/* Answer ARP; take in-order data of our connections and acknowledge it
 * (window open unless the connection's test holds it shut). */
static void
h_input(struct hostile *h, const uint8_t *f, size_t n, uint16_t wnd)
{
	const uint8_t *ip = f + 14, *tcp;
	size_t ihl, hlen, plen;
	struct conn *c = NULL;

	if (n >= 42 && inet_get16(f + 12) == 0x0806) {
		if (inet_get16(f + 20) == 1 && inet_get32(f + 38) == PEER_IP)
			h_arp_reply(h, f + 22, inet_get32(f + 28));
		return;
	}
	if (n < 54 || inet_get16(f + 12) != 0x0800 || ip[9] != 6)
		return;
	ihl = (size_t)(ip[0] & 15) * 4;
	tcp = ip + ihl;
	hlen = (size_t)(tcp[12] >> 4) * 4;
	plen = inet_get16(ip + 2) - ihl - hlen;
	for (int i = 0; i < NCONN; i++)
		if (h->c[i].port == inet_get16(tcp + 2))
			c = &h->c[i];
	if (c == NULL || inet_get16(tcp) != MC_PORT)
		return;
	if (tcp[13] & TCP_RST) {
		c->reset = true;
		return;
	}
	if ((tcp[13] & (TCP_SYN | TCP_ACK)) == (TCP_SYN | TCP_ACK)) {
		c->rcv = inet_get32(tcp + 4) + 1;
		c->synack = true;
		return;
	}
	if (plen == 0)
		return;
	if (inet_get32(tcp + 4) == c->rcv && c->ngot + plen < sizeof c->got) {
		memcpy(c->got + c->ngot, tcp + hlen, plen);
		c->ngot += plen;
		c->got[c->ngot] = '\0';
		c->rcv += (uint32_t)plen;
	}
	h_tcp(h, c, TCP_ACK, wnd, NULL, 0, NULL);
}

/* Let the others run, taking what arrives; until c has got want (NULL:
 * rounds rounds). */
static bool
h_pump(struct hostile *h, int rounds, uint16_t wnd, struct conn *c,
    const char *want)
{
	static uint8_t room[16][2048];
	struct udrv_frame fr[16];

	for (int r = 0; r < rounds; r++) {
		int n;

		if (c != NULL && want != NULL && strstr(c->got, want) != NULL)
			return true;
		for (int i = 0; i < 16; i++)
			fr[i] = (struct udrv_frame){ room[i], 0, sizeof room[i] };
		n = udrv_rx_burst(&h->d, fr, 16);
		for (int i = 0; i < n; i++)
			h_input(h, fr[i].data, fr[i].len, wnd);
		wfe();
	}
	return c != NULL && want != NULL && strstr(c->got, want) != NULL;
}

static bool
h_open(struct hostile *h, struct conn *c, uint16_t port, const uint8_t *mss)
{
	memset(c, 0, sizeof *c);
	c->port = port;
	c->snd = 1000u * port;
	for (int i = 0; i < 3 && !c->synack; i++) {
		h_seg(h, c, c->snd, TCP_SYN, 65535, mss, 4, NULL, 0x4000);
		h_pump(h, 200, 65535, NULL, NULL);
	}
	c->snd++;
	if (c->synack)
		h_tcp(h, c, TCP_ACK, 65535, NULL, 0, NULL);
	return c->synack;
}

/* Ask on c and wait for want. */
static bool
h_ask(struct hostile *h, struct conn *c, const uint8_t *opt, size_t optlen,
    const char *req, const char *want)
{
	h_tcp(h, c, TCP_ACK | TCP_PSH, 65535, opt, optlen, req);
	return h_pump(h, 20000, 65535, c, want);
}

static void
hostile_main(void *arg)
{
	static const uint8_t mss1460[4] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t mss1[4] = { 2, 4, 0, 1 };
	static const uint8_t mss16[4] = { 2, 4, 0, 16 };
	static const uint8_t mss8[4] = { 2, 4, 0, 8 };
	/* Options lwIP must stop at: length 0, a length past the header, a
	 * window scale with no SYN, an MSS cut short. */
	static const uint8_t badopt[12] = { 1, 2, 0, 1, 8, 255, 3, 3, 14,
	    2, 3, 5 };
	struct hostile *h = arg;
	struct conn *a = &h->c[0], *b = &h->c[1], *c = &h->c[2];
	uint8_t f[128];

	while (!h->srv->ready)
		wfe();
	if (udrv_open(&h->d, 1) != 0)
		return;
	/* 1: a value, stored before anything else. */
	if (!h_open(h, a, 40000, mss1460) ||
	    !h_ask(h, a, NULL, 0, "set pre 0 0 5\r\nhello\r\n", "STORED\r\n"))
		return;
	h->stage = 1;

	/* 2: the MSS sequence. */
	if (!h_open(h, b, 40001, mss1460))
		return;
	h_tcp(h, b, TCP_ACK, 0, NULL, 0, NULL);
	h_tcp(h, b, TCP_ACK | TCP_PSH, 0, NULL, 0, "stats\r\n");
	h_pump(h, 200, 0, NULL, NULL);
	h_tcp(h, b, TCP_ACK | TCP_PSH, 0, mss16, 4, "version\r\n");
	h_pump(h, 200, 0, NULL, NULL);
	h_tcp(h, b, TCP_ACK, 65535, NULL, 0, NULL);
	if (!h_pump(h, 20000, 65535, b, "END\r\nVERSION ") ||
	    strstr(b->got, "STAT pid ") == NULL)
		return;
	h->stage = 2;

	/* 3: a SYN's MSS of 1, MSS options on data, malformed options. */
	if (!h_open(h, c, 40002, mss1) ||
	    !h_ask(h, c, mss8, 4, "get pre\r\n", "VALUE pre 0 5\r\nhello\r\nEND\r\n"))
		return;
	c->ngot = 0;
	c->got[0] = '\0';
	if (!h_ask(h, c, badopt, sizeof badopt, "version\r\n", "VERSION "))
		return;
	h->stage = 3;

	/* 4: refused before lwIP: TCP in IPv4 fragments, IPv6. A version
	 * request in a first fragment, then in a later one: no answer. */
	c->ngot = 0;
	c->got[0] = '\0';
	h_seg(h, c, c->snd, TCP_ACK | TCP_PSH, 65535, mss16, 4,
	    "version\r\n", 0x2000);
	h_seg(h, c, c->snd, TCP_ACK | TCP_PSH, 65535, NULL, 0, "version\r\n",
	    0x0003);
	memset(f, 0, sizeof f);
	memcpy(f, h->smac, 6);
	memcpy(f + 6, h->d.mac, 6);
	inet_put16(f + 12, 0x86dd);
	f[14] = 0x60;
	f[20] = 6;		/* next header: TCP */
	h_send(h, f, sizeof f);
	h_pump(h, 400, 65535, NULL, NULL);
	if (c->ngot != 0)
		return;
	h->stage = 4;

	/* 5: a blind reset and a FIN out of the window leave the connection
	 * be; data out of order is taken once the gap is filled. */
	h_seg(h, a, a->snd + 100000, TCP_RST, 0, NULL, 0, NULL, 0x4000);
	h_seg(h, a, a->snd - 100000, TCP_FIN | TCP_ACK, 0, NULL, 0, NULL,
	    0x4000);
	h_seg(h, a, a->snd + 5, TCP_ACK | TCP_PSH, 65535, mss8, 4,
	    "pre\r\n", 0x4000);
	h_pump(h, 100, 65535, NULL, NULL);
	a->ngot = 0;
	a->got[0] = '\0';
	h_tcp(h, a, TCP_ACK | TCP_PSH, 65535, NULL, 0, "gets ");
	a->snd += 5;	/* "pre\r\n" went out of order */
	if (!h_pump(h, 20000, 65535, a, "END\r\n") || a->reset ||
	    strstr(a->got, "VALUE pre 0 5 ") == NULL)
		return;
	h->stage = 5;

	/* 6: half-open connections, then more connections than -c. */
	for (int i = 0; i < 20; i++) {
		struct conn x = { .port = (uint16_t)(41000 + i), .snd = 7u * (uint32_t)i };

		h_seg(h, &x, x.snd, TCP_SYN, 65535, mss1460, 4, NULL, 0x4000);
	}
	h_pump(h, 200, 65535, NULL, NULL);
	for (int i = 3; i < NCONN; i++)
		if (!h_open(h, &h->c[i], (uint16_t)(40000 + i), mss1460))
			return;
	h_pump(h, 2000, 65535, NULL, NULL);
	h->stage = 6;

	/* 7: a SYN flood past NETSTACK_MAX_PCBS: the stack stops taking
	 * SYNs instead of growing; then each half-open one reset. */
	for (int i = 0; i < NETSTACK_MAX_PCBS + 64; i++) {
		struct conn x = { .port = (uint16_t)(50000 + i),
		    .snd = 11u * (uint32_t)i };

		h_seg(h, &x, x.snd, TCP_SYN, 65535, mss1460, 4, NULL, 0x4000);
		if (i % 16 == 15)
			h_pump(h, 4, 65535, NULL, NULL);
	}
	h_pump(h, 200, 65535, NULL, NULL);
	h->syn_refused = h->srv->st.syn_refused;
	for (int i = 0; i < NETSTACK_MAX_PCBS + 64; i++) {
		struct conn x = { .port = (uint16_t)(50000 + i),
		    .snd = 11u * (uint32_t)i };

		h_seg(h, &x, x.snd + 1, TCP_RST, 0, NULL, 0, NULL, 0x4000);
		if (i % 16 == 15)
			h_pump(h, 4, 65535, NULL, NULL);
	}
	h_pump(h, 200, 65535, NULL, NULL);
	h->stage = 7;

	/* Goodbye: every connection reset, NIC 1 given back. */
	for (int i = 0; i < NCONN; i++)
		h_tcp(h, &h->c[i], TCP_RST | TCP_ACK, 0, NULL, 0, NULL);
	h_pump(h, 100, 65535, NULL, NULL);
	udrv_close(&h->d);
	h->done = true;
}

/* --- the victim: works on its own page ------------------------------------ */

static volatile uint64_t victim_rounds, victim_va;
static volatile bool victim_bad;

static void
victim_main(void *arg)
{
	cap_t page;
	uint8_t pattern[PAGE], back[PAGE];

	(void)arg;
	if (sys_mmap(PAGE, &page) != 0) {
		victim_bad = true;
		return;
	}
	for (size_t i = 0; i < PAGE; i++)
		pattern[i] = (uint8_t)(i * 13 + 5);
	stbytes(page, 0, pattern, PAGE);
	victim_va = cheri_address_get(page);
	for (;;) {
		ldbytes(page, 0, back, PAGE);
		if (memcmp(back, pattern, PAGE) != 0)
			victim_bad = true;
		victim_rounds++;
		wfe();
	}
}

/* --- the machine ------------------------------------------------------------ */

static const uint32_t nic_regs[4] = { E1000E_TDBAL, E1000E_TDLEN,
    E1000E_RDBAL, E1000E_RDLEN };

static void
test_hostile_peer(void)
{
	struct kernel_opts o;
	char err[200];
	struct kernel *k;
	struct server_cfg *srv = calloc(1, sizeof *srv);
	struct client_cfg *cc = calloc(1, sizeof *cc);
	struct hostile *h = calloc(1, sizeof *h);
	uint8_t secret[PAGE], b[PAGE];
	uint32_t regs[4];
	struct proc_info pi;
	uint64_t v0, v1, vpa, vpa2;
	int sp, vp, hp, cp;

	kernel_opts_default(&o);
	o.host_syscalls = false;
	k = kernel_boot(board_new(NULL, err, sizeof err), &o, err,
	    sizeof err);
	CHECK(k != NULL && srv != NULL && cc != NULL && h != NULL);
	if (k == NULL || srv == NULL || cc == NULL || h == NULL)
		goto out;
	for (size_t i = 0; i < PAGE; i++)
		secret[i] = (uint8_t)(i * 7 + 3);
	CHECK_EQ(phys_write(board_phys(kernel_board(k)), kernel_private_page(k), secret,
	    PAGE), 0);
	srv->app = APP_MEMCACHED;
	srv->dev = 0;
	snprintf(srv->cidr, sizeof srv->cidr, "10.0.0.1/24");
	srv->port = MC_PORT;
	mc_settings_default(&srv->mc_set);
	srv->mc_set.memory_limit = 8u << 20;
	srv->mc_set.max_connections = 8;
	sp = kernel_spawn(k, "memcached", server_main, srv);
	vp = kernel_spawn(k, "victim", victim_main, NULL);
	for (int i = 0; i < 1000 && (!srv->ready || victim_va == 0); i++)
		kernel_run(k, 1);
	CHECK(srv->ready);
	CHECK_EQ(kernel_proc_translate(k, vp, victim_va, &vpa), 0);
	for (int i = 0; i < 4; i++)
		regs[i] = e1000e_peek(board_nic(kernel_board(k), 0), nic_regs[i]);
	v0 = victim_rounds;

	h->srv = srv;
	board_nic_mac(kernel_board(k), 0, h->smac);
	hp = kernel_spawn(k, "hostile", hostile_main, h);
	for (int i = 0; i < 2000000; i++) {
		kernel_run(k, 1);
		if (kernel_proc_info(k, hp, &pi) != 0 ||
		    pi.state != PROC_RUNNABLE)
			break;
	}
	CHECK(pi.state == PROC_EXITED);
	if (!h->done)
		fprintf(stderr, "hostile peer: stopped at stage %d\n", h->stage);
	CHECK(h->done);
	CHECK_EQ(h->stage, 7);
	CHECK(h->syn_refused > 0);	/* the SYN flood met the pcb cap */
	v1 = victim_rounds;
	CHECK(v1 > v0);
	kernel_proc_info(k, sp, &pi);
	if (pi.state != PROC_RUNNABLE)
		fprintf(stderr, "server: %s %s\n", pi.status, srv->err);
	CHECK(pi.state == PROC_RUNNABLE);
	CHECK(srv->st.rejected > 0);	/* -c 8 held */

	/* A well-behaved client on NIC 1, every reply verified. */
	cc->dev = 1;
	snprintf(cc->cidr, sizeof cc->cidr, "10.0.0.2/24");
	snprintf(cc->server, sizeof cc->server, "10.0.0.1");
	cc->port = MC_PORT;
	cc->ops = 300;
	cc->size = 100;
	cc->keys = 50;
	cc->set_percent = 30;
	cp = kernel_spawn(k, "client", mc_client_main, cc);
	for (int i = 0; i < 2000000; i++) {
		kernel_run(k, 1);
		if (kernel_proc_info(k, cp, &pi) != 0 ||
		    pi.state != PROC_RUNNABLE)
			break;
	}
	if (cc->err[0] != '\0')
		fprintf(stderr, "client: %s\n", cc->err);
	CHECK(pi.state == PROC_EXITED);
	CHECK_EQ(cc->verified, cc->ops);
	CHECK_EQ(cc->failed, 0);

	/* Nothing else changed. */
	kernel_proc_info(k, vp, &pi);
	CHECK(pi.state == PROC_RUNNABLE);
	CHECK(!victim_bad);
	CHECK(victim_rounds > v1);
	CHECK_EQ(kernel_proc_translate(k, vp, victim_va, &vpa2), 0);
	CHECK_EQ(vpa2, vpa);
	CHECK_EQ(phys_read(board_phys(kernel_board(k)), kernel_private_page(k), b, PAGE), 0);
	CHECK(memcmp(b, secret, PAGE) == 0);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(e1000e_peek(board_nic(kernel_board(k), 0), nic_regs[i]), regs[i]);
	kernel_proc_info(k, sp, &pi);
	CHECK(pi.state == PROC_RUNNABLE);
	srv->stop = true;
	kernel_run(k, 100000);
	kernel_proc_info(k, sp, &pi);
	CHECK(pi.state == PROC_EXITED && pi.exit_code == 0);
out:
	if (k != NULL)
		kernel_halt(k);
	free(srv);
	free(cc);
	free(h);
}

int
main(void)
{
	test_hostile_peer();
	return check_done("hostile_peer");
}
