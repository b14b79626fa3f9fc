/* test_iommu.c — DMA windows: translation, full checks, faults, tags. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "machine/iommu.h"
#include "machine/phys.h"

#define RAM	0x80000000ull
#define MMIO	0xf0000000ull

static uint64_t
dev_read(void *dev, uint64_t off, unsigned size)
{
	(void)dev;
	(void)off;
	(void)size;
	return 0;
}

static void
dev_write(void *dev, uint64_t off, uint64_t val, unsigned size)
{
	(void)dev;
	(void)off;
	(void)val;
	(void)size;
}

static const struct mmio_ops dev_ops = { dev_read, dev_write, NULL };

struct seen {
	int calls;
	char dev[32];
	struct dma_fault f;
};

static void
on_fault(void *owner, const char *dev, const struct dma_fault *f)
{
	struct seen *s = owner;

	s->calls++;
	snprintf(s->dev, sizeof s->dev, "%s", dev);
	s->f = *f;
}

static void
test_map(void)
{
	struct phys *p = phys_new();
	struct iommu *io;

	CHECK_EQ(phys_add_ram(p, RAM, 0x10000), 0);
	CHECK_EQ(phys_add_mmio(p, MMIO, 0x1000, "nic0 BAR0", &dev_ops, NULL),
	    0);
	CHECK(iommu_new(NULL, "x") == NULL);
	io = iommu_new(p, "nic0");
	CHECK(io != NULL);
	CHECK_EQ(iommu_map(io, 0x1000, RAM, 0, IOMMU_READ), -EINVAL);
	CHECK_EQ(iommu_map(io, 0x1000, RAM, 0x100, 0), -EINVAL);
	CHECK_EQ(iommu_map(io, 0x1000, RAM, 0x100, 4), -EINVAL);
	CHECK_EQ(iommu_map(io, ~0ull, RAM, 0x100, IOMMU_READ), -EINVAL);
	/* RAM only, wholly inside one region. */
	CHECK_EQ(iommu_map(io, 0x1000, MMIO, 0x100, IOMMU_READ), -ENXIO);
	CHECK_EQ(iommu_map(io, 0x1000, RAM + 0xff00, 0x200, IOMMU_READ),
	    -ENXIO);
	CHECK_EQ(iommu_map(io, 0x1000, 0x1000, 0x100, IOMMU_READ), -ENXIO);
	/* Byte-granular windows; no overlap in iova space. */
	CHECK_EQ(iommu_map(io, 0x1003, RAM + 0x7, 0x11, IOMMU_READ), 0);
	CHECK_EQ(iommu_map(io, 0x1013, RAM + 0x100, 1, IOMMU_READ), -EEXIST);
	CHECK_EQ(iommu_map(io, 0x1000, RAM + 0x100, 4, IOMMU_READ), -EEXIST);
	CHECK_EQ(iommu_map(io, 0x1014, RAM + 0x100, 1, IOMMU_READ), 0);
	iommu_unmap_all(io);
	for (unsigned i = 0; i < IOMMU_MAX_WINDOWS; i++)
		CHECK_EQ(iommu_map(io, i * 0x100, RAM + i * 0x100, 0x100,
		    IOMMU_READ | IOMMU_WRITE), 0);
	CHECK_EQ(iommu_map(io, 0x100000, RAM, 0x100, IOMMU_READ), -ENOSPC);
	/* Unmap removes whatever overlaps, even partly. */
	iommu_unmap(io, 0x1ff, 2);
	CHECK_EQ(iommu_map(io, 0x100, RAM, 0x200, IOMMU_READ), 0);
	iommu_unmap(io, 0x1000, ~0ull);		/* to the end: no wrap */
	CHECK_EQ(iommu_map(io, 0x1800, RAM, 0x100, IOMMU_READ), 0);
	iommu_free(io);
	iommu_free(NULL);
	phys_free(p);
}

