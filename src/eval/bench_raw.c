/*
 * bench_raw.c — the raw arm: the user-level driver's data path with every
 * check taken away, the simulator's own floor.
 *
 * The process opens the NIC as the capio arm does (attach, map, info), so
 * the device, its IOMMU windows and the rings are exactly the capio
 * arm's. Then the benchmark rig turns the granted regions into host
 * pointers through the kernel's page tables and hands over the device's
 * BAR0 callbacks: descriptors and frames move with memcpy, doorbells are
 * direct calls into the device model. No capability, no TLB, no bus.
 * What the memory itself does stays: a data store clears the capability
 * tags it covers, so raw differs from the checked arms by the checks
 * alone.
 *
 * This lives in the benchmark only (src/eval/bench_*): nothing a process
 * can reach through the kernel gives it host pointers.
 */
#include <errno.h>
#include <string.h>

#include "eval/bench_port.h"
#include "board/board.h"
#include "dev/e1000e.h"
#include "dev/e1000e_desc.h"
#include "dev/e1000e_ring.h"
#include "kernel/kernel.h"
#include "machine/aspace.h"
#include "machine/phys.h"

uint8_t *
bench_raw_host(struct kernel *k, int pid, cap_t c, uint64_t *pap)
{
	uint64_t va = cheri_base_get(c), len = cheri_length_get(c);
	uint64_t pa0, pa;

	if (!cheri_tag_get(c) || len == 0 ||
	    kernel_proc_translate(k, pid, va, &pa0) != 0)
		return NULL;
	/* The kernel allocates DMA regions contiguous; check it did. */
	for (uint64_t off = MMU_PAGE_SIZE - (va & MMU_PAGE_MASK); off < len;
	    off += MMU_PAGE_SIZE)
		if (kernel_proc_translate(k, pid, va + off, &pa) != 0 ||
		    pa != pa0 + off)
			return NULL;
	*pap = pa0;
	return phys_ram_ptr(board_phys(kernel_board(k)), pa0, len);
}

int
bench_raw_open(struct bench_raw *r, struct udrv *u, struct kernel *k, int pid)
{
	memset(r, 0, sizeof *r);
	r->u = u;
	r->phys = board_phys(kernel_board(k));
	r->txr = bench_raw_host(k, pid, u->txr, &r->txr_pa);
	r->rxr = bench_raw_host(k, pid, u->rxr, &r->rxr_pa);
	r->txb = bench_raw_host(k, pid, u->txb, &r->txb_pa);
	r->rxb = bench_raw_host(k, pid, u->rxb, &r->rxb_pa);
	r->nic = board_nic(kernel_board(k), u->dev);
	r->ops = &e1000e_mmio_ops;
	if (r->txr == NULL || r->rxr == NULL || r->txb == NULL ||
	    r->rxb == NULL || r->nic == NULL)
		return -EFAULT;
	return 0;
}

int
bench_raw_tx_burst(struct bench_raw *r, const struct udrv_frame *f, int n)
{
	struct udrv *d = r->u;
	int sent = 0;

	while (d->tx_clean != d->tx_tail &&
	    (r->txr[d->tx_clean * E1000E_DESC_SIZE + E1000E_TXD_STA_OFF] &
	    E1000E_TXD_STA_DD))
		d->tx_clean = e1000e_ring_next(d->tx_clean, d->ntxd);
	for (; sent < n; sent++) {
		uint8_t *desc = r->txr + d->tx_tail * E1000E_DESC_SIZE;
		struct e1000e_tx_desc td;
		uint16_t len = f[sent].len;

		if (e1000e_ring_space(d->tx_clean, d->tx_tail, d->ntxd) == 0) {
			d->st.tx_full++;
			break;
		}
		if (len > d->bufsize)
			len = (uint16_t)d->bufsize;
		memcpy(r->txb + (size_t)d->tx_tail * d->bufsize, f[sent].data, len);
		phys_tags_clear(r->phys, r->txb_pa + (uint64_t)d->tx_tail *
		    d->bufsize, len);
		td = (struct e1000e_tx_desc){
			.addr = d->txb_dma + (uint64_t)d->tx_tail * d->bufsize,
			.length = len,
			.cmd = E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_IFCS |
			    E1000E_TXD_CMD_RS,
		};
		e1000e_tx_desc_pack(&td, desc);
		phys_tags_clear(r->phys, r->txr_pa + (uint64_t)d->tx_tail *
		    E1000E_DESC_SIZE, E1000E_DESC_SIZE);
		d->tx_tail = e1000e_ring_next(d->tx_tail, d->ntxd);
		d->st.tx_frames++;
		d->st.tx_bytes += len;
		r->copy_bytes += len;
	}
	if (sent > 0) {
		r->ops->write(r->nic, E1000E_TDT, d->tx_tail, 4);
		r->doorbells++;
		d->st.doorbells++;
	}
	return sent;
}

int
bench_raw_rx_burst(struct bench_raw *r, struct udrv_frame *f, int n)
{
	struct udrv *d = r->u;
	unsigned last = d->nrxd;
	int got = 0;

	while (got < n) {
		uint8_t *qw1 = r->rxr + d->rx_next * E1000E_DESC_SIZE +
		    E1000E_DESC_QW1_OFF;
		struct e1000e_rx_desc rd;
		uint16_t len;

		e1000e_rx_desc_set_qw1(&rd, e1000e_desc_get64(qw1));
		len = rd.length;
		if (!(rd.status & E1000E_RXD_STA_DD))
			break;
		if ((rd.status & E1000E_RXD_STA_EOP) && len <= d->bufsize) {
			uint16_t ncopy = len < f[got].size ? len : f[got].size;
			memcpy(f[got].data, r->rxb + (size_t)d->rx_next * d->bufsize,
			    ncopy);
			f[got].len = ncopy;
			got++;
			d->st.rx_frames++;
			d->st.rx_bytes += len;
			r->copy_bytes += ncopy;
		} else
			d->st.rx_dropped++;
		e1000e_desc_put64(qw1, 0);
		phys_tags_clear(r->phys, r->rxr_pa + (uint64_t)d->rx_next *
		    E1000E_DESC_SIZE + E1000E_DESC_QW1_OFF, 8);
		last = d->rx_next;
		d->rx_next = e1000e_ring_next(d->rx_next, d->nrxd);
	}
	if (last != d->nrxd) {
		r->ops->write(r->nic, E1000E_RDT, last, 4);
		r->doorbells++;
		d->st.doorbells++;
	}
	return got;
}
