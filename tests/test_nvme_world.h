/*
 * test_nvme_world.h — a minimal machine for the NVMe tests: 1 MiB of RAM,
 * an IOMMU with one read/write and one read-only window, the controller's
 * BAR0 on the bus, and a host side that submits commands and reaps
 * completions the way a driver does.
 *
 *	0x100000-0x17FFFF  RAM, DMA window read/write (identity mapped)
 *	0x180000-0x18FFFF  RAM, DMA window read-only
 *	0x190000-0x1FFFFF  RAM the device must never touch (canary)
 */
#ifndef CAPIO_TESTS_NVME_WORLD_H
#define CAPIO_TESTS_NVME_WORLD_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dev/nvme.h"
#include "machine/iommu.h"
#include "machine/phys.h"

#define N_RAM		0x100000u
#define N_RAM_SIZE	0x100000u
#define N_RW		0x100000u
#define N_RW_SIZE	0x80000u
#define N_RO		0x180000u
#define N_RO_SIZE	0x10000u
#define N_CANARY	0x190000u
#define N_CANARY_SIZE	0x70000u
#define N_BAR		0xF0000000u

#define N_ASQ		0x100000u
#define N_ACQ		0x101000u
#define N_IOSQ		0x102000u	/* queue 1 */
#define N_IOCQ		0x103000u
#define N_LIST		0x108000u	/* PRP lists */
#define N_DATA		0x110000u	/* data pages */
#define N_DATA2		0x140000u	/* read-back pages */
#define N_QSIZE		16u

struct nq {
	uint32_t sq_tail, cq_head, size;
	bool phase;
};

struct nworld {
	struct phys	*phys;
	struct iommu	*io;
	struct nvme	*dev;
	struct nq	 q[4];
	struct iommu	*qio[4];	/* queue isolation: queues 1..3 */
	unsigned	 irq_changes;
	bool		 irq_level;
	unsigned	 faults;
	/* Last completion. */
	uint32_t	 dw0;
	uint16_t	 sqhd, sqid, cid, status;
	uint16_t	 next_cid;
};

static inline void
nw_irq(void *arg, bool level)
{
	struct nworld *w = arg;

	w->irq_changes++;
	w->irq_level = level;
}

static inline void
nw_fault(void *arg, const char *dev, const struct dma_fault *f)
{
	struct nworld *w = arg;

	(void)dev;
	(void)f;
	w->faults++;
}

static inline uint32_t
nrd(struct nworld *w, uint32_t off)
{
	return (uint32_t)nvme_mmio_ops.read(w->dev, off, 4);
}

static inline void
nwr(struct nworld *w, uint32_t off, uint32_t v)
{
	nvme_mmio_ops.write(w->dev, off, v, 4);
}

static inline void
nram_write(struct nworld *w, uint64_t pa, const void *buf, size_t len)
{
	CHECK(phys_write(w->phys, pa, buf, len) == 0);
}

static inline void
nram_read(struct nworld *w, uint64_t pa, void *buf, size_t len)
{
	CHECK(phys_read(w->phys, pa, buf, len) == 0);
}

static inline bool
ncanary_intact(struct nworld *w)
{
	const uint8_t *p = phys_ram_ptr(w->phys, N_CANARY, N_CANARY_SIZE);
	size_t i;

	for (i = 0; i < N_CANARY_SIZE; i++)
		if (p[i] != 0xA5)
			return false;
	return true;
}

/* One RAM namespace of 1 MiB, 512-byte blocks, 4 I/O queue pairs. */
static inline void
nvme_default_config(struct nvme_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->nqueues = 4;
	cfg->nnamespaces = 1;
	cfg->namespaces[0].size_bytes = 1u << 20;
	cfg->namespaces[0].block_size = 512;
	cfg->serial = "CAPIO0001";
}

