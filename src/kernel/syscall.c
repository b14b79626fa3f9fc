/*
 * syscall.c — the one way into the kernel: take the arguments from the
 * trap frame, count the call, pay the privilege crossing, service
 * pending interrupts, dispatch, leave the results in the frame.
 */
#include "kernel/syscall.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel/kernel_priv.h"
#include "machine/context.h"

_Static_assert(SYS_NREGS_X <= TRAP_NXREGS && SYS_MAXCAPS <= TRAP_NCREGS &&
    SYS_NARGS_C <= SYS_MAXCAPS, "the ABI's registers are the machine's");

static int64_t dispatch(struct kernel *, struct proc *, enum sysno,
    const struct sysargs *, struct sysret *);

/*
 * From here to the return, the code is the kernel's: a host fault in it
 * is a kernel bug (a loud crash, never blamed on the caller) and the
 * watchdog does not stop the caller halfway through.
 */
void
syscall_vector(struct trapframe *tf)
{
	struct kernel *k = kernel_current;
	struct proc *p = k ? k->cur : NULL;
	uint64_t n = tf->x[SYS_REG_NR];
	struct sysargs a;
	struct sysret r;
	int64_t rc;

	if (p == NULL) {
		tf->x[SYS_REG_RET] = (uint64_t)(int64_t)-EPERM;
		return;
	}
	for (unsigned i = 0; i < SYS_NARGS_X; i++)
		a.x[i] = tf->x[SYS_REG_ARG + i];
	for (unsigned i = 0; i < SYS_NARGS_C; i++)
		a.c[i] = tf->c[i];
	ctx_kernel_enter();
	/* Any number past the last is SYS_NCALLS: ENOSYS, counted. */
	rc = dispatch(k, p, n < SYS_NCALLS ? (enum sysno)n : SYS_NCALLS, &a,
	    &r);
	ctx_kernel_leave();
	tf->x[SYS_REG_RET] = (uint64_t)rc;
	for (unsigned i = 0; i < SYS_NRES_X; i++)
		tf->x[SYS_REG_RES + i] = r.x[i];
	for (unsigned i = 0; i < SYS_MAXCAPS; i++)
		tf->c[i] = r.c[i];
	tf->x[SYS_REG_NCAPS] = r.ncaps;
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
		return r->ret = capio_do_attach(k, p, a->x[0], a->x[1], a->x[2],
		    a->c[0], r);
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
	case SYS_DESCRIBE:
		return r->ret = capio_do_describe(k, p, a->x[0], a->x[1],
		    a->c[0]);
	case SYS_BLK_READ:
	case SYS_BLK_WRITE:
	case SYS_BLK_FLUSH:
	case SYS_BLK_SUBMIT:
		return r->ret = blk_do_call(k, p, nr, a);
	case SYS_NCALLS:
		break;
	}
	return r->ret = -ENOSYS;
}
