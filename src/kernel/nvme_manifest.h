/*
 * nvme_manifest.h — what the NVMe stub shares with the holder of a unit
 * (one I/O queue pair, identifier unit + 1): its own SQ tail and CQ head
 * doorbells (read-write, 8 bytes apart per unit, as the specification
 * lays them out with CAP.DSTRD 0) and CSTS (read-only, every unit's),
 * nothing else of BAR0; its SQ and CQ rings and a data buffer pool as
 * DMA regions.
 */
#ifndef CAPIO_KERNEL_NVME_MANIFEST_H
#define CAPIO_KERNEL_NVME_MANIFEST_H

#include "dev/nvme_regs.h"
#include "kernel/manifest.h"

#define NVME_STUB_MAX_UNITS	8	/* queue pairs offered, at most */
#define NVME_STUB_QSIZE		64	/* entries per I/O queue */
#define NVME_STUB_SQ_SIZE	(NVME_STUB_QSIZE * NVME_SQE_SIZE)	/* 4 KiB */
/* A page, though 64 entries fill 1 KiB: regions are mapped in pages. */
#define NVME_STUB_CQ_SIZE	4096u
/* One 4 KiB page per queue slot: a command of up to a page, PRP1 only. */
#define NVME_STUB_BUF_SIZE	(NVME_STUB_QSIZE * 4096u)		/* 256 KiB */

extern const struct manifest nvme_manifest;

#endif
