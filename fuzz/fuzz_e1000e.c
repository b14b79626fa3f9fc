/*
 * fuzz_e1000e.c — libFuzzer target for the 82574L model. Each input is a
 * program of register writes and reads (any size, any offset, the 82542
 * aliases included), RAM writes into the DMA windows, descriptor writes
 * (legacy; TCP/IP context and data descriptors with offload, segmentation
 * and VLAN bits), frame deliveries (patterned, or IPv4/IPv6 TCP/UDP
 * headers with fuzzed fields for the checksum, VLAN and RSS paths),
 * offload and interrupt configuration (extended descriptors, RSS, VLAN,
 * MSI and MSI-X modes, ITR and the delay timers), machine clock steps,
 * carrier changes and resets, run against a fresh device that has a
 * clock for half the inputs.
 *
 * Oracles, checked after every operation or input: nothing outside the
 * DMA windows changed (canary RAM), every frame the NIC sent is
 * 14..16388 bytes (a VLAN tag on the largest frame), every message asks
 * for a vector below 5, and the INTx line is up only with a cause
 * pending under IMS, and exactly then in INTx mode without a clock.
 * ASan/UBSan catch the rest. Work per input is bounded: at most MAX_OPS
 * operations, each clock step at most one second of machine time.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/e1000e.h"
#include "dev/e1000e_desc.h"
#include "fuzz_prog.h"
#include "machine/clock.h"
#include "machine/iommu.h"
#include "machine/phys.h"

#define RAM	0x100000u
#define RAM_SIZE 0x20000u
#define RW	0x100000u	/* DMA read/write window */
#define RW_SIZE	0x10000u
#define RO	0x110000u	/* DMA read-only window */
#define RO_SIZE	0x4000u
#define CANARY	0x118000u	/* never touched by the device */
#define CANARY_SIZE 0x8000u
#define MAX_OPS	512

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct phys *phys;
static struct iommu *io;
static struct e1000e *dev;
static struct mclock *clk;
static enum e1000e_intr_mode mode;
static uint8_t frame[E1000E_FRAME_MAX + 16];
static uint8_t pattern[CANARY_SIZE];

static void
xmit(void *wire, const uint8_t *f, size_t len)
{
	(void)wire;
	if (f == NULL || len < 14 || len > E1000E_FRAME_MAX + 4)
		abort();
	/* Touch every byte so ASan sees a short buffer. */
	volatile uint8_t sink = 0;
	for (size_t i = 0; i < len; i++)
		sink ^= f[i];
	(void)sink;
}

static void
msg(void *owner, unsigned vector)
{
	(void)owner;
	if (vector >= E1000E_MSIX_VECTORS)
		abort();
}

static void
setup(void)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

	phys = phys_new();
	if (phys == NULL || phys_add_ram(phys, RAM, RAM_SIZE) != 0)
		abort();
	io = iommu_new(phys, "e1000e0");
	if (io == NULL ||
	    iommu_map(io, RW, RW, RW_SIZE, IOMMU_READ | IOMMU_WRITE) != 0 ||
	    iommu_map(io, RO, RO, RO_SIZE, IOMMU_READ) != 0)
		abort();
	dev = e1000e_new("e1000e0", mac, io);
	if (dev == NULL || (clk = mclock_new()) == NULL)
		abort();
	e1000e_set_msg_handler(dev, msg, msg, NULL);
	memset(pattern, 0xA5, sizeof(pattern));
}

static void
w32(uint32_t off, uint32_t v)
{
	e1000e_mmio_ops.write(dev, off, v, 4);
}

/* A sane configuration the program then perturbs. */
static void
bring_up(uint8_t n)
{
	unsigned nd = 8u * (1u + (n & 7));
	unsigned i;
	uint8_t d[16];

	w32(E1000E_CTRL, 0x00140241);
	w32(E1000E_TDBAL, RW);
	w32(E1000E_TDLEN, nd * 16);
	w32(E1000E_RDBAL, RW + 0x1000);
	w32(E1000E_RDLEN, nd * 16);
	memset(d, 0, sizeof(d));
	for (i = 0; i < nd; i++) {
		uint64_t buf = RW + 0x2000 + 0x400u * (i % 48);

		memcpy(d, &buf, 8);
		phys_write(phys, RW + 0x1000 + 16 * i, d, 16);
	}
	w32(E1000E_RDT, nd - 1);
	w32(E1000E_RCTL, E1000E_RCTL_EN | E1000E_RCTL_BAM |
	    ((n & 8) ? E1000E_RCTL_SECRC : 0) | ((n & 16) ? (3u << 16) : 0));
	w32(E1000E_TCTL, E1000E_TCTL_EN | E1000E_TCTL_PSP);
	w32(E1000E_IMS, 0xFFFFFFFF);
}

