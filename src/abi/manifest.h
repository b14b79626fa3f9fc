/*
 * manifest.h — a device's manifest as a process sees it: the regions it
 * may map and, for register regions, the slices it gets capabilities
 * to. Fixed-size plain data, with no pointers: SYS_DESCRIBE copies it
 * out into the caller's memory through a capability the caller passes,
 * and the caller finds region indices (SYS_MAP) and slice capabilities
 * in its copy.
 *
 * A device has nunits units (a NIC: 1; an NVMe controller: one per
 * queue pair), each attached on its own. Unit u's slice lies at
 * offset + u * unit_stride in its region (capio_slice_offset); a
 * unit_stride of 0 is the same bytes for every unit (shared, read-only
 * when there is more than one unit). DMA regions are each unit's own.
 *
 * SYS_DESCRIBE (x0: device, x1: the buffer's size, c0: the buffer)
 * writes sizeof(struct capio_desc) bytes at c0's address and returns 0;
 * no token is needed (a manifest is no secret). Errors: ENODEV, no such
 * device; EINVAL, x1 < sizeof(struct capio_desc); EFAULT, c0 cannot
 * store all of it (untagged, sealed, no Store permission, out of
 * bounds, not mapped writable): then nothing is written.
 */
#ifndef CAPIO_ABI_MANIFEST_H
#define CAPIO_ABI_MANIFEST_H

#include <stdint.h>

#define CAPIO_DESC_NAME_MAX	16	/* names, with their NUL */
#define CAPIO_DESC_REGIONS	8
#define CAPIO_DESC_SLICES	8	/* = SYS_MAXCAPS: one capability each */

/* capio_region_desc.kind */
#define CAPIO_REGION_MMIO	0	/* device registers (a BAR) */
#define CAPIO_REGION_DMA	1	/* RAM the device DMAs */

/* capio_slice_desc.access */
#define CAPIO_SLICE_RO		0	/* Load only */
#define CAPIO_SLICE_RW		1	/* Load and Store */

struct capio_slice_desc {
	char name[CAPIO_DESC_NAME_MAX];	/* "TDT", ... */
	uint64_t offset;		/* from the start of the region,
					   for unit 0 */
	uint64_t length;
	uint32_t access;		/* CAPIO_SLICE_* */
	uint32_t unit_stride;		/* unit u: offset + u * unit_stride;
					   0: shared (was reserved, 0) */
};

struct capio_region_desc {
	char name[CAPIO_DESC_NAME_MAX];	/* "bar0", "tx_ring", ... */
	uint32_t kind;			/* CAPIO_REGION_* */
	uint32_t nslices;		/* MMIO: slices[0..nslices) */
	uint64_t size;			/* what SYS_MAP wants in x2 */
	struct capio_slice_desc slices[CAPIO_DESC_SLICES];
};

/* Region i is SYS_MAP's region i; a mapped MMIO region's capability
 * results come in slice order. Unused entries are zero. */
struct capio_desc {
	char device[CAPIO_DESC_NAME_MAX];	/* device type: "e1000e" */
	uint32_t nregions;
	uint32_t nunits;			/* >= 1 (was reserved, 0) */
	struct capio_region_desc regions[CAPIO_DESC_REGIONS];
};

#endif
