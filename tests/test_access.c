/* test_access.c — the checked access path: order of checks, faults
 * without effect, tags, device memory, fault records. */
#include <string.h>

#include "check.h"
#include "machine/access.h"

#define RAM	0x80000000ull
#define RAMSZ	0x20000ull
#define MMIO	0xf0000000ull
#define VA	0x10000000ull	/* 8 pages RW of RAM */
#define VA_RO	0x10100000ull	/* 1 page read-only */
#define VA_DEV	0x20000000ull	/* device BAR, 2 pages RW */
#define VA_DRAM	0x30000000ull	/* RAM mapped with the device attribute */

struct dev {
	uint32_t regs[0x2000 / 4];
	unsigned reads, writes;
	uint64_t last_off;
	unsigned last_size;
};

static uint64_t
dev_read(void *d0, uint64_t off, unsigned size)
{
	struct dev *d = d0;
	uint64_t v = 0;

	d->reads++;
	d->last_off = off;
	d->last_size = size;
	memcpy(&v, (uint8_t *)d->regs + off, size);
	return v;
}

static void
dev_write(void *d0, uint64_t off, uint64_t val, unsigned size)
{
	struct dev *d = d0;

	d->writes++;
	d->last_off = off;
	d->last_size = size;
	memcpy((uint8_t *)d->regs + off, &val, size);
}

static const char *
dev_reg(void *d0, uint64_t off)
{
	(void)d0;
	switch (off) {
	case 0x1800: return "TDBAL";
	case 0x1818: return "TDT";
	}
	return NULL;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write, dev_reg };

static struct phys *p;
static struct aspace *as;
static struct dev dev;

static void
boot(void)
{
	p = phys_new();
	CHECK_EQ(phys_add_ram(p, RAM, RAMSZ), 0);
	CHECK_EQ(phys_add_mmio(p, MMIO, 0x2000, "nic0 BAR0",
	    &dev_ops, &dev), 0);
	as = aspace_new(p);
	CHECK_EQ(aspace_map(as, VA, RAM, 0x8000, MMU_READ | MMU_WRITE), 0);
	CHECK_EQ(aspace_map(as, VA_RO, RAM + 0x8000, 0x1000, MMU_READ), 0);
	CHECK_EQ(aspace_map(as, VA_DEV, MMIO, 0x2000, MMU_READ | MMU_WRITE),
	    0);
	CHECK_EQ(aspace_map(as, VA_DRAM, RAM + 0x9000, 0x1000,
	    MMU_READ | MMU_WRITE | MMU_DEVICE), 0);
}

static void
shutdown(void)
{
	aspace_free(as);
	phys_free(p);
}

static cap_t
mkcap(uint64_t va, uint64_t len, uint32_t perms)
{
	cap_t c = cheri_bounds_set_exact(cheri_address_set(cap_root(), va),
	    len);

	CHECK(c.tag);
	return cheri_perms_and(c, perms);
}

#define RW	(CAP_PERM_LOAD | CAP_PERM_STORE)
#define RWC	(RW | CAP_PERM_LOAD_CAP | CAP_PERM_STORE_CAP | \
	CAP_PERM_STORE_LOCAL_CAP | CAP_PERM_MUTABLE_LOAD)

static cap_t
sealed(cap_t c)
{
	cap_t auth = cheri_address_set(cap_root(), 42);

	return cheri_seal(c, auth);
}

