/*
 * nvme.c — the NVMe controller's life cycle (creation, controller reset),
 * the INTx line, and command processing: entries fetched from a
 * submission queue between head and tail (NVMe 1.4 §4.1), executed, and
 * their completions posted with the phase tag (§4.6).
 *
 * One pass runs each submission queue for at most its size in entries: a
 * hostile tail cannot make a doorbell loop. A queue whose completion
 * queue is full waits (its head stays) until the host frees a slot with
 * the CQ head doorbell. A fault fetching an entry or posting a completion
 * cannot be reported in a completion queue, so it is a controller fatal
 * status (CSTS.CFS, §3.1.6) until the next reset.
 */
#include "dev/nvme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/nvme_core.h"
#include "machine/iommu.h"

static void
seterr(char *err, size_t errlen, const char *msg)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s", msg);
}

struct nvme *
nvme_new(const char *name, const struct nvme_config *cfg, struct iommu *dma,
    char *err, size_t errlen)
{
	struct nvme *n;
	unsigned i;

	if (name == NULL || cfg == NULL || dma == NULL) {
		seterr(err, errlen, "nvme: missing name, config or IOMMU");
		return NULL;
	}
	if (cfg->nqueues < 1 || cfg->nqueues > NVME_MAX_IOQ) {
		seterr(err, errlen, "nvme: nqueues must be 1..64");
		return NULL;
	}
	if (cfg->nnamespaces < 1 || cfg->nnamespaces > NVME_MAX_NS) {
		seterr(err, errlen, "nvme: nnamespaces must be 1..16");
		return NULL;
	}
	if (cfg->queue_isolation) {
		for (i = 1; i <= cfg->nqueues; i++)
			if (cfg->queue_dma == NULL || cfg->queue_dma[i] == NULL)
				break;
		if (i <= cfg->nqueues) {
			seterr(err, errlen, "nvme: queue isolation needs a DMA "
			    "context for every I/O queue");
			return NULL;
		}
	}
	if ((n = calloc(1, sizeof(*n))) == NULL) {
		seterr(err, errlen, "nvme: out of memory");
		return NULL;
	}
	for (i = 0; i < NVME_MAX_NS; i++)
		n->ns[i].fd = -1;
	if ((n->name = strdup(name)) == NULL) {
		free(n);
		seterr(err, errlen, "nvme: out of memory");
		return NULL;
	}
	/* Identify's SN is 20 ASCII bytes, space padded (§5.15.2.2). */
	snprintf(n->serial, sizeof(n->serial), "%s",
	    cfg->serial != NULL ? cfg->serial : name);
	n->dma = n->xfer = dma;
	n->max_ioq = cfg->nqueues;
	n->nvectors = 1;
	n->isolated = cfg->queue_isolation;
	for (i = 1; n->isolated && i <= cfg->nqueues; i++)
		n->qdma[i] = cfg->queue_dma[i];
	for (i = 0; i < cfg->nnamespaces; i++) {
		if (nvme_ns_open(&n->ns[i], &cfg->namespaces[i], err,
		    errlen) != 0) {
			nvme_free(n);
			return NULL;
		}
		n->nns++;
	}
	nvme_reset(n);
	n->cnt.resets = 0;
	return n;
}

void
nvme_free(struct nvme *n)
{
	unsigned i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nns; i++)
		nvme_ns_close(&n->ns[i]);
	free(n->name);
	free(n);
}

const char *
nvme_name(const struct nvme *n)
{
	return n->name;
}

void
nvme_queues_reset(struct nvme *n)
{
	memset(n->sq, 0, sizeof(n->sq));
	memset(n->cq, 0, sizeof(n->cq));
	n->nsqa = n->ncqa = n->max_ioq;
	n->aer_outstanding = 0;
	memset(n->qnsid, 0, sizeof(n->qnsid));
	memset(n->feat, 0, sizeof(n->feat));
	/* Volatile write cache on after reset (§5.21.1.6). */
	n->feat[NVME_FEAT_VWC] = 1;
	/* Temperature threshold: over-temperature at WCTEMP (§5.21.1.4). */
	n->feat[NVME_FEAT_TEMP_THRESH] = NVME_TEMP_WARN;
}

