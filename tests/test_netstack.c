/*
 * test_netstack.c — lwIP in two processes, each with its own stack over
 * its own NIC: ARP, UDP echo and a TCP exchange cross the NIC model;
 * no system call after setup on the CAPIO path; the kernel path works too.
 * And what the netstack does to frames before lwIP: a hostile peer's MSS
 * sequence leaves a memcached server answering.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "board/board.h"
#include "eval/attack_tcp.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/e1000e_driver.h"
#include "user/inet.h"
#include "user/libcapio.h"
#include "user/netdev.h"
#include "user/netstack.h"
#include "user/server.h"
#include "user/udp_echo.h"

#define NDGRAMS 200

struct world {
	bool kernel_path;
	int server_ok, client_ok;
	int echoed, matched;
	bool done;
	uint64_t server_pid, syscalls_setup[2];
	char err[2][200];
};

static int
open_dev(struct world *w, int dev, struct udrv *d, struct netdev *nd)
{
	if (w->kernel_path) {
		uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + dev) };
		return netdev_from_kernel(nd, dev, mac);
	}
	if (udrv_open(d, dev) != 0)
		return -1;
	netdev_from_udrv(nd, d);
	return 0;
}

static void
server(void *arg)
{
	struct world *w = arg;
	struct udrv d;
	struct netdev nd;
	struct netstack ns;
	struct udp_echo e;

	if (open_dev(w, 0, &d, &nd) != 0 ||
	    netstack_open(&ns, &nd, "10.0.0.1/24", w->err[0], sizeof w->err[0]) != 0 ||
	    udp_echo_start(&e, &ns, 11111) != 0)
		return;
	w->server_ok = 1;
	sys_yield();	/* the harness counts system calls here */
	while (!w->done)
		if (netstack_poll(&ns) == 0)
			wfe();
	w->echoed = (int)e.datagrams;
	udp_echo_stop(&e);
	netstack_close(&ns);
}

struct client_state {
	struct netstack *ns;
	int got, matched;
	uint16_t size;
	uint8_t last[1472];
};

static void
client_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
    const ip_addr_t *addr, u16_t port)
{
	struct client_state *c = arg;
	uint8_t buf[2048];
	uint16_t n;

	(void)pcb; (void)addr; (void)port;
	n = c->ns->api->pbuf_copy_partial(p, buf, sizeof buf, 0);
	c->got++;
	if (n == c->size && memcmp(buf, c->last, n) == 0)
		c->matched++;
	c->ns->api->pbuf_free(p);
}

static void
client(void *arg)
{
	struct world *w = arg;
	struct udrv d;
	struct netdev nd;
	struct netstack ns;
	struct client_state c = { 0 };
	ip_addr_t dst;

	if (open_dev(w, 1, &d, &nd) != 0 ||
	    netstack_open(&ns, &nd, "10.0.0.2/24", w->err[1], sizeof w->err[1]) != 0)
		return;
	const struct lwip_api *l = ns.api;
	struct udp_pcb *pcb = l->udp_new();
	c.ns = &ns;
	l->udp_recv(pcb, client_recv, &c);
	IP_ADDR4(&dst, 10, 0, 0, 1);
	w->client_ok = 1;
	sys_yield();
	for (int i = 0; i < NDGRAMS; i++) {
		/* Small and full-size datagrams (1472 bytes: 1514-byte frames). */
		c.size = i % 2 ? 1472 : 100;
		struct pbuf *p = l->pbuf_alloc(PBUF_TRANSPORT, c.size, PBUF_RAM);
		for (int j = 0; j < c.size; j++)
			c.last[j] = (uint8_t)(i + j);
		l->pbuf_take(p, c.last, c.size);
		l->udp_sendto(pcb, p, &dst, 11111);
		l->pbuf_free(p);
		/* Wait (bounded) for the echo: first one waits on ARP too. */
		for (int spin = 0; spin < 100000 && c.got <= i; spin++)
			if (netstack_poll(&ns) == 0)
				wfe();
	}
	w->matched = c.matched;
	w->done = true;
	l->udp_remove(pcb);
	netstack_close(&ns);
}

