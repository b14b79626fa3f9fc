/*
 * nvme_kpath.c — the kernel-mediated block path of an NVMe unit: the
 * kernel's own driver for a queue pair it created on the unit's rings,
 * run for the holder of a kernel-path claim (nvme_kpath.h).
 *
 * A call is checked request by request (operation, length, LBA range of
 * the namespace, the caller's buffer capability); the valid requests get
 * bounce pages of the unit's buffer region in turn, a write's data is
 * copied in through the caller's capability, and their entries go into
 * the SQ together: one SQ tail doorbell, the completions reaped by phase
 * tag (NVMe 1.4 §4.6, bounded), one CQ head doorbell, then a read's data
 * copied out. Multi-page requests get PRP2 or a PRP list (§4.3) in the
 * pages after the data.
 */
#include "kernel/nvme_kpath.h"

#include <errno.h>
#include <string.h>

#include "abi/blk.h"
#include "dev/nvme_entry.h"
#include "kernel/kernel_priv.h"
#include "machine/access.h"
#include "machine/phys.h"

#define CQ_POLLS	1000	/* reads of a CQ entry before giving up */
#define DATA_PAGES	(BLK_BATCH_BYTES / BLK_PAGE)
#define LIST_SLOT	256u	/* bytes of one PRP list: 31 entries fit */

_Static_assert(BLK_MAX_BYTES / BLK_PAGE - 1 <= LIST_SLOT / 8,
    "a request's PRP list fits its slot");
_Static_assert(BLK_BATCH_MAX * LIST_SLOT <= BLK_PAGE * 2,
    "the lists fit two pages after the data");

int
nvme_kq_start(struct nvme_kq *q, struct kernel *k, uint64_t bar, uint16_t qid,
    unsigned qsize, uint64_t sq_pa, uint64_t cq_pa, uint64_t buf_pa,
    uint64_t buf_len, uint32_t nsid, uint32_t lba_size, uint64_t nblocks)
{
	memset(q, 0, sizeof *q);
	q->k = k;
	q->bar = bar;
	q->qid = qid;
	q->qsize = qsize;
	q->sq_pa = sq_pa;
	q->buf_pa = buf_pa;
	q->nsid = nsid;
	q->lba_size = lba_size;
	q->nblocks = nblocks;
	q->phase = true;	/* a fresh CQ's first pass */
	q->sq = phys_ram_ptr(k->phys, sq_pa, (size_t)qsize * NVME_SQE_SIZE);
	q->cq = phys_ram_ptr(k->phys, cq_pa, (size_t)qsize * NVME_CQE_SIZE);
	q->buf = phys_ram_ptr(k->phys, buf_pa, buf_len);
	if (q->sq == NULL || q->cq == NULL || q->buf == NULL ||
	    buf_len < (uint64_t)(DATA_PAGES + 2) * BLK_PAGE ||
	    qsize <= BLK_BATCH_MAX || lba_size == 0) {
		q->broken = true;
		return -EIO;
	}
	return 0;
}

/* Bytes of a read or write request, or -EINVAL for one no namespace
 * block range and no transfer limit allows. */
static int64_t
req_bytes(const struct nvme_kq *q, const struct blk_io *io)
{
	uint64_t len = (uint64_t)io->nlb * q->lba_size;

	if (io->nlb == 0 || len > BLK_MAX_BYTES || io->slba >= q->nblocks ||
	    io->nlb > q->nblocks - io->slba)
		return -EINVAL;
	return (int64_t)len;
}

/* One command's entry into the SQ at the tail, with CID. */
static void
put_entry(struct nvme_kq *q, uint8_t opc, uint16_t cid, uint64_t prp1,
    uint64_t prp2, const struct blk_io *io)
{
	uint8_t *e = q->sq + (size_t)q->sq_tail * NVME_SQE_SIZE;

	nvme_entry_io(e, opc, cid, q->nsid, prp1, prp2, io->slba, io->nlb);
	/* Host stores into RAM: the data store's tag rule by hand. */
	phys_tags_clear(q->k->phys, q->sq_pa + (uint64_t)q->sq_tail *
	    NVME_SQE_SIZE, NVME_SQE_SIZE);
	q->sq_tail = (q->sq_tail + 1) % q->qsize;
}

/*
 * Stage io (request i of the call, CID i): its bounce pages from *page
 * on, its data copied in for a write, its entry in the SQ. 0, or -errno
 * for the request (nothing staged).
 */
