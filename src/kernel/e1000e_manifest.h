/*
 * e1000e_manifest.h — what the e1000e stub shares with a data plane:
 * BAR0 slices TDT and RDT (read-write), TDH, RDH and STATUS (read-only),
 * and nothing else of BAR0; the TX/RX rings and buffer pools as DMA
 * regions.
 */
#ifndef CAPIO_KERNEL_E1000E_MANIFEST_H
#define CAPIO_KERNEL_E1000E_MANIFEST_H

#include "dev/e1000e_desc.h"
#include "dev/e1000e_regs.h"
#include "kernel/manifest.h"

#define E1000E_NTXD		512	/* TX descriptors (the follow-up's ring) */
#define E1000E_NRXD		512
#define E1000E_BUF_SIZE		2048	/* one frame per buffer (RCTL.BSIZE) */
#define E1000E_TX_RING_SIZE	(E1000E_NTXD * E1000E_DESC_SIZE)
#define E1000E_RX_RING_SIZE	(E1000E_NRXD * E1000E_DESC_SIZE)
#define E1000E_TX_POOL_SIZE	(E1000E_NTXD * E1000E_BUF_SIZE)	/* 1 MiB */
#define E1000E_RX_POOL_SIZE	(E1000E_NRXD * E1000E_BUF_SIZE)

extern const struct manifest e1000e_manifest;

#endif
