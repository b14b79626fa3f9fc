/*
 * e1000e_tx.c — the transmit rings: descriptors fetched by DMA from head
 * to tail (e1000e_ring.h) — legacy (82574L datasheet §7.2.10.1), TCP/IP
 * context (§7.2.10.2) and TCP/IP data (§7.2.10.3) — buffers gathered
 * until EOP into one bounded frame, which e1000e_txoff.c finishes
 * (checksums, segmentation, VLAN tag, padding) and hands to the wire;
 * DD is written back when the descriptor asks (RS), or for every
 * descriptor with IVAR's TX_INT_EVERY_WB.
 *
 * One doorbell consumes at most one ring's worth of descriptors. A
 * descriptor fetch that faults stops the queue where it is (head stays on
 * the bad descriptor); a buffer that faults drops its frame but the
 * descriptors are still consumed and written back.
 */
#include <string.h>

#include "dev/e1000e_core.h"
#include "machine/iommu.h"

static void
txq_clear_frame(struct e1000e_txq *t)
{
	t->len = 0;
	t->bad = false;
	t->started = false;
	t->ext = false;
	t->tse = false;
	t->popts = 0;
}

void
e1000e_tx_reset(struct e1000e *d)
{
	unsigned q;

	for (q = 0; q < E1000E_NQUEUES; q++) {
		txq_clear_frame(&d->txq[q]);
		memset(&d->txq[q].ctx, 0, sizeof(d->txq[q].ctx));
		d->txq[q].busy = false;
		d->txq[q].kick = false;
	}
}

/* How much one frame may gather: a segmentation payload, or a frame. */
static size_t
tx_limit(const struct e1000e_txq *t)
{
	return t->tse && (t->ctx.tucmd & E1000E_TXD_CMD_TSE) ?
	    E1000E_TSO_MAX : E1000E_FRAME_MAX;
}

/* Gather one descriptor's buffer into the frame being built. */
static void
tx_gather(struct e1000e *d, struct e1000e_txq *t, uint64_t addr,
    uint32_t len)
{
	if (len == 0 || t->bad)
		return;
	if (len > tx_limit(t) - t->len) {
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

/* A data or legacy descriptor TD joins the frame: its options (the
 * first descriptor's POPTS and TSE; the EOP descriptor's command). */
static void
tx_note(struct e1000e_txq *t, const struct e1000e_tx_desc *td, bool ext)
{
	if (!t->started) {
		t->started = true;
		t->ext = ext;
		t->tse = ext && (td->cmd & E1000E_TXD_CMD_TSE);
		t->popts = ext ? td->css : 0;
	}
	t->eop = *td;
}

/*
 * One pass over queue q: at most one ring's worth of descriptors. Says
 * whether a descriptor was written back (and whether the last one asked
 * for a delayed interrupt) and whether the ring ended empty; *reset
 * when a callback reset the device (the caller must then touch nothing).
 */
static void
tx_pass(struct e1000e *d, unsigned q, bool *reset, bool *wrote,
    bool *empty, bool *ide)
{
	uint32_t bal = E1000E_TDBAL + q * E1000E_QUEUE_STRIDE;
	struct e1000e_txq *t = &d->txq[q];
	uint64_t gen = d->generation;
	struct e1000e_ring r;
	struct e1000e_tx_desc td;
	uint32_t i, len;
	uint64_t daddr;
	uint8_t desc[E1000E_DESC_SIZE];
	bool eop, every = (e1000e_reg(d, E1000E_IVAR) &
	    E1000E_IVAR_TX_INT_EVERY_WB) != 0;

	*reset = false;
	*wrote = false;
	*empty = false;
	*ide = false;
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
			txq_clear_frame(t);
			goto out;
		}
		e1000e_tx_desc_unpack(desc, &td);
		eop = false;
		if (!(td.cmd & E1000E_TXD_CMD_DEXT)) {
			tx_note(t, &td, false);
			len = td.length;
			eop = (td.cmd & E1000E_TXD_CMD_EOP) != 0;
		} else if (e1000e_txd_dtyp(&td) == E1000E_TXD_DTYP_DATA) {
			tx_note(t, &td, true);
			len = e1000e_txd_ext_length(&td);
			eop = (td.cmd & E1000E_TXD_CMD_EOP) != 0;
		} else {
			/* Context descriptor: no data; it sets the offload
			 * parameters of the data descriptors after it. */
			e1000e_tx_ctx_unpack(desc, &t->ctx);
			len = 0;
		}
		tx_gather(d, t, td.addr, len);
		if (d->generation != gen)
			goto out;
		if (eop) {
			e1000e_tx_finish(d, t);
			txq_clear_frame(t);
			if (d->generation != gen)
				goto out;
		}
		/* RS asks for DD in STA (82574L datasheet §7.2.10.1); only
		 * bytes 12-15 go back, unchanged but for DD. IDE of the last
		 * one written back decides the delay. */
		if ((td.cmd & E1000E_TXD_CMD_RS) || every) {
			td.sta |= E1000E_TXD_STA_DD;
			e1000e_tx_desc_pack(&td, desc);
			if (dma_write(d->dma, daddr + E1000E_TXD_STA_OFF,
			    desc + E1000E_TXD_STA_OFF,
			    E1000E_DESC_SIZE - E1000E_TXD_STA_OFF) == 0) {
				*wrote = true;
				*ide = (td.cmd & E1000E_TXD_CMD_IDE) != 0;
			} else
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
		*empty = true;
out:
	*reset = d->generation != gen;
}

void
e1000e_tx_process(struct e1000e *d, unsigned q)
{
	struct e1000e_txq *t = &d->txq[q];
	uint64_t gen = d->generation;
	bool reset, wrote, empty, ide;

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
		tx_pass(d, q, &reset, &wrote, &empty, &ide);
		if (reset)
			goto out;
		e1000e_intr_tx(d, q, wrote, empty, ide);
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
