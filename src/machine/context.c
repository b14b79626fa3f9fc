/* context.c — see context.h: coroutines on guarded stacks, switched by
 * stack_switch.c; host faults in them contained; a watchdog on slices. */
#include "machine/context.h"
#include "machine/stack_switch.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#ifdef STACK_SWITCH_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define CTX_ASAN 1
#endif

struct ctx {
	struct stack_regs regs;	/* the context's own, while suspended */
	struct stack_regs owner; /* where ctx_run waits */
	uint8_t *map;		/* stack mapping, guard first */
	size_t maplen;
	size_t guard;		/* its length */
	ctx_fn fn;
	void *arg;
	struct aspace *as;
	enum ctx_status status;
	struct fault fault;
	struct ctx *prev;	/* the context that ran this one, if any */
	struct aspace *prev_as;
	int prev_kernel_depth;	/* the runner's, while x runs */
	char label[48];		/* for the watchdog's message */
#ifdef CTX_ASAN
	void *fake_owner;	/* owner's fake stack while x runs */
	void *fake_self;	/* x's fake stack while it is switched out */
	const void *owner_bottom;
	size_t owner_size;
#endif
};

_Thread_local struct aspace *ctx_cur_aspace;
static _Thread_local struct ctx *ctx_cur;
/* > 0 while kernel code runs for ctx_cur (ctx_kernel_enter). */
static _Thread_local int kernel_depth;

/*
 * A host thread that runs contexts, as the watchdog sees it. seq is odd
 * while an outermost context runs and changes on every switch, so a seq
 * that stays odd and unchanged is one slice going on. Only the owning
 * thread writes seq, running and the limits; the watchdog writes
 * expired_seq and ran_ns, and its own seen_*.
 */
struct ctx_cpu {
	_Atomic uint64_t seq;
	_Atomic(struct ctx *) running;	/* outermost, while seq is odd */
	_Atomic uint64_t slice_ns, grace_ns;
	_Atomic uint64_t expired_seq;	/* the slice that ran out */
	_Atomic uint64_t ran_ns;	/* how long it had run then */
	uint64_t seen_seq, seen_ns;	/* watchdog: since when seq is seq */
	uint64_t seen_cpu;		/* the thread's CPU time then */
	clockid_t clk;			/* the thread's CPU-time clock */
	bool have_clk;
	void *alt;			/* the signal stack */
	size_t altlen;
	struct ctx_cpu *next;
};

#define ALTSTACK_SIZE	(256u << 10)	/* room for ASan's report too */
#define TICK_MAX_NS	250000000ull
#define TICK_MIN_NS	1000000ull
#define STUCK_WALL	6	/* wall-time grace, in multiples of grace */

static const int contained_signals[] = {
	SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT,
};
#define NCONTAINED	(sizeof contained_signals / sizeof contained_signals[0])

_Atomic int ctx_watch_flag;
static _Atomic bool contain_on;
static _Atomic bool panicking;		/* a machine panic: let it die */
static struct sigaction prev_action[NCONTAINED];
static pthread_once_t contain_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t cpus_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ctx_cpu *cpus;		/* every thread that ran contexts */
static _Atomic bool watchdog_running;	/* in this host process */
static pthread_key_t cpu_key;
static _Thread_local struct ctx_cpu *cpu_self;

static size_t
page_size(void)
{
	long n = sysconf(_SC_PAGESIZE);

	return n > 0 ? (size_t)n : 4096;
}

/* The guard below each stack, in whole pages. */
static size_t
guard_size(void)
{
	size_t pg = page_size();

	return (CTX_GUARD_SIZE + pg - 1) / pg * pg;
}

