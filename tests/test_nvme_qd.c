/*
 * test_nvme_qd.c — the user-level NVMe driver's queued commands
 * (nvme_driver.h): 32 writes submitted and one SQ tail doorbell rung for
 * all, 32 completions reaped with one CQ head doorbell, then 32 reads
 * whose data is checked; rounds enough to wrap both rings and the phase
 * tag; transfers of two pages (PRP2), three and 32 (PRP lists), queued
 * and synchronous; the limits (EAGAIN when the queue or the pool is
 * full, EINVAL for bad requests, EBUSY for a synchronous call while
 * commands are queued); a device error reported in the command's
 * status. No system call from the open to the end.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "check.h"
#include "board/board.h"
#include "dev/nvme.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/libcapio.h"
#include "user/nvme_driver.h"

#define NVME_DEV	2
#define QD		32
#define ROUNDS		5	/* 160 commands each way: the 64-entry rings
				   wrap, the phase tag turns */
#define NBLOCKS		2048	/* 1 MiB of 512-byte blocks */

static uint8_t
pat(uint64_t lba, unsigned i, unsigned round)
{
	return (uint8_t)(lba * 13 + i * 7 + round * 101 + (i >> 8));
}

struct qd {
	int open;
	uint64_t calls_open;
	/* queued rounds */
	bool one_sq_doorbell, one_cq_doorbell, all_ok, same, ios_back;
	unsigned staged_seen;
	/* multi-page */
	int big_status[4], sync_w, sync_r;
	bool big_same[4], sync_same;
	/* limits */
	int full_at, pool_again, bad_op, bad_nlb0, bad_nlb_big, busy;
	unsigned inflight_full;
	int drained;
	/* a device error */
	int range_status;
	uint64_t stray;
};

static uint8_t bufs[QD][4096];
static uint8_t big[2][NVDRV_MAX_XFER];

static void
qd_main(void *arg)
{
	struct qd *q = arg;
	struct nvdrv_io io[NVDRV_MAX_CMDS], *done[NVDRV_MAX_CMDS];
	static struct nvdrv d;
	uint64_t db;

	if ((q->open = nvdrv_open(&d, NVME_DEV, 0)) != 0)
		return;
	q->calls_open = 1;	/* the rig reads the count from here on */
	sys_yield();

	q->one_sq_doorbell = q->one_cq_doorbell = q->all_ok = q->same = true;
	q->ios_back = true;
	for (unsigned r = 0; r < ROUNDS; r++) {
		/* Distinct 4 KiB blocks each round: LBA 8 * (i + 32 r). */
		for (int pass = 0; pass < 2; pass++) {
			bool wr = pass == 0;
			int got = 0;

			for (unsigned i = 0; i < QD; i++) {
				uint64_t lba = 8 * (i + QD * r) % NBLOCKS;

				if (wr)
					for (unsigned b = 0; b < 4096; b++)
						bufs[i][b] = pat(lba, b, r);
				else
					memset(bufs[i], 0, 4096);
				io[i] = (struct nvdrv_io){ .op = wr ? NVDRV_WRITE :
				    NVDRV_READ, .slba = lba, .nlb = 8,
				    .data = bufs[i], .status = -1 };
				q->all_ok = q->all_ok && nvdrv_submit(&d, &io[i]) == 0;
			}
			q->staged_seen = d.staged;
			db = d.st.doorbells;
			q->one_sq_doorbell = q->one_sq_doorbell &&
			    nvdrv_kick(&d) == QD && d.st.doorbells == db + 1;
			db = d.st.doorbells;
			got = nvdrv_poll(&d, done, NVDRV_MAX_CMDS);
			q->one_cq_doorbell = q->one_cq_doorbell && got == QD &&
			    d.st.doorbells == db + 1;
			for (int i = 0; i < got; i++) {
				q->all_ok = q->all_ok && done[i]->status == 0;
				q->ios_back = q->ios_back && done[i] == &io[i];
			}
			if (!wr)
				for (unsigned i = 0; i < QD; i++) {
					uint64_t lba = 8 * (i + QD * r) % NBLOCKS;

					for (unsigned b = 0; b < 4096; b++)
						q->same = q->same &&
						    bufs[i][b] == pat(lba, b, r);
				}
		}
	}

	/* Two pages (PRP2), three and 32 (a PRP list), queued together;
	 * then read back into zeroed memory. */
	{
		static const unsigned pages[3] = { 2, 3, 32 };
		static const uint64_t at[3] = { 1000, 1100, 1200 };

		for (int pass = 0; pass < 2; pass++) {
			for (unsigned j = 0; j < 3; j++) {
				uint8_t *p = j < 2 ? big[0] + j * 16384 : big[1];
				uint64_t len = pages[j] * 4096ull;

				for (uint64_t b = 0; b < len; b++)
					p[b] = pass == 0 ? pat(at[j], (unsigned)b, 7) : 0;
				io[j] = (struct nvdrv_io){ .op = pass == 0 ?
				    NVDRV_WRITE : NVDRV_READ, .slba = at[j],
				    .nlb = pages[j] * 8, .data = p };
				if (nvdrv_submit(&d, &io[j]) != 0)
					q->big_status[j] = -100;
			}
			if (nvdrv_poll(&d, done, 8) != 3)
				q->big_status[3] = -101;
			for (unsigned j = 0; j < 3; j++)
				if (io[j].status != 0)
					q->big_status[j] = io[j].status;
		}
		for (unsigned j = 0; j < 3; j++) {
			uint8_t *p = j < 2 ? big[0] + j * 16384 : big[1];

			q->big_same[j] = true;
			for (uint64_t b = 0; b < pages[j] * 4096ull; b++)
				q->big_same[j] = q->big_same[j] &&
				    p[b] == pat(at[j], (unsigned)b, 7);
		}
		/* The synchronous calls take the largest too. */
		for (unsigned b = 0; b < NVDRV_MAX_XFER; b++)
			big[0][b] = (uint8_t)(b * 3 + 1);
		q->sync_w = nvdrv_write(&d, 1600, NVDRV_MAX_XFER / 512, big[0]);
		memset(big[1], 0, NVDRV_MAX_XFER);
		q->sync_r = nvdrv_read(&d, 1600, NVDRV_MAX_XFER / 512, big[1]);
		q->sync_same = memcmp(big[0], big[1], NVDRV_MAX_XFER) == 0;
	}

	/* Limits: requests no queue takes, then a full queue. */
	io[0] = (struct nvdrv_io){ .op = 0, .slba = 0, .nlb = 1, .data = bufs[0] };
	q->bad_op = nvdrv_submit(&d, &io[0]);
	io[0].op = NVDRV_READ;
	io[0].nlb = 0;
	q->bad_nlb0 = nvdrv_submit(&d, &io[0]);
	io[0].nlb = NVDRV_MAX_XFER / 512 + 1;
	q->bad_nlb_big = nvdrv_submit(&d, &io[0]);
	q->full_at = -1;
	for (unsigned i = 0; i < NVDRV_MAX_CMDS; i++) {
		io[i] = (struct nvdrv_io){ .op = NVDRV_READ, .slba = i,
		    .nlb = 1, .data = bufs[i % QD] };
		if (nvdrv_submit(&d, &io[i]) == -EAGAIN) {
			q->full_at = (int)i;
			break;
		}
	}
	q->inflight_full = nvdrv_inflight(&d);
	q->busy = nvdrv_read(&d, 0, 1, bufs[0]);
	q->drained = 0;
	while (nvdrv_inflight(&d) > 0 && q->drained < 1000)
		q->drained += nvdrv_poll(&d, done, NVDRV_MAX_CMDS);
	/* The pool: two of the largest (33 pages each) do not fit at once. */
	io[0] = (struct nvdrv_io){ .op = NVDRV_READ, .slba = 0,
	    .nlb = NVDRV_MAX_XFER / 512, .data = big[0] };
	io[1] = io[0];
	io[1].data = big[1];
	q->pool_again = nvdrv_submit(&d, &io[0]) == 0 ?
	    nvdrv_submit(&d, &io[1]) : -1000;
	while (nvdrv_inflight(&d) > 0 && nvdrv_poll(&d, done, 8) >= 0)
		;
	/* A read past the end: the controller's LBA Out of Range. */
	io[0] = (struct nvdrv_io){ .op = NVDRV_READ, .slba = NBLOCKS, .nlb = 1,
	    .data = bufs[0] };
	if (nvdrv_submit(&d, &io[0]) == 0 && nvdrv_poll(&d, done, 1) == 1)
		q->range_status = io[0].status;
	q->stray = d.st.stray;
	q->calls_open = 2;
	sys_yield();
}

