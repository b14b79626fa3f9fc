/*
 * nvme_pci.c — the NVMe controller's PCI face (see nvme_pci.h):
 * configuration space layout and reset values, BAR0's MSI-X table and
 * pending bits beside the controller registers, INTA, interrupt messages
 * and DMA gating.
 *
 * The class code is NVMe 1.4's (§2, PCI header: 01h mass storage, 08h
 * non-volatile memory, 02h NVM Express); the capability values are those
 * QEMU 7.2's nvme shows on q35, where the function is a root-complex
 * integrated endpoint: MSI-X at 0x40, PCI Express (v2) at 0x80, power
 * management 1.2 at 0x60, chained in that order. Message delivery
 * follows PCI 3.0 §6.8.2 (MSI-X table, vector control mask, function
 * mask, pending bits).
 */
#include "dev/nvme_pci.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/nvme.h"
#include "machine/iommu.h"
#include "machine/pci.h"

#define REVISION	0x02u	/* QEMU's nvme */

#define CAP_MSIX	0x40u
#define CAP_PCIE	0x80u
#define CAP_PM		0x60u
#define PCIE_LEN	0x3Cu	/* version 2: through Slot Status 2 */

#define MSIX_CTL	(CAP_MSIX + 2)
#define MSIX_ENABLE	0x8000u
#define MSIX_FMASK	0x4000u

#define VECTORS		NVME_PCI_MSIX_VECTORS
#define TABLE_SIZE	(VECTORS * 16u)
#define PBA_WORDS	((VECTORS + 31u) / 32u)
#define PBA_SIZE	(((VECTORS + 63u) / 64u) * 8u)	/* whole qwords */
#define VCTL_MASKED	1u

struct nvme_pci {
	struct nvme		*dev;
	struct iommu		*dma;
	struct pci_func		*func;
	bool			 msix_on;
	/* Per vector: address low, address high, data, vector control. */
	uint32_t		 table[VECTORS * 4];
	uint32_t		 pba[PBA_WORDS];
	struct nvme_pci_counters cnt;
};

static uint16_t
msix_ctl(const struct nvme_pci *p)
{
	return (uint16_t)pci_cfg_read(p->func, MSIX_CTL, 2);
}

static bool
masked(const struct nvme_pci *p, unsigned v)
{
	return (msix_ctl(p) & MSIX_FMASK) ||
	    (p->table[4 * v + 3] & VCTL_MASKED);
}

static bool
pending(const struct nvme_pci *p, unsigned v)
{
	return (p->pba[v / 32] >> (v % 32)) & 1;
}

/* The message itself: a dword write of DATA to ADDRESS by the function. */
static void
send(struct nvme_pci *p, unsigned v)
{
	uint64_t addr = (uint64_t)p->table[4 * v + 1] << 32 | p->table[4 * v];
	uint32_t data = p->table[4 * v + 2];
	uint8_t b[4] = { (uint8_t)data, (uint8_t)(data >> 8),
	    (uint8_t)(data >> 16), (uint8_t)(data >> 24) };

	if (dma_write(p->dma, addr, b, sizeof(b)) != 0)
		p->cnt.msi_faults++;
	else
		p->cnt.msi_sent++;
}

/* The controller asks for vector V (a completion was posted). */
static void
msi_fire(void *arg, unsigned v)
{
	struct nvme_pci *p = arg;

	if (!p->msix_on || v >= VECTORS)
		return;
	if (masked(p, v)) {
		p->pba[v / 32] |= 1u << (v % 32);
		p->cnt.msi_pended++;
		return;
	}
	send(p, v);
}

/* A vector that is enabled and unmasked sends what it holds pending. */
static void
flush_pending(struct nvme_pci *p, unsigned v)
{
	if (!p->msix_on || masked(p, v) || !pending(p, v))
		return;
	p->pba[v / 32] &= ~(1u << (v % 32));
	send(p, v);
}

