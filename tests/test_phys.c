/* test_phys.c — physical address space: regions, RAM, tags, the bus. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "machine/phys.h"

/* A device of 64-bit registers that records its last transaction. */
struct regs {
	uint64_t r[512];
	uint64_t last_off;
	unsigned last_size, reads, writes;
};

static uint64_t
regs_read(void *dev, uint64_t off, unsigned size)
{
	struct regs *d = dev;
	uint64_t v;

	d->reads++;
	d->last_off = off;
	d->last_size = size;
	memcpy(&v, (uint8_t *)d->r + (off & ~7ull), 8);
	return v >> ((off & 7) * 8);
}

static void
regs_write(void *dev, uint64_t off, uint64_t val, unsigned size)
{
	struct regs *d = dev;

	d->writes++;
	d->last_off = off;
	d->last_size = size;
	memcpy((uint8_t *)d->r + off, &val, size);
}

static const char *
regs_name(void *dev, uint64_t off)
{
	(void)dev;
	return off == 0x18 ? "DOORBELL" : NULL;
}

static const struct mmio_ops regs_ops = { regs_read, regs_write, regs_name };

static void
test_regions(void)
{
	struct phys *p = phys_new();
	struct regs d = { 0 };
	const struct phys_region *r;

	CHECK(p != NULL);
	CHECK_EQ(phys_add_ram(p, 0x100000, 0x10000), 0);
	CHECK_EQ(phys_add_ram(p, 0x100001, 0x1000), -EINVAL);
	CHECK_EQ(phys_add_ram(p, 0x200000, 0x800), -EINVAL);
	CHECK_EQ(phys_add_ram(p, 0x200000, 0), -EINVAL);
	CHECK_EQ(phys_add_ram(p, 0xfffffffffffff000ull, 0x2000), -EINVAL);
	CHECK_EQ(phys_add_ram(p, 0x10f000, 0x2000), -EEXIST);
	CHECK_EQ(phys_add_ram(p, 0x0ff000, 0x2000), -EEXIST);
	CHECK_EQ(phys_add_mmio(p, 0x104000, 0x1000, "x", &regs_ops, &d),
	    -EEXIST);
	CHECK_EQ(phys_add_mmio(p, 0x40000000, 0x1000, "dev0 BAR0", &regs_ops,
	    &d), 0);
	CHECK_EQ(phys_add_mmio(p, 0x50000000, 0x1000, NULL, &regs_ops, &d),
	    -EINVAL);
	CHECK_EQ(phys_add_mmio(p, 0x50000000, 0x1000, "y", NULL, &d),
	    -EINVAL);
	/* Added out of order, listed in order. */
	CHECK_EQ(phys_add_ram(p, 0x1000, 0x1000), 0);
	CHECK_EQ(phys_region_count(p), 3);
	CHECK_EQ(phys_region_at(p, 0)->base, 0x1000);
	CHECK_EQ(phys_region_at(p, 1)->base, 0x100000);
	CHECK_EQ(phys_region_at(p, 2)->base, 0x40000000);
	CHECK(phys_region_at(p, 3) == NULL);

	r = phys_find(p, 0x10ffff);
	CHECK(r != NULL && r->base == 0x100000 && r->ram != NULL);
	CHECK(phys_find(p, 0x110000) == NULL);
	CHECK(phys_find(p, 0xfff) == NULL);
	CHECK(phys_find(p, 0) == NULL);
	r = phys_find(p, 0x40000018);
	CHECK(r != NULL && r->ops == &regs_ops && r->ram == NULL);
	CHECK(strcmp(r->name, "dev0 BAR0") == 0);
	CHECK(strcmp(phys_reg_name(r, 0x18), "DOORBELL") == 0);
	CHECK(strcmp(phys_reg_name(r, 0x20), "") == 0);
	CHECK(strcmp(phys_reg_name(r, 0x1000), "") == 0);

	/* Running out of slots is a clean error. */
	for (unsigned i = 3; i < PHYS_MAX_REGIONS; i++)
		CHECK_EQ(phys_add_ram(p, 0x80000000ull + i * 0x1000,
		    0x1000), 0);
	CHECK_EQ(phys_add_ram(p, 0x90000000ull, 0x1000), -ENOSPC);
	phys_free(p);
}

static void
test_ram(void)
{
	struct phys *p = phys_new();
	uint8_t buf[64], out[64];

	CHECK_EQ(phys_add_ram(p, 0x10000, 0x4000), 0);
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	CHECK_EQ(phys_write(p, 0x10ff0, buf, sizeof buf), 0);
	memset(out, 0, sizeof out);
	CHECK_EQ(phys_read(p, 0x10ff0, out, sizeof out), 0);
	CHECK(memcmp(buf, out, sizeof buf) == 0);
	/* Past the end of the region: refused, nothing written. */
	CHECK_EQ(phys_write(p, 0x13fe0, buf, sizeof buf), -1);
	CHECK_EQ(phys_read(p, 0x13fe0, out, 0x20), 0);
	for (unsigned i = 0; i < 0x20; i++)
		CHECK_EQ(out[i], 0);
	CHECK_EQ(phys_read(p, 0x13fe0, out, sizeof out), -1);
	CHECK_EQ(phys_read(p, 0x20000, out, 1), -1);
	CHECK(phys_ram_ptr(p, 0x10000, 0x4000) != NULL);
	CHECK(phys_ram_ptr(p, 0x10000, 0x4001) == NULL);
	phys_free(p);
}

