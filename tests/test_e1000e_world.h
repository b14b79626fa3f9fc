/*
 * test_e1000e_world.h — a minimal machine for the e1000e tests: 1 MiB of
 * RAM, an IOMMU with one read/write and one read-only window, the device's
 * BAR0 on the bus, and a fake wire that records what the NIC sends.
 *
 *	0x100000-0x17FFFF  RAM, DMA window read/write (identity mapped)
 *	0x180000-0x18FFFF  RAM, DMA window read-only
 *	0x190000-0x1FFFFF  RAM the device must never touch (canary)
 */
#ifndef CAPIO_TESTS_E1000E_WORLD_H
#define CAPIO_TESTS_E1000E_WORLD_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dev/e1000e.h"
#include "dev/e1000e_desc.h"
#include "machine/iommu.h"
#include "machine/phys.h"

#define W_RAM		0x100000u
#define W_RAM_SIZE	0x100000u
#define W_RW		0x100000u
#define W_RW_SIZE	0x80000u
#define W_RO		0x180000u
#define W_RO_SIZE	0x10000u
#define W_CANARY	0x190000u
#define W_CANARY_SIZE	0x70000u
#define W_BAR		0xF0000000u

/* Default ring layout inside the read/write window. */
#define W_TXRING	0x110000u
#define W_RXRING	0x120000u
#define W_TXBUF		0x130000u	/* 64 x 2 KiB */
#define W_RXBUF		0x150000u	/* 64 x 2 KiB */

#define W_MAXFRAMES	16

struct world {
	struct phys	*phys;
	struct iommu	*io;
	struct e1000e	*dev;
	uint8_t		 mac[6];
	/* Fake wire. */
	unsigned	 nframes;
	size_t		 flen[W_MAXFRAMES];
	uint8_t		*frame[W_MAXFRAMES];
	/* Interrupt line changes and DMA faults seen by the owner. */
	unsigned	 irq_changes;
	bool		 irq_level;
	unsigned	 faults;
};

static inline void
w_xmit(void *arg, const uint8_t *f, size_t len)
{
	struct world *w = arg;

	if (w->nframes < W_MAXFRAMES) {
		w->frame[w->nframes] = malloc(len);
		memcpy(w->frame[w->nframes], f, len);
		w->flen[w->nframes] = len;
	}
	w->nframes++;
}

static inline void
w_irq(void *arg, bool level)
{
	struct world *w = arg;

	w->irq_changes++;
	w->irq_level = level;
}

static inline void
w_fault(void *arg, const char *dev, const struct dma_fault *f)
{
	struct world *w = arg;

	(void)dev;
	(void)f;
	w->faults++;
}

static inline void
w_clear_frames(struct world *w)
{
	unsigned i;

	for (i = 0; i < w->nframes && i < W_MAXFRAMES; i++)
		free(w->frame[i]);
	w->nframes = 0;
}

static inline uint32_t
rd(struct world *w, uint32_t off)
{
	return ((uint32_t)e1000e_mmio_ops.read(w->dev, off, 4));
}

static inline void
wr(struct world *w, uint32_t off, uint32_t v)
{
	e1000e_mmio_ops.write(w->dev, off, v, 4);
}

static inline void
ram_fill(struct world *w, uint64_t pa, uint8_t byte, size_t len)
{
	uint8_t *p = phys_ram_ptr(w->phys, pa, len);

	memset(p, byte, len);
}

static inline void
ram_write(struct world *w, uint64_t pa, const void *buf, size_t len)
{
	CHECK(phys_write(w->phys, pa, buf, len) == 0);
}

static inline void
ram_read(struct world *w, uint64_t pa, void *buf, size_t len)
{
	CHECK(phys_read(w->phys, pa, buf, len) == 0);
}

/* True when every canary byte still holds 0xA5. */
static inline bool
canary_intact(struct world *w)
{
	const uint8_t *p = phys_ram_ptr(w->phys, W_CANARY, W_CANARY_SIZE);
	size_t i;

	for (i = 0; i < W_CANARY_SIZE; i++)
		if (p[i] != 0xA5)
			return (false);
	return (true);
}

