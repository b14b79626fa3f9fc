/*
 * e1000e_rx.c — the receive path: a frame from the wire is checked
 * (receiver on, link up, length), filtered (VLAN table, addresses),
 * stripped of its 802.1Q tag under CTRL.VME (802.1q support, §7.5),
 * given its checksum status (RXCSUM, §7.1.6), steered by RSS
 * to queue 0 or 1 (e1000e_rss.c), and written through DMA into the
 * buffers of that queue's descriptors from head towards tail (§7.1.8,
 * e1000e_ring.h), each buffer RCTL.BSIZE/BSEX bytes (§10.2.5.1). The
 * descriptors are legacy (§7.1.4) or, with RFCTL.EXTEN, extended
 * (§7.1.5) or packet-split (e1000e_rxps.c); the last gets EOP and the
 * frame's status, every one DD.
 *
 * With no free descriptor the frame is missed (MPC, RNBC, ICR.RXO). A
 * buffer write the IOMMU refuses is a posted write: the part never
 * learns of it, so the fault is counted (and reported by the IOMMU) and
 * the descriptor completes as if the data had landed. A descriptor read
 * that faults stops the frame there: the descriptors already filled are
 * closed with EOP and the RXE error bit, and the head stays on the
 * descriptor that faulted.
 */
#include <string.h>

#include "dev/e1000e_core.h"
#include "machine/iommu.h"
#include "net/inet_csum.h"

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

static bool
rx_extended(const struct e1000e *d)
{
	return (e1000e_reg(d, E1000E_RFCTL) & E1000E_RFCTL_EXTEN) != 0;
}

/* Descriptors the device holds: empty buffers from head up to tail. */
static uint32_t
rx_owned(const struct e1000e_ring *r)
{
	return e1000e_ring_count(r->head, r->tail, r->n);
}

/*
 * Write a descriptor back: LEN bytes landed, STATERR in the extended
 * layout (status 7:0 and errors 31:24 are the legacy bytes), M the EOP
 * metadata or NULL. Legacy: quadword 1 (the packet checksum field is
 * left 0, as QEMU does; docs/conformance.md). Extended: all 16 bytes.
 * 0, or -1 on a DMA fault (counted).
 */
