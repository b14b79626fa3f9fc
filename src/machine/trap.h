/*
 * trap.h — the supervisor call (Arm SVC): the one way unprivileged code
 * enters the kernel. The caller fills a register frame and executes
 * svc(); the machine enters the vector the kernel installed on this
 * host thread, which reads its arguments from the frame and leaves its
 * results there. What the registers mean is the kernel's ABI
 * (abi/syscall.h), not the machine's.
 *
 * With no vector installed (no kernel is running a process on this
 * thread) nothing takes the trap: it returns at once with x0 = -EPERM.
 */
#ifndef CAPIO_MACHINE_TRAP_H
#define CAPIO_MACHINE_TRAP_H

#include <stdint.h>

#include "cap/cap.h"

#define TRAP_NXREGS	16	/* x0..x15 */
#define TRAP_NCREGS	8	/* c0..c7 */

struct trapframe {
	uint64_t x[TRAP_NXREGS];
	cap_t c[TRAP_NCREGS];
};

typedef void (*trap_vector_fn)(struct trapframe *tf);

/* Install v (NULL: none) as this thread's vector; returns the one it
 * replaces, for the caller to put back. */
trap_vector_fn trap_vector_set(trap_vector_fn v);

/* Take the trap with frame tf; returns its x0 once the vector returns. */
int64_t svc(struct trapframe *tf);

#endif
