/* test_aspace.c — page tables, permissions and the TLB they invalidate. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "machine/access.h"
#include "machine/aspace.h"

#define RAM	0x80000000ull
#define RAMSZ	0x40000ull	/* 64 pages */
#define MMIO	0xf0000000ull
#define VA	0x10000000ull

static uint64_t
dev_read(void *dev, uint64_t off, unsigned size)
{
	(void)dev;
	return off + size;
}

static void
dev_write(void *dev, uint64_t off, uint64_t val, unsigned size)
{
	(void)dev;
	(void)off;
	(void)val;
	(void)size;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write, NULL };

static struct phys *
machine(void)
{
	struct phys *p = phys_new();

	CHECK_EQ(phys_add_ram(p, RAM, RAMSZ), 0);
	CHECK_EQ(phys_add_mmio(p, MMIO, 0x2000, "dev0 BAR0", &dev_ops, NULL),
	    0);
	return p;
}

static void
test_map_args(void)
{
	struct phys *p = machine();
	struct aspace *as = aspace_new(p);
	uint64_t pa;
	unsigned prot;

	CHECK(aspace_new(NULL) == NULL);
	CHECK_EQ(aspace_map(as, VA + 1, RAM, 0x1000, MMU_READ), -EINVAL);
	CHECK_EQ(aspace_map(as, VA, RAM + 1, 0x1000, MMU_READ), -EINVAL);
	CHECK_EQ(aspace_map(as, VA, RAM, 0xfff, MMU_READ), -EINVAL);
	CHECK_EQ(aspace_map(as, VA, RAM, 0, MMU_READ), -EINVAL);
	CHECK_EQ(aspace_map(as, VA, RAM, 0x1000, 0), -EINVAL);
	CHECK_EQ(aspace_map(as, VA, RAM, 0x1000, MMU_DEVICE), -EINVAL);
	CHECK_EQ(aspace_map(as, VA, RAM, 0x1000, 0x10 | MMU_READ), -EINVAL);
	CHECK_EQ(aspace_map(as, 1ull << 48, RAM, 0x1000, MMU_READ), -EINVAL);
	CHECK_EQ(aspace_map(as, (1ull << 48) - 0x1000, RAM, 0x2000, MMU_READ),
	    -EINVAL);
	CHECK_EQ(aspace_map(as, VA, RAM + RAMSZ - 0x1000, 0x2000, MMU_READ),
	    -ENXIO);
	CHECK_EQ(aspace_map(as, VA, 0x1000, 0x1000, MMU_READ), -ENXIO);
	CHECK_EQ(aspace_mapped_pages(as), 0);

	CHECK_EQ(aspace_map(as, VA, RAM, 0x3000, MMU_READ | MMU_WRITE), 0);
	CHECK_EQ(aspace_mapped_pages(as), 3);
	/* Overlap anywhere: refused, and the new pages stay unmapped. */
	CHECK_EQ(aspace_map(as, VA + 0x2000, RAM + 0x8000, 0x2000, MMU_READ),
	    -EEXIST);
	CHECK_EQ(aspace_translate(as, VA + 0x3000, NULL, NULL), -1);
	CHECK_EQ(aspace_mapped_pages(as), 3);

	CHECK_EQ(aspace_translate(as, VA + 0x1abc, &pa, &prot), 0);
	CHECK_EQ(pa, RAM + 0x1abc);
	CHECK_EQ(prot, MMU_READ | MMU_WRITE);
	CHECK_EQ(aspace_translate(as, VA - 1, &pa, &prot), -1);
	CHECK_EQ(aspace_translate(as, ~0ull, &pa, &prot), -1);

	/* MMIO pages get the device attribute whatever the caller said. */
	CHECK_EQ(aspace_map(as, 0x20000000, MMIO, 0x2000, MMU_READ), 0);
	CHECK_EQ(aspace_translate(as, 0x20001008, &pa, &prot), 0);
	CHECK_EQ(pa, MMIO + 0x1008);
	CHECK_EQ(prot, MMU_READ | MMU_DEVICE);
	/* A range may span adjacent regions only if all of it is backed. */
	CHECK_EQ(aspace_map(as, 0x30000000, MMIO + 0x1000, 0x2000, MMU_READ),
	    -ENXIO);

	/* Unmap: alignment checked; holes are fine. */
	CHECK_EQ(aspace_unmap(as, VA + 1, 0x1000), -EINVAL);
	CHECK_EQ(aspace_unmap(as, VA + 0x1000, 0x100000), 0);
	CHECK_EQ(aspace_mapped_pages(as), 3);
	CHECK_EQ(aspace_translate(as, VA, NULL, NULL), 0);
	CHECK_EQ(aspace_translate(as, VA + 0x1000, NULL, NULL), -1);
	/* Huge unmaps over empty space are cheap (absent tables skipped). */
	CHECK_EQ(aspace_unmap(as, 0, 1ull << 47), 0);
	CHECK_EQ(aspace_mapped_pages(as), 0);

	/* Protect: every page must be mapped, else nothing changes. */
	CHECK_EQ(aspace_map(as, VA, RAM, 0x2000, MMU_READ | MMU_WRITE), 0);
	CHECK_EQ(aspace_protect(as, VA, 0x3000, MMU_READ), -ENOENT);
	CHECK_EQ(aspace_translate(as, VA, NULL, &prot), 0);
	CHECK_EQ(prot, MMU_READ | MMU_WRITE);
	CHECK_EQ(aspace_protect(as, VA, 0x2000, MMU_READ), 0);
	CHECK_EQ(aspace_translate(as, VA + 0x1000, NULL, &prot), 0);
	CHECK_EQ(prot, MMU_READ);
	CHECK_EQ(aspace_protect(as, VA, 0x1000, 0), 0);
	CHECK_EQ(aspace_translate(as, VA, NULL, &prot), 0);
	CHECK_EQ(prot, 0);
	aspace_free(as);
	phys_free(p);
}