/* MSI-X Enable or Function Mask written. */
static void
msix_update(struct nvme_pci *p)
{
	bool on = (msix_ctl(p) & MSIX_ENABLE) != 0;
	unsigned v;

	if (on != p->msix_on) {
		p->msix_on = on;
		/* Enabled, the function uses messages and not INTx (PCI 3.0
		 * §6.8.1.3); the controller takes vectors up to the table's. */
		nvme_set_msi_handler(p->dev, on ? msi_fire : NULL, p, VECTORS);
	}
	for (v = 0; v < VECTORS; v++)
		flush_pending(p, v);
}

static void
cfg_written(void *arg, unsigned off, unsigned len)
{
	struct nvme_pci *p = arg;

	if (off < MSIX_CTL + 2 && MSIX_CTL < off + len)
		msix_update(p);
}

/*
 * BAR0 past the controller's registers: the MSI-X table (dword and qword
 * accesses, PCI 3.0 §6.8.2) and the pending bits (read-only). Other
 * accesses, and the rest of the BAR, read 0 and write nothing.
 */
static uint32_t
msix_read32(const struct nvme_pci *p, uint64_t off)
{
	if (off >= NVME_PCI_MSIX_TABLE && off < NVME_PCI_MSIX_TABLE + TABLE_SIZE)
		return p->table[(off - NVME_PCI_MSIX_TABLE) / 4];
	if (off >= NVME_PCI_MSIX_PBA &&
	    off < NVME_PCI_MSIX_PBA + PBA_WORDS * 4u)
		return p->pba[(off - NVME_PCI_MSIX_PBA) / 4];
	return 0;
}

static void
msix_write32(struct nvme_pci *p, uint64_t off, uint32_t val)
{
	unsigned i, v;

	if (off < NVME_PCI_MSIX_TABLE || off >= NVME_PCI_MSIX_TABLE + TABLE_SIZE)
		return;
	i = (unsigned)(off - NVME_PCI_MSIX_TABLE) / 4;
	v = i / 4;
	p->table[i] = val;
	/* Unmasking a vector sends what it holds. */
	if (i % 4 == 3)
		flush_pending(p, v);
}

static bool
dword_access(uint64_t off, unsigned size)
{
	return (size == 4 && (off & 3) == 0) || (size == 8 && (off & 7) == 0);
}

static uint64_t
bar0_read(void *arg, uint64_t off, unsigned size)
{
	struct nvme_pci *p = arg;

	if (off < NVME_BAR0_SIZE)
		return nvme_mmio_ops.read(p->dev, off, size);
	if (!dword_access(off, size))
		return 0;
	if (size == 8)
		return (uint64_t)msix_read32(p, off) |
		    (uint64_t)msix_read32(p, off + 4) << 32;
	return msix_read32(p, off);
}

static void
bar0_write(void *arg, uint64_t off, uint64_t val, unsigned size)
{
	struct nvme_pci *p = arg;

	if (off < NVME_BAR0_SIZE) {
		nvme_mmio_ops.write(p->dev, off, val, size);
		return;
	}
	if (!dword_access(off, size))
		return;
	msix_write32(p, off, (uint32_t)val);
	if (size == 8)
		msix_write32(p, off + 4, (uint32_t)(val >> 32));
}

static const char *
bar0_reg_name(void *arg, uint64_t off)
{
	(void)arg;
	if (off < NVME_BAR0_SIZE)
		return nvme_reg_name(off);
	if (off >= NVME_PCI_MSIX_TABLE && off < NVME_PCI_MSIX_TABLE + TABLE_SIZE)
		return "MSIX_TABLE";
	if (off >= NVME_PCI_MSIX_PBA && off < NVME_PCI_MSIX_PBA + PBA_SIZE)
		return "MSIX_PBA";
	return NULL;
}

static const struct mmio_ops bar0_ops = { bar0_read, bar0_write,
	bar0_reg_name };