static inline void
world_init(struct world *w)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(w, 0, sizeof(*w));
	memcpy(w->mac, mac, 6);
	w->phys = phys_new();
	CHECK(w->phys != NULL);
	CHECK(phys_add_ram(w->phys, W_RAM, W_RAM_SIZE) == 0);
	w->io = iommu_new(w->phys, "e1000e0");
	CHECK(w->io != NULL);
	CHECK(iommu_map(w->io, W_RW, W_RW, W_RW_SIZE,
	    IOMMU_READ | IOMMU_WRITE) == 0);
	CHECK(iommu_map(w->io, W_RO, W_RO, W_RO_SIZE, IOMMU_READ) == 0);
	iommu_set_fault_handler(w->io, w_fault, w);
	ram_fill(w, W_CANARY, 0xA5, W_CANARY_SIZE);
	w->dev = e1000e_new("e1000e0", mac, w->io);
	CHECK(w->dev != NULL);
	CHECK(phys_add_mmio(w->phys, W_BAR, E1000E_BAR0_SIZE, "e1000e0 BAR0",
	    &e1000e_mmio_ops, w->dev) == 0);
	e1000e_set_irq_handler(w->dev, w_irq, w);
}

/* Plug the fake wire in (carrier up). */
static inline void
world_wire(struct world *w)
{
	struct netport *p = e1000e_port(w->dev);

	p->xmit = w_xmit;
	p->wire = w;
	p->carrier = true;
	e1000e_link_changed(w->dev);
}

static inline void
world_free(struct world *w)
{
	w_clear_frames(w);
	e1000e_free(w->dev);
	iommu_free(w->io);
	phys_free(w->phys);
}

/* Write one legacy TX descriptor i of the ring at ring. */
static inline void
tx_desc(struct world *w, uint64_t ring, unsigned i, uint64_t buf,
    uint16_t len, uint8_t cmd)
{
	uint8_t d[16];
	unsigned b;

	memset(d, 0, sizeof(d));
	for (b = 0; b < 8; b++)
		d[b] = (uint8_t)(buf >> (8 * b));
	d[8] = (uint8_t)len;
	d[9] = (uint8_t)(len >> 8);
	d[11] = cmd;
	ram_write(w, ring + 16u * i, d, sizeof(d));
}

static inline uint8_t
tx_sta(struct world *w, uint64_t ring, unsigned i)
{
	uint8_t s;

	ram_read(w, ring + 16u * i + 12, &s, 1);
	return (s);
}

/* Write one legacy RX descriptor (buffer address, everything else 0). */
static inline void
rx_desc(struct world *w, uint64_t ring, unsigned i, uint64_t buf)
{
	uint8_t d[16];
	unsigned b;

	memset(d, 0, sizeof(d));
	for (b = 0; b < 8; b++)
		d[b] = (uint8_t)(buf >> (8 * b));
	ram_write(w, ring + 16u * i, d, sizeof(d));
}

struct rxwb {
	uint16_t len;
	uint8_t sta, err;
};

static inline struct rxwb
rx_wb(struct world *w, uint64_t ring, unsigned i)
{
	uint8_t d[16];
	struct rxwb r;

	ram_read(w, ring + 16u * i, d, sizeof(d));
	r.len = (uint16_t)(d[8] | d[9] << 8);
	r.sta = d[12];
	r.err = d[13];
	return (r);
}

/* Bring-up the way a driver does it: link, rings of n descriptors,
 * every RX descriptor given a 2 KiB buffer, receiver and transmitter on. */
static inline void
world_up(struct world *w, unsigned ntx, unsigned nrx)
{
	unsigned i;

	world_wire(w);
	wr(w, E1000E_CTRL, rd(w, E1000E_CTRL) | E1000E_CTRL_SLU);
	wr(w, E1000E_TDBAL, W_TXRING);
	wr(w, E1000E_TDBAH, 0);
	wr(w, E1000E_TDLEN, ntx * 16);
	wr(w, E1000E_TDH, 0);
	wr(w, E1000E_TDT, 0);
	wr(w, E1000E_RDBAL, W_RXRING);
	wr(w, E1000E_RDBAH, 0);
	wr(w, E1000E_RDLEN, nrx * 16);
	for (i = 0; i < nrx; i++)
		rx_desc(w, W_RXRING, i, W_RXBUF + 2048u * i);
	wr(w, E1000E_RDH, 0);
	wr(w, E1000E_RDT, nrx - 1);
	wr(w, E1000E_RCTL, E1000E_RCTL_EN | E1000E_RCTL_BAM |
	    E1000E_RCTL_SECRC);
	wr(w, E1000E_TCTL, E1000E_TCTL_EN | E1000E_TCTL_PSP);
	(void)rd(w, E1000E_ICR);
}

/* A frame to DST from SRC with a recognisable payload. */
static inline size_t
make_frame(uint8_t *f, size_t len, const uint8_t dst[6],
    const uint8_t src[6], uint8_t seed)
{
	size_t i;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0xB5;
	for (i = 14; i < len; i++)
		f[i] = (uint8_t)(seed + i);
	return (len);
}

#endif
