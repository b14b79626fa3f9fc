/*
 * nvme_driver.h — the user-level NVMe driver: one I/O queue pair of a
 * controller (a unit), run by an unprivileged process through the
 * capabilities CAPIO granted it (its SQ tail and CQ head doorbells, CSTS
 * read-only, its SQ and CQ rings and a buffer pool). The kernel created
 * the queues at attach; after nvdrv_open the driver makes no system
 * call. One command at a time, at most a page of data (PRP1 only).
 */
#ifndef CAPIO_USER_NVME_DRIVER_H
#define CAPIO_USER_NVME_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"

struct nvdrv_stats {
	uint64_t cmds, errors, doorbells;
	uint64_t bytes_read, bytes_written;
};

struct nvdrv {
	int dev;
	unsigned unit;
	cap_t token;
	cap_t sqt, cqh, csts;		/* BAR0 slices */
	cap_t sq, cq, buf;		/* rings and the buffer pool */
	uint16_t qid;
	unsigned qsize;
	uint32_t nsid, lba_size;
	uint64_t nblocks, buf_dma, buf_size;
	unsigned sq_tail, cq_head;
	bool phase;			/* of the next completion */
	uint16_t cid;
	uint64_t sq_va, bar_va;		/* where they are mapped */
	struct nvdrv_stats st;
};

/*
 * Read controller dev's description, attach unit UNIT with a fresh
 * identity, map its regions and read the stub's info. 0 or -errno.
 */
int nvdrv_open(struct nvdrv *d, int dev, unsigned unit);
/*
 * Write (Read) NLB blocks at SLBA from (into) the caller's memory: data
 * staged in the pool page of the command's SQ slot, one SQ entry, one
 * SQT doorbell, the completion polled by phase tag, one CQH doorbell.
 * NLB * lba_size at most a page. 0, the completion's status (> 0), or
 * -EINVAL (too long), -ETIMEDOUT (no completion within the bound).
 */
int nvdrv_write(struct nvdrv *d, uint64_t slba, unsigned nlb,
    const void *data);
int nvdrv_read(struct nvdrv *d, uint64_t slba, unsigned nlb, void *data);
int nvdrv_flush(struct nvdrv *d);
/* Write Zeroes over NLB blocks (1..NVDRV_ZEROES_MAX), and Dataset
 * Management deallocating NLB blocks (one range): no data moves. Same
 * results as nvdrv_write. */
#define NVDRV_ZEROES_MAX	65536u
int nvdrv_write_zeroes(struct nvdrv *d, uint64_t slba, unsigned nlb);
int nvdrv_deallocate(struct nvdrv *d, uint64_t slba, uint32_t nlb);
/*
 * One NVM command as the caller writes it (opcode OPC, namespace NSID,
 * data at device address PRP1, NLB blocks at SLBA; PRP2 0): whatever a
 * tenant may put in its own SQ entry, right or wrong. The data moves
 * where PRP1 says, not through the pool slot. 0, the completion's
 * status (> 0), or -EINVAL (NLB 0 but for Flush), -ETIMEDOUT.
 */
int nvdrv_cmd(struct nvdrv *d, uint8_t opc, uint32_t nsid, uint64_t prp1,
    uint64_t slba, unsigned nlb);
/* CSTS.RDY, as the read-only shared slice says. */
bool nvdrv_ready(const struct nvdrv *d);
/* Goodbye: the kernel deletes the queues; every capability stops. */
int nvdrv_close(struct nvdrv *d);

#endif
