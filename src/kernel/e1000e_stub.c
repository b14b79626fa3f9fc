/*
 * e1000e_stub.c — the privileged part of the e1000e driver, as CAPIO
 * leaves it in the kernel: bring-up, control interrupts, handing the data
 * plane to an owner (and taking it back), and the kernel-mediated path.
 */
#include "kernel/e1000e_stub.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/e1000e_desc.h"
#include "dev/e1000e_regs.h"
#include "dev/e1000e_ring.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/kernel_priv.h"
#include "machine/access.h"
#include "machine/iommu.h"
#include "machine/phys.h"

enum { R_BAR0, R_TX_RING, R_RX_RING, R_TX_BUF, R_RX_BUF, R_COUNT };

struct ringset {
	uint64_t pa[R_COUNT];		/* [R_BAR0] unused */
};

struct e1000e_stub {
	struct kernel *k;
	int index;
	struct iommu *io;
	uint64_t bar;
	uint8_t mac[6];
	struct ringset kern, user;
	bool user_active;
	unsigned tx_tail, tx_clean, rx_next;	/* kernel path */
	bool irq_pending;
};

static uint32_t
rd(struct e1000e_stub *s, uint32_t off)
{
	return kernel_mmio_read(s->k, s->bar + off);
}

static void
wr(struct e1000e_stub *s, uint32_t off, uint32_t v)
{
	kernel_mmio_write(s->k, s->bar + off, v);
}

static uint64_t
region_size(unsigned r)
{
	return e1000e_manifest.regions[r].size;
}

static int
alloc_set(struct e1000e_stub *s, struct ringset *set)
{
	int err;

	/* A failure fails the boot, and the halt takes back what was had. */
	memset(set, 0, sizeof *set);
	for (unsigned r = R_TX_RING; r < R_COUNT; r++)
		if ((err = kernel_dma_alloc(s->k, region_size(r), &set->pa[r])) != 0)
			return err;
	return 0;
}

/* What one owner left in a ring set, gone before the next owner comes. */
static void
zero_set(struct e1000e_stub *s, const struct ringset *set)
{
	for (unsigned r = R_TX_RING; r < R_COUNT; r++)
		kernel_dma_zero(s->k, set->pa[r], region_size(r));
}

/* The device may DMA only into the regions of whoever drives it now. */
static void
open_windows(struct e1000e_stub *s, const struct ringset *set)
{
	iommu_unmap_all(s->io);
	if (!s->k->opts.iommu) {
		/* No IOMMU protection: the device reaches all of RAM, as under
		 * page-granular bypass without an IOMMU. */
		iommu_map(s->io, 0, 0, board_ram_size(s->k->board), IOMMU_READ | IOMMU_WRITE);
		return;
	}
	for (unsigned r = R_TX_RING; r < R_COUNT; r++)
		iommu_map(s->io, set->pa[r], set->pa[r], region_size(r),
		    e1000e_manifest.regions[r].dma_perm);
}

/* Descriptors in the kernel's own rings: these accesses cannot fail. */
static void
write_txd(struct e1000e_stub *s, uint64_t pa, const struct e1000e_tx_desc *d)
{
	uint8_t b[E1000E_DESC_SIZE];

	e1000e_tx_desc_pack(d, b);
	if (phys_write(s->k->phys, pa, b, sizeof b) != 0)
		abort();
}

static void
read_txd(struct e1000e_stub *s, uint64_t pa, struct e1000e_tx_desc *d)
{
	uint8_t b[E1000E_DESC_SIZE];

	if (phys_read(s->k->phys, pa, b, sizeof b) != 0)
		abort();
	e1000e_tx_desc_unpack(b, d);
}

static void
write_rxd(struct e1000e_stub *s, uint64_t pa, const struct e1000e_rx_desc *d)
{
	uint8_t b[E1000E_DESC_SIZE];

	e1000e_rx_desc_pack(d, b);
	if (phys_write(s->k->phys, pa, b, sizeof b) != 0)
		abort();
}

static void
read_rxd(struct e1000e_stub *s, uint64_t pa, struct e1000e_rx_desc *d)
{
	uint8_t b[E1000E_DESC_SIZE];

	if (phys_read(s->k->phys, pa, b, sizeof b) != 0)
		abort();
	e1000e_rx_desc_unpack(b, d);
}

