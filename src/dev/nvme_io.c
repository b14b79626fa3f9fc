/*
 * nvme_io.c — the NVM command set (NVMe 1.4 §6): Flush, Write, Read,
 * Write Zeroes and Dataset Management (deallocate). Data moves between
 * the host's PRP pages and the namespace through one bounce buffer of
 * MDTS bytes: a Write reads every host page before the namespace changes,
 * so a DMA fault leaves the namespace as it was.
 */
#include <string.h>

#include "dev/nvme_core.h"

#define NSID_ALL	0xFFFFFFFFu
#define CDW12_FUA	(1u << 30)

/* The namespace command C names, or NULL with *st set (§6.1: Invalid
 * Namespace or Format for an NSID that is not active, or under queue
 * isolation not its queue's; Namespace Not Ready). */
static struct nvme_ns *
ns_get(struct nvme *n, const struct nvme_cmd *c, uint16_t *st)
{
	struct nvme_ns *ns;

	if (c->nsid < 1 || c->nsid > n->nns) {
		*st = NVME_SC_INVALID_NS;
		return NULL;
	}
	if ((*st = nvme_ns_allowed(n, c, c->nsid)) != NVME_SC_SUCCESS)
		return NULL;
	ns = &n->ns[c->nsid - 1];
	if (!ns->ready) {
		*st = NVME_SC_NS_NOT_READY;
		return NULL;
	}
	return ns;
}

static bool
in_range(const struct nvme_ns *ns, uint64_t slba, uint64_t nlb)
{
	return slba < ns->nblocks && nlb <= ns->nblocks - slba;
}

static uint16_t
flush(struct nvme *n, const struct nvme_cmd *c)
{
	struct nvme_ns *ns;
	uint16_t st;
	unsigned i;

	n->cnt.flushes++;
	/* VWC bits 2:1 = 11b: the broadcast NSID flushes them all (under
	 * queue isolation, all its queue may address). */
	if (c->nsid == NSID_ALL) {
		for (i = 0; i < n->nns; i++)
			if ((!n->isolated || c->sqid == 0 ||
			    n->qnsid[c->sqid] == i + 1) &&
			    nvme_ns_flush(&n->ns[i]) != 0) {
				n->cnt.host_io_errors++;
				return NVME_SC_WRITE_FAULT;
			}
		return NVME_SC_SUCCESS;
	}
	if ((ns = ns_get(n, c, &st)) == NULL)
		return st;
	if (nvme_ns_flush(ns) != 0) {
		n->cnt.host_io_errors++;
		return NVME_SC_WRITE_FAULT;
	}
	return NVME_SC_SUCCESS;
}

static uint16_t
rw(struct nvme *n, const struct nvme_cmd *c, bool write)
{
	uint64_t slba = (uint64_t)c->cdw[11] << 32 | c->cdw[10];
	uint64_t nlb = (uint64_t)(c->cdw[12] & 0xFFFF) + 1;
	struct nvme_ns *ns;
	uint16_t st;
	size_t len;

	if ((ns = ns_get(n, c, &st)) == NULL)
		return st;
	if (!in_range(ns, slba, nlb))
		return NVME_SC_LBA_RANGE;
	/* MDTS (§5.15.2.2): larger transfers are refused whole. */
	if (nlb << ns->lbads > NVME_MAX_XFER)
		return NVME_SC_INVALID_FIELD;
	len = (size_t)(nlb << ns->lbads);
	if (write) {
		st = nvme_prp_xfer(n, c->prp1, c->prp2, n->buf, len, false);
		if (st != NVME_SC_SUCCESS)
			return st;
		if (nvme_ns_write(ns, slba << ns->lbads, n->buf, len) != 0 ||
		    (((c->cdw[12] & CDW12_FUA) || !n->feat[NVME_FEAT_VWC]) &&
		    nvme_ns_flush(ns) != 0)) {
			n->cnt.host_io_errors++;
			return NVME_SC_WRITE_FAULT;
		}
		n->cnt.bytes_written += len;
		n->units_written += len;
		n->host_writes++;
		return NVME_SC_SUCCESS;
	}
	if (nvme_ns_read(ns, slba << ns->lbads, n->buf, len) != 0) {
		n->cnt.host_io_errors++;
		return NVME_SC_UNRECOVERED_READ;
	}
	st = nvme_prp_xfer(n, c->prp1, c->prp2, n->buf, len, true);
	if (st != NVME_SC_SUCCESS)
		return st;
	n->cnt.bytes_read += len;
	n->units_read += len;
	n->host_reads++;
	return NVME_SC_SUCCESS;
}