void
nvme_reset(struct nvme *n)
{
	n->generation++;
	n->cnt.resets++;
	nvme_regs_reset(n);
	nvme_queues_reset(n);
	nvme_update_irq(n);
}

int
nvme_ns_set_ready(struct nvme *n, uint32_t nsid, bool ready)
{
	if (n == NULL || nsid < 1 || nsid > n->nns)
		return -1;
	n->ns[nsid - 1].ready = ready;
	return 0;
}

void
nvme_update_irq(struct nvme *n)
{
	bool level = false;
	unsigned q;

	/* §7.5.1: pin-based, one vector; INTMS masks it. With messages
	 * (§7.5.2) the pin is not used. */
	for (q = 0; q < NVME_NQ && !level && n->msi_fn == NULL; q++) {
		const struct nvme_cq *cq = &n->cq[q];

		if (cq->live && cq->ien && cq->head != cq->tail &&
		    !(n->intms & (1u << (cq->iv & 31))))
			level = true;
	}
	if (level == n->irq)
		return;
	n->irq = level;
	if (level)
		n->cnt.irq_raised++;
	if (n->irq_fn != NULL)
		n->irq_fn(n->irq_owner, level);
}

void
nvme_set_msi_handler(struct nvme *n, void (*fn)(void *, unsigned),
    void *owner, unsigned nvectors)
{
	n->msi_fn = fn;
	n->msi_owner = owner;
	n->nvectors = 1;
	if (fn != NULL && nvectors > 1)
		n->nvectors = nvectors < NVME_MAX_VECTORS ? nvectors :
		    NVME_MAX_VECTORS;
	nvme_update_irq(n);
}

bool
nvme_irq_level(const struct nvme *n)
{
	return n->irq;
}

void
nvme_set_irq_handler(struct nvme *n, void (*fn)(void *, bool), void *owner)
{
	n->irq_fn = fn;
	n->irq_owner = owner;
}

void
nvme_get_counters(const struct nvme *n, struct nvme_counters *c)
{
	*c = n->cnt;
}

int
nvme_queue_state(const struct nvme *n, unsigned qid,
    struct nvme_queue_state *q)
{
	if (qid >= NVME_NQ)
		return -1;
	q->sq_live = n->sq[qid].live;
	q->cq_live = n->cq[qid].live;
	q->sq_head = n->sq[qid].head;
	q->sq_tail = n->sq[qid].tail;
	q->cq_head = n->cq[qid].head;
	q->cq_tail = n->cq[qid].tail;
	return 0;
}

static void
fatal(struct nvme *n)
{
	n->csts |= NVME_CSTS_CFS;
	n->cnt.fatal++;
}

/* Retrying helps only for transient errors and for a deletion refused
 * while SQs use the CQ (it succeeds once they are gone): the rest say Do
 * Not Retry (§4.6.1.2). */
static uint16_t
with_dnr(uint16_t status)
{
	if (status == NVME_SC_SUCCESS || status == NVME_SC_DATA_XFER_ERROR ||
	    status == NVME_SC_NS_NOT_READY || status == NVME_SC_INTERNAL ||
	    status == NVME_SC_INVALID_QUEUE_DELETION)
		return status;
	return (uint16_t)(status | NVME_STATUS_DNR);
}

static void
log_error(struct nvme *n, const struct nvme_cmd *c, uint16_t status)
{
	struct nvme_err_entry *e;

	n->cnt.cmd_errors++;
	n->err_count++;
	memmove(&n->errlog[0], &n->errlog[1],
	    sizeof(n->errlog) - sizeof(n->errlog[0]));
	e = &n->errlog[NVME_ERRLOG - 1];
	e->count = n->err_count;
	e->sqid = c->sqid;
	e->cid = c->cid;
	e->status = status;
	e->nsid = c->nsid;
}

