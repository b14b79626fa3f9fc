/*
 * nvme_driver.c — an NVMe queue pair driven from user level: build the
 * 64-byte submission entry (NVMe 1.4 §4.2, §6.9 Read, §6.15 Write, §6.8
 * Flush) in the SQ ring, ring the SQ tail doorbell, poll the CQ ring for
 * entries whose phase tag matches (§4.6), then ring the CQ head
 * doorbell. Commands are matched to completions by command identifier;
 * the SQ head the completions report (SQHD) says how much of the ring
 * the controller has consumed. Data lives in pool pages set aside per
 * command; more than a page goes by PRP2 or a PRP list (§4.3). Every
 * access goes through a capability; none is a system call.
 */
#include "user/nvme_driver.h"

#include <errno.h>
#include <string.h>

#include "abi/nvme.h"
#include "dev/nvme_entry.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

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
	/* The largest command (its data and a PRP list page) must fit. */
	if (d->qsize < 2 || d->lba_size == 0 ||
	    d->buf_size < NVDRV_MAX_XFER + NVDRV_PAGE)
		return -EINVAL;
	d->npages = d->buf_size / NVDRV_PAGE > 64 ? 64 :
	    (unsigned)(d->buf_size / NVDRV_PAGE);
	d->free_pages = d->npages == 64 ? ~0ull : (1ull << d->npages) - 1;
	d->max_inflight = d->qsize - 1 < NVDRV_MAX_CMDS ? d->qsize - 1 :
	    NVDRV_MAX_CMDS;
	d->free_cids = d->max_inflight == 64 ? ~0ull :
	    (1ull << d->max_inflight) - 1;
	/* A fresh CQ: the controller posts its first pass with phase 1. */
	d->phase = true;
	return 0;
}

/* N contiguous free pool pages: the first one, or -1. */
static int
take_pages(struct nvdrv *d, unsigned n, uint64_t *mask)
{
	uint64_t m = n >= 64 ? ~0ull : (1ull << n) - 1;

	if (n == 1 && d->free_pages != 0) {
		int i = __builtin_ctzll(d->free_pages);

		*mask = 1ull << i;
		d->free_pages &= ~*mask;
		return i;
	}
	for (unsigned i = 0; n <= d->npages && i <= d->npages - n; i++)
		if (((d->free_pages >> i) & m) == m) {
			*mask = m << i;
			d->free_pages &= ~*mask;
			return (int)i;
		}
	return -1;
}

int
nvdrv_stage(struct nvdrv *d, struct nvdrv_io *io, struct nvdrv_staged *s)
{
	struct nvdrv_cmd *c;
	uint64_t len = 0, mask = 0, prp1 = 0, prp2 = 0;
	unsigned ndata = 0, cid;
	int page0 = 0;
	uint8_t opc;

	switch (io->op) {
	case NVDRV_READ:
		opc = NVME_CMD_READ;
		break;
	case NVDRV_WRITE:
		opc = NVME_CMD_WRITE;
		break;
	case NVDRV_FLUSH:
		opc = NVME_CMD_FLUSH;
		break;
	default:
		return -EINVAL;
	}
	if (opc != NVME_CMD_FLUSH) {
		len = (uint64_t)io->nlb * d->lba_size;
		if (io->nlb == 0 || len > NVDRV_MAX_XFER)
			return -EINVAL;
		ndata = (unsigned)((len + NVDRV_PAGE - 1) / NVDRV_PAGE);
	}
	/* One slot of the SQ stays empty: a full ring is head - 1. */
	if ((d->sq_tail + 1) % d->qsize == d->sq_head || d->free_cids == 0)
		return -EAGAIN;
	/* More than two pages: a page for the PRP list after the data. */
	if (ndata > 0 && (page0 = take_pages(d, ndata + (ndata > 2),
	    &mask)) < 0)
		return -EAGAIN;
	cid = (unsigned)__builtin_ctzll(d->free_cids);
	d->free_cids &= ~(1ull << cid);
	c = &d->cmd[cid];
	c->io = io;
	c->pages = mask;
	c->page0 = (unsigned)page0;
	c->len = (uint32_t)len;
	s->slot = d->sq_tail;
	s->len = len;
	s->data_off = (uint64_t)page0 * NVDRV_PAGE;
	s->list_off = s->data_off + (uint64_t)ndata * NVDRV_PAGE;
	s->nent = ndata == 0 ? 0 : nvme_entry_prp(d->buf_dma + s->data_off,
	    ndata, d->buf_dma + s->list_off, &prp1, &prp2, s->ent);
	nvme_entry_io(s->sqe, opc, (uint16_t)cid, d->nsid, prp1, prp2,
	    io->slba, io->nlb);
	d->sq_tail = (d->sq_tail + 1) % d->qsize;
	d->staged++;
	d->inflight++;
	d->st.cmds++;
	return 0;
}

