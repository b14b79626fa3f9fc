/*
 * test_abi.c — what crosses the trust boundary: the trap (no kernel to
 * take it: EPERM), and SYS_DESCRIBE, the manifest a process gets as a
 * copy in its own memory, with every bad buffer its EFAULT and nothing
 * written.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boot.h"
#include "check.h"
#include "board/board.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

/* --- the trap, with no process running ---------------------------------- */

static void
test_trap_outside(void)
{
	struct trapframe tf;
	struct sysargs a = { .x = { 4096 } };
	struct sysret r;
	struct kernel *k = test_boot(NULL);

	memset(&tf, 0, sizeof tf);
	tf.x[SYS_REG_NR] = SYS_GETPID;
	CHECK_EQ(svc(&tf), -EPERM);
	CHECK_EQ(tf.x[SYS_REG_RET], -EPERM);
	/* A kernel exists, but no process of it runs on this thread. */
	CHECK_EQ(capio_syscall(SYS_MMAP, &a, &r), -EPERM);
	CHECK_EQ(sys_getpid(), -EPERM);
	kernel_halt(k);
	CHECK_EQ(sys_getpid(), -EPERM);
}

/* --- SYS_DESCRIBE ----------------------------------------------------- */

struct desc_run {
	int rc, enodev, einval, untagged, readonly, sealed, short_, past_end;
	int huge_dev, raw_ok;
	bool short_untouched, reached_end;
	struct capio_desc d, raw;
};

static int64_t
describe_raw(uint64_t dev, uint64_t len, cap_t buf)
{
	struct sysargs a = { .x = { dev, len }, .c = { buf } };
	struct sysret r;

	return capio_syscall(SYS_DESCRIBE, &a, &r);
}

static void
desc_main(void *arg)
{
	struct desc_run *t = arg;
	uint8_t page[4096], want[4096];
	cap_t buf, id, token;

	sys_mmap(4096, &buf);
	sys_mmap(4096, &id);
	t->rc = capio_describe(0, buf, &t->d);
	/* The raw call writes exactly the structure at the address. */
	t->raw_ok = (int)describe_raw(1, sizeof t->raw,
	    cheri_address_set(buf, cheri_address_get(buf) + 64));
	ldbytes(buf, 64, &t->raw, sizeof t->raw);

	t->enodev = (int)describe_raw(7, sizeof t->raw, buf);
	t->huge_dev = (int)describe_raw(UINT64_MAX, sizeof t->raw, buf);
	t->einval = (int)describe_raw(0, sizeof t->raw - 1, buf);
	t->untagged = (int)describe_raw(0, sizeof t->raw,
	    cap_from_mem(buf.pesbt, buf.cursor, false));
	t->readonly = (int)describe_raw(0, sizeof t->raw,
	    cheri_perms_and(buf, CAP_PERM_LOAD));
	capio_attach(0, id, &token);
	t->sealed = (int)describe_raw(0, sizeof t->raw, token);
	/* One byte short: EFAULT, and not one byte written. */
	memset(page, 0x5a, sizeof page);
	stbytes(buf, 0, page, sizeof page);
	t->short_ = (int)describe_raw(0, sizeof t->raw,
	    cheri_bounds_set_exact(buf, sizeof t->raw - 1));
	ldbytes(buf, 0, want, sizeof want);
	t->short_untouched = memcmp(page, want, sizeof page) == 0;
	/* Past the end of the buffer's bounds. */
	t->past_end = (int)describe_raw(0, sizeof t->raw,
	    cheri_address_set(buf, cheri_address_get(buf) + 4096 - 8));
	t->reached_end = true;
}

static void
test_describe(void)
{
	struct kernel *k = test_boot(NULL);
	struct desc_run t;
	const struct manifest *m = &e1000e_manifest;

	memset(&t, 0, sizeof t);
	kernel_spawn(k, "describe", desc_main, &t);
	kernel_run(k, 10);
	CHECK_EQ(t.rc, 0);
	CHECK_EQ(t.raw_ok, 0);
	CHECK(memcmp(&t.d, &t.raw, sizeof t.d) == 0);	/* NIC 1: same type */
	CHECK(strcmp(t.d.device, "e1000e") == 0);
	CHECK_EQ(t.d.nregions, m->nregions);
	for (size_t i = 0; i < m->nregions && i < CAPIO_DESC_REGIONS; i++) {
		const struct region *rg = &m->regions[i];
		const struct capio_region_desc *rd = &t.d.regions[i];

		CHECK(strcmp(rd->name, rg->name) == 0);
		CHECK_EQ(rd->kind, rg->kind == REGION_MMIO ? CAPIO_REGION_MMIO :
		    CAPIO_REGION_DMA);
		CHECK_EQ(rd->size, rg->size);
		CHECK_EQ(rd->nslices, rg->nslices);
		for (size_t j = 0; j < rg->nslices && j < CAPIO_DESC_SLICES; j++) {
			CHECK(strcmp(rd->slices[j].name, rg->slices[j].name) == 0);
			CHECK_EQ(rd->slices[j].offset, rg->slices[j].offset);
			CHECK_EQ(rd->slices[j].length, rg->slices[j].length);
			CHECK_EQ(rd->slices[j].access, rg->slices[j].access ==
			    SLICE_RW ? CAPIO_SLICE_RW : CAPIO_SLICE_RO);
		}
		CHECK(capio_region(&t.d, rg->name) == rd);
	}
	CHECK(capio_region(&t.d, "bar1") == NULL);
	CHECK(capio_region(&t.d, "tx_buffers_and_then_some") == NULL);
	CHECK_EQ(t.enodev, -ENODEV);
	CHECK_EQ(t.huge_dev, -ENODEV);
	CHECK_EQ(t.einval, -EINVAL);
	CHECK_EQ(t.untagged, -EFAULT);
	CHECK_EQ(t.readonly, -EFAULT);
	CHECK_EQ(t.sealed, -EFAULT);
	CHECK_EQ(t.short_, -EFAULT);
	CHECK(t.short_untouched);
	CHECK_EQ(t.past_end, -EFAULT);
	CHECK(t.reached_end);	/* no bad buffer faulted the caller */
	kernel_halt(k);
}

int
main(void)
{
	test_trap_outside();
	test_describe();
	return check_done("abi");
}
