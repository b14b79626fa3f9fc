/*
 * nvme_mmio.c — BAR0: the controller registers (NVMe 1.4 §3.1), enabling
 * and disabling the controller (§7.6.1), shutdown notification (§7.6.2),
 * and the doorbells (§3.1.24-25).
 */
#include <stddef.h>

#include "dev/nvme_core.h"

/* CAP.TO: 500 ms units the host waits for RDY; this model is instant. */
#define CAP_TO	1u

static uint64_t
cap_value(void)
{
	return (uint64_t)NVME_MQES | NVME_CAP_CQR |
	    (uint64_t)CAP_TO << NVME_CAP_TO_SHIFT |
	    (uint64_t)0 << NVME_CAP_DSTRD_SHIFT | NVME_CAP_CSS_NVM |
	    (uint64_t)0 << NVME_CAP_MPSMIN_SHIFT |
	    (uint64_t)0 << NVME_CAP_MPSMAX_SHIFT;
}

void
nvme_regs_reset(struct nvme *n)
{
	/* A controller reset keeps AQA, ASQ and ACQ and resets every other
	 * register (§7.3.2), CC included. */
	n->cc = 0;
	n->csts = 0;
	n->intms = 0;
}

/* CC.EN 0 -> 1: check what the admin queues and CC say (§3.1.5, §3.1.8-
 * 10, §7.6.1); a bad value is a controller fatal status. */
static void
enable(struct nvme *n)
{
	uint32_t cc = n->cc;
	uint32_t asqs = NVME_AQA_ASQS(n->aqa), acqs = NVME_AQA_ACQS(n->aqa);
	bool ok = true;

	if (NVME_CC_CSS(cc) != 0 || NVME_CC_MPS(cc) != 0 ||
	    NVME_CC_AMS(cc) != 0)
		ok = false;
	/* Entry sizes may still be 0 here; Create I/O queue checks them. */
	if ((NVME_CC_IOSQES(cc) != 0 && NVME_CC_IOSQES(cc) != NVME_SQES_LOG2) ||
	    (NVME_CC_IOCQES(cc) != 0 && NVME_CC_IOCQES(cc) != NVME_CQES_LOG2))
		ok = false;
	/* Admin queues hold at least 2 entries (0's based sizes >= 1). Any
	 * page, page 0 too, may hold them (§3.1.9-10). */
	if (asqs < 1 || acqs < 1)
		ok = false;
	if (!ok) {
		n->csts = NVME_CSTS_CFS;
		n->cnt.enable_failures++;
		return;
	}
	nvme_queues_reset(n);
	n->sq[0] = (struct nvme_sq){ .live = true, .base = n->asq,
	    .size = asqs + 1, .cqid = 0 };
	n->cq[0] = (struct nvme_cq){ .live = true, .ien = true, .phase = true,
	    .base = n->acq, .size = acqs + 1, .nsq = 1 };
	n->csts = NVME_CSTS_RDY;
}

static void
shutdown(struct nvme *n)
{
	unsigned i;

	/* Normal or abrupt: what was written is made durable (§7.6.2). */
	for (i = 0; i < n->nns; i++)
		if (nvme_ns_flush(&n->ns[i]) != 0)
			n->cnt.host_io_errors++;
	n->csts = (n->csts & ~NVME_CSTS_SHST_MASK) | NVME_CSTS_SHST_DONE;
	n->cnt.shutdowns++;
}

static void
cc_write(struct nvme *n, uint32_t v)
{
	uint32_t old = n->cc;

	v &= NVME_CC_WMASK;
	n->cc = v;
	if ((old & NVME_CC_EN) && !(v & NVME_CC_EN)) {
		nvme_reset(n);
		return;
	}
	if (!(old & NVME_CC_EN) && (v & NVME_CC_EN))
		enable(n);
	if (NVME_CC_SHN(v) != 0 && NVME_CC_SHN(old) == 0)
		shutdown(n);
}