/* Try every kind of access; each must fault with cause and no effect. */
static void
expect_all_fault(cap_t c, int64_t off, enum fault_cause cause)
{
	uint8_t before[64], after[64], buf[32] = { 0xee };
	struct fault f;
	uint64_t v = 0x77;
	cap_t cv = cap_null();

	phys_read(p, RAM, before, sizeof before);
	for (unsigned s = 1; s <= 8; s *= 2) {
		CHECK_EQ(access_load(as, c, off, s, &v, &f), -1);
		CHECK_EQ(f.cause, cause);
		CHECK_EQ(v, 0x77);
		CHECK_EQ(access_store(as, c, off, s, 0xabcdef, &f), -1);
		CHECK_EQ(f.cause, cause);
		CHECK(f.store);
	}
	CHECK_EQ(access_load_cap(as, c, off, &cv, &f), -1);
	CHECK_EQ(f.cause, cause);
	CHECK(!cv.tag && cv.cursor == 0);
	CHECK_EQ(access_store_cap(as, c, off, c, &f), -1);
	CHECK_EQ(f.cause, cause);
	CHECK_EQ(access_copyin(as, c, off, buf, sizeof buf, &f), -1);
	CHECK_EQ(f.cause, cause);
	CHECK_EQ(buf[0], 0xee);
	CHECK_EQ(access_copyout(as, c, off, buf, sizeof buf, &f), -1);
	CHECK_EQ(f.cause, cause);
	phys_read(p, RAM, after, sizeof after);
	CHECK(memcmp(before, after, sizeof before) == 0);
}

static void
test_check_order(void)
{
	cap_t good = mkcap(VA, 0x100, RWC);

	/* Each line fails every later check too: the first one wins. */
	expect_all_fault(cheri_tag_clear(sealed(cheri_perms_and(good, 0))),
	    0x1000, FAULT_TAG);
	expect_all_fault(sealed(cheri_perms_and(good, 0)), 0x1001, FAULT_SEAL);
	expect_all_fault(sealed(good), 0, FAULT_SEAL);
	expect_all_fault(cheri_tag_clear(good), 0, FAULT_TAG);
	/* Bounds before alignment before the MMU. */
	expect_all_fault(mkcap(VA + 0x7000, 0x2000, RWC), -0x1000,
	    FAULT_BOUNDS);
	expect_all_fault(mkcap(VA, 0x100, RWC), 0x100, FAULT_BOUNDS);
	expect_all_fault(mkcap(VA, 0x100, RWC), -1, FAULT_BOUNDS);
	/* Past 2^48 and sign-extended addresses: nothing mapped. */
	expect_all_fault(cheri_perms_and(cap_root(), RWC),
	    (int64_t)(1ull << 48), FAULT_PAGE_UNMAPPED);
	expect_all_fault(cheri_perms_and(cap_root(), RWC), -64,
	    FAULT_PAGE_UNMAPPED);
}

static void
test_permissions(void)
{
	cap_t ro = mkcap(VA, 0x100, CAP_PERM_LOAD | CAP_PERM_LOAD_CAP);
	cap_t wo = mkcap(VA, 0x100, CAP_PERM_STORE | CAP_PERM_STORE_CAP);
	cap_t rw = mkcap(VA, 0x100, RW);
	struct fault f;
	uint64_t v;
	cap_t cv;
	uint8_t b[4];

	CHECK_EQ(access_load(as, ro, 0, 4, &v, &f), 0);
	CHECK_EQ(access_store(as, ro, 0, 4, 1, &f), -1);
	CHECK_EQ(f.cause, FAULT_PERM_STORE);
	CHECK_EQ(access_copyout(as, ro, 0, b, 4, &f), -1);
	CHECK_EQ(f.cause, FAULT_PERM_STORE);
	CHECK_EQ(access_store_cap(as, ro, 0, ro, &f), -1);
	CHECK_EQ(f.cause, FAULT_PERM_STORE);
	CHECK_EQ(access_load_cap(as, ro, 0, &cv, &f), 0);

	CHECK_EQ(access_store(as, wo, 0, 4, 1, &f), 0);
	CHECK_EQ(access_load(as, wo, 0, 4, &v, &f), -1);
	CHECK_EQ(f.cause, FAULT_PERM_LOAD);
	CHECK_EQ(access_copyin(as, wo, 0, b, 4, &f), -1);
	CHECK_EQ(f.cause, FAULT_PERM_LOAD);
	CHECK_EQ(access_load_cap(as, wo, 0, &cv, &f), -1);
	CHECK_EQ(f.cause, FAULT_PERM_LOAD);
	CHECK_EQ(access_store_cap(as, wo, 0,
	    mkcap(VA, 0x10, CAP_PERM_LOAD | CAP_PERM_GLOBAL), &f), 0);

	/* Store without StoreCap: a tagged capability is refused. */
	CHECK_EQ(access_store_cap(as, rw, 0x10, rw, &f), -1);
	CHECK_EQ(f.cause, FAULT_PERM_STORE_CAP);
	CHECK(!phys_tag_get(p, RAM + 0x10));
}