/* A capability over [va, va+len) with Load and Store. */
static cap_t
rw_cap(uint64_t va, uint64_t len)
{
	cap_t c = cheri_bounds_set_exact(cheri_address_set(cap_root(), va),
	    len);

	return cheri_perms_and(c, CAP_PERM_LOAD | CAP_PERM_STORE);
}

static void
test_tlb(void)
{
	struct phys *p = machine();
	struct aspace *as = aspace_new(p);
	cap_t c = rw_cap(VA, 0x4000);
	struct fault f;
	uint64_t v, misses;

	CHECK_EQ(aspace_map(as, VA, RAM, 0x4000, MMU_READ | MMU_WRITE), 0);
	CHECK_EQ(access_store(as, c, 0x10, 8, 0x1111, &f), 0);
	misses = aspace_stats(as)->tlb_misses;
	CHECK_EQ(misses, 1);
	CHECK_EQ(access_load(as, c, 0x10, 8, &v, &f), 0);
	CHECK_EQ(v, 0x1111);
	CHECK_EQ(aspace_stats(as)->tlb_misses, misses);	/* a hit */

	/* Unmap invalidates: the very next access faults. */
	CHECK_EQ(aspace_unmap(as, VA, 0x1000), 0);
	CHECK_EQ(access_load(as, c, 0x10, 8, &v, &f), -1);
	CHECK_EQ(f.cause, FAULT_PAGE_UNMAPPED);
	CHECK_EQ(access_store(as, c, 0x10, 8, 1, &f), -1);
	CHECK_EQ(f.cause, FAULT_PAGE_UNMAPPED);

	/* Remapped elsewhere: the new frame, not a stale translation. */
	CHECK_EQ(aspace_map(as, VA, RAM + 0x10000, 0x1000, MMU_READ), 0);
	CHECK_EQ(access_load(as, c, 0x10, 8, &v, &f), 0);
	CHECK_EQ(v, 0);

	/* Protect invalidates: read-only now refuses the store. */
	CHECK_EQ(access_store(as, c, 0x1010, 4, 7, &f), 0);
	CHECK_EQ(aspace_protect(as, VA + 0x1000, 0x1000, MMU_READ), 0);
	CHECK_EQ(access_store(as, c, 0x1010, 4, 8, &f), -1);
	CHECK_EQ(f.cause, FAULT_PAGE_PERM);
	CHECK(f.store);
	CHECK_EQ(access_load(as, c, 0x1010, 4, &v, &f), 0);
	CHECK_EQ(v, 7);
	CHECK_EQ(aspace_protect(as, VA + 0x1000, 0x1000, MMU_WRITE), 0);
	CHECK_EQ(access_load(as, c, 0x1010, 4, &v, &f), -1);
	CHECK_EQ(f.cause, FAULT_PAGE_PERM);
	CHECK(!f.store);
	CHECK_EQ(access_store(as, c, 0x1010, 4, 9, &f), 0);
	CHECK_EQ(aspace_stats(as)->faults[FAULT_PAGE_PERM], 2);
	CHECK_EQ(aspace_stats(as)->faults[FAULT_PAGE_UNMAPPED], 2);
	{
		struct access_stats sum = { 0 };
		access_stats_add(&sum, aspace_stats(as));
		access_stats_add(&sum, aspace_stats(as));
		CHECK_EQ(sum.faults[FAULT_PAGE_PERM], 4);
		CHECK_EQ(sum.loads, 2 * aspace_stats(as)->loads);
		CHECK_EQ(sum.stores, 2 * aspace_stats(as)->stores);
		CHECK_EQ(sum.tlb_misses, 2 * aspace_stats(as)->tlb_misses);
	}
	aspace_free(as);
	phys_free(p);
}