static void
quiesce(struct e1000e_stub *s)
{
	wr(s, E1000E_RCTL, 0);
	wr(s, E1000E_TCTL, 0);
	wr(s, E1000E_TDBAL, 0);
	wr(s, E1000E_TDBAH, 0);
	wr(s, E1000E_TDLEN, 0);
	wr(s, E1000E_TDH, 0);
	wr(s, E1000E_TDT, 0);
	wr(s, E1000E_RDBAL, 0);
	wr(s, E1000E_RDBAH, 0);
	wr(s, E1000E_RDLEN, 0);
	wr(s, E1000E_RDH, 0);
	wr(s, E1000E_RDT, 0);
	iommu_unmap_all(s->io);
}

/* Point the device at a ring set and enable it, in the order of the
 * 82574L datasheet's transmit and receive initialisation: ring base and
 * length (TDBAL/TDBAH/TDLEN §10.2.6.4-6, RDBAL/RDBAH/RDLEN §10.2.5.5-7),
 * descriptors and RDT, then TCTL (§10.2.6.1) and RCTL (§10.2.5.1). */
static void
program(struct e1000e_stub *s, const struct ringset *set, bool kernel_path)
{
	quiesce(s);
	open_windows(s, set);
	wr(s, E1000E_TDBAL, (uint32_t)set->pa[R_TX_RING]);
	wr(s, E1000E_TDBAH, (uint32_t)(set->pa[R_TX_RING] >> 32));
	wr(s, E1000E_TDLEN, E1000E_TX_RING_SIZE);
	wr(s, E1000E_RDBAL, (uint32_t)set->pa[R_RX_RING]);
	wr(s, E1000E_RDBAH, (uint32_t)(set->pa[R_RX_RING] >> 32));
	wr(s, E1000E_RDLEN, E1000E_RX_RING_SIZE);
	if (kernel_path) {
		for (unsigned i = 0; i < E1000E_NRXD; i++) {
			struct e1000e_rx_desc d = {
				.addr = set->pa[R_RX_BUF] + (uint64_t)i * E1000E_BUF_SIZE,
			};
			write_rxd(s, set->pa[R_RX_RING] + i * E1000E_DESC_SIZE, &d);
		}
		s->tx_tail = s->tx_clean = s->rx_next = 0;
		wr(s, E1000E_RDT, E1000E_NRXD - 1);
	}
	/* CT and COLD matter in half duplex only, which no wire here has. */
	wr(s, E1000E_TCTL, E1000E_TCTL_EN | E1000E_TCTL_PSP |
	    (15u << E1000E_TCTL_CT_SHIFT) | (63u << E1000E_TCTL_COLD_SHIFT));
	/* BSIZE 00: 2048-byte buffers; strip the CRC; accept broadcast. */
	wr(s, E1000E_RCTL, E1000E_RCTL_EN | E1000E_RCTL_BAM | E1000E_RCTL_SECRC);
}

static void
irq(void *owner, bool level)
{
	struct e1000e_stub *s = owner;

	/* Only note it: the kernel services it outside device callbacks. */
	if (level) {
		s->irq_pending = true;
		s->k->irq_pending = true;
	}
}

/* EEPROM word through EERD: START with the address, poll DONE, the data
 * in bits 31:16 (the datasheet's "EEPROM Read Register"). Bounded: a device that never answers is a
 * boot failure, not a hang. */
static int
eeprom_word(struct e1000e_stub *s, unsigned word, uint16_t *out)
{
	wr(s, E1000E_EERD, (word << E1000E_EERD_ADDR_SHIFT) | E1000E_EERD_START);
	for (int i = 0; i < 1000; i++) {
		uint32_t v = rd(s, E1000E_EERD);
		if (v & E1000E_EERD_DONE) {
			*out = (uint16_t)(v >> E1000E_EERD_DATA_SHIFT);
			return 0;
		}
	}
	return -1;
}