/* Morello's rules for what a capability store needs and what a
 * capability load hands back. */
static void
test_cap_load_store_rules(void)
{
	const uint32_t mut = CAP_PERM_STORE | CAP_PERM_STORE_CAP |
	    CAP_PERM_STORE_LOCAL_CAP | CAP_PERM_MUTABLE_LOAD;
	const uint32_t all = RWC | CAP_PERM_STORE_LOCAL_CAP |
	    CAP_PERM_MUTABLE_LOAD | CAP_PERM_GLOBAL;
	cap_t full = mkcap(VA, 0x100, all);
	cap_t rw = mkcap(VA, 0x100, RW | CAP_PERM_GLOBAL);
	cap_t nolocal = mkcap(VA, 0x100, all & ~CAP_PERM_STORE_LOCAL_CAP);
	cap_t nomut = mkcap(VA, 0x100, all & ~CAP_PERM_MUTABLE_LOAD);
	cap_t local = cheri_perms_and(full, all & ~CAP_PERM_GLOBAL);
	cap_t v, cv;
	struct fault f;

	/* An untagged capability is data: no StoreCap needed. */
	v = cheri_tag_clear(full);
	CHECK_EQ(access_store_cap(as, rw, 0x20, v, &f), 0);
	CHECK(!phys_tag_get(p, RAM + 0x20));
	CHECK_EQ(access_load_cap(as, full, 0x20, &cv, &f), 0);
	CHECK(!cv.tag && cv.cursor == v.cursor && cv.pesbt == v.pesbt);

	/* A local capability needs StoreLocalCap; a global one does not. */
	CHECK_EQ(access_store_cap(as, nolocal, 0x30, local, &f), -1);
	CHECK_EQ(f.cause, FAULT_PERM_STORE_LOCAL_CAP);
	CHECK(strcmp(fault_cause_id(f.cause), "perm_store_local_cap") == 0);
	CHECK(!phys_tag_get(p, RAM + 0x30));
	CHECK_EQ(access_store_cap(as, nolocal, 0x30, full, &f), 0);
	CHECK(phys_tag_get(p, RAM + 0x30));
	CHECK_EQ(access_store_cap(as, full, 0x40, local, &f), 0);
	CHECK(phys_tag_get(p, RAM + 0x40));

	/* Without LoadCap the load succeeds and the tag stays behind. */
	CHECK_EQ(access_load_cap(as, rw, 0x30, &cv, &f), 0);
	CHECK(!cv.tag);
	CHECK(cv.cursor == full.cursor && cv.pesbt == full.pesbt);
	CHECK(phys_tag_get(p, RAM + 0x30));	/* memory keeps it */
	CHECK_EQ(access_load_cap(as, full, 0x30, &cv, &f), 0);
	CHECK(cv.tag && cheri_perms_get(cv) == cheri_perms_get(full));

	/* Without MutableLoad: read-only all the way down. */
	CHECK_EQ(access_load_cap(as, nomut, 0x30, &cv, &f), 0);
	CHECK(cv.tag);
	CHECK_EQ(cheri_perms_get(cv), cheri_perms_get(full) & ~mut);
	CHECK(cheri_base_get(cv) == cheri_base_get(full) &&
	    cheri_address_get(cv) == cheri_address_get(full));
	CHECK_EQ(access_store(as, cv, 0, 4, 1, &f), -1);
	CHECK_EQ(f.cause, FAULT_PERM_STORE);
	/* ... but a sealed value is left exactly as stored. */
	v = sealed(full);
	CHECK_EQ(access_store_cap(as, full, 0x50, v, &f), 0);
	CHECK_EQ(access_load_cap(as, nomut, 0x50, &cv, &f), 0);
	CHECK(cv.tag && cv.pesbt == v.pesbt && cv.cursor == v.cursor);
	/* An untagged value is not touched either. */
	CHECK_EQ(access_load_cap(as, nomut, 0x20, &cv, &f), 0);
	CHECK(!cv.tag && cv.pesbt == full.pesbt);
}

