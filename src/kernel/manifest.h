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

struct slice {
	const char *name;
	uint64_t offset;	/* from the start of the region */
	uint64_t length;
	enum slice_access access;
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
 * Check a manifest when a driver registers it: regions named, sized and
 * exactly representable; every slice inside its region, non-empty,
 * non-overlapping, with exactly representable bounds. 0, or -1 and a
 * message in err.
 */
int manifest_validate(const struct manifest *m, char *err, size_t errlen);
const struct region *manifest_region(const struct manifest *m,
    const char *name);
const struct slice *region_slice(const struct region *r, const char *name);

/* For people, and as one JSON object on one line. */
void manifest_print(FILE *f, const struct manifest *m);
void manifest_print_json(FILE *f, const struct manifest *m);

#endif
