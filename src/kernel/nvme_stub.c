/*
 * nvme_stub.c — the privileged part of an NVMe driver, as CAPIO leaves
 * it in the kernel: controller bring-up, the admin queue (the kernel's
 * alone: queue creation and deletion are control, not data), and handing
 * each I/O queue pair to the holder of its unit, with a namespace of its
 * own when the controller has one per unit.
 *
 * On a controller with queue isolation (a model extension, docs/nvme.md)
 * a unit's IOMMU windows open in its queue's own context, not the
 * controller's, and the stub binds the queue to the unit's namespace
 * before creating it.
 *
 * Admin commands complete before the doorbell write returns (the model
 * is synchronous), so the stub polls the admin CQ right after ringing,
 * with a bound, and masks the interrupt vector.
 */
#include "kernel/nvme_stub.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/nvme.h"
#include "dev/nvme_regs.h"
#include "kernel/kernel_priv.h"
#include "kernel/nvme_kpath.h"
#include "kernel/nvme_manifest.h"
#include "machine/iommu.h"
#include "machine/phys.h"

enum { R_BAR0, R_SQ, R_CQ, R_BUF, R_COUNT };

#define ADMIN_QSIZE	16		/* admin SQ and CQ entries */
#define ADMIN_POLLS	1000		/* reads of a CQ entry before giving up */
#define RDY_POLLS	1000		/* reads of CSTS before giving up */
#define NSID_SHARED	1		/* when units outnumber namespaces */
#define ADMIN_RING	4096u		/* a page for each admin ring */

struct nvme_unit {
	uint64_t pa[R_COUNT];		/* [R_BAR0] unused */
	bool live;			/* its queues exist */
	uint32_t nsid;			/* its namespace */
	uint32_t lba_size;
	uint64_t nblocks;
	struct nvme_kq kq;		/* a kernel-path claim's queue state */
};

struct nvme_stub {
	struct kernel *k;
	int index;
	struct iommu *io;
	struct iommu *const *qio;	/* queue isolation: [qid], or NULL */
	unsigned nqio;			/* qid 1..nqio */
	uint64_t bar;
	/* The admin queue pair and an Identify buffer, kernel memory. */
	uint64_t asq, acq, idbuf;
	unsigned asq_tail, acq_head;
	bool acq_phase;
	uint16_t cid;
	unsigned nunits;
	struct nvme_unit unit[NVME_STUB_MAX_UNITS];
	uint64_t irqs;
	uint64_t stray;			/* admin completions of no command
					   of ours (admin()) */
};

static uint32_t
rd(struct nvme_stub *s, uint32_t off)
{
	return kernel_mmio_read(s->k, s->bar + off);
}

static void
wr(struct nvme_stub *s, uint32_t off, uint32_t v)
{
	kernel_mmio_write(s->k, s->bar + off, v);
}

static uint64_t
region_size(unsigned r)
{
	return nvme_manifest.regions[r].size;
}

static void
put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/*
 * One admin command: OPC with NSID, PRP1 and CDW10/11, on the admin SQ;
 * its completion read from the admin CQ by phase tag. The status field
 * (0: success), or -1 when no completion came within the bound.
 */
