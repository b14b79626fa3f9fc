/*
 * test_access_fast.c — the fast paths of the checked access path (RAM
 * hits inline, device registers on a TLB hit, copies wholly in RAM)
 * against the complete path, access_slow, which checks one thing at a
 * time. Two identical machines run the same random accesses and map
 * changes, one through the public calls and one through access_slow
 * only; results, fault records, memory, tags, device transactions and
 * counters must agree after every step.
 */
#include <string.h>

#include "check.h"
#include "machine/access.h"

#define RAM	0x80000000ull
#define RAMSZ	0x10000ull	/* 16 pages */
#define MMIO	0xf0000000ull
#define VA	0x10000000ull
#define NPAGES	16
#define PG	MMU_PAGE_SIZE

/* A register file that logs its last transactions. */
struct txn {
	uint64_t off, val;
	unsigned size;
	bool write;
};

struct dev {
	uint8_t regs[0x2000];
	unsigned n;
	struct txn log[4];
};

static uint64_t
dev_read(void *d0, uint64_t off, unsigned size)
{
	struct dev *d = d0;
	uint64_t v = 0;

	memcpy(&v, d->regs + off, size);
	d->log[d->n % 4] = (struct txn){ off, v, size, false };
	d->n++;
	/* Junk above size: the bus must drop it. */
	return v | (size < 8 ? ~0ull << (size * 8) : 0);
}

static void
dev_write(void *d0, uint64_t off, uint64_t val, unsigned size)
{
	struct dev *d = d0;

	memcpy(d->regs + off, &val, size);
	d->log[d->n % 4] = (struct txn){ off, val, size, true };
	d->n++;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write, NULL };

/* What each virtual page is backed by, and how it starts mapped. */
static const struct {
	uint64_t pa;
	unsigned prot;		/* 0: a hole at first */
} layout[NPAGES] = {
	{ RAM + 0 * PG, MMU_READ | MMU_WRITE },
	{ RAM + 1 * PG, MMU_READ | MMU_WRITE },
	{ RAM + 2 * PG, MMU_READ | MMU_WRITE },
	{ RAM + 3 * PG, MMU_READ | MMU_WRITE },
	{ RAM + 4 * PG, MMU_READ | MMU_WRITE },
	{ RAM + 5 * PG, MMU_READ | MMU_WRITE },
	{ RAM + 6 * PG, MMU_READ },
	{ RAM + 7 * PG, MMU_WRITE },
	{ RAM + 8 * PG, 0 },
	{ MMIO, MMU_READ | MMU_WRITE },
	{ MMIO + PG, MMU_READ | MMU_WRITE },
	{ RAM + 9 * PG, MMU_READ | MMU_WRITE | MMU_DEVICE },
	{ MMIO + PG, MMU_READ },
	{ RAM + 10 * PG, MMU_READ | MMU_WRITE },
	{ RAM + 11 * PG, 0 },
	{ RAM + 12 * PG, MMU_READ | MMU_WRITE },
};

struct machine {
	struct phys *p;
	struct aspace *as;
	struct dev dev;
};

static struct machine fast, ref;
static unsigned prot_now[NPAGES];

static void
boot(struct machine *m)
{
	memset(&m->dev, 0, sizeof m->dev);
	m->p = phys_new();
	CHECK_EQ(phys_add_ram(m->p, RAM, RAMSZ), 0);
	CHECK_EQ(phys_add_mmio(m->p, MMIO, 0x2000, "dev", &dev_ops, &m->dev),
	    0);
	m->as = aspace_new(m->p);
	for (int i = 0; i < NPAGES; i++)
		if (layout[i].prot != 0)
			CHECK_EQ(aspace_map(m->as, VA + i * PG, layout[i].pa,
			    PG, layout[i].prot), 0);
}

static void
halt(struct machine *m)
{
	aspace_free(m->as);
	phys_free(m->p);
}

