/* phys.c — see phys.h. */
#include "machine/phys.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct phys {
	/* Regions never move once added: the TLBs keep pointers to them.
	 * A removed region's slot (size 0) is reused by the next add. */
	struct phys_region regions[PHYS_MAX_REGIONS];
	unsigned nslots;			/* slots ever used */
	unsigned nregions;			/* live regions */
	unsigned order[PHYS_MAX_REGIONS];	/* live indices sorted by base */
};

struct phys *
phys_new(void)
{
	return calloc(1, sizeof(struct phys));
}

void
phys_free(struct phys *p)
{
	if (p == NULL)
		return;
	for (unsigned i = 0; i < p->nslots; i++) {
		struct phys_region *r = &p->regions[i];
		if (r->ram != NULL)
			munmap(r->ram, r->size);
		free(r->tags);
		free((char *)r->name);
	}
	free(p);
}

/* Validate [base, base+size) and find its place in the order; -errno. */
static int
phys_slot(struct phys *p, uint64_t base, uint64_t size, unsigned *pos)
{
	unsigned i;

	if (p == NULL || size == 0 || base % PHYS_PAGE != 0 ||
	    size % PHYS_PAGE != 0 || base + size < base)
		return -EINVAL;
	if (p->nregions == PHYS_MAX_REGIONS)
		return -ENOSPC;
	for (i = 0; i < p->nregions; i++) {
		const struct phys_region *r = &p->regions[p->order[i]];
		if (base < r->base + r->size && r->base < base + size)
			return -EEXIST;
		if (r->base > base)
			break;
	}
	*pos = i;
	return 0;
}

static struct phys_region *
phys_insert(struct phys *p, unsigned pos)
{
	unsigned idx;

	for (idx = 0; idx < p->nslots; idx++)
		if (p->regions[idx].size == 0)
			break;
	if (idx == p->nslots)
		p->nslots++;
	memmove(&p->order[pos + 1], &p->order[pos],
	    (p->nregions - pos) * sizeof(p->order[0]));
	p->order[pos] = idx;
	p->nregions++;
	return &p->regions[idx];
}

int
phys_add_ram(struct phys *p, uint64_t base, uint64_t size)
{
	struct phys_region *r;
	uint64_t ngran, nwords;
	unsigned pos;
	uint8_t *ram;
	uint64_t *tags;
	char *name;
	int error;

	if ((error = phys_slot(p, base, size, &pos)) != 0)
		return error;
	if (size > (1ull << 40))
		return -ENOMEM;
	ngran = size / PHYS_GRANULE;
	nwords = (ngran + 63) / 64;
	/* Anonymous memory: zero-filled and committed only when touched. */
	ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED)
		return -ENOMEM;
	tags = calloc(nwords, sizeof(uint64_t));
	name = strdup("ram");
	if (tags == NULL || name == NULL) {
		munmap(ram, size);
		free(tags);
		free(name);
		return -ENOMEM;
	}
	r = phys_insert(p, pos);
	r->base = base;
	r->size = size;
	r->name = name;
	r->ram = ram;
	r->tags = tags;
	return 0;
}

int
phys_add_mmio(struct phys *p, uint64_t base, uint64_t size,
    const char *name, const struct mmio_ops *ops, void *dev)
{
	struct phys_region *r;
	unsigned pos;
	char *copy;
	int error;

	if (name == NULL || ops == NULL || ops->read == NULL ||
	    ops->write == NULL)
		return -EINVAL;
	if ((error = phys_slot(p, base, size, &pos)) != 0)
		return error;
	if ((copy = strdup(name)) == NULL)
		return -ENOMEM;
	r = phys_insert(p, pos);
	r->base = base;
	r->size = size;
	r->name = copy;
	r->ops = ops;
	r->dev = dev;
	return 0;
}

int
phys_remove_mmio(struct phys *p, uint64_t base)
{
	struct phys_region *r;
	unsigned i;

	if (p == NULL)
		return -EINVAL;
	for (i = 0; i < p->nregions; i++) {
		r = &p->regions[p->order[i]];
		if (r->base != base)
			continue;
		if (r->ops == NULL)
			return -EINVAL;	/* RAM stays */
		free((char *)r->name);
		memset(r, 0, sizeof(*r));
		memmove(&p->order[i], &p->order[i + 1],
		    (p->nregions - i - 1) * sizeof(p->order[0]));
		p->nregions--;
		return 0;
	}
	return -ENOENT;
}

