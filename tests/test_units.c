/*
 * test_units.c — attach is to a unit of a device: a fake controller of
 * two queue pairs (units), its doorbells side by side in one BAR page as
 * an NVMe controller's are (SQ y tail at 0x1000 + 8y, CQ y head at
 * 0x1004 + 8y) and a shared read-only status word, registered from here
 * through the trusted kernel_register_device. Two processes hold units 0
 * and 1 at once: each gets only its own doorbells (a store to the
 * other's faults under capio and lands under the page arm), a unit is
 * one holder's (EBUSY), a token is good for its own unit only, and
 * goodbye, exit and kill revoke one unit while the other's holder
 * carries on. And the manifest checks that per-unit slices need.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "board/board.h"
#include "kernel/driver.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "machine/mmio.h"
#include "machine/phys.h"
#include "user/libcapio.h"

#define TOY_BAR		0xf8000000ull
#define TOY_BAR_SIZE	0x4000ull
#define TOY_UNITS	2
#define SQT(u)		(0x1000u + 8u * (u))
#define CQH(u)		(0x1004u + 8u * (u))
#define CSTS		0x1cu

/* --- the fake controller and its stub ------------------------------------ */

struct toy {
	uint32_t regs[TOY_BAR_SIZE / 4];
	struct kernel *k;
	uint64_t sq_pa[TOY_UNITS];
	bool attached[TOY_UNITS];
	unsigned attaches[TOY_UNITS], detaches[TOY_UNITS];
	int hook_dev, hook_pid, hooks;
};

static uint64_t
toy_read(void *dev, uint64_t off, unsigned size)
{
	struct toy *t = dev;

	(void)size;
	return t->regs[off / 4];
}

static void
toy_write(void *dev, uint64_t off, uint64_t val, unsigned size)
{
	struct toy *t = dev;

	(void)size;
	if (off != CSTS)	/* read-only in the device too */
		t->regs[off / 4] = (uint32_t)val;
}

static const struct mmio_ops toy_mmio = { toy_read, toy_write, NULL };

static const struct slice toy_slices[] = {
	{ "SQT",  SQT(0), 4, SLICE_RW, 8 },
	{ "CQH",  CQH(0), 4, SLICE_RW, 8 },
	{ "CSTS", CSTS,   4, SLICE_RO, 0 },
};
static const struct region toy_regions[] = {
	{ "bar0", REGION_MMIO, TOY_BAR_SIZE, 0, toy_slices, 3 },
	{ "sq", REGION_DMA, 0x1000, 3, NULL, 0 },
};
static const struct manifest toy_manifest = { "toyq", toy_regions, 2 };

static uint64_t
op_region_pa(void *stub, unsigned unit, unsigned r)
{
	struct toy *t = stub;

	return r == 0 ? TOY_BAR : t->sq_pa[unit];
}

static int
op_attach(void *stub, unsigned unit)
{
	struct toy *t = stub;

	t->attached[unit] = true;
	t->attaches[unit]++;
	return 0;
}

/* The unit's queue goes quiet, its memory is zeroed, nothing else. */
static void
op_detach(void *stub, unsigned unit)
{
	struct toy *t = stub;
	uint8_t *p = phys_ram_ptr(board_phys(kernel_board(t->k)),
	    t->sq_pa[unit], 0x1000);

	t->attached[unit] = false;
	t->detaches[unit]++;
	t->regs[SQT(unit) / 4] = t->regs[CQH(unit) / 4] = 0;
	if (p != NULL)
		memset(p, 0, 0x1000);
}

static void
op_info(void *stub, unsigned unit, struct sysret *r)
{
	struct toy *t = stub;

	r->x[0] = unit;
	r->x[1] = t->sq_pa[unit];
}

static const struct capio_driver toy_driver = {
	.region_pa = op_region_pa,
	.attach = op_attach,
	.detach = op_detach,
	.info = op_info,
};

static void
hook(void *arg, int dev, int pid)
{
	struct toy *t = arg;

	t->hook_dev = dev;
	t->hook_pid = pid;
	t->hooks++;
}

static struct toy toy;
static int toydev;

