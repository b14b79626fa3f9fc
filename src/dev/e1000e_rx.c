/*
 * e1000e_rx.c — the receive path: a frame from the wire is checked
 * (receiver on, link up, length), filtered, and written through DMA into
 * the buffers of legacy RX descriptors (82574L datasheet §7.1.3) from head
 * towards tail (§7.1.8, e1000e_ring.h), each buffer RCTL.BSIZE/BSEX bytes
 * (§10.2.5.1); the last descriptor gets EOP; DD on every one.
 *
 * Queue 0 receives everything (RSS, which would pick queue 1, is not
 * modelled). With no free descriptor the frame is missed (MPC, RNBC,
 * ICR.RXO). A buffer write the IOMMU refuses is a posted write: the part
 * never learns of it, so the fault is counted (and reported by the IOMMU)
 * and the descriptor completes as if the data had landed. A descriptor
 * read that faults stops the frame there: the descriptors already filled
 * are closed with EOP and the RXE error bit, and the head stays on the
 * descriptor that faulted.
 */
#include <string.h>

#include "dev/e1000e_core.h"
#include "machine/iommu.h"

/* Ethernet FCS: reflected CRC-32, polynomial 0xEDB88320. */
static uint32_t
crc32_eth(const uint8_t *p, size_t len)
{
	static const uint32_t t[16] = {
		0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC,
		0x76DC4190, 0x6B6B51F4, 0x4DB26158, 0x5005713C,
		0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
		0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
	};
	uint32_t c = 0xFFFFFFFFu;
	size_t i;

	for (i = 0; i < len; i++) {
		c ^= p[i];
		c = (c >> 4) ^ t[c & 15];
		c = (c >> 4) ^ t[c & 15];
	}
	return ~c;
}

/* RCTL.BSIZE with BSEX (x16), or FLXBUF in KiB when it is set. */
static uint32_t
rx_buf_size(uint32_t rctl)
{
	static const uint32_t sz[2][4] = {
		{ 2048, 1024, 512, 256 },
		{ 2048, 16384, 8192, 4096 },	/* BSEX=1, 00 reserved */
	};
	uint32_t flx = (rctl >> 27) & 0xF;

	if (flx != 0)
		return flx * 1024;
	return sz[(rctl & E1000E_RCTL_BSEX) != 0]
	    [(rctl & E1000E_RCTL_BSIZE_MASK) >> E1000E_RCTL_BSIZE_SHIFT];
}

/* Descriptors the device holds: empty buffers from head up to tail. */
static uint32_t
rx_owned(const struct e1000e_ring *r)
{
	return e1000e_ring_count(r->head, r->tail, r->n);
}

/* Write back quadword 1 of a descriptor: length, status, errors; no
 * packet checksum (not computed) and no VLAN tag (none stripped). 0, or
 * -1 on a DMA fault (counted). */
static int
rx_writeback(struct e1000e *d, uint64_t daddr, uint32_t len, uint8_t sta,
    uint8_t err)
{
	struct e1000e_rx_desc rd = {
		.length = (uint16_t)len,
		.status = sta,
		.errors = err,
	};
	uint8_t wb[E1000E_DESC_SIZE];

	e1000e_rx_desc_pack(&rd, wb);
	if (dma_write(d->dma, daddr + E1000E_DESC_QW1_OFF,
	    wb + E1000E_DESC_QW1_OFF, E1000E_DESC_SIZE -
	    E1000E_DESC_QW1_OFF) != 0) {
		d->cnt.dma_faults++;
		return -1;
	}
	d->cnt.rx_descs++;
	return 0;
}

