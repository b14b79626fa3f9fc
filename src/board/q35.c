/* q35.c — see q35.h. */
#include "board/q35.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "dev/e1000e.h"
#include "dev/e1000e_pci.h"
#include "dev/nvme.h"
#include "dev/nvme_pci.h"
#include "machine/clock.h"
#include "machine/pci.h"
#include "machine/phys.h"
#include "net/wire.h"

#define LOW_RAM_TOP	0xC0000ull
#define HIGH_RAM_BASE	0x100000ull

struct q35 {
	struct phys	*phys;
	struct pci_bus	*pci;
	struct mclock	*clk;
	void		(*sink)(void *, unsigned, int);
	void		*sink_arg;
	struct e1000e_pci *nic[Q35_MAX_NICS];
	struct wire	*wire[Q35_MAX_NICS];
	unsigned	 nnics;		/* plugged in so far */
	struct nvme_pci	*nvme[Q35_MAX_NVMES];
	unsigned	 nnvmes;
};

/* The chipset functions a q35 always has, by their identity registers. */
static const struct chipset_fn {
	unsigned	slot, fn;
	uint16_t	vendor, device;
	uint8_t		rev;
	uint32_t	class;		/* base, sub, interface */
	uint8_t		header;
	uint8_t		pin;
	const char	*name;
} chipset[] = {
	{ 0, 0, 0x8086, 0x29C0, 0, 0x060000, 0x00, 0, "q35 host" },
	{ 31, 0, 0x8086, 0x2918, 2, 0x060100, 0x80, 0, "ich9 lpc" },
	{ 31, 2, 0x8086, 0x2922, 2, 0x010601, 0x80, 1, "ich9 sata" },
	{ 31, 3, 0x8086, 0x2930, 2, 0x0C0500, 0x80, 1, "ich9 smbus" },
};

unsigned
q35_intx_irq(unsigned slot)
{
	return 20 + slot % 4;
}

static unsigned
route(void *owner, unsigned slot, unsigned pin)
{
	(void)owner;
	return 20 + (slot + pin - 1) % 4;
}

static void
set_irq(void *owner, unsigned irq, bool level)
{
	struct q35 *m = owner;

	if (m->sink != NULL)
		m->sink(m->sink_arg, irq, level ? 1 : 0);
}

static bool
is_pair(const struct q35_nic_desc *n)
{
	return n->wire != NULL && strcmp(n->wire, "pair") == 0;
}

static int
check_nvme(const struct q35_nvme_desc *n, unsigned i, char *err,
    size_t errlen)
{
	const char *c;

	/* Identify's SN: 20 bytes of printable ASCII (§5.15.2.2). */
	if (n->serial == NULL || n->serial[0] == '\0' ||
	    strlen(n->serial) > 20) {
		snprintf(err, errlen, "NVMe controller %u: a serial of 1 to 20"
		    " characters", i);
		return -1;
	}
	for (c = n->serial; *c != '\0'; c++)
		if (*c < 0x20 || *c > 0x7E) {
			snprintf(err, errlen, "NVMe controller %u: the serial"
			    " must be printable ASCII", i);
			return -1;
		}
	if (n->disk == NULL && (n->ram_bytes < 512 ||
	    n->ram_bytes > Q35_NVME_RAM_MAX)) {
		snprintf(err, errlen, "NVMe controller %u: RAM namespace of"
		    " %" PRIu64 " bytes: want 512 bytes to %llu MiB", i,
		    n->ram_bytes, Q35_NVME_RAM_MAX >> 20);
		return -1;
	}
	return 0;
}

int
q35_check(const struct q35_desc *d, char *err, size_t errlen)
{
	unsigned i;

	if (d->ram_size < Q35_RAM_MIN || d->ram_size > Q35_RAM_MAX ||
	    d->ram_size % 4096 != 0) {
		snprintf(err, errlen, "RAM size %" PRIu64 " bytes: want %llu"
		    " to %llu MiB in whole 4 KiB pages", d->ram_size,
		    Q35_RAM_MIN >> 20, Q35_RAM_MAX >> 20);
		return -1;
	}
	if (d->nnics > Q35_MAX_NICS) {
		snprintf(err, errlen, "%u NICs: at most %d", d->nnics,
		    Q35_MAX_NICS);
		return -1;
	}
	for (i = 0; i < d->nnics; i++) {
		if (!is_pair(&d->nic[i]))
			continue;
		if (i + 1 >= d->nnics || !is_pair(&d->nic[i + 1])) {
			snprintf(err, errlen, "wire=pair on NIC %u needs the"
			    " next NIC on wire=pair too", i);
			return -1;
		}
		i++;	/* the pair's other end */
	}
	if (d->nnvmes > Q35_MAX_NVMES) {
		snprintf(err, errlen, "%u NVMe controllers: at most %d",
		    d->nnvmes, Q35_MAX_NVMES);
		return -1;
	}
	for (i = 0; i < d->nnvmes; i++)
		if (check_nvme(&d->nvme[i], i, err, errlen) != 0)
			return -1;
	return 0;
}

