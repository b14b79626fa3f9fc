/*
 * e1000e_pci.c — the 82574L's PCI face (see e1000e_pci.h): configuration
 * space layout and reset values, the BAR1-BAR3 decoders, INTA, MSI and
 * MSI-X delivery, and DMA gating. The capability offsets are the
 * 82574L's (datasheet 9.3); the values are those QEMU's e1000e shows on
 * q35, where the function is a root-complex integrated endpoint.
 *
 * A message (MSI, or an MSI-X vector that is neither masked nor under
 * the function mask) is a 32-bit DMA write of its data to its address
 * through the function's IOMMU context, as PCI makes it: it lands in
 * RAM or faults like any other DMA. A masked MSI-X vector sets its
 * pending bit instead and fires when unmasked (PCI 3.0 §6.8.2).
 */
#include "dev/e1000e_pci.h"

#include <stdlib.h>
#include <string.h>

#include "dev/e1000e.h"
#include "machine/iommu.h"
#include "machine/pci.h"
#include "machine/phys.h"

#define FLASH_SIZE	0x20000u
#define IO_SIZE		0x20u
#define MSIX_SIZE	0x4000u
#define MSIX_VECTORS	5u
#define MSIX_PBA	0x2000u

#define CAP_PM		0xC8u
#define CAP_MSI		0xD0u
#define CAP_PCIE	0xE0u
#define CAP_MSIX	0xA0u

#define MSI_ENABLE	0x0001u		/* message control */
#define MSIX_ENABLE	0x8000u
#define MSIX_FMASK	0x4000u		/* function mask */
#define MSIX_VEC_MASKED	0x1u		/* vector control */

#define IOADDR		0x0u
#define IODATA		0x4u

struct e1000e_pci {
	struct e1000e	*dev;
	struct iommu	*dma;
	struct pci_func	*func;
	struct phys	*phys;
	uint32_t	 ioaddr;
	uint32_t	 msix[MSIX_VECTORS * 4];
	uint32_t	 pba;		/* MSI-X pending bits */
	uint64_t	 msg_faults;	/* messages the IOMMU refused */
};

/* BAR1: the flash window. No flash is fitted: reads 0, writes vanish. */
static uint64_t
flash_read(void *dev, uint64_t off, unsigned size)
{
	(void)dev;
	(void)off;
	(void)size;
	return 0;
}

static void
flash_write(void *dev, uint64_t off, uint64_t val, unsigned size)
{
	(void)dev;
	(void)off;
	(void)val;
	(void)size;
}

static const struct mmio_ops flash_ops = { flash_read, flash_write, NULL };

/*
 * BAR2: IOADDR selects a register, IODATA reads or writes it (always as
 * a whole dword: the window has no narrower path). Addresses past the
 * register file select nothing.
 */
static uint64_t
io_read(void *arg, uint64_t off, unsigned size)
{
	struct e1000e_pci *p = arg;

	(void)size;
	if (off == IOADDR)
		return p->ioaddr;
	if (off == IODATA && p->ioaddr < E1000E_BAR0_SIZE - 1)
		return e1000e_mmio_ops.read(p->dev, p->ioaddr & ~3u, 4);
	return 0;
}

static void
io_write(void *arg, uint64_t off, uint64_t val, unsigned size)
{
	struct e1000e_pci *p = arg;

	(void)size;
	if (off == IOADDR)
		p->ioaddr = (uint32_t)val;
	else if (off == IODATA && p->ioaddr < E1000E_BAR0_SIZE - 1)
		e1000e_mmio_ops.write(p->dev, p->ioaddr & ~3u,
		    (uint32_t)val, 4);
}

static const struct mmio_ops io_ops = { io_read, io_write, NULL };

/* Write one message: DATA (32 bits, little-endian) at ADDR. */
static void
msg_write(struct e1000e_pci *p, uint64_t addr, uint32_t data)
{
	uint8_t b[4] = { (uint8_t)data, (uint8_t)(data >> 8),
	    (uint8_t)(data >> 16), (uint8_t)(data >> 24) };

	if (dma_write(p->dma, addr, b, sizeof(b)) != 0)
		p->msg_faults++;
}

