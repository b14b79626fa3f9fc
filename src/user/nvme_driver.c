/*
 * nvme_driver.c — an NVMe queue pair driven from user level: build the
 * 64-byte submission entry in the SQ ring (NVMe 1.4 §4.2, §6.9 Read,
 * §6.15 Write, §6.8 Flush), ring the SQ tail doorbell, poll the CQ ring
 * for an entry whose phase tag matches (§4.6), then ring the CQ head
 * doorbell. Every access goes through a capability; none is a system
 * call.
 */
#include "user/nvme_driver.h"

#include <errno.h>
#include <string.h>

#include "abi/nvme.h"
#include "dev/nvme_regs.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

#define SLOT_SIZE	4096u		/* pool bytes per SQ slot */
#define CQ_POLLS	1000		/* reads of a CQ entry, at most */

int
nvdrv_open(struct nvdrv *d, int dev, unsigned unit)
{
	static const char *const regions[] = {
		"bar0", "sq_ring", "cq_ring", "buffers",
	};
	struct capio_grant g[4];
	uint64_t info[8];
	int err;

	memset(d, 0, sizeof *d);
	d->dev = dev;
	d->unit = unit;
	if ((err = capio_open_unit(dev, unit, regions, 4, &d->token, g,
	    info)) != 0)
		return err;
	d->sqt = capio_slice(&g[0], "SQT");
	d->cqh = capio_slice(&g[0], "CQH");
	d->csts = capio_slice(&g[0], "CSTS");
	d->sq = g[1].caps[0];
	d->cq = g[2].caps[0];
	d->buf = g[3].caps[0];
	d->bar_va = g[0].va;
	d->sq_va = g[1].va;
	d->qid = (uint16_t)info[NVME_INFO_QID];
	d->qsize = (unsigned)info[NVME_INFO_QSIZE];
	d->nsid = (uint32_t)info[NVME_INFO_NSID];
	d->lba_size = (uint32_t)info[NVME_INFO_LBA_SIZE];
	d->nblocks = info[NVME_INFO_NBLOCKS];
	d->buf_dma = info[NVME_INFO_BUF_DMA];
	d->buf_size = info[NVME_INFO_BUF_SIZE];
	if (d->qsize < 2 || d->lba_size == 0 ||
	    d->buf_size < (uint64_t)d->qsize * SLOT_SIZE)
		return -EINVAL;
	/* A fresh CQ: the controller posts its first pass with phase 1. */
	d->phase = true;
	return 0;
}

/* The device address of the pool page of SQ slot SLOT. */
static uint64_t
slot_dma(const struct nvdrv *d, unsigned slot)
{
	return d->buf_dma + (uint64_t)slot * SLOT_SIZE;
}

/*
 * Submit one command in the next SQ slot and wait for its completion:
 * namespace NSID, PRP1 (0: none), CDW10-11 = cdw1011, CDW12 = cdw12.
 */
static int
submit(struct nvdrv *d, uint8_t opc, uint32_t nsid, uint64_t prp1,
    uint64_t cdw1011, uint32_t cdw12)
{
	unsigned slot = d->sq_tail;
	int64_t e = (int64_t)slot * NVME_SQE_SIZE;
	int64_t c = (int64_t)d->cq_head * NVME_CQE_SIZE;
	uint16_t cid = d->cid++;

	/* The whole entry: stale fields of a previous command must not
	 * survive in the slot. */
	for (unsigned off = 0; off < NVME_SQE_SIZE; off += 8)
		st64(d->sq, e + off, 0);
	st32(d->sq, e + NVME_SQE_OPC, (uint32_t)opc | (uint32_t)cid << 16);
	st32(d->sq, e + NVME_SQE_NSID, nsid);
	st64(d->sq, e + NVME_SQE_PRP1, prp1);
	st64(d->sq, e + NVME_SQE_CDW(10), cdw1011);
	st32(d->sq, e + NVME_SQE_CDW(12), cdw12);
	d->sq_tail = (d->sq_tail + 1) % d->qsize;
	st32(d->sqt, 0, d->sq_tail);
	d->st.doorbells++;
	d->st.cmds++;
	for (int i = 0; i < CQ_POLLS; i++) {
		uint16_t sf = ld16(d->cq, c + NVME_CQE_STATUS);

		if ((sf & 1) != d->phase)
			continue;
		if (++d->cq_head == d->qsize) {
			d->cq_head = 0;
			d->phase = !d->phase;
		}
		st32(d->cqh, 0, d->cq_head);
		d->st.doorbells++;
		if (ld16(d->cq, c + NVME_CQE_CID) != cid || (sf >> 1) != 0) {
			d->st.errors++;
			return (sf >> 1) != 0 ? sf >> 1 : -EIO;
		}
		return 0;
	}
	return -ETIMEDOUT;
}

