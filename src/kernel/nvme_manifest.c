/* nvme_manifest.c — see nvme_manifest.h. */
#include "kernel/nvme_manifest.h"

#include "dev/nvme.h"
#include "machine/iommu.h"

/* Unit u drives queue pair u + 1: SQ y's tail doorbell is at
 * 0x1000 + 8y, CQ y's head at 0x1004 + 8y (NVMe 1.4 §3.1.24). */
static const struct slice bar0_slices[] = {
	{ "SQT",  NVME_SQTDBL(1), 4, SLICE_RW, 8 },
	{ "CQH",  NVME_CQHDBL(1), 4, SLICE_RW, 8 },
	{ "CSTS", NVME_CSTS,      4, SLICE_RO, 0 },
};

static const struct region nvme_regions[] = {
	{ "bar0", REGION_MMIO, NVME_BAR0_SIZE, 0, bar0_slices,
	  sizeof(bar0_slices) / sizeof(bar0_slices[0]) },
	/* The controller fetches commands and posts completions. */
	{ "sq_ring", REGION_DMA, NVME_STUB_SQ_SIZE, IOMMU_READ, NULL, 0 },
	{ "cq_ring", REGION_DMA, NVME_STUB_CQ_SIZE, IOMMU_WRITE, NULL, 0 },
	/* Writes read from it, Reads write into it. */
	{ "buffers", REGION_DMA, NVME_STUB_BUF_SIZE, IOMMU_READ | IOMMU_WRITE,
	  NULL, 0 },
};

const struct manifest nvme_manifest = {
	"nvme", nvme_regions, sizeof(nvme_regions) / sizeof(nvme_regions[0]),
};