static void
rx_stats(struct e1000e *d, const uint8_t *f, size_t wire)
{
	static const uint8_t bc[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

	e1000e_stat_inc(d, E1000E_GPRC, 1);
	e1000e_stat_add64(d, E1000E_GORCL, wire);
	e1000e_stat_inc(d, e1000e_size_bucket(E1000E_PRC64, wire), 1);
	if (f[0] & 1)
		e1000e_stat_inc(d, memcmp(f, bc, 6) == 0 ? E1000E_BPRC :
		    E1000E_MPRC, 1);
}

/* Length checks the MAC applies before filtering; false drops. */
static bool
rx_length_ok(struct e1000e *d, size_t len)
{
	uint32_t rctl = e1000e_reg(d, E1000E_RCTL);
	size_t max = (rctl & E1000E_RCTL_LPE) ? E1000E_FRAME_MAX :
	    E1000E_FRAME_VLAN_MAX;

	if (len < 14 || len > E1000E_FRAME_MAX) {
		d->cnt.rx_bad_length++;
		return false;
	}
	if (len > max && !(rctl & E1000E_RCTL_SBP)) {
		e1000e_stat_inc(d, E1000E_ROC, 1);
		d->cnt.rx_bad_length++;
		return false;
	}
	return true;
}

/*
 * Store d->rxbuf[0..total) into queue 0. Returns true when the whole
 * frame went through its descriptors; *lost says whether a buffer write
 * faulted on the way, *wrote whether any descriptor was written back.
 */
static bool
rx_store(struct e1000e *d, size_t total, bool *wrote, bool *lost)
{
	uint64_t gen = d->generation;
	uint32_t bsize = rx_buf_size(e1000e_reg(d, E1000E_RCTL));
	uint64_t daddr, pend_addr = 0;
	uint32_t pend_len = 0, i, chunk;
	struct e1000e_ring r;
	struct e1000e_rx_desc rd;
	uint8_t desc[E1000E_DESC_SIZE];
	size_t off = 0;
	bool pending = false, fault = false, ok;

	*wrote = false;
	*lost = false;
	if (!e1000e_ring_get(d, E1000E_RDBAL0, &r)) {
		if (r.n != 0)
			d->cnt.ring_errors++;
		goto missed;
	}
	if (rx_owned(&r) < (total + bsize - 1) / bsize)
		goto missed;
	for (i = 0; i < r.n && off < total; i++) {
		if (!e1000e_ring_get(d, E1000E_RDBAL0, &r) ||
		    r.head == r.tail)
			break;
		daddr = e1000e_ring_head_addr(&r);
		if (dma_read(d->dma, daddr, desc, sizeof(desc)) != 0) {
			d->cnt.dma_faults++;
			fault = true;
			break;
		}
		e1000e_rx_desc_unpack(desc, &rd);
		if (rd.addr == 0) {
			/* Null descriptor (82574L datasheet §7.1.7.2): no
			 * data, DD, all else as it was. */
			rd.status |= E1000E_RXD_STA_DD;
			e1000e_rx_desc_pack(&rd, desc);
			if (dma_write(d->dma, daddr + E1000E_RXD_STATUS_OFF,
			    desc + E1000E_RXD_STATUS_OFF, 1) != 0) {
				d->cnt.dma_faults++;
				fault = true;
				break;
			}
			*wrote = true;
		} else {
			chunk = (uint32_t)(total - off < bsize ? total - off :
			    bsize);
			/* Nothing lands outside the windows; the descriptor
			 * completes all the same. */
			if (dma_write(d->dma, rd.addr, d->rxbuf + off,
			    chunk) != 0) {
				d->cnt.dma_faults++;
				*lost = true;
				/* The fault handler may have reset the part. */
				if (d->generation != gen)
					return false;
			}
			/* The previous buffer is not the last one: close it. */
			if (pending && rx_writeback(d, pend_addr, pend_len,
			    E1000E_RXD_STA_DD, 0) == 0)
				*wrote = true;
			pending = true;
			pend_addr = daddr;
			pend_len = chunk;
			off += chunk;
		}
		if (d->generation != gen)
			return false;
		e1000e_ring_advance(d, &r);
	}
	if (d->generation != gen)
		return false;
	ok = off == total;
	if (!ok && !fault)
		d->cnt.rx_truncated++;
	if (pending && rx_writeback(d, pend_addr, pend_len,
	    E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP,
	    ok ? 0 : E1000E_RXD_ERR_RXE) == 0)
		*wrote = true;
	else if (pending)
		ok = false;
	return ok;

missed:
	e1000e_stat_inc(d, E1000E_MPC, 1);
	e1000e_stat_inc(d, E1000E_RNBC, 1);
	d->cnt.rx_no_buffer++;
	e1000e_set_cause(d, E1000E_ICR_RXO);
	return false;
}

bool
e1000e_rx_deliver(void *nic, const uint8_t *frame, size_t len)
{
	struct e1000e *d = nic;
	uint64_t gen;
	uint32_t rctl, cause, thr, before;
	struct e1000e_ring r;
	size_t flen, total;
	bool ok, wrote, lost;

	if (d == NULL || frame == NULL)
		return false;
	gen = d->generation;
	e1000e_update_link(d);
	if (d->generation != gen)
		return false;
	rctl = e1000e_reg(d, E1000E_RCTL);
	if (!(rctl & E1000E_RCTL_EN) ||
	    !(e1000e_reg(d, E1000E_STATUS) & E1000E_STATUS_LU)) {
		d->cnt.rx_disabled++;
		return false;
	}
	if (!rx_length_ok(d, len))
		return false;
	/* Short frames arrive padded, as the wire would have carried them. */
	flen = len < E1000E_FRAME_MIN ? E1000E_FRAME_MIN : len;
	e1000e_stat_inc(d, E1000E_TPR, 1);
	e1000e_stat_add64(d, E1000E_TORL, flen + E1000E_FCS_LEN);
	if (!e1000e_filter_accept(d, frame)) {
		d->cnt.rx_filtered++;
		return false;
	}
	memcpy(d->rxbuf, frame, len);
	memset(d->rxbuf + len, 0, flen - len);
	total = flen;
	if (!(rctl & E1000E_RCTL_SECRC)) {
		uint32_t fcs = crc32_eth(d->rxbuf, flen);

		for (unsigned b = 0; b < E1000E_FCS_LEN; b++)
			d->rxbuf[total++] = (uint8_t)(fcs >> (8 * b));
	}
	before = 0;
	if (e1000e_ring_get(d, E1000E_RDBAL0, &r))
		before = rx_owned(&r);
	ok = rx_store(d, total, &wrote, &lost);
	if (d->generation != gen)
		return false;
	cause = 0;
	if (ok) {
		/* The statistics are the part's view: it saw no fault. */
		rx_stats(d, d->rxbuf, flen + E1000E_FCS_LEN);
		ok = !lost;
	}
	if (ok) {
		d->cnt.rx_frames++;
		d->cnt.rx_bytes += len;
	}
	if (wrote) {
		cause |= E1000E_ICR_RXT0;
		/* RXDMT0: free descriptors fell to RCTL.RDMTS of the ring. */
		if (e1000e_ring_get(d, E1000E_RDBAL0, &r)) {
			thr = r.n >> (((rctl & E1000E_RCTL_RDMTS_MASK) >>
			    E1000E_RCTL_RDMTS_SHIFT) + 1);
			if (before > thr && rx_owned(&r) <= thr)
				cause |= E1000E_ICR_RXDMT0;
		}
	}
	if (cause != 0)
		e1000e_set_cause(d, cause);
	return ok;
}