static void
test_bounds_property(void)
{
	/* Random capabilities and accesses against a reference model. */
	for (int it = 0; it < 4000; it++) {
		uint64_t base = VA + check_rand() % 0x7000;
		uint64_t len = 1 + check_rand() % 0x800;
		cap_t c = cheri_bounds_set(cheri_address_set(cap_root(), base),
		    len);
		int64_t off = (int64_t)(check_rand() % 0x1000) - 0x800;
		static const unsigned sizes[] = { 1, 2, 4, 8 };
		unsigned size = sizes[check_rand() % 4];
		uint64_t va = base + (uint64_t)off, v, w = check_rand();
		bool in;
		struct fault f;
		int r;

		c = cheri_perms_and(c, RW);
		in = va >= c.base && (cap_len_t)va + size <= c.top &&
		    va + size <= VA + 0x8000 && va >= VA;
		r = access_store(as, c, off, size, w, &f);
		if (in) {
			CHECK_EQ(r, 0);
			CHECK_EQ(access_load(as, c, off, size, &v, &f), 0);
			CHECK_EQ(v, size == 8 ? w :
			    w & ((1ull << (size * 8)) - 1));
		} else {
			CHECK_EQ(r, -1);
			CHECK(f.cause == FAULT_BOUNDS ||
			    f.cause == FAULT_PAGE_UNMAPPED);
			if (va >= VA && va + size <= VA + 0x8000)
				CHECK_EQ(f.cause, FAULT_BOUNDS);
			CHECK_EQ(f.vaddr, va);
			CHECK_EQ(f.size, size);
			CHECK(cheri_is_equal_exact(f.cap, c));
		}
	}
}

static void
test_sealed_property(void)
{
	/* Sealed capabilities refuse every dereference, whatever else. */
	for (int it = 0; it < 300; it++) {
		uint64_t base = VA + (check_rand() % 0x700) * 16;
		cap_t c = mkcap(base, 0x100, RWC |
		    (uint32_t)(check_rand() & CAP_PERMS_ALL));
		cap_t auth = cheri_address_set(cap_root(),
		    1 + check_rand() % CAP_OTYPE_MAX);
		cap_t s = cheri_seal(c, auth);
		CHECK(s.tag && cheri_is_sealed(s));
		expect_all_fault(s, (int64_t)(check_rand() % 0x80) & ~15,
		    FAULT_SEAL);
	}
}

static void
test_tags_cleared(void)
{
	cap_t c = mkcap(VA, 0x8000, RWC), got;
	struct fault f;
	uint8_t junk[100] = { 1 };

	/* Property: any data store over stored capabilities clears the
	 * tags of exactly the granules it touches. */
	for (int it = 0; it < 400; it++) {
		uint64_t off = check_rand() % 0x3f00;
		unsigned size = 1u << (check_rand() % 4);
		bool copy = (check_rand() % 4) == 0;
		uint64_t len = copy ? 1 + check_rand() % sizeof junk : size;

		for (uint64_t g = 0x3e00; g < 0x4000; g += 16)
			CHECK_EQ(access_store_cap(as, c, (int64_t)g, c, &f), 0);
		off = 0x3e00 + off % 0x180;
		if (copy)
			CHECK_EQ(access_copyout(as, c, (int64_t)off, junk, len,
			    &f), 0);
		else
			CHECK_EQ(access_store(as, c, (int64_t)off, size, 0, &f),
			    0);
		for (uint64_t g = 0x3e00; g < 0x4000; g += 16) {
			bool touched = g + 16 > off && g < off + len;
			CHECK_EQ(access_load_cap(as, c, (int64_t)g, &got, &f),
			    0);
			if (got.tag == touched)
				CHECK(!"tag state wrong after data store");
			if (!touched && !cheri_is_equal_exact(got, c))
				CHECK(!"capability damaged");
		}
	}

	/* An untagged granule yields an untagged capability with its bits. */
	CHECK_EQ(access_store(as, c, 0x5000, 8, 0x10001234, &f), 0);
	CHECK_EQ(access_store(as, c, 0x5008, 8, c.pesbt, &f), 0);
	CHECK_EQ(access_load_cap(as, c, 0x5000, &got, &f), 0);
	CHECK(!got.tag);
	CHECK_EQ(got.cursor, 0x10001234);
	CHECK_EQ(got.pesbt, c.pesbt);
	/* Storing an untagged capability leaves the granule untagged. */
	CHECK_EQ(access_store_cap(as, c, 0x5010, cheri_tag_clear(c), &f), 0);
	CHECK(!phys_tag_get(p, RAM + 0x5010));
	/* Round trip keeps it exact. */
	CHECK_EQ(access_store_cap(as, c, 0x5020, c, &f), 0);
	CHECK_EQ(access_load_cap(as, c, 0x5020, &got, &f), 0);
	CHECK(cheri_is_equal_exact(got, c));
	/* Capability accesses need 16-byte alignment. */
	CHECK_EQ(access_load_cap(as, c, 0x5028, &got, &f), -1);
	CHECK_EQ(f.cause, FAULT_ALIGNMENT);
	CHECK_EQ(access_store_cap(as, c, 0x5004, c, &f), -1);
	CHECK_EQ(f.cause, FAULT_ALIGNMENT);
}