static void
doorbell(struct nvme *n, uint32_t off, uint32_t v)
{
	uint32_t idx = (off - NVME_DB_BASE) / 4;
	uint32_t qid = idx / 2;

	if ((n->csts & (NVME_CSTS_RDY | NVME_CSTS_CFS)) != NVME_CSTS_RDY ||
	    qid > n->max_ioq) {
		n->cnt.bad_doorbells++;
		return;
	}
	if ((idx & 1) == 0) {
		struct nvme_sq *sq = &n->sq[qid];

		/* §4.1: a tail at or past the queue's end is an invalid
		 * doorbell write value (reported by AER; here counted). */
		if (!sq->live || v >= sq->size) {
			n->cnt.bad_doorbells++;
			return;
		}
		sq->tail = v;
	} else {
		struct nvme_cq *cq = &n->cq[qid];
		uint32_t used, adv;

		if (!cq->live || v >= cq->size) {
			n->cnt.bad_doorbells++;
			return;
		}
		/* The new head may only consume posted entries. */
		used = (cq->tail + cq->size - cq->head) % cq->size;
		adv = (v + cq->size - cq->head) % cq->size;
		if (adv > used) {
			n->cnt.bad_doorbells++;
			return;
		}
		cq->head = v;
		nvme_update_irq(n);
	}
	/* New commands, or room for the completions of paused queues. */
	nvme_process(n);
}

static uint32_t
reg_read(struct nvme *n, uint32_t off)
{
	switch (off) {
	case NVME_CAP:
		return (uint32_t)cap_value();
	case NVME_CAP + 4:
		return (uint32_t)(cap_value() >> 32);
	case NVME_VS:
		return NVME_VS_1_4;
	case NVME_INTMS:
	case NVME_INTMC:
		return n->intms;
	case NVME_CC:
		return n->cc;
	case NVME_CSTS:
		return n->csts;
	case NVME_AQA:
		return n->aqa;
	case NVME_ASQ:
		return (uint32_t)n->asq;
	case NVME_ASQ + 4:
		return (uint32_t)(n->asq >> 32);
	case NVME_ACQ:
		return (uint32_t)n->acq;
	case NVME_ACQ + 4:
		return (uint32_t)(n->acq >> 32);
	default:
		/* Reserved registers and doorbells read 0. */
		return 0;
	}
}

static void
reg_write(struct nvme *n, uint32_t off, uint32_t v)
{
	if (off >= NVME_DB_BASE) {
		doorbell(n, off, v);
		return;
	}
	switch (off) {
	case NVME_INTMS:
		n->intms |= v;
		nvme_update_irq(n);
		break;
	case NVME_INTMC:
		n->intms &= ~v;
		nvme_update_irq(n);
		break;
	case NVME_CC:
		cc_write(n, v);
		break;
	case NVME_AQA:
		n->aqa = v & 0x0FFF0FFFu;
		break;
	case NVME_ASQ:
		n->asq = (n->asq & ~0xFFFFFFFFull) | (v & 0xFFFFF000u);
		break;
	case NVME_ASQ + 4:
		n->asq = (n->asq & 0xFFFFFFFFull) | (uint64_t)v << 32;
		break;
	case NVME_ACQ:
		n->acq = (n->acq & ~0xFFFFFFFFull) | (v & 0xFFFFF000u);
		break;
	case NVME_ACQ + 4:
		n->acq = (n->acq & 0xFFFFFFFFull) | (uint64_t)v << 32;
		break;
	default:
		/* CAP, VS, CSTS are read-only; NSSR unsupported (CAP.NSSRS
		 * clear); the rest is reserved. */
		break;
	}
}

/*
 * 4-byte accesses at 4-aligned offsets are one register access; 8-byte
 * accesses at 8-aligned offsets two, low word first (CAP, ASQ, ACQ). A
 * 1- or 2-byte read inside a register returns those bytes; every other
 * access reads 0, writes nothing, and is counted in bad_mmio.
 */
