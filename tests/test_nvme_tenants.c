/*
 * test_nvme_tenants.c — NVMe tenants on the CAPIO board: a controller
 * (RAM namespace) whose I/O queue pairs are units. Four processes each
 * attach their own unit and drive it from user level (nvme_driver.c):
 * distinct patterns to distinct LBAs, read back, with no system call
 * between setup and the end. A tenant's store to the neighbour's SQ tail
 * doorbell (8 bytes above its own) faults under the capio arm and
 * changes nothing; under the page arm it lands on the shared doorbell
 * page and the neighbour's next command fails. A held unit is EBUSY; a
 * tenant's exit deletes its queues and the unit can be attached again.
 * A controller with a namespace per queue gives each unit its own; with
 * queue isolation (a model extension) the kernel opens the unit's
 * windows in its queue's own IOMMU context, not the controller's, binds
 * the queue to its namespace, and undoes both when the tenant goes.
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
#include "machine/iommu.h"
#include "user/libcapio.h"
#include "user/nvme_driver.h"

#define NVME_DEV	2	/* after the two NICs */
#define NTENANTS	4
#define BLOCKS		4	/* per tenant, 512 bytes each */
#define LBA(t, i)	(100u * (t) + (i))

static struct kernel *
boot_ns(enum grant_arm arm, unsigned namespaces, bool isolation)
{
	struct kernel_opts o;
	struct board_desc d;

	kernel_opts_default(&o);
	o.arm = arm;
	board_desc_default(&d);
	d.nvmes = 1;
	d.nvme[0].queues = 8;
	d.nvme[0].ns_bytes = 1u << 20;
	d.nvme[0].namespaces = namespaces;
	d.nvme[0].queue_isolation = isolation;
	return test_boot_board(&d, &o);
}

static struct kernel *
boot(enum grant_arm arm)
{
	return boot_ns(arm, 1, false);
}

static struct nvme *
ctrl(struct kernel *k)
{
	return board_nvme(kernel_board(k), 0);
}

static struct nvme_queue_state
qstate(struct kernel *k, unsigned qid)
{
	struct nvme_queue_state q;

	memset(&q, 0, sizeof q);
	CHECK_EQ(nvme_queue_state(ctrl(k), qid, &q), 0);
	return q;
}

static void
pattern(uint8_t *b, unsigned t, unsigned i)
{
	for (unsigned n = 0; n < 512; n++)
		b[n] = (uint8_t)(0x11 * (t + 1) + i + n * 7);
}

/* --- four tenants, zero system calls per I/O --------------------------- */

struct tenant {
	unsigned unit;
	int open_rc;
	bool ready, done;
	int wr[BLOCKS], rd[BLOCKS], flush;
	bool same[BLOCKS];
	bool rdy;
	struct nvdrv d;
};

struct four {
	struct tenant t[NTENANTS];
	int phase;
};

static struct four *four;

static void
four_main(void *arg)
{
	struct tenant *t = arg;
	uint8_t out[512], in[512];

	t->open_rc = nvdrv_open(&t->d, NVME_DEV, t->unit);
	t->ready = true;
	if (t->open_rc != 0)
		return;
	while (four->phase < 1)
		sys_yield();
	/* From here to the end: loads and stores through capabilities. */
	t->rdy = nvdrv_ready(&t->d);
	for (unsigned i = 0; i < BLOCKS; i++) {
		pattern(out, t->unit, i);
		t->wr[i] = nvdrv_write(&t->d, LBA(t->unit, i), 1, out);
	}
	for (unsigned i = 0; i < BLOCKS; i++) {
		memset(in, 0, sizeof in);
		pattern(out, t->unit, i);
		t->rd[i] = nvdrv_read(&t->d, LBA(t->unit, i), 1, in);
		t->same[i] = memcmp(in, out, sizeof in) == 0;
	}
	t->flush = nvdrv_flush(&t->d);
	t->done = true;
}

