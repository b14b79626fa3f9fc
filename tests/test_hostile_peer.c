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
#include "eval/attack_tcp.h"
#include "board/board.h"
#include "dev/e1000e.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "machine/phys.h"
#include "user/client.h"
#include "user/inet.h"
#include "user/libcapio.h"
#include "user/netstack.h"
#include "user/server.h"

#define PAGE		4096

/* --- the hostile process: TCP by hand (eval/attack_tcp.h) ------------------ */

struct hostile {
	struct server_cfg *srv;
	uint8_t smac[6];
	struct atk_tcp t;
	int stage;			/* how far it got */
	uint64_t syn_refused;		/* the server's, after the flood */
	bool done;
};

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
	struct atk_tcp *t = &h->t;
	struct atk_conn *a = &t->c[0], *b = &t->c[1], *c = &t->c[2];
	uint8_t f[128];

	while (!h->srv->ready)
		wfe();
	if (atk_tcp_open(t, 1, h->smac) != 0)
		return;
	/* 1: a value, stored before anything else. */
	if (!atk_tcp_connect(t, a, 40000, mss1460) ||
	    !atk_tcp_ask(t, a, NULL, 0, "set pre 0 0 5\r\nhello\r\n",
	    "STORED\r\n"))
		return;
	h->stage = 1;

	/* 2: the MSS sequence. */
	if (!atk_tcp_connect(t, b, 40001, mss1460))
		return;
	atk_tcp_send(t, b, ATK_TCP_ACK, 0, NULL, 0, NULL);
	atk_tcp_send(t, b, ATK_TCP_ACK | ATK_TCP_PSH, 0, NULL, 0, "stats\r\n");
	atk_tcp_pump(t, 200, 0, NULL, NULL);
	atk_tcp_send(t, b, ATK_TCP_ACK | ATK_TCP_PSH, 0, mss16, 4,
	    "version\r\n");
	atk_tcp_pump(t, 200, 0, NULL, NULL);
	atk_tcp_send(t, b, ATK_TCP_ACK, 65535, NULL, 0, NULL);
	if (!atk_tcp_pump(t, 20000, 65535, b, "END\r\nVERSION ") ||
	    strstr(b->got, "STAT pid ") == NULL)
		return;
	h->stage = 2;

	/* 3: a SYN's MSS of 1, MSS options on data, malformed options. */
	if (!atk_tcp_connect(t, c, 40002, mss1) ||
	    !atk_tcp_ask(t, c, mss8, 4, "get pre\r\n",
	    "VALUE pre 0 5\r\nhello\r\nEND\r\n"))
		return;
	if (!atk_tcp_ask(t, c, badopt, sizeof badopt, "version\r\n",
	    "VERSION "))
		return;
	h->stage = 3;

	/* 4: refused before lwIP: TCP in IPv4 fragments, IPv6. A version
	 * request in a first fragment, then in a later one: no answer. */
	c->ngot = 0;
	c->got[0] = '\0';
	atk_tcp_seg(t, c, c->snd, ATK_TCP_ACK | ATK_TCP_PSH, 65535, mss16, 4,
	    "version\r\n", 9, 0x2000);
	atk_tcp_seg(t, c, c->snd, ATK_TCP_ACK | ATK_TCP_PSH, 65535, NULL, 0,
	    "version\r\n", 9, 0x0003);
	memset(f, 0, sizeof f);
	memcpy(f, h->smac, 6);
	memcpy(f + 6, t->d.mac, 6);
	inet_put16(f + 12, 0x86dd);
	f[14] = 0x60;
	f[20] = 6;		/* next header: TCP */
	atk_tcp_raw(t, f, sizeof f);
	atk_tcp_pump(t, 400, 65535, NULL, NULL);
	if (c->ngot != 0)
		return;
	h->stage = 4;

	/* 5: a blind reset and a FIN out of the window leave the connection
	 * be; data out of order is taken once the gap is filled. */
	atk_tcp_seg(t, a, a->snd + 100000, ATK_TCP_RST, 0, NULL, 0, NULL, 0,
	    ATK_IP_DF);
	atk_tcp_seg(t, a, a->snd - 100000, ATK_TCP_FIN | ATK_TCP_ACK, 0, NULL,
	    0, NULL, 0, ATK_IP_DF);
	atk_tcp_seg(t, a, a->snd + 5, ATK_TCP_ACK | ATK_TCP_PSH, 65535, mss8, 4,
	    "pre\r\n", 5, ATK_IP_DF);
	atk_tcp_pump(t, 100, 65535, NULL, NULL);
	a->ngot = 0;
	a->got[0] = '\0';
	atk_tcp_send(t, a, ATK_TCP_ACK | ATK_TCP_PSH, 65535, NULL, 0, "gets ");
	a->snd += 5;	/* "pre\r\n" went out of order */
	if (!atk_tcp_pump(t, 20000, 65535, a, "END\r\n") || a->reset ||
	    strstr(a->got, "VALUE pre 0 5 ") == NULL)
		return;
	h->stage = 5;

	/* 6: half-open connections, then more connections than -c. */
	for (int i = 0; i < 20; i++) {
		struct atk_conn x = { .port = (uint16_t)(41000 + i),
		    .snd = 7u * (uint32_t)i };

		atk_tcp_seg(t, &x, x.snd, ATK_TCP_SYN, 65535, mss1460, 4, NULL, 0,
		    ATK_IP_DF);
	}
	atk_tcp_pump(t, 200, 65535, NULL, NULL);
	for (int i = 3; i < ATK_TCP_CONNS; i++)
		if (!atk_tcp_connect(t, &t->c[i], (uint16_t)(40000 + i), mss1460))
			return;
	atk_tcp_pump(t, 2000, 65535, NULL, NULL);
	h->stage = 6;

	/* 7: a SYN flood past NETSTACK_MAX_PCBS: the stack stops taking
	 * SYNs instead of growing; then each half-open one reset. */
	for (int i = 0; i < NETSTACK_MAX_PCBS + 64; i++) {
		struct atk_conn x = { .port = (uint16_t)(50000 + i),
		    .snd = 11u * (uint32_t)i };

		atk_tcp_seg(t, &x, x.snd, ATK_TCP_SYN, 65535, mss1460, 4, NULL, 0,
		    ATK_IP_DF);
		if (i % 16 == 15)
			atk_tcp_pump(t, 4, 65535, NULL, NULL);
	}
	atk_tcp_pump(t, 200, 65535, NULL, NULL);
	h->syn_refused = h->srv->st.syn_refused;
	for (int i = 0; i < NETSTACK_MAX_PCBS + 64; i++) {
		struct atk_conn x = { .port = (uint16_t)(50000 + i),
		    .snd = 11u * (uint32_t)i };

		atk_tcp_seg(t, &x, x.snd + 1, ATK_TCP_RST, 0, NULL, 0, NULL, 0,
		    ATK_IP_DF);
		if (i % 16 == 15)
			atk_tcp_pump(t, 4, 65535, NULL, NULL);
	}
	atk_tcp_pump(t, 200, 65535, NULL, NULL);
	h->stage = 7;

	/* Goodbye: every connection reset, NIC 1 given back. */
	atk_tcp_close(t);
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
	srv->port = ATK_MC_PORT;
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
	cc->port = ATK_MC_PORT;
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
