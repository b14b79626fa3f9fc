/*
 * test_nvme_kpath.c — the kernel-mediated block path (abi/blk.h) on an
 * NVMe unit: a process claims unit 0 in kernel-path mode and reads,
 * writes and flushes through SYS_BLK_*; one block, two pages (PRP2), the
 * largest request (a PRP list), batches through SYS_BLK_SUBMIT; what it
 * wrote a user-level holder of another unit reads back. Then every
 * hostile argument: bad lengths and ranges, buffers that are untagged,
 * sealed, lack the permission, are too small or point past their bounds
 * or at a doorbell, forged and wrong tokens, a NIC's claim, bad record
 * arrays; each gets its errno and none reaches the controller. A claim
 * that ends (goodbye or exit) deletes the unit's queues.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "check.h"
#include "abi/blk.h"
#include "abi/nvme.h"
#include "board/board.h"
#include "dev/nvme.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/libcapio.h"
#include "user/nvme_driver.h"

#define NVME_DEV	2	/* after the two NICs */
#define BIG		(BLK_MAX_BYTES / 512)	/* blocks of the largest */

/* 2048 blocks; a process may hold four units. */
static struct kernel *
boot(void)
{
	struct kernel_opts o;

	kernel_opts_default(&o);
	o.proc_devs_max = 4;
	return test_boot_nvme(&o, 8, 1u << 20);
}

static struct nvme *
ctrl(struct kernel *k)
{
	return board_nvme(kernel_board(k), 0);
}

static bool
qlive(struct kernel *k, unsigned qid)
{
	struct nvme_queue_state q;

	return nvme_queue_state(ctrl(k), qid, &q) == 0 && q.sq_live &&
	    q.cq_live;
}

static uint8_t
pat(uint64_t i, unsigned seed)
{
	return (uint8_t)(i * 31 + seed * 7 + (i >> 9));
}

/* LEN bytes of pattern SEED through C. */
static void
fill(cap_t c, uint64_t len, unsigned seed)
{
	uint8_t b[4096];

	for (uint64_t off = 0; off < len; off += sizeof b) {
		uint64_t n = len - off < sizeof b ? len - off : sizeof b;

		for (uint64_t i = 0; i < n; i++)
			b[i] = pat(off + i, seed);
		stbytes(c, (int64_t)off, b, n);
	}
}

static bool
holds(cap_t c, uint64_t len, unsigned seed)
{
	uint8_t b[4096];

	for (uint64_t off = 0; off < len; off += sizeof b) {
		uint64_t n = len - off < sizeof b ? len - off : sizeof b;

		ldbytes(c, (int64_t)off, b, n);
		for (uint64_t i = 0; i < n; i++)
			if (b[i] != pat(off + i, seed))
				return false;
	}
	return true;
}

static cap_t
sub(cap_t c, uint64_t off, uint64_t len)
{
	return cheri_bounds_set_exact(cheri_address_set(c,
	    cheri_base_get(c) + off), len);
}

/* --- reads and writes through the kernel ------------------------------ */

enum { W1, R1, W2, R2, WBIG, RBIG, FLUSH, NRW };

struct rw {
	int attach, info, busy_user;
	uint64_t lba, nblocks, qid;
	int64_t rc[NRW];
	bool same1, same2, samebig;
	/* a batch of 32 writes, then of 32 reads */
	int64_t wbatch, rbatch;
	int64_t wres[BLK_BATCH_MAX], rres[BLK_BATCH_MAX];
	bool batch_same;
	uint64_t calls0, calls1;
	int goodbye;
};