static void
test_queued(void)
{
	struct kernel *k = test_boot_nvme(NULL, 8, NBLOCKS * 512);
	struct proc_info a, b;
	struct qd q;
	int pid;

	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&q, 0, sizeof q);
	pid = kernel_spawn(k, "qd", qd_main, &q);
	while (q.calls_open == 0 && kernel_run(k, 1) > 0)
		;
	a = test_proc_info(k, pid);
	while (q.calls_open == 1 && kernel_run(k, 1) > 0)
		;
	b = test_proc_info(k, pid);
	kernel_run(k, 0);
	CHECK_EQ(q.open, 0);
	CHECK_EQ(q.calls_open, 2);
	CHECK_EQ(q.staged_seen, QD);
	CHECK(q.one_sq_doorbell);
	CHECK(q.one_cq_doorbell);
	CHECK(q.all_ok);
	CHECK(q.ios_back);
	CHECK(q.same);
	for (unsigned j = 0; j < 4; j++)
		CHECK_EQ(q.big_status[j], 0);
	for (unsigned j = 0; j < 3; j++)
		CHECK(q.big_same[j]);
	CHECK_EQ(q.sync_w, 0);
	CHECK_EQ(q.sync_r, 0);
	CHECK(q.sync_same);
	CHECK_EQ(q.bad_op, -EINVAL);
	CHECK_EQ(q.bad_nlb0, -EINVAL);
	CHECK_EQ(q.bad_nlb_big, -EINVAL);
	/* 64 entries, one always empty: 63 in flight. */
	CHECK_EQ(q.full_at, 63);
	CHECK_EQ(q.inflight_full, 63);
	CHECK_EQ(q.busy, -EBUSY);
	CHECK_EQ(q.drained, 63);
	CHECK_EQ(q.pool_again, -EAGAIN);
	CHECK_EQ(q.range_status, NVME_SC_LBA_RANGE | NVME_STATUS_DNR);
	CHECK_EQ(q.stray, 0);
	/* Between the open and the end: the yields the test made, no
	 * other system call. */
	CHECK_EQ(b.syscalls - a.syscalls, 1);
	CHECK_EQ(b.syscalls_by_nr[SYS_YIELD] - a.syscalls_by_nr[SYS_YIELD], 1);
	kernel_halt(k);
}

int
main(void)
{
	test_queued();
	return check_done("nvme_qd");
}