/* A random capability somewhere over the window, mostly usable. */
static cap_t
random_cap(void)
{
	uint64_t base = VA + check_rand() % (NPAGES * PG);
	uint64_t len = 1 + check_rand() % (2 * PG);
	uint32_t perms = CAP_PERM_LOAD | CAP_PERM_STORE |
	    CAP_PERM_LOAD_CAP | CAP_PERM_STORE_CAP | CAP_PERM_STORE_LOCAL_CAP |
	    CAP_PERM_MUTABLE_LOAD;
	cap_t c = cheri_bounds_set(cheri_address_set(cap_root(), base), len);

	if (check_rand() % 4 == 0)
		perms &= (uint32_t)check_rand();
	c = cheri_perms_and(c, perms);
	switch (check_rand() % 32) {
	case 0:
		return cheri_tag_clear(c);
	case 1:
		return cheri_seal(c, cheri_address_set(cap_root(),
		    1 + check_rand() % 100));
	}
	return c;
}

static void
same_fault(int r, const struct fault *a, const struct fault *b)
{
	if (r == 0)
		return;
	CHECK_EQ(a->cause, b->cause);
	CHECK_EQ(a->op, b->op);
	CHECK_EQ(a->vaddr, b->vaddr);
	CHECK_EQ(a->size, b->size);
	CHECK_EQ(a->mapped, b->mapped);
	CHECK_EQ(a->paddr, b->paddr);
}

static void
same_state(void)
{
	static uint8_t a[RAMSZ], b[RAMSZ];
	const struct access_stats *sa = aspace_stats(fast.as);
	const struct access_stats *sb = aspace_stats(ref.as);

	CHECK_EQ(phys_read(fast.p, RAM, a, RAMSZ), 0);
	CHECK_EQ(phys_read(ref.p, RAM, b, RAMSZ), 0);
	CHECK(memcmp(a, b, RAMSZ) == 0);
	for (uint64_t g = RAM; g < RAM + RAMSZ; g += PHYS_GRANULE)
		if (phys_tag_get(fast.p, g) != phys_tag_get(ref.p, g))
			CHECK(!"tags differ");
	CHECK(memcmp(fast.dev.regs, ref.dev.regs, sizeof fast.dev.regs) == 0);
	CHECK_EQ(sa->loads, sb->loads);
	CHECK_EQ(sa->stores, sb->stores);
	CHECK_EQ(sa->cap_loads, sb->cap_loads);
	CHECK_EQ(sa->cap_stores, sb->cap_stores);
	CHECK_EQ(sa->copyins, sb->copyins);
	CHECK_EQ(sa->copyouts, sb->copyouts);
	CHECK_EQ(sa->copy_bytes, sb->copy_bytes);
	CHECK_EQ(sa->mmio_reads, sb->mmio_reads);
	CHECK_EQ(sa->mmio_writes, sb->mmio_writes);
	for (int i = 0; i < FAULT_NCAUSES; i++)
		CHECK_EQ(sa->faults[i], sb->faults[i]);
}

static void
same_device_log(void)
{
	CHECK_EQ(fast.dev.n, ref.dev.n);
	/* Field by field: a struct's padding bytes are not its value. */
	for (int i = 0; i < 4; i++) {
		const struct txn *a = &fast.dev.log[i], *b = &ref.dev.log[i];

		CHECK(a->off == b->off && a->val == b->val &&
		    a->size == b->size && a->write == b->write);
	}
}

/* Unmap, map or re-protect one page, the same on both machines. */
static void
map_change(void)
{
	unsigned i = (unsigned)(check_rand() % NPAGES);
	unsigned prot = check_rand() % 2 ? MMU_READ | MMU_WRITE :
	    1 + (unsigned)(check_rand() % 2);	/* R or W */
	uint64_t va = VA + i * PG;

	if (layout[i].pa < MMIO && check_rand() % 4 == 0)
		prot |= MMU_DEVICE;
	if (prot_now[i] != 0 && check_rand() % 3 == 0) {
		CHECK_EQ(aspace_unmap(fast.as, va, PG), 0);
		CHECK_EQ(aspace_unmap(ref.as, va, PG), 0);
		prot_now[i] = 0;
	} else if (prot_now[i] != 0) {
		CHECK_EQ(aspace_protect(fast.as, va, PG, prot), 0);
		CHECK_EQ(aspace_protect(ref.as, va, PG, prot), 0);
		prot_now[i] = prot;
	} else {
		CHECK_EQ(aspace_map(fast.as, va, layout[i].pa, PG, prot), 0);
		CHECK_EQ(aspace_map(ref.as, va, layout[i].pa, PG, prot), 0);
		prot_now[i] = prot;
	}
}

