/*
 * test_contain.c — a process's failure of any kind ends that process
 * only: a wild host pointer, a division by zero, abort(), a stack
 * overflow and a process that never gives up the CPU each end with the
 * right status, while a victim process keeps working, the NIC a dead
 * process owned can be attached again, and every page goes back to the
 * kernel. A process spinning in host code stops the machine (in a
 * child), loudly.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "boot.h"
#include "check.h"
#include "board/board.h"
#include "kernel/kernel.h"
#include "machine/context.h"
#include "machine/cpu.h"
#include "user/e1000e_driver.h"
#include "user/libcapio.h"

#define VICTIM_ROUNDS	300

static struct kernel *
boot(uint32_t slice_ms, uint32_t grace_ms)
{
	struct kernel_opts o;

	kernel_opts_default(&o);
	o.slice_ms = slice_ms;
	o.grace_ms = grace_ms;
	return test_boot(&o);
}

static void
expect_status(struct kernel *k, int pid, const char *want)
{
	struct proc_info pi = test_proc_info(k, pid);
	char m[400];

	CHECK(pi.state == PROC_KILLED);
	if (pi.status == NULL || strstr(pi.status, want) == NULL) {
		snprintf(m, sizeof m, "pid %d: status '%s' lacks '%s'", pid,
		    pi.status ? pi.status : "(none)", want);
		check_fail(__FILE__, __LINE__, m);
	}
}

/* --- the victim: keeps working through everything ---------------------- */

static int victim_rounds;
static bool victim_ok = true;

static void
victim_main(void *arg)
{
	cap_t m;

	(void)arg;
	if (sys_mmap(4096, &m) != 0) {
		victim_ok = false;
		return;
	}
	for (int i = 0; i < VICTIM_ROUNDS; i++) {
		st32(m, (i % 1024) * 4, (uint32_t)i * 7);
		if (ld32(m, (i % 1024) * 4) != (uint32_t)i * 7)
			victim_ok = false;
		victim_rounds++;
		sys_yield();
	}
	sys_exit(0);
}

/* --- the bad ones: each takes some memory first, to give it back ------- */

static bool reached_end;

static void
take_memory(void)
{
	cap_t m;

	if (sys_mmap(64 * 1024, &m) == 0)
		st64(m, 0, 1);
	sys_yield();
}

static void
wild_main(void *arg)
{
	(void)arg;
	take_memory();
	/* A pointer no allocation of the host process covers. */
	*(volatile uint32_t *)(uintptr_t)0x1230 = 1;
	reached_end = true;
}

/* The operands are opaque to the compiler (1 / b would become a
 * compare), and UBSan's check is off: the host CPU must divide. */
static int __attribute__((noinline,
    no_sanitize("integer-divide-by-zero")))
divide(int a, int b)
{
	return a / b;
}

static volatile int zero, numerator = 1000;

static void
divzero_main(void *arg)
{
	(void)arg;
	take_memory();
	zero = divide(numerator, zero);
	reached_end = true;
}

/* Owns NIC 0 when it aborts: the kernel must take the NIC back. */
static int abort_attached = -1;

static void
abort_main(void *arg)
{
	struct udrv d;

	(void)arg;
	take_memory();
	abort_attached = udrv_open(&d, 0);
	abort();
}

static void
abort_again_main(void *arg)
{
	(void)arg;
	take_memory();
	abort();
}

static int __attribute__((noinline))
deep(int n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	if (n == 0)
		return pad[0];
	return deep(n - 1) + pad[0];
}

static void
overflow_main(void *arg)
{
	(void)arg;
	take_memory();
	(void)deep(1 << 30);
	reached_end = true;
}

/* Touches simulated memory, never yields: the watchdog's safe points. */
static void
spin_main(void *arg)
{
	cap_t m;

	(void)arg;
	if (sys_mmap(4096, &m) != 0)
		return;
	sys_yield();
	for (uint32_t i = 0;; i++)
		st32(m, 0, ld32(m, 0) + i);
}

/* A NIC a dead process owned is free again. */
static int probe_rc = -99;

static void
probe_main(void *arg)
{
	struct udrv d;

	(void)arg;
	if ((probe_rc = udrv_open(&d, 0)) == 0)
		udrv_close(&d);
}

