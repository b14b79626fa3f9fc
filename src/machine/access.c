/*
 * access.c — see access.h: the complete checked path (access_slow), and
 * the copies' fast path, which checks the same things at once for a copy
 * wholly in RAM.
 */
#include "machine/access.h"

#include <string.h>

static bool
op_stores(enum fault_op op)
{
	return op == FAULT_OP_STORE || op == FAULT_OP_STORE_CAP ||
	    op == FAULT_OP_COPYOUT;
}

static bool
op_is_cap(enum fault_op op)
{
	return op == FAULT_OP_LOAD_CAP || op == FAULT_OP_STORE_CAP;
}

static bool
op_is_copy(enum fault_op op)
{
	return op == FAULT_OP_COPYIN || op == FAULT_OP_COPYOUT;
}

/* Fill the record (including where va lands) and count it. */
static int
fault_raise(struct aspace *as, struct fault *f, enum fault_cause cause,
    enum fault_op op, uint64_t va, uint64_t size, const cap_t *c)
{
	const struct phys_region *r;
	uint64_t pa;

	as->stats.faults[cause]++;
	if (f == NULL)
		return -1;
	memset(f, 0, sizeof(*f));
	f->cause = cause;
	f->op = op;
	f->store = op_stores(op);
	f->vaddr = va;
	f->size = size;
	f->cap = *c;
	if (aspace_translate(as, va, &pa, NULL) == 0) {
		f->mapped = true;
		f->paddr = pa;
		if ((r = phys_find(as->phys, pa)) != NULL) {
			f->region = r->name;
			f->offset = pa - r->base;
			if (r->ops != NULL)
				f->reg = phys_reg_name(r, f->offset);
		}
	}
	return -1;
}

/*
 * The capability checks, in architectural order. VAL is the capability
 * a capability store would write (else NULL): as on Morello, StoreCap is
 * needed only to store a tagged one, and StoreLocalCap only to store a
 * tagged one without Global. A capability load never faults for want of
 * LoadCap; post_load_cap takes the tag away instead.
 */
static enum fault_cause
cap_check(const cap_t *c, uint64_t va, uint64_t size, enum fault_op op,
    const cap_t *val)
{
	uint32_t perms = cheri_perms_get(*c);

	if (!c->tag)
		return FAULT_TAG;
	if (cheri_is_sealed(*c))
		return FAULT_SEAL;
	if (op_stores(op)) {
		if (!(perms & CAP_PERM_STORE))
			return FAULT_PERM_STORE;
		if (op == FAULT_OP_STORE_CAP && val->tag) {
			if (!(perms & CAP_PERM_STORE_CAP))
				return FAULT_PERM_STORE_CAP;
			if (!(cheri_perms_get(*val) & CAP_PERM_GLOBAL) &&
			    !(perms & CAP_PERM_STORE_LOCAL_CAP))
				return FAULT_PERM_STORE_LOCAL_CAP;
		}
	} else {
		if (!(perms & CAP_PERM_LOAD))
			return FAULT_PERM_LOAD;
	}
	if (!c->bounds_valid || va < c->base ||
	    (cap_len_t)va + size > c->top)
		return FAULT_BOUNDS;
	if (op_is_cap(op) && va % PHYS_GRANULE != 0)
		return FAULT_ALIGNMENT;
	if (!op_is_cap(op) && !op_is_copy(op) &&
	    size != 1 && size != 2 && size != 4 && size != 8)
		return FAULT_ALIGNMENT;
	return FAULT_NONE;
}

/*
 * What a capability load hands back, given the authorising capability C
 * (Morello's squash after a capability load): without LoadCap the value
 * arrives untagged; without MutableLoad a tagged, unsealed value loses
 * every permission that would let it write (Store, StoreCap,
 * StoreLocalCap, MutableLoad).
 */
static cap_t
post_load_cap(const cap_t *c, cap_t v)
{
	uint32_t perms = cheri_perms_get(*c);

	if (!v.tag)
		return v;
	if (!(perms & CAP_PERM_LOAD_CAP))
		return cheri_tag_clear(v);
	if (!(perms & CAP_PERM_MUTABLE_LOAD) && !cheri_is_sealed(v))
		v = cheri_perms_and(v, ~(uint32_t)(CAP_PERM_STORE |
		    CAP_PERM_STORE_CAP | CAP_PERM_STORE_LOCAL_CAP |
		    CAP_PERM_MUTABLE_LOAD));
	return v;
}