static void
run(bool kernel_path)
{
	struct kernel_opts o;
	char err[200];
	struct kernel *k;
	struct world w;
	struct proc_info ps, pc;

	kernel_opts_default(&o);
	o.host_syscalls = false;
	k = kernel_boot(board_new(NULL, err, sizeof err), &o, err,
	    sizeof err);
	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&w, 0, sizeof w);
	w.kernel_path = kernel_path;
	int sp = kernel_spawn(k, "udp-echo", server, &w);
	int cp = kernel_spawn(k, "client", client, &w);
	kernel_run(k, 1);
	kernel_proc_info(k, sp, &ps);
	kernel_proc_info(k, cp, &pc);
	uint64_t s0 = ps.syscalls, c0 = pc.syscalls;
	kernel_run(k, 5000000);
	kernel_proc_info(k, sp, &ps);
	kernel_proc_info(k, cp, &pc);
	if (w.err[0][0] || w.err[1][0])
		fprintf(stderr, "netstack: %s %s\n", w.err[0], w.err[1]);
	CHECK(w.server_ok && w.client_ok);
	CHECK_EQ(w.matched, NDGRAMS);
	CHECK(w.echoed >= NDGRAMS);
	CHECK(ps.state == PROC_EXITED && pc.state == PROC_EXITED);
	if (!kernel_path) {
		CHECK_EQ(ps.syscalls, s0);	/* zero on the data path */
		CHECK_EQ(pc.syscalls, c0);
	} else
		CHECK(ps.syscalls > s0 + NDGRAMS);	/* at least one per frame */
	kernel_halt(k);
}

/* --- frames by hand ------------------------------------------------------ */

#define PEER_PORT	40000

/* The TCP checksum over the pseudo-header, computed afresh: 0xffff when
 * the segment in the frame checks. */
static uint16_t
tcp_verify(const uint8_t *frame)
{
	const uint8_t *ip = frame + 14, *tcp = ip + (ip[0] & 15) * 4;
	size_t tlen = inet_get16(ip + 2) - (size_t)(ip[0] & 15) * 4;
	uint32_t s = inet_sum(ip + 12, 8, 0) + 6 + (uint32_t)tlen;

	return inet_fold(inet_sum(tcp, tlen, s));
}

static const uint8_t mac_a[6] = { 2, 0, 0, 0, 0, 1 };
static const uint8_t mac_b[6] = { 2, 0, 0, 0, 0, 2 };

static size_t
test_segment(uint8_t *f, size_t room, uint8_t flags, const uint8_t *opt,
    size_t optlen)
{
	struct atk_seg sg = {
		.dmac = mac_a, .smac = mac_b, .sip = ATK_PEER_IP, .dip = ATK_MC_IP,
		.sport = PEER_PORT, .dport = ATK_MC_PORT, .seq = 1000, .ack = 2000,
		.flags = flags, .wnd = 512, .opt = opt, .optlen = optlen,
		.data = "version\r\n", .len = 9, .frag = ATK_IP_DF,
	};

	return atk_tcp_frame(f, room, &sg);
}