static bool
msix_vector_masked(const struct e1000e_pci *p, unsigned v)
{
	return (pci_cfg_read(p->func, CAP_MSIX + 2, 2) & MSIX_FMASK) ||
	    (p->msix[4 * v + 3] & MSIX_VEC_MASKED);
}

static void
msix_fire(struct e1000e_pci *p, unsigned v)
{
	if (msix_vector_masked(p, v)) {
		p->pba |= 1u << v;
		return;
	}
	p->pba &= ~(1u << v);
	msg_write(p, (uint64_t)p->msix[4 * v + 1] << 32 | p->msix[4 * v],
	    p->msix[4 * v + 2]);
}

/* Unmasked vectors with their pending bit set fire now. */
static void
msix_release(struct e1000e_pci *p)
{
	unsigned v;

	for (v = 0; v < MSIX_VECTORS; v++)
		if ((p->pba & (1u << v)) && !msix_vector_masked(p, v))
			msix_fire(p, v);
}

/* The device asks for vector V: MSI (V 0) or MSI-X. */
static void
msg_send(void *arg, unsigned v)
{
	struct e1000e_pci *p = arg;
	uint32_t ctl = pci_cfg_read(p->func, CAP_MSIX + 2, 2);

	if (ctl & MSIX_ENABLE) {
		if (v < MSIX_VECTORS)
			msix_fire(p, v);
		return;
	}
	if (pci_cfg_read(p->func, CAP_MSI + 2, 2) & MSI_ENABLE)
		msg_write(p, (uint64_t)pci_cfg_read(p->func, CAP_MSI + 8, 4) <<
		    32 | pci_cfg_read(p->func, CAP_MSI + 4, 4),
		    pci_cfg_read(p->func, CAP_MSI + 12, 2));
}

static void
msg_clear_pending(void *arg, unsigned v)
{
	struct e1000e_pci *p = arg;

	if (v < MSIX_VECTORS)
		p->pba &= ~(1u << v);
}

/*
 * BAR3: the MSI-X table (address low/high, data, vector control per
 * vector; every vector starts masked) at 0 and its pending-bit array at
 * MSIX_PBA (read-only). Table entries take dword writes; unmasking a
 * vector whose bit is pending sends it.
 */
