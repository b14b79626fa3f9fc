/*
 * e1000e_rxps.c — packet-split receive descriptors (RFCTL.EXTEN with
 * RCTL.DTYP 01, 82574L datasheet §7.1.5.2): a 32-byte descriptor names
 * four buffers, sized by PSRCTL (buffer 0 in 128-byte units, buffers 1-3
 * in KiB). An IP frame's header (through the TCP/UDP header, or the IP
 * header for other protocols and fragments) goes alone into buffer 0 of
 * its first descriptor and the rest into buffers 1-3 of that descriptor
 * and the next ones, whose buffer 0 stays empty (header split); a frame
 * that is not IP, or whose header does not fit buffer 0, fills the
 * buffers in order. Head and tail count 16-byte units, two per
 * descriptor, as in QEMU's model.
 *
 * Write-back, 32 bytes: MRQ (0-3), RSS hash or IP identification (4-7),
 * extended status and errors (8-11), buffer 0's length (12-13), VLAN tag
 * (14-15), header status (16-17: the header length, bit 15 when split),
 * buffers 1-3's lengths (18-23). Faults are handled as for the other
 * layouts (e1000e_rx.c).
 */
#include <string.h>

#include "dev/e1000e_core.h"
#include "machine/iommu.h"

#define PS_DESC_SIZE	32u
#define PS_UNITS	(PS_DESC_SIZE / E1000E_DESC_SIZE)
#define PS_BUFS		4u
#define HDRSP		(1u << 15)	/* header status: split */

bool
e1000e_rxps_enabled(const struct e1000e *d)
{
	return (e1000e_reg(d, E1000E_RFCTL) & E1000E_RFCTL_EXTEN) &&
	    (e1000e_reg(d, E1000E_RCTL) & E1000E_RCTL_DTYP_MASK) ==
	    E1000E_RCTL_DTYP_PS;
}

static void
ps_sizes(const struct e1000e *d, uint32_t sz[PS_BUFS])
{
	uint32_t p = e1000e_reg(d, E1000E_PSRCTL);

	sz[0] = (p & 0x7F) * 128;
	sz[1] = ((p >> 8) & 0x3F) * 1024;
	sz[2] = ((p >> 16) & 0x3F) * 1024;
	sz[3] = ((p >> 24) & 0x3F) * 1024;
}

size_t
e1000e_rxps_header(const struct e1000e *d, const struct e1000e_pkt *p,
    size_t total)
{
	uint32_t sz[PS_BUFS];
	size_t h;

	if (!p->ip4 && !p->ip6)
		return 0;
	if (p->frag && (e1000e_reg(d, E1000E_RFCTL) & E1000E_RFCTL_IPFRSP_DIS))
		return 0;
	h = (p->tcp || p->udp) ? p->l5 : p->l4;
	ps_sizes(d, sz);
	if (h == 0 || h > sz[0] || h > total)
		return 0;
	return h;
}

/* Write descriptor DADDR back: LEN[] bytes per buffer, header length
 * HDR, STATERR, M for the EOP descriptor. 0, or -1 on a fault. */
static int
ps_writeback(struct e1000e *d, uint64_t daddr, const uint32_t len[PS_BUFS],
    size_t hdr, uint32_t staterr, const struct e1000e_rxmeta *m)
{
	uint8_t wb[PS_DESC_SIZE];

	memset(wb, 0, sizeof(wb));
	if (m != NULL && m->rss.type != 0) {
		e1000e_desc_put32(wb, m->rss.type | m->rss.queue <<
		    E1000E_RXDX_MRQ_QUEUE_SHIFT);
		e1000e_desc_put32(wb + 4, m->rss.hash);
	} else if (m != NULL && (staterr & E1000E_RXDX_STA_IPIDV)) {
		e1000e_desc_put16(wb + 4, m->ipid);
	}
	e1000e_desc_put32(wb + 8, staterr);
	e1000e_desc_put16(wb + 12, len[0]);
	e1000e_desc_put16(wb + 14, m != NULL ? m->vlan : 0);
	e1000e_desc_put16(wb + 16, (uint32_t)hdr | (hdr != 0 ? HDRSP : 0));
	e1000e_desc_put16(wb + 18, len[1]);
	e1000e_desc_put16(wb + 20, len[2]);
	e1000e_desc_put16(wb + 22, len[3]);
	if (dma_write(d->dma, daddr, wb, sizeof(wb)) != 0) {
		d->cnt.dma_faults++;
		return -1;
	}
	d->cnt.rx_descs++;
	return 0;
}

