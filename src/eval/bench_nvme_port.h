/*
 * bench_nvme_port.h — the four ways a benchmark process drives an NVMe
 * unit (the arms of ARCHITECTURE.md), behind one block interface:
 *
 *   kernel  SYS_BLK_READ/WRITE per request, SYS_BLK_SUBMIT per batch:
 *           the kernel drives the unit's queue pair and copies between
 *           the caller's buffer and its own bounce pages
 *   page    the user-level driver (nvdrv), BAR0 granted as whole pages
 *   capio   the user-level driver, byte-exact CAPIO slices
 *   raw     the user-level driver's bookkeeping, its rings and pool
 *           reached through host pointers, doorbells as direct calls
 *           into the model: no check at all (bench_nvme_raw.c)
 *
 * Buffers are bench_port.h's: capabilities to the process's simulated
 * memory for the kernel arm, the process's host memory for the others
 * (what the user-level driver copies from and to).
 */
#ifndef CAPIO_EVAL_BENCH_NVME_PORT_H
#define CAPIO_EVAL_BENCH_NVME_PORT_H

#include <stdint.h>

#include "abi/blk.h"
#include "cap/cap.h"
#include "eval/bench_port.h"
#include "user/nvme_driver.h"

struct kernel;
struct nvme;
struct phys;

/* --- the raw driver (bench_nvme_raw.c) -------------------------------- */

struct bench_nvme_raw {
	struct nvdrv *d;		/* bookkeeping shared with nvdrv */
	uint8_t *sq, *cq, *buf;		/* the unit's regions, host addresses */
	uint64_t sq_pa, buf_pa;
	struct phys *phys;		/* for the tags its stores clear */
	struct nvme *ctrl;		/* BAR0's callbacks, called directly */
	uint64_t doorbells, copy_bytes;
};

/* Take over process PID's open nvdrv D. 0 or -errno. */
int bench_nvme_raw_open(struct bench_nvme_raw *r, struct nvdrv *d,
    struct kernel *k, int pid);
/* As nvdrv_submit and nvdrv_poll (which rings the SQ doorbell first),
 * with no check. */
int bench_nvme_raw_submit(struct bench_nvme_raw *r, struct nvdrv_io *io);
int bench_nvme_raw_poll(struct bench_nvme_raw *r, struct nvdrv_io **done,
    int max);

/* --- ports ------------------------------------------------------------ */

struct bench_nvme_port {
	enum bench_arm arm;
	int dev;
	cap_t token;			/* kernel arm: its kernel-path claim */
	cap_t recs;			/* kernel arm: SYS_BLK_SUBMIT's records */
	uint32_t lba_size;
	uint64_t nblocks;
	struct nvdrv d;
	struct bench_nvme_raw raw;
	struct nvdrv_io io[BLK_BATCH_MAX];
};

/* In a process: open unit UNIT of controller DEV for ARM (K and PID for
 * the raw arm). 0 or -errno. */
int bench_nvme_open(struct bench_nvme_port *p, enum bench_arm arm, int dev,
    unsigned unit, struct kernel *k, int pid);
/* Goodbye. */
void bench_nvme_close(struct bench_nvme_port *p);
/* One request, waited for: NLB blocks from SLBA into (NVDRV_READ) or out
 * of (NVDRV_WRITE) B. 0, or non-zero (an errno or a device status). */
int bench_nvme_io(struct bench_nvme_port *p, enum nvdrv_op op, uint64_t slba,
    unsigned nlb, struct bench_buf *b);
/* N requests (at most BLK_BATCH_MAX) of NLB blocks from SLBA[i] with
 * B[i], submitted together (one doorbell, or one system call) and all
 * reaped. 0, or non-zero when one failed. */
int bench_nvme_batch(struct bench_nvme_port *p, enum nvdrv_op op,
    const uint64_t *slba, unsigned nlb, struct bench_buf *b, unsigned n);

#endif
