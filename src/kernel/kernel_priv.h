/*
 * kernel_priv.h — the kernel's own state, shared by the files of
 * src/kernel/ and by nothing else.
 */
#ifndef CAPIO_KERNEL_PRIV_H
#define CAPIO_KERNEL_PRIV_H

#include "board/board.h"
#include "cap/cap.h"
#include "kernel/driver.h"
#include "kernel/kernel.h"
#include "kernel/manifest.h"
#include "kernel/syscall.h"
#include "machine/aspace.h"
#include "machine/fault.h"

#define KERNEL_MAX_PROCS	64
#define CAPIO_MAX_REGIONS	8
/* Devices: the board's, then any a trusted harness registers. */
#define CAPIO_MAX_DEVS		(BOARD_MAX_DEVS + 4)
/*
 * Sealing types, one per unit: 0x100 + unit * CAPIO_MAX_DEVS + device.
 * Unit 0 of device n keeps the 0x100 + n it always had; the token's type
 * names the device and the unit, and only the kernel can seal with it.
 */
#define CAPIO_OTYPE_BASE	0x100
#define CAPIO_OTYPE_END		(CAPIO_OTYPE_BASE + \
	CAPIO_MAX_UNITS * CAPIO_MAX_DEVS)

/* A process's virtual addresses: SYS_MMAP memory, then device regions. */
#define VA_HEAP_BASE	0x0000100000000000ull
#define VA_DEV_BASE	0x0000400000000000ull
#define VA_TOP		(1ull << MMU_VA_BITS)

/* The limits' defaults (kernel_opts; docs/kernel.md, "Limits"). */
#define PROC_MEM_DEFAULT_SHIFT	2	/* a quarter of RAM */
#define PROC_DEVS_DEFAULT	2
#define PROC_MAPS_DEFAULT	256

struct aspace;
struct ctx;
struct kmem;
struct iommu;

struct umem {
	uint64_t va, pa, len;
};

struct proc {
	int pid;
	char name[32];
	struct kernel *k;
	struct aspace *as;
	struct ctx *ctx;
	proc_fn fn;
	void *arg;
	enum proc_state state;
	int exit_code;
	char status[224];
	bool faulted;
	struct fault fault;
	uint64_t syscalls;
	uint64_t by_nr[SYS_NCALLS];
	struct access_stats final_access;	/* when it ended */
	uint64_t va_heap;		/* next free heap address */
	uint64_t va_dev;		/* next free device-mapping address */
	uint64_t va_dev_top;		/* where device addresses run out */
	struct umem *mem;		/* memory SYS_MMAP gave it */
	size_t nmem, capmem;
	/* Against its limits (kernel_opts.proc_*_max). */
	uint64_t mem_bytes;		/* sum of mem[].len */
	uint32_t ndevs;			/* device units held, either mode */
	uint32_t ndevmaps;		/* device regions mapped now */
};

struct capio_map {
	bool mapped;
	uint64_t va, len;
};

/* What one holder claims: a unit of a device (the NIC: unit 0). */
struct capio_unit {
	cap_t key;			/* Seal/Unseal for this unit's type */
	struct proc *owner;		/* NULL: free, the kernel drives it */
	bool kernel_path;		/* the owner's claim is on the
					   kernel-mediated path: the kernel
					   still drives it, for the owner only */
	cap_t identity;			/* what the owner presented */
	struct capio_map maps[CAPIO_MAX_REGIONS];
	uint64_t attaches, refusals;
};

struct capio_dev {
	char name[24];
	const struct manifest *m;
	const struct capio_driver *drv;
	void *stub;
	unsigned nunits;
	uint64_t refusals;		/* tokens naming no unit of it */
	struct capio_unit unit[CAPIO_MAX_UNITS];
};

