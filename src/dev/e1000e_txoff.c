/*
 * e1000e_txoff.c — what happens to a gathered frame before it leaves
 * (82574L datasheet §7.2, §7.3): the checksums its descriptors ask for,
 * TCP segmentation, the 802.1Q tag, padding, statistics.
 *
 * Checksums (§7.2.10.2-§7.2.10.3): with extended data descriptors, POPTS
 * IXSM inserts the ones' complement sum of IPCSS..IPCSE at IPCSO, TXSM
 * that of TUCSS..TUCSE at TUCSO (an end of 0 meaning the end of the
 * frame), the offsets from the last context descriptor. The TCP/UDP sum
 * covers what software left in the checksum field (the pseudo-header
 * sum, as drivers put it there). A legacy descriptor with IC inserts the
 * sum of CSS..end at CSO (§7.2.10.1).
 *
 * Segmentation (TSE in the context and data descriptors, §7.3): the
 * first HDRLEN bytes are the header repeated in every segment, the rest
 * is cut into MSS-byte payloads. Each segment gets its IPv4 total length
 * and identification (+1 per segment) or IPv6 payload length, its TCP
 * sequence number (PSH and FIN on the last segment only) or UDP length,
 * and its checksums, the TCP/UDP one with the segment's length added to
 * the pseudo-header sum software left without it. TSCTC counts each
 * segmented frame, TSCTFC one whose context cannot be used.
 *
 * Loopback (RCTL.LBM 01, or the PHY's loopback bit): the frame goes to
 * this port's own receiver, not the wire.
 *
 * VLAN (802.1q support, §7.5; CTRL.VME and VLE on the EOP descriptor):
 * the tag (VET's type, the descriptor's special field) goes in after the
 * source address, after the checksums, whose offsets count without it.
 */
#include <string.h>

#include "dev/e1000e_core.h"
#include "net/inet_csum.h"

#define TCP_FIN		0x01u
#define TCP_PSH		0x08u
#define IPV6_HLEN	40u

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/*
 * Insert at F[SO] the complement of the sum of F[SS..SE] (SE inclusive;
 * 0: to the end of the LEN-byte frame), plus EXTRA. ZERO clears the
 * field first. Offsets outside the frame: nothing is inserted.
 */
static void
csum_insert(uint8_t *f, size_t len, size_t ss, size_t so, size_t se,
    uint64_t extra, bool zero)
{
	size_t end = se != 0 ? se + 1 : len;
	uint16_t c;

	if (ss >= end || end > len || so + 2 > len)
		return;
	if (zero)
		put16(f + so, 0);
	c = (uint16_t)~inet_csum_fold(inet_csum_add(extra, f + ss, end - ss));
	/* A computed 0 goes out as 0xFFFF (0 means "none" for UDP). */
	put16(f + so, c != 0 ? c : 0xFFFF);
}

static void
tx_stats(struct e1000e *d, const uint8_t *f, size_t len)
{
	size_t wire = len + E1000E_FCS_LEN;

	e1000e_stat_inc(d, E1000E_TPT, 1);
	e1000e_stat_inc(d, E1000E_GPTC, 1);
	e1000e_stat_add64(d, E1000E_GOTCL, wire);
	e1000e_stat_add64(d, E1000E_TOTL, wire);
	e1000e_stat_inc(d, e1000e_size_bucket(E1000E_PTC64, wire), 1);
	if (f[0] & 1) {
		static const uint8_t bc[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		    0xFF };

		e1000e_stat_inc(d, memcmp(f, bc, 6) == 0 ? E1000E_BPTC :
		    E1000E_MPTC, 1);
	}
	d->cnt.tx_frames++;
	d->cnt.tx_bytes += len;
}

/* One frame F of LEN bytes (room for 4 more) to the wire: the tag when
 * asked, padding under TCTL.PSP, statistics. */
static void
tx_send(struct e1000e *d, const struct e1000e_txq *t, uint8_t *f,
    size_t len)
{
	if (len < 14 && !(e1000e_reg(d, E1000E_TCTL) & E1000E_TCTL_PSP)) {
		d->cnt.tx_malformed++;
		return;
	}
	if ((t->eop.cmd & E1000E_TXD_CMD_VLE) && len >= 12 &&
	    (e1000e_reg(d, E1000E_CTRL) & E1000E_CTRL_VME)) {
		memmove(f + 16, f + 12, len - 12);
		put16(f + 12, (uint16_t)e1000e_reg(d, E1000E_VET));
		put16(f + 14, t->eop.special);
		len += 4;
	}
	if ((e1000e_reg(d, E1000E_TCTL) & E1000E_TCTL_PSP) &&
	    len < E1000E_FRAME_MIN) {
		memset(f + len, 0, E1000E_FRAME_MIN - len);
		len = E1000E_FRAME_MIN;
	}
	if (len < 14) {
		d->cnt.tx_malformed++;
		return;
	}
	e1000e_update_link(d);
	/* MAC loopback (RCTL.LBM 01) or PHY loopback (PHY control bit 14):
	 * the frame comes back to this receiver instead of the wire. */
	if ((e1000e_reg(d, E1000E_RCTL) & E1000E_RCTL_LBM_MASK) ==
	    E1000E_RCTL_LBM_MAC || e1000e_phy_loopback(d)) {
		if (!(e1000e_reg(d, E1000E_STATUS) & E1000E_STATUS_LU)) {
			d->cnt.tx_no_wire++;
			return;
		}
		tx_stats(d, f, len);
		(void)e1000e_rx_deliver(d, f, len);
		return;
	}
	if (d->port.xmit == NULL ||
	    !(e1000e_reg(d, E1000E_STATUS) & E1000E_STATUS_LU)) {
		d->cnt.tx_no_wire++;
		return;
	}
	tx_stats(d, f, len);
	d->port.xmit(d->port.wire, f, len);
}