/* The ring's head moves by one 32-byte descriptor (wrapping to 0 where
 * the next would not fit). */
static void
ps_advance(struct e1000e *d, const struct e1000e_ring *r)
{
	e1000e_reg_set(d, r->off_h, r->head + PS_UNITS >= r->n ? 0 :
	    r->head + PS_UNITS);
}

bool
e1000e_rxps_store(struct e1000e *d, uint32_t bal, size_t total, size_t hdr,
    const struct e1000e_rxmeta *m, bool *wrote, bool *lost, bool *missed)
{
	uint64_t gen = d->generation, daddr, pend_addr = 0, a[PS_BUFS];
	uint32_t sz[PS_BUFS], len[PS_BUFS], pend_len[PS_BUFS], per, i, b;
	uint8_t desc[PS_DESC_SIZE];
	struct e1000e_ring r;
	size_t off = 0, chunk;
	bool pending = false, fault = false, first = true, ok;

	*wrote = false;
	*lost = false;
	*missed = true;
	ps_sizes(d, sz);
	per = sz[0] + sz[1] + sz[2] + sz[3];
	if (!e1000e_ring_get(d, bal, &r)) {
		if (r.n != 0)
			d->cnt.ring_errors++;
		return false;
	}
	if (per == 0 || (uint64_t)(e1000e_ring_count(r.head, r.tail, r.n) /
	    PS_UNITS) * per < total)
		return false;
	*missed = false;
	for (i = 0; i <= r.n / PS_UNITS && off < total; i++) {
		if (!e1000e_ring_get(d, bal, &r) || r.head == r.tail)
			break;
		daddr = e1000e_ring_head_addr(&r);
		if (dma_read(d->dma, daddr, desc, sizeof(desc)) != 0) {
			d->cnt.dma_faults++;
			fault = true;
			break;
		}
		for (b = 0; b < PS_BUFS; b++) {
			a[b] = e1000e_desc_get64(desc + 8 * b);
			len[b] = 0;
		}
		if (a[0] == 0) {
			/* Null descriptor: DD, no data. */
			if (ps_writeback(d, daddr, len, 0, E1000E_RXD_STA_DD,
			    NULL) != 0) {
				fault = true;
				break;
			}
			*wrote = true;
		} else {
			/* This descriptor's data: from START on, the header
			 * alone in buffer 0 of the first one. */
			size_t start = off;

			b = 0;
			if (hdr != 0) {
				if (first) {
					len[0] = (uint32_t)hdr;
					off = hdr;
				}
				b = 1;
			}
			for (; b < PS_BUFS && off < total; b++) {
				chunk = total - off < sz[b] ? total - off :
				    sz[b];
				len[b] = (uint32_t)chunk;
				off += chunk;
			}
			for (b = 0; b < PS_BUFS; b++) {
				if (len[b] == 0)
					continue;
				if (dma_write(d->dma, a[b], d->rxbuf + start,
				    len[b]) != 0) {
					d->cnt.dma_faults++;
					*lost = true;
					if (d->generation != gen)
						return false;
				}
				start += len[b];
			}
			first = false;
			if (pending && ps_writeback(d, pend_addr, pend_len, hdr,
			    E1000E_RXD_STA_DD, NULL) == 0)
				*wrote = true;
			pending = true;
			pend_addr = daddr;
			memcpy(pend_len, len, sizeof(len));
		}
		if (d->generation != gen)
			return false;
		ps_advance(d, &r);
	}
	if (d->generation != gen)
		return false;
	ok = e1000e_rx_complete(d, off, total, fault);
	if (pending) {
		if (ps_writeback(d, pend_addr, pend_len, hdr, ok ? m->staterr :
		    E1000E_RXD_STATERR_CUT, ok ? m : NULL) == 0)
			*wrote = true;
		else
			ok = false;
	}
	return ok;
}