/* netstack_rx_filter on frames made here. */
static void
test_filter(void)
{
	static const uint8_t mss16[4] = { 2, 4, 0, 16 };
	static const uint8_t mss1460[4] = { 2, 4, 0x05, 0xb4 };
	/* At an odd offset: the option straddles checksum words. */
	static const uint8_t odd[8] = { 1, 2, 4, 0, 16, 1, 1, 0 };
	static const uint8_t bad[4] = { 8, 0, 2, 4 };	/* length 0: stop */
	struct netstack_stats st;
	uint8_t f[256];
	size_t n;

	memset(&st, 0, sizeof st);
	n = test_segment(f, sizeof f, ATK_TCP_ACK | ATK_TCP_PSH, mss16, 4);
	CHECK_EQ(tcp_verify(f), 0xffff);
	CHECK_EQ(netstack_rx_filter(&st, f, (uint16_t)n), 0);
	CHECK(memcmp(f + 54, "\1\1\1\1", 4) == 0);
	CHECK_EQ(tcp_verify(f), 0xffff);
	CHECK_EQ(st.rx_mss_rewrites, 1);

	n = test_segment(f, sizeof f, ATK_TCP_ACK, odd, 8);
	CHECK_EQ(netstack_rx_filter(&st, f, (uint16_t)n), 0);
	CHECK(memcmp(f + 54, "\1\1\1\1\1\1\1\0", 8) == 0);
	CHECK_EQ(tcp_verify(f), 0xffff);
	CHECK_EQ(st.rx_mss_rewrites, 2);

	/* A SYN keeps its MSS, raised to the floor. */
	n = test_segment(f, sizeof f, ATK_TCP_SYN, mss16, 4);
	CHECK_EQ(netstack_rx_filter(&st, f, (uint16_t)n), 0);
	CHECK_EQ(inet_get16(f + 56), NETSTACK_MSS_MIN);
	CHECK_EQ(tcp_verify(f), 0xffff);
	CHECK_EQ(st.rx_mss_rewrites, 3);
	n = test_segment(f, sizeof f, ATK_TCP_SYN | ATK_TCP_ACK, mss1460, 4);
	CHECK_EQ(netstack_rx_filter(&st, f, (uint16_t)n), 0);
	CHECK_EQ(inet_get16(f + 56), 1460);
	CHECK_EQ(st.rx_mss_rewrites, 3);

	/* A malformed option ends the walk, as in lwIP; nothing changes. */
	n = test_segment(f, sizeof f, ATK_TCP_ACK, bad, 4);
	CHECK_EQ(netstack_rx_filter(&st, f, (uint16_t)n), 0);
	CHECK(memcmp(f + 54, bad, 4) == 0);
	CHECK_EQ(st.rx_mss_rewrites, 3);

	/* Refused: TCP in a fragment, and IPv6. */
	n = test_segment(f, sizeof f, ATK_TCP_ACK, mss16, 4);
	inet_put16(f + 14 + 6, 0x2000);	/* MF */
	CHECK_EQ(netstack_rx_filter(&st, f, (uint16_t)n), -1);
	inet_put16(f + 14 + 6, 0x0001);	/* an offset */
	CHECK_EQ(netstack_rx_filter(&st, f, (uint16_t)n), -1);
	inet_put16(f + 12, 0x86dd);
	CHECK_EQ(netstack_rx_filter(&st, f, (uint16_t)n), -1);
	CHECK_EQ(st.rx_refused, 3);

	/* Any bytes at all: nothing read or written outside the frame
	 * (ASan watches), and a segment that checked still checks. */
	for (int i = 0; i < 20000; i++) {
		uint8_t opt[40];
		size_t optlen = (check_rand() % 11) * 4;
		uint8_t *g;

		for (size_t j = 0; j < optlen; j++)
			opt[j] = (uint8_t)(check_rand() % 5 == 0 ? 2 :
			    check_rand() % 6);
		n = test_segment(f, sizeof f, (uint8_t)check_rand(), opt, optlen);
		if (check_rand() % 4 == 0)
			n = check_rand() % (n + 1);	/* cut short */
		g = malloc(n > 0 ? n : 1);
		memcpy(g, f, n);
		(void)netstack_rx_filter(&st, g, (uint16_t)n);
		if (n == 14 + 20 + 20 + optlen + 9)
			CHECK_EQ(tcp_verify(g), 0xffff);
		free(g);
	}
}

/*
 * --- a hostile peer against memcached -------------------------------------
 *
 * Open a connection, advertise window 0, ask for `stats` (the reply
 * queues, unsent), then send `version` on a segment carrying an MSS
 * option of 16: Debian's lwIP takes the option, and its next tcp_write
 * fails an assertion (abort) unless the netstack defused it.
 */
struct hostile {
	struct server_cfg *srv;
	struct udrv d;
	uint8_t smac[6];
	bool have_smac, synack, accept;
	uint32_t snd_nxt, rcv_nxt;
	uint16_t wnd;
	char got[16384];
	size_t ngot;
	int stage;			/* how far it got */
	/* UDP echoes: the payloads' first bytes, and whether each reply's
	 * checksum was present and right. */
	char udp_got[4][5];
	bool udp_sum_ok[4];
	int nudp;
};

static void
h_send(struct hostile *h, const uint8_t *f, size_t n)
{
	struct udrv_frame fr = { .data = (void *)(uintptr_t)f,
	    .len = (uint16_t)n };

	for (int i = 0; i < 1000 && udrv_tx_burst(&h->d, &fr, 1) != 1; i++)
		wfe();
}