/* The checksums of a frame that is not segmented. */
static void
tx_csums(struct e1000e_txq *t, uint8_t *f, size_t len)
{
	const struct e1000e_tx_ctx *c = &t->ctx;

	if (!t->ext) {
		if (t->eop.cmd & E1000E_TXD_CMD_IC)
			csum_insert(f, len, t->eop.css, t->eop.cso, 0, 0,
			    false);
		return;
	}
	if (t->popts & E1000E_TXD_POPTS_IXSM)
		csum_insert(f, len, c->ipcss, c->ipcso, c->ipcse, 0, true);
	if (t->popts & E1000E_TXD_POPTS_TXSM)
		csum_insert(f, len, c->tucss, c->tucso, c->tucse, 0, false);
}

/* Can the context segment this LEN-byte frame? */
static bool
tso_context_ok(const struct e1000e_tx_ctx *c, size_t len)
{
	bool ip4 = (c->tucmd & E1000E_TXD_TUCMD_IP) != 0;
	bool tcp = (c->tucmd & E1000E_TXD_TUCMD_TCP) != 0;
	size_t hdr = c->hdrlen;

	return hdr != 0 && c->mss != 0 && hdr <= len &&
	    hdr + c->mss <= E1000E_FRAME_MAX &&
	    (len - hdr + c->mss - 1) / c->mss <= E1000E_TSO_MAX_SEGS &&
	    c->ipcss + (ip4 ? 20u : IPV6_HLEN) <= hdr &&
	    c->tucss + (tcp ? 20u : 8u) <= hdr &&
	    (size_t)c->ipcso + 2 <= hdr && (size_t)c->tucso + 2 <= hdr;
}

static void
tx_segment(struct e1000e *d, struct e1000e_txq *t)
{
	const struct e1000e_tx_ctx *c = &t->ctx;
	bool ip4 = (c->tucmd & E1000E_TXD_TUCMD_IP) != 0;
	bool tcp = (c->tucmd & E1000E_TXD_TUCMD_TCP) != 0;
	size_t hdr = c->hdrlen, pay, off, chunk, n;
	uint64_t gen = d->generation;
	uint16_t id0;
	uint32_t seq0, l4len;
	unsigned i;

	e1000e_stat_inc(d, E1000E_TSCTC, 1);
	if (!tso_context_ok(c, t->len)) {
		e1000e_stat_inc(d, E1000E_TSCTFC, 1);
		d->cnt.tx_malformed++;
		return;
	}
	pay = t->len - hdr;
	id0 = get16(t->buf + c->ipcss + 4);
	seq0 = get32(t->buf + c->tucss + 4);
	for (off = 0, i = 0; off < pay || i == 0; off += chunk, i++) {
		chunk = pay - off < c->mss ? pay - off : c->mss;
		memcpy(t->seg, t->buf, hdr);
		memcpy(t->seg + hdr, t->buf + hdr + off, chunk);
		n = hdr + chunk;
		if (ip4) {
			put16(t->seg + c->ipcss + 2, (uint16_t)(n - c->ipcss));
			put16(t->seg + c->ipcss + 4, (uint16_t)(id0 + i));
		} else {
			put16(t->seg + c->ipcss + 4,
			    (uint16_t)(n - c->ipcss - IPV6_HLEN));
		}
		l4len = (uint32_t)(n - c->tucss);
		if (tcp) {
			put32(t->seg + c->tucss + 4, seq0 + (uint32_t)off);
			if (off + chunk < pay)
				t->seg[c->tucss + 13] &= (uint8_t)~(TCP_FIN |
				    TCP_PSH);
		} else {
			put16(t->seg + c->tucss + 4, (uint16_t)l4len);
		}
		if (t->popts & E1000E_TXD_POPTS_IXSM)
			csum_insert(t->seg, n, c->ipcss, c->ipcso, c->ipcse,
			    0, true);
		if (t->popts & E1000E_TXD_POPTS_TXSM) {
			uint8_t l[2];

			put16(l, (uint16_t)l4len);
			csum_insert(t->seg, n, c->tucss, c->tucso, 0,
			    inet_csum_add(0, l, 2), false);
		}
		tx_send(d, t, t->seg, n);
		if (d->generation != gen)
			return;
	}
}

void
e1000e_tx_finish(struct e1000e *d, struct e1000e_txq *t)
{
	if (t->bad)
		return;		/* counted when it went bad */
	if (t->len == 0) {
		d->cnt.tx_malformed++;
		return;
	}
	if (t->tse && (t->ctx.tucmd & E1000E_TXD_CMD_TSE)) {
		tx_segment(d, t);
		return;
	}
	if (t->len > E1000E_FRAME_MAX) {
		d->cnt.tx_malformed++;
		return;
	}
	tx_csums(t, t->buf, t->len);
	tx_send(d, t, t->buf, t->len);
}