/* The MMU checks for every page [va, va+size) touches. */
static enum fault_cause
mmu_check(struct aspace *as, uint64_t va, uint64_t size, enum fault_op op)
{
	unsigned need = op_stores(op) ? TLB_W : TLB_R;
	uint64_t a = va, left = size, n;

	/* Count down what is left: va + size may be 2^64. */
	while (left > 0) {
		const struct tlb_entry *e = access_tlb(as, a);
		if (e->vpn != a >> MMU_PAGE_SHIFT &&
		    (e = aspace_tlb_fill(as, a)) == NULL)
			return FAULT_PAGE_UNMAPPED;
		if (!(e->flags & need))
			return FAULT_PAGE_PERM;
		if (e->region == NULL)
			return FAULT_BUS;
		if (e->flags & TLB_DEVICE) {
			if (op_is_cap(op))
				return FAULT_CAP_TO_DEVICE;
			/* One bus transaction: naturally aligned, which also
			 * keeps it inside the page. */
			if (!op_is_copy(op) && va % size != 0)
				return FAULT_ALIGNMENT;
		}
		n = MMU_PAGE_SIZE - (a & MMU_PAGE_MASK);
		if (n >= left)
			break;
		left -= n;
		a += n;
	}
	return FAULT_NONE;
}

/*
 * Clear the tags of the granules [pgoff, pgoff+n) touches in one page:
 * its 256 granules are the 4 tag words at tags. n > 0.
 */
static inline void
page_tags_clear(uint64_t *tags, uint64_t pgoff, uint64_t n)
{
	uint64_t g = pgoff / PHYS_GRANULE;
	uint64_t last = (pgoff + n - 1) / PHYS_GRANULE;

	for (uint64_t w = g / 64; w <= last / 64; w++) {
		unsigned lo = w == g / 64 ? g % 64 : 0;
		unsigned hi = w == last / 64 ? last % 64 : 63;
		uint64_t m = (~0ull >> (63 - hi)) & (~0ull << lo);
		/* Nearly always clear already: spare the store. */
		if (tags[w] & m)
			tags[w] &= ~m;
	}
}

/*
 * Move bytes between buf and [va, va+size), all of it already checked:
 * RAM by copying (stores clear the tags), device memory in naturally
 * aligned transactions of up to 8 bytes.
 */
static void
range_move(struct aspace *as, uint64_t va, uint8_t *buf, uint64_t size,
    bool store)
{
	while (size > 0) {
		const struct tlb_entry *e = access_tlb(as, va);
		uint64_t pgoff = va & MMU_PAGE_MASK;
		uint64_t n = MMU_PAGE_SIZE - pgoff;

		if (e->vpn != va >> MMU_PAGE_SHIFT)
			e = aspace_tlb_fill(as, va);
		if (n > size)
			n = size;
		if (e->host != NULL) {
			if (store) {
				memcpy(e->host + pgoff, buf, n);
				page_tags_clear(e->tags, pgoff, n);
			} else
				memcpy(buf, e->host + pgoff, n);
		} else {
			const struct phys_region *r = e->region;
			uint64_t off = e->pa + pgoff - r->base;
			for (uint64_t done = 0; done < n;) {
				unsigned s = 8;
				uint64_t v = 0;
				while (s > n - done || (off + done) % s != 0)
					s >>= 1;
				if (store) {
					memcpy(&v, buf + done, s);
					r->ops->write(r->dev, off + done, v, s);
					as->stats.mmio_writes++;
				} else {
					v = r->ops->read(r->dev, off + done, s);
					memcpy(buf + done, &v, s);
					as->stats.mmio_reads++;
				}
				done += s;
			}
		}
		va += n;
		buf += n;
		size -= n;
	}
}

int
access_slow(struct aspace *as, const cap_t *c, uint64_t va, uint64_t size,
    enum fault_op op, void *data, struct fault *f)
{
	enum fault_cause cause;
	uint8_t b[PHYS_GRANULE] = { 0 };
	uint64_t pa;
	cap_t cv;

	if ((cause = cap_check(c, va, size, op, op == FAULT_OP_STORE_CAP ?
	    (const cap_t *)data : NULL)) != FAULT_NONE ||
	    (cause = mmu_check(as, va, size, op)) != FAULT_NONE)
		return fault_raise(as, f, cause, op, va, size, c);
	switch (op) {
	case FAULT_OP_LOAD:
		range_move(as, va, b, size, false);
		memcpy(data, b, 8);	/* b is zeroed: zero-extends */
		as->stats.loads++;
		break;
	case FAULT_OP_STORE:
		memcpy(b, data, 8);
		range_move(as, va, b, size, true);
		as->stats.stores++;
		break;
	case FAULT_OP_LOAD_CAP:
		aspace_translate(as, va, &pa, NULL);
		phys_load_cap(as->phys, pa, &cv);
		*(cap_t *)data = post_load_cap(c, cv);
		as->stats.cap_loads++;
		break;
	case FAULT_OP_STORE_CAP:
		aspace_translate(as, va, &pa, NULL);
		phys_store_cap(as->phys, pa, *(const cap_t *)data);
		as->stats.cap_stores++;
		break;
	case FAULT_OP_COPYIN:
		range_move(as, va, data, size, false);
		as->stats.copyins++;
		as->stats.copy_bytes += size;
		break;
	case FAULT_OP_COPYOUT:
		range_move(as, va, data, size, true);
		as->stats.copyouts++;
		as->stats.copy_bytes += size;
		break;
	}
	return 0;
}

