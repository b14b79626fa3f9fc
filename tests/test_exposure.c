/*
 * test_exposure.c — the exposure map: what page-granular grants of the
 * e1000e doorbells hand out (by name, at 4, 16 and 64 KiB), what the
 * NVMe doorbell page hands one tenant (every other tenant's doorbells,
 * marked as other units' slices; the admin queue's; page 0's registers
 * with CSTS), the same code on a made-up device, bad requests refused,
 * and the byte accounting holding for random page sizes and slice sets.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dev/e1000e.h"
#include "dev/nvme.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/nvme_manifest.h"
#include "eval/exposure.h"

static const struct exposure_reg *
reg(const struct exposure *e, const char *name)
{
	for (size_t i = 0; i < e->nregs; i++)
		if (strcmp(e->regs[i].name, name) == 0)
			return &e->regs[i];
	return NULL;
}

static void
e1000e_at(uint64_t page, struct exposure *e)
{
	static const char *const want[] = { "TDT", "RDT" };
	char err[200];

	CHECK_EQ(exposure_compute(&e1000e_manifest, "bar0", want, 2, page,
	    e1000e_reg_name, e, err, sizeof err), 0);
}

static void
test_e1000e_4k(void)
{
	struct exposure e;
	const struct exposure_reg *r;

	e1000e_at(4096, &e);
	CHECK_EQ(e.npages, 32);
	CHECK_EQ(e.mapped_pages, 2);
	for (uint64_t p = 0; p < e.npages; p++)
		CHECK_EQ(e.mapped[p], p == 2 || p == 3);
	CHECK_EQ(e.granted_bytes, 8);
	CHECK_EQ(e.exposed_bytes, 8192);
	CHECK_EQ(e.granted_bytes + e.privileged_bytes + e.reserved_bytes,
	    e.exposed_bytes);
	/* The DMA base registers come along with the doorbells, both queues. */
	static const char *const along[] = { "TDBAL", "TDBAH", "TDLEN", "TXDCTL",
	    "RDBAL", "RDBAH", "RDLEN", "TDBAL1", "TDT1", "RDBAL1", "RDT1" };
	for (size_t i = 0; i < sizeof along / sizeof along[0]; i++)
		CHECK(reg(&e, along[i]) != NULL);
	r = reg(&e, "TDBAL");
	CHECK(r != NULL && r->first == E1000E_TDBAL && r->bytes == 4 &&
	    r->words == 1 && !r->other_slice);
	/* TDH is a read-only slice of its own, not asked for here. */
	r = reg(&e, "TDH");
	CHECK(r != NULL && r->other_slice);
	/* Not on these pages. */
	CHECK(reg(&e, "CTRL") == NULL);
	CHECK(reg(&e, "ICR") == NULL);
	CHECK(reg(&e, "GPTC") == NULL);
	CHECK(reg(&e, "TDT") == NULL);	/* granted, not privileged */
	CHECK_EQ(exposure_class_at(&e, E1000E_TDT), EXPOSE_GRANTED);
	CHECK_EQ(exposure_class_at(&e, E1000E_TDT + 3), EXPOSE_GRANTED);
	CHECK_EQ(exposure_class_at(&e, E1000E_TDBAL), EXPOSE_PRIVILEGED);
	CHECK_EQ(exposure_class_at(&e, 0x3830), EXPOSE_RESERVED);
	CHECK_EQ(exposure_class_at(&e, E1000E_CTRL), EXPOSE_UNMAPPED);
	CHECK_EQ(exposure_class_at(&e, E1000E_BAR0_SIZE), EXPOSE_UNMAPPED);
	/* Entries are in offset order, each a register of the table. */
	for (size_t i = 0; i < e.nregs; i++) {
		CHECK(e1000e_reg_name(e.regs[i].first) != NULL);
		if (i > 0)
			CHECK(e.regs[i].first > e.regs[i - 1].first);
	}
	exposure_free(&e);
	CHECK(e.regs == NULL && e.mapped == NULL);
}

