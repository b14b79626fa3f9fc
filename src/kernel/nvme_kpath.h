/*
 * nvme_kpath.h — the kernel-mediated block path of an NVMe unit: while a
 * process holds a kernel-path claim on the unit, the kernel drives the
 * unit's I/O queue pair itself, on the unit's rings and buffers in kernel
 * memory, for that process's SYS_BLK_* calls (abi/blk.h). It is the
 * `kernel` arm of `capio bench nvme`: a system call per request (or per
 * batch), the data copied between the caller's capability and the
 * kernel's bounce pages.
 */
#ifndef CAPIO_KERNEL_NVME_KPATH_H
#define CAPIO_KERNEL_NVME_KPATH_H

#include <stdbool.h>
#include <stdint.h>

struct blk_io;
struct kernel;
struct proc;

/* The kernel's side of one queue pair: where it is, and where it stands. */
struct nvme_kq {
	struct kernel *k;
	uint64_t bar;			/* BAR0, for the doorbells */
	uint64_t sq_pa, buf_pa;		/* the SQ, the bounce pages */
	uint8_t *sq, *cq, *buf;		/* the unit's regions (kernel RAM) */
	uint16_t qid;
	unsigned qsize;
	uint32_t nsid, lba_size;
	uint64_t nblocks;
	unsigned sq_tail, cq_head;
	bool phase;			/* of the next completion */
	bool broken;			/* a completion never came: -EIO */
};

/*
 * Start driving queue pair QID (already created, QSIZE entries, empty) of
 * the controller at BAR on the unit's SQ, CQ and buffer regions at
 * SQ_PA, CQ_PA, BUF_PA (BUF_LEN bytes), for namespace NSID of NBLOCKS
 * blocks of LBA_SIZE bytes. 0, or -EIO when a region is not RAM.
 */
int nvme_kq_start(struct nvme_kq *q, struct kernel *k, uint64_t bar,
    uint16_t qid, unsigned qsize, uint64_t sq_pa, uint64_t cq_pa,
    uint64_t buf_pa, uint64_t buf_len, uint32_t nsid, uint32_t lba_size,
    uint64_t nblocks);
/*
 * Run io[0..n) for process P (n <= BLK_BATCH_MAX): check each, stage the
 * valid ones (a write's data copied in), ring the SQ tail doorbell once,
 * reap their completions, ring the CQ head doorbell once, copy the reads
 * out. Each io's result is set (bytes moved, or -errno); returns how many
 * succeeded, or -EIO once the queue is broken.
 */
int64_t nvme_kq_run(struct nvme_kq *q, struct proc *p, struct blk_io *io,
    unsigned n);

#endif