/* The chipset: RAM, the bus and its fixed functions. */
static int
build_chipset(struct q35 *m, uint64_t ram_size)
{
	struct pci_irq_router r = { route, set_irq, m };
	const struct chipset_fn *c;
	struct pci_func *f;
	size_t i;

	if ((m->phys = phys_new()) == NULL ||
	    phys_add_ram(m->phys, 0, LOW_RAM_TOP) != 0 ||
	    phys_add_ram(m->phys, HIGH_RAM_BASE,
	    ram_size - HIGH_RAM_BASE) != 0 ||
	    (m->pci = pci_bus_new(m->phys, &r)) == NULL)
		return -1;
	for (i = 0; i < sizeof(chipset) / sizeof(chipset[0]); i++) {
		c = &chipset[i];
		f = pci_func_add(m->pci, c->slot, c->fn, c->name);
		if (f == NULL)
			return -1;
		pci_cfg_init16(f, PCI_VENDOR_ID, c->vendor, 0, 0);
		pci_cfg_init16(f, PCI_DEVICE_ID, c->device, 0, 0);
		pci_cfg_init8(f, PCI_REVISION_ID, c->rev, 0, 0);
		pci_cfg_init8(f, PCI_CLASS_PROG, (uint8_t)c->class, 0, 0);
		pci_cfg_init16(f, PCI_CLASS_DEVICE, (uint16_t)(c->class >> 8),
		    0, 0);
		pci_cfg_init8(f, PCI_HEADER_TYPE, c->header, 0, 0);
		/* QEMU's subsystem: Red Hat, QEMU. */
		pci_cfg_init16(f, PCI_SUBSYS_VENDOR_ID, 0x1AF4, 0, 0);
		pci_cfg_init16(f, PCI_SUBSYS_ID, 0x1100, 0, 0);
		pci_cfg_init8(f, PCI_INTERRUPT_PIN, c->pin, 0, 0);
	}
	return 0;
}

/* The NICs, then their wires: a pair needs both ends plugged in. */
/* A NIC's pcap= (either of a pair's: they share the wire). */
static int
record(struct wire *w, const struct q35_nic_desc *a,
    const struct q35_nic_desc *b, char *err, size_t errlen)
{
	const char *path = a->pcap[0] != '\0' ? a->pcap :
	    b != NULL && b->pcap[0] != '\0' ? b->pcap : NULL;

	if (path == NULL)
		return 0;
	if (b != NULL && a->pcap[0] != '\0' && b->pcap[0] != '\0') {
		snprintf(err, errlen, "a pair records one pcap file: pcap= on"
		    " one of its NICs");
		return -1;
	}
	return wire_record(w, path, err, errlen);
}

static int
build_nics(struct q35 *m, const struct q35_desc *d, char *err,
    size_t errlen)
{
	struct netport *peer;
	char name[24];
	unsigned i;

	for (i = 0; i < d->nnics; i++) {
		snprintf(name, sizeof(name), "e1000e%u", i);
		m->nic[i] = e1000e_pci_new(m->pci, Q35_FIRST_SLOT + i, name,
		    d->nic[i].mac);
		if (m->nic[i] == NULL) {
			snprintf(err, errlen, "cannot add %s", name);
			return -1;
		}
		m->nnics = i + 1;
		e1000e_set_clock(e1000e_pci_dev(m->nic[i]), m->clk);
	}
	for (i = 0; i < d->nnics; i++) {
		if (d->nic[i].wire == NULL) {
			if (d->nic[i].pcap[0] == '\0')
				continue;
			snprintf(err, errlen, "e1000e%u: pcap= needs a wire=",
			    i);
			return -1;
		}
		peer = is_pair(&d->nic[i]) ?
		    e1000e_port(e1000e_pci_dev(m->nic[i + 1])) : NULL;
		m->wire[i] = wire_open(d->nic[i].wire,
		    e1000e_port(e1000e_pci_dev(m->nic[i])), peer, err, errlen);
		if (m->wire[i] == NULL)
			return -1;
		if (record(m->wire[i], &d->nic[i], peer != NULL ?
		    &d->nic[i + 1] : NULL, err, errlen) != 0)
			return -1;
		if (peer != NULL)
			i++;	/* the pair is NIC i's */
	}
	for (i = 0; i < m->nnics; i++)
		e1000e_link_changed(e1000e_pci_dev(m->nic[i]));
	return 0;
}

