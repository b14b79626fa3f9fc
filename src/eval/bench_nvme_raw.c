/*
 * bench_nvme_raw.c — the raw arm for NVMe: the user-level driver's data
 * path with every check taken away, the simulator's own floor.
 *
 * The process opens its unit as the capio arm does (attach, map, info),
 * so the controller, its queues and the IOMMU windows are the capio
 * arm's. Then the benchmark rig turns the granted rings and pool into
 * host pointers through the kernel's page tables: entries, PRP lists and
 * data move with memcpy, the doorbells are direct calls into the model's
 * BAR0 callbacks. The driver's bookkeeping (command identifiers, pool
 * pages, the SQ head and phase) is nvdrv's own (nvdrv_stage,
 * nvdrv_reap), so raw differs from capio by the checks alone; what the
 * memory itself does stays (a data store clears the tags it covers).
 * Nothing a process can reach through the kernel gives it host pointers.
 */
#include "eval/bench_nvme_port.h"

#include <errno.h>
#include <string.h>

#include "board/board.h"
#include "dev/nvme.h"
#include "kernel/kernel.h"
#include "machine/phys.h"

int
bench_nvme_raw_open(struct bench_nvme_raw *r, struct nvdrv *d,
    struct kernel *k, int pid)
{
	uint64_t cq_pa;

	memset(r, 0, sizeof *r);
	r->d = d;
	r->phys = board_phys(kernel_board(k));
	r->sq = bench_raw_host(k, pid, d->sq, &r->sq_pa);
	r->cq = bench_raw_host(k, pid, d->cq, &cq_pa);
	r->buf = bench_raw_host(k, pid, d->buf, &r->buf_pa);
	/* The unit's controller: the board's first (the benchmark boots
	 * one). */
	r->ctrl = board_nvme(kernel_board(k), 0);
	if (r->sq == NULL || r->cq == NULL || r->buf == NULL || r->ctrl == NULL)
		return -EFAULT;
	return 0;
}

/* Host stores into simulated RAM: the data store's tag rule by hand. */
static void
put(struct bench_nvme_raw *r, uint8_t *base, uint64_t pa, uint64_t off,
    const void *src, size_t len)
{
	memcpy(base + off, src, len);
	phys_tags_clear(r->phys, pa + off, len);
}

int
bench_nvme_raw_submit(struct bench_nvme_raw *r, struct nvdrv_io *io)
{
	struct nvdrv_staged s;
	int err;

	if ((err = nvdrv_stage(r->d, io, &s)) != 0)
		return err;
	if (io->op == NVDRV_WRITE) {
		put(r, r->buf, r->buf_pa, s.data_off, io->data, s.len);
		r->copy_bytes += s.len;
	}
	if (s.nent > 0)
		put(r, r->buf, r->buf_pa, s.list_off, s.ent, 8 * (size_t)s.nent);
	put(r, r->sq, r->sq_pa, (uint64_t)s.slot * NVME_SQE_SIZE, s.sqe,
	    NVME_SQE_SIZE);
	return 0;
}

static void
doorbell(struct bench_nvme_raw *r, uint32_t off, uint32_t v)
{
	nvme_mmio_ops.write(r->ctrl, off, v, 4);
	r->doorbells++;
	r->d->st.doorbells++;
}

int
bench_nvme_raw_poll(struct bench_nvme_raw *r, struct nvdrv_io **done, int max)
{
	struct nvdrv *d = r->d;
	bool any = false;
	int n = 0;

	if (d->staged > 0) {
		doorbell(r, NVME_SQTDBL(d->qid), d->sq_tail);
		d->staged = 0;
	}
	for (unsigned k = 0; n < max && k < d->qsize; k++) {
		const uint8_t *c = r->cq + (size_t)d->cq_head * NVME_CQE_SIZE;
		uint64_t off, len;
		struct nvdrv_io *io;
		uint32_t dw3;
		uint16_t sqhd;

		memcpy(&dw3, c + NVME_CQE_CID, 4);
		if (((dw3 >> 16) & 1) != d->phase)
			break;
		any = true;
		memcpy(&sqhd, c + NVME_CQE_SQHD, 2);
		if ((io = nvdrv_reap(d, dw3, sqhd, &off, &len)) == NULL)
			continue;
		if (len > 0) {
			memcpy(io->data, r->buf + off, len);
			r->copy_bytes += len;
		}
		done[n++] = io;
	}
	if (any)
		doorbell(r, NVME_CQHDBL(d->qid), d->cq_head);
	return n;
}