int
nvdrv_write(struct nvdrv *d, uint64_t slba, unsigned nlb, const void *data)
{
	uint64_t len = (uint64_t)nlb * d->lba_size;
	unsigned slot = d->sq_tail;
	int rc;

	if (nlb == 0 || len > SLOT_SIZE)
		return -EINVAL;
	stbytes(d->buf, (int64_t)slot * SLOT_SIZE, data, len);
	/* NLB is 0's based (§6.15). */
	if ((rc = submit(d, NVME_CMD_WRITE, d->nsid, slot_dma(d, slot), slba,
	    nlb - 1)) == 0)
		d->st.bytes_written += len;
	return rc;
}

int
nvdrv_read(struct nvdrv *d, uint64_t slba, unsigned nlb, void *data)
{
	uint64_t len = (uint64_t)nlb * d->lba_size;
	unsigned slot = d->sq_tail;
	int rc;

	if (nlb == 0 || len > SLOT_SIZE)
		return -EINVAL;
	if ((rc = submit(d, NVME_CMD_READ, d->nsid, slot_dma(d, slot), slba,
	    nlb - 1)) != 0)
		return rc;
	ldbytes(d->buf, (int64_t)slot * SLOT_SIZE, data, len);
	d->st.bytes_read += len;
	return 0;
}

int
nvdrv_flush(struct nvdrv *d)
{
	return submit(d, NVME_CMD_FLUSH, d->nsid, 0, 0, 0);
}

int
nvdrv_write_zeroes(struct nvdrv *d, uint64_t slba, unsigned nlb)
{
	/* §6.16: no data; NLB 0's based in CDW12 15:0. */
	if (nlb == 0 || nlb > NVDRV_ZEROES_MAX)
		return -EINVAL;
	return submit(d, NVME_CMD_WRITE_ZEROES, d->nsid, 0, slba, nlb - 1);
}

int
nvdrv_deallocate(struct nvdrv *d, uint64_t slba, uint32_t nlb)
{
	unsigned slot = d->sq_tail;
	int64_t r = (int64_t)slot * SLOT_SIZE;

	if (nlb == 0)
		return -EINVAL;
	/* §6.7: one 16-byte range (attributes, NLB, SLBA) in the slot's
	 * page; CDW10 NR = 0 (one range, 0's based), CDW11 AD. */
	st32(d->buf, r, 0);
	st32(d->buf, r + 4, nlb);
	st64(d->buf, r + 8, slba);
	return submit(d, NVME_CMD_DSM, d->nsid, slot_dma(d, slot),
	    (uint64_t)NVME_DSM_AD << 32, 0);
}

int
nvdrv_cmd(struct nvdrv *d, uint8_t opc, uint32_t nsid, uint64_t prp1,
    uint64_t slba, unsigned nlb)
{
	if (opc == NVME_CMD_FLUSH)
		return submit(d, opc, nsid, 0, 0, 0);
	if (nlb == 0)
		return -EINVAL;
	return submit(d, opc, nsid, prp1, slba, nlb - 1);
}

bool
nvdrv_ready(const struct nvdrv *d)
{
	return (ld32(d->csts, 0) & NVME_CSTS_RDY) != 0;
}

int
nvdrv_close(struct nvdrv *d)
{
	return capio_goodbye(d->dev, d->token);
}
