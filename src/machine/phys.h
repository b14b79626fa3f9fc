/*
 * phys.h — the machine's physical address space: RAM regions with one
 * capability tag bit per 16-byte granule, and MMIO regions served by
 * device callbacks (mmio.h). Device memory never holds tags.
 *
 * This is the trusted view (the MMU, the IOMMU and the kernel use it);
 * nothing untrusted ever holds a physical address or a host pointer.
 */
#ifndef CAPIO_MACHINE_PHYS_H
#define CAPIO_MACHINE_PHYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cap/cap.h"
#include "machine/mmio.h"

#define PHYS_GRANULE	16u	/* bytes covered by one tag bit */
#define PHYS_MAX_REGIONS 32
#define PHYS_PAGE	4096u	/* region alignment */

struct phys_region {
	uint64_t base;
	uint64_t size;
	const char *name;		/* "ram", "e1000e0 BAR0", ... */
	/* RAM: host backing and tag bitmap; NULL for MMIO. */
	uint8_t *ram;
	uint64_t *tags;
	/* MMIO: device callbacks; NULL for RAM. */
	const struct mmio_ops *ops;
	void *dev;
};

struct phys *phys_new(void);
/* Frees the regions' backing; address spaces and IOMMUs must go first. */
void phys_free(struct phys *p);
/* Add a region; page-aligned, non-overlapping. 0 or -errno. */
int phys_add_ram(struct phys *p, uint64_t base, uint64_t size);
int phys_add_mmio(struct phys *p, uint64_t base, uint64_t size,
    const char *name, const struct mmio_ops *ops, void *dev);
/*
 * Remove the MMIO region that starts at BASE (a PCI BAR that moved or was
 * disabled). 0, -ENOENT (none there) or -EINVAL (RAM). Whoever cached a
 * pointer to the region (an MMU's TLB) must drop it first.
 */
int phys_remove_mmio(struct phys *p, uint64_t base);
/* The region holding paddr, or NULL. */
const struct phys_region *phys_find(const struct phys *p, uint64_t paddr);
/* Number of regions, and region i in address order (NULL past the end). */
unsigned phys_region_count(const struct phys *p);
const struct phys_region *phys_region_at(const struct phys *p, unsigned i);

/*
 * Trusted byte access to RAM (kernel, IOMMU). The whole range must lie in
 * one RAM region; -1 otherwise, nothing done. Writes clear the tags of
 * every granule they touch.
 */
int phys_read(struct phys *p, uint64_t pa, void *buf, size_t len);
int phys_write(struct phys *p, uint64_t pa, const void *buf, size_t len);
/* Tag of the granule holding pa (RAM only; false elsewhere). */
bool phys_tag_get(const struct phys *p, uint64_t pa);

/*
 * Host address of [pa, pa+len) when it lies in one RAM region, else NULL.
 * For the MMU's TLB and trusted bulk copies; whoever writes through it
 * must clear the tags (phys_tags_clear).
 */
uint8_t *phys_ram_ptr(const struct phys *p, uint64_t pa, size_t len);
/* Clear the tags of every granule [pa, pa+len) touches (RAM only). */
void phys_tags_clear(struct phys *p, uint64_t pa, size_t len);

/*
 * Capabilities in RAM: 16 bytes at a 16-aligned pa, address (cursor) in
 * the low 8 bytes, metadata (pesbt) in the high 8, little-endian, plus the
 * granule's tag. A load yields an untagged value from an untagged granule.
 * 0, or -1 (not RAM, misaligned: nothing done).
 */
int phys_load_cap(const struct phys *p, uint64_t pa, cap_t *out);
int phys_store_cap(struct phys *p, uint64_t pa, cap_t c);

/*
 * One bus transaction of 1, 2, 4 or 8 bytes (little-endian) to RAM or
 * MMIO; MMIO must be naturally aligned. 0, or -1 (no region, bad size,
 * misaligned MMIO: nothing done). A RAM write clears the tags.
 */
int phys_bus_read(struct phys *p, uint64_t pa, unsigned size, uint64_t *val);
int phys_bus_write(struct phys *p, uint64_t pa, unsigned size, uint64_t val);

/* Register name at pa, "" if the region has none (MMIO only). */
const char *phys_reg_name(const struct phys_region *r, uint64_t off);

#endif