static const uint32_t hot[] = {
	E1000E_CTRL, E1000E_RCTL, E1000E_TCTL, E1000E_ICR, E1000E_ICS,
	E1000E_IMS, E1000E_IMC, E1000E_EERD, E1000E_MDIC, E1000E_STATUS,
	E1000E_TDBAL, E1000E_TDBAH, E1000E_TDLEN, E1000E_TDH, E1000E_TDT,
	E1000E_RDBAL, E1000E_RDBAH, E1000E_RDLEN, E1000E_RDH, E1000E_RDT,
	E1000E_TDBAL1, E1000E_TDLEN1, E1000E_TDH1, E1000E_TDT1, E1000E_TARC0,
	E1000E_RAL(0), E1000E_RAH(0), E1000E_MTA, E1000E_CTRL_EXT,
	E1000E_IAM, E1000E_GORCH, E1000E_GORCL, E1000E_SWSM, E1000E_RDLEN1,
	E1000E_RFCTL, E1000E_RXCSUM, E1000E_MRQC, E1000E_RETA, E1000E_RSSRK,
	E1000E_VFTA, E1000E_VET, E1000E_IVAR, E1000E_EIAC, E1000E_EITR(0),
	E1000E_ITR, E1000E_TIDV, E1000E_TADV, E1000E_RDTR, E1000E_RADV,
	E1000E_RAID, E1000E_RSRPD, E1000E_PBACLR, E1000E_EEWR, E1000E_RDBAL1,
	E1000E_RDT1, E1000E_RDH1, E1000E_PSRCTL, 0x0438, 0x0128, 0x0040,
};

/* A TCP/IP context or data descriptor (DEXT): offsets, lengths and
 * commands from the input, the data buffer mostly in the windows. */
static void
op_ext_descriptor(struct prog *pr)
{
	uint8_t which = (uint8_t)take(pr, 1);
	uint32_t idx = (uint32_t)take(pr, 1);
	uint64_t q0 = take(pr, 8), q1 = take(pr, 8);
	uint8_t d[16];
	unsigned b;

	if (which & 1) {		/* data: a buffer, DTYP 1 */
		if (!(which & 2))
			q0 = RAM + q0 % (RAM_SIZE + 0x1000);
		q1 = (q1 & ~(0xFull << 20)) | 1ull << 20;
	} else {			/* context: DTYP 0 */
		q1 &= ~(0xFull << 20);
	}
	q1 |= (uint64_t)E1000E_TXD_CMD_DEXT << 24;
	for (b = 0; b < 8; b++) {
		d[b] = (uint8_t)(q0 >> (8 * b));
		d[8 + b] = (uint8_t)(q1 >> (8 * b));
	}
	phys_write(phys, RW + 16u * (idx % 256), d, 16);
}

/* An Ethernet frame with a VLAN tag or not, IPv4 or IPv6, TCP or UDP,
 * every length and header field from the input. */