static void
test_no_effect_across_pages(void)
{
	cap_t root = cheri_perms_and(cap_root(), RWC);
	cap_t ram = mkcap(VA, 0x8000, RW);
	uint8_t buf[0x3000], before[0x10];
	struct fault f;
	uint64_t v;

	/* The last page of VA..VA+0x8000 is followed by nothing. */
	phys_read(p, RAM + 0x7ff8, before, 8);
	CHECK_EQ(access_store(as, root, (int64_t)(VA + 0x7ffc), 8, ~0ull, &f),
	    -1);
	CHECK_EQ(f.cause, FAULT_PAGE_UNMAPPED);
	CHECK_EQ(f.vaddr, VA + 0x7ffc);
	CHECK_EQ(access_load(as, root, (int64_t)(VA + 0x7ffc), 8, &v, &f), -1);
	CHECK_EQ(phys_read(p, RAM + 0x7ff8, buf, 8), 0);
	CHECK(memcmp(buf, before, 8) == 0);

	/* Unaligned RAM accesses within and across mapped pages work. */
	CHECK_EQ(access_store(as, ram, 0xffd, 8, 0x0807060504030201ull, &f), 0);
	CHECK_EQ(access_load(as, ram, 0xffd, 8, &v, &f), 0);
	CHECK_EQ(v, 0x0807060504030201ull);
	CHECK_EQ(access_load(as, ram, 0x1000, 2, &v, &f), 0);
	CHECK_EQ(v, 0x0504);

	/* A copy over RW, RW, then RO pages writes nothing at all. */
	memset(buf, 0xab, sizeof buf);
	CHECK_EQ(aspace_map(as, VA + 0x8000, RAM + 0xa000, 0x1000, MMU_READ),
	    0);
	phys_read(p, RAM + 0x6000, before, sizeof before);
	CHECK_EQ(access_copyout(as, root, (int64_t)(VA + 0x6000), buf,
	    sizeof buf, &f), -1);
	CHECK_EQ(f.cause, FAULT_PAGE_PERM);
	CHECK_EQ(f.size, sizeof buf);
	CHECK_EQ(phys_read(p, RAM + 0x6000, buf, sizeof before), 0);
	CHECK(memcmp(buf, before, sizeof before) == 0);
	/* And the same copy in is fine. */
	CHECK_EQ(access_copyin(as, root, (int64_t)(VA + 0x6000), buf,
	    sizeof buf, &f), 0);
	CHECK_EQ(aspace_unmap(as, VA + 0x8000, 0x1000), 0);

	/* A root copy that would run to 2^64 stops at the first hole. */
	CHECK_EQ(access_copyin(as, root, (int64_t)VA, buf, 0, &f), 0);
	CHECK_EQ(access_slow(as, &root, VA, -VA, FAULT_OP_COPYIN, buf, &f), -1);
	CHECK_EQ(f.cause, FAULT_PAGE_UNMAPPED);
	/* Read-only page. */
	CHECK_EQ(access_store(as, root, (int64_t)VA_RO, 1, 1, &f), -1);
	CHECK_EQ(f.cause, FAULT_PAGE_PERM);
}