static void
step(void)
{
	static const unsigned sizes[] = { 1, 2, 4, 8, 1, 2, 4, 8, 3, 16 };
	static uint8_t bufa[3 * PG], bufb[3 * PG], src[3 * PG];
	cap_t c = random_cap();
	uint64_t clen = cheri_length_get(c);
	/* Mostly inside the capability, now and then a little outside. */
	int64_t off = (int64_t)(check_rand() % (clen + 32)) - 16;
	uint64_t va;
	unsigned size = sizes[check_rand() % 10];
	uint64_t len = check_rand() % (clen + 32 - (uint64_t)(off + 16));
	int n;
	struct fault fa, fb;
	uint64_t va_ = 0x5a, vb = 0x5a, w = check_rand();
	cap_t ca, cb;
	int r;

	/* Aligned more often than not: device registers want it. Short
	 * copies mostly, so that they leave some tags standing. */
	if (check_rand() % 2)
		off &= ~(int64_t)(size - 1);
	if (check_rand() % 4)
		len %= 100;
	va = cap_bounds_address(c.cursor + (uint64_t)off);
	switch (check_rand() % 12) {
	case 0: case 1: case 2:
		r = access_load(fast.as, c, off, size, &va_, &fa);
		CHECK_EQ(r, access_slow(ref.as, &c, va, size, FAULT_OP_LOAD,
		    &vb, &fb));
		CHECK_EQ(va_, vb);
		break;
	case 3: case 4: case 5:
		r = access_store(fast.as, c, off, size, w, &fa);
		CHECK_EQ(r, access_slow(ref.as, &c, va, size, FAULT_OP_STORE,
		    &w, &fb));
		break;
	case 6: case 7:
		memset(bufa, 0xc3, len + 1);
		memset(bufb, 0xc3, len + 1);
		r = access_copyin(fast.as, c, off, bufa, len, &fa);
		CHECK_EQ(r, access_slow(ref.as, &c, va, len, FAULT_OP_COPYIN,
		    bufb, &fb));
		CHECK(memcmp(bufa, bufb, len + 1) == 0);
		break;
	case 8: case 9:
		for (uint64_t i = 0; i < len; i++)
			src[i] = (uint8_t)check_rand();
		r = access_copyout(fast.as, c, off, src, len, &fa);
		CHECK_EQ(r, access_slow(ref.as, &c, va, len, FAULT_OP_COPYOUT,
		    src, &fb));
		break;
	case 10:
		/* A run of capabilities in memory, for data to untag. */
		off &= ~(int64_t)15;
		n = 1 + (int)(check_rand() % 16);
		for (int i = 0; i < n; i++, off += PHYS_GRANULE) {
			va = cap_bounds_address(c.cursor + (uint64_t)off);
			r = access_store_cap(fast.as, c, off, c, &fa);
			CHECK_EQ(r, access_slow(ref.as, &c, va, PHYS_GRANULE,
			    FAULT_OP_STORE_CAP, &c, &fb));
			same_fault(r, &fa, &fb);
		}
		r = access_load_cap(fast.as, c, off - PHYS_GRANULE, &ca, &fa);
		CHECK_EQ(r, access_slow(ref.as, &c, va, PHYS_GRANULE,
		    FAULT_OP_LOAD_CAP, &cb, &fb));
		if (r == 0)
			CHECK(cheri_is_equal_exact(ca, cb));
		break;
	default:
		if (check_rand() % 8 == 0)
			aspace_tlb_flush(fast.as);
		else
			map_change();
		return;
	}
	same_fault(r, &fa, &fb);
	same_device_log();
}