static void
op_deliver_ip(struct prog *pr)
{
	uint8_t sel = (uint8_t)take(pr, 1);
	size_t len = 14 + (size_t)take(pr, 2) % 1600, off = 12, i;
	struct netport *port = e1000e_port(dev);

	for (i = 0; i < len; i++)
		frame[i] = (uint8_t)take(pr, 1);
	memcpy(frame, (const uint8_t[6]){ 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
	    6);
	if (sel & 1) {
		frame[off] = 0x81;
		frame[off + 1] = 0x00;
		off += 4;
	}
	if (len > off + 2) {
		frame[off] = (sel & 2) ? 0x86 : 0x08;
		frame[off + 1] = (sel & 2) ? 0xDD : 0x00;
	}
	if (len > off + 12) {
		if (sel & 2) {
			frame[off + 2] = 0x60;
			frame[off + 8] = (sel & 4) ? 6 : 17;
		} else {
			frame[off + 2] = (uint8_t)(0x40 | (5 + (sel >> 5)));
			frame[off + 11] = (sel & 4) ? 6 : 17;
		}
	}
	(void)port->deliver(port->nic, frame, len);
}

static void
op_descriptor(struct prog *pr)
{
	uint8_t which = (uint8_t)take(pr, 1);
	uint32_t idx = (uint32_t)take(pr, 1);
	uint64_t addr;
	uint8_t d[16];
	uint64_t ring = (which & 1) ? RW + 0x1000 : RW;

	/* Buffers mostly inside the windows, sometimes anywhere. */
	if (which & 2)
		addr = take(pr, 8);
	else
		addr = RAM + take(pr, 3) % (RAM_SIZE + 0x1000);
	memset(d, 0, sizeof(d));
	memcpy(d, &addr, 8);
	d[8] = (uint8_t)take(pr, 1);
	d[9] = (uint8_t)take(pr, 1);
	d[10] = (uint8_t)take(pr, 1);
	d[11] = (uint8_t)take(pr, 1);
	d[12] = (uint8_t)take(pr, 1);
	phys_write(phys, ring + 16u * (idx % 256), d, 16);
}

static void
op_deliver(struct prog *pr)
{
	static const uint8_t dst[4][6] = {
		{ 0x52, 0x54, 0, 0x12, 0x34, 0x56 },
		{ 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF },
		{ 0x01, 0x00, 0x5E, 0x00, 0x00, 0x01 },
		{ 0x02, 0x00, 0x00, 0x00, 0x00, 0x09 },
	};
	uint8_t sel = (uint8_t)take(pr, 1);
	size_t len = (size_t)take(pr, 2) % (sizeof(frame) + 1);
	size_t i;
	struct netport *port = e1000e_port(dev);

	for (i = 0; i < len; i++)
		frame[i] = (uint8_t)(i * 7 + sel);
	if (len >= 6)
		memcpy(frame, dst[sel & 3], 6);
	(void)port->deliver(port->nic, len == 0 && (sel & 4) ? NULL : frame,
	    len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prog pr = { data, size };
	struct netport *port;
	uint8_t *canary;
	unsigned ops;
	uint32_t off;
	uint64_t v;
	bool pending;

	if (phys == NULL)
		setup();
	port = e1000e_port(dev);
	port->xmit = xmit;
	port->wire = NULL;
	port->carrier = true;
	memset(phys_ram_ptr(phys, RAM, CANARY - RAM), 0, CANARY - RAM);
	canary = phys_ram_ptr(phys, CANARY, CANARY_SIZE);
	memcpy(canary, pattern, CANARY_SIZE);
	/* Half the inputs run with a clock, half without. */
	e1000e_set_clock(dev, size > 0 && (data[0] & 1) ? clk : NULL);
	mode = E1000E_INTR_INTX;
	e1000e_set_intr_mode(dev, mode);
	e1000e_reset(dev);

	for (ops = 0; ops < MAX_OPS && pr.n > 0; ops++) {
		switch (take(&pr, 1) % 15) {
		case 0:		/* any 32-bit register */
			off = (uint32_t)(take(&pr, 2) & 0x7FFF) * 4;
			w32(off, (uint32_t)take(&pr, 4));
			break;
		case 1:		/* a register that matters */
			off = hot[take(&pr, 1) % (sizeof(hot) / sizeof(hot[0]))];
			w32(off, (uint32_t)take(&pr, 4));
			break;
		case 2:		/* a read, side effects and all */
			off = (uint32_t)(take(&pr, 2) & 0x7FFF) * 4;
			(void)e1000e_mmio_ops.read(dev, off, 4);
			break;
		case 3:		/* odd sizes and offsets */
			prog_mmio_odd(&pr, &e1000e_mmio_ops, dev, 3);
			break;
		case 4:		/* RAM in the read/write window */
			prog_ram_write(&pr, phys, RW, RW_SIZE, 2);
			break;
		case 5:
			op_descriptor(&pr);
			break;
		case 6:
			op_deliver(&pr);
			break;
		case 7:
			port->carrier = take(&pr, 1) & 1;
			e1000e_link_changed(dev);
			break;
		case 8:
			if (take(&pr, 1) == 0x5A)
				e1000e_reset(dev);
			break;
		case 9:
			bring_up((uint8_t)take(&pr, 1));
			break;
		case 10:	/* the doorbells */
			v = take(&pr, 2);
			w32((v & 1) ? E1000E_TDT : E1000E_RDT,
			    (uint32_t)(v >> 1) & 0xFF);
			break;
		case 11:
			op_ext_descriptor(&pr);
			break;
		case 12:
			op_deliver_ip(&pr);
			break;
		case 13:	/* INTx, MSI, MSI-X */
			mode = (enum e1000e_intr_mode)(take(&pr, 1) % 3);
			e1000e_set_intr_mode(dev, mode);
			break;
		case 14:	/* time passes: up to a second */
			mclock_advance(clk, mclock_now(clk) +
			    (int64_t)(take(&pr, 4) % 1000000000u));
			break;
		}
		pending = (e1000e_peek(dev, E1000E_ICR) & e1000e_peek(dev,
		    E1000E_IMS) & ~E1000E_ICR_INT_ASSERTED) != 0;
		if (e1000e_irq_level(dev) && (!pending ||
		    mode != E1000E_INTR_INTX))
			abort();
		if (mode == E1000E_INTR_INTX && size > 0 && !(data[0] & 1) &&
		    e1000e_irq_level(dev) != pending)
			abort();
	}
	if (memcmp(canary, pattern, CANARY_SIZE) != 0)
		abort();
	return (0);
}
