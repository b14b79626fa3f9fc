/* test_context.c — execution contexts, trapping and panicking accessors. */
#include <fenv.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "machine/cpu.h"

#define RAM	0x80000000ull
#define VA	0x10000000ull

static struct phys *p;
static struct aspace *as1, *as2;

static cap_t
mkcap(uint64_t va, uint64_t len, uint32_t perms)
{
	return cheri_perms_and(cheri_bounds_set_exact(
	    cheri_address_set(cap_root(), va), len), perms);
}

#define RWC (CAP_PERM_LOAD | CAP_PERM_STORE | CAP_PERM_LOAD_CAP | \
	CAP_PERM_STORE_CAP | CAP_PERM_STORE_LOCAL_CAP | CAP_PERM_MUTABLE_LOAD)

/* --- plain runs and yields --------------------------------------------- */

struct counter {
	int steps;
	int after;	/* set only if code past a fault ran */
};

static void
count_and_yield(void *arg)
{
	struct counter *c = arg;
	int local = 100;	/* survives the switches */

	for (int i = 0; i < 3; i++) {
		c->steps++;
		local++;
		ctx_yield();
	}
	c->steps = local;
}

static void
test_yield(void)
{
	struct counter c = { 0, 0 };
	struct ctx *x = ctx_new(count_and_yield, &c, as1);

	CHECK(x != NULL);
	CHECK(ctx_current() == NULL);
	CHECK_EQ(ctx_status(x), CTX_READY);
	for (int i = 1; i <= 3; i++) {
		CHECK_EQ(ctx_run(x), CTX_YIELDED);
		CHECK_EQ(c.steps, i);
		CHECK(ctx_current() == NULL);
	}
	CHECK_EQ(ctx_run(x), CTX_DONE);
	CHECK_EQ(c.steps, 103);
	/* Finished contexts are not entered again. */
	CHECK_EQ(ctx_run(x), CTX_DONE);
	CHECK_EQ(c.steps, 103);
	CHECK(strcmp(ctx_status_name(CTX_FAULTED), "faulted") == 0);
	ctx_free(x);
	ctx_yield();		/* outside any context: nothing */
	CHECK(ctx_run(NULL) == CTX_DONE);
}

/* --- faults ------------------------------------------------------------ */

static void
oob_store(void *arg)
{
	struct counter *c = arg;
	cap_t slice = mkcap(VA + 0x100, 4, CAP_PERM_LOAD | CAP_PERM_STORE);

	c->steps = (int)ld32(slice, 0);
	st32(slice, 4, 0xdeadbeef);	/* one past the end: traps */
	c->after = 1;
}

static void
test_fault(void)
{
	struct counter c = { 0, 0 };
	struct ctx *x = ctx_new(oob_store, &c, as1);
	const struct fault *f;
	uint64_t v;

	phys_write(p, RAM + 0x100, &(uint64_t){ 0x1111111122222222ull }, 8);
	CHECK_EQ(ctx_run(x), CTX_FAULTED);
	CHECK_EQ(c.steps, 0x22222222);
	CHECK_EQ(c.after, 0);
	f = ctx_fault(x);
	CHECK_EQ(f->cause, FAULT_BOUNDS);
	CHECK_EQ(f->vaddr, VA + 0x104);
	CHECK_EQ(f->size, 4);
	CHECK(f->store);
	CHECK_EQ(cheri_base_get(f->cap), VA + 0x100);
	phys_read(p, RAM + 0x100, &v, 8);
	CHECK_EQ(v, 0x1111111122222222ull);
	/* Never resumed. */
	CHECK_EQ(ctx_run(x), CTX_FAULTED);
	CHECK_EQ(c.after, 0);
	CHECK_EQ(aspace_stats(as1)->faults[FAULT_BOUNDS], 1);
	ctx_free(x);
}

/* Every trapping accessor traps; each case in its own context. */
static int which;

