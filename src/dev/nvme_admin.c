/*
 * nvme_admin.c — the admin command set (NVMe 1.4 §5): I/O queue creation
 * and deletion (physically contiguous queues only, CAP.CQR = 1), Identify
 * (CNS 00h-03h), Get Log Page (Error Information, SMART / Health,
 * Firmware Slot), Get and Set Features, Abort, Asynchronous Event Request.
 */
#include <stdio.h>
#include <string.h>

#include "dev/nvme_core.h"

#define NSID_ALL	0xFFFFFFFFu
#define PAGE_MASK	((uint64_t)NVME_PAGE - 1)

static void
put_str(uint8_t *p, const char *s, size_t width)
{
	size_t len = strlen(s);

	/* Identify strings are ASCII, space padded, not terminated. */
	memset(p, ' ', width);
	memcpy(p, s, len < width ? len : width);
}

/* §5.5 Create I/O Completion Queue. */
static uint16_t
create_cq(struct nvme *n, const struct nvme_cmd *c)
{
	uint32_t qid = c->cdw[10] & 0xFFFF, size = (c->cdw[10] >> 16) + 1;
	uint32_t iv = c->cdw[11] >> 16;
	struct nvme_cq *cq;

	if (qid == 0 || qid > n->ncqa || n->cq[qid].live)
		return NVME_SC_INVALID_QID;
	if (size < 2 || size > NVME_MQES + 1)
		return NVME_SC_INVALID_QSIZE;
	/* CAP.CQR: PRP-list queues are not supported. */
	if (!(c->cdw[11] & 1) || (c->prp1 & PAGE_MASK) ||
	    NVME_CC_IOCQES(n->cc) != NVME_CQES_LOG2)
		return NVME_SC_INVALID_FIELD;
	/* Pin-based interrupts: one vector (§7.5.1); MSI-X: as many as the
	 * function's table holds. */
	if (iv >= n->nvectors)
		return NVME_SC_INVALID_IV;
	cq = &n->cq[qid];
	memset(cq, 0, sizeof(*cq));
	cq->live = true;
	cq->ien = (c->cdw[11] & 2) != 0;
	cq->phase = true;
	cq->base = c->prp1;
	cq->size = size;
	cq->iv = (uint16_t)iv;
	return NVME_SC_SUCCESS;
}

/* §5.4 Create I/O Submission Queue. */
static uint16_t
create_sq(struct nvme *n, const struct nvme_cmd *c)
{
	uint32_t qid = c->cdw[10] & 0xFFFF, size = (c->cdw[10] >> 16) + 1;
	uint32_t cqid = c->cdw[11] >> 16;
	struct nvme_sq *sq;

	if (qid == 0 || qid > n->nsqa || n->sq[qid].live)
		return NVME_SC_INVALID_QID;
	if (size < 2 || size > NVME_MQES + 1)
		return NVME_SC_INVALID_QSIZE;
	if (!(c->cdw[11] & 1) || (c->prp1 & PAGE_MASK) ||
	    NVME_CC_IOSQES(n->cc) != NVME_SQES_LOG2)
		return NVME_SC_INVALID_FIELD;
	if (cqid == 0 || cqid > n->max_ioq || !n->cq[cqid].live)
		return NVME_SC_CQ_INVALID;
	sq = &n->sq[qid];
	memset(sq, 0, sizeof(*sq));
	sq->live = true;
	sq->base = c->prp1;
	sq->size = size;
	sq->cqid = (uint16_t)cqid;
	n->cq[cqid].nsq++;
	return NVME_SC_SUCCESS;
}

/* §5.6 Delete I/O Submission Queue: nothing is outstanding (commands
 * complete synchronously), so nothing is aborted. */
static uint16_t
delete_sq(struct nvme *n, const struct nvme_cmd *c)
{
	uint32_t qid = c->cdw[10] & 0xFFFF;

	if (qid == 0 || qid > n->max_ioq || !n->sq[qid].live)
		return NVME_SC_INVALID_QID;
	n->cq[n->sq[qid].cqid].nsq--;
	memset(&n->sq[qid], 0, sizeof(n->sq[qid]));
	return NVME_SC_SUCCESS;
}

