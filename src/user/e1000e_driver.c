/*
 * e1000e_driver.c — transmit: reclaim sent descriptors (DD), copy each
 * frame into its TX buffer, write the descriptor, ring TDT once.
 * Receive: poll descriptors for DD, copy the frame out, clear the
 * descriptor, ring RDT once for the batch. Every access goes through a
 * capability; none is a system call.
 */
#include "user/e1000e_driver.h"

#include <errno.h>
#include <string.h>

#include "abi/e1000e.h"
#include "dev/e1000e_desc.h"
#include "dev/e1000e_regs.h"
#include "dev/e1000e_ring.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

int
udrv_open(struct udrv *d, int dev)
{
	static const char *const regions[] = {
		"bar0", "tx_ring", "rx_ring", "tx_buffers", "rx_buffers",
	};
	struct capio_grant g[5];
	uint64_t info[8];
	int err;

	memset(d, 0, sizeof *d);
	d->dev = dev;
	if ((err = capio_open_unit(dev, 0, regions, 5, &d->token, g,
	    info)) != 0)
		return err;
	d->tdt = capio_slice(&g[0], "TDT");
	d->rdt = capio_slice(&g[0], "RDT");
	d->tdh = capio_slice(&g[0], "TDH");
	d->rdh = capio_slice(&g[0], "RDH");
	d->status = capio_slice(&g[0], "STATUS");
	d->txr = g[1].caps[0];
	d->rxr = g[2].caps[0];
	d->txb = g[3].caps[0];
	d->rxb = g[4].caps[0];
	d->ntxd = (unsigned)info[E1000E_INFO_NTXD];
	d->nrxd = (unsigned)info[E1000E_INFO_NRXD];
	d->bufsize = (unsigned)info[E1000E_INFO_BUFSIZE];
	d->txb_dma = info[E1000E_INFO_TXBUF_DMA];
	d->rxb_dma = info[E1000E_INFO_RXBUF_DMA];
	for (int i = 0; i < 6; i++)
		d->mac[i] = (uint8_t)(info[E1000E_INFO_MAC] >> (8 * i));
	if (d->ntxd == 0 || d->nrxd == 0 || d->bufsize == 0)
		return -EINVAL;
	/* Hand the device every RX buffer but one: head == tail means the
	 * device owns none (82574L datasheet §7.1.8; e1000e_ring.h). Status
	 * 0 is what software must write before giving a descriptor back
	 * (§7.1.3). */
	for (unsigned i = 0; i < d->nrxd; i++) {
		st64(d->rxr, (int64_t)i * E1000E_DESC_SIZE + E1000E_DESC_ADDR_OFF,
		    d->rxb_dma + (uint64_t)i * d->bufsize);
		st64(d->rxr, (int64_t)i * E1000E_DESC_SIZE + E1000E_DESC_QW1_OFF, 0);
	}
	st32(d->rdt, 0, d->nrxd - 1);
	d->st.doorbells++;
	return 0;
}

/* Reclaim: descriptors the device has written back, STA.DD set because
 * we asked for it with CMD.RS (82574L datasheet §7.2.10.1). */
static void
tx_reclaim(struct udrv *d)
{
	while (d->tx_clean != d->tx_rung &&
	    (ld8(d->txr, (int64_t)d->tx_clean * E1000E_DESC_SIZE +
	    E1000E_TXD_STA_OFF) & E1000E_TXD_STA_DD))
		d->tx_clean = e1000e_ring_next(d->tx_clean, d->ntxd);
}

void
udrv_tx_flush(struct udrv *d)
{
	if (d->tx_rung == d->tx_tail)
		return;
	/* One doorbell for the burst: TDT one past the last descriptor
	 * written (§10.2.6.8), our one register slice. */
	st32(d->tdt, 0, d->tx_tail);
	d->tx_rung = d->tx_tail;
	d->st.doorbells++;
}