/*
 * Property: after any sequence of map/unmap/protect, every access agrees
 * with the page table (never with a stale TLB entry). Pages collide in
 * the direct-mapped TLB on purpose (stride of ASPACE_TLB_SIZE pages).
 */
static void
test_tlb_property(void)
{
	struct phys *p = machine();
	struct aspace *as = aspace_new(p);
	const uint64_t stride = ASPACE_TLB_SIZE * MMU_PAGE_SIZE;
	enum { NPG = 8 };
	unsigned prot[NPG] = { 0 };	/* 0: unmapped */
	uint64_t frame[NPG];
	uint64_t gen = 0;

	for (int it = 0; it < 3000; it++) {
		unsigned i = (unsigned)(check_rand() % NPG);
		uint64_t va = VA + i * stride;
		cap_t c = rw_cap(va, MMU_PAGE_SIZE);
		struct fault f;
		uint64_t v, fr;
		int r;

		switch (check_rand() % 5) {
		case 0:		/* map to a random frame */
			fr = RAM + (check_rand() % (RAMSZ / MMU_PAGE_SIZE)) *
			    MMU_PAGE_SIZE;
			r = aspace_map(as, va, fr, MMU_PAGE_SIZE,
			    MMU_READ | MMU_WRITE);
			CHECK_EQ(r, prot[i] ? -EEXIST : 0);
			if (r == 0) {
				prot[i] = MMU_READ | MMU_WRITE;
				frame[i] = fr;
			}
			break;
		case 1:
			CHECK_EQ(aspace_unmap(as, va, MMU_PAGE_SIZE), 0);
			prot[i] = 0;
			break;
		case 2: {
			unsigned np = (unsigned)(check_rand() % 4);
			r = aspace_protect(as, va, MMU_PAGE_SIZE, np);
			CHECK_EQ(r, prot[i] ? 0 : -ENOENT);
			if (r == 0)
				prot[i] = np | 0x100;	/* mapped, np */
			break;
		}
		default:	/* access and compare with the model */
			if (check_rand() & 1) {
				r = access_store(as, c, 8, 8, ++gen, &f);
				if (prot[i] == 0)
					CHECK(r == -1 &&
					    f.cause == FAULT_PAGE_UNMAPPED);
				else if (!(prot[i] & MMU_WRITE))
					CHECK(r == -1 &&
					    f.cause == FAULT_PAGE_PERM);
				else {
					CHECK_EQ(r, 0);
					phys_read(p, frame[i] + 8, &v, 8);
					CHECK_EQ(v, gen);
				}
			} else {
				r = access_load(as, c, 8, 8, &v, &f);
				if (prot[i] == 0)
					CHECK(r == -1 &&
					    f.cause == FAULT_PAGE_UNMAPPED);
				else if (!(prot[i] & MMU_READ))
					CHECK(r == -1 &&
					    f.cause == FAULT_PAGE_PERM);
				else {
					uint64_t w;
					CHECK_EQ(r, 0);
					phys_read(p, frame[i] + 8, &w, 8);
					CHECK_EQ(v, w);
				}
			}
		}
	}
	aspace_free(as);
	phys_free(p);
}

int
main(void)
{
	test_map_args();
	test_tlb();
	test_tlb_property();
	return check_done("test_aspace");
}