static struct kernel *
boot(enum grant_arm arm)
{
	struct kernel_opts o;
	char err[256];
	struct kernel *k;

	kernel_opts_default(&o);
	o.host_syscalls = false;
	o.arm = arm;
	if ((k = kernel_boot(board_new(NULL, err, sizeof err), &o, err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "boot: %s\n", err);
		return NULL;
	}
	memset(&toy, 0, sizeof toy);
	toy.k = k;
	toy.regs[CSTS / 4] = 1;		/* ready */
	if (phys_add_mmio(board_phys(kernel_board(k)), TOY_BAR, TOY_BAR_SIZE,
	    "toyq BAR0", &toy_mmio, &toy) != 0 ||
	    kernel_dma_alloc(k, 0x1000, &toy.sq_pa[0]) != 0 ||
	    kernel_dma_alloc(k, 0x1000, &toy.sq_pa[1]) != 0 ||
	    (toydev = kernel_register_device(k, "toyq0", &toy_manifest,
	    TOY_UNITS, &toy_driver, &toy, err, sizeof err)) < 0) {
		fprintf(stderr, "toy: %s\n", err);
		kernel_halt(k);
		return NULL;
	}
	kernel_set_revoke_hook(k, hook, &toy);
	return k;
}

/* --- the processes --------------------------------------------------------- */

struct tenant {
	unsigned unit;
	int attach_rc, map_rc[2], info_rc;
	unsigned got_unit;
	uint64_t info_unit;
	cap_t token;
	struct capio_grant bar, sq;
	bool ready, stored, done;
	uint32_t csts;
	uint64_t bar_va, sq_va;
};

struct scene {
	struct tenant t[2];
	int phase;			/* the harness steps it */
	int busy_rc;			/* a second attach of unit 0 */
	int nounit_rc;			/* unit 2 of a 2-unit device */
	int stolen[3];			/* unit 1's holder with unit 0's token */
	bool cross;			/* tenant 0 tries unit 1's doorbell */
	bool cross_done;
	uint32_t after_goodbye;		/* tenant 1's doorbell store, reread */
	bool goodbye_first;		/* tenant 0 says goodbye */
	int goodbye_rc;
	bool t1_store_after;
};

static bool
take(struct tenant *t, cap_t *id)
{
	struct capio_desc d;
	cap_t page;

	if (sys_mmap(4096, &page) != 0 || sys_mmap(4096, id) != 0)
		return false;
	if (capio_describe(toydev, page, &d) != 0 || d.nunits != TOY_UNITS)
		return false;
	t->attach_rc = capio_attach_unit(toydev, t->unit, *id, &t->token);
	if (t->attach_rc != 0)
		return false;
	t->map_rc[0] = capio_map(toydev, t->token, &d, "bar0", false, &t->bar);
	t->map_rc[1] = capio_map(toydev, t->token, &d, "sq", false, &t->sq);
	t->got_unit = t->bar.unit;
	t->bar_va = t->bar.va;
	t->sq_va = t->sq.va;
	{
		uint64_t info[8];

		t->info_rc = capio_info(toydev, t->token, info);
		t->info_unit = info[0];
	}
	return t->map_rc[0] == 0 && t->map_rc[1] == 0;
}

static void
tenant0_main(void *arg)
{
	struct scene *s = arg;
	struct tenant *t = &s->t[0];
	cap_t id, sqt;

	if (!take(t, &id))
		return;
	sqt = capio_slice(&t->bar, "SQT");
	st32(sqt, 0, 0x10);
	st32(t->sq.caps[0], 0, 0xa0a0a0a0u);
	t->csts = ld32(capio_slice(&t->bar, "CSTS"), 0);
	t->ready = true;
	while (s->phase < 1)
		sys_yield();
	if (s->goodbye_first) {
		s->goodbye_rc = capio_goodbye(toydev, t->token);
		t->done = true;
		while (s->phase < 2)
			sys_yield();
		/* Revoked: the kept capability reaches an unmapped page. */
		st32(sqt, 0, 0x11);
		return;
	}
	if (s->cross) {
		/* Unit 1's doorbell is 8 bytes on, on the same page. */
		st32(cheri_address_set(sqt, cheri_address_get(sqt) + 8), 0, 0x66);
		s->cross_done = true;
	}
	t->done = true;
	while (s->phase < 2)
		sys_yield();
	/* Returns: exit revokes unit 0. */
}

static void
tenant1_main(void *arg)
{
	struct scene *s = arg;
	struct tenant *t = &s->t[1];
	cap_t id, other;

	while (!s->t[0].ready)
		sys_yield();
	if (sys_mmap(4096, &other) != 0)
		return;
	s->busy_rc = capio_attach_unit(toydev, 0, other, &other);
	if (sys_mmap(4096, &other) != 0)
		return;
	s->nounit_rc = capio_attach_unit(toydev, 2, other, &other);
	if (!take(t, &id))
		return;
	/* Tenant 0's token, passed over: not this process's, not unit 1's. */
	{
		struct capio_desc d;
		struct capio_grant g;
		uint64_t info[8];

		memset(&d, 0, sizeof d);
		d.nregions = 1;
		d.regions[0] = t->bar.region;
		s->stolen[0] = capio_map(toydev, s->t[0].token, &d, "bar0", false,
		    &g);
		s->stolen[1] = capio_info(toydev, s->t[0].token, info);
		s->stolen[2] = capio_goodbye(toydev, s->t[0].token);
	}
	st32(capio_slice(&t->bar, "SQT"), 0, 0x20);
	st32(t->sq.caps[0], 0, 0xb1b1b1b1u);
	t->ready = true;
	while (s->phase < 2)
		sys_yield();
	/* Unit 0 revoked (goodbye, exit or kill): this unit carries on. */
	st32(capio_slice(&t->bar, "SQT"), 0, 0x21);
	st32(capio_slice(&t->bar, "CQH"), 0, 0x22);
	s->after_goodbye = ld32(t->sq.caps[0], 0);
	s->t1_store_after = true;
	t->done = true;
	while (s->phase < 3)
		sys_yield();
	/* Returns: exit revokes unit 1. */
}

/* Runs until both tenants are done with the phase or gone. */
static void
run_until(struct kernel *k, struct scene *s, int pid0, int pid1)
{
	struct proc_info a, b;

	for (int i = 0; i < 200; i++) {
		kernel_run(k, 1);
		kernel_proc_info(k, pid0, &a);
		kernel_proc_info(k, pid1, &b);
		if ((s->t[0].ready || a.state != PROC_RUNNABLE) &&
		    (s->t[1].ready || b.state != PROC_RUNNABLE))
			return;
	}
}

enum ending { END_EXIT, END_GOODBYE, END_KILL };

static void
scene(enum grant_arm arm, enum ending how, bool cross)
{
	struct kernel *k = boot(arm);
	struct scene s;
	struct proc_info a, b;
	uint64_t pa;
	int pid0, pid1;

	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&s, 0, sizeof s);
	s.t[0].unit = 0;
	s.t[1].unit = 1;
	s.cross = cross;
	s.goodbye_first = how == END_GOODBYE;
	pid0 = kernel_spawn(k, "tenant0", tenant0_main, &s);
	pid1 = kernel_spawn(k, "tenant1", tenant1_main, &s);
	run_until(k, &s, pid0, pid1);

	/* Both hold their unit at once; each mapped its own slices. */
	for (unsigned u = 0; u < 2; u++) {
		struct tenant *t = &s.t[u];
		cap_t sqt = capio_slice(&t->bar, "SQT");
		cap_t csts = capio_slice(&t->bar, "CSTS");

		CHECK_EQ(t->attach_rc, 0);
		CHECK_EQ(t->map_rc[0], 0);
		CHECK_EQ(t->map_rc[1], 0);
		CHECK_EQ(t->got_unit, u);
		CHECK_EQ(t->info_rc, 0);
		CHECK_EQ(t->info_unit, u);
		CHECK_EQ(t->bar.ncaps, 3);
		CHECK_EQ(cheri_address_get(sqt), t->bar_va + SQT(u));
		CHECK_EQ(cheri_address_get(capio_slice(&t->bar, "CQH")),
		    t->bar_va + CQH(u));
		CHECK_EQ(capio_slice_offset(&t->bar.region.slices[0], u), SQT(u));
		if (arm == ARM_CAPIO) {
			CHECK_EQ(cheri_base_get(sqt), t->bar_va + SQT(u));
			CHECK_EQ(cheri_length_get(sqt), 4);
			CHECK(!(cheri_perms_get(csts) & CAP_PERM_STORE));
		} else
			CHECK_EQ(cheri_length_get(sqt), 4096);
		CHECK_EQ(cheri_base_get(csts) & 0xfff, arm == ARM_CAPIO ? CSTS : 0);
		CHECK(toy.attached[u]);
		CHECK_EQ(toy.attaches[u], 1);
		/* The unit's queue memory is the unit's own. */
		CHECK(kernel_proc_translate(k, u ? pid1 : pid0, t->sq_va, &pa) == 0 &&
		    pa == toy.sq_pa[u]);
	}
	CHECK_EQ(s.t[0].csts, 1);
	CHECK_EQ(toy.regs[SQT(0) / 4], 0x10);
	CHECK_EQ(toy.regs[SQT(1) / 4], 0x20);
	CHECK_EQ(s.busy_rc, -EBUSY);
	CHECK_EQ(s.nounit_rc, -ENODEV);
	CHECK_EQ(s.stolen[0], -EPERM);
	CHECK_EQ(s.stolen[1], -EPERM);
	CHECK_EQ(s.stolen[2], -EPERM);
	CHECK(toy.attached[0]);		/* the failed goodbye took nothing */

	/* Tenant 0 reaches for unit 1's doorbell, or lets unit 0 go. */
	s.phase = 1;
	for (int i = 0; i < 20 && !s.t[0].done; i++) {
		kernel_run(k, 1);
		kernel_proc_info(k, pid0, &a);
		if (a.state != PROC_RUNNABLE)
			break;
	}
	kernel_proc_info(k, pid0, &a);
	if (cross && arm == ARM_CAPIO) {
		/* Bounds: the doorbell next door is not in its capability. */
		CHECK(a.state == PROC_KILLED && a.faulted &&
		    a.fault.cause == FAULT_BOUNDS);
		CHECK(!s.cross_done);
		CHECK_EQ(toy.regs[SQT(1) / 4], 0x20);
	} else if (cross) {
		/* The page arm: the page is every unit's doorbells. */
		CHECK(s.cross_done);
		CHECK_EQ(toy.regs[SQT(1) / 4], 0x66);
	}
	if (how == END_GOODBYE) {
		CHECK_EQ(s.goodbye_rc, 0);
		CHECK_EQ(toy.detaches[0], 1);
		CHECK(!toy.attached[0]);
		CHECK_EQ(kernel_proc_translate(k, pid0, s.t[0].sq_va, &pa),
		    -EFAULT);
	}
	if (how == END_KILL && a.state == PROC_RUNNABLE)
		CHECK_EQ(kernel_kill(k, pid0, "test"), 0);

	/* Unit 0 is revoked by whichever ending; unit 1 runs on. */
	s.phase = 2;
	for (int i = 0; i < 20; i++)
		kernel_run(k, 1);
	kernel_proc_info(k, pid0, &a);
	kernel_proc_info(k, pid1, &b);
	CHECK(a.state != PROC_RUNNABLE);
	if (how == END_GOODBYE)
		/* Its kept doorbell capability reaches an unmapped page. */
		CHECK(a.state == PROC_KILLED && a.fault.cause == FAULT_PAGE_UNMAPPED);
	CHECK_EQ(toy.detaches[0], 1);
	CHECK_EQ(toy.detaches[1], 0);
	CHECK(toy.attached[1]);
	CHECK_EQ(toy.hooks, 1);
	CHECK_EQ(toy.hook_dev, toydev);
	CHECK_EQ(toy.hook_pid, pid0);
	CHECK(s.t1_store_after);
	CHECK_EQ(b.state, PROC_RUNNABLE);
	CHECK_EQ(toy.regs[SQT(1) / 4], 0x21);
	CHECK_EQ(toy.regs[CQH(1) / 4], 0x22);
	CHECK_EQ(s.after_goodbye, 0xb1b1b1b1u);	/* its memory untouched */
	CHECK_EQ(toy.regs[SQT(0) / 4], 0);	/* unit 0 quiesced */
	/* Tenant 1's exit revokes unit 1 too. */
	s.phase = 3;
	kernel_run(k, 0);
	kernel_proc_info(k, pid1, &b);
	CHECK_EQ(b.state, PROC_EXITED);
	CHECK_EQ(toy.detaches[1], 1);
	CHECK(!toy.attached[1]);
	CHECK_EQ(toy.hooks, 2);
	kernel_halt(k);
}