static uint64_t
nvme_mmio_read(void *dev, uint64_t off, unsigned size)
{
	struct nvme *n = dev;
	uint32_t v;

	if (off >= NVME_BAR0_SIZE || size > NVME_BAR0_SIZE - off)
		goto bad;
	if (size == 8 && (off & 7) == 0)
		return (uint64_t)reg_read(n, (uint32_t)off) |
		    (uint64_t)reg_read(n, (uint32_t)off + 4) << 32;
	if ((size == 4 && (off & 3) == 0) || ((size == 1 || size == 2) &&
	    (off & 3) + size <= 4 && (off & (size - 1)) == 0)) {
		v = reg_read(n, (uint32_t)off & ~3u);
		v >>= 8 * (off & 3);
		return size == 4 ? v : v & ((1u << (8 * size)) - 1);
	}
bad:
	n->cnt.bad_mmio++;
	return 0;
}

static void
nvme_mmio_write(void *dev, uint64_t off, uint64_t val, unsigned size)
{
	struct nvme *n = dev;

	if (off >= NVME_BAR0_SIZE || size > NVME_BAR0_SIZE - off)
		goto bad;
	if (size == 8 && (off & 7) == 0 && off < NVME_DB_BASE) {
		reg_write(n, (uint32_t)off, (uint32_t)val);
		reg_write(n, (uint32_t)off + 4, (uint32_t)(val >> 32));
		return;
	}
	if (size == 4 && (off & 3) == 0) {
		reg_write(n, (uint32_t)off, (uint32_t)val);
		return;
	}
bad:
	n->cnt.bad_mmio++;
}

/* §3.1.24-25: SQ y Tail Doorbell, CQ y Head Doorbell, y = 0..64. */
#define DB(y)		"SQ" #y "TDBL", "CQ" #y "HDBL"
#define DB10(d)		DB(d##0), DB(d##1), DB(d##2), DB(d##3), DB(d##4), \
			DB(d##5), DB(d##6), DB(d##7), DB(d##8), DB(d##9)
static const char *const db_names[] = {
	DB(0), DB(1), DB(2), DB(3), DB(4), DB(5), DB(6), DB(7), DB(8), DB(9),
	DB10(1), DB10(2), DB10(3), DB10(4), DB10(5),
	DB(60), DB(61), DB(62), DB(63), DB(64),
};
_Static_assert(sizeof(db_names) / sizeof(db_names[0]) ==
    2 * (NVME_MAX_IOQ + 1), "a doorbell pair per queue");

const char *
nvme_reg_name(uint64_t off)
{
	if (off >= NVME_DB_BASE && off < NVME_BAR0_SIZE) {
		uint64_t i = (off - NVME_DB_BASE) / 4;

		return i < sizeof(db_names) / sizeof(db_names[0]) ?
		    db_names[i] : NULL;
	}
	switch (off & ~3ull) {
	case NVME_CAP:
	case NVME_CAP + 4:
		return "CAP";
	case NVME_VS:
		return "VS";
	case NVME_INTMS:
		return "INTMS";
	case NVME_INTMC:
		return "INTMC";
	case NVME_CC:
		return "CC";
	case NVME_CSTS:
		return "CSTS";
	case NVME_NSSR:
		return "NSSR";
	case NVME_AQA:
		return "AQA";
	case NVME_ASQ:
	case NVME_ASQ + 4:
		return "ASQ";
	case NVME_ACQ:
	case NVME_ACQ + 4:
		return "ACQ";
	default:
		return NULL;
	}
}

static const char *
mmio_reg_name(void *dev, uint64_t off)
{
	(void)dev;
	return nvme_reg_name(off);
}

const struct mmio_ops nvme_mmio_ops = {
	.read = nvme_mmio_read,
	.write = nvme_mmio_write,
	.reg_name = mmio_reg_name,
};