static void
test_four_tenants(unsigned namespaces, bool isolation)
{
	struct kernel *k = boot_ns(ARM_CAPIO, namespaces, isolation);
	struct proc_info before[NTENANTS], after;
	struct nvme_counters c0, c1;
	struct four f;
	int pid[NTENANTS];

	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&f, 0, sizeof f);
	four = &f;
	for (unsigned i = 0; i < NTENANTS; i++) {
		f.t[i].unit = i;
		pid[i] = kernel_spawn(k, "tenant", four_main, &f.t[i]);
	}
	for (int r = 0; r < 50; r++) {
		bool all = true;

		kernel_run(k, 1);
		for (unsigned i = 0; i < NTENANTS; i++)
			all = all && f.t[i].ready;
		if (all)
			break;
	}
	/* All four hold their queue pair at once: I/O queues 1..4 live. */
	for (unsigned i = 0; i < NTENANTS; i++) {
		struct nvme_queue_state q = qstate(k, i + 1);

		CHECK_EQ(f.t[i].open_rc, 0);
		CHECK_EQ(f.t[i].d.qid, i + 1);
		CHECK(q.sq_live && q.cq_live);
		before[i] = test_proc_info(k, pid[i]);
	}
	CHECK(!qstate(k, NTENANTS + 1).sq_live);
	nvme_get_counters(ctrl(k), &c0);

	f.phase = 1;
	kernel_run(k, 0);
	nvme_get_counters(ctrl(k), &c1);
	for (unsigned i = 0; i < NTENANTS; i++) {
		struct tenant *t = &f.t[i];

		CHECK(t->done);
		CHECK(t->rdy);
		for (unsigned b = 0; b < BLOCKS; b++) {
			CHECK_EQ(t->wr[b], 0);
			CHECK_EQ(t->rd[b], 0);
			CHECK(t->same[b]);
		}
		CHECK_EQ(t->flush, 0);
		CHECK_EQ(t->d.st.cmds, 2 * BLOCKS + 1);
		CHECK_EQ(t->d.st.doorbells, 2 * (2 * BLOCKS + 1));
		/* No system call between the setup and the end. */
		after = test_proc_info(k, pid[i]);
		CHECK_EQ(after.state, PROC_EXITED);
		for (int nr = 0; nr < SYS_NCALLS; nr++)
			if (nr != SYS_EXIT)
				CHECK_EQ(after.syscalls_by_nr[nr],
				    before[i].syscalls_by_nr[nr]);
		CHECK(after.syscalls - before[i].syscalls <= 1);
		/* Setup: mmap, describe, attach, four maps, info. */
		CHECK_EQ(before[i].syscalls_by_nr[SYS_ATTACH], 1);
		CHECK_EQ(before[i].syscalls_by_nr[SYS_MAP], 4);
		/* Exit deleted its queues. */
		CHECK(!qstate(k, i + 1).sq_live && !qstate(k, i + 1).cq_live);
	}
	CHECK_EQ(c1.io_cmds - c0.io_cmds, NTENANTS * (2 * BLOCKS + 1));
	CHECK_EQ(c1.bytes_written - c0.bytes_written, NTENANTS * BLOCKS * 512);
	CHECK_EQ(c1.cmd_errors, 0);
	CHECK_EQ(c1.dma_faults, 0);
	/* Four exits: Delete SQ and Delete CQ each, over the admin queue
	 * (and with isolation, unbinding the queue). */
	CHECK_EQ(c1.admin_cmds - c0.admin_cmds, (isolation ? 3 : 2) * NTENANTS);
	kernel_halt(k);
}

/* --- the neighbour's doorbell -------------------------------------------- */

struct pair {
	int open_rc[2], busy_rc;
	bool ready[2], crossed, t1_done;
	int phase;
	int t1_write;
	struct nvdrv d[2];
};

static struct pair *pair;

static void
attacker_main(void *arg)
{
	struct pair *p = arg;

	p->open_rc[0] = nvdrv_open(&p->d[0], NVME_DEV, 0);
	p->ready[0] = true;
	if (p->open_rc[0] != 0)
		return;
	while (p->phase < 1)
		sys_yield();
	/* Unit 1's SQ tail doorbell is 8 bytes on, on the same page. */
	st32(cheri_address_set(p->d[0].sqt, cheri_address_get(p->d[0].sqt) +
	    8), 0, 1);
	p->crossed = true;
	while (p->phase < 3)
		sys_yield();
}