static void
rw_main(void *arg)
{
	struct rw *r = arg;
	cap_t id, tok, mem, out, in, recs, ucap;
	uint64_t info[8];

	if (sys_mmap(4096, &id) != 0 || sys_mmap(2 * BLK_MAX_BYTES, &mem) != 0 ||
	    sys_mmap(BLK_BATCH_MAX * BLK_REQ_SIZE, &recs) != 0)
		return;
	out = sub(mem, 0, BLK_MAX_BYTES);
	in = sub(mem, BLK_MAX_BYTES, BLK_MAX_BYTES);
	r->attach = capio_attach_kernel_path_unit(NVME_DEV, 0, id, &tok);
	if (r->attach != 0)
		return;
	/* A claim in either mode holds the unit. */
	if (sys_mmap(4096, &ucap) == 0)
		r->busy_user = capio_attach_unit(NVME_DEV, 0, ucap, &ucap);
	r->info = capio_info(NVME_DEV, tok, info);
	r->lba = info[NVME_INFO_LBA_SIZE];
	r->nblocks = info[NVME_INFO_NBLOCKS];
	r->qid = info[NVME_INFO_QID];
	r->calls0 = 0;

	fill(out, BLK_MAX_BYTES, 1);
	r->rc[W1] = sys_blk_write(NVME_DEV, tok, 10, 1, out);
	r->rc[R1] = sys_blk_read(NVME_DEV, tok, 10, 1, in);
	r->same1 = holds(in, 512, 1);
	fill(out, BLK_MAX_BYTES, 2);
	r->rc[W2] = sys_blk_write(NVME_DEV, tok, 100, 16, out);	/* PRP2 */
	r->rc[R2] = sys_blk_read(NVME_DEV, tok, 100, 16, in);
	r->same2 = holds(in, 8192, 2);
	fill(out, BLK_MAX_BYTES, 3);
	r->rc[WBIG] = sys_blk_write(NVME_DEV, tok, 1024, BIG, out); /* list */
	r->rc[RBIG] = sys_blk_read(NVME_DEV, tok, 1024, BIG, in);
	r->samebig = holds(in, BLK_MAX_BYTES, 3);
	r->rc[FLUSH] = sys_blk_flush(NVME_DEV, tok);

	/* 32 writes of 4 KiB in one call, then 32 reads: QD32. */
	fill(out, BLK_MAX_BYTES, 4);
	for (unsigned i = 0; i < BLK_BATCH_MAX; i++)
		blk_req_put(recs, i, BLK_OP_WRITE, 200 + 8 * i, 8,
		    sub(out, 4096 * i, 4096));
	r->wbatch = sys_blk_submit(NVME_DEV, tok, recs, BLK_BATCH_MAX);
	for (unsigned i = 0; i < BLK_BATCH_MAX; i++) {
		r->wres[i] = blk_req_result(recs, i);
		/* Reads in reverse order: each lands where it belongs. */
		blk_req_put(recs, i, BLK_OP_READ, 200 + 8 * (31 - i), 8,
		    sub(in, 4096 * (31 - i), 4096));
	}
	r->rbatch = sys_blk_submit(NVME_DEV, tok, recs, BLK_BATCH_MAX);
	for (unsigned i = 0; i < BLK_BATCH_MAX; i++)
		r->rres[i] = blk_req_result(recs, i);
	r->batch_same = holds(in, BLK_MAX_BYTES, 4);
	r->goodbye = capio_goodbye(NVME_DEV, tok);
}

/* Reads back through a user-level holder of unit 1. */
struct reader {
	int open, rd1, rdbig;
	bool same1, samebig;
};

static void
reader_main(void *arg)
{
	static uint8_t b[BLK_MAX_BYTES];
	struct reader *r = arg;
	struct nvdrv d;

	if ((r->open = nvdrv_open(&d, NVME_DEV, 1)) != 0)
		return;
	r->rd1 = nvdrv_read(&d, 10, 1, b);
	r->same1 = true;
	for (unsigned i = 0; i < 512; i++)
		r->same1 = r->same1 && b[i] == pat(i, 1);
	r->rdbig = nvdrv_read(&d, 1024, BIG, b);
	r->samebig = true;
	for (unsigned i = 0; i < BLK_MAX_BYTES; i++)
		r->samebig = r->samebig && b[i] == pat(i, 3);
}