/* RAM, the controller's IOMMU with its two windows, the canary. */
static inline void
nworld_machine(struct nworld *w)
{
	memset(w, 0, sizeof(*w));
	w->phys = phys_new();
	CHECK(w->phys != NULL);
	CHECK(phys_add_ram(w->phys, N_RAM, N_RAM_SIZE) == 0);
	w->io = iommu_new(w->phys, "nvme0");
	CHECK(w->io != NULL);
	CHECK(iommu_map(w->io, N_RW, N_RW, N_RW_SIZE,
	    IOMMU_READ | IOMMU_WRITE) == 0);
	CHECK(iommu_map(w->io, N_RO, N_RO, N_RO_SIZE, IOMMU_READ) == 0);
	iommu_set_fault_handler(w->io, nw_fault, w);
	memset(phys_ram_ptr(w->phys, N_CANARY, N_CANARY_SIZE), 0xA5,
	    N_CANARY_SIZE);
}

/* The controller as CFG says, on the machine nworld_machine built. */
static inline void
nworld_device(struct nworld *w, const struct nvme_config *cfg)
{
	char err[128];

	w->dev = nvme_new("nvme0", cfg, w->io, err, sizeof(err));
	CHECK(w->dev != NULL);
	CHECK(phys_add_mmio(w->phys, N_BAR, NVME_BAR0_SIZE, "nvme0 BAR0",
	    &nvme_mmio_ops, w->dev) == 0);
	nvme_set_irq_handler(w->dev, nw_irq, w);
}

static inline void
nworld_init_cfg(struct nworld *w, const struct nvme_config *cfg)
{
	nworld_machine(w);
	nworld_device(w, cfg);
}

static inline void
nworld_init(struct nworld *w)
{
	struct nvme_config cfg;

	nvme_default_config(&cfg);
	nworld_init_cfg(w, &cfg);
}

static inline void
nworld_free(struct nworld *w)
{
	nvme_free(w->dev);
	for (unsigned i = 0; i < 4; i++)
		iommu_free(w->qio[i]);
	iommu_free(w->io);
	phys_free(w->phys);
}

/* Admin queues of N_QSIZE entries, CC.EN set with 64/16-byte entries. */
static inline void
nworld_enable(struct nworld *w)
{
	memset(w->q, 0, sizeof(w->q));
	w->q[0].size = N_QSIZE;
	w->q[0].phase = true;
	/* A driver clears its CQs: stale entries must not look posted. */
	memset(phys_ram_ptr(w->phys, N_ACQ, 16u * N_QSIZE), 0, 16u * N_QSIZE);
	nwr(w, NVME_AQA, (N_QSIZE - 1) << 16 | (N_QSIZE - 1));
	nwr(w, NVME_ASQ, N_ASQ);
	nwr(w, NVME_ASQ + 4, 0);
	nwr(w, NVME_ACQ, N_ACQ);
	nwr(w, NVME_ACQ + 4, 0);
	nwr(w, NVME_CC, NVME_CC_EN | 6u << 16 | 4u << 20);
}

static inline uint64_t
sq_base(unsigned qid)
{
	return qid == 0 ? N_ASQ : N_IOSQ + 0x2000u * (qid - 1);
}

static inline uint64_t
cq_base(unsigned qid)
{
	return qid == 0 ? N_ACQ : N_IOCQ + 0x2000u * (qid - 1);
}

/* Place a 64-byte command in queue qid's tail slot; ring only if asked. */
static inline void
nsubmit(struct nworld *w, unsigned qid, const uint8_t sqe[64], bool ring)
{
	struct nq *q = &w->q[qid];

	nram_write(w, sq_base(qid) + 64u * q->sq_tail, sqe, 64);
	q->sq_tail = (q->sq_tail + 1) % q->size;
	if (ring)
		nwr(w, NVME_SQTDBL(qid), q->sq_tail);
}