static void
victim_main(void *arg)
{
	struct pair *p = arg;
	uint8_t b[512];
	cap_t id;

	while (!p->ready[0])
		sys_yield();
	if (sys_mmap(4096, &id) != 0)
		return;
	p->busy_rc = capio_attach_unit(NVME_DEV, 0, id, &id);
	p->open_rc[1] = nvdrv_open(&p->d[1], NVME_DEV, 1);
	p->ready[1] = true;
	if (p->open_rc[1] != 0)
		return;
	while (p->phase < 2)
		sys_yield();
	memset(b, 0x5a, sizeof b);
	p->t1_write = nvdrv_write(&p->d[1], 7, 1, b);
	p->t1_done = true;
	while (p->phase < 3)
		sys_yield();
}

static void
test_neighbour(enum grant_arm arm)
{
	struct kernel *k = boot(arm);
	struct nvme_counters c0, c1;
	struct nvme_queue_state q;
	struct proc_info a;
	struct pair p;
	int pid0;

	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&p, 0, sizeof p);
	pair = &p;
	pid0 = kernel_spawn(k, "attacker", attacker_main, &p);
	kernel_spawn(k, "victim", victim_main, &p);
	for (int r = 0; r < 50 && !(p.ready[0] && p.ready[1]); r++)
		kernel_run(k, 1);
	CHECK_EQ(p.open_rc[0], 0);
	CHECK_EQ(p.open_rc[1], 0);
	CHECK_EQ(p.busy_rc, -EBUSY);
	if (arm == ARM_CAPIO) {
		CHECK_EQ(cheri_length_get(p.d[0].sqt), 4);
		CHECK_EQ(cheri_base_get(p.d[0].sqt), p.d[0].bar_va + 0x1008);
		CHECK_EQ(cheri_base_get(p.d[1].sqt), p.d[1].bar_va + 0x1010);
		CHECK(!(cheri_perms_get(p.d[0].csts) & CAP_PERM_STORE));
	} else
		CHECK_EQ(cheri_length_get(p.d[0].sqt), 4096);
	nvme_get_counters(ctrl(k), &c0);

	p.phase = 1;
	for (int r = 0; r < 10; r++)
		kernel_run(k, 1);
	nvme_get_counters(ctrl(k), &c1);
	q = qstate(k, 2);
	a = test_proc_info(k, pid0);
	if (arm == ARM_CAPIO) {
		/* Bounds: the neighbour's doorbell is not in its capability,
		 * and nothing of the controller moved. */
		CHECK(a.state == PROC_KILLED && a.faulted &&
		    a.fault.cause == FAULT_BOUNDS);
		CHECK(!p.crossed);
		CHECK_EQ(q.sq_tail, 0);
		CHECK_EQ(c1.io_cmds, c0.io_cmds);
		CHECK_EQ(c1.cmd_errors, c0.cmd_errors);
		CHECK_EQ(c1.bad_doorbells, c0.bad_doorbells);
	} else {
		/* The page is every queue's doorbells: the store lands, and
		 * the controller runs the empty entry in the victim's SQ,
		 * posting an error into the victim's CQ. */
		CHECK_EQ(a.state, PROC_RUNNABLE);
		CHECK(p.crossed);
		CHECK_EQ(q.sq_tail, 1);
		CHECK_EQ(c1.io_cmds, c0.io_cmds + 1);
		CHECK_EQ(c1.cmd_errors, c0.cmd_errors + 1);
	}
	/* The victim's next command: fine under capio; under the page arm
	 * its tail matches what the attacker rang, so its command is not
	 * even fetched, and it reads the forged completion. */
	p.phase = 2;
	for (int r = 0; r < 10 && !p.t1_done; r++)
		kernel_run(k, 1);
	CHECK(p.t1_done);
	if (arm == ARM_CAPIO)
		CHECK_EQ(p.t1_write, 0);
	else
		CHECK(p.t1_write != 0);
	p.phase = 3;
	kernel_run(k, 0);
	kernel_halt(k);
}

/* --- exit deletes the queues; the unit is attachable again --------------- */

struct again {
	int open_rc, wr, rd;
	bool same, fresh;
};