static void
test_read_write(void)
{
	struct kernel *k = boot();
	struct nvme_counters c0, c1;
	struct proc_info pi;
	struct reader rd;
	struct rw r;
	int pid;

	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&r, 0, sizeof r);
	memset(&rd, 0, sizeof rd);
	nvme_get_counters(ctrl(k), &c0);
	pid = kernel_spawn(k, "kpath", rw_main, &r);
	kernel_run(k, 0);
	nvme_get_counters(ctrl(k), &c1);
	CHECK_EQ(r.attach, 0);
	CHECK_EQ(r.busy_user, -EBUSY);
	CHECK_EQ(r.info, 0);
	CHECK_EQ(r.lba, 512);
	CHECK_EQ(r.nblocks, 2048);
	CHECK_EQ(r.qid, 1);
	CHECK_EQ(r.rc[W1], 512);
	CHECK_EQ(r.rc[R1], 512);
	CHECK(r.same1);
	CHECK_EQ(r.rc[W2], 8192);
	CHECK_EQ(r.rc[R2], 8192);
	CHECK(r.same2);
	CHECK_EQ(r.rc[WBIG], BLK_MAX_BYTES);
	CHECK_EQ(r.rc[RBIG], BLK_MAX_BYTES);
	CHECK(r.samebig);
	CHECK_EQ(r.rc[FLUSH], 0);
	CHECK_EQ(r.wbatch, BLK_BATCH_MAX);
	CHECK_EQ(r.rbatch, BLK_BATCH_MAX);
	for (unsigned i = 0; i < BLK_BATCH_MAX; i++) {
		CHECK_EQ(r.wres[i], 4096);
		CHECK_EQ(r.rres[i], 4096);
	}
	CHECK(r.batch_same);
	CHECK_EQ(r.goodbye, 0);
	/* Seven single calls and two batches of 32: that many commands, one
	 * system call each call. */
	CHECK_EQ(c1.io_cmds - c0.io_cmds, 7 + 2 * BLK_BATCH_MAX);
	CHECK_EQ(c1.cmd_errors, c0.cmd_errors);
	CHECK_EQ(c1.dma_faults, c0.dma_faults);
	pi = test_proc_info(k, pid);
	CHECK_EQ(pi.syscalls_by_nr[SYS_BLK_READ], 3);
	CHECK_EQ(pi.syscalls_by_nr[SYS_BLK_WRITE], 3);
	CHECK_EQ(pi.syscalls_by_nr[SYS_BLK_FLUSH], 1);
	CHECK_EQ(pi.syscalls_by_nr[SYS_BLK_SUBMIT], 2);
	/* Goodbye deleted the kernel's queues of unit 0. */
	CHECK(!qlive(k, 1));
	/* What the kernel wrote, a user-level holder of unit 1 reads. */
	kernel_spawn(k, "reader", reader_main, &rd);
	kernel_run(k, 0);
	CHECK_EQ(rd.open, 0);
	CHECK_EQ(rd.rd1, 0);
	CHECK(rd.same1);
	CHECK_EQ(rd.rdbig, 0);
	CHECK(rd.samebig);
	kernel_halt(k);
}

/* --- hostile arguments -------------------------------------------------- */

enum {
	H_NLB0, H_NLB_BIG, H_NLB_HUGE, H_SLBA_END, H_SLBA_CROSS, H_SLBA_WRAP,
	H_UNTAGGED, H_SEALED, H_RD_NOSTORE, H_WR_NOLOAD, H_SMALL, H_PAST,
	H_BELOW, H_BEYOND, H_DOORBELL, H_FORGED, H_USER_TOKEN, H_OTHER_DEV, H_NODEV,
	H_SEND, H_RECV, H_MAP, H_NIC_BLK, H_NIC_FLUSH,
	H_SUB0, H_SUB_MANY, H_SUB_MISALIGNED, H_SUB_SHORT, H_SUB_RO,
	H_SUB_NOCAP, H_SUB_MIXED, H_SUB_OVER, H_READBACK, NH
};

#define NMIX	6

struct hostile {
	int attach, user_open, nic_attach;
	int64_t rc[NH];
	int64_t mix[NMIX], over[2];
	bool mixed_same, short_untouched;
	uint64_t calls;
};