static void
test_contained(void)
{
	struct kernel *k = boot(250, 10000);
	struct kernel_stats st;
	uint64_t free0;
	int victim, wild, div0, ab, ab2, ovf, spin, probe;

	CHECK(k != NULL);
	if (k == NULL)
		return;
	CHECK(ctx_contained());
	free0 = kernel_free_pages(k);
	victim = kernel_spawn(k, "victim", victim_main, NULL);
	wild = kernel_spawn(k, "wild", wild_main, NULL);
	div0 = kernel_spawn(k, "divzero", divzero_main, NULL);
	ab = kernel_spawn(k, "abort", abort_main, NULL);
	ovf = kernel_spawn(k, "overflow", overflow_main, NULL);
	ab2 = kernel_spawn(k, "abort-again", abort_again_main, NULL);
	spin = kernel_spawn(k, "spin", spin_main, NULL);
	kernel_run(k, 0);

	for (int pid = wild; pid <= spin; pid++) {
		struct proc_info pi = test_proc_info(k, pid);

		printf("  pid %d (%s): %s\n", pid, pi.name, pi.status);
	}
	CHECK(!reached_end);
	CHECK_EQ(victim_rounds, VICTIM_ROUNDS);
	CHECK(victim_ok);
	CHECK(test_proc_info(k, victim).state == PROC_EXITED);
	expect_status(k, wild, "SIGSEGV: host fault at 0x1230 in process code");
	expect_status(k, div0, "SIGFPE: host fault at 0x");
	expect_status(k, div0, "(integer divide by zero)");
	expect_status(k, ab, "SIGABRT: host signal in process code (abort");
	expect_status(k, ab2, "SIGABRT: host signal in process code (abort");
	expect_status(k, ovf, "SIGSEGV: stack overflow");
	expect_status(k, spin, "killed: ran ");
	expect_status(k, spin, "without giving up the CPU");
	CHECK(test_proc_info(k, wild).fault.cause == FAULT_HOST_SIGNAL);
	CHECK(test_proc_info(k, spin).fault.cause == FAULT_SLICE);
	CHECK(test_proc_info(k, spin).fault.ran_ns >= 250000000ull);
	CHECK_EQ(abort_attached, 0);
	kernel_get_stats(k, &st);
	CHECK_EQ(st.procs_killed, 6);

	/* Everything the dead held is back: the NIC, and every page. */
	probe = kernel_spawn(k, "probe", probe_main, NULL);
	kernel_run(k, 0);
	CHECK_EQ(probe_rc, 0);
	CHECK(test_proc_info(k, probe).state == PROC_EXITED);
	CHECK_EQ(kernel_free_pages(k), free0);
	kernel_halt(k);
}

/* Nested contexts: a host fault ends the inner one, the outer runs on. */
static enum ctx_status inner_status;
static int outer_after;

static void
inner_fn(void *arg)
{
	(void)arg;
	abort();
}

static void
outer_main(void *arg)
{
	struct ctx *in = ctx_new(inner_fn, NULL, NULL);

	(void)arg;
	inner_status = ctx_run(in);
	if (inner_status == CTX_FAULTED &&
	    ctx_fault(in)->cause == FAULT_HOST_SIGNAL)
		outer_after = 1;
	ctx_free(in);
}

static void
test_nested(void)
{
	struct kernel *k = boot(2000, 10000);
	int pid;

	if (k == NULL) {
		CHECK(!"boot");
		return;
	}
	pid = kernel_spawn(k, "outer", outer_main, NULL);
	kernel_run(k, 0);
	CHECK_EQ(inner_status, CTX_FAULTED);
	CHECK_EQ(outer_after, 1);
	CHECK(test_proc_info(k, pid).state == PROC_EXITED);
	kernel_halt(k);
}

/* --- what cannot be stopped safely stops the machine ------------------ */

static void
host_spin_main(void *arg)
{
	volatile uint64_t n = 0;

	(void)arg;
	for (;;)
		n++;
}

static void
child_host_spin(void)
{
	struct kernel *k = boot(50, 400);

	if (k == NULL)
		_exit(3);
	kernel_spawn(k, "hostspin", host_spin_main, NULL);
	kernel_run(k, 0);
	_exit(0);		/* not reached */
}

/* In a child: a kernel panic on purpose must still abort. */
static void
child_kernel_abort(void)
{
	struct kernel *k = boot(2000, 10000);

	if (k == NULL)
		_exit(3);
	abort();		/* kernel code: not contained */
}

static void
expect_death(void (*fn)(void), const char *text)
{
	int fds[2], status;
	char out[2048];
	ssize_t n, got = 0;
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
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
	if (text != NULL && strstr(out, text) == NULL) {
		char m[2400];

		snprintf(m, sizeof m, "child output lacks '%s': %s", text, out);
		check_fail(__FILE__, __LINE__, m);
	}
}

#ifdef __SANITIZE_ADDRESS__
#define CONTAIN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONTAIN_ASAN 1
#endif
#endif

#ifdef CONTAIN_ASAN
static char *volatile heap_block;

static void
overrun_main(void *arg)
{
	(void)arg;
	heap_block[16] = 1;	/* one past the end: ASan's to report */
}

/* A bug ASan finds in a process is reported, not contained. */
static void
child_asan_report(void)
{
	struct kernel *k = boot(2000, 10000);

	if (k == NULL || (heap_block = malloc(16)) == NULL)
		_exit(3);
	kernel_spawn(k, "overrun", overrun_main, NULL);
	kernel_run(k, 0);
	_exit(0);		/* not reached */
}

static void
test_asan_report(void)
{
	int fds[2], status;
	char out[8192];
	ssize_t n, got = 0;
	pid_t pid;

	CHECK_EQ(pipe(fds), 0);
	fflush(NULL);
	if ((pid = fork()) == 0) {
		dup2(fds[1], 2);
		close(fds[0]);
		child_asan_report();
	}
	close(fds[1]);
	while (got < (ssize_t)sizeof out - 1 &&
	    (n = read(fds[0], out + got, sizeof out - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(!(WIFEXITED(status) && WEXITSTATUS(status) == 0));
	CHECK(strstr(out, "AddressSanitizer: heap-buffer-overflow") != NULL);
}
#endif

int
main(void)
{
	/* Before any kernel boots here: the children start their own. */
	expect_death(child_host_spin, "watchdog: pid 1 (hostspin) has run ");
	expect_death(child_kernel_abort, NULL);
#ifdef CONTAIN_ASAN
	test_asan_report();
#endif
	test_contained();
	test_nested();
	return check_done("contain");
}