static void
h_tcp(struct hostile *h, uint8_t flags, const uint8_t *opt, size_t optlen,
    const char *data)
{
	size_t len = data != NULL ? strlen(data) : 0;
	struct atk_seg sg = {
		.dmac = h->smac, .smac = h->d.mac, .sip = ATK_PEER_IP,
		.dip = ATK_MC_IP, .sport = PEER_PORT, .dport = ATK_MC_PORT,
		.seq = h->snd_nxt, .ack = h->rcv_nxt, .flags = flags,
		.wnd = h->wnd, .opt = opt, .optlen = optlen, .data = data,
		.len = len, .frag = ATK_IP_DF,
	};
	uint8_t f[256];

	h_send(h, f, atk_tcp_frame(f, sizeof f, &sg));
	h->snd_nxt += (uint32_t)len + ((flags & (ATK_TCP_SYN | ATK_TCP_FIN)) != 0);
}

static void
h_arp(struct hostile *h, uint16_t op, const uint8_t *tha, uint32_t tip)
{
	static const uint8_t bcast[6] = { 255, 255, 255, 255, 255, 255 };
	uint8_t f[ATK_ARP_LEN];

	atk_arp_frame(f, op, op == 1 ? bcast : tha, h->d.mac, ATK_PEER_IP, tha,
	    tip);
	h_send(h, f, sizeof f);
}

static void
h_input(struct hostile *h, const uint8_t *f, size_t n)
{
	const uint8_t *ip = f + 14, *tcp;
	size_t ihl, hlen, plen;

	if (n >= 42 && inet_get16(f + 12) == 0x0806) {
		if (inet_get16(f + 20) == 1 && inet_get32(f + 38) == ATK_PEER_IP)
			h_arp(h, 2, f + 22, inet_get32(f + 28));
		else if (inet_get16(f + 20) == 2 && inet_get32(f + 28) == ATK_MC_IP) {
			memcpy(h->smac, f + 22, 6);
			h->have_smac = true;
		}
		return;
	}
	if (n >= 46 && inet_get16(f + 12) == 0x0800 && ip[9] == 17 &&
	    (ip[0] & 15) == 5 && inet_get16(ip + 20 + 2) == PEER_PORT) {
		size_t ulen = inet_get16(ip + 20 + 4);

		if (ulen < 12 || 34 + ulen > n || h->nudp >= 4)
			return;
		memcpy(h->udp_got[h->nudp], ip + 28, 4);
		h->udp_sum_ok[h->nudp] = inet_get16(ip + 26) != 0 &&
		    inet_fold(inet_sum(ip + 20, ulen,
		    inet_sum(ip + 12, 8, 17u + (uint32_t)ulen))) == 0xffff;
		h->nudp++;
		return;
	}
	if (n < 54 || inet_get16(f + 12) != 0x0800 || ip[9] != 6)
		return;
	ihl = (size_t)(ip[0] & 15) * 4;
	tcp = ip + ihl;
	hlen = (size_t)(tcp[12] >> 4) * 4;
	plen = inet_get16(ip + 2) - ihl - hlen;
	if (inet_get16(tcp) != ATK_MC_PORT || inet_get16(tcp + 2) != PEER_PORT)
		return;
	if ((tcp[13] & (ATK_TCP_SYN | ATK_TCP_ACK)) == (ATK_TCP_SYN | ATK_TCP_ACK)) {
		if (!h->synack) {
			h->rcv_nxt = inet_get32(tcp + 4) + 1;
			h->synack = true;
		}
		return;
	}
	if (!h->accept || plen == 0)
		return;
	if (inet_get32(tcp + 4) == h->rcv_nxt &&
	    h->ngot + plen < sizeof h->got) {
		memcpy(h->got + h->ngot, tcp + hlen, plen);
		h->ngot += plen;
		h->got[h->ngot] = '\0';
		h->rcv_nxt += (uint32_t)plen;
	}
	h_tcp(h, ATK_TCP_ACK, NULL, 0, NULL);
}

/* Take what arrived, let the others run; up to rounds times, or until
 * done() holds. */
