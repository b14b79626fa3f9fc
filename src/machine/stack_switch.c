/*
 * stack_switch.c — see stack_switch.h.
 *
 * x86-64 (System V): a suspended stack holds, from its top of stack up,
 * the x87 control word and MXCSR (8 bytes each), r15, r14, r13, r12,
 * rbx, rbp, and the address to return to. Those are all the registers
 * a callee must preserve; the caller of stack_switch has saved the rest.
 */
#include "machine/stack_switch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef STACK_SWITCH_ASM

/* capio_stack_swap(void **save_sp, void *to_sp) */
__asm__(
	".text\n"
	".p2align 4\n"
	".type capio_stack_swap, @function\n"
	"capio_stack_swap:\n"
	"	pushq	%rbp\n"
	"	pushq	%rbx\n"
	"	pushq	%r12\n"
	"	pushq	%r13\n"
	"	pushq	%r14\n"
	"	pushq	%r15\n"
	"	subq	$16, %rsp\n"
	"	fnstcw	(%rsp)\n"
	"	stmxcsr	8(%rsp)\n"
	"	movq	%rsp, (%rdi)\n"
	"	movq	%rsi, %rsp\n"
	"	fldcw	(%rsp)\n"
	"	ldmxcsr	8(%rsp)\n"
	"	addq	$16, %rsp\n"
	"	popq	%r15\n"
	"	popq	%r14\n"
	"	popq	%r13\n"
	"	popq	%r12\n"
	"	popq	%rbx\n"
	"	popq	%rbp\n"
	"	ret\n"
	".size capio_stack_swap, .-capio_stack_swap\n");

void capio_stack_swap(void **save_sp, void *to_sp);

int
stack_regs_init(struct stack_regs *r, void *stack, size_t size,
    void (*entry)(void))
{
	uintptr_t top = ((uintptr_t)stack + size) & ~(uintptr_t)15;
	uint64_t *f;
	uint16_t fcw;
	uint32_t mxcsr;

	if (size < 256)
		return -1;
	/*
	 * The return-address slot is 16-aligned, so entry() starts with
	 * rsp = 8 (mod 16), as after a call. Below it: rbp, rbx, r12..r15
	 * (zero) and the control words the creator runs with.
	 */
	f = (uint64_t *)(top - 16 - 8 * 8);
	memset(f, 0, 8 * 8 + 16);
	__asm__ volatile ("fnstcw %0" : "=m" (fcw));
	__asm__ volatile ("stmxcsr %0" : "=m" (mxcsr));
	f[0] = fcw;
	f[1] = mxcsr;
	f[8] = (uint64_t)(uintptr_t)entry;
	r->sp = f;
	return 0;
}

void
stack_switch(struct stack_regs *save, struct stack_regs *to)
{
	capio_stack_swap(&save->sp, to->sp);
}

void
stack_jump(struct stack_regs *to)
{
	void *dead;

	capio_stack_swap(&dead, to->sp);
	abort();		/* nothing switches back to a dead stack */
}

#else	/* ucontext */

#ifdef STACK_SWITCH_ASAN
#include <stdbool.h>
#endif

int
stack_regs_init(struct stack_regs *r, void *stack, size_t size,
    void (*entry)(void))
{
	if (getcontext(&r->uc) != 0)
		return -1;
	r->uc.uc_stack.ss_sp = stack;
	r->uc.uc_stack.ss_size = size;
	r->uc.uc_link = NULL;	/* entry() never returns */
	makecontext(&r->uc, entry, 0);
	return 0;
}

/*
 * ASan's swapcontext interceptor wipes the target stack's shadow (and
 * warns that it does); with context.c's fiber annotations that is
 * neither needed nor right, so ASan builds switch with getcontext and
 * setcontext.
 */
void __attribute__((noinline))
stack_switch(struct stack_regs *save, struct stack_regs *to)
{
#ifdef STACK_SWITCH_ASAN
	volatile bool resumed = false;

	getcontext(&save->uc);
	if (!resumed) {
		resumed = true;
		setcontext(&to->uc);
	}
#else
	swapcontext(&save->uc, &to->uc);
#endif
}

void
stack_jump(struct stack_regs *to)
{
	setcontext(&to->uc);
	abort();		/* setcontext does not return */
}

#endif