static int
admin(struct nvme_stub *s, uint8_t opc, uint32_t nsid, uint64_t prp1,
    uint32_t cdw10, uint32_t cdw11, uint32_t *dw0)
{
	uint8_t e[NVME_SQE_SIZE], c[NVME_CQE_SIZE];
	uint16_t st, cid = s->cid++;

	memset(e, 0, sizeof e);
	e[NVME_SQE_OPC] = opc;
	e[NVME_SQE_CID] = (uint8_t)cid;
	e[NVME_SQE_CID + 1] = (uint8_t)(cid >> 8);
	put32(e + NVME_SQE_NSID, nsid);
	put32(e + NVME_SQE_PRP1, (uint32_t)prp1);
	put32(e + NVME_SQE_PRP1 + 4, (uint32_t)(prp1 >> 32));
	put32(e + NVME_SQE_CDW(10), cdw10);
	put32(e + NVME_SQE_CDW(11), cdw11);
	if (phys_write(s->k->phys, s->asq + (uint64_t)s->asq_tail *
	    NVME_SQE_SIZE, e, sizeof e) != 0)
		abort();	/* the stub's own memory */
	s->asq_tail = (s->asq_tail + 1) % ADMIN_QSIZE;
	wr(s, NVME_SQTDBL(0), s->asq_tail);
	for (int i = 0; i < ADMIN_POLLS; i++) {
		uint64_t cqe = s->acq + (uint64_t)s->acq_head * NVME_CQE_SIZE;

		if (phys_read(s->k->phys, cqe, c, sizeof c) != 0)
			abort();
		st = (uint16_t)(c[NVME_CQE_STATUS] | c[NVME_CQE_STATUS + 1] << 8);
		if ((st & 1) != s->acq_phase)
			continue;
		if (++s->acq_head == ADMIN_QSIZE) {
			s->acq_head = 0;
			s->acq_phase = !s->acq_phase;
		}
		wr(s, NVME_CQHDBL(0), s->acq_head);
		/*
		 * Only the completion of this command answers it (§4.6: the
		 * CID). Others are stray: entries replayed by whoever rang
		 * the admin doorbell (a page-arm tenant can), consumed and
		 * counted, so that they never pass for this one's.
		 */
		if ((uint16_t)(c[NVME_CQE_CID] | c[NVME_CQE_CID + 1] << 8) !=
		    cid) {
			s->stray++;
			continue;
		}
		if (dw0 != NULL)
			*dw0 = get32(c + NVME_CQE_DW0);
		return st >> 1;
	}
	return -1;
}

static void
irq(void *owner, bool level)
{
	struct nvme_stub *s = owner;

	/* Vector 0 is masked and I/O CQs are created without interrupts:
	 * nothing should come; count it if it does. */
	if (level)
		s->irqs++;
}

static struct nvme_stub *
new_fail(struct nvme_stub *s, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "nvme%d: %s", s->index, what);
	board_irq_attach(s->k->board, s->index, NULL, NULL);
	free(s);	/* kernel memory goes away with the machine */
	return NULL;
}

/* Wait for CSTS.RDY to read WANT, within a bound; CFS is a failure. */
static int
wait_rdy(struct nvme_stub *s, bool want)
{
	for (int i = 0; i < RDY_POLLS; i++) {
		uint32_t csts = rd(s, NVME_CSTS);

		if (csts & NVME_CSTS_CFS)
			return -1;
		if (((csts & NVME_CSTS_RDY) != 0) == want)
			return 0;
	}
	return -1;
}

/* §5.15.2.1: unit UN's namespace, its size and block size. */
static int
identify_ns(struct nvme_stub *s, struct nvme_unit *un)
{
	uint8_t id[NVME_IDENTIFY_SIZE];
	unsigned f, lbads;

	if (admin(s, NVME_ADM_IDENTIFY, un->nsid, s->idbuf, NVME_CNS_NS, 0,
	    NULL) != 0)
		return -1;
	if (phys_read(s->k->phys, s->idbuf, id, sizeof id) != 0)
		abort();
	un->nblocks = get32(id + NVME_IDNS_NSZE) |
	    (uint64_t)get32(id + NVME_IDNS_NSZE + 4) << 32;
	f = id[NVME_IDNS_FLBAS] & 0xF;
	lbads = id[NVME_IDNS_LBAF0 + 4 * f + 2];
	if (lbads < 9 || lbads > 12)
		return -1;
	un->lba_size = 1u << lbads;
	return 0;
}