static void
h_pump(struct hostile *h, int rounds, bool (*done)(const struct hostile *))
{
	static uint8_t room[8][2048];
	struct udrv_frame fr[8];

	for (int r = 0; r < rounds && (done == NULL || !done(h)); r++) {
		int n;

		for (int i = 0; i < 8; i++)
			fr[i] = (struct udrv_frame){ .data = room[i],
			    .size = sizeof room[i] };
		n = udrv_rx_burst(&h->d, fr, 8);
		for (int i = 0; i < n; i++)
			h_input(h, fr[i].data, fr[i].len);
		wfe();
	}
}

static bool
h_has_mac(const struct hostile *h)
{
	return h->have_smac;
}

static bool
h_connected(const struct hostile *h)
{
	return h->synack;
}

static bool
h_answered(const struct hostile *h)
{
	return strstr(h->got, "VERSION ") != NULL;
}

/* Once the server is up: NIC 1 opened and the server's MAC known by
 * ARP. false: the peer cannot start. */
static bool
h_start(struct hostile *h)
{
	while (!h->srv->ready)
		wfe();
	if (udrv_open(&h->d, 1) != 0)
		return false;
	h_arp(h, 1, NULL, ATK_MC_IP);
	h_pump(h, 2000, h_has_mac);
	return h->have_smac;
}

static void
hostile_main(void *arg)
{
	static const uint8_t mss1460[4] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t mss16[4] = { 2, 4, 0, 16 };
	struct hostile *h = arg;

	if (!h_start(h))
		return;
	h->stage = 1;
	h->snd_nxt = 1000;
	h->wnd = 65535;
	h_tcp(h, ATK_TCP_SYN, mss1460, 4, NULL);
	h_pump(h, 2000, h_connected);
	if (!h->synack)
		return;
	h->stage = 2;
	h->wnd = 0;
	h_tcp(h, ATK_TCP_ACK, NULL, 0, NULL);
	h_tcp(h, ATK_TCP_ACK | ATK_TCP_PSH, NULL, 0, "stats\r\n");
	h_pump(h, 200, NULL);
	h->stage = 3;
	h_tcp(h, ATK_TCP_ACK | ATK_TCP_PSH, mss16, 4, "version\r\n");
	h_pump(h, 200, NULL);
	h->stage = 4;
	/* Open the window and read both replies. */
	h->accept = true;
	h->wnd = 65535;
	h_tcp(h, ATK_TCP_ACK, NULL, 0, NULL);
	h_pump(h, 20000, h_answered);
	h_tcp(h, ATK_TCP_RST | ATK_TCP_ACK, NULL, 0, NULL);
	udrv_close(&h->d);
}

/*
 * A fresh machine: the server process SRV describes on NIC 0 (10.0.0.1)
 * and PEER (a struct hostile) on NIC 1, run until the peer is done (the
 * server polls for ever). The server is then asked to stop, and must. 0,
 * or -1 when the machine would not boot.
 */
static int
run_with_peer(struct server_cfg *srv, struct hostile *h,
    void (*peer)(void *), void (*check)(struct kernel *, int))
{
	struct kernel_opts o;
	char err[200];
	struct kernel *k;
	struct proc_info pi;
	int sp;

	kernel_opts_default(&o);
	o.host_syscalls = false;
	k = kernel_boot(board_new(NULL, err, sizeof err), &o, err,
	    sizeof err);
	CHECK(k != NULL);
	if (k == NULL)
		return -1;
	srv->dev = 0;
	snprintf(srv->cidr, sizeof srv->cidr, "10.0.0.1/24");
	h->srv = srv;
	sp = kernel_spawn(k, "server", server_main, srv);
	kernel_spawn(k, "peer", peer, h);
	for (int i = 0; i < 1000 && kernel_run(k, 100) > 1; i++)
		continue;
	if (srv->err[0] != '\0')
		fprintf(stderr, "server: %s\n", srv->err);
	if (check != NULL)
		check(k, sp);
	srv->stop = true;
	kernel_run(k, 1000);
	kernel_proc_info(k, sp, &pi);
	CHECK(pi.state == PROC_EXITED);
	kernel_halt(k);
	return 0;
}

/* The server is still there once the peer is done. */
static void
server_runs(struct kernel *k, int sp)
{
	struct proc_info pi;

	kernel_proc_info(k, sp, &pi);
	if (pi.state != PROC_RUNNABLE)
		fprintf(stderr, "server: %s\n", pi.status);
	CHECK(pi.state == PROC_RUNNABLE);
}

