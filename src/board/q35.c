/* q35.c — see q35.h. */
#include "board/q35.h"

#include <stdlib.h>

#include "machine/pci.h"
#include "machine/phys.h"

#define LOW_RAM_TOP	0xC0000ull
#define HIGH_RAM_BASE	0x100000ull

struct q35 {
	struct phys	*phys;
	struct pci_bus	*pci;
	void		(*sink)(void *, unsigned, int);
	void		*sink_arg;
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
	return (20 + slot % 4);
}

static unsigned
route(void *owner, unsigned slot, unsigned pin)
{
	(void)owner;
	return (20 + (slot + pin - 1) % 4);
}

static void
set_irq(void *owner, unsigned irq, bool level)
{
	struct q35 *m = owner;

	if (m->sink != NULL)
		m->sink(m->sink_arg, irq, level ? 1 : 0);
}

struct q35 *
q35_new(uint64_t ram_size)
{
	struct pci_irq_router r = { route, set_irq, NULL };
	const struct chipset_fn *c;
	struct pci_func *f;
	struct q35 *m;
	size_t i;

	if (ram_size < Q35_RAM_MIN || ram_size > Q35_RAM_MAX ||
	    ram_size % 4096 != 0)
		return (NULL);
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return (NULL);
	r.owner = m;
	if ((m->phys = phys_new()) == NULL ||
	    phys_add_ram(m->phys, 0, LOW_RAM_TOP) != 0 ||
	    phys_add_ram(m->phys, HIGH_RAM_BASE,
	    ram_size - HIGH_RAM_BASE) != 0 ||
	    (m->pci = pci_bus_new(m->phys, &r)) == NULL) {
		q35_free(m);
		return (NULL);
	}
	for (i = 0; i < sizeof(chipset) / sizeof(chipset[0]); i++) {
		c = &chipset[i];
		f = pci_func_add(m->pci, c->slot, c->fn, c->name);
		if (f == NULL) {
			q35_free(m);
			return (NULL);
		}
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
	return (m);
}

void
q35_free(struct q35 *m)
{
	if (m == NULL)
		return;
	pci_bus_free(m->pci);
	phys_free(m->phys);
	free(m);
}

struct phys *
q35_phys(const struct q35 *m)
{
	return (m->phys);
}

struct pci_bus *
q35_pci(const struct q35 *m)
{
	return (m->pci);
}

void
q35_set_irq_sink(struct q35 *m, void (*fn)(void *, unsigned, int), void *arg)
{
	m->sink = fn;
	m->sink_arg = arg;
}
