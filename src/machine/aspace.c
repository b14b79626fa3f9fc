/* aspace.c — see aspace.h. */
#include "machine/aspace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Four levels of 512 entries, 9 bits of page number each, as on a real
 * 48-bit MMU. Interior tables hold pointers; leaves hold PTEs.
 */
#define PT_LEVELS	4
#define PT_BITS		9
#define PT_ENTRIES	(1u << PT_BITS)
#define PTE_VALID	(1ull << 0)
#define PTE_READ	(1ull << 1)
#define PTE_WRITE	(1ull << 2)
#define PTE_DEVICE	(1ull << 3)
#define PTE_PA_MASK	0x000ffffffffff000ull
#define VA_LIMIT	(1ull << MMU_VA_BITS)

struct pt {
	void *slot[PT_ENTRIES];		/* interior: struct pt * or leaf */
};

struct pt_leaf {
	uint64_t pte[PT_ENTRIES];
};

static unsigned
pt_index(uint64_t vpn, int level)
{
	/* level 0 is the top. */
	return (unsigned)(vpn >> (PT_BITS * (PT_LEVELS - 1 - level))) &
	    (PT_ENTRIES - 1);
}

/* The PTE slot for vpn, allocating tables if asked; NULL if absent. */
static uint64_t *
pt_slot(struct aspace *as, uint64_t vpn, bool alloc)
{
	struct pt *t = as->pt;

	/* Interior tables and leaves are both 4 KiB. */
	_Static_assert(sizeof(struct pt) == sizeof(struct pt_leaf),
	    "one table size");
	for (int level = 0; level < PT_LEVELS - 1; level++) {
		void **s = &t->slot[pt_index(vpn, level)];
		if (*s == NULL) {
			if (!alloc || (*s = calloc(1, sizeof(struct pt))) ==
			    NULL)
				return NULL;
			as->tables++;
		}
		t = *s;
	}
	return &((struct pt_leaf *)t)->pte[pt_index(vpn, PT_LEVELS - 1)];
}

/* Pages to skip from vpn when the table at level is absent. */
static uint64_t
pt_span(uint64_t vpn, int level)
{
	uint64_t span = 1ull << (PT_BITS * (PT_LEVELS - 1 - level));

	return span - (vpn & (span - 1));
}

/*
 * The PTE slot for vpn if its tables exist; else NULL and *skip says how
 * many pages from vpn have no tables either.
 */
static uint64_t *
pt_lookup(const struct aspace *as, uint64_t vpn, uint64_t *skip)
{
	struct pt *t = as->pt;

	for (int level = 0; level < PT_LEVELS - 1; level++) {
		void *s = t->slot[pt_index(vpn, level)];
		if (s == NULL) {
			*skip = pt_span(vpn, level + 1);
			return NULL;
		}
		t = s;
	}
	*skip = 1;
	return &((struct pt_leaf *)t)->pte[pt_index(vpn, PT_LEVELS - 1)];
}

/* A table with nothing in it (interior slots and PTEs are both 0). */
static bool
pt_empty(const void *t)
{
	const uint64_t *w = t;

	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (w[i] != 0)
			return false;
	return true;
}

/*
 * Free the tables below t (at level) that cover only [lo, hi] (page
 * numbers, inclusive) and hold nothing any more. Only tables that exist
 * are visited, so the cost is bounded by what is mapped, not by the
 * range. Without this every attach/map/goodbye cycle, which never reuses
 * an address, would leave its leaves behind for the life of the process.
 */
static void
pt_prune(struct aspace *as, struct pt *t, int level, uint64_t lo, uint64_t hi)
{
	const int shift = PT_BITS * (PT_LEVELS - 1 - level);
	const uint64_t span = 1ull << shift;	/* pages under one slot */
	unsigned first = pt_index(lo, level), last = pt_index(hi, level);

	for (unsigned i = first; i <= last; i++) {
		void *c = t->slot[i];
		uint64_t base = (lo & ~((span << PT_BITS) - 1)) +
		    (uint64_t)i * span;
		uint64_t clo = lo > base ? lo : base;
		uint64_t chi = hi < base + span - 1 ? hi : base + span - 1;

		if (c == NULL)
			continue;
		if (level + 1 < PT_LEVELS - 1)
			pt_prune(as, c, level + 1, clo, chi);
		if (pt_empty(c)) {
			free(c);
			t->slot[i] = NULL;
			as->tables--;
		}
	}
}

