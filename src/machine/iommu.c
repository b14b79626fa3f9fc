/* iommu.c — see iommu.h. */
#include "machine/iommu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "machine/phys.h"

struct window {
	uint64_t iova, len, paddr;
	unsigned perm;
};

struct iommu {
	struct phys *phys;
	char *name;
	struct window win[IOMMU_MAX_WINDOWS];
	unsigned nwin;
	uint64_t faults;
	struct dma_fault last;
	bool faulted;
	dma_fault_fn handler;
	void *owner;
};

struct iommu *
iommu_new(struct phys *phys, const char *devname)
{
	struct iommu *io;

	if (phys == NULL || devname == NULL ||
	    (io = calloc(1, sizeof(*io))) == NULL)
		return NULL;
	if ((io->name = strdup(devname)) == NULL) {
		free(io);
		return NULL;
	}
	io->phys = phys;
	return io;
}

void
iommu_free(struct iommu *io)
{
	if (io == NULL)
		return;
	free(io->name);
	free(io);
}

int
iommu_map(struct iommu *io, uint64_t iova, uint64_t paddr, uint64_t len,
    unsigned perm)
{
	const struct phys_region *r;

	if (io == NULL || len == 0 || iova + len < iova ||
	    paddr + len < paddr || perm == 0 ||
	    (perm & ~(IOMMU_READ | IOMMU_WRITE)) != 0)
		return -EINVAL;
	/* Windows land in RAM only: a device never DMAs into a device. */
	r = phys_find(io->phys, paddr);
	if (r == NULL || r->ram == NULL || len > r->size - (paddr - r->base))
		return -ENXIO;
	for (unsigned i = 0; i < io->nwin; i++) {
		const struct window *w = &io->win[i];
		if (iova < w->iova + w->len && w->iova < iova + len)
			return -EEXIST;
	}
	if (io->nwin == IOMMU_MAX_WINDOWS)
		return -ENOSPC;
	io->win[io->nwin++] = (struct window){ iova, len, paddr, perm };
	return 0;
}

void
iommu_unmap(struct iommu *io, uint64_t iova, uint64_t len)
{
	unsigned i = 0;

	if (io == NULL || len == 0)
		return;
	if (iova + len < iova)
		len = -iova;	/* up to the end of the iova space */
	while (i < io->nwin) {
		const struct window *w = &io->win[i];
		/* Compare as offsets so that iova + len = 2^64 works. */
		if (w->iova - iova < len || iova - w->iova < w->len)
			io->win[i] = io->win[--io->nwin];
		else
			i++;
	}
}

void
iommu_unmap_all(struct iommu *io)
{
	if (io != NULL)
		io->nwin = 0;
}

void
iommu_map_all_ram(struct iommu *io, unsigned perm)
{
	const struct phys_region *r;
	unsigned i;

	if (io == NULL)
		return;
	io->nwin = 0;
	for (i = 0; (r = phys_region_at(io->phys, i)) != NULL; i++)
		if (r->ram != NULL)
			(void)iommu_map(io, r->base, r->base, r->size, perm);
}

void
iommu_set_fault_handler(struct iommu *io, dma_fault_fn fn, void *owner)
{
	if (io == NULL)
		return;
	io->handler = fn;
	io->owner = owner;
}

/* The physical address of [iova, iova+len) if one window allows it. */
static bool
translate(const struct iommu *io, uint64_t iova, size_t len, unsigned perm,
    uint64_t *pa)
{
	for (unsigned i = 0; i < io->nwin; i++) {
		const struct window *w = &io->win[i];
		uint64_t off = iova - w->iova;
		if (iova >= w->iova && off < w->len && len <= w->len - off) {
			if ((w->perm & perm) != perm)
				return false;
			*pa = w->paddr + off;
			return true;
		}
	}
	return false;
}

static int
dma_fault(struct iommu *io, uint64_t iova, size_t len, bool write)
{
	io->faults++;
	io->last = (struct dma_fault){ iova, len, write };
	io->faulted = true;
	if (io->handler != NULL)
		io->handler(io->owner, io->name, &io->last);
	return -1;
}

int
dma_read(struct iommu *io, uint64_t iova, void *buf, size_t len)
{
	uint64_t pa;

	if (io == NULL)
		return -1;
	if (len == 0)
		return 0;
	if (buf == NULL || !translate(io, iova, len, IOMMU_READ, &pa))
		return dma_fault(io, iova, len, false);
	return phys_read(io->phys, pa, buf, len) == 0 ? 0 :
	    dma_fault(io, iova, len, false);
}

int
dma_write(struct iommu *io, uint64_t iova, const void *buf, size_t len)
{
	uint64_t pa;

	if (io == NULL)
		return -1;
	if (len == 0)
		return 0;
	/* phys_write clears the tags: a device stores no capabilities. */
	if (buf == NULL || !translate(io, iova, len, IOMMU_WRITE, &pa))
		return dma_fault(io, iova, len, true);
	return phys_write(io->phys, pa, buf, len) == 0 ? 0 :
	    dma_fault(io, iova, len, true);
}

uint64_t
iommu_fault_count(const struct iommu *io)
{
	return io == NULL ? 0 : io->faults;
}

const struct dma_fault *
iommu_last_fault(const struct iommu *io)
{
	return io == NULL || !io->faulted ? NULL : &io->last;
}
