/*
 * test_claim.c — the kernel-mediated path is a claim: a process serving
 * a NIC through it holds a sealed token that send and recv require, and
 * no one else may receive its frames, send as it, or take the NIC from
 * it; goodbye, exit and kill end the claim, and a new one then works.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "check.h"
#include "board/board.h"
#include "dev/e1000e.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

#define FLEN	60

static void
frame(uint8_t *f, unsigned seq)
{
	memset(f, 0, FLEN);
	memset(f, 0xff, 6);
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x42", 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	f[14] = (uint8_t)seq;
}

static bool
claim(int dev, cap_t *token, cap_t *buf)
{
	cap_t id;

	return sys_mmap(4096, buf) == 0 && sys_mmap(4096, &id) == 0 &&
	    capio_attach_kernel_path(dev, id, token) == 0;
}

/* --- sniff, spoof, hijack ------------------------------------------------ */

struct scene {
	cap_t victim_token;		/* leaked to the thief */
	bool victim_ready, peer_sent, thief_done, victim_done;
	int sniff[3], spoof[3], hijack[2];
	int got, intact;		/* the victim's frames */
	int peer_rx;			/* what NIC 1 received */
};

/* Serves NIC 0 through the kernel path; reads only once the thief is done,
 * so the peer's frames wait in the ring while the thief tries. */
static void
victim_main(void *arg)
{
	struct scene *s = arg;
	uint8_t f[2048], want[FLEN];
	cap_t t, m;
	int64_t n;

	if (!claim(0, &t, &m))
		return;
	s->victim_token = t;
	s->victim_ready = true;
	while (!s->thief_done)
		sys_yield();
	while ((n = sys_recv(0, t, m, sizeof f, NULL)) >= 0) {
		ldbytes(m, 0, f, (size_t)n);
		frame(want, (unsigned)s->got++);
		if (n == FLEN && memcmp(f, want, FLEN) == 0)
			s->intact++;
	}
	s->victim_done = true;
}

static void
peer_main(void *arg)
{
	struct scene *s = arg;
	uint8_t f[FLEN];
	cap_t t, m;

	if (!claim(1, &t, &m))
		return;
	for (unsigned i = 0; i < 3; i++) {
		frame(f, i);
		stbytes(m, 0, f, FLEN);
		if (sys_send(1, t, m, FLEN) != FLEN)
			return;
	}
	s->peer_sent = true;
	while (!s->victim_done)
		sys_yield();
	while (sys_recv(1, t, m, 2048, NULL) >= 0)
		s->peer_rx++;
}

static void
thief_main(void *arg)
{
	struct scene *s = arg;
	uint8_t f[FLEN];
	cap_t id, m, t;

	sys_mmap(4096, &id);
	sys_mmap(4096, &m);
	while (!s->peer_sent)
		sys_yield();
	sys_yield();	/* the frames are in NIC 0's ring now */
	/* No token; its own identity; the victim's token, stolen. */
	s->sniff[0] = (int)sys_recv(0, cap_null(), m, 2048, NULL);
	s->sniff[1] = (int)sys_recv(0, id, m, 2048, NULL);
	s->sniff[2] = (int)sys_recv(0, s->victim_token, m, 2048, NULL);
	frame(f, 99);
	stbytes(m, 0, f, FLEN);
	s->spoof[0] = (int)sys_send(0, cap_null(), m, FLEN);
	s->spoof[1] = (int)sys_send(0, id, m, FLEN);
	s->spoof[2] = (int)sys_send(0, s->victim_token, m, FLEN);
	s->hijack[0] = capio_attach(0, id, &t);
	s->hijack[1] = capio_attach_kernel_path(0, id, &t);
	s->thief_done = true;
}

static void
test_sniff_spoof_hijack(void)
{
	struct kernel *k = test_boot(NULL);
	struct scene s;
	struct kernel_stats st;

	memset(&s, 0, sizeof s);
	kernel_spawn(k, "victim", victim_main, &s);
	kernel_spawn(k, "peer", peer_main, &s);
	kernel_spawn(k, "thief", thief_main, &s);
	kernel_run(k, 200);
	for (int i = 0; i < 3; i++) {
		CHECK_EQ(s.sniff[i], -EPERM);
		CHECK_EQ(s.spoof[i], -EPERM);
	}
	CHECK_EQ(s.hijack[0], -EBUSY);
	CHECK_EQ(s.hijack[1], -EBUSY);
	/* The victim got all its frames; nothing went out as NIC 0. */
	CHECK_EQ(s.got, 3);
	CHECK_EQ(s.intact, 3);
	CHECK_EQ(s.peer_rx, 0);
	kernel_get_stats(k, &st);
	CHECK(st.claim_refusals >= 8);
	kernel_halt(k);
}

/* --- what each mode grants ---------------------------------------------- */

struct modes {
	int user_send, user_recv, kpath_map, kpath_info, bad_flag, twice;
	int kpath_goodbye, after_goodbye;
};

