/*
 * kernel.c — booting and halting the machine, interrupt service, and the
 * trusted accessors the driver stubs use.
 */
#include "kernel/kernel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/e1000e.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/e1000e_stub.h"
#include "kernel/kernel_priv.h"
#include "kernel/kmem.h"
#include "machine/aspace.h"
#include "machine/context.h"
#include "machine/iommu.h"
#include "machine/phys.h"
#include "net/wire.h"

#define KERNEL_RESERVED	(1ull << 20)	/* the kernel's own first MiB */
#define KERNEL_PRIVATE	0x80000ull	/* a page no one is ever granted */
#define NIC_BAR_BASE	0xf0000000ull
#define NIC_BAR_STRIDE	0x100000ull

_Thread_local struct kernel *kernel_current;

void
kernel_opts_default(struct kernel_opts *o)
{
	memset(o, 0, sizeof *o);
	o->ram_size = 256ull << 20;
	o->nics = 2;
	o->wire = "pair";
	o->pcap = NULL;
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
kernel_boot(const struct kernel_opts *o, char *err, size_t errlen)
{
	struct kernel *k;
	const char *wire;

	if (o->ram_size < (16ull << 20) || o->ram_size > (4ull << 30) ||
	    (o->ram_size & MMU_PAGE_MASK)) {
		snprintf(err, errlen, "RAM size must be 16 MiB..4 GiB, page-aligned");
		return NULL;
	}
	if (o->nics < 0 || o->nics > KERNEL_MAX_NICS) {
		snprintf(err, errlen, "number of NICs must be 0..%d", KERNEL_MAX_NICS);
		return NULL;
	}
	wire = o->wire ? o->wire : "none";
	if (strcmp(wire, "pair") == 0 && o->nics < 2) {
		snprintf(err, errlen, "a pair wire needs two NICs");
		return NULL;
	}
	if (strncmp(wire, "tap:", 4) == 0 && o->nics < 1) {
		snprintf(err, errlen, "a TAP wire needs a NIC");
		return NULL;
	}
	if (o->dev_va_size > VA_TOP - VA_DEV_BASE ||
	    (o->dev_va_size & MMU_PAGE_MASK)) {
		snprintf(err, errlen, "device address space must be page-aligned, "
		    "at most 192 TiB");
		return NULL;
	}
	if ((k = calloc(1, sizeof *k)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* A host fault in a process's code is that process's fault. */
	ctx_contain_init();
	k->opts = *o;
	if (k->opts.proc_mem_max == 0)
		k->opts.proc_mem_max = o->ram_size >> PROC_MEM_DEFAULT_SHIFT;
	if (k->opts.proc_devs_max == 0)
		k->opts.proc_devs_max = PROC_DEVS_DEFAULT;
	if (k->opts.proc_maps_max == 0)
		k->opts.proc_maps_max = PROC_MAPS_DEFAULT;
	if (k->opts.dev_va_size == 0)
		k->opts.dev_va_size = VA_TOP - VA_DEV_BASE;
	snprintf(k->wire_spec, sizeof k->wire_spec, "%s", wire);
	k->opts.wire = k->wire_spec;
	if (o->pcap) {
		snprintf(k->pcap_path, sizeof k->pcap_path, "%s", o->pcap);
		k->opts.pcap = k->pcap_path;
	}
	if ((k->phys = phys_new()) == NULL ||
	    phys_add_ram(k->phys, 0, o->ram_size) != 0 ||
	    (k->kmem = kmem_new(k->phys, KERNEL_RESERVED,
	    o->ram_size - KERNEL_RESERVED)) == NULL)
		return boot_fail(k, err, errlen, "cannot create RAM");
	k->private_page = KERNEL_PRIVATE;

	/* The capabilities everything else derives from. */
	k->root = cap_root();
	k->user_root = cheri_perms_and(cheri_bounds_set_exact(k->root,
	    (cap_len_t)1 << MMU_VA_BITS), CAP_PERM_LOAD | CAP_PERM_STORE |
	    CAP_PERM_LOAD_CAP | CAP_PERM_STORE_CAP | CAP_PERM_STORE_LOCAL_CAP |
	    CAP_PERM_MUTABLE_LOAD | CAP_PERM_GLOBAL);
	k->seal_root = cheri_perms_and(cheri_bounds_set_exact(k->root,
	    CAP_OTYPE_MAX + 1), CAP_PERM_SEAL | CAP_PERM_UNSEAL | CAP_PERM_GLOBAL);

	for (int i = 0; i < o->nics; i++) {
		struct capio_dev *d = &k->dev[i];
		uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + i) };
		char barname[40];

		snprintf(d->name, sizeof d->name, "e1000e%d", i);
		snprintf(barname, sizeof barname, "%s BAR0", d->name);
		k->bar[i] = NIC_BAR_BASE + (uint64_t)i * NIC_BAR_STRIDE;
		if ((k->iommu[i] = iommu_new(k->phys, d->name)) == NULL ||
		    (k->nic[i] = e1000e_new(d->name, mac, k->iommu[i])) == NULL ||
		    phys_add_mmio(k->phys, k->bar[i], E1000E_BAR0_SIZE, barname,
		    &e1000e_mmio_ops, k->nic[i]) != 0)
			return boot_fail(k, err, errlen, "cannot create a NIC");
		iommu_set_fault_handler(k->iommu[i], dma_fault, k);
		k->nnics = i + 1;
	}
	if (strcmp(wire, "none") != 0) {
		struct netport *b = NULL;
		if (strcmp(wire, "pair") == 0)
			b = e1000e_port(k->nic[1]);
		k->wire = wire_open(wire, e1000e_port(k->nic[0]), b, err, errlen);
		if (k->wire == NULL) {
			kernel_halt(k);
			return NULL;
		}
		if (o->pcap && wire_record(k->wire, o->pcap, err, errlen) != 0) {
			kernel_halt(k);
			return NULL;
		}
		for (int i = 0; i < k->nnics && i < 2; i++)
			e1000e_link_changed(k->nic[i]);
	}
	for (int i = 0; i < k->nnics; i++) {
		if ((k->stub[i] = e1000e_stub_new(k, i, err, errlen)) == NULL) {
			kernel_halt(k);
			return NULL;
		}
		if (capio_register(k, i, k->dev[i].name, &e1000e_manifest,
		    &e1000e_stub_driver, k->stub[i], err, errlen) != 0) {
			kernel_halt(k);
			return NULL;
		}
	}
	return k;
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
	wire_close(k->wire);
	for (int i = 0; i < k->nnics; i++) {
		e1000e_stub_free(k->stub[i]);
		e1000e_free(k->nic[i]);
		iommu_free(k->iommu[i]);
	}
	kmem_free_all(k->kmem);
	phys_free(k->phys);
	free(k);
}

void
kernel_service(struct kernel *k)
{
	k->irq_pending = false;
	for (int i = 0; i < k->nnics; i++)
		if (k->dev[i].drv != NULL && k->dev[i].drv->service != NULL)
			k->dev[i].drv->service(k->stub[i]);
	if (k->wire != NULL)
		wire_poll(k->wire, 64);
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

struct phys *
kernel_phys(const struct kernel *k)
{
	return k->phys;
}

int
kernel_nic_count(const struct kernel *k)
{
	return k->nnics;
}

struct e1000e *
kernel_nic(const struct kernel *k, int i)
{
	return i >= 0 && i < k->nnics ? k->nic[i] : NULL;
}

uint64_t
kernel_nic_bar(const struct kernel *k, int i)
{
	return i >= 0 && i < k->nnics ? k->bar[i] : 0;
}

void
kernel_nic_mac(const struct kernel *k, int i, uint8_t mac[6])
{
	uint32_t lo = e1000e_peek(k->nic[i], E1000E_RAL(0));
	uint32_t hi = e1000e_peek(k->nic[i], E1000E_RAH(0));

	for (int b = 0; b < 4; b++)
		mac[b] = (uint8_t)(lo >> (8 * b));
	mac[4] = (uint8_t)hi;
	mac[5] = (uint8_t)(hi >> 8);
}

struct wire *
kernel_wire(const struct kernel *k)
{
	return k->wire;
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
	if (dev < 0 || dev >= k->nnics || k->stub[dev] == NULL)
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
	for (int i = 0; i < k->nnics; i++)
		st->claim_refusals += k->dev[i].refusals;
}
