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

/* The complete path: every check, one at a time, in order. */
int access_slow(struct aspace *as, const cap_t *c, uint64_t va,
    uint64_t size, enum fault_op op, void *data, struct fault *f);

/*
 * --- the hot path --------------------------------------------------------
 * Tagged, unsealed, permitted, in bounds, and a TLB hit on RAM or on a
 * device register: every check passes at once, and the access is made
 * here. Anything else (a miss, a fault) takes access_slow.
 */

/* Permissions and object type as they sit in pesbt: one mask tests both. */
#define ACCESS_PESBT_LOAD	((uint64_t)CAP_PERM_LOAD << CAP_F_PERMS_LSB)
#define ACCESS_PESBT_STORE	((uint64_t)CAP_PERM_STORE << CAP_F_PERMS_LSB)
#define ACCESS_PESBT_OTYPE	CAP_FIELD_MASK(OTYPE)

/*
 * Tag, seal, permission and bounds in one expression: true if all pass
 * for [va, va+size). Without branches, since they almost always pass;
 * any failure goes to the complete path, which finds the first cause.
 */
ACCESS_INLINE int
access_cap_ok(const cap_t *c, uint64_t va, uint64_t size, uint64_t perm)
{
	return c->tag & ((c->pesbt & (ACCESS_PESBT_OTYPE | perm)) == perm) &
	    c->bounds_valid & (va >= c->base) &
	    ((cap_len_t)va + size <= c->top);
}

/* The same, and the access stays in one span (a page, or a granule). */
ACCESS_INLINE int
access_fast_ok(const cap_t *c, uint64_t va, unsigned size, uint64_t perm,
    uint64_t span)
{
	return access_cap_ok(c, va, size, perm) &
	    ((va & (span - 1)) + size <= span);
}

ACCESS_INLINE const struct tlb_entry *
access_tlb(const struct aspace *as, uint64_t va)
{
	return &as->tlb[aspace_tlb_index(va >> MMU_PAGE_SHIFT)];
}

/*
 * The device register case: ok is the verdict on the capability and the
 * span, the size a data size, naturally aligned, the page in the TLB as
 * a device page of an MMIO region with permission need. Then every check
 * of the complete path has passed; the region, or NULL if one may fail.
 */
ACCESS_INLINE const struct phys_region *
access_mmio_hit(const struct tlb_entry *e, int ok, uint64_t va,
    unsigned size, unsigned need)
{
	if (ok & (e->vpn == va >> MMU_PAGE_SHIFT) &
	    ((size == 1) | (size == 2) | (size == 4) | (size == 8)) &
	    ((va & (size - 1)) == 0) &
	    ((e->flags & (TLB_DEVICE | need)) == (TLB_DEVICE | need)) &&
	    e->region != NULL && e->region->ops != NULL)
		return e->region;
	return NULL;
}

/* What the bus carries of v: the low size bytes. */
ACCESS_INLINE uint64_t
access_bus_value(uint64_t v, unsigned size)
{
	return size < 8 ? v & ((1ull << (size * 8)) - 1) : v;
}

ACCESS_INLINE int
access_load(struct aspace *as, cap_t c, int64_t off, unsigned size,
    uint64_t *val, struct fault *f)
{
	uint64_t va = cap_bounds_address(c.cursor + (uint64_t)off);
	const struct tlb_entry *e = access_tlb(as, va);
	int ok = access_fast_ok(&c, va, size, ACCESS_PESBT_LOAD, MMU_PAGE_SIZE);
	const struct phys_region *r;
	const uint8_t *p;

	if (__builtin_expect(ok & (e->vpn == va >> MMU_PAGE_SHIFT) &
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
	if ((r = access_mmio_hit(e, ok, va, size, TLB_R)) != NULL) {
		*val = access_bus_value(r->ops->read(r->dev,
		    e->pa - r->base + (va & MMU_PAGE_MASK), size), size);
		as->stats.mmio_reads++;
		as->stats.loads++;
		return 0;
	}
	return access_slow(as, &c, va, size, FAULT_OP_LOAD, val, f);
}

ACCESS_INLINE int
access_store(struct aspace *as, cap_t c, int64_t off, unsigned size,
    uint64_t val, struct fault *f)
{
	uint64_t va = cap_bounds_address(c.cursor + (uint64_t)off);
	const struct tlb_entry *e = access_tlb(as, va);
	uint64_t pgoff = va & MMU_PAGE_MASK, g = pgoff / PHYS_GRANULE;
	/* In one granule, so one tag to clear; a store across two takes
	 * the complete path. */
	int ok = access_fast_ok(&c, va, size, ACCESS_PESBT_STORE, PHYS_GRANULE);
	const struct phys_region *r;
	uint8_t *p;

	if (__builtin_expect(ok & (e->vpn == va >> MMU_PAGE_SHIFT) &
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
		/* A data store is never a capability: clear the granule's
		 * tag. It is nearly always clear already, and testing
		 * first spares the next access to the word a wait on this
		 * one's store. */
		if (__builtin_expect((e->tags[g / 64] >> (g & 63)) & 1, 0))
			e->tags[g / 64] &= ~(1ull << (g & 63));
		as->stats.stores++;
		return 0;
	}
slow:
	if ((r = access_mmio_hit(e, ok, va, size, TLB_W)) != NULL) {
		r->ops->write(r->dev, e->pa - r->base + pgoff,
		    access_bus_value(val, size), size);
		as->stats.mmio_writes++;
		as->stats.stores++;
		return 0;
	}
	return access_slow(as, &c, va, size, FAULT_OP_STORE, &val, f);
}

#endif
