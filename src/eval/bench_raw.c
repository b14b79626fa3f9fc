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
#include "kernel/kernel.h"
#include "machine/aspace.h"
#include "machine/phys.h"

/* Descriptor field offsets (legacy layout). */
#define D_ADDR	0
#define D_LEN	8
#define D_STA	12

/* The host address of a region capability's bytes (and its physical
 * address in *pap), or NULL. */
static uint8_t *
host_of(struct kernel *k, int pid, cap_t c, uint64_t *pap)
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
	r->txr = host_of(k, pid, u->txr, &r->txr_pa);
	r->rxr = host_of(k, pid, u->rxr, &r->rxr_pa);
	r->txb = host_of(k, pid, u->txb, &r->txb_pa);
	r->rxb = host_of(k, pid, u->rxb, &r->rxb_pa);
	r->nic = board_nic(kernel_board(k), u->dev);
	r->ops = &e1000e_mmio_ops;
	if (r->txr == NULL || r->rxr == NULL || r->txb == NULL ||
	    r->rxb == NULL || r->nic == NULL)
		return -EFAULT;
	return 0;
}

static void
put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

int
bench_raw_tx_burst(struct bench_raw *r, const struct udrv_frame *f, int n)
{
	struct udrv *d = r->u;
	int sent = 0;

	while (d->tx_clean != d->tx_tail &&
	    (r->txr[d->tx_clean * E1000E_DESC_SIZE + D_STA] & E1000E_TXD_STA_DD))
		d->tx_clean = (d->tx_clean + 1) % d->ntxd;
	for (; sent < n; sent++) {
		unsigned next = (d->tx_tail + 1) % d->ntxd;
		uint8_t *desc = r->txr + d->tx_tail * E1000E_DESC_SIZE;
		uint16_t len = f[sent].len;

		if (next == d->tx_clean) {
			d->st.tx_full++;
			break;
		}
		if (len > d->bufsize)
			len = (uint16_t)d->bufsize;
		memcpy(r->txb + (size_t)d->tx_tail * d->bufsize, f[sent].data, len);
		phys_tags_clear(r->phys, r->txb_pa + (uint64_t)d->tx_tail *
		    d->bufsize, len);
		put64(desc + D_ADDR, d->txb_dma + (uint64_t)d->tx_tail * d->bufsize);
		put64(desc + D_LEN, (uint64_t)len | (uint64_t)(E1000E_TXD_CMD_EOP |
		    E1000E_TXD_CMD_IFCS | E1000E_TXD_CMD_RS) << 24);
		phys_tags_clear(r->phys, r->txr_pa + (uint64_t)d->tx_tail *
		    E1000E_DESC_SIZE, E1000E_DESC_SIZE);
		d->tx_tail = next;
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
		uint8_t *desc = r->rxr + d->rx_next * E1000E_DESC_SIZE;
		uint64_t w = get64(desc + D_LEN);
		uint8_t status = (uint8_t)(w >> 32);
		uint16_t len = (uint16_t)w;

		if (!(status & E1000E_RXD_STA_DD))
			break;
		if ((status & E1000E_RXD_STA_EOP) && len <= d->bufsize) {
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
		put64(desc + D_LEN, 0);
		phys_tags_clear(r->phys, r->rxr_pa + (uint64_t)d->rx_next *
		    E1000E_DESC_SIZE + D_LEN, 8);
		last = d->rx_next;
		d->rx_next = (d->rx_next + 1) % d->nrxd;
	}
	if (last != d->nrxd) {
		r->ops->write(r->nic, E1000E_RDT, last, 4);
		r->doorbells++;
		d->st.doorbells++;
	}
	return got;
}