/* --- one process, two units, one identity ---------------------------------- */

struct both {
	int rc[2], map_after, goodbye0, goodbye0_again, info1, limit;
	bool differ;
	unsigned unit_after;
};

static void
both_main(void *arg)
{
	struct both *b = arg;
	struct capio_desc d;
	struct capio_grant g;
	cap_t id, page, t0, t1, t2;
	uint64_t info[8];

	if (sys_mmap(4096, &id) != 0 || sys_mmap(4096, &page) != 0 ||
	    capio_describe(toydev, page, &d) != 0)
		return;
	b->rc[0] = capio_attach_unit(toydev, 0, id, &t0);
	b->rc[1] = capio_attach_unit(toydev, 1, id, &t1);
	/* The same identity sealed for two units: two tokens. */
	b->differ = cheri_type_get(t0) != cheri_type_get(t1);
	/* Units held count against proc_devs_max (2): a NIC is one more. */
	b->limit = capio_attach(0, page, &t2);
	/* Unit 0's token lets unit 0 go and nothing of unit 1. */
	b->goodbye0 = capio_goodbye(toydev, t0);
	b->goodbye0_again = capio_goodbye(toydev, t0);
	b->map_after = capio_map(toydev, t1, &d, "bar0", false, &g);
	b->unit_after = g.unit;
	b->info1 = capio_info(toydev, t1, info);
}

