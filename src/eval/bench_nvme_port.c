/*
 * bench_nvme_port.c — the four arms behind one block interface
 * (bench_nvme_port.h).
 */
#include "eval/bench_nvme_port.h"

#include <errno.h>
#include <string.h>

#include "abi/nvme.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

int
bench_nvme_open(struct bench_nvme_port *p, enum bench_arm arm, int dev,
    unsigned unit, struct kernel *k, int pid)
{
	uint64_t info[8];
	cap_t identity;
	int err;

	memset(p, 0, sizeof *p);
	p->arm = arm;
	p->dev = dev;
	if (arm == BARM_KERNEL) {
		/* The kernel drives the unit; the process claims that path
		 * and keeps its request records in its own memory. */
		if ((err = sys_mmap(4096, &identity)) != 0 ||
		    (err = capio_attach_kernel_path_unit(dev, unit, identity,
		    &p->token)) != 0 ||
		    (err = capio_info(dev, p->token, info)) != 0 ||
		    (err = sys_mmap(BLK_BATCH_MAX * BLK_REQ_SIZE, &p->recs)) != 0)
			return err;
		p->lba_size = (uint32_t)info[NVME_INFO_LBA_SIZE];
		p->nblocks = info[NVME_INFO_NBLOCKS];
		return p->lba_size == 0 ? -EINVAL : 0;
	}
	if ((err = nvdrv_open(&p->d, dev, unit)) != 0)
		return err;
	p->lba_size = p->d.lba_size;
	p->nblocks = p->d.nblocks;
	if (arm == BARM_RAW)
		return bench_nvme_raw_open(&p->raw, &p->d, k, pid);
	return 0;
}

void
bench_nvme_close(struct bench_nvme_port *p)
{
	(void)capio_goodbye(p->dev, p->arm == BARM_KERNEL ? p->token :
	    p->d.token);
}

int
bench_nvme_io(struct bench_nvme_port *p, enum nvdrv_op op, uint64_t slba,
    unsigned nlb, struct bench_buf *b)
{
	struct nvdrv_io *done;
	int64_t rc;

	switch (p->arm) {
	case BARM_KERNEL:
		rc = op == NVDRV_READ ? sys_blk_read(p->dev, p->token, slba,
		    nlb, b->cap) : sys_blk_write(p->dev, p->token, slba, nlb,
		    b->cap);
		return rc == (int64_t)nlb * p->lba_size ? 0 : rc < 0 ?
		    (int)rc : -EIO;
	case BARM_RAW:
		p->io[0] = (struct nvdrv_io){ .op = op, .slba = slba,
		    .nlb = nlb, .data = b->host };
		if ((rc = bench_nvme_raw_submit(&p->raw, &p->io[0])) != 0)
			return (int)rc;
		/* The model completes on the doorbell: one poll reaps it. */
		if (bench_nvme_raw_poll(&p->raw, &done, 1) != 1)
			return -ETIMEDOUT;
		return done->status;
	default:
		return op == NVDRV_READ ? nvdrv_read(&p->d, slba, nlb, b->host) :
		    nvdrv_write(&p->d, slba, nlb, b->host);
	}
}

int
bench_nvme_batch(struct bench_nvme_port *p, enum nvdrv_op op,
    const uint64_t *slba, unsigned nlb, struct bench_buf *b, unsigned n)
{
	struct nvdrv_io *done[BLK_BATCH_MAX];
	int got = 0, bad = 0;

	if (n == 0 || n > BLK_BATCH_MAX)
		return -EINVAL;
	if (p->arm == BARM_KERNEL) {
		int64_t rc;

		for (unsigned i = 0; i < n; i++)
			blk_req_put(p->recs, i, op == NVDRV_READ ? BLK_OP_READ :
			    BLK_OP_WRITE, slba[i], nlb, b[i].cap);
		rc = sys_blk_submit(p->dev, p->token, p->recs, n);
		return rc == (int64_t)n ? 0 : rc < 0 ? (int)rc : -EIO;
	}
	for (unsigned i = 0; i < n; i++) {
		int err;

		p->io[i] = (struct nvdrv_io){ .op = op, .slba = slba[i],
		    .nlb = nlb, .data = b[i].host };
		err = p->arm == BARM_RAW ?
		    bench_nvme_raw_submit(&p->raw, &p->io[i]) :
		    nvdrv_submit(&p->d, &p->io[i]);
		if (err != 0)
			return err;
	}
	/* One SQ doorbell for all (poll kicks), one CQ doorbell per poll. */
	for (int polls = 0; got < (int)n && polls < 1000; polls++) {
		int m = p->arm == BARM_RAW ?
		    bench_nvme_raw_poll(&p->raw, done + got, (int)n - got) :
		    nvdrv_poll(&p->d, done + got, (int)n - got);

		for (int i = got; i < got + m; i++)
			bad |= done[i]->status != 0;
		got += m;
	}
	return got < (int)n ? -ETIMEDOUT : bad ? -EIO : 0;
}