static void
test_e1000e_16k_64k(void)
{
	struct exposure e16, e64;
	const struct exposure_reg *r;

	e1000e_at(16384, &e16);
	CHECK_EQ(e16.mapped_pages, 1);
	CHECK(e16.mapped[0]);
	CHECK_EQ(e16.exposed_bytes, 16384);
	/* Now the device's control: reset, interrupt causes, receive control. */
	CHECK(reg(&e16, "CTRL") != NULL);
	CHECK(reg(&e16, "ICR") != NULL);
	CHECK(reg(&e16, "RCTL") != NULL);
	CHECK(reg(&e16, "STATUS") != NULL && reg(&e16, "STATUS")->other_slice);
	CHECK(reg(&e16, "GPTC") == NULL);

	e1000e_at(65536, &e64);
	CHECK_EQ(e64.mapped_pages, 1);
	CHECK_EQ(e64.exposed_bytes, 65536);
	CHECK(reg(&e64, "GPTC") != NULL);	/* read-to-clear statistics */
	r = reg(&e64, "RAL");
	CHECK(r != NULL && r->words == E1000E_RA_ENTRIES && r->bytes == 64 &&
	    r->first == E1000E_RAL(0));
	r = reg(&e64, "MTA");
	CHECK(r != NULL && r->words == E1000E_MTA_WORDS);
	/* Larger pages never expose less. */
	CHECK(e64.privileged_bytes > e16.privileged_bytes);
	for (size_t i = 0; i < e16.nregs; i++)
		CHECK(reg(&e64, e16.regs[i].name) != NULL);
	exposure_free(&e16);
	exposure_free(&e64);
}

/* --- the same code, another device ---------------------------------------- */

static const char *
toy_names(uint64_t off)
{
	switch (off) {
	case 0x000: return "CTL";
	case 0x004: return "DOORBELL";
	case 0x008: return "BASE";
	case 0x100: return "HEAD";
	case 0x1000: return "KEY";
	case 0x1ffc: return "ARR";
	case 0x2000: return "ARR";
	case 0x3000: return "OTHER";
	}
	return NULL;
}

static const struct slice toy_slices[] = {
	{ "DOORBELL", 0x004, 4, SLICE_RW, 0 },
	{ "HEAD", 0x100, 4, SLICE_RO, 0 },
	{ "WIDE", 0x1ffc, 8, SLICE_RW, 0 },	/* straddles a 4 KiB boundary */
};
static const struct region toy_regions[] = {
	{ "regs", REGION_MMIO, 0x4000, 0, toy_slices, 3 },
	{ "ring", REGION_DMA, 0x1000, 3, NULL, 0 },
};
static const struct manifest toy = { "toy", toy_regions, 2 };

static void
test_other_device(void)
{
	static const char *const db[] = { "DOORBELL" };
	static const char *const wide[] = { "WIDE" };
	struct exposure e;
	char err[200];

	CHECK_EQ(exposure_compute(&toy, "regs", db, 1, 4096, toy_names, &e,
	    err, sizeof err), 0);
	CHECK_EQ(e.mapped_pages, 1);
	CHECK_EQ(e.nregs, 3);			/* CTL, BASE, HEAD */
	CHECK(reg(&e, "BASE") != NULL && !reg(&e, "BASE")->other_slice);
	CHECK(reg(&e, "HEAD") != NULL && reg(&e, "HEAD")->other_slice);
	CHECK_EQ(e.privileged_bytes, 12);
	CHECK_EQ(e.reserved_bytes, 4096 - 16);
	exposure_free(&e);

	/* Exact pages expose exactly the slice. */
	CHECK_EQ(exposure_compute(&toy, "regs", db, 1, 4, toy_names, &e,
	    err, sizeof err), 0);
	CHECK_EQ(e.exposed_bytes, 4);
	CHECK_EQ(e.nregs, 0);
	exposure_free(&e);

	/* A slice across a page boundary maps both pages. */
	CHECK_EQ(exposure_compute(&toy, "regs", wide, 1, 4096, toy_names, &e,
	    err, sizeof err), 0);
	CHECK_EQ(e.mapped_pages, 2);
	CHECK(e.mapped[1] && e.mapped[2]);
	CHECK(reg(&e, "KEY") != NULL);
	CHECK(reg(&e, "ARR") == NULL);		/* both its words granted */
	CHECK(reg(&e, "OTHER") == NULL);
	exposure_free(&e);

	/* A page bigger than the region: the region, no more. */
	CHECK_EQ(exposure_compute(&toy, "regs", db, 1, 1 << 20, toy_names, &e,
	    err, sizeof err), 0);
	CHECK_EQ(e.npages, 1);
	CHECK_EQ(e.exposed_bytes, 0x4000);
	CHECK(reg(&e, "OTHER") != NULL);
	exposure_free(&e);
}

