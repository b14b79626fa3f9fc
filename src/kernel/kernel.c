/*
 * kernel.c — booting on a board and halting, interrupt service, and the
 * trusted accessors the driver stubs use.
 */
#include "kernel/kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/e1000e_stub.h"
#include "kernel/kernel_priv.h"
#include "kernel/kmem.h"
#include "kernel/nvme_manifest.h"
#include "kernel/nvme_stub.h"
#include "machine/aspace.h"
#include "machine/context.h"
#include "machine/iommu.h"

#define KERNEL_RESERVED	(1ull << 20)	/* the kernel's own first MiB */
#define KERNEL_PRIVATE	0x80000ull	/* a page no one is ever granted */

_Thread_local struct kernel *kernel_current;

void
kernel_opts_default(struct kernel_opts *o)
{
	memset(o, 0, sizeof *o);
	o->host_syscalls = true;
	o->arm = ARM_CAPIO;
	o->iommu = true;
	o->slice_ms = 2000;
	o->grace_ms = 10000;
	/* proc_mem_max stays 0: a quarter of whatever RAM is chosen. */
	o->proc_devs_max = PROC_DEVS_DEFAULT;
	o->proc_maps_max = PROC_MAPS_DEFAULT;
}

static void
dma_fault(void *owner, const char *dev, const struct dma_fault *f)
{
	struct kernel *k = owner;

	(void)dev;
	(void)f;
	k->stats.dma_faults++;
}

static struct kernel *
boot_fail(struct kernel *k, char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s", what);
	kernel_halt(k);
	return NULL;
}

struct kernel *
kernel_boot(struct board *b, const struct kernel_opts *o, char *err,
    size_t errlen)
{
	struct kernel *k;
	uint64_t ram;

	if (b == NULL)
		return NULL;	/* board_new said why, in err */
	ram = board_ram_size(b);
	/* Its first MiB, the private page and the rings need RAM at 0. */
	if (board_ram_base(b) != 0 || ram < (16ull << 20)) {
		snprintf(err, errlen, "the kernel needs at least 16 MiB of RAM "
		    "at physical 0");
		board_free(b);
		return NULL;
	}
	if (o->dev_va_size > VA_TOP - VA_DEV_BASE ||
	    (o->dev_va_size & MMU_PAGE_MASK)) {
		snprintf(err, errlen, "device address space must be page-aligned, "
		    "at most 192 TiB");
		board_free(b);
		return NULL;
	}
	if ((k = calloc(1, sizeof *k)) == NULL) {
		snprintf(err, errlen, "out of memory");
		board_free(b);
		return NULL;
	}
	/* A host fault in a process's code is that process's fault. */
	ctx_contain_init();
	k->board = b;
	k->phys = board_phys(b);
	k->opts = *o;
	if (k->opts.proc_mem_max == 0)
		k->opts.proc_mem_max = ram >> PROC_MEM_DEFAULT_SHIFT;
	if (k->opts.proc_devs_max == 0)
		k->opts.proc_devs_max = PROC_DEVS_DEFAULT;
	if (k->opts.proc_maps_max == 0)
		k->opts.proc_maps_max = PROC_MAPS_DEFAULT;
	if (k->opts.dev_va_size == 0)
		k->opts.dev_va_size = VA_TOP - VA_DEV_BASE;
	if ((k->kmem = kmem_new(k->phys, KERNEL_RESERVED,
	    ram - KERNEL_RESERVED)) == NULL)
		return boot_fail(k, err, errlen, "cannot manage RAM");
	k->private_page = KERNEL_PRIVATE;

	/* The capabilities everything else derives from. */
	k->root = cap_root();
	k->user_root = cheri_perms_and(cheri_bounds_set_exact(k->root,
	    (cap_len_t)1 << MMU_VA_BITS), CAP_PERM_LOAD | CAP_PERM_STORE |
	    CAP_PERM_LOAD_CAP | CAP_PERM_STORE_CAP | CAP_PERM_STORE_LOCAL_CAP |
	    CAP_PERM_MUTABLE_LOAD | CAP_PERM_GLOBAL);
	k->seal_root = cheri_perms_and(cheri_bounds_set_exact(k->root,
	    CAP_OTYPE_MAX + 1), CAP_PERM_SEAL | CAP_PERM_UNSEAL | CAP_PERM_GLOBAL);

	/* Every device the board lists: a driver stub, then CAPIO. */
	for (int i = 0; i < board_ndevs(b); i++) {
		const struct board_dev *bd = board_dev(b, i);
		struct capio_dev *d = &k->dev[i];

		snprintf(d->name, sizeof d->name, "%s", bd->name);
		iommu_set_fault_handler(bd->iommu, dma_fault, k);
		for (unsigned q = 1; q <= bd->nqueue_iommu; q++)
			iommu_set_fault_handler(bd->queue_iommu[q], dma_fault, k);
		if (bd->kind == BOARD_DEV_NVME) {
			struct nvme_stub *ns;

			/* One unit per I/O queue pair it offers. */
			k->nnics = i + 1;
			if ((ns = nvme_stub_new(k, i, bd, err, errlen)) == NULL) {
				kernel_halt(k);
				return NULL;
			}
			k->stub[i] = ns;
			if (capio_register(k, i, d->name, &nvme_manifest,
			    nvme_stub_units(ns), &nvme_stub_driver, ns, err,
			    errlen) != 0) {
				kernel_halt(k);
				return NULL;
			}
			continue;
		}
		if (bd->kind != BOARD_DEV_E1000E) {
			snprintf(err, errlen, "%s: no driver for this device",
			    bd->name);
			kernel_halt(k);
			return NULL;
		}
		k->nnics = i + 1;
		/* A NIC is one unit, unit 0. */
		if ((k->stub[i] = e1000e_stub_new(k, i, bd, err, errlen)) == NULL ||
		    capio_register(k, i, d->name, &e1000e_manifest, 1,
		    &e1000e_stub_driver, k->stub[i], err, errlen) != 0) {
			kernel_halt(k);
			return NULL;
		}
	}
	return k;
}

