/*
 * board.c — see board.h. Everything here is hardware assembly: no policy,
 * no driver; the kernel programs what this builds.
 */
#include "board/board.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/e1000e.h"
#include "dev/nvme.h"
#include "machine/aspace.h"
#include "machine/iommu.h"
#include "machine/phys.h"
#include "net/wire.h"

#define NIC_BAR_BASE	0xf0000000ull
#define NIC_BAR_STRIDE	0x100000ull
#define NVME_QUEUES_DEFAULT	8u
#define NVME_NS_DEFAULT		(16ull << 20)

struct board {
	struct board_desc desc;
	char wire_spec[64], pcap_path[256];
	char nvme_path[BOARD_MAX_DEVS][256];
	char nic_wire_spec[BOARD_MAX_DEVS][64];
	struct phys *phys;
	int ndevs;
	struct board_dev dev[BOARD_MAX_DEVS];
	struct e1000e *nic[BOARD_MAX_DEVS];	/* by device index */
	struct nvme *nvme[BOARD_MAX_DEVS];	/* by device index */
	/* Queue isolation's contexts, by device index and queue. */
	struct iommu *qio[BOARD_MAX_DEVS][NVME_MAX_IOQ + 1];
	struct wire *wire;
	struct wire *nic_wire[BOARD_MAX_DEVS];	/* NIC i's own, i >= 1 */
};

void
board_desc_default(struct board_desc *d)
{
	memset(d, 0, sizeof *d);
	d->ram_size = 256ull << 20;
	d->nics = 2;
	d->wire = "pair";
	d->pcap = NULL;
}

static const char *
check_desc(const struct board_desc *d, const char *wire)
{
	if (d->ram_size == 0 || d->ram_size > (4ull << 30) ||
	    (d->ram_size & MMU_PAGE_MASK) || (d->ram_base & MMU_PAGE_MASK) ||
	    d->ram_base + d->ram_size > NIC_BAR_BASE)
		return "RAM must be 4 KiB..4 GiB, page-aligned, below the BARs";
	if (d->nics < 0 || d->nics > BOARD_MAX_DEVS)
		return "number of NICs must be 0..4";
	if (strcmp(wire, "pair") == 0 && d->nics < 2)
		return "a pair wire needs two NICs";
	if (strcmp(wire, "none") != 0 && d->nics < 1)
		return "a wire needs a NIC";
	if (d->nvmes < 0 || d->nics + d->nvmes > BOARD_MAX_DEVS)
		return "NICs and NVMe controllers must be at most 4";
	for (int j = 0; j < d->nvmes; j++) {
		const struct board_nvme_desc *nd = &d->nvme[j];

		if (nd->queues > NVME_MAX_IOQ)
			return "an NVMe controller has 1..64 queue pairs";
		if (nd->ns_bytes != 0 && nd->ns_bytes < 512)
			return "an NVMe namespace needs at least one block";
		if (nd->namespaces > NVME_MAX_NS)
			return "an NVMe controller has 1..16 namespaces";
		if (nd->namespaces > 1 && nd->path != NULL)
			return "a backing file serves one NVMe namespace";
		if (nd->path != NULL &&
		    strlen(nd->path) >= sizeof ((struct board *)0)->nvme_path[j])
			return "NVMe backing file name too long";
	}
	if (strlen(wire) >= sizeof ((struct board *)0)->wire_spec)
		return "wire specification too long";
	if (d->nic_wire[0] != NULL)
		return "NIC 0 is on the board's wire, not a wire of its own";
	for (int i = 1; i < BOARD_MAX_DEVS; i++) {
		const char *w = d->nic_wire[i];

		if (w == NULL)
			continue;
		if (i >= d->nics)
			return "a NIC's own wire for a NIC the board has not";
		if (i == 1 && strcmp(wire, "pair") == 0)
			return "NIC 1 is on the pair wire already";
		if (strncmp(w, "tap:", 4) != 0 && strncmp(w, "udp:", 4) != 0)
			return "a NIC's own wire is tap:IF or udp:L,R";
		if (strlen(w) >= sizeof ((struct board *)0)->nic_wire_spec[i])
			return "wire specification too long";
	}
	if (d->pcap != NULL &&
	    strlen(d->pcap) >= sizeof ((struct board *)0)->pcap_path)
		return "capture file name too long";
	return NULL;
}

static struct board *
fail(struct board *b, char *err, size_t errlen, const char *what)
{
	if (what != NULL)
		snprintf(err, errlen, "%s", what);
	board_free(b);
	return NULL;
}

/* NVMe controller j, device nics + j: BAR0 after the NICs', its own
 * IOMMU (one requester ID for all its queues), and with queue isolation
 * one more context per I/O queue. */
