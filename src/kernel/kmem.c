/*
 * kmem.c — a bitmap of pages; first fit at the requested alignment.
 * Simple and exact; the kernel allocates at attach and boot, never on a
 * data path.
 */
#include "kernel/kmem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "machine/aspace.h"
#include "machine/phys.h"

struct kmem {
	struct phys *phys;
	uint64_t base;
	uint64_t npages;
	uint64_t nfree;
	uint8_t *used;		/* one byte per page: simple beats clever */
};

struct kmem *
kmem_new(struct phys *phys, uint64_t base, uint64_t size)
{
	struct kmem *km = calloc(1, sizeof *km);

	if (km == NULL)
		return NULL;
	km->phys = phys;
	km->base = base;
	km->npages = size / MMU_PAGE_SIZE;
	km->nfree = km->npages;
	km->used = calloc(km->npages ? km->npages : 1, 1);
	if (km->used == NULL) {
		free(km);
		return NULL;
	}
	return km;
}

void
kmem_free_all(struct kmem *km)
{
	if (km == NULL)
		return;
	free(km->used);
	free(km);
}

static void
zero(struct kmem *km, uint64_t pa, uint64_t len)
{
	uint8_t *p = phys_ram_ptr(km->phys, pa, len);

	if (p != NULL) {
		memset(p, 0, len);
		phys_tags_clear(km->phys, pa, len);
	}
}

int
kmem_alloc(struct kmem *km, uint64_t len, uint64_t align, uint64_t *pa)
{
	uint64_t n = (len + MMU_PAGE_MASK) / MMU_PAGE_SIZE;
	uint64_t step;

	if (len == 0 || align < MMU_PAGE_SIZE || (align & (align - 1)))
		return -EINVAL;
	step = align / MMU_PAGE_SIZE;
	/* The region's base may not be aligned; align physical addresses. */
	for (uint64_t first = 0; first + n <= km->npages; ) {
		uint64_t addr = km->base + first * MMU_PAGE_SIZE, i;

		if (addr & (align - 1)) {
			uint64_t up = (addr + align - 1) & ~(align - 1);
			first += (up - addr) / MMU_PAGE_SIZE;
			continue;
		}
		for (i = 0; i < n && !km->used[first + i]; i++)
			;
		if (i == n) {
			memset(km->used + first, 1, n);
			km->nfree -= n;
			*pa = addr;
			zero(km, addr, n * MMU_PAGE_SIZE);
			return 0;
		}
		first += step;
	}
	return -ENOMEM;
}

void
kmem_release(struct kmem *km, uint64_t pa, uint64_t len)
{
	uint64_t first = (pa - km->base) / MMU_PAGE_SIZE;
	uint64_t n = (len + MMU_PAGE_MASK) / MMU_PAGE_SIZE;

	if (pa < km->base || first + n > km->npages)
		return;
	zero(km, pa, n * MMU_PAGE_SIZE);
	for (uint64_t i = 0; i < n; i++) {
		if (km->used[first + i]) {
			km->used[first + i] = 0;
			km->nfree++;
		}
	}
}

uint64_t
kmem_free_pages(const struct kmem *km)
{
	return km->nfree;
}
