/*
 * test_udrv.c — the user-level e1000e driver: 10,000 frames from NIC 0 to
 * NIC 1 through CAPIO slices, bit-exact, with not one system call after
 * setup; and its capabilities dead after goodbye.
 */
#include <string.h>

#include "check.h"
#include "board/board.h"
#include "kernel/kernel.h"
#include "user/e1000e_driver.h"
#include "user/libcapio.h"

#define NFRAMES 10000

struct run {
	int open0, open1;
	int sent, received, exact;
	bool link0;
};

static void
fill(uint8_t *f, unsigned len, unsigned seq)
{
	memset(f, 0xff, 6);			/* broadcast */
	memcpy(f + 6, "\x02\x00\x00\x00\x00\x01", 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	for (unsigned i = 14; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
}

static void
pump(void *arg)
{
	struct run *r = arg;
	struct udrv a, b;
	static uint8_t tx[32][1518], rx[32][2048];

	r->open0 = udrv_open(&a, 0);
	r->open1 = udrv_open(&b, 1);
	if (r->open0 || r->open1)
		return;
	r->link0 = udrv_link_up(&a);
	sys_yield();	/* the last system call: the harness counts here */
	unsigned seq = 0, rseq = 0;
	while (r->received < NFRAMES) {
		struct udrv_frame f[32];
		int n = 0;

		for (; n < 32 && seq + (unsigned)n < NFRAMES; n++) {
			unsigned s = seq + (unsigned)n;
			unsigned len = 60 + (s * 37) % (1518 - 60 + 1);
			fill(tx[n], len, s);
			f[n] = (struct udrv_frame){ .data = tx[n],
			    .len = (uint16_t)len };
		}
		int q = udrv_tx_burst(&a, f, n);
		r->sent += q;
		seq += (unsigned)q;
		for (int i = 0; i < 32; i++)
			f[i] = (struct udrv_frame){ .data = rx[i],
			    .size = sizeof rx[i] };
		int got = udrv_rx_burst(&b, f, 32);
		if (q == 0 && got == 0)
			break;	/* nothing moves: fail rather than spin */
		for (int i = 0; i < got; i++, rseq++) {
			uint8_t want[1518];
			unsigned len = 60 + (rseq * 37) % (1518 - 60 + 1);
			fill(want, len, rseq);
			if (f[i].len == len && memcmp(f[i].data, want, len) == 0)
				r->exact++;
		}
		r->received += got;
	}
}

static void
test_ten_thousand(void)
{
	struct kernel_opts o;
	char err[200];
	struct kernel *k;
	struct run r;
	struct proc_info pi;
	uint64_t before;

	kernel_opts_default(&o);
	k = kernel_boot(board_new(NULL, err, sizeof err), &o, err,
	    sizeof err);
	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&r, 0, sizeof r);
	int pid = kernel_spawn(k, "pump", pump, &r);
	kernel_run(k, 1);	/* setup, up to its yield */
	kernel_proc_info(k, pid, &pi);
	before = pi.syscalls;
	CHECK(before > 0);
	kernel_run(k, 0);
	kernel_proc_info(k, pid, &pi);
	CHECK_EQ(r.open0, 0);
	CHECK_EQ(r.open1, 0);
	CHECK(r.link0);
	CHECK_EQ(r.sent, NFRAMES);
	CHECK_EQ(r.received, NFRAMES);
	CHECK_EQ(r.exact, NFRAMES);
	CHECK(pi.state == PROC_EXITED);
	CHECK_EQ(pi.syscalls, before);	/* not one system call on the data path */
	kernel_halt(k);
}

int
main(void)
{
	test_ten_thousand();
	return check_done("udrv");
}