static void
test_refused(void)
{
	static const char *const ok[] = { "TDT" };
	static const char *const nope[] = { "TDBAL" };
	static const char *const twice[] = { "TDT", "TDT" };
	static const uint64_t bad_pages[] = { 0, 2, 3, 4095, 12288, 1ull << 31 };
	struct exposure e;
	char err[200];

	err[0] = '\0';
	CHECK_EQ(exposure_compute(&e1000e_manifest, "bar0", nope, 1, 4096,
	    e1000e_reg_name, &e, err, sizeof err), -1);
	CHECK(strstr(err, "TDBAL") != NULL);
	CHECK(e.regs == NULL && e.mapped == NULL);
	CHECK_EQ(exposure_compute(&e1000e_manifest, "bar9", ok, 1, 4096,
	    e1000e_reg_name, &e, err, sizeof err), -1);
	CHECK_EQ(exposure_compute(&e1000e_manifest, "tx_ring", ok, 1, 4096,
	    e1000e_reg_name, &e, err, sizeof err), -1);
	CHECK(strstr(err, "register region") != NULL);
	CHECK_EQ(exposure_compute(&e1000e_manifest, "bar0", twice, 2, 4096,
	    e1000e_reg_name, &e, err, sizeof err), -1);
	CHECK_EQ(exposure_compute(&e1000e_manifest, "bar0", ok, 0, 4096,
	    e1000e_reg_name, &e, err, sizeof err), -1);
	CHECK_EQ(exposure_compute(&e1000e_manifest, "bar0", ok, 1, 4096,
	    NULL, &e, err, sizeof err), -1);
	for (size_t i = 0; i < sizeof bad_pages / sizeof bad_pages[0]; i++)
		CHECK_EQ(exposure_compute(&e1000e_manifest, "bar0", ok, 1,
		    bad_pages[i], e1000e_reg_name, &e, err, sizeof err), -1);
}

/* Random page sizes and slice sets: the bytes always add up, and a
 * bigger page never exposes a register fewer. */
static void
test_accounting(void)
{
	const struct region *bar = manifest_region(&e1000e_manifest, "bar0");

	check_seed(6);
	for (int iter = 0; iter < 60; iter++) {
		const char *want[8];
		size_t n = 0;
		unsigned shift = 2 + (unsigned)(check_rand() % 16);
		struct exposure a, b;
		char err[200];

		for (size_t i = 0; i < bar->nslices; i++)
			if (check_rand() & 1)
				want[n++] = bar->slices[i].name;
		if (n == 0)
			want[n++] = bar->slices[0].name;
		CHECK_EQ(exposure_compute(&e1000e_manifest, "bar0", want, n,
		    1ull << shift, e1000e_reg_name, &a, err, sizeof err), 0);
		CHECK_EQ(exposure_compute(&e1000e_manifest, "bar0", want, n,
		    1ull << (shift + 1), e1000e_reg_name, &b, err, sizeof err), 0);
		CHECK_EQ(a.granted_bytes + a.privileged_bytes + a.reserved_bytes,
		    a.exposed_bytes);
		CHECK_EQ(a.granted_bytes, 4 * n);
		CHECK(b.exposed_bytes >= a.exposed_bytes);
		CHECK(b.privileged_bytes >= a.privileged_bytes);
		for (size_t i = 0; i < a.nregs; i++)
			CHECK(reg(&b, a.regs[i].name) != NULL);
		/* Every privileged byte is in a mapped page, and a register. */
		uint64_t priv = 0;
		for (uint64_t off = 0; off < bar->size; off += 4)
			if (exposure_class_at(&a, off) == EXPOSE_PRIVILEGED)
				priv += 4;
		CHECK_EQ(priv, a.privileged_bytes);
		exposure_free(&a);
		exposure_free(&b);
	}
}

static void
test_json(void)
{
	struct exposure e[2];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	e1000e_at(4096, &e[0]);
	e1000e_at(65536, &e[1]);
	f = open_memstream(&buf, &len);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	exposure_print_json(f, "e1000e", e, 2);
	fclose(f);
	CHECK(buf[0] == '{' && buf[len - 1] == '}');
	CHECK(strchr(buf, '\n') == NULL);
	CHECK(strstr(buf, "\"want\":[\"TDT\",\"RDT\"]") != NULL);
	CHECK(strstr(buf, "\"capio_bytes\":8") != NULL);
	CHECK(strstr(buf, "\"mapped_pages\":[8192,12288]") != NULL);
	CHECK(strstr(buf, "{\"name\":\"TDBAL\",\"offset\":14336,\"bytes\":4") != NULL);
	free(buf);
	exposure_free(&e[0]);
	exposure_free(&e[1]);
}

