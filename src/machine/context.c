/* context.c — see context.h: coroutines on guarded stacks, switched by
 * stack_switch.c. */
#include "machine/context.h"
#include "machine/stack_switch.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef STACK_SWITCH_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define CTX_ASAN 1
#endif

struct ctx {
	struct stack_regs regs;	/* the context's own, while suspended */
	struct stack_regs owner; /* where ctx_run waits */
	uint8_t *map;		/* stack mapping, guard page first */
	size_t maplen;
	ctx_fn fn;
	void *arg;
	struct aspace *as;
	enum ctx_status status;
	struct fault fault;
	struct ctx *prev;	/* the context that ran this one, if any */
	struct aspace *prev_as;
#ifdef CTX_ASAN
	void *fake_owner;	/* owner's fake stack while x runs */
	void *fake_self;	/* x's fake stack while it is switched out */
	const void *owner_bottom;
	size_t owner_size;
#endif
};

_Thread_local struct aspace *ctx_cur_aspace;
static _Thread_local struct ctx *ctx_cur;

static size_t
page_size(void)
{
	long n = sysconf(_SC_PAGESIZE);

	return n > 0 ? (size_t)n : 4096;
}

/* Into x from its owner (ctx_run). */
static void
switch_in(struct ctx *x)
{
#ifdef CTX_ASAN
	__sanitizer_start_switch_fiber(&x->fake_owner,
	    x->map + page_size(), x->maplen - page_size());
#endif
	stack_switch(&x->owner, &x->regs);
#ifdef CTX_ASAN
	__sanitizer_finish_switch_fiber(x->fake_owner, NULL, NULL);
#endif
}

/* Called first thing on x's stack, every time it gets the CPU. */
static void
arrived(struct ctx *x)
{
#ifdef CTX_ASAN
	__sanitizer_finish_switch_fiber(x->fake_self, &x->owner_bottom,
	    &x->owner_size);
#else
	(void)x;
#endif
}

/* From x back to its owner; x resumes here later (yield). */
static void
switch_out(struct ctx *x)
{
#ifdef CTX_ASAN
	__sanitizer_start_switch_fiber(&x->fake_self, x->owner_bottom,
	    x->owner_size);
#endif
	stack_switch(&x->regs, &x->owner);
	arrived(x);
}

/* From x back to its owner for good (done, exit, fault). */
static void __attribute__((noreturn))
leave(struct ctx *x)
{
#ifdef CTX_ASAN
	/* NULL: x's fake stack dies with it. */
	__sanitizer_start_switch_fiber(NULL, x->owner_bottom, x->owner_size);
#endif
	stack_jump(&x->owner);
}

static void
entry(void)
{
	struct ctx *x = ctx_cur;

	arrived(x);
	x->fn(x->arg);
	x->status = CTX_DONE;
	leave(x);
}

struct ctx *
ctx_new(ctx_fn fn, void *arg, struct aspace *as)
{
	struct ctx *x;
	size_t pg = page_size();

	if (fn == NULL || (x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->maplen = CTX_STACK_SIZE + pg;
	x->map = mmap(NULL, x->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (x->map == MAP_FAILED) {
		free(x);
		return NULL;
	}
	/* Overflowing the stack hits the guard page, not the heap. */
	if (mprotect(x->map, pg, PROT_NONE) != 0 ||
	    stack_regs_init(&x->regs, x->map + pg, x->maplen - pg,
	    entry) != 0) {
		munmap(x->map, x->maplen);
		free(x);
		return NULL;
	}
	x->fn = fn;
	x->arg = arg;
	x->as = as;
	x->status = CTX_READY;
	return x;
}

void
ctx_free(struct ctx *x)
{
	if (x == NULL || x->status == CTX_RUNNING)
		return;
#ifdef CTX_ASAN
	/* Frames left on a stack that never unwound keep their redzones. */
	ASAN_UNPOISON_MEMORY_REGION(x->map + page_size(),
	    x->maplen - page_size());
#endif
	munmap(x->map, x->maplen);
	free(x);
}

enum ctx_status
ctx_run(struct ctx *x)
{
	if (x == NULL)
		return CTX_DONE;
	if (x->status != CTX_READY && x->status != CTX_YIELDED)
		return x->status;
	x->prev = ctx_cur;
	x->prev_as = ctx_cur_aspace;
	x->status = CTX_RUNNING;
	ctx_cur = x;
	ctx_cur_aspace = x->as;
	switch_in(x);
	ctx_cur = x->prev;
	ctx_cur_aspace = x->prev_as;
	return x->status;
}

void
ctx_yield(void)
{
	struct ctx *x = ctx_cur;

	if (x == NULL)
		return;
	x->status = CTX_YIELDED;
	switch_out(x);
	/* ctx_run set status, ctx_cur and the address space again. */
}

void
ctx_exit(void)
{
	struct ctx *x = ctx_cur;

	if (x == NULL) {
		fprintf(stderr, "capio: ctx_exit outside any context\n");
		abort();
	}
	x->status = CTX_DONE;
	leave(x);
}

void
ctx_trap(const struct fault *f)
{
	struct ctx *x = ctx_cur;

	if (x == NULL)
		machine_panic(f);
	x->fault = *f;
	x->status = CTX_FAULTED;
	leave(x);
}

struct ctx *
ctx_current(void)
{
	return ctx_cur;
}

enum ctx_status
ctx_status(const struct ctx *x)
{
	return x->status;
}

struct aspace *
ctx_aspace(const struct ctx *x)
{
	return x->as;
}

const struct fault *
ctx_fault(const struct ctx *x)
{
	return &x->fault;
}

const char *
ctx_status_name(enum ctx_status s)
{
	switch (s) {
	case CTX_READY:		return "ready";
	case CTX_RUNNING:	return "running";
	case CTX_YIELDED:	return "yielded";
	case CTX_DONE:		return "done";
	case CTX_FAULTED:	return "faulted";
	}
	return "?";
}