static void
test_device(void)
{
	cap_t bar = mkcap(VA_DEV, 0x2000, RWC);
	cap_t dram = mkcap(VA_DRAM, 0x1000, RWC);
	struct fault f;
	uint64_t v;
	cap_t cv;
	uint8_t buf[16];
	char line[200];
	unsigned w, r;

	memset(&dev, 0, sizeof dev);
	for (unsigned s = 1; s <= 8; s *= 2) {
		CHECK_EQ(access_store(as, bar, 0x18 + 8 - s, s,
		    0x8877665544332211ull, &f), 0);
		CHECK_EQ(dev.last_off, 0x18 + 8 - s);
		CHECK_EQ(dev.last_size, s);
		CHECK_EQ(access_load(as, bar, 0x18 + 8 - s, s, &v, &f), 0);
		CHECK_EQ(v, s == 8 ? 0x8877665544332211ull :
		    0x8877665544332211ull & ((1ull << (8 * s)) - 1));
	}
	CHECK_EQ(dev.writes, 4);
	CHECK_EQ(dev.reads, 4);
	CHECK_EQ(aspace_stats(as)->mmio_writes, 4);

	/* Misaligned device accesses: alignment, and the device never hears
	 * of them. */
	w = dev.writes;
	r = dev.reads;
	CHECK_EQ(access_store(as, bar, 0x1802, 4, 1, &f), -1);
	CHECK_EQ(f.cause, FAULT_ALIGNMENT);
	CHECK_EQ(access_load(as, bar, 0x1801, 2, &v, &f), -1);
	CHECK_EQ(f.cause, FAULT_ALIGNMENT);
	CHECK_EQ(access_load(as, dram, 0x1, 8, &v, &f), -1);
	CHECK_EQ(f.cause, FAULT_ALIGNMENT);
	/* Device memory holds no capabilities. */
	CHECK_EQ(access_store_cap(as, bar, 0x1800, bar, &f), -1);
	CHECK_EQ(f.cause, FAULT_CAP_TO_DEVICE);
	CHECK_EQ(access_load_cap(as, bar, 0x1800, &cv, &f), -1);
	CHECK_EQ(f.cause, FAULT_CAP_TO_DEVICE);
	CHECK_EQ(access_store_cap(as, dram, 0, dram, &f), -1);
	CHECK_EQ(f.cause, FAULT_CAP_TO_DEVICE);
	CHECK(!phys_tag_get(p, RAM + 0x9000));
	CHECK_EQ(dev.writes, w);
	CHECK_EQ(dev.reads, r);

	/* Copies to device memory: naturally aligned transactions. */
	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)(0x10 + i);
	CHECK_EQ(access_copyout(as, bar, 0x103, buf, 13, &f), 0);
	CHECK_EQ(dev.writes - w, 3);	/* 1 @0x103, 4 @0x104, 8 @0x108 */
	CHECK_EQ(dev.last_size, 8);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(access_copyin(as, bar, 0x103, buf, 13, &f), 0);
	for (unsigned i = 0; i < 13; i++)
		CHECK_EQ(buf[i], 0x10 + i);

	/* The fault record names the register. */
	{
		cap_t tdt = mkcap(VA_DEV + 0x1818, 4, RW);
		w = dev.writes;
		CHECK_EQ(access_store(as, tdt, -0x18, 4, 0xdead, &f), -1);
		CHECK_EQ(dev.writes, w);
		CHECK_EQ(f.cause, FAULT_BOUNDS);
		CHECK_EQ(f.vaddr, VA_DEV + 0x1800);
		CHECK_EQ(f.size, 4);
		CHECK(f.store);
		CHECK(f.mapped);
		CHECK_EQ(f.paddr, MMIO + 0x1800);
		CHECK_EQ(f.offset, 0x1800);
		CHECK(strcmp(f.reg, "TDBAL") == 0);
		fault_format(&f, line, sizeof line);
		CHECK(strcmp(line, "bounds, nic0 BAR0+0x1800 (TDBAL)") ==
		    0);
		CHECK_EQ(access_store(as, tdt, 0, 4, 5, &f), 0);
		CHECK_EQ(access_store(as, tdt, 4, 4, 5, &f), -1);
		fault_format(&f, line, sizeof line);
		CHECK(strcmp(line, "bounds, nic0 BAR0+0x181c") == 0);
		fault_describe(&f, line, sizeof line);
		CHECK(strstr(line, "store of 4 bytes at va 0x2000181c") !=
		    NULL);
		CHECK(strstr(line, "[0x20001818, 0x2000181c)") != NULL);
		CHECK(strstr(line, "Load,Store") != NULL);
	}
}

