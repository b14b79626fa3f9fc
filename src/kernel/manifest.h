/*
 * manifest.h — a device manifest: the declarative table a kernel driver
 * stub registers, naming the regions it can share with a user process
 * and, for register regions, the byte slices a data plane may touch.
 *
 * The slicer (capio.h) hands out exactly these; nothing else of a
 * register region is ever granted under the CAPIO arm.
 */
#ifndef CAPIO_KERNEL_MANIFEST_H
#define CAPIO_KERNEL_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum region_kind {
	REGION_MMIO,	/* device registers (a BAR) */
	REGION_DMA,	/* RAM the device DMAs: rings, buffer pools */
};

enum slice_access {
	SLICE_RO,	/* Load only */
	SLICE_RW,	/* Load and Store */
};

/*
 * Unit u of a device gets the slice at offset + u * unit_stride: an NVMe
 * queue pair's doorbells (SQ y tail at 0x1000 + 8y: offset 0x1000,
 * stride 8). unit_stride 0: the same bytes for every unit, a shared
 * slice, which must be read-only on a device of more than one unit (a
 * unit's holder must not write what another unit's holder relies on).
 */
struct slice {
	const char *name;
	uint64_t offset;	/* from the start of the region, unit 0 */
	uint64_t length;
	enum slice_access access;
	uint64_t unit_stride;	/* 0: shared by every unit */
};

struct region {
	const char *name;	/* "bar0", "tx_ring", ... */
	enum region_kind kind;
	uint64_t size;
	/* DMA regions: what the device may do there (IOMMU_READ/WRITE). */
	unsigned dma_perm;
	const struct slice *slices;
	size_t nslices;
};

struct manifest {
	const char *device;	/* device type: "e1000e" */
	const struct region *regions;
	size_t nregions;
};

/*
 * Check a manifest when a driver registers it for a device of NUNITS
 * units (1..MANIFEST_MAX_UNITS): regions named, sized and exactly
 * representable; every unit's slices inside their region, non-empty,
 * with exactly representable bounds, not overlapping each other nor any
 * other unit's; shared slices (unit_stride 0) read-only when there is
 * more than one unit. 0, or -1 and a message in err. Work is bounded by
 * (units x slices)^2 per region.
 */
#define MANIFEST_MAX_UNITS	64
int manifest_validate_units(const struct manifest *m, unsigned nunits,
    char *err, size_t errlen);
/* The same for a device of one unit. */
int manifest_validate(const struct manifest *m, char *err, size_t errlen);
/* Offset of slice s for unit u (validated: no overflow). */
static inline uint64_t
slice_offset(const struct slice *s, unsigned u)
{
	return s->offset + (uint64_t)u * s->unit_stride;
}
const struct region *manifest_region(const struct manifest *m,
    const char *name);
const struct slice *region_slice(const struct region *r, const char *name);

/* For people, and as one JSON object on one line. */
void manifest_print(FILE *f, const struct manifest *m);
void manifest_print_json(FILE *f, const struct manifest *m);

#endif