static void
trap_kind(void *arg)
{
	cap_t c = mkcap(VA, 0x40, RWC), s = cheri_tag_clear(c);
	uint8_t buf[8] = { 0 };
	int *after = arg;

	switch (which) {
	case 0: (void)ld8(s, 0); break;
	case 1: (void)ld16(s, 0); break;
	case 2: (void)ld64(s, 0); break;
	case 3: st8(s, 0, 1); break;
	case 4: st16(s, 0, 1); break;
	case 5: st64(s, 0, 1); break;
	case 6: (void)ldcap(c, 8); break;
	case 7: stcap(c, 0x40, c); break;
	case 8: ldbytes(c, 0x3c, buf, 8); break;
	case 9: stbytes(s, 0, buf, 8); break;
	}
	*after = 1;
}

static void
test_trap_kinds(void)
{
	static const enum fault_cause want[] = {
		FAULT_TAG, FAULT_TAG, FAULT_TAG, FAULT_TAG, FAULT_TAG,
		FAULT_TAG, FAULT_ALIGNMENT, FAULT_BOUNDS, FAULT_BOUNDS,
		FAULT_TAG,
	};

	for (which = 0; which < 10; which++) {
		int after = 0;
		struct ctx *x = ctx_new(trap_kind, &after, as1);
		CHECK_EQ(ctx_run(x), CTX_FAULTED);
		CHECK_EQ(ctx_fault(x)->cause, want[which]);
		CHECK_EQ(after, 0);
		ctx_free(x);
	}
}

/* --- address spaces, nesting, exit -------------------------------------- */

static void
read_va(void *arg)
{
	*(uint32_t *)arg = ld32(mkcap(VA, 4, CAP_PERM_LOAD), 0);
}

struct nest {
	struct ctx *inner;
	enum ctx_status s1, s2;
	struct aspace *seen_inner, *seen_after;
};

static void
inner_fn(void *arg)
{
	struct nest *n = arg;

	n->seen_inner = ctx_aspace(ctx_current());
	ctx_yield();
	(void)ld32(cap_null(), 0);	/* faults: ends inner only */
}

static void
outer_fn(void *arg)
{
	struct nest *n = arg;

	n->s1 = ctx_run(n->inner);
	n->s2 = ctx_run(n->inner);
	n->seen_after = ctx_cur_aspace;
	ctx_exit();
	n->s1 = CTX_READY;	/* not reached */
}

static void
test_spaces_and_nesting(void)
{
	uint32_t v1 = 0, v2 = 0;
	struct ctx *a, *b;
	struct nest n;

	phys_write(p, RAM, &(uint32_t){ 0xaaaa }, 4);
	phys_write(p, RAM + 0x1000, &(uint32_t){ 0xbbbb }, 4);
	a = ctx_new(read_va, &v1, as1);
	b = ctx_new(read_va, &v2, as2);
	CHECK_EQ(ctx_run(b), CTX_DONE);
	CHECK_EQ(ctx_run(a), CTX_DONE);
	CHECK_EQ(v1, 0xaaaa);
	CHECK_EQ(v2, 0xbbbb);
	ctx_free(a);
	ctx_free(b);

	memset(&n, 0, sizeof n);
	n.inner = ctx_new(inner_fn, &n, as2);
	a = ctx_new(outer_fn, &n, as1);
	CHECK_EQ(ctx_run(a), CTX_DONE);
	CHECK_EQ(n.s1, CTX_YIELDED);
	CHECK_EQ(n.s2, CTX_FAULTED);
	CHECK(n.seen_inner == as2);
	CHECK(n.seen_after == as1);
	CHECK_EQ(ctx_fault(n.inner)->cause, FAULT_TAG);
	CHECK(ctx_cur_aspace == NULL);
	ctx_free(n.inner);
	ctx_free(a);
}

static int
deep(int n)
{
	volatile char pad[256];

	pad[0] = (char)n;
	return n == 0 ? 0 : 1 + deep(n - 1) + pad[0] * 0;
}

static void
deep_fn(void *arg)
{
	*(int *)arg = deep(1000);
	ctx_yield();
}

static void
test_many(void)
{
	struct ctx *xs[64];
	int r[64];

	for (int i = 0; i < 64; i++) {
		xs[i] = ctx_new(deep_fn, &r[i], as1);
		CHECK(xs[i] != NULL);
	}
	for (int i = 0; i < 64; i++)
		CHECK_EQ(ctx_run(xs[i]), CTX_YIELDED);
	for (int i = 0; i < 64; i++)
		CHECK_EQ(r[i], 1000);
	/* Half finish; half are freed while suspended. */
	for (int i = 0; i < 64; i += 2)
		CHECK_EQ(ctx_run(xs[i]), CTX_DONE);
	for (int i = 0; i < 64; i++)
		ctx_free(xs[i]);
}