static void
hostile_main(void *arg)
{
	struct hostile *h = arg;
	cap_t id, tok, mem, out, in, recs, nid, ntok;
	struct sysargs a;
	struct sysret sr;
	struct nvdrv u;

	if (sys_mmap(4096, &id) != 0 || sys_mmap(2 * BLK_MAX_BYTES, &mem) != 0 ||
	    sys_mmap(4096, &recs) != 0 || sys_mmap(4096, &nid) != 0)
		return;
	out = sub(mem, 0, BLK_MAX_BYTES);
	in = sub(mem, BLK_MAX_BYTES, BLK_MAX_BYTES);
	if ((h->attach = capio_attach_kernel_path_unit(NVME_DEV, 0, id,
	    &tok)) != 0)
		return;
	/* Unit 1 as a user-level driver: a token of the other kind, and a
	 * doorbell capability to pass as a buffer. */
	h->user_open = nvdrv_open(&u, NVME_DEV, 1);
	h->nic_attach = capio_attach_kernel_path(0, nid, &ntok);
	fill(out, 4096, 9);

	h->rc[H_NLB0] = sys_blk_read(NVME_DEV, tok, 0, 0, in);
	h->rc[H_NLB_BIG] = sys_blk_read(NVME_DEV, tok, 0, BIG + 1, in);
	h->rc[H_NLB_HUGE] = sys_blk_read(NVME_DEV, tok, 0, 1ull << 32, in);
	h->rc[H_SLBA_END] = sys_blk_read(NVME_DEV, tok, 2048, 1, in);
	h->rc[H_SLBA_CROSS] = sys_blk_write(NVME_DEV, tok, 2047, 2, out);
	h->rc[H_SLBA_WRAP] = sys_blk_write(NVME_DEV, tok, UINT64_MAX, 2, out);
	h->rc[H_UNTAGGED] = sys_blk_read(NVME_DEV, tok, 0, 1,
	    cheri_tag_clear(in));
	h->rc[H_SEALED] = sys_blk_read(NVME_DEV, tok, 0, 1, tok);
	h->rc[H_RD_NOSTORE] = sys_blk_read(NVME_DEV, tok, 0, 1,
	    cheri_perms_and(in, CAP_PERM_LOAD));
	h->rc[H_WR_NOLOAD] = sys_blk_write(NVME_DEV, tok, 0, 1,
	    cheri_perms_and(out, CAP_PERM_STORE));
	h->rc[H_SMALL] = sys_blk_read(NVME_DEV, tok, 0, 2, sub(in, 0, 512));
	h->rc[H_PAST] = sys_blk_read(NVME_DEV, tok, 0, 1,
	    cheri_address_set(sub(in, 0, 4096), cheri_base_get(in) + 4096 -
	    256));
	h->rc[H_BELOW] = sys_blk_read(NVME_DEV, tok, 0, 1,
	    cheri_address_set(sub(in, 4096, 4096), cheri_base_get(in) + 4096 -
	    16));
	/* Past the top altogether (still representable): the device must
	 * not even read for it. */
	h->rc[H_BEYOND] = sys_blk_read(NVME_DEV, tok, 0, 1,
	    cheri_address_set(sub(in, 0, 4096), cheri_base_get(in) + 8192));
	h->rc[H_DOORBELL] = h->user_open != 0 ? 1 :
	    sys_blk_read(NVME_DEV, tok, 0, 1, u.sqt);
	h->rc[H_FORGED] = sys_blk_read(NVME_DEV, id, 0, 1, in);
	h->rc[H_USER_TOKEN] = h->user_open != 0 ? 1 :
	    sys_blk_read(NVME_DEV, u.token, 0, 1, in);
	h->rc[H_OTHER_DEV] = sys_blk_read(1, tok, 0, 1, in);
	h->rc[H_NODEV] = sys_blk_read(99, tok, 0, 1, in);
	h->rc[H_SEND] = sys_send(NVME_DEV, tok, out, 60);
	h->rc[H_RECV] = sys_recv(NVME_DEV, tok, in, 2048, NULL);
	memset(&a, 0, sizeof a);
	a.x[0] = NVME_DEV;
	a.x[1] = 1;
	a.x[2] = 4096;
	a.x[3] = CAP_PERM_LOAD | CAP_PERM_STORE;
	a.c[0] = tok;
	h->rc[H_MAP] = capio_syscall(SYS_MAP, &a, &sr);
	h->rc[H_NIC_BLK] = h->nic_attach != 0 ? 1 :
	    sys_blk_read(0, ntok, 0, 1, in);
	h->rc[H_NIC_FLUSH] = h->nic_attach != 0 ? 1 :
	    sys_blk_flush(0, ntok);

	/* Record arrays. */
	blk_req_put(recs, 0, BLK_OP_WRITE, 50, 8, out);
	blk_req_put(recs, 1, BLK_OP_WRITE, 58, 8, out);
	h->rc[H_SUB0] = sys_blk_submit(NVME_DEV, tok, recs, 0);
	h->rc[H_SUB_MANY] = sys_blk_submit(NVME_DEV, tok, recs,
	    BLK_BATCH_MAX + 1);
	h->rc[H_SUB_MISALIGNED] = sys_blk_submit(NVME_DEV, tok,
	    cheri_address_set(recs, cheri_base_get(recs) + 8), 1);
	/* Room for one record, two asked for: refused whole, nothing
	 * written to LBA 50 (it stays zero). */
	h->rc[H_SUB_SHORT] = sys_blk_submit(NVME_DEV, tok,
	    sub(recs, 0, BLK_REQ_SIZE), 2);
	h->rc[H_SUB_RO] = sys_blk_submit(NVME_DEV, tok,
	    cheri_perms_and(recs, CAP_PERM_LOAD | CAP_PERM_LOAD_CAP), 1);
	/* Without Load Capability the buffer comes back untagged. */
	h->rc[H_SUB_NOCAP] = sys_blk_submit(NVME_DEV, tok,
	    cheri_perms_and(recs, CAP_PERM_LOAD | CAP_PERM_STORE), 1);
	h->rc[H_READBACK] = sys_blk_read(NVME_DEV, tok, 50, 16, in);
	h->short_untouched = true;
	for (unsigned i = 0; i < 8192; i++)
		h->short_untouched = h->short_untouched && ld8(in, i) == 0;
	/* One call, good and bad records: the good ones run. */
	blk_req_put(recs, 0, BLK_OP_WRITE, 60, 8, out);
	blk_req_put(recs, 1, 9, 60, 8, out);
	blk_req_put(recs, 2, BLK_OP_READ, 60, 8, cheri_tag_clear(in));
	blk_req_put(recs, 3, BLK_OP_FLUSH, 0, 0, cap_null());
	blk_req_put(recs, 4, BLK_OP_READ, 60, 8, in);
	blk_req_put(recs, 5, BLK_OP_READ, 2048, 8, in);
	h->rc[H_SUB_MIXED] = sys_blk_submit(NVME_DEV, tok, recs, NMIX);
	for (unsigned i = 0; i < NMIX; i++)
		h->mix[i] = blk_req_result(recs, i);
	h->mixed_same = holds(in, 4096, 9);
	/* Two of the largest: the second finds the bounce pages used up. */
	blk_req_put(recs, 0, BLK_OP_READ, 0, BIG, in);
	blk_req_put(recs, 1, BLK_OP_READ, 0, BIG, out);
	h->rc[H_SUB_OVER] = sys_blk_submit(NVME_DEV, tok, recs, 2);
	h->over[0] = blk_req_result(recs, 0);
	h->over[1] = blk_req_result(recs, 1);
	/* Exits holding the claim: revocation deletes the queues. */
}