/* Post one completion (§4.6) to CQ cqid; false if it could not be. */
static bool
post(struct nvme *n, struct nvme_cq *cq, const struct nvme_cmd *c,
    uint32_t sqhd, uint16_t status)
{
	uint8_t e[NVME_CQE_SIZE];

	memset(e, 0, sizeof(e));
	nvme_put32(e + NVME_CQE_DW0, c->dw0);
	nvme_put16(e + NVME_CQE_SQHD, (uint16_t)sqhd);
	nvme_put16(e + NVME_CQE_SQID, c->sqid);
	nvme_put16(e + NVME_CQE_CID, c->cid);
	nvme_put16(e + NVME_CQE_STATUS,
	    (uint16_t)(with_dnr(status) << 1 | (cq->phase ? 1 : 0)));
	if (dma_write(nvme_queue_dma(n, (unsigned)(cq - n->cq)), cq->base +
	    (uint64_t)cq->tail * NVME_CQE_SIZE, e, sizeof(e)) != 0) {
		n->cnt.dma_faults++;
		fatal(n);
		return false;
	}
	/* The phase tag inverts on every pass through the queue (§4.6). */
	if (++cq->tail == cq->size) {
		cq->tail = 0;
		cq->phase = !cq->phase;
	}
	return true;
}

static void
parse(const uint8_t *e, uint16_t sqid, struct nvme_cmd *c)
{
	unsigned i;

	memset(c, 0, sizeof(*c));
	c->opc = e[NVME_SQE_OPC];
	c->flags = e[NVME_SQE_FLAGS];
	c->cid = (uint16_t)(e[NVME_SQE_CID] | e[NVME_SQE_CID + 1] << 8);
	c->nsid = nvme_le32(e + NVME_SQE_NSID);
	c->prp1 = nvme_le64(e + NVME_SQE_PRP1);
	c->prp2 = nvme_le64(e + NVME_SQE_PRP2);
	for (i = 10; i < 16; i++)
		c->cdw[i] = nvme_le32(e + NVME_SQE_CDW(i));
	c->sqid = sqid;
}

static bool
running(const struct nvme *n)
{
	return (n->csts & (NVME_CSTS_RDY | NVME_CSTS_CFS)) == NVME_CSTS_RDY;
}

/* Run submission queue qid for at most its size in entries. */
static void
sq_run(struct nvme *n, unsigned qid)
{
	uint64_t gen = n->generation;
	uint8_t e[NVME_SQE_SIZE];
	struct nvme_cmd c;
	uint32_t budget;
	uint16_t st;

	budget = n->sq[qid].size;
	while (budget-- > 0 && n->generation == gen && running(n)) {
		struct nvme_sq *sq = &n->sq[qid];
		struct nvme_cq *cq;

		if (!sq->live || sq->head == sq->tail)
			return;
		cq = &n->cq[sq->cqid];
		if ((cq->tail + 1) % cq->size == cq->head) {
			n->cnt.cq_full++;
			return;
		}
		/* The entry and the command's data: queue qid's DMA. */
		n->xfer = nvme_queue_dma(n, qid);
		if (dma_read(n->xfer, sq->base + (uint64_t)sq->head *
		    NVME_SQE_SIZE, e, sizeof(e)) != 0) {
			n->cnt.dma_faults++;
			fatal(n);
			return;
		}
		sq->head = (sq->head + 1) % sq->size;
		parse(e, (uint16_t)qid, &c);
		if (qid == 0) {
			n->cnt.admin_cmds++;
			st = nvme_admin_exec(n, &c);
		} else {
			n->cnt.io_cmds++;
			st = nvme_io_exec(n, &c);
		}
		if (st != NVME_SC_SUCCESS)
			log_error(n, &c, with_dnr(st));
		if (c.no_completion)
			continue;
		/* The command may have deleted queues; SQ 0 and its CQ stay. */
		if (!n->sq[qid].live || !cq->live)
			continue;
		if (!post(n, cq, &c, n->sq[qid].head, st))
			return;
		nvme_update_irq(n);
		if (n->msi_fn != NULL && cq->ien)
			n->msi_fn(n->msi_owner, cq->iv);
	}
}

void
nvme_process(struct nvme *n)
{
	unsigned pass, q;

	if (n->busy) {
		n->kick = true;
		return;
	}
	n->busy = true;
	/* Doorbells rung from the interrupt callback ask for another pass;
	 * a bounded number of them. */
	for (pass = 0; pass < 4; pass++) {
		n->kick = false;
		for (q = 0; q <= n->max_ioq; q++)
			sq_run(n, q);
		if (!n->kick)
			break;
	}
	n->busy = false;
}