static void
test_tags(void)
{
	struct phys *p = phys_new();
	cap_t root = cap_root(), c, got;
	uint8_t byte = 0x5a;

	CHECK_EQ(phys_add_ram(p, 0x10000, 0x4000), 0);
	c = cheri_bounds_set(cheri_address_set(root, 0x1234), 0x100);
	CHECK(c.tag);
	CHECK_EQ(phys_store_cap(p, 0x10100, c), 0);
	CHECK(phys_tag_get(p, 0x10100));
	CHECK(phys_tag_get(p, 0x1010f));
	CHECK(!phys_tag_get(p, 0x10110));
	CHECK(!phys_tag_get(p, 0x100f0));
	CHECK_EQ(phys_load_cap(p, 0x10100, &got), 0);
	CHECK(cheri_is_equal_exact(got, c));
	/* Misaligned or outside RAM: refused. */
	CHECK_EQ(phys_store_cap(p, 0x10108, c), -1);
	CHECK_EQ(phys_load_cap(p, 0x10108, &got), -1);
	CHECK_EQ(phys_store_cap(p, 0x14000, c), -1);
	/* A one-byte data write anywhere in the granule clears its tag. */
	CHECK_EQ(phys_write(p, 0x1010f, &byte, 1), 0);
	CHECK(!phys_tag_get(p, 0x10100));
	CHECK_EQ(phys_load_cap(p, 0x10100, &got), 0);
	CHECK(!got.tag);
	/* Storing an untagged value clears the tag too. */
	CHECK_EQ(phys_store_cap(p, 0x10200, c), 0);
	CHECK_EQ(phys_store_cap(p, 0x10200, cheri_tag_clear(c)), 0);
	CHECK(!phys_tag_get(p, 0x10200));

	/* Property: a random write clears exactly the granules it touches. */
	for (int it = 0; it < 300; it++) {
		uint8_t junk[200] = { 0 };
		uint64_t off = check_rand() % 0x3f00;
		uint64_t len = 1 + check_rand() % 200;
		for (uint64_t g = 0; g < 0x4000; g += 16)
			phys_store_cap(p, 0x10000 + g, c);
		CHECK_EQ(phys_write(p, 0x10000 + off, junk, len), 0);
		for (uint64_t g = 0; g < 0x4000; g += 16) {
			bool touched = g + 16 > off && g < off + len;
			if (phys_tag_get(p, 0x10000 + g) == touched)
				CHECK(!"tag wrong after write");
		}
	}
	/* phys_tags_clear over a long run (whole words). */
	for (uint64_t g = 0; g < 0x4000; g += 16)
		phys_store_cap(p, 0x10000 + g, c);
	phys_tags_clear(p, 0x10008, 0x3000);
	CHECK(!phys_tag_get(p, 0x10000));
	CHECK(!phys_tag_get(p, 0x13000));
	CHECK(phys_tag_get(p, 0x13010));
	CHECK(!phys_tag_get(p, 0x40000000));
	phys_free(p);
}

static void
test_bus(void)
{
	struct phys *p = phys_new();
	struct regs d = { 0 };
	uint64_t v = 0;
	cap_t c = cap_root();

	CHECK_EQ(phys_add_ram(p, 0x10000, 0x1000), 0);
	CHECK_EQ(phys_add_mmio(p, 0x40000000, 0x1000, "dev0 BAR0", &regs_ops,
	    &d), 0);
	for (unsigned size = 1; size <= 8; size *= 2) {
		CHECK_EQ(phys_bus_write(p, 0x40000010, size,
		    0x1122334455667788ull), 0);
		CHECK_EQ(d.last_size, size);
		CHECK_EQ(d.last_off, 0x10);
		CHECK_EQ(phys_bus_read(p, 0x40000010, size, &v), 0);
		CHECK_EQ(v, size == 8 ? 0x1122334455667788ull :
		    0x1122334455667788ull & ((1ull << (size * 8)) - 1));
	}
	CHECK_EQ(d.reads, 4);
	CHECK_EQ(d.writes, 4);
	/* Misaligned, bad size, off the end, nowhere: refused, no call. */
	CHECK_EQ(phys_bus_write(p, 0x40000012, 4, 1), -1);
	CHECK_EQ(phys_bus_read(p, 0x40000011, 2, &v), -1);
	CHECK_EQ(phys_bus_write(p, 0x40000010, 3, 1), -1);
	CHECK_EQ(phys_bus_read(p, 0x40000ffc, 8, &v), -1);
	CHECK_EQ(phys_bus_read(p, 0x50000000, 4, &v), -1);
	CHECK_EQ(d.reads, 4);
	CHECK_EQ(d.writes, 4);
	/* RAM through the bus: unaligned is fine, tags cleared. */
	CHECK_EQ(phys_store_cap(p, 0x10010, c), 0);
	CHECK_EQ(phys_bus_write(p, 0x1001d, 2, 0xbeef), 0);
	CHECK(!phys_tag_get(p, 0x10010));
	CHECK_EQ(phys_bus_read(p, 0x1001d, 2, &v), 0);
	CHECK_EQ(v, 0xbeef);
	/* Trusted RAM access refuses device memory. */
	CHECK_EQ(phys_read(p, 0x40000000, &v, 4), -1);
	CHECK_EQ(phys_write(p, 0x40000000, &v, 4), -1);
	CHECK(!phys_tag_get(p, 0x40000000));
	phys_free(p);
}

int
main(void)
{
	test_regions();
	test_ram();
	test_tags();
	test_bus();
	return check_done("test_phys");
}