/* The NVMe controllers, in the slots after the NICs'. */
static int
build_nvmes(struct q35 *m, const struct q35_desc *d, char *err,
    size_t errlen)
{
	struct nvme_config cfg;
	struct stat st;
	char name[24];
	unsigned i;

	for (i = 0; i < d->nnvmes; i++) {
		const struct q35_nvme_desc *n = &d->nvme[i];

		snprintf(name, sizeof(name), "nvme%u", i);
		memset(&cfg, 0, sizeof(cfg));
		cfg.nqueues = Q35_NVME_QUEUES;
		cfg.nnamespaces = 1;
		cfg.serial = n->serial;
		cfg.namespaces[0].block_size = 512;
		cfg.namespaces[0].size_bytes = n->ram_bytes;
		if (n->disk != NULL) {
			/* The namespace is the file, as QEMU's raw drive is:
			 * it must be there already. */
			if (stat(n->disk, &st) != 0 || !S_ISREG(st.st_mode)) {
				snprintf(err, errlen, "%s: disk %s: not a"
				    " regular file", name, n->disk);
				return -1;
			}
			if (st.st_size < 512) {
				snprintf(err, errlen, "%s: disk %s: smaller"
				    " than one 512-byte block", name, n->disk);
				return -1;
			}
			cfg.namespaces[0].size_bytes = (uint64_t)st.st_size;
			cfg.namespaces[0].path = n->disk;
		}
		m->nvme[i] = nvme_pci_new(m->pci, Q35_FIRST_SLOT + d->nnics + i,
		    name, &cfg, err, errlen);
		if (m->nvme[i] == NULL)
			return -1;
		m->nnvmes = i + 1;
	}
	return 0;
}

struct q35 *
q35_new(const struct q35_desc *d, char *err, size_t errlen)
{
	struct q35 *m;

	if (q35_check(d, err, errlen) != 0)
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->clk = mclock_new()) == NULL ||
	    build_chipset(m, d->ram_size) != 0) {
		snprintf(err, errlen, "out of memory");
		q35_free(m);
		return NULL;
	}
	if (build_nics(m, d, err, errlen) != 0 ||
	    build_nvmes(m, d, err, errlen) != 0) {
		q35_free(m);
		return NULL;
	}
	return m;
}

void
q35_free(struct q35 *m)
{
	unsigned i;

	if (m == NULL)
		return;
	/* Wires first (they hold the NICs' ports), the bus before the NICs
	 * (it unmaps their BARs), RAM last. */
	for (i = 0; i < m->nnics; i++)
		(void)wire_close(m->wire[i]);
	pci_bus_free(m->pci);
	for (i = 0; i < m->nnics; i++)
		e1000e_pci_free(m->nic[i]);
	for (i = 0; i < m->nnvmes; i++)
		nvme_pci_free(m->nvme[i]);
	mclock_free(m->clk);	/* after the NICs, whose timers it holds */
	phys_free(m->phys);
	free(m);
}

struct phys *
q35_phys(const struct q35 *m)
{
	return m->phys;
}

struct pci_bus *
q35_pci(const struct q35 *m)
{
	return m->pci;
}

struct mclock *
q35_clock(const struct q35 *m)
{
	return m->clk;
}

unsigned
q35_nnics(const struct q35 *m)
{
	return m->nnics;
}

struct e1000e_pci *
q35_nic(const struct q35 *m, unsigned i)
{
	return i < m->nnics ? m->nic[i] : NULL;
}

unsigned
q35_nnvmes(const struct q35 *m)
{
	return m->nnvmes;
}

struct nvme_pci *
q35_nvme(const struct q35 *m, unsigned i)
{
	return i < m->nnvmes ? m->nvme[i] : NULL;
}

struct wire *
q35_wire(const struct q35 *m, unsigned i)
{
	return i < m->nnics ? m->wire[i] : NULL;
}

void
q35_set_irq_sink(struct q35 *m, void (*fn)(void *, unsigned, int), void *arg)
{
	m->sink = fn;
	m->sink_arg = arg;
}