struct nvdrv_io *
nvdrv_reap(struct nvdrv *d, uint32_t dw3, uint16_t sqhd, uint64_t *data_off,
    uint64_t *len)
{
	unsigned cid = dw3 & 0xFFFF;
	uint16_t status = (uint16_t)(dw3 >> 17);
	struct nvdrv_cmd *c;
	struct nvdrv_io *io;

	if (++d->cq_head == d->qsize) {
		d->cq_head = 0;
		d->phase = !d->phase;
	}
	if (sqhd < d->qsize)
		d->sq_head = sqhd;
	if (cid >= NVDRV_MAX_CMDS || (d->free_cids >> cid) & 1) {
		d->st.stray++;
		return NULL;
	}
	c = &d->cmd[cid];
	io = c->io;
	d->free_pages |= c->pages;
	d->free_cids |= 1ull << cid;
	c->io = NULL;
	d->inflight--;
	if (io == NULL) {
		/* Its waiter gave up (sync_io): the slot comes back, no one
		 * hears of it. */
		d->st.stray++;
		return NULL;
	}
	io->status = status;
	*data_off = (uint64_t)c->page0 * NVDRV_PAGE;
	*len = status == 0 && io->op == NVDRV_READ ? c->len : 0;
	if (status != 0)
		d->st.errors++;
	else if (io->op == NVDRV_READ)
		d->st.bytes_read += c->len;
	else if (io->op == NVDRV_WRITE)
		d->st.bytes_written += c->len;
	return io;
}

int
nvdrv_submit(struct nvdrv *d, struct nvdrv_io *io)
{
	struct nvdrv_staged s;
	int err;

	if ((err = nvdrv_stage(d, io, &s)) != 0)
		return err;
	if (io->op == NVDRV_WRITE)
		stbytes(d->buf, (int64_t)s.data_off, io->data, s.len);
	if (s.nent > 0)
		stbytes(d->buf, (int64_t)s.list_off, s.ent, 8 * (size_t)s.nent);
	stbytes(d->sq, (int64_t)s.slot * NVME_SQE_SIZE, s.sqe, NVME_SQE_SIZE);
	return 0;
}

unsigned
nvdrv_kick(struct nvdrv *d)
{
	unsigned n = d->staged;

	if (n == 0)
		return 0;
	st32(d->sqt, 0, d->sq_tail);
	d->st.doorbells++;
	d->staged = 0;
	return n;
}

int
nvdrv_poll(struct nvdrv *d, struct nvdrv_io **done, int max)
{
	int n = 0;
	bool any = false;

	nvdrv_kick(d);
	/* At most a pass of the ring, whatever the CQ holds. */
	for (unsigned k = 0; n < max && k < d->qsize; k++) {
		int64_t c = (int64_t)d->cq_head * NVME_CQE_SIZE;
		uint32_t dw3 = ld32(d->cq, c + NVME_CQE_CID);
		uint64_t off, len;
		struct nvdrv_io *io;

		if (((dw3 >> 16) & 1) != d->phase)
			break;
		any = true;
		io = nvdrv_reap(d, dw3, ld16(d->cq, c + NVME_CQE_SQHD), &off,
		    &len);
		if (io == NULL)
			continue;
		if (len > 0)
			ldbytes(d->buf, (int64_t)off, io->data, len);
		done[n++] = io;
	}
	if (any) {
		st32(d->cqh, 0, d->cq_head);
		d->st.doorbells++;
	}
	return n;
}

unsigned
nvdrv_inflight(const struct nvdrv *d)
{
	return d->inflight;
}

/* Wait for IO, the one command in flight. */
static int
wait_one(struct nvdrv *d, struct nvdrv_io *io)
{
	struct nvdrv_io *done;

	for (int i = 0; i < CQ_POLLS; i++)
		if (nvdrv_poll(d, &done, 1) == 1)
			return done == io ? io->status : -EIO;
	/* io is about to go out of scope: a late completion must not
	 * reach it. */
	for (unsigned c = 0; c < NVDRV_MAX_CMDS; c++)
		if (d->cmd[c].io == io)
			d->cmd[c].io = NULL;
	return -ETIMEDOUT;
}

/* One command, submitted alone and waited for. */
static int
sync_io(struct nvdrv *d, enum nvdrv_op op, uint64_t slba, unsigned nlb,
    void *data)
{
	struct nvdrv_io io = { .op = op, .slba = slba, .nlb = nlb,
	    .data = data };
	int err;

	if (d->inflight > 0)
		return -EBUSY;
	if ((err = nvdrv_submit(d, &io)) != 0)
		return err;
	return wait_one(d, &io);
}