static uint64_t
msix_read(void *arg, uint64_t off, unsigned size)
{
	struct e1000e_pci *p = arg;
	uint32_t v;

	if (size > 4 || (off & 3) + size > 4)
		return 0;
	if (off >= MSIX_PBA && off < MSIX_PBA + 8)
		v = off < MSIX_PBA + 4 ? p->pba : 0;
	else if (off < sizeof(p->msix))
		v = p->msix[off / 4];
	else
		return 0;
	v >>= 8 * (off & 3);
	return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void
msix_write(void *arg, uint64_t off, uint64_t val, unsigned size)
{
	struct e1000e_pci *p = arg;

	if (off >= sizeof(p->msix) || size != 4 || (off & 3) != 0)
		return;
	p->msix[off / 4] = (uint32_t)val;
	if ((off & 15) == 12)
		msix_release(p);
}

static const struct mmio_ops msix_ops = { msix_read, msix_write, NULL };

/* MSI or MSI-X enable, or the function mask, may have changed. */
static void
cfg_changed(void *arg, unsigned off, unsigned len)
{
	struct e1000e_pci *p = arg;
	uint32_t msix = pci_cfg_read(p->func, CAP_MSIX + 2, 2);
	enum e1000e_intr_mode mode = E1000E_INTR_INTX;

	(void)off;
	(void)len;
	if (msix & MSIX_ENABLE)
		mode = E1000E_INTR_MSIX;
	else if (pci_cfg_read(p->func, CAP_MSI + 2, 2) & MSI_ENABLE)
		mode = E1000E_INTR_MSI;
	e1000e_set_intr_mode(p->dev, mode);
	if (mode == E1000E_INTR_MSIX)
		msix_release(p);
}

static void
config_init(struct e1000e_pci *p)
{
	static const struct pci_ident id = { E1000E_VENDOR_ID,
	    E1000E_DEVICE_ID, 0, 0x020000 /* Ethernet */, E1000E_VENDOR_ID, 0,
	    1 /* INTA */ };
	struct pci_func *f = p->func;

	pci_cfg_init_header(f, &id);

	/* Power management 1.1 with DSI: power state, PME enable, data
	 * select writable; PME status write-1-to-clear. */
	(void)pci_cap_add(f, 0x01, CAP_PM, 8);
	pci_cfg_init16(f, CAP_PM + 2, 0x0022, 0, 0);
	pci_cfg_init16(f, CAP_PM + 4, 0, 0x1F03, 0x8000);
	/* MSI, one vector, 64-bit address: enable and the multiple
	 * message enable field are writable, as QEMU has them. */
	(void)pci_cap_add(f, 0x05, CAP_MSI, 14);
	pci_cfg_init16(f, CAP_MSI + 2, 0x0080, 0x0071, 0);
	pci_cfg_init32(f, CAP_MSI + 4, 0, 0xFFFFFFFC, 0);
	pci_cfg_init32(f, CAP_MSI + 8, 0, 0xFFFFFFFF, 0);
	pci_cfg_init16(f, CAP_MSI + 12, 0, 0xFFFF, 0);
	/* PCI Express v1, root-complex integrated endpoint, x1 2.5 GT/s. */
	(void)pci_cap_add(f, 0x10, CAP_PCIE, 20);
	pci_cfg_init16(f, CAP_PCIE + 2, 0x0091, 0, 0);
	pci_cfg_init32(f, CAP_PCIE + 4, 0x00008000, 0, 0);
	pci_cfg_init32(f, CAP_PCIE + 12, 0x00000411, 0, 0);
	pci_cfg_init16(f, CAP_PCIE + 18, 0x0011, 0, 0);
	/* MSI-X: 5 vectors, table and PBA in BAR3; enable and function
	 * mask writable. */
	(void)pci_cap_add(f, 0x11, CAP_MSIX, 12);
	pci_cfg_init16(f, CAP_MSIX + 2, MSIX_VECTORS - 1,
	    MSIX_ENABLE | MSIX_FMASK, 0);
	pci_cfg_init32(f, CAP_MSIX + 4, 0x00000003, 0, 0);
	pci_cfg_init32(f, CAP_MSIX + 8, MSIX_PBA | 3u, 0, 0);
}

struct e1000e_pci *
e1000e_pci_new(struct pci_bus *bus, unsigned slot, const char *name,
    const uint8_t mac[6])
{
	struct e1000e_pci *p;
	unsigned i;

	if (bus == NULL || name == NULL || mac == NULL)
		return NULL;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->phys = pci_bus_phys(bus);
	if ((p->dma = iommu_new(p->phys, name)) == NULL ||
	    (p->dev = e1000e_new(name, mac, p->dma)) == NULL ||
	    (p->func = pci_func_add(bus, slot, 0, name)) == NULL) {
		e1000e_free(p->dev);
		iommu_free(p->dma);
		free(p);
		return NULL;
	}
	for (i = 0; i < MSIX_VECTORS; i++)
		p->msix[4 * i + 3] = 1;		/* vector masked */
	config_init(p);
	/* Valid sizes and ops: these cannot fail. */
	(void)pci_bar_init(p->func, 0, E1000E_BAR0_SIZE, false,
	    &e1000e_mmio_ops, p->dev);
	(void)pci_bar_init(p->func, 1, FLASH_SIZE, false, &flash_ops, p);
	(void)pci_bar_init(p->func, 2, IO_SIZE, true, &io_ops, p);
	(void)pci_bar_init(p->func, 3, MSIX_SIZE, false, &msix_ops, p);
	pci_set_master_iommu(p->func, p->dma);
	pci_set_cfg_hook(p->func, cfg_changed, p);
	e1000e_set_irq_handler(p->dev, pci_intx_fn, p->func);
	e1000e_set_msg_handler(p->dev, msg_send, msg_clear_pending, p);
	return p;
}

void
e1000e_pci_free(struct e1000e_pci *p)
{
	if (p == NULL)
		return;
	e1000e_free(p->dev);
	iommu_free(p->dma);
	free(p);
}

struct e1000e *
e1000e_pci_dev(const struct e1000e_pci *p)
{
	return p->dev;
}

struct pci_func *
e1000e_pci_func(const struct e1000e_pci *p)
{
	return p->func;
}
