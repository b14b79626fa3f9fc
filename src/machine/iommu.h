/*
 * iommu.h — the only way a device reaches RAM: DMA through windows its
 * owner (the kernel) programs.
 *
 * Each device has its own IOMMU context. A window maps a device-visible
 * address range (iova) onto physical RAM with read and/or write
 * permission. Every DMA is translated and bounds-checked in full before
 * any byte moves: an access that is not wholly inside one window with the
 * right permission is a DMA fault — counted, reported to the owner, and
 * without effect. DMA writes clear the capability tags of the granules
 * they touch (a device cannot store capabilities).
 */
#ifndef CAPIO_MACHINE_IOMMU_H
#define CAPIO_MACHINE_IOMMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct phys;

#define IOMMU_READ	1u	/* device may read (TX descriptors, TX buffers) */
#define IOMMU_WRITE	2u	/* device may write (RX buffers, write-back) */
#define IOMMU_MAX_WINDOWS 32

struct dma_fault {
	uint64_t iova;
	uint64_t len;
	bool write;
};

typedef void (*dma_fault_fn)(void *owner, const char *dev, const struct dma_fault *f);

struct iommu *iommu_new(struct phys *phys, const char *devname);
void iommu_free(struct iommu *io);
/* Map [iova, iova+len) onto [paddr, paddr+len) (RAM only). 0 or -errno. */
int iommu_map(struct iommu *io, uint64_t iova, uint64_t paddr, uint64_t len, unsigned perm);
/* Remove every window that overlaps [iova, iova+len). */
void iommu_unmap(struct iommu *io, uint64_t iova, uint64_t len);
void iommu_unmap_all(struct iommu *io);
/* Remove every window, then map every RAM region of the machine one to
 * one with PERM: what a bus-mastering PCI function on a machine without
 * an IOMMU reaches. */
void iommu_map_all_ram(struct iommu *io, unsigned perm);
void iommu_set_fault_handler(struct iommu *io, dma_fault_fn fn, void *owner);
/* 0 on success; -1 on a DMA fault (nothing was read or written). */
int dma_read(struct iommu *io, uint64_t iova, void *buf, size_t len);
int dma_write(struct iommu *io, uint64_t iova, const void *buf, size_t len);
uint64_t iommu_fault_count(const struct iommu *io);
const struct dma_fault *iommu_last_fault(const struct iommu *io);

#endif
