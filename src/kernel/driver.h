/*
 * driver.h — what a kernel driver stub offers the CAPIO framework, and
 * how one is registered.
 *
 * A device has N units (N given at registration, at most
 * CAPIO_MAX_UNITS): the NIC has one, unit 0; an NVMe controller one per
 * queue pair. Each unit is claimed, mapped and revoked on its own, so
 * every operation names the unit it is about.
 *
 * The kernel registers a driver for every device its board lists.
 * kernel_register_device is for trusted harnesses only (tests): it adds
 * a device the board does not list, driven by a stub the harness owns.
 * It is not reachable from a process.
 */
#ifndef CAPIO_KERNEL_DRIVER_H
#define CAPIO_KERNEL_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#include "abi/syscall.h"
#include "cap/cap.h"
#include "kernel/manifest.h"

#define CAPIO_MAX_UNITS	MANIFEST_MAX_UNITS	/* units of one device */

struct kernel;
struct proc;

/* One request of the kernel-mediated block path (abi/blk.h), as the
 * framework read it from the caller's registers or records. */
struct blk_io {
	cap_t buf;		/* the caller's: data to or from */
	uint64_t slba;
	uint32_t nlb;
	uint32_t op;		/* enum blk_op */
	int64_t result;		/* out: bytes moved, or -errno */
};

struct capio_driver {
	/* Physical base of region r as unit sees it: a BAR (shared by the
	 * units; the manifest's unit_stride places each unit's slices in
	 * it) or the unit's own DMA region. */
	uint64_t (*region_pa)(void *stub, unsigned unit, unsigned r);
	/* A process takes the unit: give it fresh DMA regions, point the
	 * unit and its IOMMU windows at them. 0 or -errno. */
	int (*attach)(void *stub, unsigned unit);
	/* Revocation of that unit only: quiesce it, close its windows,
	 * free its regions. Other units run on. */
	void (*detach)(void *stub, unsigned unit);
	/* A kernel-path claim on the unit begins: make the unit ready for
	 * the kernel to drive on its holder's behalf. 0 or -errno. May be
	 * NULL (the NIC: the kernel drives it anyway). */
	int (*kpath_attach)(void *stub, unsigned unit);
	/* A kernel-path claim on the unit ends: drop what its holder left
	 * (frames unreceived; a block unit's queues), so that the next
	 * holder starts clean. May be NULL when send, recv and blk are. */
	void (*flush)(void *stub, unsigned unit);
	void (*info)(void *stub, unsigned unit, struct sysret *r);
	/* The kernel-mediated data path of a unit; both NULL: the device has
	 * none (a kernel-path attach is EOPNOTSUPP). */
	int64_t (*send)(void *stub, unsigned unit, struct proc *p, cap_t buf,
	    uint64_t len);
	int64_t (*recv)(void *stub, unsigned unit, struct proc *p, cap_t buf,
	    uint64_t max, struct sysret *r);
	/* The kernel-mediated block path of a unit: run io[0..n) together
	 * (n <= BLK_BATCH_MAX), each io's result set; how many succeeded,
	 * or -errno. NULL: the device has none (SYS_BLK_* is EOPNOTSUPP). */
	int64_t (*blk)(void *stub, unsigned unit, struct proc *p,
	    struct blk_io *io, unsigned n);
	/* Deferred interrupt work, run by the kernel outside any device
	 * callback. May be NULL. */
	void (*service)(void *stub);
};

/*
 * Trusted harnesses only: register a device the board does not list, of
 * NUNITS units, with manifest M and driver DRV over STUB (all the
 * caller's, alive until kernel_halt returns: exit and kill of holders
 * call detach then). Its device number, or -1 and a message in err.
 */
int kernel_register_device(struct kernel *k, const char *name,
    const struct manifest *m, unsigned nunits,
    const struct capio_driver *drv, void *stub, char *err, size_t errlen);
/* Trusted harnesses and stubs: LEN bytes of RAM no process is given,
 * aligned for exact capability bounds, zeroed; lives as long as the
 * machine. 0 and *pa, or -ENOMEM. */
int kernel_dma_alloc(struct kernel *k, uint64_t len, uint64_t *pa);
/* Zero such RAM, bytes and tags: what one holder left, gone before the
 * next comes. Anything but RAM is a kernel bug (a panic). */
void kernel_dma_zero(struct kernel *k, uint64_t pa, uint64_t len);

#endif