int
access_load_cap(struct aspace *as, cap_t c, int64_t off, cap_t *out,
    struct fault *f)
{
	return access_slow(as, &c, cap_bounds_address(c.cursor + (uint64_t)off),
	    PHYS_GRANULE, FAULT_OP_LOAD_CAP, out, f);
}

int
access_store_cap(struct aspace *as, cap_t c, int64_t off, cap_t val,
    struct fault *f)
{
	return access_slow(as, &c, cap_bounds_address(c.cursor + (uint64_t)off),
	    PHYS_GRANULE, FAULT_OP_STORE_CAP, &val, f);
}

/*
 * A copy wholly in normal RAM: the capability checked once for the
 * whole range, then every page through the TLB (filling it on a miss),
 * and only when all pass, one memcpy per page. -1 (nothing done, nothing
 * counted but TLB fills) when anything is not that case: a fault, a
 * device page, an empty copy; the complete path then decides.
 */
ACCESS_INLINE int
copy_fast(struct aspace *as, const cap_t *c, uint64_t va, uint8_t *buf,
    uint64_t len, bool store)
{
	unsigned need = store ? TLB_W : TLB_R;
	uint64_t a = va, left = len, pgoff, n;
	const struct tlb_entry *e;

	if (len == 0 || !access_cap_ok(c, va, len,
	    store ? ACCESS_PESBT_STORE : ACCESS_PESBT_LOAD))
		return -1;
	/* Check every page; count down what is left: va + len may be 2^64. */
	for (;;) {
		e = access_tlb(as, a);
		if (e->vpn != a >> MMU_PAGE_SHIFT &&
		    (e = aspace_tlb_fill(as, a)) == NULL)
			return -1;
		if ((e->flags & (TLB_RAM | need)) != (TLB_RAM | need))
			return -1;
		n = MMU_PAGE_SIZE - (a & MMU_PAGE_MASK);
		if (n >= left)
			break;
		left -= n;
		a += n;
	}
	/* Move. A long copy may have evicted its own first pages; nothing
	 * changed the mappings since, so a refill cannot fail. */
	for (a = va, left = len; left > 0; a += n, buf += n, left -= n) {
		e = access_tlb(as, a);
		if (e->vpn != a >> MMU_PAGE_SHIFT)
			e = aspace_tlb_fill(as, a);
		pgoff = a & MMU_PAGE_MASK;
		n = MMU_PAGE_SIZE - pgoff < left ? MMU_PAGE_SIZE - pgoff : left;
		/* Hide that n <= 4096: knowing it, GCC inlines memcpy as
		 * "rep movsq", which costs several times libc's memcpy at
		 * frame sizes. */
		__asm__("" : "+r"(n));
		if (store) {
			memcpy(e->host + pgoff, buf, n);
			page_tags_clear(e->tags, pgoff, n);
		} else
			memcpy(buf, e->host + pgoff, n);
	}
	if (store)
		as->stats.copyouts++;
	else
		as->stats.copyins++;
	as->stats.copy_bytes += len;
	return 0;
}

int
access_copyin(struct aspace *as, cap_t c, int64_t off, void *buf,
    size_t len, struct fault *f)
{
	uint64_t va = cap_bounds_address(c.cursor + (uint64_t)off);

	if (copy_fast(as, &c, va, buf, len, false) == 0)
		return 0;
	return access_slow(as, &c, va, len, FAULT_OP_COPYIN, buf, f);
}

int
access_copyout(struct aspace *as, cap_t c, int64_t off, const void *buf,
    size_t len, struct fault *f)
{
	uint64_t va = cap_bounds_address(c.cursor + (uint64_t)off);

	/* Both paths only read buf for a copyout. */
	if (copy_fast(as, &c, va, (uint8_t *)(uintptr_t)buf, len, true) == 0)
		return 0;
	return access_slow(as, &c, va, len, FAULT_OP_COPYOUT,
	    (void *)(uintptr_t)buf, f);
}