static void
config_init(struct nvme_pci *p)
{
	/* Identify Controller's SSVID is the subsystem vendor here
	 * (§5.15.2.2): the model reports its own vendor there. */
	static const struct pci_ident id = { NVME_VENDOR_ID, NVME_DEVICE_ID,
	    REVISION, NVME_CLASS_BASE << 16 | NVME_CLASS_SUB << 8 |
	    NVME_CLASS_PROGIF, NVME_VENDOR_ID, 0, 1 /* INTA */ };
	struct pci_func *f = p->func;

	pci_cfg_init_header(f, &id);

	/* MSI-X: 65 vectors, table and pending bits in BAR0; Enable and
	 * Function Mask writable. */
	(void)pci_cap_add(f, 0x11, CAP_MSIX, 12);
	pci_cfg_init16(f, MSIX_CTL, VECTORS - 1, MSIX_ENABLE | MSIX_FMASK, 0);
	pci_cfg_init32(f, CAP_MSIX + 4, NVME_PCI_MSIX_TABLE, 0, 0);
	pci_cfg_init32(f, CAP_MSIX + 8, NVME_PCI_MSIX_PBA, 0, 0);
	/* PCI Express v2, root-complex integrated endpoint: role-based error
	 * reporting; x1 at 2.5 GT/s with L0s; end-end TLP prefixes and
	 * extended fmt (their blocking bit writable). No function-level
	 * reset: the model has no reset that clears AQA/ASQ/ACQ. */
	(void)pci_cap_add(f, 0x10, CAP_PCIE, PCIE_LEN);
	pci_cfg_init16(f, CAP_PCIE + 2, 0x0092, 0, 0);
	pci_cfg_init32(f, CAP_PCIE + 4, 0x00008000, 0, 0);
	pci_cfg_init32(f, CAP_PCIE + 12, 0x00000411, 0, 0);
	pci_cfg_init16(f, CAP_PCIE + 18, 0x0011, 0, 0);
	pci_cfg_init32(f, CAP_PCIE + 0x24, 0x00300000, 0, 0);
	pci_cfg_init16(f, CAP_PCIE + 0x28, 0, 0x8000, 0);
	/* Power management 1.2; No_Soft_Reset: D3hot -> D0 keeps state;
	 * the power state is writable. */
	(void)pci_cap_add(f, 0x01, CAP_PM, 8);
	pci_cfg_init16(f, CAP_PM + 2, 0x0003, 0, 0);
	pci_cfg_init16(f, CAP_PM + 4, 0x0008, 0x0003, 0);
}

static void
seterr(char *err, size_t errlen, const char *msg, const char *name)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s", name, msg);
}

struct nvme_pci *
nvme_pci_new(struct pci_bus *bus, unsigned slot, const char *name,
    const struct nvme_config *cfg, char *err, size_t errlen)
{
	struct nvme_pci *p;
	unsigned v;

	if (bus == NULL || name == NULL || cfg == NULL) {
		seterr(err, errlen, "missing bus, name or configuration",
		    "nvme_pci");
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL ||
	    (p->dma = iommu_new(pci_bus_phys(bus), name)) == NULL) {
		seterr(err, errlen, "out of memory", name);
		goto fail;
	}
	if ((p->dev = nvme_new(name, cfg, p->dma, err, errlen)) == NULL)
		goto fail;
	if ((p->func = pci_func_add(bus, slot, 0, name)) == NULL) {
		seterr(err, errlen, "PCI slot taken or out of range", name);
		goto fail;
	}
	for (v = 0; v < VECTORS; v++)
		p->table[4 * v + 3] = VCTL_MASKED;
	config_init(p);
	/* A valid size and ops: this cannot fail. */
	(void)pci_bar_init64(p->func, 0, NVME_PCI_BAR0_SIZE, &bar0_ops, p);
	pci_set_master_iommu(p->func, p->dma);
	pci_set_cfg_hook(p->func, cfg_written, p);
	nvme_set_irq_handler(p->dev, pci_intx_fn, p->func);
	return p;
fail:
	if (p != NULL) {
		nvme_free(p->dev);
		iommu_free(p->dma);
		free(p);
	}
	return NULL;
}

void
nvme_pci_free(struct nvme_pci *p)
{
	if (p == NULL)
		return;
	nvme_free(p->dev);
	iommu_free(p->dma);
	free(p);
}

struct nvme *
nvme_pci_dev(const struct nvme_pci *p)
{
	return p->dev;
}

struct pci_func *
nvme_pci_func(const struct nvme_pci *p)
{
	return p->func;
}

void
nvme_pci_get_counters(const struct nvme_pci *p, struct nvme_pci_counters *c)
{
	*c = p->cnt;
}
