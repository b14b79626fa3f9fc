/*
 * syscall.h — the system-call ABI: numbers, argument and result
 * registers, and the one entry path every call takes.
 *
 * Capabilities travel in capability registers (struct sysargs.c,
 * struct sysret.c); integers in x. Results are >= 0, or -errno.
 * Every call is counted (per process, per number) and, unless the kernel
 * was booted without it, pays one real host system call as its
 * privilege crossing.
 */
#ifndef CAPIO_KERNEL_SYSCALL_H
#define CAPIO_KERNEL_SYSCALL_H

#include <stdint.h>

#include "cap/cap.h"

enum sysno {
	SYS_EXIT,	/* x0: status */
	SYS_YIELD,
	SYS_GETPID,
	SYS_MMAP,	/* x0: length -> c0: fresh zeroed memory */
	SYS_ATTACH,	/* x0: device, x1: SYS_ATTACH_* flags, c0: identity
			   -> c0: sealed token */
	SYS_MAP,	/* x0: device, x1: region, x2: size, x3: perms,
			   c0: token -> c0..: region or slice capabilities */
	SYS_INFO,	/* x0: device, c0: token -> x0..: stub's info */
	SYS_GOODBYE,	/* x0: device, c0: token */
	SYS_SEND,	/* x0: device, x1: length, c0: token, c1: frame
			   (kernel path) */
	SYS_RECV,	/* x0: device, x1: max length, c0: token, c1: buffer
			   -> length */
	SYS_NCALLS
};

/* SYS_ATTACH flags. */
#define SYS_ATTACH_KERNEL_PATH	1u	/* claim the kernel-mediated path
					   (send, recv), map nothing */

#define SYS_MAXCAPS	8

struct sysargs {
	cap_t c[2];
	uint64_t x[4];
};

struct sysret {
	int64_t ret;
	uint64_t x[8];
	cap_t c[SYS_MAXCAPS];
	unsigned ncaps;
};

/*
 * Enter the kernel from the running process. Outside a process this is
 * refused with -EPERM (and counted nowhere).
 */
int64_t syscall_enter(enum sysno nr, const struct sysargs *a, struct sysret *r);
const char *syscall_name(enum sysno nr);

#endif