static void
test_dma(void)
{
	struct phys *p = phys_new();
	struct iommu *io, *other;
	struct seen s = { 0 };
	uint8_t buf[0x400], ram[0x400];
	cap_t c = cap_root();

	CHECK_EQ(phys_add_ram(p, RAM, 0x10000), 0);
	io = iommu_new(p, "nic0");
	other = iommu_new(p, "nic1");
	iommu_set_fault_handler(io, on_fault, &s);
	CHECK(iommu_last_fault(io) == NULL);
	CHECK_EQ(iommu_map(io, 0x10000, RAM + 0x1000, 0x200, IOMMU_READ), 0);
	CHECK_EQ(iommu_map(io, 0x10200, RAM + 0x4000, 0x200, IOMMU_WRITE), 0);

	for (unsigned i = 0; i < sizeof buf; i++)
		buf[i] = (uint8_t)i;
	CHECK_EQ(phys_write(p, RAM + 0x1000, buf, 0x200), 0);
	memset(buf, 0, sizeof buf);
	CHECK_EQ(dma_read(io, 0x10010, buf, 0x1f0), 0);
	CHECK_EQ(buf[0], 0x10);
	CHECK_EQ(buf[0x1ef], 0xff);
	CHECK_EQ(iommu_fault_count(io), 0);

	/* Write-only window refuses reads; read-only refuses writes. */
	CHECK_EQ(dma_read(io, 0x10200, buf, 4), -1);
	CHECK_EQ(s.calls, 1);
	CHECK(!s.f.write && s.f.iova == 0x10200 && s.f.len == 4);
	CHECK(strcmp(s.dev, "nic0") == 0);
	phys_read(p, RAM + 0x1000, ram, 0x10);
	CHECK_EQ(dma_write(io, 0x10000, "xxxx", 4), -1);
	CHECK_EQ(s.calls, 2);
	CHECK(s.f.write);
	phys_read(p, RAM + 0x1000, buf, 0x10);
	CHECK(memcmp(buf, ram, 0x10) == 0);

	/* Spanning two windows, or one byte past one: refused in full. */
	memset(buf, 0x5a, sizeof buf);
	CHECK_EQ(dma_read(io, 0x101f0, buf, 0x20), -1);
	CHECK_EQ(buf[0], 0x5a);
	phys_read(p, RAM + 0x4000, ram, 0x200);
	CHECK_EQ(dma_write(io, 0x10201, buf, 0x200), -1);
	phys_read(p, RAM + 0x4000, buf, 0x200);
	CHECK(memcmp(buf, ram, 0x200) == 0);
	CHECK_EQ(dma_write(io, ~0ull - 2, buf, 8), -1);	/* iova wraps */
	CHECK_EQ(iommu_fault_count(io), 5);
	CHECK_EQ(iommu_last_fault(io)->iova, ~0ull - 2);
	CHECK_EQ(iommu_last_fault(io)->len, 8);
	CHECK(iommu_last_fault(io)->write);

	/* DMA writes clear the capability tags they touch. */
	CHECK_EQ(phys_store_cap(p, RAM + 0x4010, c), 0);
	CHECK_EQ(phys_store_cap(p, RAM + 0x4020, c), 0);
	CHECK_EQ(dma_write(io, 0x1021f, "z", 1), 0);
	CHECK(!phys_tag_get(p, RAM + 0x4010));
	CHECK(phys_tag_get(p, RAM + 0x4020));
	CHECK_EQ(phys_read(p, RAM + 0x401f, buf, 1), 0);
	CHECK_EQ(buf[0], 'z');

	/* Windows are per device; zero-length is a no-op. */
	CHECK_EQ(dma_read(other, 0x10000, buf, 4), -1);
	CHECK_EQ(iommu_fault_count(other), 1);
	CHECK_EQ(iommu_fault_count(io), 5);
	CHECK_EQ(dma_read(io, 0xdead0000, buf, 0), 0);

	/* Unmapped windows stop working at once. */
	iommu_unmap(io, 0x10000, 1);
	CHECK_EQ(dma_read(io, 0x10010, buf, 4), -1);
	CHECK_EQ(dma_write(io, 0x10200, buf, 4), 0);
	iommu_unmap_all(io);
	CHECK_EQ(dma_write(io, 0x10200, buf, 4), -1);
	CHECK_EQ(s.calls, 7);

	/* Property: random DMAs agree with a model of the windows. */
	CHECK_EQ(iommu_map(io, 0x2000, RAM + 0x8000, 0x100, IOMMU_READ |
	    IOMMU_WRITE), 0);
	for (int it = 0; it < 2000; it++) {
		uint64_t iova = 0x1f00 + check_rand() % 0x300;
		size_t len = (size_t)(1 + check_rand() % 0x80);
		bool ok = iova >= 0x2000 && iova + len <= 0x2100;
		uint64_t n = iommu_fault_count(io);
		int r = (check_rand() & 1) ? dma_read(io, iova, buf, len) :
		    dma_write(io, iova, buf, len);
		CHECK_EQ(r, ok ? 0 : -1);
		CHECK_EQ(iommu_fault_count(io), n + (ok ? 0 : 1));
	}
	iommu_free(io);
	iommu_free(other);
	phys_free(p);
}

int
main(void)
{
	test_map();
	test_dma();
	return check_done("test_iommu");
}