static int
rx_writeback(struct e1000e *d, uint64_t daddr, uint32_t len,
    uint32_t staterr, const struct e1000e_rxmeta *m)
{
	uint8_t wb[E1000E_DESC_SIZE];
	uint64_t at = daddr;
	size_t n = E1000E_DESC_SIZE;

	memset(wb, 0, sizeof(wb));
	if (!rx_extended(d)) {
		struct e1000e_rx_desc rd = {
			.length = (uint16_t)len,
			.status = (uint8_t)staterr,
			.errors = (uint8_t)(staterr >> E1000E_RXDX_ERR_SHIFT),
			.special = m != NULL ? m->vlan : 0,
		};

		e1000e_rx_desc_pack(&rd, wb);
		at += E1000E_DESC_QW1_OFF;
		n -= E1000E_DESC_QW1_OFF;
		memmove(wb, wb + E1000E_DESC_QW1_OFF, n);
	} else {
		if (m != NULL && m->rss.type != 0) {
			e1000e_desc_put32(wb + E1000E_RXDX_MRQ_OFF,
			    m->rss.type | m->rss.queue <<
			    E1000E_RXDX_MRQ_QUEUE_SHIFT);
			e1000e_desc_put32(wb + E1000E_RXDX_RSS_OFF,
			    m->rss.hash);
		} else if (m != NULL && (staterr & E1000E_RXDX_STA_IPIDV)) {
			e1000e_desc_put16(wb + E1000E_RXDX_IPID_OFF, m->ipid);
		}
		e1000e_desc_put32(wb + E1000E_RXDX_STATERR_OFF, staterr);
		e1000e_desc_put16(wb + E1000E_RXDX_LENGTH_OFF, len);
		e1000e_desc_put16(wb + E1000E_RXDX_VLAN_OFF,
		    m != NULL ? m->vlan : 0);
	}
	if (dma_write(d->dma, at, wb, n) != 0) {
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

/* The one's-complement sum of F's L4 segment with its pseudo-header. */
static uint16_t
l4_sum(const uint8_t *f, const struct e1000e_pkt *p)
{
	uint32_t seg = (uint32_t)(p->end - p->l4);
	uint64_t sum;

	if (p->ip4)
		sum = inet_csum_pseudo4(f + p->l3 + 12, f + p->l3 + 16,
		    p->proto, seg);
	else {
		uint8_t ph[8] = { (uint8_t)(seg >> 24), (uint8_t)(seg >> 16),
		    (uint8_t)(seg >> 8), (uint8_t)seg, 0, 0, 0, p->proto };

		sum = inet_csum_add(inet_csum_add(0, f + p->l3 + 8, 32), ph,
		    sizeof(ph));
	}
	return inet_csum_fold(inet_csum_add(sum, f + p->l4, seg));
}

/*
 * Receive checksum offload (§7.1.6, RXCSUM §10.2.5.14): IPCS (IPE when
 * wrong) for an IPv4 header under IPOFLD; for TCP or UDP under TUOFLD,
 * TCPCS, and UDPCS too for UDP (TCPE when wrong). A fragment, a UDP
 * datagram without checksum, or IPv6 with RFCTL.IPV6_XSUM_DIS: none.
 */
static uint32_t
rx_csum_status(const struct e1000e *d, const uint8_t *f,
    const struct e1000e_pkt *p)
{
	uint32_t rxcsum = e1000e_reg(d, E1000E_RXCSUM), st = 0;
	uint16_t s;

	if (p->ip6 && (e1000e_reg(d, E1000E_RFCTL) &
	    E1000E_RFCTL_IPV6_XSUM_DIS))
		return 0;
	if ((rxcsum & E1000E_RXCSUM_IPOFLD) && p->ip4) {
		st |= E1000E_RXD_STA_IPCS;
		if (inet_csum_fold(inet_csum_add(0, f + p->l3, p->l3_len)) !=
		    0xFFFF)
			st |= (uint32_t)E1000E_RXD_ERR_IPE <<
			    E1000E_RXDX_ERR_SHIFT;
	}
	if (!(rxcsum & E1000E_RXCSUM_TUOFLD) || (!p->tcp && !p->udp))
		return st;
	if (p->udp && f[p->l4 + 6] == 0 && f[p->l4 + 7] == 0)
		return st;
	st |= E1000E_RXD_STA_TCPCS | (p->udp ? E1000E_RXD_STA_UDPCS : 0);
	s = l4_sum(f, p);
	if (s != 0xFFFF && s != 0)
		st |= (uint32_t)E1000E_RXD_ERR_TCPE << E1000E_RXDX_ERR_SHIFT;
	return st;
}

/* A TCP segment with ACK set (without data, under RFCTL.ACK_DATA_DIS). */
static bool
rx_is_ack(const struct e1000e *d, const uint8_t *f,
    const struct e1000e_pkt *p)
{
	if (!p->tcp || !(f[p->l4 + 13] & 0x10))
		return false;
	if (e1000e_reg(d, E1000E_RFCTL) & E1000E_RFCTL_ACK_DATA_DIS)
		return p->l5 >= p->end;
	return true;
}

/* The packet type of the extended status: 0 MAC, 1 IPv4, 2 IPv4 with
 * TCP/UDP, 5 IPv6, 6 IPv6 with TCP/UDP (IPv6 counts as MAC under
 * RFCTL.IPV6_DIS). */
static uint32_t
rx_pkt_type(const struct e1000e *d, const struct e1000e_pkt *p)
{
	if (p->ip6 && (e1000e_reg(d, E1000E_RFCTL) & E1000E_RFCTL_IPV6_DIS))
		return 0;
	if (p->tcp || p->udp)
		return p->ip4 ? 2 : 6;
	if (p->ip4 || p->ip6)
		return p->ip4 ? 1 : 5;
	return 0;
}

/* Everything the EOP descriptor says of the frame F (as stored). */
static void
rx_meta_build(const struct e1000e *d, const uint8_t *f,
    const struct e1000e_pkt *p, bool vp, uint16_t tci, struct e1000e_rxmeta *m)
{
	bool pcsd = (e1000e_reg(d, E1000E_RXCSUM) & E1000E_RXCSUM_PCSD) != 0;

	m->staterr = E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP;
	m->vlan = 0;
	m->ipid = 0;
	if (vp) {
		m->staterr |= E1000E_RXD_STA_VP;
		m->vlan = tci;
	}
	if (!pcsd && p->ip4) {
		m->staterr |= E1000E_RXDX_STA_IPIDV;
		m->ipid = (uint16_t)(f[p->l3 + 4] << 8 | f[p->l3 + 5]);
	}
	if (rx_is_ack(d, f, p))
		m->staterr |= E1000E_RXDX_STA_ACK;
	m->staterr |= rx_pkt_type(d, p) << E1000E_RXDX_PKTTYPE_SHIFT;
	m->staterr |= rx_csum_status(d, f, p);
}

/*
 * Store d->rxbuf[0..total) into the ring at BAL. Returns true when the
 * whole frame went through its descriptors; *lost says whether a buffer
 * write faulted on the way, *wrote whether any descriptor was written,
 * *missed that the ring had no room for the frame (nothing was done).
 */
static bool
rx_store(struct e1000e *d, uint32_t bal, size_t total,
    const struct e1000e_rxmeta *m, bool *wrote, bool *lost, bool *missed)
{
	uint64_t gen = d->generation;
	uint32_t bsize = rx_buf_size(e1000e_reg(d, E1000E_RCTL));
	uint64_t daddr, pend_addr = 0, baddr;
	uint32_t pend_len = 0, i, chunk;
	struct e1000e_ring r;
	uint8_t desc[E1000E_DESC_SIZE];
	size_t off = 0;
	bool pending = false, fault = false, ok;

	*wrote = false;
	*lost = false;
	*missed = true;
	if (!e1000e_ring_get(d, bal, &r)) {
		if (r.n != 0)
			d->cnt.ring_errors++;
		return false;
	}
	if (rx_owned(&r) < (total + bsize - 1) / bsize)
		return false;
	*missed = false;
	for (i = 0; i < r.n && off < total; i++) {
		if (!e1000e_ring_get(d, bal, &r) || r.head == r.tail)
			break;
		daddr = e1000e_ring_head_addr(&r);
		if (dma_read(d->dma, daddr, desc, sizeof(desc)) != 0) {
			d->cnt.dma_faults++;
			fault = true;
			break;
		}
		baddr = e1000e_desc_get64(desc + E1000E_DESC_ADDR_OFF);
		if (baddr == 0) {
			/* Null descriptor (§7.1.7.2): no data, DD. Legacy:
			 * the status byte alone; extended: the write-back. */
			int rc;

			if (rx_extended(d))
				rc = rx_writeback(d, daddr, 0,
				    E1000E_RXD_STA_DD, NULL);
			else {
				desc[E1000E_RXD_STATUS_OFF] |=
				    E1000E_RXD_STA_DD;
				rc = dma_write(d->dma, daddr +
				    E1000E_RXD_STATUS_OFF,
				    desc + E1000E_RXD_STATUS_OFF, 1);
				if (rc != 0)
					d->cnt.dma_faults++;
			}
			if (rc != 0) {
				fault = true;
				break;
			}
			*wrote = true;
		} else {
			chunk = (uint32_t)(total - off < bsize ? total - off :
			    bsize);
			/* Nothing lands outside the windows; the descriptor
			 * completes all the same. */
			if (dma_write(d->dma, baddr, d->rxbuf + off,
			    chunk) != 0) {
				d->cnt.dma_faults++;
				*lost = true;
				/* The fault handler may have reset the part. */
				if (d->generation != gen)
					return false;
			}
			/* The previous buffer is not the last one: close it. */
			if (pending && rx_writeback(d, pend_addr, pend_len,
			    E1000E_RXD_STA_DD, NULL) == 0)
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
	ok = e1000e_rx_complete(d, off, total, fault);
	if (pending) {
		struct e1000e_rxmeta cut = {
			.staterr = E1000E_RXD_STATERR_CUT
		};
		const struct e1000e_rxmeta *last = ok ? m : &cut;

		if (rx_writeback(d, pend_addr, pend_len, last->staterr,
		    last) == 0)
			*wrote = true;
		else
			ok = false;
	}
	return ok;
}

bool
e1000e_rx_complete(struct e1000e *d, size_t off, size_t total, bool fault)
{
	if (off == total)
		return true;
	/* Out of descriptors mid-frame (a fault is counted where it was). */
	if (!fault)
		d->cnt.rx_truncated++;
	return false;
}

static void
rx_missed(struct e1000e *d, unsigned q)
{
	e1000e_stat_inc(d, E1000E_MPC, 1);
	e1000e_stat_inc(d, E1000E_RNBC, 1);
	d->cnt.rx_no_buffer++;
	e1000e_intr_rx(d, q, false, E1000E_ICR_RXO);
}

bool
e1000e_rx_deliver(void *nic, const uint8_t *frame, size_t len)
{
	struct e1000e *d = nic;
	uint64_t gen;
	uint32_t rctl, extra, thr, before, bal, fcs;
	struct e1000e_ring r;
	struct e1000e_pkt p;
	struct e1000e_rxmeta m;
	size_t flen, total;
	uint16_t tci = 0;
	bool ok, wrote, lost, missed, vp = false;
	unsigned q, b;

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
	memcpy(d->rxbuf, frame, len);
	memset(d->rxbuf + len, 0, flen - len);
	e1000e_pkt_parse(d->rxbuf, flen,
	    (uint16_t)e1000e_reg(d, E1000E_VET), &p);
	if (!e1000e_vlan_accept(d, &p) || !e1000e_filter_accept(d, frame)) {
		d->cnt.rx_filtered++;
		return false;
	}
	/*
	 * The FCS is the wire's: over the frame as it came, tag and all.
	 * Only a receiver that keeps it (RCTL.SECRC clear) needs it, and
	 * at a byte per nibble-table pass it costs more than the rest of
	 * the receive path, so it is not computed otherwise.
	 */
	fcs = (rctl & E1000E_RCTL_SECRC) ? 0 : crc32_eth(d->rxbuf, flen);
	/* CTRL.VME: the tag leaves the frame for the descriptor. */
	if (p.vlan && (e1000e_reg(d, E1000E_CTRL) & E1000E_CTRL_VME)) {
		vp = true;
		tci = p.tci;
		memmove(d->rxbuf + 12, d->rxbuf + 16, flen - 16);
		flen -= 4;
		e1000e_pkt_parse(d->rxbuf, flen,
		    (uint16_t)e1000e_reg(d, E1000E_VET), &p);
	}
	total = flen;
	if (!(rctl & E1000E_RCTL_SECRC))
		for (b = 0; b < E1000E_FCS_LEN; b++)
			d->rxbuf[total++] = (uint8_t)(fcs >> (8 * b));
	rx_meta_build(d, d->rxbuf, &p, vp, tci, &m);
	m.rss.type = 0;
	m.rss.hash = 0;
	m.rss.queue = 0;
	if (e1000e_rss_enabled(d))
		e1000e_rss_compute(d, d->rxbuf, &p, &m.rss);
	q = m.rss.queue;
	bal = q == 0 ? E1000E_RDBAL0 : E1000E_RDBAL1;
	before = 0;
	if (e1000e_ring_get(d, bal, &r))
		before = rx_owned(&r);
	if (e1000e_rxps_enabled(d))
		ok = e1000e_rxps_store(d, bal, total,
		    e1000e_rxps_header(d, &p, total), &m, &wrote, &lost,
		    &missed);
	else
		ok = rx_store(d, bal, total, &m, &wrote, &lost, &missed);
	if (d->generation != gen)
		return false;
	if (missed) {
		rx_missed(d, q);
		return false;
	}
	if (ok) {
		/* The statistics are the part's view: it saw no fault. */
		rx_stats(d, d->rxbuf, flen + (vp ? 4 : 0) + E1000E_FCS_LEN);
		ok = !lost;
	}
	if (ok) {
		d->cnt.rx_frames++;
		d->cnt.rx_bytes += len;
	}
	if (!wrote)
		return ok;
	extra = 0;
	/* RXDMT0: free descriptors fell to RCTL.RDMTS of the ring. */
	if (e1000e_ring_get(d, bal, &r)) {
		thr = r.n >> (((rctl & E1000E_RCTL_RDMTS_MASK) >>
		    E1000E_RCTL_RDMTS_SHIFT) + 1);
		if (before > thr && rx_owned(&r) <= thr)
			extra |= E1000E_ICR_RXDMT0;
	}
	/* Small packet (RSRPD, §10.2.5.13) and ACK detection (RFCTL). */
	if (total < (e1000e_reg(d, E1000E_RSRPD) & 0xFFF))
		extra |= E1000E_ICR_SRPD;
	if (!(e1000e_reg(d, E1000E_RFCTL) & E1000E_RFCTL_ACK_DIS) &&
	    (m.staterr & E1000E_RXDX_STA_ACK))
		extra |= E1000E_ICR_ACK;
	e1000e_intr_rx(d, q, true, extra);
	return ok;
}
