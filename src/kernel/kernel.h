/*
 * kernel.h — the trusted CAPIO kernel: boot on a board (board/board.h),
 * run unprivileged processes on it, and look at what happened.
 *
 * This is the interface for whoever starts the machine (the capio
 * command, tests, benchmarks, the attack harness). Processes themselves
 * reach the kernel only through system calls (syscall.h).
 */
#ifndef CAPIO_KERNEL_KERNEL_H
#define CAPIO_KERNEL_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/aspace.h"
#include "machine/fault.h"

struct board;
struct kernel;
struct phys;

/* How device slices are granted (the benchmark arms). */
enum grant_arm {
	ARM_CAPIO,	/* byte-exact slices: the CAPIO design */
	ARM_PAGE,	/* whole 4 KiB pages of BAR0 around each slice, as
			   page-granular kernel bypass (DPDK, ixy) grants */
};

struct kernel_opts {
	bool host_syscalls;	/* each syscall pays a real host syscall */
	enum grant_arm arm;
	bool iommu;		/* device DMA only into its owner's regions */
	/* The watchdog (docs/kernel.md): a process that holds the CPU this
	 * long without a yield, wfe or exit is killed at its next simulated
	 * memory access (default 2000 ms); one that makes no such access
	 * for grace_ms stops the machine (default 10000). 0: no limit. */
	uint32_t slice_ms, grace_ms;
	/*
	 * What one process may hold at once (docs/kernel.md, "Limits"); 0
	 * means the default. proc_mem_max: bytes of RAM it may mmap
	 * (default a quarter of ram_size: 64 MiB of 256); proc_devs_max:
	 * device units it holds, in either mode (default 2; a NIC is one
	 * unit, so for NICs it is devices as before); proc_maps_max:
	 * mappings, mmaps and device regions together (default 256).
	 * dev_va_size: the device virtual address space of a process
	 * (default all of it, 192 TiB), never reused within its life.
	 */
	uint64_t proc_mem_max;
	uint32_t proc_devs_max, proc_maps_max;
	uint64_t dev_va_size;
};

void kernel_opts_default(struct kernel_opts *o);
/*
 * Boot on board B (board_new), which the kernel owns from now on: it
 * brings up every device the board lists and registers it with CAPIO.
 * NULL and a one-line message in err on failure (B is freed then too;
 * a NULL B is refused, so board_new's result can be passed straight in
 * once its message is in err).
 */
struct kernel *kernel_boot(struct board *b, const struct kernel_opts *o,
    char *err, size_t errlen);
/* Kill every process, quiesce the devices, power the board off
 * (board_free). NULL is accepted. */
void kernel_halt(struct kernel *k);

/* --- processes ------------------------------------------------------- */

typedef void (*proc_fn)(void *arg);

/* A new runnable process with its own address space; its pid, or -errno. */
int kernel_spawn(struct kernel *k, const char *name, proc_fn fn, void *arg);
/*
 * Run processes round-robin until none is runnable, or for at most
 * max_rounds rounds (0: no limit). Between rounds the kernel services
 * interrupts and polls the wire. Returns the number still runnable.
 */
int kernel_run(struct kernel *k, uint64_t max_rounds);
/* Kill a process that is not running now; its status says why. */
int kernel_kill(struct kernel *k, int pid, const char *why);

enum proc_state { PROC_RUNNABLE, PROC_EXITED, PROC_KILLED };

struct proc_info {
	int pid;
	const char *name;
	enum proc_state state;
	int exit_code;		/* PROC_EXITED */
	const char *status;	/* "running", "exited 0", "SIGPROT: bounds,
				   e1000e0 BAR0+0x3800 (TDBAL)", "SIGABRT:
				   host signal in process code (...)",
				   "killed: ran 2.0 s without ...", ... */
	bool faulted;
	struct fault fault;	/* when faulted */
	uint64_t syscalls;	/* all system calls it made */
	uint64_t syscalls_by_nr[16];
	/* Its checked accesses: loads, stores, copies, MMIO transactions,
	 * faults (while it runs; frozen when it ends). */
	struct access_stats access;
	/* What it holds now, against its limits (0 once it ended). */
	uint64_t mem_bytes;	/* RAM it mmapped */
	uint32_t devices;	/* device units it holds, either mode */
	uint32_t mappings;	/* mmaps and device regions */
	uint64_t page_tables;	/* its page tables, 4 KiB of host each */
};
/* 0 and *pi, or -ESRCH. The strings live as long as the kernel. */
int kernel_proc_info(const struct kernel *k, int pid, struct proc_info *pi);

/* --- the machine, for trusted harnesses and tests --------------------- */

/* The board it runs on (its devices: board_nic, board_wire, ...). */
struct board *kernel_board(const struct kernel *k);
const struct kernel_opts *kernel_opts(const struct kernel *k);
/* Kernel memory that no user region or DMA window ever covers, for
 * "nothing changed" checks: a page at *pa. */
uint64_t kernel_private_page(const struct kernel *k);

/*
 * Called just before the kernel takes a unit of device DEV back from
 * process PID (goodbye, exit, kill), while the device still holds what
 * its owner left in it: for harnesses that check that nothing changed.
 */
typedef void (*kernel_revoke_hook)(void *arg, int dev, int pid);
void kernel_set_revoke_hook(struct kernel *k, kernel_revoke_hook fn,
    void *arg);
/* Physical address of the kernel's own copy of device DEV's DMA region
 * REGION (its manifest index): the rings and buffers of the
 * kernel-mediated path. 0 when there is none. */
uint64_t kernel_dev_kernel_pa(const struct kernel *k, int dev,
    unsigned region);
/* Pages of RAM the kernel has not given out (to processes, rings,
 * buffers): what a process that ends must give back. */
uint64_t kernel_free_pages(const struct kernel *k);
/* Where VA of process PID maps now: 0 and *pa, -ESRCH or -EFAULT. */
int kernel_proc_translate(const struct kernel *k, int pid, uint64_t va,
    uint64_t *pa);

struct kernel_stats {
	uint64_t syscalls;		/* all processes, all calls */
	uint64_t interrupts;		/* serviced */
	uint64_t link_changes;		/* LSC events the stubs handled */
	uint64_t dma_faults;		/* reported by the IOMMUs */
	uint64_t procs_killed;
	uint64_t mmio_reads;		/* device registers the kernel itself */
	uint64_t mmio_writes;		/* read and wrote (stubs) */
	uint64_t page_tables;		/* held now by every live process */
	uint64_t limit_refusals;	/* calls refused by a process limit */
	uint64_t claim_refusals;	/* attach, map, info, goodbye, send
					   and recv refused for want of the
					   device's token (EBUSY, EPERM) */
};
void kernel_get_stats(const struct kernel *k, struct kernel_stats *st);

#endif