/* Reap one completion of queue qid: false if none is posted. */
static inline bool
nreap(struct nworld *w, unsigned qid)
{
	struct nq *q = &w->q[qid];
	uint8_t e[16];
	uint16_t sf;

	nram_read(w, cq_base(qid) + 16u * q->cq_head, e, 16);
	sf = (uint16_t)(e[14] | e[15] << 8);
	if ((sf & 1) != (q->phase ? 1 : 0))
		return false;
	w->dw0 = (uint32_t)e[0] | (uint32_t)e[1] << 8 | (uint32_t)e[2] << 16 |
	    (uint32_t)e[3] << 24;
	w->sqhd = (uint16_t)(e[8] | e[9] << 8);
	w->sqid = (uint16_t)(e[10] | e[11] << 8);
	w->cid = (uint16_t)(e[12] | e[13] << 8);
	w->status = (uint16_t)(sf >> 1);
	if (++q->cq_head == q->size) {
		q->cq_head = 0;
		q->phase = !q->phase;
	}
	nwr(w, NVME_CQHDBL(qid), q->cq_head);
	return true;
}

static inline void
put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void
put64le(uint8_t *p, uint64_t v)
{
	put32le(p, (uint32_t)v);
	put32le(p + 4, (uint32_t)(v >> 32));
}

/* A command: opcode, NSID, PRP1, PRP2 and CDW10-15. */
static inline void
nsqe(uint8_t sqe[64], uint8_t opc, uint16_t cid, uint32_t nsid,
    uint64_t prp1, uint64_t prp2, const uint32_t cdw[6])
{
	unsigned i;

	memset(sqe, 0, 64);
	sqe[0] = opc;
	sqe[2] = (uint8_t)cid;
	sqe[3] = (uint8_t)(cid >> 8);
	put32le(sqe + 4, nsid);
	put64le(sqe + 24, prp1);
	put64le(sqe + 32, prp2);
	for (i = 0; i < 6; i++)
		put32le(sqe + 40 + 4 * i, cdw != NULL ? cdw[i] : 0);
}

/*
 * Submit one command and reap its completion; the status without DNR
 * (SCT << 8 | SC), or 0xFFFF when no completion came.
 */
static inline uint16_t
ncmd(struct nworld *w, unsigned qid, uint8_t opc, uint32_t nsid,
    uint64_t prp1, uint64_t prp2, uint32_t c10, uint32_t c11, uint32_t c12)
{
	uint32_t cdw[6] = { c10, c11, c12, 0, 0, 0 };
	uint8_t sqe[64];
	uint16_t cid = ++w->next_cid;

	nsqe(sqe, opc, cid, nsid, prp1, prp2, cdw);
	nsubmit(w, qid, sqe, true);
	if (!nreap(w, qid))
		return 0xFFFF;
	CHECK_EQ(w->cid, cid);
	CHECK_EQ(w->sqid, qid);
	return w->status & 0x7FF;
}

/* Create I/O CQ and SQ qid (contiguous, size entries, interrupts IEN). */
static inline void
nworld_ioq(struct nworld *w, unsigned qid, unsigned size, bool ien)
{
	memset(phys_ram_ptr(w->phys, cq_base(qid), 16u * size), 0,
	    16u * size);
	CHECK_EQ(ncmd(w, 0, NVME_ADM_CREATE_CQ, 0, cq_base(qid), 0,
	    (size - 1) << 16 | qid, 1u | (ien ? 2u : 0u), 0), 0);
	CHECK_EQ(ncmd(w, 0, NVME_ADM_CREATE_SQ, 0, sq_base(qid), 0,
	    (size - 1) << 16 | qid, qid << 16 | 1u, 0), 0);
	w->q[qid].size = size;
	w->q[qid].phase = true;
	w->q[qid].sq_tail = 0;
	w->q[qid].cq_head = 0;
}

/* Read/Write NLB blocks at SLBA of namespace 1 on queue 1. */
static inline uint16_t
nrw(struct nworld *w, uint8_t opc, uint64_t slba, uint32_t nlb,
    uint64_t prp1, uint64_t prp2)
{
	return ncmd(w, 1, opc, 1, prp1, prp2, (uint32_t)slba,
	    (uint32_t)(slba >> 32), nlb - 1);
}

#endif
