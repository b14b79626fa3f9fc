/*
 * e1000e_tx.c — the transmit rings: legacy descriptors (82574L datasheet
 * §7.2.10.1) fetched by DMA from head to tail (e1000e_ring.h), buffers
 * gathered until EOP into one bounded frame, short frames padded
 * (TCTL.PSP, §10.2.6.1), the frame handed to the wire, and DD written
 * back when the descriptor asks (RS).
 *
 * One doorbell consumes at most one ring's worth of descriptors. A
 * descriptor fetch that faults stops the queue where it is (head stays on
 * the bad descriptor); a buffer that faults drops its frame but the
 * descriptors are still consumed and written back.
 */
#include <string.h>

#include "dev/e1000e_core.h"
#include "machine/iommu.h"

void
e1000e_tx_reset(struct e1000e *d)
{
	unsigned q;

	for (q = 0; q < E1000E_NQUEUES; q++) {
		d->txq[q].len = 0;
		d->txq[q].bad = false;
		d->txq[q].busy = false;
		d->txq[q].kick = false;
	}
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

/* EOP: send what queue q gathered, if it is a frame. */
static void
tx_send(struct e1000e *d, struct e1000e_txq *t)
{
	size_t len = t->len;
	bool bad = t->bad;

	t->len = 0;
	t->bad = false;
	if (bad)
		return;		/* counted when it went bad */
	if (len == 0) {
		d->cnt.tx_malformed++;
		return;
	}
	if ((e1000e_reg(d, E1000E_TCTL) & E1000E_TCTL_PSP) &&
	    len < E1000E_FRAME_MIN) {
		memset(t->buf + len, 0, E1000E_FRAME_MIN - len);
		len = E1000E_FRAME_MIN;
	}
	if (len < 14) {
		d->cnt.tx_malformed++;
		return;
	}
	e1000e_update_link(d);
	if (d->port.xmit == NULL ||
	    !(e1000e_reg(d, E1000E_STATUS) & E1000E_STATUS_LU)) {
		d->cnt.tx_no_wire++;
		return;
	}
	tx_stats(d, t->buf, len);
	d->port.xmit(d->port.wire, t->buf, len);
}

/* Gather one descriptor's buffer into the frame being built. */
static void
tx_gather(struct e1000e *d, struct e1000e_txq *t, uint64_t addr,
    uint32_t len)
{
	if (len == 0 || t->bad)
		return;
	if (len > E1000E_FRAME_MAX - t->len) {
		t->bad = true;
		d->cnt.tx_malformed++;
		return;
	}
	if (dma_read(d->dma, addr, t->buf + t->len, len) != 0) {
		t->bad = true;
		d->cnt.dma_faults++;
		return;
	}
	t->len += len;
}

/*
 * One pass over queue q: at most one ring's worth of descriptors. Returns
 * the interrupt causes to raise; *reset when a callback reset the device
 * (the caller must then touch nothing).
 */
static uint32_t
tx_pass(struct e1000e *d, unsigned q, bool *reset)
{
	uint32_t bal = E1000E_TDBAL + q * E1000E_QUEUE_STRIDE;
	struct e1000e_txq *t = &d->txq[q];
	uint64_t gen = d->generation;
	struct e1000e_ring r;
	struct e1000e_tx_desc td;
	uint32_t cause = 0, i, len;
	uint64_t daddr;
	uint8_t desc[E1000E_DESC_SIZE];
	bool eop;

	*reset = false;
	for (i = 0;; i++) {
		if (!e1000e_ring_get(d, bal, &r)) {
			if (r.n != 0)
				d->cnt.ring_errors++;
			break;
		}
		if (i >= r.n || r.head == r.tail)
			break;
		daddr = e1000e_ring_head_addr(&r);
		if (dma_read(d->dma, daddr, desc, sizeof(desc)) != 0) {
			d->cnt.dma_faults++;
			t->len = 0;
			t->bad = false;
			goto out;
		}
		e1000e_tx_desc_unpack(desc, &td);
		if (!(td.cmd & E1000E_TXD_CMD_DEXT)) {
			len = td.length;
			eop = (td.cmd & E1000E_TXD_CMD_EOP) != 0;
		} else if (e1000e_txd_dtyp(&td) == E1000E_TXD_DTYP_DATA) {
			/* Extended data descriptor: offloads not modelled,
			 * its buffer is sent as is. */
			len = e1000e_txd_ext_length(&td);
			eop = (td.cmd & E1000E_TXD_CMD_EOP) != 0;
		} else {
			/* Context descriptor: no data. */
			len = 0;
			eop = false;
		}
		tx_gather(d, t, td.addr, len);
		if (d->generation != gen)
			goto out;
		if (eop) {
			tx_send(d, t);
			if (d->generation != gen)
				goto out;
		}
		/* RS asks for DD in STA (82574L datasheet §7.2.10.1); only
		 * bytes 12-15 go back, unchanged but for DD. */
		if (td.cmd & E1000E_TXD_CMD_RS) {
			td.sta |= E1000E_TXD_STA_DD;
			e1000e_tx_desc_pack(&td, desc);
			if (dma_write(d->dma, daddr + E1000E_TXD_STA_OFF,
			    desc + E1000E_TXD_STA_OFF,
			    E1000E_DESC_SIZE - E1000E_TXD_STA_OFF) == 0)
				cause |= E1000E_ICR_TXDW;
			else
				d->cnt.dma_faults++;
			if (d->generation != gen)
				goto out;
		}
		d->cnt.tx_descs++;
		/* Re-read: a callback may have rewritten TDLEN or TDH. */
		if (!e1000e_ring_get(d, bal, &r)) {
			if (r.n != 0)
				d->cnt.ring_errors++;
			break;
		}
		e1000e_ring_advance(d, &r);
	}
	if (e1000e_ring_get(d, bal, &r) && r.head == r.tail)
		cause |= E1000E_ICR_TXQE;
out:
	*reset = d->generation != gen;
	return cause;
}

void
e1000e_tx_process(struct e1000e *d, unsigned q)
{
	struct e1000e_txq *t = &d->txq[q];
	uint64_t gen = d->generation;
	uint32_t cause;
	bool reset;

	if (!(e1000e_reg(d, E1000E_TCTL) & E1000E_TCTL_EN) ||
	    !(e1000e_reg(d, E1000E_TARC0 + q * E1000E_QUEUE_STRIDE) &
	    E1000E_TARC_ENABLE))
		return;
	/*
	 * A doorbell rung from inside one of our callbacks (the wire, the
	 * interrupt handler, the fault handler) is served by the loop
	 * below once the callback returns: no recursion, and every
	 * doorbell still gets its own ring's worth.
	 */
	if (t->busy) {
		t->kick = true;
		return;
	}
	t->busy = true;
	do {
		t->kick = false;
		cause = tx_pass(d, q, &reset);
		if (reset)
			goto out;
		if (cause != 0)
			e1000e_set_cause(d, cause);
		if (d->generation != gen)
			goto out;
	} while (t->kick &&
	    (e1000e_reg(d, E1000E_TCTL) & E1000E_TCTL_EN) &&
	    (e1000e_reg(d, E1000E_TARC0 + q * E1000E_QUEUE_STRIDE) &
	    E1000E_TARC_ENABLE));
	t->busy = false;
out:
	/* The burst is over: what the wire held back to go together goes. */
	if (d->port.xmit_end != NULL)
		d->port.xmit_end(d->port.wire);
}