static void
pt_free(void *t, int level)
{
	if (t == NULL)
		return;
	if (level < PT_LEVELS - 1)
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			pt_free(((struct pt *)t)->slot[i], level + 1);
	free(t);
}

static void
tlb_drop(struct tlb_entry *e)
{
	e->vpn = UINT64_MAX;
	e->flags = 0;
}

struct aspace *
aspace_new(struct phys *p)
{
	struct aspace *as;

	if (p == NULL || (as = calloc(1, sizeof(*as))) == NULL)
		return NULL;
	if ((as->pt = calloc(1, sizeof(struct pt))) == NULL) {
		free(as);
		return NULL;
	}
	as->phys = p;
	as->tables = 1;
	aspace_tlb_flush(as);
	return as;
}

void
aspace_free(struct aspace *as)
{
	if (as == NULL)
		return;
	pt_free(as->pt, 0);
	free(as);
}

uint64_t
aspace_mapped_pages(const struct aspace *as)
{
	return as->pages;
}

uint64_t
aspace_tables(const struct aspace *as)
{
	return as->tables;
}

void
aspace_tlb_flush(struct aspace *as)
{
	for (unsigned i = 0; i < ASPACE_TLB_SIZE; i++)
		tlb_drop(&as->tlb[i]);
}

/*
 * Drop the TLB entries of pages [vpn, vpn+n). A page can only sit in its
 * own slot, so a short range looks at its slots alone; a long one at
 * every entry.
 */
static void
tlb_invalidate(struct aspace *as, uint64_t vpn, uint64_t n)
{
	if (n < ASPACE_TLB_SIZE) {
		for (uint64_t v = vpn; v < vpn + n; v++) {
			struct tlb_entry *e = &as->tlb[aspace_tlb_index(v)];
			if (e->vpn == v)
				tlb_drop(e);
		}
		return;
	}
	for (unsigned i = 0; i < ASPACE_TLB_SIZE; i++) {
		struct tlb_entry *e = &as->tlb[i];
		if (e->vpn != UINT64_MAX && e->vpn - vpn < n)
			tlb_drop(e);
	}
}

static bool
range_ok(uint64_t va, uint64_t len)
{
	return len > 0 && va % MMU_PAGE_SIZE == 0 && len % MMU_PAGE_SIZE == 0 &&
	    va < VA_LIMIT && len <= VA_LIMIT - va;
}

int
aspace_map(struct aspace *as, uint64_t va, uint64_t pa, uint64_t len,
    unsigned prot)
{
	uint64_t vpn, n, i, skip;

	if (as == NULL || !range_ok(va, len) || pa % MMU_PAGE_SIZE != 0 ||
	    pa + len < pa || pa + len > (PTE_PA_MASK | MMU_PAGE_MASK) + 1 ||
	    (prot & ~(MMU_READ | MMU_WRITE | MMU_DEVICE)) != 0 ||
	    (prot & (MMU_READ | MMU_WRITE)) == 0)
		return -EINVAL;
	vpn = va >> MMU_PAGE_SHIFT;
	n = len >> MMU_PAGE_SHIFT;
	/* Check everything before changing anything. */
	for (uint64_t a = pa; a < pa + len;) {
		const struct phys_region *r = phys_find(as->phys, a);
		if (r == NULL)
			return -ENXIO;
		a = r->base + r->size;
		if (a == 0)
			break;		/* region ends at 2^64 */
	}
	for (i = 0; i < n; i += skip) {
		uint64_t *pte = pt_lookup(as, vpn + i, &skip);
		if (pte != NULL && (*pte & PTE_VALID))
			return -EEXIST;
	}
	/* Allocate the tables; a failure frees them again, maps nothing. */
	for (i = 0; i < n; i++)
		if (pt_slot(as, vpn + i, true) == NULL) {
			pt_prune(as, as->pt, 0, vpn, vpn + n - 1);
			return -ENOMEM;
		}
	for (i = 0; i < n; i++) {
		uint64_t a = pa + (i << MMU_PAGE_SHIFT);
		const struct phys_region *r = phys_find(as->phys, a);
		uint64_t pte = a | PTE_VALID;
		if (prot & MMU_READ)
			pte |= PTE_READ;
		if (prot & MMU_WRITE)
			pte |= PTE_WRITE;
		if ((prot & MMU_DEVICE) || r->ops != NULL)
			pte |= PTE_DEVICE;
		*pt_slot(as, vpn + i, false) = pte;
	}
	as->pages += n;
	/* Nothing was mapped there, so no TLB entry can be stale. */
	return 0;
}

