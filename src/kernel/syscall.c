/*
 * syscall.c — the one way into the kernel: count the call, pay the
 * privilege crossing, service pending interrupts, dispatch.
 */
#include "kernel/syscall.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/kernel_priv.h"
#include "machine/context.h"

static const char *const names[SYS_NCALLS] = {
	[SYS_EXIT] = "exit", [SYS_YIELD] = "yield", [SYS_GETPID] = "getpid",
	[SYS_MMAP] = "mmap", [SYS_ATTACH] = "attach", [SYS_MAP] = "map",
	[SYS_INFO] = "info", [SYS_GOODBYE] = "goodbye", [SYS_SEND] = "send",
	[SYS_RECV] = "recv",
};

const char *
syscall_name(enum sysno nr)
{
	return (unsigned)nr < SYS_NCALLS ? names[nr] : "unknown";
}

static int64_t dispatch(struct kernel *, struct proc *, enum sysno,
    const struct sysargs *, struct sysret *);

/*
 * From here to the return, the code is the kernel's: a host fault in it
 * is a kernel bug (a loud crash, never blamed on the caller) and the
 * watchdog does not stop the caller halfway through.
 */
int64_t
syscall_enter(enum sysno nr, const struct sysargs *a, struct sysret *r)
{
	struct kernel *k = kernel_current;
	struct proc *p = k ? k->cur : NULL;
	int64_t rc;

	if (p == NULL)
		return -EPERM;
	ctx_kernel_enter();
	rc = dispatch(k, p, nr, a, r);
	ctx_kernel_leave();
	return rc;
}

static int64_t
dispatch(struct kernel *k, struct proc *p, enum sysno nr,
    const struct sysargs *a, struct sysret *r)
{
	memset(r, 0, sizeof *r);
	p->syscalls++;
	k->stats.syscalls++;
	if ((unsigned)nr < SYS_NCALLS)
		p->by_nr[nr]++;
	/* The privilege crossing: one genuine trip into the host kernel. */
	if (k->opts.host_syscalls)
		(void)syscall(SYS_getppid);
	if (k->irq_pending)
		kernel_service(k);

	switch (nr) {
	case SYS_EXIT:
		p->exit_code = (int)a->x[0];
		ctx_kernel_leave();
		ctx_exit();
	case SYS_YIELD:
		ctx_kernel_leave();
		ctx_yield();
		ctx_kernel_enter();
		return r->ret = 0;
	case SYS_GETPID:
		return r->ret = p->pid;
	case SYS_MMAP:
		r->ret = proc_mmap(p, a->x[0], &r->c[0]);
		r->ncaps = r->ret == 0;
		return r->ret;
	case SYS_ATTACH:
		return r->ret = capio_do_attach(k, p, a->x[0], a->x[1], a->c[0],
		    r);
	case SYS_MAP:
		return r->ret = capio_do_map(k, p, a, r);
	case SYS_INFO:
		return r->ret = capio_do_info(k, p, a->x[0], a->c[0], r);
	case SYS_GOODBYE:
		return r->ret = capio_do_goodbye(k, p, a->x[0], a->c[0]);
	case SYS_SEND:
		return r->ret = capio_do_send(k, p, a);
	case SYS_RECV:
		return r->ret = capio_do_recv(k, p, a, r);
	case SYS_NCALLS:
		break;
	}
	return r->ret = -ENOSYS;
}