static void
test_hostile_mss(void)
{
	struct server_cfg srv;
	struct hostile *h = calloc(1, sizeof *h);

	CHECK(h != NULL);
	memset(&srv, 0, sizeof srv);
	srv.app = APP_MEMCACHED;
	srv.port = ATK_MC_PORT;
	srv.mc_memory = 8u << 20;
	if (h != NULL && run_with_peer(&srv, h, hostile_main,
	    server_runs) == 0) {
		CHECK_EQ(h->stage, 4);
		CHECK(strstr(h->got, "STAT pid ") != NULL);
		CHECK(strstr(h->got, "END\r\nVERSION ") != NULL);
	}
	free(h);
}

/*
 * --- UDP checksums by the NIC ----------------------------------------------
 *
 * A raw peer sends the UDP echo (netstack.csum_offload on) three
 * datagrams: one with a right checksum, one with a wrong one, one with
 * none (0). The NIC checks the first two (RXCSUM.TUOFLD): the good one
 * reaches lwIP with its check skipped, the bad one with TCPE, so lwIP
 * checks it and drops it. The echoes leave with the checksum the NIC
 * inserted, which the peer verifies.
 */
#define ECHO_PORT	7

static void
h_udp(struct hostile *h, const char *payload, int sum)
{
	uint8_t f[64] = { 0 };
	uint8_t *ip = f + 14, *u = ip + 20;
	size_t ulen = 8 + strlen(payload);

	memcpy(f, h->smac, 6);
	memcpy(f + 6, h->d.mac, 6);
	inet_put16(f + 12, 0x0800);
	ip[0] = 0x45;
	inet_put16(ip + 2, (uint16_t)(20 + ulen));
	inet_put16(ip + 6, ATK_IP_DF);
	ip[8] = 64;
	ip[9] = 17;
	inet_put32(ip + 12, ATK_PEER_IP);
	inet_put32(ip + 16, ATK_MC_IP);
	inet_put16(ip + 10, inet_cksum(inet_sum(ip, 20, 0)));
	inet_put16(u, PEER_PORT);
	inet_put16(u + 2, ECHO_PORT);
	inet_put16(u + 4, (uint16_t)ulen);
	memcpy(u + 8, payload, ulen - 8);
	if (sum != 0) {
		uint16_t c = inet_cksum(inet_sum(u, ulen,
		    inet_sum(ip + 12, 8, 17u + (uint32_t)ulen)));

		inet_put16(u + 6, (uint16_t)(sum > 0 ? c : c ^ 0x0100));
	}
	h_send(h, f, 14 + 20 + ulen);
}

static bool
h_echoes(const struct hostile *h)
{
	return h->nudp >= 2;
}

static void
csum_peer_main(void *arg)
{
	struct hostile *h = arg;

	if (!h_start(h))
		return;
	h->stage = 1;
	h_udp(h, "good", 1);
	h_udp(h, "bad!", -1);
	h_udp(h, "none", 0);
	h_pump(h, 20000, h_echoes);
	h_pump(h, 200, NULL);	/* an echo of the bad one would come now */
	udrv_close(&h->d);
}

static void
test_csum_offload(void)
{
	struct server_cfg srv;
	struct hostile *h = calloc(1, sizeof *h);

	CHECK(h != NULL);
	memset(&srv, 0, sizeof srv);
	srv.app = APP_UDP_ECHO;
	srv.port = ECHO_PORT;
	srv.csum_offload = true;
	if (h != NULL && run_with_peer(&srv, h, csum_peer_main,
	    server_runs) == 0) {
		CHECK_EQ(h->stage, 1);
		CHECK_EQ(h->nudp, 2);
		CHECK(strcmp(h->udp_got[0], "good") == 0);
		CHECK(strcmp(h->udp_got[1], "none") == 0);
		CHECK(h->udp_sum_ok[0] && h->udp_sum_ok[1]);
		CHECK_EQ(srv.st.datagrams, 2);
		/* "none" had nothing to check; "bad!" went to lwIP. */
		CHECK_EQ(srv.st.csum_trusted, 1);
		CHECK_EQ(srv.st.csum_offloaded, 2);
	}
	free(h);
}

int
main(void)
{
	run(false);
	run(true);
	test_filter();
	test_hostile_mss();
	test_csum_offload();
	return check_done("netstack");
}
