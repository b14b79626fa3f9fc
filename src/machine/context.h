/*
 * context.h — execution contexts: the machine runs a function on its own
 * stack in an address space, as a coroutine its owner resumes.
 *
 * ctx_run() runs a context until its function returns (or calls
 * ctx_exit()), calls ctx_yield(), or faults. A fault (ctx_trap(), raised
 * by the trapping accessors in cpu.h) ends the context for good: the
 * record is kept for the owner, the context is never resumed. The kernel
 * builds its cooperative scheduler and fault delivery on this.
 */
#ifndef CAPIO_MACHINE_CONTEXT_H
#define CAPIO_MACHINE_CONTEXT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "machine/aspace.h"
#include "machine/fault.h"

#define CTX_STACK_SIZE	(1u << 20)	/* committed lazily; guard below */
/* Inaccessible, below the stack: a frame larger than this could step
 * over it, so it is generous (address space only). */
#define CTX_GUARD_SIZE	(64u << 10)

enum ctx_status {
	CTX_READY,	/* created, never run */
	CTX_RUNNING,	/* on the CPU (or running a nested context) */
	CTX_YIELDED,	/* called ctx_yield(); ctx_run resumes it */
	CTX_DONE,	/* returned or called ctx_exit() */
	CTX_FAULTED,	/* trapped; ctx_fault() says why */
};

struct ctx;
typedef void (*ctx_fn)(void *arg);

/* A context that will run fn(arg) in as. NULL if out of memory. */
struct ctx *ctx_new(ctx_fn fn, void *arg, struct aspace *as);
/* Free a context that is not running (any other state). */
void ctx_free(struct ctx *x);
/*
 * Run x until it yields, finishes or faults, and say which. A context
 * that is done, faulted or already running is not entered; its status
 * is returned as it is. Contexts may run contexts (nesting).
 */
enum ctx_status ctx_run(struct ctx *x);
/* Back to the owner; returns when the owner runs this context again.
 * Outside any context it does nothing. */
void ctx_yield(void);
/* End the running context now, as if its function had returned. */
void ctx_exit(void) __attribute__((noreturn));
/*
 * End the running context with fault record f, and switch to its owner.
 * Outside any context (kernel code) it is a machine panic.
 */
void ctx_trap(const struct fault *f) __attribute__((noreturn));

struct ctx *ctx_current(void);
enum ctx_status ctx_status(const struct ctx *x);
struct aspace *ctx_aspace(const struct ctx *x);
/* The record of the fault that ended x (x must be CTX_FAULTED). */
const struct fault *ctx_fault(const struct ctx *x);
const char *ctx_status_name(enum ctx_status s);

/* The running context's address space (NULL outside contexts): what the
 * trapping accessors in cpu.h use. */
extern _Thread_local struct aspace *ctx_cur_aspace;

/*
 * --- containment ----------------------------------------------------------
 *
 * ctx_contain_init() makes a host fault in a context that context's
 * fault: a synchronous SIGSEGV, SIGBUS, SIGFPE or SIGILL, or a SIGABRT
 * the thread raised itself (abort(), so a failed assertion), while a
 * context runs ends it with FAULT_HOST_SIGNAL, exactly as ctx_trap()
 * does; outside any context the handler that was there before runs
 * (ASan's, or the default action), so a kernel bug still crashes. It
 * also starts the watchdog (ctx_set_slice). Once per host process,
 * idempotent; CAPIO_NO_CONTAIN=1 in the environment turns both off (for
 * a debugger). True if containment is on.
 */
bool ctx_contain_init(void);
bool ctx_contained(void);

/*
 * The slice of the outermost contexts this thread runs: one that has run
 * slice_ns without giving the CPU back to its owner (yield, return,
 * fault) is trapped with FAULT_SLICE at its next trapping access (cpu.h),
 * the first point where stopping it is safe. One that reaches grace_ns
 * without such an access stops the machine (a panic naming it): host
 * code cannot be interrupted anywhere safely. 0: no limit. Only with
 * containment on.
 */
void ctx_set_slice(uint64_t slice_ns, uint64_t grace_ns);
/* What the watchdog calls x in its message ("pid 3 (memcached)"). */
void ctx_set_label(struct ctx *x, const char *label);
/* Abort for a machine panic: containment off first, so the abort is
 * not taken for a fault of the running context. */
void ctx_panic_abort(void) __attribute__((noreturn));

/*
 * Kernel code run on a context's stack (a system call, from the trap to
 * the return): a host fault there is the kernel's bug, not the
 * context's, so it is not contained (the machine crashes loudly), and
 * the watchdog never stops a context in the middle of it. Calls nest;
 * leave before the context yields or exits.
 */
void ctx_kernel_enter(void);
void ctx_kernel_leave(void);

/* Set by the watchdog when some slice has run out: the trapping
 * accessors then call ctx_safe_point(). */
extern _Atomic int ctx_watch_flag;
/* Trap the running context if its slice has run out; else clear the
 * flag and return. */
void ctx_safe_point(void);

#endif
