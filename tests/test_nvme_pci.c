/*
 * test_nvme_pci.c — the NVMe controller as a PCI function on the q35
 * board, without QEMU: the description's checks, identity and the
 * capability chain, the 64-bit BAR (sized, placed above 4 GiB, gated by
 * memory space), bus mastering gating DMA, INTA, and MSI-X messages with
 * vector and function masks and their pending bits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "board/q35.h"
#include "dev/nvme.h"
#include "dev/nvme_pci.h"
#include "machine/pci.h"
#include "machine/phys.h"

#define CFG	0x80000800u		/* bus 0, slot 1, function 0 */
#define BAR	0xE0000000ull
#define ASQB	0x100000ull
#define ACQB	0x101000ull
#define IDBUF	0x102000ull
#define MSGB	0x150000ull
#define AQN	8u

struct rig {
	struct q35	*m;
	struct phys	*phys;
	struct pci_bus	*bus;
	struct nvme_pci	*p;
	unsigned	 acnt;		/* admin commands submitted */
	int		 irq[24];	/* IOAPIC input levels */
	unsigned	 irq_changes;
};

static void
rig_irq(void *arg, unsigned irq, int level)
{
	struct rig *r = arg;

	if (irq < 24)
		r->irq[irq] = level;
	r->irq_changes++;
}

static struct rig *
rig_new(void)
{
	struct q35_desc d = { .ram_size = Q35_RAM_DEFAULT, .nnvmes = 1 };
	struct rig *r = calloc(1, sizeof(*r));
	char err[160];

	d.nvme[0].serial = "capio-t1";
	d.nvme[0].ram_bytes = 1 << 20;
	if (r == NULL || (r->m = q35_new(&d, err, sizeof(err))) == NULL)
		abort();
	r->phys = q35_phys(r->m);
	r->bus = q35_pci(r->m);
	r->p = q35_nvme(r->m, 0);
	q35_set_irq_sink(r->m, rig_irq, r);
	return r;
}

static void
rig_free(struct rig *r)
{
	q35_free(r->m);
	free(r);
}

static uint32_t
cfg_r(struct rig *r, uint32_t addr, unsigned size)
{
	pci_io_write(r->bus, 0xCF8, addr & ~3u, 4);
	return pci_io_read(r->bus, (uint16_t)(0xCFC + (addr & 3)), size);
}

static void
cfg_w(struct rig *r, uint32_t addr, uint32_t val, unsigned size)
{
	pci_io_write(r->bus, 0xCF8, addr & ~3u, 4);
	pci_io_write(r->bus, (uint16_t)(0xCFC + (addr & 3)), val, size);
}

static uint32_t
rd(struct rig *r, uint64_t addr)
{
	uint64_t v = 0;

	if (phys_bus_read(r->phys, addr, 4, &v) != 0)
		return 0xDEADDEAD;
	return (uint32_t)v;
}

static void
wr(struct rig *r, uint64_t addr, uint32_t v)
{
	(void)phys_bus_write(r->phys, addr, 4, v);
}

static void
wr64(struct rig *r, uint64_t addr, uint64_t v)
{
	wr(r, addr, (uint32_t)v);
	wr(r, addr + 4, (uint32_t)(v >> 32));
}