struct nvme_stub *
nvme_stub_new(struct kernel *k, int index, const struct board_dev *bd,
    char *err, size_t errlen)
{
	struct nvme_stub *s = calloc(1, sizeof *s);
	uint32_t dw0 = 0, want, nn;
	uint8_t id[NVME_IDENTIFY_SIZE];
	uint64_t cap;

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->k = k;
	s->index = index;
	s->io = bd->iommu;
	s->bar = bd->bar;
	/* The firmware tables say whether the controller isolates queues. */
	s->qio = bd->queue_iommu;
	s->nqio = bd->queue_iommu != NULL ? bd->nqueue_iommu : 0;
	board_irq_attach(k->board, index, irq, s);

	/* §7.6.1 initialisation: disable, wait for RDY clear, admin queue
	 * attributes and bases, CC with entry sizes, enable, wait for RDY. */
	cap = rd(s, NVME_CAP) | (uint64_t)rd(s, NVME_CAP + 4) << 32;
	if ((cap & NVME_CAP_MQES_MASK) + 1 < NVME_STUB_QSIZE ||
	    !(cap & NVME_CAP_CSS_NVM))
		return new_fail(s, err, errlen, "unsupported controller");
	wr(s, NVME_CC, 0);
	if (wait_rdy(s, false) != 0)
		return new_fail(s, err, errlen, "does not reset");
	if (kernel_dma_alloc(s->k, ADMIN_RING, &s->asq) != 0 ||
	    kernel_dma_alloc(s->k, ADMIN_RING, &s->acq) != 0 ||
	    kernel_dma_alloc(s->k, NVME_IDENTIFY_SIZE, &s->idbuf) != 0)
		return new_fail(s, err, errlen, "no memory for the admin queue");
	/* Per-unit regions too, now: a process's attach must never fail
	 * because other processes took the RAM since boot. */
	for (unsigned u = 0; u < NVME_STUB_MAX_UNITS; u++)
		for (unsigned r = R_SQ; r < R_COUNT; r++)
			if (kernel_dma_alloc(s->k, region_size(r),
			    &s->unit[u].pa[r]) != 0)
				return new_fail(s, err, errlen,
				    "no memory for queues");
	iommu_unmap_all(s->io);
	for (unsigned q = 1; q <= s->nqio; q++) {
		iommu_unmap_all(s->qio[q]);
		if (!k->opts.iommu)
			iommu_map(s->qio[q], 0, 0, board_ram_size(k->board),
			    IOMMU_READ | IOMMU_WRITE);
	}
	if (!k->opts.iommu)
		/* No IOMMU protection: the controller reaches all of RAM. */
		iommu_map(s->io, 0, 0, board_ram_size(k->board),
		    IOMMU_READ | IOMMU_WRITE);
	else {
		/* The kernel's own windows stay open for its lifetime. */
		iommu_map(s->io, s->asq, s->asq, ADMIN_RING, IOMMU_READ);
		iommu_map(s->io, s->acq, s->acq, ADMIN_RING, IOMMU_WRITE);
		iommu_map(s->io, s->idbuf, s->idbuf, NVME_IDENTIFY_SIZE,
		    IOMMU_WRITE);
	}
	wr(s, NVME_AQA, (ADMIN_QSIZE - 1) << 16 | (ADMIN_QSIZE - 1));
	wr(s, NVME_ASQ, (uint32_t)s->asq);
	wr(s, NVME_ASQ + 4, (uint32_t)(s->asq >> 32));
	wr(s, NVME_ACQ, (uint32_t)s->acq);
	wr(s, NVME_ACQ + 4, (uint32_t)(s->acq >> 32));
	wr(s, NVME_INTMS, 1);	/* the kernel polls */
	s->acq_phase = true;
	wr(s, NVME_CC, NVME_CC_EN | NVME_SQES_LOG2 << 16 |
	    NVME_CQES_LOG2 << 20);
	if (wait_rdy(s, true) != 0)
		return new_fail(s, err, errlen, "does not become ready");

	/* §5.15: the controller (how many namespaces it has). */
	if (admin(s, NVME_ADM_IDENTIFY, 0, s->idbuf, NVME_CNS_CTRL, 0,
	    NULL) != 0)
		return new_fail(s, err, errlen, "Identify Controller failed");
	if (phys_read(k->phys, s->idbuf, id, sizeof id) != 0)
		abort();
	if ((nn = get32(id + NVME_IDC_NN)) < NSID_SHARED)
		return new_fail(s, err, errlen, "no namespace 1");
	/* §5.21.1.7 Number of Queues: ask for as many as units can use;
	 * the controller says how many it grants (0's based). */
	want = NVME_STUB_MAX_UNITS - 1;
	if (admin(s, NVME_ADM_SET_FEATURES, 0, 0, NVME_FEAT_NUM_QUEUES,
	    want << 16 | want, &dw0) != 0)
		return new_fail(s, err, errlen, "Set Features failed");
	s->nunits = (dw0 & 0xFFFF) + 1;
	if ((dw0 >> 16) + 1 < s->nunits)
		s->nunits = (dw0 >> 16) + 1;
	if (s->nunits > NVME_STUB_MAX_UNITS)
		s->nunits = NVME_STUB_MAX_UNITS;
	/* Every queue offered needs its context. */
	if (s->qio != NULL && s->nunits > s->nqio)
		s->nunits = s->nqio;
	/* A namespace per unit when there are enough, else one shared. */
	for (unsigned u = 0; u < s->nunits; u++) {
		struct nvme_unit *un = &s->unit[u];

		un->nsid = nn >= s->nunits ? u + 1 : NSID_SHARED;
		if (identify_ns(s, un) != 0)
			return new_fail(s, err, errlen,
			    "Identify Namespace failed or odd block size");
	}
	return s;
}

