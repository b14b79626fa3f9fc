/*
 * access.h — the checked access path: every load and store the machine
 * performs on behalf of software goes through a capability.
 *
 * The access is at virtual address cap_bounds_address(cursor + off), as
 * a Morello load with an immediate offset. Checks, in order: tag, seal,
 * permission (Load, Store, LoadCap, StoreCap), bounds (every byte),
 * alignment (capability accesses 16 bytes; data accesses to device
 * memory naturally aligned), then the MMU (mapping, page permission,
 * device attribute). Each call returns 0, or -1 with *f filled and no
 * effect at all. Data stores clear the tags of the granules they touch.
 *
 * These never trap; cpu.h has the trapping forms for code running in a
 * context, and the kernel-mode forms that panic.
 */
#ifndef CAPIO_MACHINE_ACCESS_H
#define CAPIO_MACHINE_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cap/cap.h"
#include "machine/aspace.h"
#include "machine/fault.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the simulated machine is little-endian and so must the host be"
#endif

/* The hot path must really be inlined, whatever the size heuristics. */
#define ACCESS_INLINE	static inline __attribute__((always_inline))

/* Data load/store of size 1, 2, 4 or 8 bytes; values zero-extended. */
ACCESS_INLINE int access_load(struct aspace *as, cap_t c, int64_t off,
    unsigned size, uint64_t *val, struct fault *f);
ACCESS_INLINE int access_store(struct aspace *as, cap_t c, int64_t off,
    unsigned size, uint64_t val, struct fault *f);
/* Capability load/store: 16-aligned, normal RAM only. The loaded value
 * is tagged only if the granule's tag is set. */
int access_load_cap(struct aspace *as, cap_t c, int64_t off, cap_t *out,
    struct fault *f);
int access_store_cap(struct aspace *as, cap_t c, int64_t off, cap_t val,
    struct fault *f);
/*
 * Copy len bytes out of simulated memory into buf (copyin: needs Load),
 * or from buf into simulated memory (copyout: needs Store). Every byte
 * and every page is checked before the first byte moves. Device memory
 * is accessed in naturally aligned transactions of up to 8 bytes.
 */
int access_copyin(struct aspace *as, cap_t c, int64_t off, void *buf,
    size_t len, struct fault *f);
int access_copyout(struct aspace *as, cap_t c, int64_t off,
    const void *buf, size_t len, struct fault *f);

/* The complete path; the inline functions fall back on it. */
int access_slow(struct aspace *as, const cap_t *c, uint64_t va,
    uint64_t size, enum fault_op op, void *data, struct fault *f);

/* --- the hot path: tagged, unsealed, in bounds, TLB hit on RAM --------- */

#define ACCESS_PESBT_LOAD	(1ull << (46 + 17))
#define ACCESS_PESBT_STORE	(1ull << (46 + 16))
#define ACCESS_PESBT_OTYPE	((uint64_t)CAP_OTYPE_MAX << 31)

ACCESS_INLINE int
access_fast_ok(const cap_t *c, uint64_t va, unsigned size, uint64_t perm)
{
	return c->tag & ((c->pesbt & (ACCESS_PESBT_OTYPE | perm)) == perm) &
	    c->bounds_valid & (va >= c->base) &
	    ((cap_len_t)va + size <= c->top) &
	    ((va & MMU_PAGE_MASK) + size <= MMU_PAGE_SIZE);
}

ACCESS_INLINE const struct tlb_entry *
access_tlb(const struct aspace *as, uint64_t va)
{
	return &as->tlb[(va >> MMU_PAGE_SHIFT) & (ASPACE_TLB_SIZE - 1)];
}

ACCESS_INLINE int
access_load(struct aspace *as, cap_t c, int64_t off, unsigned size,
    uint64_t *val, struct fault *f)
{
	uint64_t va = cap_bounds_address(c.cursor + (uint64_t)off);
	const struct tlb_entry *e = access_tlb(as, va);
	const uint8_t *p;

	if (__builtin_expect(access_fast_ok(&c, va, size, ACCESS_PESBT_LOAD) &
	    (e->vpn == va >> MMU_PAGE_SHIFT) &
	    ((e->flags & (TLB_RAM | TLB_R)) == (TLB_RAM | TLB_R)), 1)) {
		p = e->host + (va & MMU_PAGE_MASK);
		switch (size) {
		case 1: { uint8_t v; memcpy(&v, p, 1); *val = v; break; }
		case 2: { uint16_t v; memcpy(&v, p, 2); *val = v; break; }
		case 4: { uint32_t v; memcpy(&v, p, 4); *val = v; break; }
		case 8: { uint64_t v; memcpy(&v, p, 8); *val = v; break; }
		default:
			goto slow;
		}
		as->stats.loads++;
		return 0;
	}
slow:
	return access_slow(as, &c, va, size, FAULT_OP_LOAD, val, f);
}

ACCESS_INLINE int
access_store(struct aspace *as, cap_t c, int64_t off, unsigned size,
    uint64_t val, struct fault *f)
{
	uint64_t va = cap_bounds_address(c.cursor + (uint64_t)off);
	const struct tlb_entry *e = access_tlb(as, va);
	uint64_t pgoff = va & MMU_PAGE_MASK, g0, g1;
	uint8_t *p;

	if (__builtin_expect(access_fast_ok(&c, va, size, ACCESS_PESBT_STORE) &
	    (e->vpn == va >> MMU_PAGE_SHIFT) &
	    ((e->flags & (TLB_RAM | TLB_W)) == (TLB_RAM | TLB_W)), 1)) {
		p = e->host + pgoff;
		switch (size) {
		case 1: { uint8_t v = (uint8_t)val; memcpy(p, &v, 1); break; }
		case 2: { uint16_t v = (uint16_t)val; memcpy(p, &v, 2); break; }
		case 4: { uint32_t v = (uint32_t)val; memcpy(p, &v, 4); break; }
		case 8: memcpy(p, &val, 8); break;
		default:
			goto slow;
		}
		/* A data store is never a capability: clear the granules'
		 * tags (at most two, possibly the same one). */
		g0 = pgoff / PHYS_GRANULE;
		g1 = (pgoff + size - 1) / PHYS_GRANULE;
		e->tags[g0 / 64] &= ~(1ull << (g0 & 63));
		e->tags[g1 / 64] &= ~(1ull << (g1 & 63));
		as->stats.stores++;
		return 0;
	}
slow:
	return access_slow(as, &c, va, size, FAULT_OP_STORE, &val, f);
}

#endif