/* A few fixed cases the random walk might reach only rarely. */
static void
test_fixed(void)
{
	cap_t c = cheri_perms_and(cap_root(), CAP_PERM_LOAD | CAP_PERM_STORE |
	    CAP_PERM_STORE_CAP | CAP_PERM_LOAD_CAP | CAP_PERM_STORE_LOCAL_CAP |
	    CAP_PERM_MUTABLE_LOAD);
	uint8_t buf[3 * PG];
	struct fault f;
	uint64_t v;

	/* A copy over three RAM pages in one go, [24, 3 pages - 24): the
	 * tags of exactly the granules it touches go, in bulk. */
	for (uint64_t g = 0; g < 3 * PG; g += PHYS_GRANULE)
		CHECK_EQ(access_store_cap(fast.as, c, (int64_t)(VA + g), c, &f),
		    0);
	memset(buf, 0x42, sizeof buf);
	CHECK_EQ(access_copyout(fast.as, c, (int64_t)(VA + 24), buf,
	    3 * PG - 48, &f), 0);
	CHECK_EQ(aspace_stats(fast.as)->copyouts, 1);
	CHECK_EQ(aspace_stats(fast.as)->copy_bytes, 3 * PG - 48);
	CHECK(phys_tag_get(fast.p, RAM));
	for (uint64_t g = PHYS_GRANULE; g < 3 * PG - 16; g += PHYS_GRANULE)
		if (phys_tag_get(fast.p, RAM + g))
			CHECK(!"tag left behind");
	CHECK(phys_tag_get(fast.p, RAM + 3 * PG - 16));
	CHECK_EQ(access_copyin(fast.as, c, (int64_t)(VA + 24), buf + 1,
	    3 * PG - 48, &f), 0);
	CHECK_EQ(buf[0], 0x42);
	/* Through a read-only page, nothing at all is written. */
	CHECK_EQ(access_copyout(fast.as, c, (int64_t)(VA + 5 * PG), buf,
	    2 * PG, &f), -1);
	CHECK_EQ(f.cause, FAULT_PAGE_PERM);
	CHECK_EQ(f.vaddr, VA + 5 * PG);
	/* Device registers on a TLB hit: natural alignment still checked,
	 * and the device never hears of a misaligned access. */
	fast.dev.n = 0;
	CHECK_EQ(access_store(fast.as, c, (int64_t)(VA + 9 * PG + 0x10), 4,
	    0x11223344, &f), 0);
	CHECK_EQ(access_load(fast.as, c, (int64_t)(VA + 9 * PG + 0x10), 2, &v,
	    &f), 0);
	CHECK_EQ(v, 0x3344);
	CHECK_EQ(fast.dev.n, 2);
	CHECK_EQ(access_store(fast.as, c, (int64_t)(VA + 9 * PG + 0x12), 4, 1,
	    &f), -1);
	CHECK_EQ(f.cause, FAULT_ALIGNMENT);
	CHECK_EQ(access_store(fast.as, c, (int64_t)(VA + 12 * PG), 4, 1, &f),
	    -1);
	CHECK_EQ(f.cause, FAULT_PAGE_PERM);	/* the read-only alias */
	CHECK_EQ(fast.dev.n, 2);
	/* Unmap drops the cached device page: the next access faults. */
	CHECK_EQ(aspace_unmap(fast.as, VA + 9 * PG, PG), 0);
	CHECK_EQ(access_store(fast.as, c, (int64_t)(VA + 9 * PG + 0x10), 4, 1,
	    &f), -1);
	CHECK_EQ(f.cause, FAULT_PAGE_UNMAPPED);
	CHECK_EQ(fast.dev.n, 2);
	CHECK_EQ(aspace_map(fast.as, VA + 9 * PG, MMIO, PG,
	    MMU_READ | MMU_WRITE), 0);
}

int
main(void)
{
	boot(&fast);
	test_fixed();
	halt(&fast);

	boot(&fast);
	boot(&ref);
	for (int i = 0; i < NPAGES; i++)
		prot_now[i] = layout[i].prot;
	for (int it = 0; it < 20000; it++) {
		step();
		if (it % 64 == 0)
			same_state();
	}
	same_state();
	halt(&fast);
	halt(&ref);
	return check_done("test_access_fast");
}