/* NVMe: one tenant's SQT and CQH are on the page of every queue's. */
static void
test_nvme(void)
{
	static const char *const db[] = { "SQT", "CQH" };
	static const char *const all[] = { "SQT", "CQH", "CSTS" };
	const struct exposure_reg *r;
	struct exposure e;
	char err[200];

	CHECK_EQ(exposure_compute_units(&nvme_manifest, "bar0", db, 2, 4096,
	    nvme_reg_name, NVME_STUB_MAX_UNITS, &e, err, sizeof err), 0);
	CHECK_EQ(e.npages, 2);
	CHECK(!e.mapped[0] && e.mapped[1]);
	CHECK_EQ(e.granted_bytes, 8);
	CHECK_EQ(e.exposed_bytes, 4096);
	CHECK_EQ(e.granted_bytes + e.privileged_bytes + e.reserved_bytes,
	    e.exposed_bytes);
	CHECK_EQ(exposure_class_at(&e, NVME_SQTDBL(1)), EXPOSE_GRANTED);
	CHECK_EQ(exposure_class_at(&e, NVME_SQTDBL(2)), EXPOSE_PRIVILEGED);
	/* Queues 0..64 have doorbells: 65 pairs less our own. */
	CHECK_EQ(e.nregs, 128);
	CHECK_EQ(exposure_class_at(&e, NVME_SQTDBL(65)), EXPOSE_RESERVED);
	/* The admin queue's: the kernel's, no unit's slice. */
	r = reg(&e, "SQ0TDBL");
	CHECK(r != NULL && !r->other_slice && !r->other_unit);
	/* Units 1..7 are other tenants. */
	for (unsigned q = 2; q <= NVME_STUB_MAX_UNITS; q++) {
		char sq[16], cq[16];

		snprintf(sq, sizeof sq, "SQ%uTDBL", q);
		snprintf(cq, sizeof cq, "CQ%uHDBL", q);
		r = reg(&e, sq);
		CHECK(r != NULL && r->other_unit && !r->other_slice &&
		    r->first == NVME_SQTDBL(q));
		r = reg(&e, cq);
		CHECK(r != NULL && r->other_unit);
	}
	/* Past the units the stub offers: the controller's queues all the
	 * same, but no unit's. */
	r = reg(&e, "SQ9TDBL");
	CHECK(r != NULL && !r->other_unit);
	CHECK(reg(&e, "CC") == NULL);
	exposure_free(&e);
	/* One unit: the neighbours' doorbells are nobody's slice. */
	CHECK_EQ(exposure_compute(&nvme_manifest, "bar0", db, 2, 4096,
	    nvme_reg_name, &e, err, sizeof err), 0);
	r = reg(&e, "SQ2TDBL");
	CHECK(r != NULL && !r->other_unit);
	exposure_free(&e);
	/* With CSTS, page 0: the controller's registers. */
	CHECK_EQ(exposure_compute_units(&nvme_manifest, "bar0", all, 3, 4096,
	    nvme_reg_name, NVME_STUB_MAX_UNITS, &e, err, sizeof err), 0);
	CHECK(e.mapped[0] && e.mapped[1]);
	static const char *const page0[] = { "CAP", "VS", "INTMS", "INTMC",
	    "CC", "AQA", "ASQ", "ACQ" };
	for (size_t i = 0; i < sizeof page0 / sizeof page0[0]; i++)
		CHECK(reg(&e, page0[i]) != NULL);
	r = reg(&e, "ASQ");
	CHECK(r != NULL && r->words == 2 && r->first == NVME_ASQ);
	CHECK(reg(&e, "CSTS") == NULL);		/* granted */
	exposure_free(&e);
	CHECK_EQ(exposure_compute_units(&nvme_manifest, "bar0", db, 2, 4096,
	    nvme_reg_name, 0, &e, err, sizeof err), -1);
	CHECK_EQ(exposure_compute_units(&nvme_manifest, "bar0", db, 2, 4096,
	    nvme_reg_name, MANIFEST_MAX_UNITS + 1, &e, err, sizeof err), -1);
}

int
main(void)
{
	test_e1000e_4k();
	test_e1000e_16k_64k();
	test_other_device();
	test_nvme();
	test_refused();
	test_accounting();
	test_json();
	return check_done("exposure");
}
