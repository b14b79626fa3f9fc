/*
 * syscall.h — the kernel's system-call dispatcher: the trap vector
 * (machine/trap.h) it installs while it runs a process, serving the ABI
 * of abi/syscall.h.
 *
 * Every call is counted (per process, per number) and, unless the kernel
 * was booted without it, pays one real host system call as its
 * privilege crossing. A trap taken while no process of the kernel runs
 * is refused with -EPERM (and counted nowhere).
 */
#ifndef CAPIO_KERNEL_SYSCALL_H
#define CAPIO_KERNEL_SYSCALL_H

#include "abi/syscall.h"
#include "machine/trap.h"

void syscall_vector(struct trapframe *tf);

#endif