static void
test_records_and_counters(void)
{
	struct aspace *a2 = aspace_new(p);
	cap_t c = mkcap(VA, 0x10, RW);
	struct fault f;
	char line[64];
	uint64_t v;
	int n;

	CHECK_EQ(aspace_map(a2, VA, RAM, 0x1000, MMU_READ | MMU_WRITE), 0);
	CHECK_EQ(access_load(a2, c, 0, 4, &v, &f), 0);
	CHECK_EQ(access_store(a2, c, 4, 4, v, &f), 0);
	CHECK_EQ(access_store(a2, c, 4, 3, v, &f), -1);
	CHECK_EQ(f.cause, FAULT_ALIGNMENT);
	CHECK_EQ(access_store(a2, c, 16, 1, v, &f), -1);
	CHECK_EQ(f.cause, FAULT_BOUNDS);
	fault_format(&f, line, sizeof line);
	CHECK(strcmp(line, "bounds, va 0x10000010") == 0);
	/* Truncation is safe and reports the full length. */
	n = fault_format(&f, line, 8);
	CHECK_EQ(n, strlen("bounds, va 0x10000010"));
	CHECK(strcmp(line, "bounds,") == 0);
	CHECK_EQ(access_copyin(a2, c, 0, line, 16, &f), 0);
	CHECK_EQ(aspace_stats(a2)->loads, 1);
	CHECK_EQ(aspace_stats(a2)->stores, 1);
	CHECK_EQ(aspace_stats(a2)->copyins, 1);
	CHECK_EQ(aspace_stats(a2)->copy_bytes, 16);
	CHECK_EQ(aspace_stats(a2)->faults[FAULT_ALIGNMENT], 1);
	CHECK_EQ(aspace_stats(a2)->faults[FAULT_BOUNDS], 1);
	/* A NULL record is allowed: the fault is still counted. */
	CHECK_EQ(access_store(a2, cheri_tag_clear(c), 0, 1, 0, NULL), -1);
	CHECK_EQ(aspace_stats(a2)->faults[FAULT_TAG], 1);
	aspace_free(a2);

	CHECK(strcmp(fault_cause_name(FAULT_PERM_STORE), "permission") == 0);
	CHECK(strcmp(fault_cause_id(FAULT_PERM_STORE_CAP), "perm_store_cap") ==
	    0);
	CHECK(strcmp(fault_cause_name(FAULT_PAGE_UNMAPPED), "page") == 0);
	CHECK(strcmp(fault_cause_id(FAULT_CAP_TO_DEVICE), "cap_to_device") ==
	    0);
	CHECK(strcmp(fault_cause_name(FAULT_NCAUSES), "?") == 0);
	for (int i = 0; i < FAULT_NCAUSES; i++)
		CHECK(fault_cause_id((enum fault_cause)i)[0] != '?');
}

int
main(void)
{
	boot();
	test_check_order();
	test_permissions();
	test_cap_load_store_rules();
	test_bounds_property();
	test_sealed_property();
	test_tags_cleared();
	test_no_effect_across_pages();
	test_device();
	test_records_and_counters();
	shutdown();
	return check_done("test_access");
}