static int
stage(struct nvme_kq *q, struct proc *p, struct blk_io *io, unsigned i,
    unsigned *page)
{
	uint64_t prp1 = 0, prp2 = 0, ent[BLK_MAX_BYTES / BLK_PAGE];
	unsigned npages, nent;
	int64_t len;
	struct fault f;
	uint8_t opc;

	switch (io->op) {
	case BLK_OP_FLUSH:
		put_entry(q, NVME_CMD_FLUSH, (uint16_t)i, 0, 0, io);
		return 0;
	case BLK_OP_READ:
		opc = NVME_CMD_READ;
		break;
	case BLK_OP_WRITE:
		opc = NVME_CMD_WRITE;
		break;
	default:
		return -EINVAL;
	}
	if ((len = req_bytes(q, io)) < 0)
		return (int)len;
	npages = (unsigned)(((uint64_t)len + BLK_PAGE - 1) / BLK_PAGE);
	if (*page + npages > DATA_PAGES)
		return -EINVAL;		/* the batch's bounce pages are used up */
	if (blk_buf_check(io->buf, (uint64_t)len, io->op == BLK_OP_READ) != 0)
		return -EFAULT;
	if (io->op == BLK_OP_WRITE) {
		uint8_t *dst = q->buf + (size_t)*page * BLK_PAGE;

		if (access_copyin(p->as, io->buf, 0, dst, (size_t)len, &f) != 0)
			return -EFAULT;
		phys_tags_clear(q->k->phys, q->buf_pa + (uint64_t)*page *
		    BLK_PAGE, (size_t)len);
	}
	nent = nvme_entry_prp(q->buf_pa + (uint64_t)*page * BLK_PAGE, npages,
	    q->buf_pa + (uint64_t)DATA_PAGES * BLK_PAGE + (uint64_t)i * LIST_SLOT,
	    &prp1, &prp2, ent);
	if (nent > 0) {
		uint64_t lpa = prp2;
		uint8_t *l = q->buf + (lpa - q->buf_pa);

		for (unsigned j = 0; j < nent; j++)
			nvme_entry_put(l + 8 * j, ent[j], 8);
		phys_tags_clear(q->k->phys, lpa, (size_t)nent * 8);
	}
	put_entry(q, opc, (uint16_t)i, prp1, prp2, io);
	io->result = len;	/* the bytes, until the completion says */
	*page += npages;
	return 0;
}

int64_t
nvme_kq_run(struct nvme_kq *q, struct proc *p, struct blk_io *io, unsigned n)
{
	unsigned first[BLK_BATCH_MAX];	/* each staged request's first page */
	bool staged[BLK_BATCH_MAX], done[BLK_BATCH_MAX];
	unsigned page = 0, nstaged = 0, reaped = 0;
	int64_t ok = 0;

	if (q->broken)
		return -EIO;
	if (n > BLK_BATCH_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		int err;

		first[i] = page;
		done[i] = false;
		err = stage(q, p, &io[i], i, &page);
		staged[i] = err == 0;
		if (err != 0)
			io[i].result = err;
		else
			nstaged++;
	}
	if (nstaged == 0)
		return 0;
	/* The entries are in kernel RAM the device reads; the doorbell is
	 * the only MMIO of the submission. */
	kernel_mmio_write(q->k, q->bar + NVME_SQTDBL(q->qid), q->sq_tail);
	for (int polls = 0; reaped < nstaged && polls < CQ_POLLS; polls++) {
		const uint8_t *c = q->cq + (size_t)q->cq_head * NVME_CQE_SIZE;
		uint16_t sf = (uint16_t)(c[NVME_CQE_STATUS] |
		    c[NVME_CQE_STATUS + 1] << 8);
		uint16_t cid = (uint16_t)(c[NVME_CQE_CID] |
		    c[NVME_CQE_CID + 1] << 8);

		if ((sf & 1) != q->phase)
			continue;
		if (++q->cq_head == q->qsize) {
			q->cq_head = 0;
			q->phase = !q->phase;
		}
		reaped++;
		/* The device echoes the CIDs this call gave; anything else
		 * would be a controller bug, and is not this call's. */
		if (cid >= n || !staged[cid] || done[cid])
			continue;
		done[cid] = true;
		if ((sf >> 1) != 0)
			io[cid].result = -EIO;
	}
	kernel_mmio_write(q->k, q->bar + NVME_CQHDBL(q->qid), q->cq_head);
	if (reaped < nstaged)
		q->broken = true;	/* the SQ and CQ no longer agree */
	for (unsigned i = 0; i < n; i++) {
		struct fault f;

		if (!staged[i])
			continue;
		if (!done[i])
			io[i].result = -EIO;
		else if (io[i].op == BLK_OP_READ && io[i].result > 0 &&
		    access_copyout(p->as, io[i].buf, 0, q->buf +
		    (size_t)first[i] * BLK_PAGE, (size_t)io[i].result, &f) != 0)
			io[i].result = -EFAULT;
		if (io[i].result >= 0)
			ok++;
	}
	return q->broken ? -EIO : ok;
}