static void
test_one_identity_two_units(void)
{
	struct kernel *k = boot(ARM_CAPIO);
	struct both b;

	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&b, 0, sizeof b);
	kernel_spawn(k, "both", both_main, &b);
	kernel_run(k, 0);
	CHECK_EQ(b.rc[0], 0);
	CHECK_EQ(b.rc[1], 0);
	CHECK(b.differ);
	CHECK_EQ(b.limit, -EMFILE);
	CHECK_EQ(b.goodbye0, 0);
	CHECK_EQ(b.goodbye0_again, -EPERM);
	CHECK_EQ(b.map_after, 0);
	CHECK_EQ(b.unit_after, 1);
	CHECK_EQ(b.info1, 0);
	CHECK_EQ(toy.detaches[0], 1);
	CHECK_EQ(toy.detaches[1], 1);	/* at its end */
	kernel_halt(k);
}

/* --- the NIC is one unit; old callers unchanged ------------------------------ */

struct nic {
	int describe, attach, unit1;
	uint32_t nunits, stride;
};

static void
nic_main(void *arg)
{
	struct nic *n = arg;
	struct capio_desc d;
	cap_t id, page, t;

	if (sys_mmap(4096, &id) != 0 || sys_mmap(4096, &page) != 0)
		return;
	n->describe = capio_describe(0, page, &d);
	n->nunits = d.nunits;
	n->stride = d.regions[0].slices[0].unit_stride;
	n->unit1 = capio_attach_unit(0, 1, id, &t);
	n->attach = capio_attach(0, id, &t);
}