static int
add_nvme(struct board *b, int j, char *err, size_t errlen)
{
	const struct board_nvme_desc *nd = &b->desc.nvme[j];
	int i = b->ndevs;
	struct board_dev *bd = &b->dev[i];
	struct nvme_config cfg;
	char barname[40];

	memset(&cfg, 0, sizeof cfg);
	cfg.nqueues = nd->queues != 0 ? nd->queues : NVME_QUEUES_DEFAULT;
	cfg.nnamespaces = nd->namespaces != 0 ? nd->namespaces : 1;
	for (unsigned n = 0; n < cfg.nnamespaces; n++) {
		cfg.namespaces[n].size_bytes = nd->ns_bytes != 0 ?
		    nd->ns_bytes : NVME_NS_DEFAULT;
		cfg.namespaces[n].block_size = 512;
	}
	cfg.namespaces[0].path = nd->path;
	bd->kind = BOARD_DEV_NVME;
	snprintf(bd->name, sizeof bd->name, "nvme%d", j);
	snprintf(barname, sizeof barname, "%s BAR0", bd->name);
	bd->bar = NIC_BAR_BASE + (uint64_t)i * NIC_BAR_STRIDE;
	bd->bar_size = NVME_BAR0_SIZE;
	b->ndevs = i + 1;	/* board_free frees what there is */
	if ((bd->iommu = iommu_new(b->phys, bd->name)) == NULL) {
		snprintf(err, errlen, "cannot create an IOMMU");
		return -1;
	}
	if (nd->queue_isolation) {
		/* One context per queue's PASID, named for DMA faults. */
		for (unsigned q = 1; q <= cfg.nqueues; q++) {
			char qname[40];

			snprintf(qname, sizeof qname, "%s q%u", bd->name, q);
			if ((b->qio[i][q] = iommu_new(b->phys, qname)) == NULL) {
				snprintf(err, errlen, "cannot create an IOMMU");
				return -1;
			}
		}
		bd->queue_iommu = b->qio[i];
		bd->nqueue_iommu = cfg.nqueues;
		cfg.queue_isolation = true;
		cfg.queue_dma = b->qio[i];
	}
	if ((b->nvme[i] = nvme_new(bd->name, &cfg, bd->iommu, err,
	    errlen)) == NULL)
		return -1;
	if (phys_add_mmio(b->phys, bd->bar, bd->bar_size, barname,
	    &nvme_mmio_ops, b->nvme[i]) != 0) {
		snprintf(err, errlen, "cannot place %s", barname);
		return -1;
	}
	return 0;
}

