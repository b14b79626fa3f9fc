/*
 * nvme_isolation.c — queue isolation, a model extension beyond NVMe 1.4,
 * off unless the configuration asks for it (docs/nvme.md, "Queue
 * isolation").
 *
 * The specification's controller is one PCI function: every DMA it
 * issues carries the function's requester ID, so an IOMMU has one
 * context for all its queues, and an NVM command may name any active
 * namespace in its NSID field (§4.2, §6.1). With isolation on:
 *
 *  - the DMA of I/O queue y (entry fetches, completion posts, PRP lists,
 *    data) is tagged with y, as a PCIe PASID TLP prefix would tag it, and
 *    the host resolves it in queue y's own IOMMU context; the admin
 *    queue keeps the requester ID's context;
 *  - the host binds each I/O queue to one namespace with a
 *    vendor-specific admin command (NVME_ADM_CAPIO_BIND_QUEUE, opcode
 *    C0h); an I/O command that names another namespace, or any namespace
 *    on an unbound queue, completes with Invalid Namespace or Format, the
 *    status §6.1 gives an NSID that is not active. A Flush to FFFFFFFFh
 *    flushes the bound namespace only. A controller reset clears every
 *    binding.
 */
#include "dev/nvme_core.h"

struct iommu *
nvme_queue_dma(const struct nvme *n, unsigned qid)
{
	if (!n->isolated || qid == 0 || qid >= NVME_NQ)
		return n->dma;
	return n->qdma[qid];
}

uint16_t
nvme_ns_allowed(struct nvme *n, const struct nvme_cmd *c, uint32_t nsid)
{
	if (!n->isolated || c->sqid == 0)
		return NVME_SC_SUCCESS;
	if (n->qnsid[c->sqid] != 0 && n->qnsid[c->sqid] == nsid)
		return NVME_SC_SUCCESS;
	n->cnt.ns_refused++;
	return NVME_SC_INVALID_NS;
}

/* Bind Queue: CDW10 15:0 the I/O queue (31:16 reserved, must be 0),
 * CDW11 the namespace (0 unbinds). Without isolation the opcode is what
 * any unknown one is. */
uint16_t
nvme_bind_queue(struct nvme *n, const struct nvme_cmd *c)
{
	uint32_t qid = c->cdw[10] & 0xFFFF, nsid = c->cdw[11];

	if (!n->isolated)
		return NVME_SC_INVALID_OPCODE;
	if (c->cdw[10] >> 16)
		return NVME_SC_INVALID_FIELD;
	if (qid == 0 || qid > n->max_ioq)
		return NVME_SC_INVALID_QID;
	if (nsid > n->nns)
		return NVME_SC_INVALID_NS;
	n->qnsid[qid] = nsid;
	return NVME_SC_SUCCESS;
}

bool
nvme_queue_isolation(const struct nvme *n)
{
	return n->isolated;
}

uint32_t
nvme_queue_nsid(const struct nvme *n, unsigned qid)
{
	return n->isolated && qid < NVME_NQ ? n->qnsid[qid] : 0;
}
