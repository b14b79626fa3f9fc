/* pci.c — see pci.h. */
#include "machine/pci.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/phys.h"

#define CONFIG_ADDRESS	0xCF8
#define CONFIG_DATA	0xCFC
#define CONFIG_ENABLE	0x80000000u

struct pci_bar {
	uint64_t		 size;		/* 0: no such BAR (it reads 0, as PCI
						   says an unused BAR must) */
	bool			 io;
	const struct mmio_ops	*ops;
	void			*dev;
	uint64_t		 addr;		/* where it decodes now */
	char			 name[64];
};

struct pci_func {
	struct pci_bus	*bus;
	unsigned	 slot, fn;
	uint8_t		 cfg[PCI_CFG_SIZE];
	uint8_t		 wmask[PCI_CFG_SIZE];
	uint8_t		 w1cmask[PCI_CFG_SIZE];
	struct pci_bar	 bar[PCI_NBARS];
	unsigned	 last_cap;	/* offset of the last capability */
	bool		 intx;		/* the device's pin */
	bool		 intx_out;	/* what the bus sees */
	bool		 master;
	void		(*master_fn)(void *, bool);
	void		*master_owner;
	void		(*cfg_fn)(void *, unsigned, unsigned);
	void		*cfg_owner;
	char		 name[32];
};

struct pci_bus {
	struct phys		*phys;
	struct pci_irq_router	 router;
	struct pci_func		*func[PCI_SLOTS][PCI_FUNCS];
	uint32_t		 config_addr;
	unsigned		 irq_count[PCI_MAX_IRQS];
	struct pci_bus_counters	 cnt;
};

static uint16_t
cfg16(const struct pci_func *f, unsigned off)
{
	return (uint16_t)(f->cfg[off] | f->cfg[off + 1] << 8);
}

static uint32_t
cfg32(const struct pci_func *f, unsigned off)
{
	return (uint32_t)cfg16(f, off) | (uint32_t)cfg16(f, off + 2) << 16;
}

struct pci_bus *
pci_bus_new(struct phys *phys, const struct pci_irq_router *router)
{
	struct pci_bus *b;

	if (phys == NULL || router == NULL || router->route == NULL ||
	    router->set_irq == NULL)
		return NULL;
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return NULL;
	b->phys = phys;
	b->router = *router;
	return b;
}

static void bar_unmap(struct pci_func *f, unsigned n);

void
pci_bus_free(struct pci_bus *b)
{
	unsigned s, fn, n;

	if (b == NULL)
		return;
	for (s = 0; s < PCI_SLOTS; s++)
		for (fn = 0; fn < PCI_FUNCS; fn++) {
			if (b->func[s][fn] == NULL)
				continue;
			for (n = 0; n < PCI_NBARS; n++)
				bar_unmap(b->func[s][fn], n);
			free(b->func[s][fn]);
		}
	free(b);
}

struct phys *
pci_bus_phys(const struct pci_bus *b)
{
	return b->phys;
}

struct pci_func *
pci_func_add(struct pci_bus *b, unsigned slot, unsigned fn, const char *name)
{
	struct pci_func *f;
	unsigned n;

	if (b == NULL || slot >= PCI_SLOTS || fn >= PCI_FUNCS ||
	    b->func[slot][fn] != NULL || name == NULL)
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->bus = b;
	f->slot = slot;
	f->fn = fn;
	snprintf(f->name, sizeof(f->name), "%s", name);
	for (n = 0; n < PCI_NBARS; n++)
		f->bar[n].addr = PCI_BAR_UNMAPPED;
	b->func[slot][fn] = f;
	return f;
}

unsigned
pci_func_slot(const struct pci_func *f)
{
	return f->slot;
}

void
pci_cfg_init8(struct pci_func *f, unsigned off, uint8_t val, uint8_t wmask,
    uint8_t w1cmask)
{
	if (off >= PCI_CFG_SIZE)
		return;
	f->cfg[off] = val;
	f->wmask[off] = wmask;
	f->w1cmask[off] = w1cmask;
}