/* BAR0 at BAR, memory space and bus mastering on. */
static void
pci_up(struct rig *r)
{
	cfg_w(r, CFG + 0x10, (uint32_t)BAR, 4);
	cfg_w(r, CFG + 0x14, 0, 4);
	cfg_w(r, CFG + 0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
}

static void
enable(struct rig *r)
{
	wr(r, BAR + NVME_AQA, (AQN - 1) << 16 | (AQN - 1));
	wr64(r, BAR + NVME_ASQ, ASQB);
	wr64(r, BAR + NVME_ACQ, ACQB);
	wr(r, BAR + NVME_CC, NVME_CC_EN | 6u << 16 | 4u << 20);
	r->acnt = 0;
}

/*
 * One admin command; its status field (SCT/SC, DNR) without the phase
 * tag, or 0xFFFF when no completion was posted. The CQ entry is left
 * unconsumed: the caller rings the CQ head (consume) or not.
 */
static unsigned
admin(struct rig *r, uint8_t opc, uint32_t nsid, uint64_t prp1,
    uint32_t c10, uint32_t c11)
{
	unsigned slot = r->acnt % AQN;
	uint8_t e[64], c[16];
	uint16_t st;

	memset(e, 0, sizeof(e));
	e[0] = opc;
	e[2] = (uint8_t)slot;
	memcpy(e + 4, &nsid, 4);
	memcpy(e + 24, &prp1, 8);
	memcpy(e + 40, &c10, 4);
	memcpy(e + 44, &c11, 4);
	memset(c, 0, sizeof(c));
	(void)phys_write(r->phys, ACQB + slot * 16, c, sizeof(c));
	(void)phys_write(r->phys, ASQB + slot * 64, e, sizeof(e));
	r->acnt++;
	wr(r, BAR + NVME_SQTDBL(0), r->acnt % AQN);
	(void)phys_read(r->phys, ACQB + slot * 16, c, sizeof(c));
	st = (uint16_t)(c[14] | c[15] << 8);
	if ((st & 1) != (1u ^ ((r->acnt - 1) / AQN & 1)))
		return 0xFFFF;
	return st >> 1;
}

static void
consume(struct rig *r)
{
	wr(r, BAR + NVME_CQHDBL(0), r->acnt % AQN);
}

static void
test_desc(void)
{
	struct q35_desc d = { .ram_size = Q35_RAM_DEFAULT, .nnvmes = 1 };
	char err[160];
	struct q35 *m;

	d.nvme[0].serial = "ok";
	d.nvme[0].ram_bytes = 4096;
	CHECK_EQ(q35_check(&d, err, sizeof(err)), 0);
	d.nvme[0].serial = "";
	CHECK_EQ(q35_check(&d, err, sizeof(err)), -1);
	CHECK(strstr(err, "serial") != NULL);
	d.nvme[0].serial = "123456789012345678901";
	CHECK_EQ(q35_check(&d, err, sizeof(err)), -1);
	d.nvme[0].serial = "tab\there";
	CHECK_EQ(q35_check(&d, err, sizeof(err)), -1);
	CHECK(strstr(err, "printable") != NULL);
	d.nvme[0].serial = "ok";
	d.nvme[0].ram_bytes = 100;
	CHECK_EQ(q35_check(&d, err, sizeof(err)), -1);
	d.nvme[0].ram_bytes = Q35_NVME_RAM_MAX + 1;
	CHECK_EQ(q35_check(&d, err, sizeof(err)), -1);
	d.nvme[0].ram_bytes = 4096;
	d.nnvmes = Q35_MAX_NVMES + 1;
	CHECK_EQ(q35_check(&d, err, sizeof(err)), -1);
	d.nnvmes = 1;
	/* A disk that is not there, or not a file: no machine, a reason. */
	d.nvme[0].disk = "/nonexistent/capio-disk.img";
	CHECK(q35_new(&d, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "not a regular file") != NULL);
	d.nvme[0].disk = "/";
	CHECK(q35_new(&d, err, sizeof(err)) == NULL);
	/* A NIC first: the controller takes the next slot. */
	d.nvme[0].disk = NULL;
	d.nnics = 1;
	if ((m = q35_new(&d, err, sizeof(err))) == NULL) {
		CHECK(!"q35_new");
		return;
	}
	CHECK_EQ(q35_nnvmes(m), 1);
	CHECK_EQ(pci_func_slot(nvme_pci_func(q35_nvme(m, 0))), 2);
	CHECK(q35_nvme(m, 1) == NULL);
	q35_free(m);
}

static void
test_config(void)
{
	struct rig *r = rig_new();
	char err[120];

	CHECK_EQ(cfg_r(r, CFG, 4), 0x00101B36);
	CHECK_EQ(cfg_r(r, CFG + 8, 4), 0x01080202);
	CHECK_EQ(cfg_r(r, CFG + 0x3C, 4), 0x0100);
	CHECK_EQ(cfg_r(r, CFG + 0x2C, 4), 0x00001B36);
	/* MSI-X (0x40) -> PCIe (0x80) -> PM (0x60). */
	CHECK_EQ(cfg_r(r, CFG + 0x34, 1), 0x40);
	CHECK_EQ(cfg_r(r, CFG + 0x40, 4), 0x00408011);
	CHECK_EQ(cfg_r(r, CFG + 0x44, 4), NVME_PCI_MSIX_TABLE);
	CHECK_EQ(cfg_r(r, CFG + 0x48, 4), NVME_PCI_MSIX_PBA);
	CHECK_EQ(cfg_r(r, CFG + 0x80, 4), 0x00926010);
	CHECK_EQ(cfg_r(r, CFG + 0x60, 4), 0x00030001);
	/* Table size read-only; enable and function mask writable. */
	cfg_w(r, CFG + 0x42, 0xFFFF, 2);
	CHECK_EQ(cfg_r(r, CFG + 0x42, 2), 0xC040);
	cfg_w(r, CFG + 0x42, 0, 2);
	/* The 64-bit BAR: type bits, size, high dword. */
	CHECK_EQ(cfg_r(r, CFG + 0x10, 4), 0x4);
	cfg_w(r, CFG + 0x10, 0xFFFFFFFF, 4);
	CHECK_EQ(cfg_r(r, CFG + 0x10, 4), 0xFFFFC004);
	cfg_w(r, CFG + 0x14, 0xFFFFFFFF, 4);
	CHECK_EQ(cfg_r(r, CFG + 0x14, 4), 0xFFFFFFFF);
	CHECK_EQ(cfg_r(r, CFG + 0x18, 4), 0);
	/* Sized to the top: it decodes nowhere even with memory on. */
	cfg_w(r, CFG + 0x04, PCI_COMMAND_MEMORY, 2);
	CHECK_EQ(pci_bar_addr(nvme_pci_func(r->p), 0), PCI_BAR_UNMAPPED);
	/* Above 4 GiB. */
	cfg_w(r, CFG + 0x10, 0xE0000000, 4);
	cfg_w(r, CFG + 0x14, 0x2, 4);
	CHECK_EQ(pci_bar_addr(nvme_pci_func(r->p), 0), 0x2E0000000ull);
	CHECK_EQ(rd(r, 0x2E0000000ull + NVME_VS), 0x00010400);
	CHECK_EQ(rd(r, BAR + NVME_VS), 0xDEADDEAD);
	/* Memory space off: gone. */
	cfg_w(r, CFG + 0x04, 0, 2);
	CHECK_EQ(rd(r, 0x2E0000000ull + NVME_VS), 0xDEADDEAD);
	/* The slot is taken: a second function cannot go there. */
	CHECK(nvme_pci_new(r->bus, 1, "x", &(struct nvme_config){
	    .nqueues = 1, .nnamespaces = 1, .namespaces = { { 4096, 512,
	    NULL } } }, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "slot") != NULL);
	rig_free(r);
}

static void
test_dma_and_intx(void)
{
	struct rig *r = rig_new();
	uint16_t vid = 0;

	pci_up(r);
	CHECK(!r->irq[21]);
	enable(r);
	CHECK_EQ(rd(r, BAR + NVME_CSTS), NVME_CSTS_RDY);
	/* Identify: data in RAM, INTA (slot 1: IOAPIC 21) up until consumed. */
	CHECK_EQ(admin(r, NVME_ADM_IDENTIFY, 0, IDBUF, 1, 0), 0);
	(void)phys_read(r->phys, IDBUF, &vid, 2);
	CHECK_EQ(vid, NVME_VENDOR_ID);
	CHECK(r->irq[21]);
	CHECK(cfg_r(r, CFG + 6, 2) & PCI_STATUS_INTERRUPT);
	/* Interrupt Disable lowers the line, not the status bit. */
	cfg_w(r, CFG + 0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
	    PCI_COMMAND_INTX_DISABLE, 2);
	CHECK(!r->irq[21]);
	CHECK(cfg_r(r, CFG + 6, 2) & PCI_STATUS_INTERRUPT);
	cfg_w(r, CFG + 0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	CHECK(r->irq[21]);
	consume(r);
	CHECK(!r->irq[21]);
	/* No MSI-X: vector 1 is refused. */
	CHECK_EQ(admin(r, NVME_ADM_CREATE_CQ, 0, 0x111000, 1 | 7u << 16,
	    3 | 1u << 16), NVME_SC_INVALID_IV | NVME_STATUS_DNR);
	consume(r);
	/* Bus mastering off: the next fetch faults, CSTS.CFS. */
	cfg_w(r, CFG + 0x04, PCI_COMMAND_MEMORY, 2);
	CHECK_EQ(admin(r, NVME_ADM_IDENTIFY, 0, IDBUF, 1, 0), 0xFFFF);
	CHECK(rd(r, BAR + NVME_CSTS) & NVME_CSTS_CFS);
	/* Reset, bus mastering back: works again. */
	wr(r, BAR + NVME_CC, 0);
	CHECK_EQ(rd(r, BAR + NVME_CSTS), 0);
	cfg_w(r, CFG + 0x04, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);
	enable(r);
	CHECK_EQ(admin(r, NVME_ADM_IDENTIFY, 0, IDBUF, 1, 0), 0);
	consume(r);
	rig_free(r);
}

static uint32_t
ram32(struct rig *r, uint64_t pa)
{
	uint32_t v = 0;

	(void)phys_read(r->phys, pa, &v, 4);
	return v;
}

static void
test_msix(void)
{
	struct rig *r = rig_new();
	struct nvme_pci_counters c;
	uint64_t t = BAR + NVME_PCI_MSIX_TABLE;
	unsigned changes;

	pci_up(r);
	/* Table at reset: every vector masked; nothing pending. */
	CHECK_EQ(rd(r, t + 12), 1);
	CHECK_EQ(rd(r, t + 64 * 16 + 12), 1);
	CHECK_EQ(rd(r, t + 65 * 16 + 12), 0);
	CHECK_EQ(rd(r, BAR + NVME_PCI_MSIX_PBA), 0);
	/* Vector 0 to MSGB (unmasked), vector 1 to MSGB + 16 (masked). */
	wr64(r, t, MSGB);
	wr(r, t + 8, 0x1234);
	wr(r, t + 12, 0);
	wr64(r, t + 16, MSGB + 16);
	wr(r, t + 24, 0x5678);
	cfg_w(r, CFG + 0x42, 0x8000, 2);		/* MSI-X on */
	enable(r);
	changes = r->irq_changes;
	CHECK_EQ(admin(r, NVME_ADM_IDENTIFY, 0, IDBUF, 1, 0), 0);
	CHECK_EQ(ram32(r, MSGB), 0x1234);
	CHECK_EQ(r->irq_changes, changes);		/* no INTA */
	consume(r);
	/* CQ 1 on vector 1 (masked): the Get Features completions go to the
	 * admin CQ, so post to CQ 1 through an I/O queue. */
	CHECK_EQ(admin(r, NVME_ADM_CREATE_CQ, 0, 0x111000, 1 | 7u << 16,
	    3 | 1u << 16), 0);
	consume(r);
	CHECK_EQ(admin(r, NVME_ADM_CREATE_CQ, 0, 0x112000, 2 | 7u << 16,
	    3 | 65u << 16), NVME_SC_INVALID_IV | NVME_STATUS_DNR);
	consume(r);
	CHECK_EQ(admin(r, NVME_ADM_CREATE_SQ, 0, 0x110000, 1 | 7u << 16,
	    1 | 1u << 16), 0);
	consume(r);
	{
		uint8_t e[64];
		uint32_t nsid = 1;

		memset(e, 0, sizeof(e));
		e[0] = NVME_CMD_FLUSH;
		memcpy(e + 4, &nsid, 4);
		(void)phys_write(r->phys, 0x110000, e, sizeof(e));
		wr(r, BAR + NVME_SQTDBL(1), 1);
	}
	CHECK_EQ(ram32(r, MSGB + 16), 0);
	CHECK_EQ(rd(r, BAR + NVME_PCI_MSIX_PBA), 2);	/* vector 1 pending */
	wr(r, t + 28, 0);				/* unmask */
	CHECK_EQ(ram32(r, MSGB + 16), 0x5678);
	CHECK_EQ(rd(r, BAR + NVME_PCI_MSIX_PBA), 0);
	wr(r, BAR + NVME_CQHDBL(1), 1);
	/* The pending bits are read-only. */
	wr(r, BAR + NVME_PCI_MSIX_PBA, 0xFFFFFFFF);
	CHECK_EQ(rd(r, BAR + NVME_PCI_MSIX_PBA), 0);
	/* Function mask: pending, sent on unmask. */
	cfg_w(r, CFG + 0x42, 0xC000, 2);
	(void)phys_write(r->phys, MSGB, &(uint32_t){ 0 }, 4);
	(void)admin(r, NVME_ADM_GET_FEATURES, 0, 0, NVME_FEAT_NUM_QUEUES, 0);
	CHECK_EQ(ram32(r, MSGB), 0);
	CHECK_EQ(rd(r, BAR + NVME_PCI_MSIX_PBA), 1);
	cfg_w(r, CFG + 0x42, 0x8000, 2);
	CHECK_EQ(ram32(r, MSGB), 0x1234);
	consume(r);
	/* A message outside RAM faults, counted; nothing else happens. */
	wr(r, t + 4, 0x10);
	CHECK_EQ(admin(r, NVME_ADM_GET_FEATURES, 0, 0, NVME_FEAT_NUM_QUEUES,
	    0), 0);
	consume(r);
	nvme_pci_get_counters(r->p, &c);
	CHECK_EQ(c.msi_faults, 1);
	CHECK_EQ(c.msi_pended, 2);
	CHECK(c.msi_sent >= 3);
	/* MSI-X off: INTA again. */
	cfg_w(r, CFG + 0x42, 0, 2);
	CHECK_EQ(admin(r, NVME_ADM_GET_FEATURES, 0, 0, NVME_FEAT_NUM_QUEUES,
	    0), 0);
	CHECK(r->irq[21]);
	consume(r);
	CHECK(!r->irq[21]);
	rig_free(r);
}

int
main(void)
{
	test_desc();
	test_config();
	test_dma_and_intx();
	test_msix();
	return check_done("test_nvme_pci");
}