/* Into x from its owner (ctx_run). */
static void
switch_in(struct ctx *x)
{
#ifdef CTX_ASAN
	__sanitizer_start_switch_fiber(&x->fake_owner,
	    x->map + guard_size(), x->maplen - guard_size());
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
	size_t pg = guard_size();

	if (fn == NULL || (x = calloc(1, sizeof(*x))) == NULL)
		return NULL;
	x->maplen = CTX_STACK_SIZE + pg;
	x->guard = pg;
	x->map = mmap(NULL, x->maplen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (x->map == MAP_FAILED) {
		free(x);
		return NULL;
	}
	/* Overflowing the stack hits the guard, not the heap. */
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
	ASAN_UNPOISON_MEMORY_REGION(x->map + guard_size(),
	    x->maplen - guard_size());
#endif
	munmap(x->map, x->maplen);
	free(x);
}

static struct ctx_cpu *cpu_get(void);
static void signal_stack_clean(const struct ctx_cpu *c);

enum ctx_status
ctx_run(struct ctx *x)
{
	struct ctx_cpu *c = NULL;

	if (x == NULL)
		return CTX_DONE;
	if (x->status != CTX_READY && x->status != CTX_YIELDED)
		return x->status;
	/* Slices are the outermost contexts': nested ones are their time. */
	if (ctx_cur == NULL && (c = cpu_get()) != NULL) {
		atomic_store_explicit(&c->running, x, memory_order_relaxed);
		atomic_store_explicit(&c->seq, atomic_load_explicit(&c->seq,
		    memory_order_relaxed) + 1, memory_order_relaxed);
	}
	x->prev = ctx_cur;
	x->prev_as = ctx_cur_aspace;
	x->status = CTX_RUNNING;
	x->prev_kernel_depth = kernel_depth;
	kernel_depth = 0;	/* x runs its own code, whoever runs it */
	ctx_cur = x;
	ctx_cur_aspace = x->as;
	switch_in(x);
	ctx_cur = x->prev;
	ctx_cur_aspace = x->prev_as;
	kernel_depth = x->prev_kernel_depth;
	if (c != NULL)
		atomic_store_explicit(&c->seq, atomic_load_explicit(&c->seq,
		    memory_order_relaxed) + 1, memory_order_relaxed);
	if (x->status == CTX_FAULTED && x->fault.cause == FAULT_HOST_SIGNAL)
		signal_stack_clean(cpu_self);
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
		ctx_panic_abort();
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

/* --- containment and the watchdog ---------------------------------------- */

void
ctx_set_label(struct ctx *x, const char *label)
{
	snprintf(x->label, sizeof x->label, "%s", label != NULL ? label : "");
}

bool
ctx_contained(void)
{
	return atomic_load(&contain_on);
}

void
ctx_panic_abort(void)
{
	atomic_store(&panicking, true);
	abort();
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A thread that ends leaves the watchdog's list. Its signal stack stays
 * mapped: the thread may take a signal until it is gone. */
static void
cpu_gone(void *arg)
{
	struct ctx_cpu *c = arg;

	pthread_mutex_lock(&cpus_lock);
	for (struct ctx_cpu **pp = &cpus; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	pthread_mutex_unlock(&cpus_lock);
	cpu_self = NULL;
	free(c);
}

/*
 * This thread's record, made the first time it runs a context while
 * containment is on, with a signal stack of its own: a context that
 * overflows its stack into the guard leaves no room on that stack for
 * the handler.
 */
static struct ctx_cpu *
cpu_get(void)
{
	struct ctx_cpu *c = cpu_self;
	stack_t ss;

	if (c != NULL || !atomic_load_explicit(&contain_on,
	    memory_order_relaxed))
		return c;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	/* Slices are CPU time: a loaded host must not make a process look
	 * like it kept the CPU (the watchdog reads this clock from its own
	 * thread). */
	c->have_clk = pthread_getcpuclockid(pthread_self(), &c->clk) == 0;
	c->altlen = ALTSTACK_SIZE;
	c->alt = mmap(NULL, c->altlen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (c->alt == MAP_FAILED) {
		free(c);
		return NULL;
	}
	memset(&ss, 0, sizeof ss);
	ss.ss_sp = c->alt;
	ss.ss_size = c->altlen;
	if (sigaltstack(&ss, NULL) != 0) {
		munmap(c->alt, c->altlen);
		free(c);
		return NULL;
	}
	pthread_setspecific(cpu_key, c);
	pthread_mutex_lock(&cpus_lock);
	c->next = cpus;
	cpus = c;
	pthread_mutex_unlock(&cpus_lock);
	cpu_self = c;
	return c;
}

static void
signal_stack_clean(const struct ctx_cpu *c)
{
#ifdef CTX_ASAN
	/* The handler's frames were abandoned, not returned from. */
	if (c != NULL)
		ASAN_UNPOISON_MEMORY_REGION(c->alt, c->altlen);
#else
	(void)c;
#endif
}

/*
 * A signal the running code brought on itself: a fault the host kernel
 * raised for an instruction (si_code > 0), or a SIGABRT the process
 * sent itself (abort() raises it). Not one sent from outside.
 */
static bool
raised_here(int sig, const siginfo_t *si)
{
	if (sig != SIGABRT)
		return si->si_code > 0;
	return (si->si_code == SI_TKILL || si->si_code == SI_USER) &&
	    si->si_pid == getpid();
}

/* Whoever had the signal before: ASan, or the default action. */
static void
chain(int sig, siginfo_t *si, void *uc)
{
	const struct sigaction *pa = NULL;
	struct sigaction dfl;

	for (size_t i = 0; i < NCONTAINED; i++)
		if (contained_signals[i] == sig)
			pa = &prev_action[i];
	if (pa != NULL && (pa->sa_flags & SA_SIGINFO) &&
	    pa->sa_sigaction != NULL) {
		pa->sa_sigaction(sig, si, uc);
		return;
	}
	if (pa != NULL && pa->sa_handler != SIG_DFL &&
	    pa->sa_handler != SIG_IGN) {
		pa->sa_handler(sig);
		return;
	}
	if (pa != NULL && pa->sa_handler == SIG_IGN && si->si_code <= 0)
		return;
	/* The default action. A fault comes back when the instruction runs
	 * again, on return; a signal that was sent must be sent again. */
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	if (si->si_code <= 0)
		raise(sig);
}

/*
 * The handler, on the thread's signal stack. In a context it ends the
 * context as ctx_trap() does and never returns into the faulting code:
 * it abandons the signal frame and switches to the owner, as siglongjmp
 * would. What it does on that way is async-signal-safe: it reads this
 * thread's own context pointer, fills the context's record (memory no
 * one else touches while the context runs), unblocks the contained
 * signals (pthread_sigmask; with SA_NODEFER they are not blocked unless
 * the faulting code had blocked them, and the next process's fault must
 * be caught too) and switches stacks. Under ASan the switch is announced
 * (per-thread bookkeeping only). No lock, no allocation, no stdio: the
 * owner formats the status and frees the context afterwards, in ordinary
 * code. Which is also why a fault while the context held a host lock
 * (malloc's) cannot be contained: the lock stays held (docs/kernel.md).
 */
static void
on_signal(int sig, siginfo_t *si, void *uc)
{
	struct ctx *x = ctx_cur;
	uint64_t a;
	sigset_t set;

	if (x == NULL || kernel_depth > 0 || atomic_load(&panicking) ||
	    !raised_here(sig, si))
		goto other;
#ifdef CTX_ASAN
	/* ASan aborting after its report: the report is the point. */
	if (sig == SIGABRT && __asan_report_present())
		goto other;
#endif
	a = (uint64_t)(uintptr_t)si->si_addr;
	memset(&x->fault, 0, sizeof x->fault);
	x->fault.cause = FAULT_HOST_SIGNAL;
	x->fault.signo = sig;
	x->fault.si_code = si->si_code;
	if (si->si_code > 0) {
		x->fault.host_addr = a;
		x->fault.stack_overflow = sig == SIGSEGV &&
		    a >= (uint64_t)(uintptr_t)x->map &&
		    a < (uint64_t)(uintptr_t)x->map + x->guard;
	}
	sigemptyset(&set);
	for (size_t i = 0; i < NCONTAINED; i++)
		sigaddset(&set, contained_signals[i]);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	x->status = CTX_FAULTED;
	leave(x);
other:
	chain(sig, si, uc);
}

/* Only the forking thread goes on in a child, and no watchdog. */
static void
fork_prepare(void)
{
	pthread_mutex_lock(&cpus_lock);
}

static void
fork_parent(void)
{
	pthread_mutex_unlock(&cpus_lock);
}

static void
fork_child(void)
{
	struct ctx_cpu **pp = &cpus;

	while (*pp != NULL)
		if (*pp != cpu_self)
			*pp = (*pp)->next;	/* its thread is not here */
		else
			pp = &(*pp)->next;
	atomic_store(&watchdog_running, false);
	pthread_mutex_unlock(&cpus_lock);
}

static void
contain_setup(void)
{
	const char *off = getenv("CAPIO_NO_CONTAIN");
	struct sigaction sa;
	size_t i;

	if (off != NULL && *off != '\0' && strcmp(off, "0") != 0)
		return;
	if (pthread_key_create(&cpu_key, cpu_gone) != 0)
		return;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_signal;
	/* NODEFER: the handler leaves without sigreturn, so the signal
	 * must not be left blocked; ONSTACK: see cpu_get. */
	sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < NCONTAINED; i++)
		if (sigaction(contained_signals[i], &sa, &prev_action[i]) != 0)
			break;
	if (i < NCONTAINED) {
		while (i-- > 0)
			sigaction(contained_signals[i], &prev_action[i], NULL);
		return;
	}
	pthread_atfork(fork_prepare, fork_parent, fork_child);
	atomic_store(&contain_on, true);
}

bool
ctx_contain_init(void)
{
	pthread_once(&contain_once, contain_setup);
	return atomic_load(&contain_on);
}

void
ctx_kernel_enter(void)
{
	kernel_depth++;
}

void
ctx_kernel_leave(void)
{
	if (kernel_depth > 0)
		kernel_depth--;
}

void
ctx_safe_point(void)
{
	struct ctx_cpu *c = cpu_self;
	struct fault f;
	uint64_t seq;

	/* Up again next tick if the slice is still running out. */
	atomic_store_explicit(&ctx_watch_flag, 0, memory_order_relaxed);
	if (c == NULL || ctx_cur == NULL || kernel_depth > 0)
		return;
	seq = atomic_load_explicit(&c->seq, memory_order_relaxed);
	if ((seq & 1) == 0 || atomic_load_explicit(&c->expired_seq,
	    memory_order_acquire) != seq)
		return;		/* another thread's, or a slice gone by */
	memset(&f, 0, sizeof f);
	f.cause = FAULT_SLICE;
	f.ran_ns = atomic_load_explicit(&c->ran_ns, memory_order_relaxed);
	ctx_trap(&f);
}

/* A context that cannot be stopped safely: stop everything, loudly. */
static void __attribute__((noreturn))
stuck(struct ctx_cpu *c, uint64_t ran)
{
	struct ctx *x = atomic_load(&c->running);

	fprintf(stderr, "capio: kernel panic: watchdog: %s has run %.1f s "
	    "without giving up the CPU or making a simulated memory access "
	    "(where it could be stopped safely); stopping the machine\n",
	    x != NULL && x->label[0] != '\0' ? x->label : "a context",
	    (double)ran / 1e9);
	fflush(stderr);
	ctx_panic_abort();
}

/* The thread's CPU time (its wall time where there is no such clock). */
static uint64_t
cpu_ns(const struct ctx_cpu *c, uint64_t now)
{
	struct timespec ts;

	if (!c->have_clk || clock_gettime(c->clk, &ts) != 0)
		return now;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * One look at one thread; the tick its limits ask for. Both limits count
 * the thread's CPU time, so that a host busy with other work does not
 * kill a process that is merely slow; a thread that blocks in host code
 * (using no CPU) is stopped after STUCK_WALL times grace of wall time.
 */
static uint64_t
watch(struct ctx_cpu *c, uint64_t now, uint64_t tick)
{
	uint64_t slice, grace, seq, ran, wall, cpu, t;

	slice = atomic_load_explicit(&c->slice_ns, memory_order_relaxed);
	grace = atomic_load_explicit(&c->grace_ns, memory_order_relaxed);
	seq = atomic_load_explicit(&c->seq, memory_order_relaxed);
	if (slice == 0 && grace == 0)
		return tick;
	t = (slice != 0 && (grace == 0 || slice < grace) ? slice : grace) / 4;
	if (t < TICK_MIN_NS)
		t = TICK_MIN_NS;
	if (t < tick)
		tick = t;
	cpu = cpu_ns(c, now);
	if (seq != c->seen_seq || (seq & 1) == 0) {
		c->seen_seq = seq;
		c->seen_ns = now;
		c->seen_cpu = cpu;
		return tick;
	}
	ran = cpu - c->seen_cpu;
	wall = now - c->seen_ns;
	if (grace != 0 && (ran >= grace || wall / STUCK_WALL >= grace))
		stuck(c, ran >= grace ? ran : wall);
	if (slice != 0 && ran >= slice) {
		if (atomic_load_explicit(&c->expired_seq,
		    memory_order_relaxed) != seq) {
			atomic_store_explicit(&c->ran_ns, ran,
			    memory_order_relaxed);
			atomic_store_explicit(&c->expired_seq, seq,
			    memory_order_release);
		}
		atomic_store_explicit(&ctx_watch_flag, 1, memory_order_release);
	}
	return tick;
}

/*
 * The watchdog: a thread that looks at every thread running contexts a
 * few times per slice. It takes no signal and interrupts nothing; it
 * only raises ctx_watch_flag, which the context itself acts on at its
 * next trapping access.
 */
static void *
watchdog(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t tick = TICK_MAX_NS, now = now_ns();
		struct timespec ts;

		pthread_mutex_lock(&cpus_lock);
		for (struct ctx_cpu *c = cpus; c != NULL; c = c->next)
			tick = watch(c, now, tick);
		pthread_mutex_unlock(&cpus_lock);
		ts.tv_sec = (time_t)(tick / 1000000000ull);
		ts.tv_nsec = (long)(tick % 1000000000ull);
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			continue;
	}
	return NULL;
}

static void
watchdog_start(void)
{
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;

	pthread_mutex_lock(&cpus_lock);
	if (!atomic_load(&watchdog_running) &&
	    pthread_attr_init(&attr) == 0) {
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		/* Signals for the process go to the threads that want them. */
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		if (pthread_create(&t, &attr, watchdog, NULL) == 0)
			atomic_store(&watchdog_running, true);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		pthread_attr_destroy(&attr);
	}
	pthread_mutex_unlock(&cpus_lock);
}

void
ctx_set_slice(uint64_t slice_ns, uint64_t grace_ns)
{
	struct ctx_cpu *c = cpu_get();

	if (c == NULL)
		return;
	atomic_store_explicit(&c->slice_ns, slice_ns, memory_order_relaxed);
	atomic_store_explicit(&c->grace_ns, grace_ns, memory_order_relaxed);
	if ((slice_ns | grace_ns) != 0 && !atomic_load_explicit(
	    &watchdog_running, memory_order_relaxed))
		watchdog_start();
}