void
pci_cfg_init16(struct pci_func *f, unsigned off, uint16_t val,
    uint16_t wmask, uint16_t w1cmask)
{
	pci_cfg_init8(f, off, (uint8_t)val, (uint8_t)wmask, (uint8_t)w1cmask);
	pci_cfg_init8(f, off + 1, (uint8_t)(val >> 8), (uint8_t)(wmask >> 8),
	    (uint8_t)(w1cmask >> 8));
}

void
pci_cfg_init32(struct pci_func *f, unsigned off, uint32_t val,
    uint32_t wmask, uint32_t w1cmask)
{
	pci_cfg_init16(f, off, (uint16_t)val, (uint16_t)wmask,
	    (uint16_t)w1cmask);
	pci_cfg_init16(f, off + 2, (uint16_t)(val >> 16),
	    (uint16_t)(wmask >> 16), (uint16_t)(w1cmask >> 16));
}

int
pci_cap_add(struct pci_func *f, uint8_t id, unsigned off, unsigned len)
{
	if (off < 0x40 || off % 4 != 0 || len < 2 || off + len > PCI_CFG_SIZE)
		return -1;
	f->cfg[off] = id;
	f->cfg[off + 1] = 0;
	if (f->last_cap == 0)
		f->cfg[PCI_CAP_PTR] = (uint8_t)off;
	else
		f->cfg[f->last_cap + 1] = (uint8_t)off;
	f->last_cap = off;
	f->cfg[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
	return 0;
}

int
pci_bar_init(struct pci_func *f, unsigned n, uint64_t size, bool io,
    const struct mmio_ops *ops, void *dev)
{
	struct pci_bar *bar;
	uint32_t mask;

	if (f == NULL || n >= PCI_NBARS || ops == NULL || ops->read == NULL ||
	    ops->write == NULL || size == 0 || (size & (size - 1)) != 0)
		return -1;
	if (io ? (size < 4 || size > 256) : (size < 4096 || size > (1u << 31)))
		return -1;
	bar = &f->bar[n];
	bar->size = size;
	bar->io = io;
	bar->ops = ops;
	bar->dev = dev;
	snprintf(bar->name, sizeof(bar->name), "%s BAR%u", f->name, n);
	/* The low bits say what the BAR is and never change. */
	mask = (uint32_t)~(size - 1);
	pci_cfg_init32(f, PCI_BAR0 + 4 * n, io ? 1u : 0u, mask, 0);
	return 0;
}

uint64_t
pci_bar_addr(const struct pci_func *f, unsigned n)
{
	return n < PCI_NBARS ? f->bar[n].addr : PCI_BAR_UNMAPPED;
}

/*
 * Where BAR n should decode: its space enabled, and an address that is
 * neither 0 nor so high that the BAR would reach the top of the 32-bit
 * space (where sizing leaves it).
 */
static uint64_t
bar_target(const struct pci_func *f, unsigned n)
{
	const struct pci_bar *bar = &f->bar[n];
	uint16_t cmd = cfg16(f, PCI_COMMAND);
	uint64_t base, last;

	if (bar->size == 0)
		return PCI_BAR_UNMAPPED;
	if (!(cmd & (bar->io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
		return PCI_BAR_UNMAPPED;
	base = cfg32(f, PCI_BAR0 + 4 * n) & ~(bar->size - 1) & 0xFFFFFFFFu;
	last = base + bar->size - 1;
	if (base == 0 || last >= 0xFFFFFFFFu)
		return PCI_BAR_UNMAPPED;
	return base;
}

static void
bar_unmap(struct pci_func *f, unsigned n)
{
	struct pci_bar *bar = &f->bar[n];

	if (bar->addr == PCI_BAR_UNMAPPED)
		return;
	if (!bar->io)
		(void)phys_remove_mmio(f->bus->phys, bar->addr);
	bar->addr = PCI_BAR_UNMAPPED;
}

static void
update_bars(struct pci_func *f)
{
	struct pci_bar *bar;
	uint64_t want;
	unsigned n;

	for (n = 0; n < PCI_NBARS; n++) {
		bar = &f->bar[n];
		want = bar_target(f, n);
		if (want == bar->addr)
			continue;
		bar_unmap(f, n);
		if (want == PCI_BAR_UNMAPPED)
			continue;
		/* RAM (and a BAR already there) wins over a BAR placed on
		 * top of it: this one stays dark until it moves. */
		if (!bar->io && phys_add_mmio(f->bus->phys, want, bar->size,
		    bar->name, bar->ops, bar->dev) != 0) {
			f->bus->cnt.bar_conflicts++;
			continue;
		}
		bar->addr = want;
	}
}

static void
bus_irq(struct pci_bus *b, unsigned irq, bool level)
{
	unsigned *c;

	if (irq >= PCI_MAX_IRQS)
		return;
	c = &b->irq_count[irq];
	if (level) {
		if ((*c)++ == 0)
			b->router.set_irq(b->router.owner, irq, true);
	} else if (*c > 0) {
		if (--(*c) == 0)
			b->router.set_irq(b->router.owner, irq, false);
	}
}

static void
update_intx(struct pci_func *f)
{
	unsigned pin = f->cfg[PCI_INTERRUPT_PIN];
	bool out = f->intx && pin >= 1 && pin <= 4 &&
	    !(cfg16(f, PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE);

	if (out == f->intx_out)
		return;
	f->intx_out = out;
	bus_irq(f->bus, f->bus->router.route(f->bus->router.owner, f->slot,
	    pin), out);
}

void
pci_set_intx(struct pci_func *f, bool level)
{
	if (f == NULL)
		return;
	f->intx = level;
	/* STATUS.INTERRUPT shows the pin whether or not it is disabled. */
	if (level)
		f->cfg[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		f->cfg[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
	update_intx(f);
}

void
pci_set_master_hook(struct pci_func *f, void (*fn)(void *, bool),
    void *owner)
{
	f->master_fn = fn;
	f->master_owner = owner;
}

static void
update_command(struct pci_func *f)
{
	bool m = (cfg16(f, PCI_COMMAND) & PCI_COMMAND_MASTER) != 0;

	update_bars(f);
	update_intx(f);
	if (m == f->master)
		return;
	f->master = m;
	if (f->master_fn != NULL)
		f->master_fn(f->master_owner, m);
}

uint32_t
pci_cfg_read(struct pci_func *f, unsigned off, unsigned len)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < len && i < 4; i++)
		if (off + i < PCI_CFG_SIZE)
			v |= (uint32_t)f->cfg[off + i] << (8 * i);
	return v;
}

static bool
overlaps(unsigned off, unsigned len, unsigned lo, unsigned hi)
{
	return off < hi && lo < off + len;
}

void
pci_cfg_write(struct pci_func *f, unsigned off, uint32_t val, unsigned len)
{
	unsigned i, o;
	uint8_t b;

	if (len > 4)
		len = 4;
	for (i = 0; i < len; i++) {
		o = off + i;
		if (o >= PCI_CFG_SIZE)
			break;
		b = (uint8_t)(val >> (8 * i));
		f->cfg[o] = (uint8_t)((f->cfg[o] & ~f->wmask[o]) |
		    (b & f->wmask[o]));
		f->cfg[o] &= (uint8_t)~(b & f->w1cmask[o]);
	}
	if (overlaps(off, len, PCI_COMMAND, PCI_COMMAND + 2))
		update_command(f);
	else if (overlaps(off, len, PCI_BAR0, PCI_BAR0 + 4 * PCI_NBARS))
		update_bars(f);
	if (f->cfg_fn != NULL && off < PCI_CFG_SIZE)
		f->cfg_fn(f->cfg_owner, off, len);
}

void
pci_set_cfg_hook(struct pci_func *f, void (*fn)(void *, unsigned, unsigned),
    void *owner)
{
	f->cfg_fn = fn;
	f->cfg_owner = owner;
}

/* The function CONFIG_ADDRESS (with the port's low bits) selects. */
static struct pci_func *
config_target(struct pci_bus *b, uint32_t addr)
{
	unsigned bus = (addr >> 16) & 0xFF, dev = (addr >> 11) & 0x1F;
	unsigned fn = (addr >> 8) & 7;

	/* Functions 1-7 answer only beside a function 0. */
	if (bus != 0 || b->func[dev][0] == NULL)
		return NULL;
	return b->func[dev][fn];
}

static uint32_t
ones(unsigned len)
{
	return len >= 4 ? 0xFFFFFFFFu : (1u << (8 * len)) - 1;
}

/* One decoder's share of a port access: LEN bytes at OFF inside it. */
struct io_range {
	uint32_t		 base, size;
	int			 kind;	/* 0 address, 1 data, 2 BAR */
	struct pci_bar		*bar;
};

static bool
io_decode(struct pci_bus *b, uint32_t port, struct io_range *r)
{
	unsigned s, fn, n;
	struct pci_func *f;
	struct pci_bar *bar;

	if (port >= CONFIG_ADDRESS && port < CONFIG_ADDRESS + 4) {
		*r = (struct io_range){ CONFIG_ADDRESS, 4, 0, NULL };
		return true;
	}
	if (port >= CONFIG_DATA && port < CONFIG_DATA + 4) {
		*r = (struct io_range){ CONFIG_DATA, 4, 1, NULL };
		return true;
	}
	for (s = 0; s < PCI_SLOTS; s++)
		for (fn = 0; fn < PCI_FUNCS; fn++) {
			if ((f = b->func[s][fn]) == NULL)
				continue;
			for (n = 0; n < PCI_NBARS; n++) {
				bar = &f->bar[n];
				if (!bar->io || bar->addr == PCI_BAR_UNMAPPED ||
				    port < bar->addr ||
				    port - bar->addr >= bar->size)
					continue;
				*r = (struct io_range){ (uint32_t)bar->addr,
				    (uint32_t)bar->size, 2, bar };
				return true;
			}
		}
	return false;
}

static uint32_t
io_range_read(struct pci_bus *b, const struct io_range *r, uint32_t off,
    unsigned len)
{
	struct pci_func *f;

	switch (r->kind) {
	case 0:
		return b->config_addr & ones(len);
	case 1:
		if (!(b->config_addr & CONFIG_ENABLE) ||
		    (f = config_target(b, b->config_addr | off)) == NULL)
			return ones(len);
		return pci_cfg_read(f, (b->config_addr | off) & 0xFF, len);
	default:
		return ((uint32_t)r->bar->ops->read(r->bar->dev, off, len) &
		    ones(len));
	}
}

static void
io_range_write(struct pci_bus *b, const struct io_range *r, uint32_t off,
    uint32_t val, unsigned len)
{
	struct pci_func *f;

	switch (r->kind) {
	case 0:
		/* Only a whole-dword write at 0xCF8 sets the address. */
		if (off == 0 && len == 4)
			b->config_addr = val;
		return;
	case 1:
		if ((b->config_addr & CONFIG_ENABLE) &&
		    (f = config_target(b, b->config_addr | off)) != NULL)
			pci_cfg_write(f, (b->config_addr | off) & 0xFF, val,
			    len);
		return;
	default:
		r->bar->ops->write(r->bar->dev, off, val & ones(len), len);
	}
}

/* Split [port, port+size) among the decoders; bytes nobody takes read
 * 0xFF. Sub-accesses are 1, 2 or 4 bytes, in address order. */
static uint32_t
io_access(struct pci_bus *b, uint16_t port, uint32_t val, unsigned size,
    bool write)
{
	uint32_t res = 0, p = port, end = (uint32_t)port + size, n;
	struct io_range r;
	unsigned shift;

	while (p < end) {
		shift = 8 * (p - port);
		if (!io_decode(b, p, &r)) {
			res |= 0xFFu << shift;
			p++;
			continue;
		}
		n = r.base + r.size - p;
		if (n > end - p)
			n = end - p;
		if (n == 3)
			n = 2;
		if (write)
			io_range_write(b, &r, p - r.base, val >> shift, n);
		else
			res |= io_range_read(b, &r, p - r.base, n) << shift;
		p += n;
	}
	return res;
}

uint32_t
pci_io_read(struct pci_bus *b, uint16_t port, unsigned size)
{
	if (b == NULL || (size != 1 && size != 2 && size != 4))
		return 0xFFFFFFFFu;
	return io_access(b, port, 0, size, false);
}

void
pci_io_write(struct pci_bus *b, uint16_t port, uint32_t val, unsigned size)
{
	if (b == NULL || (size != 1 && size != 2 && size != 4))
		return;
	(void)io_access(b, port, val, size, true);
}

void
pci_bus_get_counters(const struct pci_bus *b, struct pci_bus_counters *c)
{
	*c = b->cnt;
}