static void
writer_main(void *arg)
{
	struct again *g = arg;
	struct nvdrv d;
	uint8_t b[512];

	if ((g->open_rc = nvdrv_open(&d, NVME_DEV, 2)) != 0)
		return;
	memset(b, 0xc3, sizeof b);
	g->wr = nvdrv_write(&d, 42, 1, b);
	/* Returns: exit revokes unit 2. */
}

static void
reader_main(void *arg)
{
	struct again *g = arg;
	struct nvdrv d;
	uint8_t b[512], want[512];

	if ((g->open_rc = nvdrv_open(&d, NVME_DEV, 2)) != 0)
		return;
	/* Fresh rings: the previous holder's entries are gone. */
	g->fresh = ld64(d.sq, 0) == 0 && ld16(d.cq, NVME_CQE_STATUS) == 0;
	memset(want, 0xc3, sizeof want);
	g->rd = nvdrv_read(&d, 42, 1, b);
	g->same = memcmp(b, want, sizeof b) == 0;
}

/* Holds unit 5 until the machine halts. */
static void
holder_main(void *arg)
{
	struct again *g = arg;
	struct nvdrv d;

	if ((g->open_rc = nvdrv_open(&d, NVME_DEV, 5)) != 0)
		return;
	for (;;)
		sys_yield();
}

static void
test_exit_again(void)
{
	struct kernel *k = boot(ARM_CAPIO);
	struct nvme_counters c0, c1;
	struct again w, r;

	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&w, 0, sizeof w);
	memset(&r, 0, sizeof r);
	nvme_get_counters(ctrl(k), &c0);
	kernel_spawn(k, "writer", writer_main, &w);
	kernel_run(k, 0);
	nvme_get_counters(ctrl(k), &c1);
	CHECK_EQ(w.open_rc, 0);
	CHECK_EQ(w.wr, 0);
	/* Create CQ, Create SQ; at exit Delete SQ, Delete CQ. */
	CHECK_EQ(c1.admin_cmds - c0.admin_cmds, 4);
	CHECK_EQ(c1.cmd_errors, 0);
	CHECK(!qstate(k, 3).sq_live && !qstate(k, 3).cq_live);
	kernel_spawn(k, "reader", reader_main, &r);
	kernel_run(k, 0);
	CHECK_EQ(r.open_rc, 0);
	CHECK(r.fresh);
	CHECK_EQ(r.rd, 0);
	/* The namespace is the controller's, shared: the data stayed. */
	CHECK(r.same);
	/* A holder the halt kills: its queues are deleted on the way. */
	memset(&w, 0, sizeof w);
	kernel_spawn(k, "holder", holder_main, &w);
	kernel_run(k, 5);
	CHECK_EQ(w.open_rc, 0);
	CHECK(qstate(k, 6).sq_live);
	kernel_halt(k);
}

/* --- a namespace per unit; queue isolation ------------------------------ */

struct own {
	unsigned unit;
	int open_rc, wr, rd, other;
	bool same, hold;
	uint64_t buf_dma;
	uint32_t nsid;
};

static void
own_main(void *arg)
{
	struct own *o = arg;
	struct nvdrv d;
	uint8_t b[512], in[512];

	if ((o->open_rc = nvdrv_open(&d, NVME_DEV, o->unit)) != 0)
		return;
	o->nsid = d.nsid;
	o->buf_dma = d.buf_dma;
	memset(b, 0x3c, sizeof b);
	o->wr = nvdrv_write(&d, 1, 1, b);
	o->rd = nvdrv_read(&d, 1, 1, in);
	o->same = memcmp(b, in, sizeof b) == 0;
	/* Namespace 1 is unit 0's. */
	o->other = nvdrv_cmd(&d, NVME_CMD_READ, 1, d.buf_dma, 0, 1);
	while (o->hold)
		sys_yield();
}

/* --- a page-arm tenant replays the kernel's admin queue ----------------- */

static void
replayer_main(void *arg)
{
	struct again *g = arg;
	struct nvdrv d;
	cap_t db;

	if ((g->open_rc = nvdrv_open(&d, NVME_DEV, 0)) != 0)
		return;
	/* The admin SQ tail doorbell is 8 bytes below its own, on the one
	 * doorbell page: ring it round the queue, so that the controller
	 * runs the kernel's old admin entries again and posts their
	 * completions where the kernel looks for its next one. */
	db = cheri_address_set(d.sqt, cheri_address_get(d.sqt) - 8);
	st32(db, 0, 15);
	st32(db, 0, 7);
	g->wr = 1;
	/* Exit: the kernel deletes this unit's queues, admin commands. */
}