static void
test_nic_one_unit(void)
{
	struct kernel *k = boot(ARM_CAPIO);
	struct nic n;

	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&n, 0, sizeof n);
	kernel_spawn(k, "nic", nic_main, &n);
	kernel_run(k, 0);
	CHECK_EQ(n.describe, 0);
	CHECK_EQ(n.nunits, 1);
	CHECK_EQ(n.stride, 0);
	CHECK_EQ(n.unit1, -ENODEV);
	CHECK_EQ(n.attach, 0);
	kernel_halt(k);
}

/* --- the manifest's per-unit checks ---------------------------------------- */

static int
validate(const struct slice *sl, size_t n, unsigned nunits)
{
	const struct region r[] = {
		{ "bar0", REGION_MMIO, 0x2000, 0, sl, n },
	};
	const struct manifest m = { "toy", r, 1 };
	char err[200];

	return manifest_validate_units(&m, nunits, err, sizeof err);
}

static void
test_manifest_units(void)
{
	/* NVMe-shaped: fine for 64 queue pairs. */
	CHECK_EQ(validate(toy_slices, 3, 64), 0);
	/* Unit 1's SQT (0x1004) would be unit 0's CQH. */
	{
		const struct slice s[] = {
			{ "SQT", 0x1000, 4, SLICE_RW, 4 },
			{ "CQH", 0x1004, 4, SLICE_RW, 4 },
		};
		CHECK_EQ(validate(s, 2, 1), 0);
		CHECK_EQ(validate(s, 2, 2), -1);
	}
	/* One slice's units overlap each other. */
	{
		const struct slice s[] = { { "DB", 0x1000, 8, SLICE_RW, 4 } };
		CHECK_EQ(validate(s, 1, 2), -1);
	}
	/* The last unit past the region's end. */
	{
		const struct slice s[] = { { "DB", 0x1000, 4, SLICE_RW, 0x100 } };
		CHECK_EQ(validate(s, 1, 16), 0);
		CHECK_EQ(validate(s, 1, 17), -1);
	}
	/* A shared slice is read-only on a device of several units. */
	{
		const struct slice s[] = { { "CC", 0x14, 4, SLICE_RW, 0 } };
		CHECK_EQ(validate(s, 1, 1), 0);
		CHECK_EQ(validate(s, 1, 2), -1);
	}
	/* A shared slice under a unit's slice. */
	{
		const struct slice s[] = {
			{ "DB", 0x1000, 4, SLICE_RW, 8 },
			{ "ST", 0x1010, 4, SLICE_RO, 0 },
		};
		CHECK_EQ(validate(s, 2, 2), 0);
		CHECK_EQ(validate(s, 2, 3), -1);
	}
	/* A stride whose last unit overflows. */
	{
		const struct slice s[] = {
			{ "DB", 0x1000, 4, SLICE_RW, UINT64_MAX / 2 },
		};
		CHECK_EQ(validate(s, 1, 3), -1);
	}
	CHECK_EQ(validate(toy_slices, 3, 0), -1);
	CHECK_EQ(validate(toy_slices, 3, 65), -1);
}

