/*
 * stack_switch.h — the bare register switch under context.c: suspend
 * the running stack and resume another, as a CPU's context switch does.
 *
 * On x86-64 it is a few instructions that save the callee-saved
 * registers and the FPU/SSE control words, and enter no host kernel:
 * glibc's swapcontext also saves the signal mask, which costs a host
 * system call (rt_sigprocmask) on every switch, and so on every wfe()
 * of a simulated process. Elsewhere (or built with
 * -DCAPIO_UCONTEXT_SWITCH) it falls back to ucontext.
 */
#ifndef CAPIO_MACHINE_STACK_SWITCH_H
#define CAPIO_MACHINE_STACK_SWITCH_H

#include <stddef.h>

/* AddressSanitizer is on: GCC says so with a macro, clang with a feature. */
#if defined(__SANITIZE_ADDRESS__)
#define STACK_SWITCH_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define STACK_SWITCH_ASAN 1
#endif
#endif

#if defined(__x86_64__) && !defined(CAPIO_UCONTEXT_SWITCH)
#define STACK_SWITCH_ASM 1
struct stack_regs {
	void *sp;		/* the suspended stack, registers on top */
};
#else
#include <ucontext.h>
struct stack_regs {
	ucontext_t uc;
};
#endif

/* Set r up so that the first switch to it runs entry() on the stack
 * [stack, stack + size). entry() must never return. 0, or -1. */
int stack_regs_init(struct stack_regs *r, void *stack, size_t size,
    void (*entry)(void));
/* Save the running stack in save and resume to; returns when something
 * switches back to save. */
void stack_switch(struct stack_regs *save, struct stack_regs *to);
/* Resume to for good: the running stack is abandoned. */
void stack_jump(struct stack_regs *to) __attribute__((noreturn));

#endif