const struct phys_region *
phys_find(const struct phys *p, uint64_t paddr)
{
	unsigned lo = 0, hi;

	if (p == NULL)
		return NULL;
	/* Binary search over the sorted order. */
	hi = p->nregions;
	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct phys_region *r = &p->regions[p->order[mid]];
		if (paddr < r->base)
			hi = mid;
		else if (paddr - r->base >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

unsigned
phys_region_count(const struct phys *p)
{
	return p == NULL ? 0 : p->nregions;
}

const struct phys_region *
phys_region_at(const struct phys *p, unsigned i)
{
	if (p == NULL || i >= p->nregions)
		return NULL;
	return &p->regions[p->order[i]];
}

/* The RAM region wholly holding [pa, pa+len), or NULL. */
static const struct phys_region *
phys_ram_range(const struct phys *p, uint64_t pa, size_t len)
{
	const struct phys_region *r = phys_find(p, pa);

	if (r == NULL || r->ram == NULL || len > r->size - (pa - r->base))
		return NULL;
	return r;
}

static void
tags_clear(const struct phys_region *r, uint64_t pa, size_t len)
{
	uint64_t g, last;

	if (len == 0)
		return;
	g = (pa - r->base) / PHYS_GRANULE;
	last = (pa - r->base + len - 1) / PHYS_GRANULE;
	/* Whole words at a time once aligned: copies can be large. */
	for (; g <= last && (g & 63) != 0; g++)
		r->tags[g / 64] &= ~(1ull << (g & 63));
	for (; g + 63 <= last; g += 64)
		r->tags[g / 64] = 0;
	for (; g <= last; g++)
		r->tags[g / 64] &= ~(1ull << (g & 63));
}

uint8_t *
phys_ram_ptr(const struct phys *p, uint64_t pa, size_t len)
{
	const struct phys_region *r = phys_ram_range(p, pa, len);

	return r == NULL ? NULL : r->ram + (pa - r->base);
}

void
phys_tags_clear(struct phys *p, uint64_t pa, size_t len)
{
	const struct phys_region *r = phys_ram_range(p, pa, len);

	if (r != NULL)
		tags_clear(r, pa, len);
}

int
phys_read(struct phys *p, uint64_t pa, void *buf, size_t len)
{
	const struct phys_region *r = phys_ram_range(p, pa, len);

	if (r == NULL || (len > 0 && buf == NULL))
		return -1;
	if (len > 0)
		memcpy(buf, r->ram + (pa - r->base), len);
	return 0;
}

int
phys_write(struct phys *p, uint64_t pa, const void *buf, size_t len)
{
	const struct phys_region *r = phys_ram_range(p, pa, len);

	if (r == NULL || (len > 0 && buf == NULL))
		return -1;
	if (len > 0) {
		memcpy(r->ram + (pa - r->base), buf, len);
		tags_clear(r, pa, len);
	}
	return 0;
}

bool
phys_tag_get(const struct phys *p, uint64_t pa)
{
	const struct phys_region *r = phys_find(p, pa);
	uint64_t g;

	if (r == NULL || r->tags == NULL)
		return false;
	g = (pa - r->base) / PHYS_GRANULE;
	return (r->tags[g / 64] >> (g & 63)) & 1;
}

static uint64_t
le64_get(const uint8_t *b)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static void
le64_put(uint8_t *b, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		b[i] = (uint8_t)v;
}

int
phys_load_cap(const struct phys *p, uint64_t pa, cap_t *out)
{
	const struct phys_region *r;
	const uint8_t *b;
	uint64_t g;

	if (pa % PHYS_GRANULE != 0 || out == NULL ||
	    (r = phys_ram_range(p, pa, PHYS_GRANULE)) == NULL)
		return -1;
	b = r->ram + (pa - r->base);
	g = (pa - r->base) / PHYS_GRANULE;
	*out = cap_from_mem(le64_get(b + 8), le64_get(b),
	    (r->tags[g / 64] >> (g & 63)) & 1);
	return 0;
}

int
phys_store_cap(struct phys *p, uint64_t pa, cap_t c)
{
	const struct phys_region *r;
	uint8_t *b;
	uint64_t g, bit;

	if (pa % PHYS_GRANULE != 0 ||
	    (r = phys_ram_range(p, pa, PHYS_GRANULE)) == NULL)
		return -1;
	b = r->ram + (pa - r->base);
	le64_put(b, c.cursor);
	le64_put(b + 8, c.pesbt);
	g = (pa - r->base) / PHYS_GRANULE;
	bit = 1ull << (g & 63);
	if (c.tag)
		r->tags[g / 64] |= bit;
	else
		r->tags[g / 64] &= ~bit;
	return 0;
}

static bool
bus_size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

int
phys_bus_read(struct phys *p, uint64_t pa, unsigned size, uint64_t *val)
{
	const struct phys_region *r = phys_find(p, pa);
	uint8_t b[8] = { 0 };

	if (r == NULL || !bus_size_ok(size) || val == NULL ||
	    size > r->size - (pa - r->base))
		return -1;
	if (r->ops != NULL) {
		if (pa % size != 0)
			return -1;
		*val = r->ops->read(r->dev, pa - r->base, size);
		if (size < 8)
			*val &= (1ull << (size * 8)) - 1;
		return 0;
	}
	memcpy(b, r->ram + (pa - r->base), size);
	*val = le64_get(b);
	return 0;
}

int
phys_bus_write(struct phys *p, uint64_t pa, unsigned size, uint64_t val)
{
	const struct phys_region *r = phys_find(p, pa);
	uint8_t b[8];

	if (r == NULL || !bus_size_ok(size) ||
	    size > r->size - (pa - r->base))
		return -1;
	if (size < 8)
		val &= (1ull << (size * 8)) - 1;
	if (r->ops != NULL) {
		if (pa % size != 0)
			return -1;
		r->ops->write(r->dev, pa - r->base, val, size);
		return 0;
	}
	le64_put(b, val);
	memcpy(r->ram + (pa - r->base), b, size);
	tags_clear(r, pa, size);
	return 0;
}

const char *
phys_reg_name(const struct phys_region *r, uint64_t off)
{
	const char *n;

	if (r == NULL || r->ops == NULL || r->ops->reg_name == NULL ||
	    off >= r->size)
		return "";
	n = r->ops->reg_name(r->dev, off);
	return n == NULL ? "" : n;
}