/*
 * A command built here rather than by nvdrv_stage, alone and waited
 * for: namespace NSID, CDW10-11 and CDW12 as given; PRP1 the caller's,
 * or, when RANGE is set, a pool page holding its RLEN bytes.
 */
static int
sync_raw(struct nvdrv *d, uint8_t opc, uint32_t nsid, uint64_t prp1,
    uint64_t cdw1011, uint32_t cdw12, const void *range, size_t rlen)
{
	/* No data to copy when it completes: reaped as a flush is. */
	struct nvdrv_io io = { .op = NVDRV_FLUSH };
	uint8_t e[NVME_SQE_SIZE];
	uint64_t mask = 0;
	int page0 = 0;
	unsigned cid;

	if (d->inflight > 0)
		return -EBUSY;
	if ((d->sq_tail + 1) % d->qsize == d->sq_head || d->free_cids == 0)
		return -EAGAIN;
	if (range != NULL) {
		if (rlen > NVDRV_PAGE || (page0 = take_pages(d, 1, &mask)) < 0)
			return -EAGAIN;
		stbytes(d->buf, (int64_t)page0 * NVDRV_PAGE, range, rlen);
		prp1 = d->buf_dma + (uint64_t)page0 * NVDRV_PAGE;
	}
	cid = (unsigned)__builtin_ctzll(d->free_cids);
	d->free_cids &= ~(1ull << cid);
	d->cmd[cid] = (struct nvdrv_cmd){ .io = &io, .pages = mask,
	    .page0 = (unsigned)page0 };
	memset(e, 0, sizeof e);
	e[NVME_SQE_OPC] = opc;
	nvme_entry_put(e + NVME_SQE_CID, cid, 2);
	nvme_entry_put(e + NVME_SQE_NSID, nsid, 4);
	nvme_entry_put(e + NVME_SQE_PRP1, prp1, 8);
	nvme_entry_put(e + NVME_SQE_CDW(10), cdw1011, 8);
	nvme_entry_put(e + NVME_SQE_CDW(12), cdw12, 4);
	stbytes(d->sq, (int64_t)d->sq_tail * NVME_SQE_SIZE, e, sizeof e);
	d->sq_tail = (d->sq_tail + 1) % d->qsize;
	d->staged++;
	d->inflight++;
	d->st.cmds++;
	return wait_one(d, &io);
}

int
nvdrv_write(struct nvdrv *d, uint64_t slba, unsigned nlb, const void *data)
{
	/* The driver only reads a write's data. */
	return sync_io(d, NVDRV_WRITE, slba, nlb, (void *)(uintptr_t)data);
}

int
nvdrv_read(struct nvdrv *d, uint64_t slba, unsigned nlb, void *data)
{
	return sync_io(d, NVDRV_READ, slba, nlb, data);
}

int
nvdrv_flush(struct nvdrv *d)
{
	return sync_io(d, NVDRV_FLUSH, 0, 0, NULL);
}

int
nvdrv_write_zeroes(struct nvdrv *d, uint64_t slba, unsigned nlb)
{
	/* §6.16: no data; NLB 0's based in CDW12 15:0. */
	if (nlb == 0 || nlb > NVDRV_ZEROES_MAX)
		return -EINVAL;
	return sync_raw(d, NVME_CMD_WRITE_ZEROES, d->nsid, 0, slba, nlb - 1,
	    NULL, 0);
}

int
nvdrv_deallocate(struct nvdrv *d, uint64_t slba, uint32_t nlb)
{
	uint8_t r[16];

	if (nlb == 0)
		return -EINVAL;
	/* §6.7: one 16-byte range (attributes, NLB, SLBA) in a pool page;
	 * CDW10 NR = 0 (one range, 0's based), CDW11 AD. */
	nvme_entry_put(r, 0, 4);
	nvme_entry_put(r + 4, nlb, 4);
	nvme_entry_put(r + 8, slba, 8);
	return sync_raw(d, NVME_CMD_DSM, d->nsid, 0,
	    (uint64_t)NVME_DSM_AD << 32, 0, r, sizeof r);
}

int
nvdrv_cmd(struct nvdrv *d, uint8_t opc, uint32_t nsid, uint64_t prp1,
    uint64_t slba, unsigned nlb)
{
	if (opc == NVME_CMD_FLUSH)
		return sync_raw(d, opc, nsid, 0, 0, 0, NULL, 0);
	if (nlb == 0)
		return -EINVAL;
	return sync_raw(d, opc, nsid, prp1, slba, nlb - 1, NULL, 0);
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
