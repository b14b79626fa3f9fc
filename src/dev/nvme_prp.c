/*
 * nvme_prp.c — data pointers as Physical Region Page entries (NVMe 1.4
 * §4.3): PRP1 may start inside a page (dword aligned); PRP2 is the second
 * page when the transfer ends there, else a pointer to a PRP list whose
 * last entry chains to the next list page while more pages are needed.
 *
 * Every entry and every data page goes through the IOMMU context of the
 * command's queue (n->xfer: the controller's, or the queue's own under
 * queue isolation, nvme_isolation.c). The walk reads
 * only as many list entries as the transfer length needs, and the length
 * is at most MDTS, so the work per command is bounded (33 data pages).
 * The whole list is walked and checked before any data moves.
 */
#include <string.h>

#include "dev/nvme_core.h"
#include "machine/iommu.h"

#define PAGE_MASK	((uint64_t)NVME_PAGE - 1)
#define MAX_SEGS	(NVME_MAX_XFER / NVME_PAGE + 1)

struct seg {
	uint64_t iova;
	uint32_t len;
};

static uint16_t
bad_offset(struct nvme *n)
{
	n->cnt.prp_errors++;
	return NVME_SC_PRP_OFFSET_INVALID;
}

static uint16_t
dma_fault(struct nvme *n)
{
	n->cnt.dma_faults++;
	return NVME_SC_DATA_XFER_ERROR;
}

/* Pages after the first: the PRP list at LIST, NPAGES data entries. */
static uint16_t
walk_list(struct nvme *n, uint64_t list, size_t rem, struct seg *s,
    unsigned *ns)
{
	uint8_t ent[NVME_PAGE];
	unsigned npages = (unsigned)((rem + PAGE_MASK) / NVME_PAGE);
	unsigned hops, avail, take, i;
	bool chain;

	/* The list pointer in the command may have an offset, qword
	 * aligned; chained list pointers may not (§4.3). */
	if (list & 7)
		return bad_offset(n);
	for (hops = 0; npages > 0; hops++) {
		if (hops > MAX_SEGS)
			return bad_offset(n);
		avail = (unsigned)((NVME_PAGE - (list & PAGE_MASK)) / 8);
		chain = npages > avail;
		take = chain ? avail : npages;
		if (dma_read(n->xfer, list, ent, (size_t)take * 8) != 0)
			return dma_fault(n);
		for (i = 0; i < take; i++) {
			uint64_t e = nvme_le64(ent + 8 * i);

			if (chain && i == take - 1) {
				/* The last entry of a full page chains. */
				if (e & PAGE_MASK)
					return bad_offset(n);
				list = e;
				break;
			}
			if (e & PAGE_MASK)
				return bad_offset(n);
			s[*ns].iova = e;
			s[*ns].len = (uint32_t)(rem < NVME_PAGE ? rem :
			    NVME_PAGE);
			rem -= s[*ns].len;
			(*ns)++;
			npages--;
		}
	}
	return NVME_SC_SUCCESS;
}

uint16_t
nvme_prp_xfer(struct nvme *n, uint64_t prp1, uint64_t prp2, uint8_t *buf,
    size_t len, bool to_host)
{
	struct seg s[MAX_SEGS];
	unsigned ns = 0, i;
	size_t first, rem, off;
	uint16_t st;

	if (len == 0)
		return NVME_SC_SUCCESS;
	if (len > NVME_MAX_XFER)
		return NVME_SC_INVALID_FIELD;
	if (prp1 & 3)
		return bad_offset(n);
	first = NVME_PAGE - (size_t)(prp1 & PAGE_MASK);
	s[ns].iova = prp1;
	s[ns].len = (uint32_t)(len < first ? len : first);
	rem = len - s[ns].len;
	ns++;
	if (rem > 0 && rem <= NVME_PAGE) {
		/* PRP2 is the second and last data page. */
		if (prp2 & PAGE_MASK)
			return bad_offset(n);
		s[ns].iova = prp2;
		s[ns].len = (uint32_t)rem;
		ns++;
	} else if (rem > 0) {
		st = walk_list(n, prp2, rem, s, &ns);
		if (st != NVME_SC_SUCCESS)
			return st;
	}
	for (i = 0, off = 0; i < ns; off += s[i].len, i++) {
		int r = to_host ? dma_write(n->xfer, s[i].iova, buf + off,
		    s[i].len) : dma_read(n->xfer, s[i].iova, buf + off,
		    s[i].len);

		if (r != 0)
			return dma_fault(n);
	}
	return NVME_SC_SUCCESS;
}