/* §6.16: no data transfer, so not bounded by MDTS but by NLB (64 Ki
 * blocks). DEAC deallocates, which reads back as zeroes the same way. */
static uint16_t
write_zeroes(struct nvme *n, const struct nvme_cmd *c)
{
	uint64_t slba = (uint64_t)c->cdw[11] << 32 | c->cdw[10];
	uint64_t nlb = (uint64_t)(c->cdw[12] & 0xFFFF) + 1;
	struct nvme_ns *ns;
	uint16_t st;

	if ((ns = ns_get(n, c, &st)) == NULL)
		return st;
	if (!in_range(ns, slba, nlb))
		return NVME_SC_LBA_RANGE;
	if (nvme_ns_zero(ns, slba << ns->lbads, nlb << ns->lbads) != 0) {
		n->cnt.host_io_errors++;
		return NVME_SC_WRITE_FAULT;
	}
	return NVME_SC_SUCCESS;
}

/* §6.7: up to 256 ranges of 16 bytes (attributes, length, start LBA).
 * Every range is checked before any is deallocated. */
static uint16_t
dsm(struct nvme *n, const struct nvme_cmd *c)
{
	unsigned nr = (c->cdw[10] & 0xFF) + 1, i;
	struct nvme_ns *ns;
	uint16_t st;

	if ((ns = ns_get(n, c, &st)) == NULL)
		return st;
	st = nvme_prp_xfer(n, c->prp1, c->prp2, n->buf,
	    (size_t)nr * NVME_DSM_RANGE_SIZE, false);
	if (st != NVME_SC_SUCCESS)
		return st;
	/* Without AD the attributes are hints: nothing to do. */
	if (!(c->cdw[11] & NVME_DSM_AD))
		return NVME_SC_SUCCESS;
	for (i = 0; i < nr; i++) {
		const uint8_t *r = n->buf + i * NVME_DSM_RANGE_SIZE;

		if (!in_range(ns, nvme_le64(r + 8), nvme_le32(r + 4)))
			return NVME_SC_LBA_RANGE;
	}
	for (i = 0; i < nr; i++) {
		const uint8_t *r = n->buf + i * NVME_DSM_RANGE_SIZE;
		uint64_t slba = nvme_le64(r + 8), nlb = nvme_le32(r + 4);

		if (nlb != 0 && nvme_ns_zero(ns, slba << ns->lbads,
		    nlb << ns->lbads) != 0) {
			n->cnt.host_io_errors++;
			return NVME_SC_WRITE_FAULT;
		}
	}
	return NVME_SC_SUCCESS;
}

uint16_t
nvme_io_exec(struct nvme *n, struct nvme_cmd *c)
{
	switch (c->opc) {
	case NVME_CMD_FLUSH:
	case NVME_CMD_WRITE:
	case NVME_CMD_READ:
	case NVME_CMD_WRITE_ZEROES:
	case NVME_CMD_DSM:
		break;
	default:
		return NVME_SC_INVALID_OPCODE;
	}
	/* No fused operations (FUSES = 0), no SGLs (SGLS = 0): §4.2. */
	if (c->flags & 0xC3)
		return NVME_SC_INVALID_FIELD;
	switch (c->opc) {
	case NVME_CMD_FLUSH:
		return flush(n, c);
	case NVME_CMD_WRITE:
		return rw(n, c, true);
	case NVME_CMD_READ:
		return rw(n, c, false);
	case NVME_CMD_WRITE_ZEROES:
		return write_zeroes(n, c);
	default:
		return dsm(n, c);
	}
}