int
aspace_unmap(struct aspace *as, uint64_t va, uint64_t len)
{
	uint64_t vpn, n, skip;

	if (as == NULL || !range_ok(va, len))
		return -EINVAL;
	vpn = va >> MMU_PAGE_SHIFT;
	n = len >> MMU_PAGE_SHIFT;
	for (uint64_t i = 0; i < n; i += skip) {
		uint64_t *pte = pt_lookup(as, vpn + i, &skip);
		if (pte != NULL && (*pte & PTE_VALID)) {
			*pte = 0;
			as->pages--;
		}
	}
	pt_prune(as, as->pt, 0, vpn, vpn + n - 1);
	tlb_invalidate(as, vpn, n);
	return 0;
}

int
aspace_protect(struct aspace *as, uint64_t va, uint64_t len,
    unsigned prot)
{
	uint64_t vpn, n, i, skip;

	if (as == NULL || !range_ok(va, len) ||
	    (prot & ~(MMU_READ | MMU_WRITE | MMU_DEVICE)) != 0)
		return -EINVAL;
	vpn = va >> MMU_PAGE_SHIFT;
	n = len >> MMU_PAGE_SHIFT;
	for (i = 0; i < n; i += skip) {
		uint64_t *pte = pt_lookup(as, vpn + i, &skip);
		if (pte == NULL || !(*pte & PTE_VALID))
			return -ENOENT;
	}
	for (i = 0; i < n; i++) {
		uint64_t *pte = pt_lookup(as, vpn + i, &skip);
		*pte &= ~(PTE_READ | PTE_WRITE);
		if (prot & MMU_READ)
			*pte |= PTE_READ;
		if (prot & MMU_WRITE)
			*pte |= PTE_WRITE;
	}
	tlb_invalidate(as, vpn, n);
	return 0;
}

int
aspace_translate(const struct aspace *as, uint64_t va, uint64_t *pa,
    unsigned *prot)
{
	uint64_t *pte, skip;

	if (as == NULL || va >= VA_LIMIT)
		return -1;
	pte = pt_lookup(as, va >> MMU_PAGE_SHIFT, &skip);
	if (pte == NULL || !(*pte & PTE_VALID))
		return -1;
	if (pa != NULL)
		*pa = (*pte & PTE_PA_MASK) | (va & MMU_PAGE_MASK);
	if (prot != NULL)
		*prot = ((*pte & PTE_READ) ? MMU_READ : 0) |
		    ((*pte & PTE_WRITE) ? MMU_WRITE : 0) |
		    ((*pte & PTE_DEVICE) ? MMU_DEVICE : 0);
	return 0;
}

const struct tlb_entry *
aspace_tlb_fill(struct aspace *as, uint64_t va)
{
	struct tlb_entry *e;
	const struct phys_region *r;
	uint64_t pa;
	unsigned prot;

	if (aspace_translate(as, va, &pa, &prot) != 0)
		return NULL;
	as->stats.tlb_misses++;
	pa &= ~MMU_PAGE_MASK;
	e = &as->tlb[aspace_tlb_index(va >> MMU_PAGE_SHIFT)];
	r = phys_find(as->phys, pa);
	e->vpn = va >> MMU_PAGE_SHIFT;
	e->pa = pa;
	e->region = r;
	e->host = NULL;
	e->tags = NULL;
	e->flags = ((prot & MMU_READ) ? TLB_R : 0) |
	    ((prot & MMU_WRITE) ? TLB_W : 0) |
	    ((prot & MMU_DEVICE) ? TLB_DEVICE : 0);
	if (r != NULL && r->ram != NULL) {
		e->host = r->ram + (pa - r->base);
		e->tags = r->tags + (pa - r->base) / PHYS_GRANULE / 64;
		if (!(prot & MMU_DEVICE))
			e->flags |= TLB_RAM;
	}
	return e;
}

void
access_stats_add(struct access_stats *sum, const struct access_stats *s)
{
	sum->loads += s->loads;
	sum->stores += s->stores;
	sum->cap_loads += s->cap_loads;
	sum->cap_stores += s->cap_stores;
	sum->copyins += s->copyins;
	sum->copyouts += s->copyouts;
	sum->copy_bytes += s->copy_bytes;
	sum->mmio_reads += s->mmio_reads;
	sum->mmio_writes += s->mmio_writes;
	sum->tlb_misses += s->tlb_misses;
	for (int i = 0; i < FAULT_NCAUSES; i++)
		sum->faults[i] += s->faults[i];
}