struct kernel {
	struct kernel_opts opts;
	struct board *board;		/* what it runs on, owned */
	struct phys *phys;		/* the board's */
	struct kmem *kmem;
	cap_t root;			/* the almighty capability */
	cap_t user_root;		/* what user capabilities derive from */
	cap_t seal_root;		/* Seal/Unseal over the object types */
	uint64_t private_page;
	int nnics;			/* devices: the board's, then the
					   harness's (kernel_register_device) */
	void *stub[CAPIO_MAX_DEVS];	/* the board's stubs (e1000e, NVMe) */
	struct capio_dev dev[CAPIO_MAX_DEVS];
	struct proc *procs[KERNEL_MAX_PROCS];
	int nprocs;
	struct proc *cur;		/* running now, or NULL */
	struct kernel_stats stats;
	bool irq_pending;
	kernel_revoke_hook revoke_hook;	/* trusted observer, or NULL */
	void *revoke_arg;
};

/* The kernel whose process is running on this thread. */
extern _Thread_local struct kernel *kernel_current;

/* proc.c */
void proc_end(struct proc *p, enum proc_state st);
int proc_mmap(struct proc *p, uint64_t len, cap_t *out);
uint64_t proc_va_alloc_dev(struct proc *p, uint64_t len, uint64_t align);

/* capio.c: the framework */
int capio_register(struct kernel *k, int i, const char *name,
    const struct manifest *m, unsigned nunits,
    const struct capio_driver *drv, void *stub, char *err, size_t errlen);
int64_t capio_do_attach(struct kernel *k, struct proc *p, uint64_t dev,
    uint64_t flags, uint64_t unit, cap_t identity, struct sysret *r);
int64_t capio_do_map(struct kernel *k, struct proc *p, const struct sysargs *a,
    struct sysret *r);
int64_t capio_do_info(struct kernel *k, struct proc *p, uint64_t dev,
    cap_t token, struct sysret *r);
int64_t capio_do_goodbye(struct kernel *k, struct proc *p, uint64_t dev,
    cap_t token);
/* The device's manifest as the caller may see it (abi/manifest.h),
 * copied out through buf. */
int64_t capio_do_describe(struct kernel *k, struct proc *p, uint64_t dev,
    uint64_t buflen, cap_t buf);
/* The kernel-mediated path, for the holder of a kernel-path claim. */
int64_t capio_do_send(struct kernel *k, struct proc *p,
    const struct sysargs *a);
int64_t capio_do_recv(struct kernel *k, struct proc *p,
    const struct sysargs *a, struct sysret *r);
/* The unit whose kernel-path claim the token (c0) of device x0 is, for
 * its holder p (and *dp its device); NULL and *err (ENODEV, EPERM). */
struct capio_unit *capio_kernel_path_of(struct kernel *k, struct proc *p,
    const struct sysargs *a, struct capio_dev **dp, int *err);

/* blk.c: the kernel-mediated block path (abi/blk.h) */
int64_t blk_do_call(struct kernel *k, struct proc *p, enum sysno nr,
    const struct sysargs *a);
/* Whether BUF grants the access the request needs over LEN bytes from
 * its address (Store to read into it, Load to write from it): tagged,
 * unsealed, permitted, in bounds. 0 or -EFAULT; the MMU is the copy's
 * to check. */
int blk_buf_check(cap_t buf, uint64_t len, bool into);
/* Whether p may have one more mapping (kernel_opts.proc_maps_max). */
bool proc_may_map(struct proc *p);
/* Revoke every unit p holds of every device (exit, kill). */
void capio_release_proc(struct kernel *k, struct proc *p);
/* The unit is driven by the kernel (no owner). */
bool capio_kernel_owned(const struct kernel *k, int dev, unsigned unit);

/* kernel.c */
void kernel_service(struct kernel *k);
/* Trusted MMIO and RAM access for stubs; any failure is a panic. */
uint32_t kernel_mmio_read(struct kernel *k, uint64_t pa);
void kernel_mmio_write(struct kernel *k, uint64_t pa, uint32_t v);

#endif