/* §5.7 Delete I/O Completion Queue: its submission queues go first. */
static uint16_t
delete_cq(struct nvme *n, const struct nvme_cmd *c)
{
	uint32_t qid = c->cdw[10] & 0xFFFF;

	if (qid == 0 || qid > n->max_ioq || !n->cq[qid].live)
		return NVME_SC_INVALID_QID;
	if (n->cq[qid].nsq > 0)
		return NVME_SC_INVALID_QUEUE_DELETION;
	memset(&n->cq[qid], 0, sizeof(n->cq[qid]));
	nvme_update_irq(n);
	return NVME_SC_SUCCESS;
}

static void
nguid(const struct nvme *n, uint32_t nsid, uint8_t *p)
{
	uint64_t h = 1469598103934665603ull;
	const char *s;

	/* Stable per serial and NSID (FNV-1a), non-zero. */
	for (s = n->serial; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 1099511628211ull;
	nvme_put64(p, h);
	nvme_put64(p + 8, (uint64_t)nsid << 32 | 0xCA9105u);
}

static void
id_ctrl(struct nvme *n, uint8_t *d)
{
	char nqn[64];

	nvme_put16(d + NVME_IDC_VID, NVME_VENDOR_ID);
	nvme_put16(d + NVME_IDC_SSVID, NVME_VENDOR_ID);
	put_str(d + NVME_IDC_SN, n->serial, 20);
	put_str(d + NVME_IDC_MN, "capio NVMe", 40);
	put_str(d + NVME_IDC_FR, "1.0", 8);
	d[NVME_IDC_RAB] = 6;
	d[NVME_IDC_MDTS] = NVME_MDTS_LOG2;
	nvme_put32(d + NVME_IDC_VER, NVME_VS_1_4);
	/* 1.4 controllers report their type (0h is reserved). */
	d[NVME_IDC_CNTRLTYPE] = 1;
	d[NVME_IDC_ACL] = 3;			/* 4 Aborts */
	d[NVME_IDC_AERL] = NVME_AERL;
	d[NVME_IDC_FRMW] = 0x03;		/* one read-only slot */
	d[NVME_IDC_LPA] = 0x04;			/* extended Get Log Page */
	d[NVME_IDC_ELPE] = NVME_ERRLOG - 1;
	/* Warning and critical composite temperatures: non-zero since 1.2;
	 * the warning one is the Temperature Threshold feature's default. */
	nvme_put16(d + NVME_IDC_WCTEMP, NVME_TEMP_WARN);
	nvme_put16(d + NVME_IDC_CCTEMP, NVME_TEMP_CRIT);
	d[NVME_IDC_SQES] = NVME_SQES_LOG2 << 4 | NVME_SQES_LOG2;
	d[NVME_IDC_CQES] = NVME_CQES_LOG2 << 4 | NVME_CQES_LOG2;
	nvme_put32(d + NVME_IDC_NN, n->nns);
	nvme_put16(d + NVME_IDC_ONCS, NVME_ONCS_DSM | NVME_ONCS_WRITE_ZEROES);
	/* Volatile write cache present; Flush to NSID FFFFFFFFh allowed. */
	d[NVME_IDC_VWC] = 0x07;
	snprintf(nqn, sizeof(nqn), "nqn.2019-08.org.capio:nvme:%s",
	    n->serial);
	memcpy(d + NVME_IDC_SUBNQN, nqn, strlen(nqn));
	/* Power state 0: 25 W max (centiwatts), the only state. */
	nvme_put16(d + 2048, 2500);
}

static void
id_ns(struct nvme *n, uint32_t nsid, uint8_t *d)
{
	const struct nvme_ns *ns = &n->ns[nsid - 1];

	nvme_put64(d + NVME_IDNS_NSZE, ns->nblocks);
	nvme_put64(d + NVME_IDNS_NCAP, ns->nblocks);
	nvme_put64(d + NVME_IDNS_NUSE, ns->nblocks);
	d[NVME_IDNS_NLBAF] = 0;			/* one format */
	d[NVME_IDNS_FLBAS] = 0;
	/* Deallocated blocks read zeroes; Write Zeroes may deallocate. */
	d[NVME_IDNS_DLFEAT] = 0x09;
	nguid(n, nsid, d + NVME_IDNS_NGUID);
	d[NVME_IDNS_LBAF0 + 2] = ns->lbads;
}

/* §5.15 Identify. */
static uint16_t
identify(struct nvme *n, const struct nvme_cmd *c)
{
	uint8_t *d = n->buf;
	uint32_t i, k;

	memset(d, 0, NVME_IDENTIFY_SIZE);
	switch (c->cdw[10] & 0xFF) {
	case NVME_CNS_NS:
		if (c->nsid < 1 || c->nsid > n->nns)
			return NVME_SC_INVALID_NS;
		id_ns(n, c->nsid, d);
		break;
	case NVME_CNS_CTRL:
		id_ctrl(n, d);
		break;
	case NVME_CNS_NS_ACTIVE_LIST:
		if (c->nsid >= 0xFFFFFFFEu)
			return NVME_SC_INVALID_NS;
		for (i = c->nsid + 1, k = 0; i <= n->nns; i++, k++)
			nvme_put32(d + 4 * k, i);
		break;
	case NVME_CNS_NS_DESC_LIST:
		if (c->nsid < 1 || c->nsid > n->nns)
			return NVME_SC_INVALID_NS;
		d[0] = 2;			/* NIDT: NGUID */
		d[1] = 16;			/* NIDL */
		nguid(n, c->nsid, d + 4);
		break;
	default:
		return NVME_SC_INVALID_FIELD;
	}
	return nvme_prp_xfer(n, c->prp1, c->prp2, d, NVME_IDENTIFY_SIZE,
	    true);
}

static void
put128(uint8_t *p, uint64_t v)
{
	nvme_put64(p, v);
	nvme_put64(p + 8, 0);
}

/* Build log LID into d (at most 1 KiB); its size, or 0 if unsupported. */
static size_t
build_log(struct nvme *n, uint8_t lid, uint8_t *d)
{
	unsigned i;

	switch (lid) {
	case NVME_LOG_ERROR:
		/* §5.14.1.1: newest first; error count 0 means empty. */
		for (i = 0; i < NVME_ERRLOG; i++) {
			const struct nvme_err_entry *e =
			    &n->errlog[NVME_ERRLOG - 1 - i];
			uint8_t *p = d + i * NVME_LOG_ERROR_ENTRY;

			if (e->count == 0)
				break;
			nvme_put64(p, e->count);
			nvme_put16(p + 8, e->sqid);
			nvme_put16(p + 10, e->cid);
			nvme_put16(p + 12, (uint16_t)(e->status << 1));
			nvme_put16(p + 14, 0xFFFF);	/* location unknown */
			nvme_put32(p + 24, e->nsid);
		}
		return NVME_ERRLOG * NVME_LOG_ERROR_ENTRY;
	case NVME_LOG_SMART:
		/* §5.14.1.2: data units are 1000 x 512 bytes, rounded up. */
		nvme_put16(d + 1, 313);		/* composite temp, K */
		d[3] = 100;			/* available spare % */
		d[4] = 10;			/* spare threshold */
		put128(d + 32, (n->units_read / 512 + 999) / 1000);
		put128(d + 48, (n->units_written / 512 + 999) / 1000);
		put128(d + 64, n->host_reads);
		put128(d + 80, n->host_writes);
		put128(d + 112, 1);		/* power cycles */
		put128(d + 160, n->cnt.host_io_errors);
		put128(d + 176, n->err_count);
		return NVME_LOG_PAGE_SIZE;
	case NVME_LOG_FW_SLOT:
		d[0] = 1;			/* slot 1 active */
		put_str(d + 8, "1.0", 8);
		return NVME_LOG_PAGE_SIZE;
	default:
		return 0;
	}
}

/* §5.14 Get Log Page: NUMD dwords from byte offset LPO. */
static uint16_t
get_log_page(struct nvme *n, const struct nvme_cmd *c)
{
	uint8_t log[NVME_ERRLOG * NVME_LOG_ERROR_ENTRY];
	uint8_t lid = c->cdw[10] & 0xFF;
	uint64_t numd = ((uint64_t)(c->cdw[11] & 0xFFFF) << 16 |
	    c->cdw[10] >> 16) + 1;
	uint64_t lpo = (uint64_t)c->cdw[13] << 32 | c->cdw[12];
	size_t size, len = (size_t)(numd * 4);

	memset(log, 0, sizeof(log));
	if ((size = build_log(n, lid, log)) == 0)
		return NVME_SC_INVALID_LOG_PAGE;
	/* Controller-wide logs only (LPA bit 0 clear). */
	if (c->nsid != 0 && c->nsid != NSID_ALL)
		return NVME_SC_INVALID_FIELD;
	if ((lpo & 3) || lpo >= size || len > NVME_MAX_XFER)
		return NVME_SC_INVALID_FIELD;
	memset(n->buf, 0, len);
	memcpy(n->buf, log + lpo, size - lpo < len ? size - lpo : len);
	return nvme_prp_xfer(n, c->prp1, c->prp2, n->buf, len, true);
}

/* §5.21 Set Features. */
static uint16_t
set_features(struct nvme *n, struct nvme_cmd *c)
{
	uint8_t fid = c->cdw[10] & 0xFF;
	uint32_t v = c->cdw[11];
	unsigned q, nsq, ncq;

	if (c->cdw[10] & (1u << 31))
		return NVME_SC_FEAT_NOT_SAVEABLE;
	switch (fid) {
	case NVME_FEAT_ARBITRATION:
		n->feat[fid] = v & 0xFFFFFF07u;
		break;
	case NVME_FEAT_POWER_MGMT:
		if (v & 0x1F)			/* NPSS = 0: PS0 only */
			return NVME_SC_INVALID_FIELD;
		n->feat[fid] = v & 0xE0;
		break;
	case NVME_FEAT_TEMP_THRESH:
		/* Composite temperature (TMPSEL 0), over or under. */
		if (((v >> 16) & 0xF) != 0 || ((v >> 20) & 3) > 1)
			return NVME_SC_INVALID_FIELD;
		if ((v >> 20) & 1)
			n->temp_under = v & 0xFFFF;
		else
			n->feat[fid] = v & 0xFFFF;
		break;
	case NVME_FEAT_ERROR_RECOVERY:
		if (v & (1u << 16))		/* DULBE: NSFEAT bit 2 clear */
			return NVME_SC_INVALID_FIELD;
		n->feat[fid] = v & 0xFFFF;
		break;
	case NVME_FEAT_VWC:
	case NVME_FEAT_WRITE_ATOMIC:
		n->feat[fid] = v & 1;
		break;
	case NVME_FEAT_NUM_QUEUES:
		if ((v & 0xFFFF) == 0xFFFF || (v >> 16) == 0xFFFF)
			return NVME_SC_INVALID_FIELD;
		for (q = 1; q <= n->max_ioq; q++)
			if (n->sq[q].live || n->cq[q].live)
				return NVME_SC_CMD_SEQ_ERROR;
		nsq = (v & 0xFFFF) + 1;
		ncq = (v >> 16) + 1;
		n->nsqa = nsq < n->max_ioq ? nsq : n->max_ioq;
		n->ncqa = ncq < n->max_ioq ? ncq : n->max_ioq;
		c->dw0 = (uint32_t)(n->ncqa - 1) << 16 | (n->nsqa - 1);
		break;
	case NVME_FEAT_IRQ_COALESCE:
		n->feat[fid] = v & 0xFFFF;
		break;
	case NVME_FEAT_IRQ_CONFIG:
		if ((v & 0xFFFF) >= n->nvectors)
			return NVME_SC_INVALID_FIELD;
		n->feat[fid] = v & 0x10000;
		break;
	case NVME_FEAT_ASYNC_EVENT:
		n->feat[fid] = v;
		break;
	default:
		return NVME_SC_INVALID_FIELD;
	}
	return NVME_SC_SUCCESS;
}

/* §5.9 Get Features; SEL 00b current, 01b default, 10b saved (the
 * default: nothing is saveable), 11b capabilities (changeable). */
static uint16_t
get_features(struct nvme *n, struct nvme_cmd *c)
{
	uint8_t fid = c->cdw[10] & 0xFF;
	unsigned sel = (c->cdw[10] >> 8) & 7;
	bool cur = sel == 0;

	if (sel > 3)
		return NVME_SC_INVALID_FIELD;
	switch (fid) {
	case NVME_FEAT_ARBITRATION:
	case NVME_FEAT_POWER_MGMT:
	case NVME_FEAT_ERROR_RECOVERY:
	case NVME_FEAT_IRQ_COALESCE:
	case NVME_FEAT_WRITE_ATOMIC:
	case NVME_FEAT_ASYNC_EVENT:
		c->dw0 = cur ? n->feat[fid] : 0;
		break;
	case NVME_FEAT_VWC:
		c->dw0 = cur ? n->feat[fid] : 1;
		break;
	case NVME_FEAT_TEMP_THRESH:
		if (((c->cdw[11] >> 16) & 0xF) != 0 ||
		    ((c->cdw[11] >> 20) & 3) > 1)
			return NVME_SC_INVALID_FIELD;
		if ((c->cdw[11] >> 20) & 1)
			c->dw0 = cur ? n->temp_under : 0;
		else
			c->dw0 = cur ? n->feat[fid] : NVME_TEMP_WARN;
		break;
	case NVME_FEAT_NUM_QUEUES:
		c->dw0 = cur ? (uint32_t)(n->ncqa - 1) << 16 | (n->nsqa - 1) :
		    (uint32_t)(n->max_ioq - 1) << 16 | (n->max_ioq - 1);
		break;
	case NVME_FEAT_IRQ_CONFIG:
		if ((c->cdw[11] & 0xFFFF) >= n->nvectors)
			return NVME_SC_INVALID_FIELD;
		/* §5.21.1.9: IV 15:0 is the vector asked about; one CD bit
		 * is kept for all of them. */
		c->dw0 = (cur ? n->feat[fid] : 0) | (c->cdw[11] & 0xFFFF);
		break;
	default:
		return NVME_SC_INVALID_FIELD;
	}
	if (sel == 3)
		c->dw0 = 0x4;			/* changeable, not saveable */
	return NVME_SC_SUCCESS;
}

uint16_t
nvme_admin_exec(struct nvme *n, struct nvme_cmd *c)
{
	if (c->flags & 0xC3)		/* no fused commands, no SGLs */
		return NVME_SC_INVALID_FIELD;
	switch (c->opc) {
	case NVME_ADM_DELETE_SQ:
		return delete_sq(n, c);
	case NVME_ADM_CREATE_SQ:
		return create_sq(n, c);
	case NVME_ADM_GET_LOG_PAGE:
		return get_log_page(n, c);
	case NVME_ADM_DELETE_CQ:
		return delete_cq(n, c);
	case NVME_ADM_CREATE_CQ:
		return create_cq(n, c);
	case NVME_ADM_IDENTIFY:
		return identify(n, c);
	case NVME_ADM_ABORT:
		/* §5.1: commands complete before the Abort is fetched, so
		 * none is ever aborted (DW0 bit 0 set). */
		c->dw0 = 1;
		return NVME_SC_SUCCESS;
	case NVME_ADM_SET_FEATURES:
		return set_features(n, c);
	case NVME_ADM_GET_FEATURES:
		return get_features(n, c);
	case NVME_ADM_ASYNC_EVENT:
		/* §5.2: held until an event that never comes (none are
		 * generated); a controller reset retires them. */
		if (n->aer_outstanding >= NVME_AERL + 1)
			return NVME_SC_AER_LIMIT;
		n->aer_outstanding++;
		c->no_completion = true;
		return NVME_SC_SUCCESS;
	case NVME_ADM_CAPIO_BIND_QUEUE:
		return nvme_bind_queue(n, c);
	default:
		return NVME_SC_INVALID_OPCODE;
	}
}