static void
modes_main(void *arg)
{
	struct modes *m = arg;
	struct capio_grant g;
	struct capio_desc desc;
	struct sysargs a;
	struct sysret r;
	uint64_t info[8];
	cap_t id, t, t2, buf;

	sys_mmap(4096, &id);
	sys_mmap(4096, &buf);
	capio_describe(0, buf, &desc);
	/* A user-level holder's token does not open the kernel path. */
	capio_attach(0, id, &t);
	m->user_send = (int)sys_send(0, t, buf, FLEN);
	m->user_recv = (int)sys_recv(0, t, buf, 2048, NULL);
	capio_goodbye(0, t);
	/* A kernel-path claim maps nothing, but may read the stub's info. */
	capio_attach_kernel_path(0, id, &t);
	m->kpath_map = capio_map(0, t, &desc, "tx_buffers", false, &g);
	m->kpath_info = capio_info(0, t, info);
	m->twice = capio_attach_kernel_path(0, id, &t2);
	m->kpath_goodbye = capio_goodbye(0, t);
	m->after_goodbye = (int)sys_recv(0, t, buf, 2048, NULL);
	a = (struct sysargs){ .x = { 1, 2 }, .c = { id } };
	m->bad_flag = (int)capio_syscall(SYS_ATTACH, &a, &r);
}

static void
test_modes(void)
{
	struct kernel *k = test_boot(NULL);
	struct modes m;

	memset(&m, 0x7f, sizeof m);
	kernel_spawn(k, "modes", modes_main, &m);
	kernel_run(k, 10);
	CHECK_EQ(m.user_send, -EPERM);
	CHECK_EQ(m.user_recv, -EPERM);
	CHECK_EQ(m.kpath_map, -EPERM);
	CHECK_EQ(m.kpath_info, 0);
	CHECK_EQ(m.twice, -EBUSY);
	CHECK_EQ(m.kpath_goodbye, 0);
	CHECK_EQ(m.after_goodbye, -EPERM);
	CHECK_EQ(m.bad_flag, -EINVAL);
	kernel_halt(k);
}

/* --- release on goodbye, exit and kill; a new claim works --------------- */

enum how { BY_GOODBYE, BY_EXIT, BY_KILL };

struct release {
	enum how how;
	bool held, leave;
	int next_claim, next_sent, next_recv;
};

/* Claims NIC 1, leaves a frame unread in it, and lets go as told. */
static void
holder_main(void *arg)
{
	struct release *rl = arg;
	cap_t t, m;

	if (!claim(1, &t, &m))
		return;
	rl->held = true;
	while (!rl->leave)
		sys_yield();
	if (rl->how == BY_GOODBYE) {
		capio_goodbye(1, t);
		for (;;)
			sys_yield();	/* alive, without the claim */
	}
	if (rl->how == BY_EXIT)
		sys_exit(0);
	for (;;)
		sys_yield();		/* until killed */
}

/* Sends a frame from NIC 0 to NIC 1 (without a claim of NIC 1). */
static void
sender_main(void *arg)
{
	uint8_t f[FLEN];
	cap_t t, m;

	(void)arg;
	if (!claim(0, &t, &m))
		return;
	frame(f, 7);
	stbytes(m, 0, f, FLEN);
	sys_send(0, t, m, FLEN);
}

static void
next_main(void *arg)
{
	struct release *rl = arg;
	uint8_t f[FLEN];
	cap_t id, t, m;

	sys_mmap(4096, &id);
	sys_mmap(4096, &m);
	rl->next_claim = capio_attach_kernel_path(1, id, &t);
	if (rl->next_claim != 0)
		return;
	/* What the last holder left unread was dropped. */
	rl->next_recv = (int)sys_recv(1, t, m, 2048, NULL);
	frame(f, 8);
	stbytes(m, 0, f, FLEN);
	rl->next_sent = (int)sys_send(1, t, m, FLEN);
}

static void
test_release(enum how how)
{
	struct kernel *k = test_boot(NULL);
	struct release rl = { .how = how };
	uint64_t free0;
	int holder;

	kernel_run(k, 1);
	free0 = kernel_free_pages(k);
	holder = kernel_spawn(k, "holder", holder_main, &rl);
	kernel_run(k, 1);
	CHECK(rl.held);
	kernel_spawn(k, "sender", sender_main, NULL);
	kernel_run(k, 3);
	/* Held: a newcomer is refused. */
	kernel_spawn(k, "next", next_main, &rl);
	kernel_run(k, 2);
	CHECK_EQ(rl.next_claim, -EBUSY);
	rl.leave = true;
	if (how == BY_KILL)
		CHECK_EQ(kernel_kill(k, holder, "the test"), 0);
	kernel_run(k, 2);
	memset(&rl.next_claim, 0x7f, 3 * sizeof(int));
	kernel_spawn(k, "next", next_main, &rl);
	kernel_run(k, 5);
	CHECK_EQ(rl.next_claim, 0);
	CHECK_EQ(rl.next_recv, -EAGAIN);
	CHECK_EQ(rl.next_sent, FLEN);
	if (how == BY_GOODBYE)
		kernel_kill(k, holder, "the test");
	/* Every process has ended: everything they held came back. */
	kernel_run(k, 5);
	CHECK_EQ(kernel_free_pages(k), free0);
	kernel_halt(k);
}

int
main(void)
{
	test_sniff_spoof_hijack();
	test_modes();
	test_release(BY_GOODBYE);
	test_release(BY_EXIT);
	test_release(BY_KILL);
	return check_done("claim");
}