void
nvme_stub_free(struct nvme_stub *s)
{
	if (s == NULL)
		return;
	board_irq_attach(s->k->board, s->index, NULL, NULL);
	free(s);	/* RAM goes away with the machine */
}

unsigned
nvme_stub_units(const struct nvme_stub *s)
{
	return s->nunits;
}

/* --- the CAPIO driver operations ---------------------------------------- */

static uint64_t
op_region_pa(void *stub, unsigned unit, unsigned r)
{
	struct nvme_stub *s = stub;

	return r == R_BAR0 ? s->bar : s->unit[unit].pa[r];
}

/* What one holder left in the unit's regions, gone before the next. */
static void
zero_unit(struct nvme_stub *s, const struct nvme_unit *un)
{
	for (unsigned r = R_SQ; r < R_COUNT; r++)
		kernel_dma_zero(s->k, un->pa[r], region_size(r));
}

/*
 * The IOMMU is the controller's, one requester ID for every queue: a
 * unit's windows are open for the whole controller, whichever queue a
 * command came from (docs/nvme.md, "NVMe tenants on CAPIO"). With queue
 * isolation they open in the context of the unit's queue only.
 */
static void
windows(struct nvme_stub *s, unsigned unit, bool open)
{
	const struct nvme_unit *un = &s->unit[unit];
	struct iommu *io = s->qio != NULL ? s->qio[unit + 1] : s->io;

	if (!s->k->opts.iommu)
		return;		/* all of RAM is open anyway */
	for (unsigned r = R_SQ; r < R_COUNT; r++) {
		if (open)
			iommu_map(io, un->pa[r], un->pa[r], region_size(r),
			    nvme_manifest.regions[r].dma_perm);
		else
			iommu_unmap(io, un->pa[r], region_size(r));
	}
}

static void
delete_queues(struct nvme_stub *s, unsigned qid)
{
	/* §5.6, §5.7: the SQ first, then the CQ it posts to. */
	(void)admin(s, NVME_ADM_DELETE_SQ, 0, 0, qid, 0, NULL);
	(void)admin(s, NVME_ADM_DELETE_CQ, 0, 0, qid, 0, NULL);
}