/* Device i is one the board lists, of that kind (not a harness's). */
static bool
is_board_dev(const struct kernel *k, int i, enum board_dev_kind kind)
{
	const struct board_dev *bd = board_dev(k->board, i);

	return bd != NULL && bd->kind == kind;
}

void
kernel_halt(struct kernel *k)
{
	if (k == NULL)
		return;
	for (int i = 0; i < k->nprocs; i++) {
		struct proc *p = k->procs[i];
		if (p->state == PROC_RUNNABLE)
			proc_end(p, PROC_KILLED);
		free(p);
	}
	for (int i = 0; i < k->nnics; i++)
		if (is_board_dev(k, i, BOARD_DEV_NVME))
			nvme_stub_free(k->stub[i]);
		else
			e1000e_stub_free(k->stub[i]);
	kmem_free_all(k->kmem);
	board_free(k->board);
	free(k);
}

void
kernel_service(struct kernel *k)
{
	k->irq_pending = false;
	for (int i = 0; i < k->nnics; i++)
		if (k->dev[i].drv != NULL && k->dev[i].drv->service != NULL)
			k->dev[i].drv->service(k->dev[i].stub);
	board_poll(k->board, 64);
}

static void __attribute__((noreturn))
kernel_bus_panic(uint64_t pa, bool store)
{
	struct fault f;

	memset(&f, 0, sizeof f);
	f.cause = FAULT_BUS;
	f.op = store ? FAULT_OP_STORE : FAULT_OP_LOAD;
	f.store = store;
	f.vaddr = pa;
	f.size = 4;
	machine_panic(&f);
}

uint32_t
kernel_mmio_read(struct kernel *k, uint64_t pa)
{
	uint64_t v;

	if (phys_bus_read(k->phys, pa, 4, &v) != 0)
		kernel_bus_panic(pa, false);
	k->stats.mmio_reads++;
	return (uint32_t)v;
}

void
kernel_mmio_write(struct kernel *k, uint64_t pa, uint32_t v)
{
	if (phys_bus_write(k->phys, pa, 4, v) != 0)
		kernel_bus_panic(pa, true);
	k->stats.mmio_writes++;
}

struct board *
kernel_board(const struct kernel *k)
{
	return k->board;
}

const struct kernel_opts *
kernel_opts(const struct kernel *k)
{
	return &k->opts;
}

uint64_t
kernel_private_page(const struct kernel *k)
{
	return k->private_page;
}

void
kernel_set_revoke_hook(struct kernel *k, kernel_revoke_hook fn, void *arg)
{
	k->revoke_hook = fn;
	k->revoke_arg = arg;
}

uint64_t
kernel_dev_kernel_pa(const struct kernel *k, int dev, unsigned region)
{
	if (dev < 0 || dev >= k->nnics || k->stub[dev] == NULL ||
	    !is_board_dev(k, dev, BOARD_DEV_E1000E))
		return 0;
	return e1000e_stub_kernel_pa(k->stub[dev], region);
}

void
kernel_get_stats(const struct kernel *k, struct kernel_stats *st)
{
	*st = k->stats;
	for (int i = 0; i < k->nprocs; i++)
		if (k->procs[i]->as != NULL)
			st->page_tables += aspace_tables(k->procs[i]->as);
	for (int i = 0; i < k->nnics; i++) {
		st->claim_refusals += k->dev[i].refusals;
		for (unsigned u = 0; u < k->dev[i].nunits; u++)
			st->claim_refusals += k->dev[i].unit[u].refusals;
	}
}

int
kernel_register_device(struct kernel *k, const char *name,
    const struct manifest *m, unsigned nunits,
    const struct capio_driver *drv, void *stub, char *err, size_t errlen)
{
	int i = k->nnics;
	struct capio_dev *d;

	if (i >= CAPIO_MAX_DEVS) {
		snprintf(err, errlen, "%s: no room for another device", name);
		return -1;
	}
	d = &k->dev[i];
	snprintf(d->name, sizeof d->name, "%s", name);
	if (capio_register(k, i, d->name, m, nunits, drv, stub, err,
	    errlen) != 0) {
		memset(d, 0, sizeof *d);
		return -1;
	}
	k->nnics = i + 1;
	return i;
}

int
kernel_dma_alloc(struct kernel *k, uint64_t len, uint64_t *pa)
{
	uint64_t align = ~cheri_representable_alignment_mask(len) + 1;

	if (len == 0 || cheri_representable_length(len) != len)
		return -EINVAL;
	if (align < MMU_PAGE_SIZE)
		align = MMU_PAGE_SIZE;
	/* kmem_alloc zeroes it. */
	return kmem_alloc(k->kmem, len, align, pa) != 0 ? -ENOMEM : 0;
}

void
kernel_dma_zero(struct kernel *k, uint64_t pa, uint64_t len)
{
	uint8_t *p = phys_ram_ptr(k->phys, pa, len);

	if (p == NULL)
		abort();
	memset(p, 0, len);
	phys_tags_clear(k->phys, pa, len);
}
