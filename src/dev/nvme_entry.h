/*
 * nvme_entry.h — an NVM command's 64-byte submission queue entry packed
 * (NVMe 1.4 §4.2, §6.9 Read, §6.15 Write, §6.8 Flush) and the data
 * pointer for a run of contiguous pages (§4.3), as drivers build them.
 * Header-only (nothing to link), for the kernel's block path, the
 * user-level driver and the benchmark's raw driver alike; layouts and
 * opcodes are nvme_regs.h's.
 */
#ifndef CAPIO_DEV_NVME_ENTRY_H
#define CAPIO_DEV_NVME_ENTRY_H

#include <stdint.h>
#include <string.h>

#include "dev/nvme_regs.h"

#define NVME_ENTRY_PAGE		4096u	/* CC.MPS 0 */

/* Little-endian, as every field of the queues (§1.4.2): a byte at a time,
 * whatever the host. */
static inline void
nvme_entry_put(uint8_t *p, uint64_t v, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/*
 * Read, Write (NLB blocks from SLBA) or Flush for namespace NSID, command
 * identifier CID, data at PRP1/PRP2, into E (all 64 bytes written: no
 * field of an earlier command survives in a reused slot).
 */
static inline void
nvme_entry_io(uint8_t e[NVME_SQE_SIZE], uint8_t opc, uint16_t cid,
    uint32_t nsid, uint64_t prp1, uint64_t prp2, uint64_t slba, uint32_t nlb)
{
	memset(e, 0, NVME_SQE_SIZE);
	e[NVME_SQE_OPC] = opc;
	nvme_entry_put(e + NVME_SQE_CID, cid, 2);
	nvme_entry_put(e + NVME_SQE_NSID, nsid, 4);
	if (opc == NVME_CMD_FLUSH)
		return;
	nvme_entry_put(e + NVME_SQE_PRP1, prp1, 8);
	nvme_entry_put(e + NVME_SQE_PRP2, prp2, 8);
	nvme_entry_put(e + NVME_SQE_CDW(10), slba, 8);	/* CDW10-11 */
	nvme_entry_put(e + NVME_SQE_CDW(12), nlb - 1, 4);	/* 0's based */
}

/*
 * The data pointer of NPAGES contiguous pages at device address BASE
 * (page aligned): PRP1 the first page; PRP2 the second when there are
 * exactly two, else the device address LIST of a PRP list, whose
 * NPAGES - 1 entries (the pages after the first) go into ENT. Returns
 * how many list entries to write (0 when no list is needed).
 */
static inline unsigned
nvme_entry_prp(uint64_t base, unsigned npages, uint64_t list, uint64_t *prp1,
    uint64_t *prp2, uint64_t *ent)
{
	*prp1 = base;
	*prp2 = 0;
	if (npages <= 1)
		return 0;
	if (npages == 2) {
		*prp2 = base + NVME_ENTRY_PAGE;
		return 0;
	}
	*prp2 = list;
	for (unsigned i = 1; i < npages; i++)
		ent[i - 1] = base + (uint64_t)i * NVME_ENTRY_PAGE;
	return npages - 1;
}

#endif