struct board *
board_new(const struct board_desc *d, char *err, size_t errlen)
{
	struct board_desc def;
	const char *wire, *bad;
	struct board *b;

	if (d == NULL) {
		board_desc_default(&def);
		d = &def;
	}
	wire = d->wire != NULL ? d->wire : "none";
	bad = check_desc(d, wire);
	if (bad != NULL) {
		snprintf(err, errlen, "%s", bad);
		return NULL;
	}
	if ((b = calloc(1, sizeof *b)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	b->desc = *d;
	snprintf(b->wire_spec, sizeof b->wire_spec, "%s", wire);
	b->desc.wire = b->wire_spec;
	if (d->pcap != NULL) {
		snprintf(b->pcap_path, sizeof b->pcap_path, "%s", d->pcap);
		b->desc.pcap = b->pcap_path;
	}
	for (int j = 0; j < d->nvmes; j++)
		if (d->nvme[j].path != NULL) {
			snprintf(b->nvme_path[j], sizeof b->nvme_path[j], "%s",
			    d->nvme[j].path);
			b->desc.nvme[j].path = b->nvme_path[j];
		}
	if ((b->phys = phys_new()) == NULL ||
	    phys_add_ram(b->phys, d->ram_base, d->ram_size) != 0)
		return fail(b, err, errlen, "cannot create RAM");

	for (int i = 0; i < d->nics; i++) {
		struct board_dev *bd = &b->dev[i];
		uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34,
		    (uint8_t)(0x56 + i) };
		char barname[40];

		bd->kind = BOARD_DEV_E1000E;
		snprintf(bd->name, sizeof bd->name, "e1000e%d", i);
		snprintf(barname, sizeof barname, "%s BAR0", bd->name);
		bd->bar = NIC_BAR_BASE + (uint64_t)i * NIC_BAR_STRIDE;
		bd->bar_size = E1000E_BAR0_SIZE;
		if ((bd->iommu = iommu_new(b->phys, bd->name)) == NULL ||
		    (b->nic[i] = e1000e_new(bd->name, mac, bd->iommu)) == NULL ||
		    phys_add_mmio(b->phys, bd->bar, bd->bar_size, barname,
		    &e1000e_mmio_ops, b->nic[i]) != 0) {
			b->ndevs = i + 1;
			return fail(b, err, errlen, "cannot create a NIC");
		}
		b->ndevs = i + 1;
	}
	for (int j = 0; j < d->nvmes; j++)
		if (add_nvme(b, j, err, errlen) != 0)
			return fail(b, err, errlen, NULL);
	if (strcmp(wire, "none") != 0) {
		struct netport *pb = NULL;

		if (strcmp(wire, "pair") == 0)
			pb = e1000e_port(b->nic[1]);
		if ((b->wire = wire_open(wire, e1000e_port(b->nic[0]), pb, err,
		    errlen)) == NULL)
			return fail(b, err, errlen, NULL);
		if (d->pcap != NULL &&
		    wire_record(b->wire, d->pcap, err, errlen) != 0)
			return fail(b, err, errlen, NULL);
		for (int i = 0; i < b->ndevs && i < 2; i++)
			e1000e_link_changed(b->nic[i]);
	}
	for (int i = 1; i < d->nics; i++) {
		if (d->nic_wire[i] == NULL)
			continue;
		snprintf(b->nic_wire_spec[i], sizeof b->nic_wire_spec[i], "%s",
		    d->nic_wire[i]);
		b->desc.nic_wire[i] = b->nic_wire_spec[i];
		if ((b->nic_wire[i] = wire_open(b->nic_wire_spec[i],
		    e1000e_port(b->nic[i]), NULL, err, errlen)) == NULL)
			return fail(b, err, errlen, NULL);
		e1000e_link_changed(b->nic[i]);
	}
	return b;
}

void
board_free(struct board *b)
{
	if (b == NULL)
		return;
	wire_close(b->wire);
	for (int i = 0; i < BOARD_MAX_DEVS; i++)
		wire_close(b->nic_wire[i]);
	for (int i = 0; i < b->ndevs; i++) {
		e1000e_free(b->nic[i]);
		nvme_free(b->nvme[i]);
		iommu_free(b->dev[i].iommu);
		for (unsigned q = 0; q <= NVME_MAX_IOQ; q++)
			iommu_free(b->qio[i][q]);
	}
	phys_free(b->phys);
	free(b);
}

struct phys *
board_phys(const struct board *b)
{
	return b->phys;
}

uint64_t
board_ram_base(const struct board *b)
{
	return b->desc.ram_base;
}

uint64_t
board_ram_size(const struct board *b)
{
	return b->desc.ram_size;
}

int
board_ndevs(const struct board *b)
{
	return b->ndevs;
}

const struct board_dev *
board_dev(const struct board *b, int i)
{
	return i >= 0 && i < b->ndevs ? &b->dev[i] : NULL;
}

void
board_irq_attach(struct board *b, int i, void (*fn)(void *, bool), void *arg)
{
	if (i < 0 || i >= b->ndevs)
		return;
	if (b->nic[i] != NULL)
		e1000e_set_irq_handler(b->nic[i], fn, arg);
	else if (b->nvme[i] != NULL)
		nvme_set_irq_handler(b->nvme[i], fn, arg);
}

void
board_poll(struct board *b, unsigned budget)
{
	if (b->wire != NULL)
		wire_poll(b->wire, (int)budget);
	for (int i = 0; i < BOARD_MAX_DEVS; i++)
		if (b->nic_wire[i] != NULL)
			wire_poll(b->nic_wire[i], (int)budget);
}

const struct board_desc *
board_desc(const struct board *b)
{
	return &b->desc;
}

struct e1000e *
board_nic(const struct board *b, int i)
{
	return i >= 0 && i < b->ndevs ? b->nic[i] : NULL;
}

void
board_nic_mac(const struct board *b, int i, uint8_t mac[6])
{
	uint32_t lo = e1000e_peek(b->nic[i], E1000E_RAL(0));
	uint32_t hi = e1000e_peek(b->nic[i], E1000E_RAH(0));

	for (int n = 0; n < 4; n++)
		mac[n] = (uint8_t)(lo >> (8 * n));
	mac[4] = (uint8_t)hi;
	mac[5] = (uint8_t)(hi >> 8);
}

struct wire *
board_wire(const struct board *b)
{
	return b->wire;
}

struct wire *
board_nic_wire(const struct board *b, int i)
{
	if (i < 0 || i >= b->desc.nics)
		return NULL;
	if (b->nic_wire[i] != NULL)
		return b->nic_wire[i];
	return i == 0 || (i == 1 && strcmp(b->desc.wire, "pair") == 0) ?
	    b->wire : NULL;
}

struct nvme *
board_nvme(const struct board *b, int j)
{
	int i = b->desc.nics + j;

	return j >= 0 && i < b->ndevs ? b->nvme[i] : NULL;
}
