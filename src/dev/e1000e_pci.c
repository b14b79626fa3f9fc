/*
 * e1000e_pci.c — the 82574L's PCI face (see e1000e_pci.h): configuration
 * space layout and reset values, the BAR1-BAR3 decoders, INTA and DMA
 * gating. The capability offsets are the 82574L's (datasheet 9.3); the
 * values are those QEMU's e1000e shows on q35, where the function is a
 * root-complex integrated endpoint.
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

#define IOADDR		0x0u
#define IODATA		0x4u

struct e1000e_pci {
	struct e1000e	*dev;
	struct iommu	*dma;
	struct pci_func	*func;
	struct phys	*phys;
	uint32_t	 ioaddr;
	uint32_t	 msix[MSIX_VECTORS * 4];
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

/*
 * BAR3: the MSI-X table (address low/high, data, vector control per
 * vector; every vector starts masked) and its pending-bit array. The
 * table is storage only: MSI-X cannot be enabled here.
 */
static uint64_t
msix_read(void *arg, uint64_t off, unsigned size)
{
	struct e1000e_pci *p = arg;
	uint32_t v;

	if (off >= sizeof(p->msix) || size > 4 || (off & 3) + size > 4)
		return 0;
	v = p->msix[off / 4] >> (8 * (off & 3));
	return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void
msix_write(void *arg, uint64_t off, uint64_t val, unsigned size)
{
	struct e1000e_pci *p = arg;

	if (off >= sizeof(p->msix) || size != 4 || (off & 3) != 0)
		return;
	p->msix[off / 4] = (uint32_t)val;
}

static const struct mmio_ops msix_ops = { msix_read, msix_write, NULL };

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
	/* MSI, 64-bit address: address and data are storage; the enable
	 * bit stays clear (no message delivery on this machine). */
	(void)pci_cap_add(f, 0x05, CAP_MSI, 14);
	pci_cfg_init16(f, CAP_MSI + 2, 0x0080, 0, 0);
	pci_cfg_init32(f, CAP_MSI + 4, 0, 0xFFFFFFFC, 0);
	pci_cfg_init32(f, CAP_MSI + 8, 0, 0xFFFFFFFF, 0);
	pci_cfg_init16(f, CAP_MSI + 12, 0, 0xFFFF, 0);
	/* PCI Express v1, root-complex integrated endpoint, x1 2.5 GT/s. */
	(void)pci_cap_add(f, 0x10, CAP_PCIE, 20);
	pci_cfg_init16(f, CAP_PCIE + 2, 0x0091, 0, 0);
	pci_cfg_init32(f, CAP_PCIE + 4, 0x00008000, 0, 0);
	pci_cfg_init32(f, CAP_PCIE + 12, 0x00000411, 0, 0);
	pci_cfg_init16(f, CAP_PCIE + 18, 0x0011, 0, 0);
	/* MSI-X: 5 vectors, table and PBA in BAR3; enable stays clear. */
	(void)pci_cap_add(f, 0x11, CAP_MSIX, 12);
	pci_cfg_init16(f, CAP_MSIX + 2, MSIX_VECTORS - 1, 0, 0);
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
	e1000e_set_irq_handler(p->dev, pci_intx_fn, p->func);
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