/* --- what a switch keeps ------------------------------------------------ */

/*
 * Each context keeps its own floating-point control state (rounding
 * mode: x87 control word and MXCSR), and callee-saved registers survive
 * a switch even when the other side uses them all.
 */
struct fpstate {
	int seen_mode;		/* the context's mode after being resumed */
	double sum;
};

static void
fp_fn(void *arg)
{
	struct fpstate *f = arg;
	volatile double one = 1.0, three = 3.0;
	double acc = 0;

	fesetround(FE_UPWARD);
	for (int i = 0; i < 4; i++) {
		acc += one / three;	/* rounded up each time */
		ctx_yield();
	}
	f->seen_mode = fegetround();
	f->sum = acc;
}

static void
test_switch_state(void)
{
	struct fpstate f = { 0 };
	struct ctx *x = ctx_new(fp_fn, &f, as1);
	volatile double one = 1.0, three = 3.0;
	double up, near = 0;

	CHECK(x != NULL);
	CHECK_EQ(fegetround(), FE_TONEAREST);
	while (ctx_run(x) == CTX_YIELDED) {
		/* Ours stayed to-nearest while the context rounds up. */
		CHECK_EQ(fegetround(), FE_TONEAREST);
		near += one / three;
	}
	CHECK_EQ(ctx_status(x), CTX_DONE);
	CHECK_EQ(f.seen_mode, FE_UPWARD);
	fesetround(FE_UPWARD);
	up = 0;
	for (int i = 0; i < 4; i++)
		up += one / three;
	fesetround(FE_TONEAREST);
	CHECK(f.sum == up);
	CHECK(near < up);
	ctx_free(x);
}

/* --- panics: run in a child, which must die of SIGABRT ------------------ */

static void
panic_kernel_store(void)
{
	cap_t c = mkcap(VA, 4, CAP_PERM_LOAD | CAP_PERM_STORE);

	kst32(as1, c, 0, 1);		/* fine */
	kst32(as1, c, 8, 1);		/* kernel bug: panic */
}

static void
panic_outside_context(void)
{
	(void)ld32(mkcap(VA, 4, CAP_PERM_LOAD), 0);
}

static void
expect_panic(void (*fn)(void), const char *text)
{
	int fds[2], status;
	char out[1024];
	ssize_t n, got = 0;
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		signal(SIGABRT, SIG_DFL);
		fn();
		_exit(0);
	}
	close(fds[1]);
	while (got < (ssize_t)sizeof out - 1 &&
	    (n = read(fds[0], out + got, sizeof out - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(out, "kernel panic") != NULL);
	CHECK(strstr(out, text) != NULL);
}

static void
test_panics(void)
{
	uint64_t v = 0;
	cap_t c = mkcap(VA, 8, CAP_PERM_LOAD | CAP_PERM_STORE);

	kst64(as1, c, 0, 0x55);
	v = kld64(as1, c, 0);
	CHECK_EQ(v, 0x55);
	expect_panic(panic_kernel_store,
	    "bounds fault (bounds): store of 4 bytes at va 0x10000008");
	expect_panic(panic_outside_context, "outside any context");
}

int
main(void)
{
	p = phys_new();
	CHECK_EQ(phys_add_ram(p, RAM, 0x10000), 0);
	as1 = aspace_new(p);
	as2 = aspace_new(p);
	CHECK_EQ(aspace_map(as1, VA, RAM, 0x1000, MMU_READ | MMU_WRITE), 0);
	CHECK_EQ(aspace_map(as2, VA, RAM + 0x1000, 0x1000,
	    MMU_READ | MMU_WRITE), 0);
	test_yield();
	test_fault();
	test_trap_kinds();
	test_spaces_and_nesting();
	test_many();
	test_switch_state();
	test_panics();
	aspace_free(as1);
	aspace_free(as2);
	phys_free(p);
	return check_done("test_context");
}