/* A harness cannot register a manifest that fails the checks. */
static void
test_register_refused(void)
{
	static const struct slice bad[] = {
		{ "DB", 0x1000, 4, SLICE_RW, 0 },	/* shared and writable */
	};
	static const struct region r[] = {
		{ "bar0", REGION_MMIO, 0x2000, 0, bad, 1 },
	};
	static const struct manifest m = { "bad", r, 1 };
	struct kernel *k = boot(ARM_CAPIO);
	char err[200];

	CHECK(k != NULL);
	if (k == NULL)
		return;
	CHECK_EQ(kernel_register_device(k, "bad0", &m, 2, &toy_driver, &toy, err,
	    sizeof err), -1);
	CHECK(strstr(err, "shared") != NULL);
	CHECK_EQ(kernel_register_device(k, "bad0", &toy_manifest, 65,
	    &toy_driver, &toy, err, sizeof err), -1);
	kernel_halt(k);
}

int
main(void)
{
	test_manifest_units();
	test_nic_one_unit();
	test_register_refused();
	test_one_identity_two_units();
	scene(ARM_CAPIO, END_EXIT, true);
	scene(ARM_CAPIO, END_GOODBYE, false);
	scene(ARM_CAPIO, END_KILL, false);
	scene(ARM_CAPIO, END_EXIT, false);
	scene(ARM_PAGE, END_EXIT, true);
	scene(ARM_PAGE, END_KILL, true);
	return check_done("units");
}