static int
op_attach(void *stub, unsigned unit)
{
	struct nvme_stub *s = stub;
	struct nvme_unit *un = &s->unit[unit];
	const uint32_t qid = unit + 1;
	const uint32_t qsz = (NVME_STUB_QSIZE - 1) << 16;

	windows(s, unit, true);
	/* Bound before it exists: no command of the queue ever runs
	 * unbound (an unbound queue may address no namespace anyway). */
	if (s->qio != NULL && admin(s, NVME_ADM_CAPIO_BIND_QUEUE, 0, 0, qid,
	    un->nsid, NULL) != 0) {
		windows(s, unit, false);
		return -EIO;
	}
	/* §5.5 Create I/O CQ: contiguous (PC), no interrupts (the holder
	 * polls), vector 0. §5.4 Create I/O SQ: contiguous, onto that CQ. */
	if (admin(s, NVME_ADM_CREATE_CQ, 0, un->pa[R_CQ], qsz | qid, 1,
	    NULL) != 0) {
		windows(s, unit, false);
		return -EIO;
	}
	if (admin(s, NVME_ADM_CREATE_SQ, 0, un->pa[R_SQ], qsz | qid,
	    qid << 16 | 1, NULL) != 0) {
		(void)admin(s, NVME_ADM_DELETE_CQ, 0, 0, qid, 0, NULL);
		windows(s, unit, false);
		return -EIO;
	}
	un->live = true;
	return 0;
}

static void
op_detach(void *stub, unsigned unit)
{
	struct nvme_stub *s = stub;
	struct nvme_unit *un = &s->unit[unit];

	if (un->live)
		delete_queues(s, unit + 1);
	if (s->qio != NULL)
		(void)admin(s, NVME_ADM_CAPIO_BIND_QUEUE, 0, 0, unit + 1, 0,
		    NULL);
	un->live = false;
	windows(s, unit, false);
	zero_unit(s, un);
}

static void
op_info(void *stub, unsigned unit, struct sysret *r)
{
	struct nvme_stub *s = stub;

	r->x[NVME_INFO_QID] = unit + 1;
	r->x[NVME_INFO_QSIZE] = NVME_STUB_QSIZE;
	r->x[NVME_INFO_NSID] = s->unit[unit].nsid;
	r->x[NVME_INFO_LBA_SIZE] = s->unit[unit].lba_size;
	r->x[NVME_INFO_NBLOCKS] = s->unit[unit].nblocks;
	r->x[NVME_INFO_BUF_DMA] = s->unit[unit].pa[R_BUF];
	r->x[NVME_INFO_BUF_SIZE] = NVME_STUB_BUF_SIZE;
}

/* --- the kernel-mediated block path (nvme_kpath.c) ---------------------- */

/* The unit's queues, created as for a user-level holder, on regions the
 * holder never maps: the kernel drives them for it. */
static int
op_kpath_attach(void *stub, unsigned unit)
{
	struct nvme_stub *s = stub;
	struct nvme_unit *un = &s->unit[unit];
	int err;

	if ((err = op_attach(stub, unit)) != 0)
		return err;
	if (nvme_kq_start(&un->kq, s->k, s->bar, (uint16_t)(unit + 1),
	    NVME_STUB_QSIZE, un->pa[R_SQ], un->pa[R_CQ], un->pa[R_BUF],
	    NVME_STUB_BUF_SIZE, un->nsid, un->lba_size, un->nblocks) != 0) {
		op_detach(stub, unit);
		return -EIO;
	}
	return 0;
}

static int64_t
op_blk(void *stub, unsigned unit, struct proc *p, struct blk_io *io,
    unsigned n)
{
	struct nvme_stub *s = stub;

	return nvme_kq_run(&s->unit[unit].kq, p, io, n);
}

const struct capio_driver nvme_stub_driver = {
	.region_pa = op_region_pa,
	.attach = op_attach,
	.detach = op_detach,
	.info = op_info,
	.kpath_attach = op_kpath_attach,
	.flush = op_detach,	/* the claim ends: its queues go */
	.blk = op_blk,
};