static void
test_admin_replay(void)
{
	struct kernel *k = boot(ARM_PAGE);
	struct again g;
	struct own o;

	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&g, 0, sizeof g);
	kernel_spawn(k, "replayer", replayer_main, &g);
	kernel_run(k, 0);
	CHECK_EQ(g.open_rc, 0);
	CHECK_EQ(g.wr, 1);
	/* Its queues went, and the unit serves the next tenant: the
	 * kernel's admin commands were answered by their own completions,
	 * not by the replayed ones. */
	CHECK(!qstate(k, 1).sq_live && !qstate(k, 1).cq_live);
	memset(&o, 0, sizeof o);
	o.unit = 0;
	kernel_spawn(k, "next", own_main, &o);
	kernel_run(k, 0);
	CHECK_EQ(o.open_rc, 0);
	CHECK_EQ(o.wr, 0);
	CHECK_EQ(o.rd, 0);
	CHECK(o.same);
	kernel_halt(k);
}

static void
test_own_namespace(bool isolation)
{
	struct kernel *k = boot_ns(ARM_CAPIO, 8, isolation);
	const struct board_dev *bd;
	struct own o = { .unit = 2, .hold = true };
	uint8_t x[8];

	CHECK(k != NULL);
	if (k == NULL)
		return;
	bd = board_dev(kernel_board(k), NVME_DEV);
	kernel_spawn(k, "own", own_main, &o);
	kernel_run(k, 5);
	CHECK_EQ(o.open_rc, 0);
	CHECK_EQ(o.nsid, 3);
	CHECK_EQ(o.wr, 0);
	CHECK_EQ(o.rd, 0);
	CHECK(o.same);
	CHECK_EQ(nvme_ns_peek(ctrl(k), 3, 512, x, sizeof x), 0);
	CHECK_EQ(x[0], 0x3c);
	CHECK_EQ(nvme_ns_peek(ctrl(k), 1, 512, x, sizeof x), 0);
	CHECK_EQ(x[0], 0);
	if (!isolation) {
		/* Nothing in NVMe stops naming another namespace. */
		CHECK_EQ(o.other, 0);
		CHECK(bd->queue_iommu == NULL);
		/* One context: the unit's buffers are the controller's. */
		CHECK_EQ(dma_read(bd->iommu, o.buf_dma, x, sizeof x), 0);
		o.hold = false;
		kernel_run(k, 0);
		kernel_halt(k);
		return;
	}
	CHECK_EQ(o.other & 0x7FF, NVME_SC_INVALID_NS);
	CHECK_EQ(nvme_queue_nsid(ctrl(k), 3), 3);
	CHECK_EQ(nvme_queue_nsid(ctrl(k), 1), 0);	/* not attached */
	/* Its windows are its queue's: not the controller's, not another
	 * queue's. */
	CHECK_EQ(dma_read(bd->queue_iommu[3], o.buf_dma, x, sizeof x), 0);
	CHECK(dma_read(bd->iommu, o.buf_dma, x, sizeof x) != 0);
	CHECK(dma_read(bd->queue_iommu[2], o.buf_dma, x, sizeof x) != 0);
	o.hold = false;
	kernel_run(k, 0);
	/* Gone: unbound, and its queue's context empty again. */
	CHECK_EQ(nvme_queue_nsid(ctrl(k), 3), 0);
	CHECK(dma_read(bd->queue_iommu[3], o.buf_dma, x, sizeof x) != 0);
	CHECK(!qstate(k, 3).sq_live);
	kernel_halt(k);
}

int
main(void)
{
	test_four_tenants(1, false);
	test_neighbour(ARM_CAPIO);
	test_neighbour(ARM_PAGE);
	test_exit_again();
	test_admin_replay();
	test_own_namespace(false);
	test_own_namespace(true);
	test_four_tenants(8, true);
	return check_done("nvme_tenants");
}