struct e1000e_stub *
e1000e_stub_new(struct kernel *k, int index, const struct board_dev *bd,
    char *err, size_t errlen)
{
	struct e1000e_stub *s = calloc(1, sizeof *s);

	if (s == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->k = k;
	s->index = index;
	s->io = bd->iommu;
	s->bar = bd->bar;
	board_irq_attach(k->board, index, irq, s);

	/* Reset (CTRL.RST, §10.2.2.1), then mask every interrupt (IMC,
	 * §10.2.4.6) and clear what is pending (ICR is read-to-clear,
	 * §10.2.4.1), as the datasheet's initialisation sequence starts. */
	wr(s, E1000E_CTRL, rd(s, E1000E_CTRL) | E1000E_CTRL_RST);
	wr(s, E1000E_IMC, 0xffffffffu);
	(void)rd(s, E1000E_ICR);
	for (unsigned w = 0; w < 3; w++) {
		uint16_t v;
		if (eeprom_word(s, w, &v) != 0) {
			snprintf(err, errlen, "e1000e%d: EEPROM read timed out", index);
			free(s);
			return NULL;
		}
		s->mac[2 * w] = (uint8_t)v;
		s->mac[2 * w + 1] = (uint8_t)(v >> 8);
	}
	/* The MAC address from EEPROM words 0-2 into receive address 0 with
	 * AV (§10.2.5.22-23); an empty multicast table (§10.2.5.21). */
	wr(s, E1000E_RAL(0), (uint32_t)s->mac[0] | (uint32_t)s->mac[1] << 8 |
	    (uint32_t)s->mac[2] << 16 | (uint32_t)s->mac[3] << 24);
	wr(s, E1000E_RAH(0), (uint32_t)s->mac[4] | (uint32_t)s->mac[5] << 8 |
	    E1000E_RAH_AV);
	for (unsigned i = 0; i < E1000E_MTA_WORDS; i++)
		wr(s, E1000E_MTA + 4 * i, 0);
	/* The owner's regions too, now: a process's attach must never fail
	 * because other processes took the RAM since boot. */
	if (alloc_set(s, &s->kern) != 0 || alloc_set(s, &s->user) != 0) {
		snprintf(err, errlen, "e1000e%d: no memory for rings", index);
		free(s);
		return NULL;
	}
	program(s, &s->kern, true);
	/* Link up (CTRL.SLU), and the one interrupt the kernel keeps for
	 * itself whoever owns the data path: link status change (IMS). */
	wr(s, E1000E_CTRL, rd(s, E1000E_CTRL) | E1000E_CTRL_SLU);
	wr(s, E1000E_IMS, E1000E_ICR_LSC);
	return s;
}

void
e1000e_stub_free(struct e1000e_stub *s)
{
	if (s == NULL)
		return;
	board_irq_attach(s->k->board, s->index, NULL, NULL);
	free(s);	/* RAM goes away with the machine */
}

uint64_t
e1000e_stub_kernel_pa(const struct e1000e_stub *s, unsigned r)
{
	return r > R_BAR0 && r < R_COUNT ? s->kern.pa[r] : 0;
}

/* --- the CAPIO driver operations ---------------------------------------- */

/*
 * A NIC is one unit: the framework passes unit 0 only (it registered
 * one), so the operations ignore it.
 */
static uint64_t
op_region_pa(void *stub, unsigned unit, unsigned r)
{
	struct e1000e_stub *s = stub;

	(void)unit;
	return r == R_BAR0 ? s->bar : s->user.pa[r];
}

static int
op_attach(void *stub, unsigned unit)
{
	struct e1000e_stub *s = stub;

	(void)unit;
	s->user_active = true;
	program(s, &s->user, false);
	return 0;
}

static void
op_detach(void *stub, unsigned unit)
{
	struct e1000e_stub *s = stub;

	(void)unit;
	quiesce(s);
	zero_set(s, &s->user);
	s->user_active = false;
	program(s, &s->kern, true);
}

static void
op_info(void *stub, unsigned unit, struct sysret *r)
{
	struct e1000e_stub *s = stub;
	uint64_t mac = 0;

	(void)unit;
	for (int i = 5; i >= 0; i--)
		mac = mac << 8 | s->mac[i];
	r->x[E1000E_INFO_NTXD] = E1000E_NTXD;
	r->x[E1000E_INFO_NRXD] = E1000E_NRXD;
	r->x[E1000E_INFO_BUFSIZE] = E1000E_BUF_SIZE;
	r->x[E1000E_INFO_TXBUF_DMA] = s->user.pa[R_TX_BUF];
	r->x[E1000E_INFO_RXBUF_DMA] = s->user.pa[R_RX_BUF];
	r->x[E1000E_INFO_MAC] = mac;
}

static int64_t
op_send(void *stub, unsigned unit, struct proc *p, cap_t buf, uint64_t len)
{
	struct e1000e_stub *s = stub;
	const uint64_t ring = s->kern.pa[R_TX_RING];
	struct e1000e_tx_desc d;
	struct fault f;
	uint64_t bufpa;
	uint8_t *dst;

	(void)unit;
	if (s->user_active)
		return -EBUSY;
	if (len < 14 || len > 1518)
		return -EINVAL;
	/* Reclaim what the device has sent. */
	while (s->tx_clean != s->tx_tail) {
		read_txd(s, ring + s->tx_clean * E1000E_DESC_SIZE, &d);
		if (!(d.sta & E1000E_TXD_STA_DD))
			break;
		s->tx_clean = e1000e_ring_next(s->tx_clean, E1000E_NTXD);
	}
	if (e1000e_ring_space(s->tx_clean, s->tx_tail, E1000E_NTXD) == 0)
		return -EAGAIN;
	bufpa = s->kern.pa[R_TX_BUF] + (uint64_t)s->tx_tail * E1000E_BUF_SIZE;
	dst = phys_ram_ptr(s->k->phys, bufpa, len);
	if (dst == NULL)
		abort();
	if (access_copyin(p->as, buf, 0, dst, len, &f) != 0)
		return -EFAULT;
	phys_tags_clear(s->k->phys, bufpa, len);
	d = (struct e1000e_tx_desc){ .addr = bufpa, .length = (uint16_t)len,
	    .cmd = E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_IFCS | E1000E_TXD_CMD_RS };
	write_txd(s, ring + s->tx_tail * E1000E_DESC_SIZE, &d);
	s->tx_tail = e1000e_ring_next(s->tx_tail, E1000E_NTXD);
	wr(s, E1000E_TDT, s->tx_tail);
	return (int64_t)len;
}

static int64_t
op_recv(void *stub, unsigned unit, struct proc *p, cap_t buf, uint64_t max,
    struct sysret *r)
{
	struct e1000e_stub *s = stub;
	const uint64_t ring = s->kern.pa[R_RX_RING];

	(void)unit;
	if (s->user_active)
		return -EBUSY;
	for (unsigned tries = 0; tries < E1000E_NRXD; tries++) {
		uint64_t dpa = ring + s->rx_next * E1000E_DESC_SIZE;
		struct e1000e_rx_desc d;
		struct fault f;
		uint64_t n, len;
		uint8_t *src;
		unsigned cur = s->rx_next;
		bool whole;

		read_rxd(s, dpa, &d);
		if (!(d.status & E1000E_RXD_STA_DD))
			return -EAGAIN;
		whole = (d.status & E1000E_RXD_STA_EOP) != 0;
		len = d.length;
		n = len < max ? len : max;
		if (whole && n > 0) {
			src = phys_ram_ptr(s->k->phys, d.addr, n);
			if (src == NULL)
				abort();
			if (access_copyout(p->as, buf, 0, src, n, &f) != 0)
				return -EFAULT;	/* the frame stays for a retry */
		}
		/* Give the buffer back to the device. */
		d.status = 0;
		d.length = 0;
		write_rxd(s, dpa, &d);
		s->rx_next = e1000e_ring_next(cur, E1000E_NRXD);
		wr(s, E1000E_RDT, cur);
		if (!whole)
			continue;	/* a fragment of an oversized frame */
		r->x[0] = len;
		return (int64_t)n;
	}
	return -EAGAIN;
}

static void
op_flush(void *stub, unsigned unit)
{
	struct e1000e_stub *s = stub;
	const uint64_t ring = s->kern.pa[R_RX_RING];

	(void)unit;
	for (unsigned n = 0; n < E1000E_NRXD; n++) {
		uint64_t dpa = ring + s->rx_next * E1000E_DESC_SIZE;
		struct e1000e_rx_desc d;
		unsigned cur = s->rx_next;

		read_rxd(s, dpa, &d);
		if (!(d.status & E1000E_RXD_STA_DD))
			break;
		d.status = 0;
		d.length = 0;
		write_rxd(s, dpa, &d);
		s->rx_next = e1000e_ring_next(cur, E1000E_NRXD);
		wr(s, E1000E_RDT, cur);
	}
}

static void
op_service(void *stub)
{
	struct e1000e_stub *s = stub;
	uint32_t icr;

	if (!s->irq_pending)
		return;
	s->irq_pending = false;
	icr = rd(s, E1000E_ICR);	/* read-to-clear: the kernel's events */
	s->k->stats.interrupts++;
	if (icr & E1000E_ICR_LSC) {
		s->k->stats.link_changes++;
	}
}

const struct capio_driver e1000e_stub_driver = {
	.region_pa = op_region_pa,
	.attach = op_attach,
	.detach = op_detach,
	.flush = op_flush,
	.info = op_info,
	.send = op_send,
	.recv = op_recv,
	.service = op_service,
};
