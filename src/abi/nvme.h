/*
 * nvme.h — what the kernel's NVMe stub tells a user-level driver beyond
 * the manifest: the meaning of SYS_INFO's result words for a unit (one
 * I/O queue pair).
 *
 * The manifest (SYS_DESCRIBE) names the regions "bar0" (slices SQT and
 * CQH read-write, one pair per unit, unit_stride 8; CSTS read-only,
 * shared), "sq_ring", "cq_ring" and "buffers". The kernel has created
 * the unit's queues (identifier NVME_INFO_QID) on those rings before
 * SYS_ATTACH returns; entry layouts and opcodes are the specification's
 * (dev/nvme_regs.h).
 */
#ifndef CAPIO_ABI_NVME_H
#define CAPIO_ABI_NVME_H

/* SYS_INFO results (struct sysret.x[]). */
enum {
	NVME_INFO_QID,		/* the unit's SQ and CQ identifier (unit + 1) */
	NVME_INFO_QSIZE,	/* entries in each of its queues */
	NVME_INFO_NSID,		/* the namespace to address: unit + 1 when
				   the controller has one per unit, else
				   the shared 1 */
	NVME_INFO_LBA_SIZE,	/* bytes per logical block */
	NVME_INFO_NBLOCKS,	/* blocks in the namespace */
	NVME_INFO_BUF_DMA,	/* device address of "buffers" */
	NVME_INFO_BUF_SIZE,	/* bytes of "buffers" */
};

#endif
