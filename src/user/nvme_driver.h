/*
 * nvme_driver.h — the user-level NVMe driver: one I/O queue pair of a
 * controller (a unit), run by an unprivileged process through the
 * capabilities CAPIO granted it (its SQ tail and CQ head doorbells, CSTS
 * read-only, its SQ and CQ rings and a buffer pool). The kernel created
 * the queues at attach; after nvdrv_open the driver makes no system
 * call.
 *
 * Two ways to use it. Synchronous: nvdrv_read, nvdrv_write, nvdrv_flush,
 * one command, returning when it has completed. Queued: nvdrv_submit
 * stages commands (up to the queue's depth), nvdrv_kick rings the SQ tail
 * doorbell once for all of them, nvdrv_poll reaps completions and rings
 * the CQ head doorbell once. Data is copied between the caller's memory
 * and pool pages the driver sets aside per command (a read's at its
 * completion, a write's at its submission); a command moves up to
 * NVDRV_MAX_XFER bytes, through PRP1, PRP2 or a PRP list in the pool.
 */
#ifndef CAPIO_USER_NVME_DRIVER_H
#define CAPIO_USER_NVME_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "cap/cap.h"
#include "dev/nvme_regs.h"

#define NVDRV_PAGE		4096u
#define NVDRV_MAX_XFER		(128u << 10)	/* the controller's MDTS */
#define NVDRV_MAX_CMDS		64	/* commands in flight, at most
					   (and fewer than the queue's size) */

struct nvdrv_stats {
	uint64_t cmds, errors, doorbells;
	uint64_t bytes_read, bytes_written;
	uint64_t stray;			/* completions naming no command */
};

enum nvdrv_op { NVDRV_READ = 1, NVDRV_WRITE, NVDRV_FLUSH };

/* One queued command, the caller's until nvdrv_poll hands it back. */
struct nvdrv_io {
	enum nvdrv_op op;
	uint64_t slba;
	unsigned nlb;			/* blocks (flush: none) */
	void *data;			/* read: filled when it completes;
					   write: copied at nvdrv_submit */
	int status;			/* when reaped: 0, the completion's
					   status field (> 0), or -errno */
	void *arg;			/* the caller's */
};

/* A command the driver has in flight: its pool pages. */
struct nvdrv_cmd {
	struct nvdrv_io *io;
	uint64_t pages;			/* bit i: pool page i is its */
	unsigned page0;			/* its first data page */
	uint32_t len;			/* data bytes */
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
	unsigned sq_head;		/* as the last completion reported */
	bool phase;			/* of the next completion */
	unsigned staged;		/* entries since the last SQT doorbell */
	unsigned inflight, max_inflight;
	uint64_t free_cids;		/* bit c: command identifier c free */
	uint64_t free_pages;		/* bit i: pool page i free */
	unsigned npages;		/* pool pages, at most 64 */
	struct nvdrv_cmd cmd[NVDRV_MAX_CMDS];
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
 * staged in pool pages, one SQ entry, one SQT doorbell, the completion
 * polled by phase tag, one CQH doorbell. NLB * lba_size at most
 * NVDRV_MAX_XFER. 0, the completion's status (> 0), or -EINVAL (no
 * blocks, too long), -EBUSY (queued commands are in flight: reap them
 * first), -ETIMEDOUT (no completion within the bound).
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
 * where PRP1 says, not through the pool. 0, the completion's status
 * (> 0), or -EINVAL (NLB 0 but for Flush), -EBUSY, -ETIMEDOUT.
 */
int nvdrv_cmd(struct nvdrv *d, uint8_t opc, uint32_t nsid, uint64_t prp1,
    uint64_t slba, unsigned nlb);

/*
 * Queue IO: its SQ entry written (a write's data copied into the pool),
 * the doorbell not yet rung. 0, -EINVAL (unknown operation, no blocks,
 * too long), or -EAGAIN (the queue, the command slots or the pool are
 * full: poll first). IO stays the driver's until nvdrv_poll returns it.
 */
int nvdrv_submit(struct nvdrv *d, struct nvdrv_io *io);
/* Ring the SQ tail doorbell for what was submitted since the last one:
 * how many entries that was (0: no doorbell). */
unsigned nvdrv_kick(struct nvdrv *d);
/*
 * Kick, then reap up to MAX completions into DONE (a read's data copied
 * out to its io->data, io->status set) and ring the CQ head doorbell
 * once if any. How many; never waits.
 */
int nvdrv_poll(struct nvdrv *d, struct nvdrv_io **done, int max);
/* Commands submitted and not yet reaped. */
unsigned nvdrv_inflight(const struct nvdrv *d);

/* CSTS.RDY, as the read-only shared slice says. */
bool nvdrv_ready(const struct nvdrv *d);
/* Goodbye: the kernel deletes the queues; every capability stops. */
int nvdrv_close(struct nvdrv *d);

/*
 * --- the bookkeeping, for a driver that reaches the same rings another
 * way (the benchmark's raw arm, through host pointers) ---------------
 */

/* A command staged by nvdrv_stage: what the caller writes where. */
struct nvdrv_staged {
	uint8_t sqe[NVME_SQE_SIZE];	/* into the SQ ring at slot */
	unsigned slot;
	uint64_t data_off, len;		/* a write's data: into the pool */
	uint64_t list_off;		/* nent PRP list entries: into the */
	unsigned nent;			/* pool at list_off */
	uint64_t ent[NVDRV_MAX_XFER / NVDRV_PAGE];
};
/* Check IO, take a command identifier, pool pages and the SQ slot at the
 * tail (which moves on), and build its entry. 0, -EINVAL or -EAGAIN. */
int nvdrv_stage(struct nvdrv *d, struct nvdrv_io *io, struct nvdrv_staged *s);
/*
 * The CQ entry at the head matched the phase; DW3 is its last word (CID,
 * phase and status), SQHD its SQ head. The head moves on; the command's
 * io (its status set, its slot and pages freed), with *data_off and *len
 * for a read's data still to be copied out of the pool; or NULL for a
 * completion naming no command in flight (counted in st.stray).
 */
struct nvdrv_io *nvdrv_reap(struct nvdrv *d, uint32_t dw3, uint16_t sqhd,
    uint64_t *data_off, uint64_t *len);

#endif