int
udrv_tx_queue(struct udrv *d, const struct udrv_frame *f, int n)
{
	int sent = 0;

	tx_reclaim(d);
	for (; sent < n; sent++) {
		int64_t desc = (int64_t)d->tx_tail * E1000E_DESC_SIZE;
		/* One buffer per frame: EOP on every descriptor, the device
		 * appends the FCS (IFCS), reports DD (RS). §7.2.10.1. */
		struct e1000e_tx_desc td = { .cmd = E1000E_TXD_CMD_EOP |
		    E1000E_TXD_CMD_IFCS | E1000E_TXD_CMD_RS };
		uint16_t len = f[sent].len;

		if (e1000e_ring_space(d->tx_clean, d->tx_tail, d->ntxd) == 0) {
			/* Full of what we have not rung for yet: ring. */
			udrv_tx_flush(d);
			tx_reclaim(d);
			if (e1000e_ring_space(d->tx_clean, d->tx_tail,
			    d->ntxd) == 0) {
				d->st.tx_full++;
				break;
			}
		}
		if (len > d->bufsize)
			len = (uint16_t)d->bufsize;
		stbytes(d->txb, (int64_t)d->tx_tail * d->bufsize, f[sent].data, len);
		td.addr = d->txb_dma + (uint64_t)d->tx_tail * d->bufsize;
		td.length = len;
		/* Checksum insertion by the NIC (§7.2.10.1): CSS..end summed,
		 * the result at CSO. */
		if (f[sent].csum_at != 0) {
			td.cmd |= E1000E_TXD_CMD_IC;
			td.css = f[sent].csum_start;
			td.cso = f[sent].csum_at;
		}
		st64(d->txr, desc + E1000E_DESC_ADDR_OFF, td.addr);
		st64(d->txr, desc + E1000E_DESC_QW1_OFF, e1000e_tx_desc_qw1(&td));
		d->tx_tail = e1000e_ring_next(d->tx_tail, d->ntxd);
		d->st.tx_frames++;
		d->st.tx_bytes += len;
	}
	return sent;
}

int
udrv_tx_burst(struct udrv *d, const struct udrv_frame *f, int n)
{
	int sent = udrv_tx_queue(d, f, n);

	udrv_tx_flush(d);
	return sent;
}

int
udrv_rx_burst(struct udrv *d, struct udrv_frame *f, int n)
{
	int got = 0;
	unsigned last = d->nrxd;	/* none recycled yet */

	while (got < n) {
		int64_t qw1 = (int64_t)d->rx_next * E1000E_DESC_SIZE +
		    E1000E_DESC_QW1_OFF;
		struct e1000e_rx_desc rd;
		uint16_t len;

		e1000e_rx_desc_set_qw1(&rd, ld64(d->rxr, qw1));
		len = rd.length;
		/* DD: the device wrote this one back; EOP: the frame ends in
		 * it (§7.1.3). A frame longer than one buffer is dropped. */
		if (!(rd.status & E1000E_RXD_STA_DD))
			break;
		if ((rd.status & E1000E_RXD_STA_EOP) && len <= d->bufsize) {
			uint16_t n_copy = len < f[got].size ? len : f[got].size;
			ldbytes(d->rxb, (int64_t)d->rx_next * d->bufsize, f[got].data, n_copy);
			f[got].len = n_copy;
			/* Receive checksum offload status (RXCSUM.TUOFLD,
			 * §7.1.6): the NIC summed the TCP/UDP segment. */
			f[got].l4_csum_good = !(rd.status &
			    E1000E_RXD_STA_IXSM) && (rd.status &
			    (E1000E_RXD_STA_TCPCS | E1000E_RXD_STA_UDPCS)) &&
			    !(rd.errors & E1000E_RXD_ERR_TCPE);
			got++;
			d->st.rx_frames++;
			d->st.rx_bytes += len;
		} else
			d->st.rx_dropped++;
		st64(d->rxr, qw1, 0);	/* clear status for reuse */
		last = d->rx_next;
		d->rx_next = e1000e_ring_next(d->rx_next, d->nrxd);
	}
	if (last != d->nrxd) {
		/* RDT at the last descriptor given back: the device stops one
		 * short of it (§10.2.5.9). */
		st32(d->rdt, 0, last);
		d->st.doorbells++;
	}
	return got;
}

bool
udrv_link_up(const struct udrv *d)
{
	return (ld32(d->status, 0) & E1000E_STATUS_LU) != 0;
}

int
udrv_close(struct udrv *d)
{
	return capio_goodbye(d->dev, d->token);
}
