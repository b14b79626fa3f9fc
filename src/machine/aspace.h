/*
 * aspace.h — an address space: 4 KiB page tables mapping 48-bit virtual
 * addresses onto the physical address space (phys.h), with read/write
 * permissions, and a direct-mapped software TLB that map changes
 * invalidate. Capabilities hold virtual addresses; every access through
 * one is translated here after the capability checks (access.h).
 */
#ifndef CAPIO_MACHINE_ASPACE_H
#define CAPIO_MACHINE_ASPACE_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/fault.h"
#include "machine/phys.h"

#define MMU_PAGE_SHIFT	12
#define MMU_PAGE_SIZE	(1ull << MMU_PAGE_SHIFT)
#define MMU_PAGE_MASK	(MMU_PAGE_SIZE - 1)
#define MMU_VA_BITS	48	/* virtual addresses are [0, 2^48) */

/* Page permissions and attributes. */
#define MMU_READ	1u
#define MMU_WRITE	2u
#define MMU_DEVICE	4u	/* device memory: natural alignment, no
				   capabilities; always set on MMIO pages */

/* Access counters; faults counted by cause. */
struct access_stats {
	uint64_t loads, stores;		/* data, 1..8 bytes */
	uint64_t cap_loads, cap_stores;
	uint64_t copyins, copyouts, copy_bytes;
	uint64_t mmio_reads, mmio_writes;	/* device transactions */
	uint64_t tlb_misses;
	uint64_t faults[FAULT_NCAUSES];		/* [FAULT_NONE]: unused */
};

/*
 * The TLB and counters are visible so that access.h can inline the hot
 * path; everything else in struct aspace is private.
 *
 * 4096 entries of one cache line each, direct-mapped by the page number's
 * low bits: a process driving two NICs cycles through about 1100 pages
 * (rings, a 1 MiB buffer pool per ring, registers), which 256 entries
 * missed on every new buffer page. The index does not fold in high
 * address bits, so the heap (2^44) and device regions (2^46) alias page
 * for page; folding costs two dependent instructions on every access
 * (+4% on a `capio bench rtt` round trip), and no process here keeps
 * both busy (the kernel arm's buffers are heap, the user-level driver's
 * are device regions).
 */
#define ASPACE_TLB_BITS	12
#define ASPACE_TLB_SIZE	(1u << ASPACE_TLB_BITS)
#define TLB_R		1u	/* page readable */
#define TLB_W		2u	/* page writable */
#define TLB_DEVICE	4u
#define TLB_RAM		8u	/* normal RAM: host and tags valid */

struct tlb_entry {
	uint64_t vpn;		/* virtual page number; UINT64_MAX: empty */
	uint8_t *host;		/* RAM: host address of the page */
	uint64_t *tags;		/* RAM: the page's 4 tag words */
	unsigned flags;		/* TLB_* */
	const struct phys_region *region;
	uint64_t pa;		/* physical address of the page */
} __attribute__((aligned(64)));	/* an index is a shift, an entry a line */

struct aspace {
	struct tlb_entry tlb[ASPACE_TLB_SIZE];
	struct access_stats stats;
	struct phys *phys;
	void *pt;		/* top-level page table */
	uint64_t pages;		/* pages mapped */
	uint64_t tables;	/* page tables held (4 KiB of host each) */
};

struct aspace *aspace_new(struct phys *p);
void aspace_free(struct aspace *as);

/*
 * Map [va, va+len) onto [pa, pa+len): page-aligned, len > 0, every page
 * backed by a region, none already mapped. prot: MMU_READ and/or
 * MMU_WRITE, optionally MMU_DEVICE (added for MMIO pages anyway).
 * 0 or -errno (EINVAL, EEXIST, ENXIO no region, ENOMEM); on error
 * nothing is mapped.
 */
int aspace_map(struct aspace *as, uint64_t va, uint64_t pa, uint64_t len,
    unsigned prot);
/* Unmap every mapped page in [va, va+len) and free the page tables left
 * empty. 0 or -EINVAL (misaligned). */
int aspace_unmap(struct aspace *as, uint64_t va, uint64_t len);
/* New R/W permissions for [va, va+len), all of it mapped (else -ENOENT,
 * nothing changed); the device attribute stays. 0 or -errno. */
int aspace_protect(struct aspace *as, uint64_t va, uint64_t len,
    unsigned prot);
/* Walk the page table (not the TLB): 0 and pa/prot, or -1 unmapped. */
int aspace_translate(const struct aspace *as, uint64_t va, uint64_t *pa,
    unsigned *prot);
uint64_t aspace_mapped_pages(const struct aspace *as);
/* Page tables the address space holds, the top one included: 4 KiB of
 * host memory each. */
uint64_t aspace_tables(const struct aspace *as);

/* The TLB slot of virtual page number vpn. */
static inline unsigned
aspace_tlb_index(uint64_t vpn)
{
	return (unsigned)vpn & (ASPACE_TLB_SIZE - 1);
}

/* Drop every TLB entry (map changes do it themselves). */
void aspace_tlb_flush(struct aspace *as);
/* Fill the TLB entry for va from the page table; NULL if unmapped. */
const struct tlb_entry *aspace_tlb_fill(struct aspace *as, uint64_t va);

/* sum += s, counter by counter (machine-wide totals, exited processes). */
void access_stats_add(struct access_stats *sum, const struct access_stats *s);

static inline const struct access_stats *
aspace_stats(const struct aspace *as)
{
	return &as->stats;
}

#endif