static void
test_hostile(void)
{
	struct kernel *k = boot();
	struct nvme_counters c0, c1;
	struct hostile h;
	struct proc_info pi;
	int pid;

	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&h, 0, sizeof h);
	nvme_get_counters(ctrl(k), &c0);
	pid = kernel_spawn(k, "hostile", hostile_main, &h);
	kernel_run(k, 0);
	nvme_get_counters(ctrl(k), &c1);
	pi = test_proc_info(k, pid);
	CHECK_EQ(pi.state, PROC_EXITED);
	CHECK_EQ(h.attach, 0);
	CHECK_EQ(h.user_open, 0);
	CHECK_EQ(h.nic_attach, 0);
	CHECK_EQ(h.rc[H_NLB0], -EINVAL);
	CHECK_EQ(h.rc[H_NLB_BIG], -EINVAL);
	CHECK_EQ(h.rc[H_NLB_HUGE], -EINVAL);
	CHECK_EQ(h.rc[H_SLBA_END], -EINVAL);
	CHECK_EQ(h.rc[H_SLBA_CROSS], -EINVAL);
	CHECK_EQ(h.rc[H_SLBA_WRAP], -EINVAL);
	CHECK_EQ(h.rc[H_UNTAGGED], -EFAULT);
	CHECK_EQ(h.rc[H_SEALED], -EFAULT);
	CHECK_EQ(h.rc[H_RD_NOSTORE], -EFAULT);
	CHECK_EQ(h.rc[H_WR_NOLOAD], -EFAULT);
	CHECK_EQ(h.rc[H_SMALL], -EFAULT);
	CHECK_EQ(h.rc[H_PAST], -EFAULT);
	CHECK_EQ(h.rc[H_BELOW], -EFAULT);
	CHECK_EQ(h.rc[H_BEYOND], -EFAULT);
	CHECK_EQ(h.rc[H_DOORBELL], -EFAULT);
	CHECK_EQ(h.rc[H_FORGED], -EPERM);
	CHECK_EQ(h.rc[H_USER_TOKEN], -EPERM);
	CHECK_EQ(h.rc[H_OTHER_DEV], -EPERM);
	CHECK_EQ(h.rc[H_NODEV], -ENODEV);
	CHECK_EQ(h.rc[H_SEND], -EOPNOTSUPP);
	CHECK_EQ(h.rc[H_RECV], -EOPNOTSUPP);
	CHECK_EQ(h.rc[H_MAP], -EPERM);
	CHECK_EQ(h.rc[H_NIC_BLK], -EOPNOTSUPP);
	CHECK_EQ(h.rc[H_NIC_FLUSH], -EOPNOTSUPP);
	CHECK_EQ(h.rc[H_SUB0], -EINVAL);
	CHECK_EQ(h.rc[H_SUB_MANY], -EINVAL);
	CHECK_EQ(h.rc[H_SUB_MISALIGNED], -EFAULT);
	CHECK_EQ(h.rc[H_SUB_SHORT], -EFAULT);
	CHECK_EQ(h.rc[H_SUB_RO], -EFAULT);
	CHECK_EQ(h.rc[H_SUB_NOCAP], 0);
	CHECK_EQ(h.rc[H_READBACK], 8192);
	CHECK(h.short_untouched);
	CHECK_EQ(h.rc[H_SUB_MIXED], 3);
	CHECK_EQ(h.mix[0], 4096);
	CHECK_EQ(h.mix[1], -EINVAL);
	CHECK_EQ(h.mix[2], -EFAULT);
	CHECK_EQ(h.mix[3], 0);
	CHECK_EQ(h.mix[4], 4096);
	CHECK_EQ(h.mix[5], -EINVAL);
	CHECK(h.mixed_same);
	CHECK_EQ(h.rc[H_SUB_OVER], 1);
	CHECK_EQ(h.over[0], BLK_MAX_BYTES);
	CHECK_EQ(h.over[1], -EINVAL);
	/* Only the valid requests reached the controller: the readback, the
	 * mixed call's write, flush and read, the first of the two largest. */
	CHECK_EQ(c1.io_cmds - c0.io_cmds, 5);
	CHECK_EQ(c1.cmd_errors, c0.cmd_errors);
	CHECK_EQ(c1.dma_faults, c0.dma_faults);
	/* The exit revoked the claim and the user-level unit: no queues. */
	CHECK(!qlive(k, 1));
	CHECK(!qlive(k, 2));
	kernel_halt(k);
}

int
main(void)
{
	test_read_write();
	test_hostile();
	return check_done("nvme_kpath");
}
