/* e1000e_manifest.c — see e1000e_manifest.h. */
#include "kernel/e1000e_manifest.h"

#include "dev/e1000e_regs.h"
#include "machine/iommu.h"

static const struct slice bar0_slices[] = {
	{ "TDT",    E1000E_TDT,    4, SLICE_RW, 0 },
	{ "RDT",    E1000E_RDT,    4, SLICE_RW, 0 },
	{ "TDH",    E1000E_TDH,    4, SLICE_RO, 0 },
	{ "RDH",    E1000E_RDH,    4, SLICE_RO, 0 },
	{ "STATUS", E1000E_STATUS, 4, SLICE_RO, 0 },
};

static const struct region e1000e_regions[] = {
	{ "bar0", REGION_MMIO, E1000E_BAR0_SIZE, 0, bar0_slices,
	  sizeof(bar0_slices) / sizeof(bar0_slices[0]) },
	/* The device reads descriptors and writes their status back. */
	{ "tx_ring", REGION_DMA, E1000E_TX_RING_SIZE, IOMMU_READ | IOMMU_WRITE, NULL, 0 },
	{ "rx_ring", REGION_DMA, E1000E_RX_RING_SIZE, IOMMU_READ | IOMMU_WRITE, NULL, 0 },
	{ "tx_buffers", REGION_DMA, E1000E_TX_POOL_SIZE, IOMMU_READ, NULL, 0 },
	{ "rx_buffers", REGION_DMA, E1000E_RX_POOL_SIZE, IOMMU_WRITE, NULL, 0 },
};

const struct manifest e1000e_manifest = {
	"e1000e", e1000e_regions, sizeof(e1000e_regions) / sizeof(e1000e_regions[0]),
};
