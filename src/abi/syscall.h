/*
 * syscall.h — the system-call ABI: what crosses the trust boundary on a
 * trap (machine/trap.h). Call numbers, flags, and which register of the
 * trap frame carries what, in and out.
 *
 * Capabilities travel in capability registers, integers in x registers.
 * Results are >= 0, or -errno. Outside a process (no kernel vector
 * installed on the thread) every call is -EPERM.
 */
#ifndef CAPIO_ABI_SYSCALL_H
#define CAPIO_ABI_SYSCALL_H

#include <stdint.h>

#include "cap/cap.h"

/* Numbers are ABI: new calls go at the end. */
enum sysno {
	SYS_EXIT,	/* x0: status */
	SYS_YIELD,
	SYS_GETPID,
	SYS_MMAP,	/* x0: length -> c0: fresh zeroed memory */
	SYS_ATTACH,	/* x0: device, x1: SYS_ATTACH_* flags, x2: unit
			   (0: the NIC), c0: identity -> c0: sealed token
			   for that unit */
	SYS_MAP,	/* x0: device, x1: region, x2: size, x3: perms,
			   c0: token -> c0..: region or slice capabilities
			   of the unit the token names; x0: address, x1:
			   the unit */
	SYS_INFO,	/* x0: device, c0: token -> x0..: stub's info */
	SYS_GOODBYE,	/* x0: device, c0: token */
	SYS_SEND,	/* x0: device, x1: length, c0: token, c1: frame
			   (kernel path) */
	SYS_RECV,	/* x0: device, x1: max length, c0: token, c1: buffer
			   -> length */
	SYS_DESCRIBE,	/* x0: device, x1: buffer size, c0: buffer
			   -> the device's struct capio_desc written there
			   (abi/manifest.h) */
	/* The kernel-mediated block path (abi/blk.h): a kernel-path claim
	 * on a unit of a block device (an NVMe queue pair). */
	SYS_BLK_READ,	/* x0: device, x1: first block, x2: blocks, c0:
			   token, c1: buffer -> bytes read into it */
	SYS_BLK_WRITE,	/* x0: device, x1: first block, x2: blocks, c0:
			   token, c1: buffer -> bytes written from it */
	SYS_BLK_FLUSH,	/* x0: device, c0: token -> 0 once what was
			   written is durable */
	SYS_BLK_SUBMIT,	/* x0: device, x1: requests, c0: token, c1: the
			   request records -> requests that succeeded;
			   each record's result written back */
	SYS_NCALLS
};

/* SYS_ATTACH flags. */
#define SYS_ATTACH_KERNEL_PATH	1u	/* claim the kernel-mediated path
					   (send, recv), map nothing */

#define SYS_MAXCAPS	8	/* capability results of one call */

/*
 * The trap frame's registers (machine/trap.h), as the kernel finds and
 * leaves them:
 *   in:  x8 the number; x0..x3 the integer arguments (sysargs.x);
 *        c0..c1 the capability arguments (sysargs.c).
 *   out: x0 the result; x1..x8 the result words (sysret.x); c0..c7 the
 *        capability results (sysret.c, untagged past the last one); x9
 *        how many capability results there are (sysret.ncaps).
 * The "x0.." of the call comments above is sysargs.x[0].. and
 * sysret.x[0]..: the words, not the registers.
 */
#define SYS_REG_NR	8
#define SYS_REG_ARG	0	/* first of SYS_NARGS_X */
#define SYS_REG_RET	0
#define SYS_REG_RES	1	/* first of SYS_NRES_X */
#define SYS_REG_NCAPS	9
#define SYS_NARGS_X	4
#define SYS_NARGS_C	2
#define SYS_NRES_X	8
#define SYS_NREGS_X	10	/* x registers the ABI uses */

/* The same, as C structures: what libcapio packs and the kernel
 * dispatches on. */
struct sysargs {
	cap_t c[SYS_NARGS_C];
	uint64_t x[SYS_NARGS_X];
};

struct sysret {
	int64_t ret;
	uint64_t x[SYS_NRES_X];
	cap_t c[SYS_MAXCAPS];
	unsigned ncaps;
};

#endif
