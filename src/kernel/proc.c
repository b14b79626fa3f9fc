/*
 * proc.c — processes: each an execution context in its own address space,
 * run round-robin by a deterministic cooperative scheduler. A fault in a
 * process (a capability or page fault, a host signal its code raised,
 * the watchdog) ends that process only, with a status naming the cause.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_priv.h"
#include "kernel/kmem.h"
#include "machine/aspace.h"
#include "machine/context.h"

static void
proc_entry(void *arg)
{
	struct proc *p = arg;

	p->fn(p->arg);
}

int
kernel_spawn(struct kernel *k, const char *name, proc_fn fn, void *arg)
{
	struct proc *p;
	char label[48];

	if (k->nprocs == KERNEL_MAX_PROCS)
		return -EAGAIN;
	if ((p = calloc(1, sizeof *p)) == NULL)
		return -ENOMEM;
	p->k = k;
	p->pid = k->nprocs + 1;
	snprintf(p->name, sizeof p->name, "%s", name ? name : "proc");
	p->fn = fn;
	p->arg = arg;
	p->va_heap = VA_HEAP_BASE;
	p->va_dev = VA_DEV_BASE;
	p->va_dev_top = VA_DEV_BASE + k->opts.dev_va_size;
	snprintf(p->status, sizeof p->status, "running");
	if ((p->as = aspace_new(k->phys)) == NULL ||
	    (p->ctx = ctx_new(proc_entry, p, p->as)) == NULL) {
		aspace_free(p->as);
		free(p);
		return -ENOMEM;
	}
	snprintf(label, sizeof label, "pid %d (%s)", p->pid, p->name);
	ctx_set_label(p->ctx, label);
	k->procs[k->nprocs++] = p;
	return p->pid;
}

static struct proc *
find(const struct kernel *k, int pid)
{
	if (pid < 1 || pid > k->nprocs)
		return NULL;
	return k->procs[pid - 1];
}

/* What a CheriBSD process would die of; a host signal by its name. */
static const char *
signal_for(const struct fault *f)
{
	switch (f->cause) {
	case FAULT_HOST_SIGNAL:
		return fault_signal_name(f->signo);
	case FAULT_PAGE_UNMAPPED:
	case FAULT_PAGE_PERM:
		return "SIGSEGV";
	case FAULT_ALIGNMENT:
	case FAULT_BUS:
		return "SIGBUS";
	default:
		return "SIGPROT";
	}
}

/* Free everything the process holds; its record stays for proc_info. */
void
proc_end(struct proc *p, enum proc_state st)
{
	struct kernel *k = p->k;

	if (p->state != PROC_RUNNABLE)
		return;
	p->state = st;
	capio_release_proc(k, p);
	for (size_t i = 0; i < p->nmem; i++) {
		aspace_unmap(p->as, p->mem[i].va, p->mem[i].len);
		kmem_release(k->kmem, p->mem[i].pa, p->mem[i].len);
	}
	free(p->mem);
	p->mem = NULL;
	p->nmem = p->capmem = 0;
	p->mem_bytes = 0;
	ctx_free(p->ctx);
	p->ctx = NULL;
	p->final_access = *aspace_stats(p->as);
	aspace_free(p->as);
	p->as = NULL;
	if (st == PROC_KILLED)
		k->stats.procs_killed++;
}

int
kernel_kill(struct kernel *k, int pid, const char *why)
{
	struct proc *p = find(k, pid);

	if (p == NULL)
		return -ESRCH;
	if (p == k->cur)
		return -EBUSY;	/* a running process ends by faulting */
	if (p->state != PROC_RUNNABLE)
		return -ESRCH;
	snprintf(p->status, sizeof p->status, "killed: %s", why ? why : "by the kernel");
	proc_end(p, PROC_KILLED);
	return 0;
}

int
kernel_run(struct kernel *k, uint64_t max_rounds)
{
	int runnable = 0;

	ctx_set_slice(k->opts.slice_ms * 1000000ull,
	    k->opts.grace_ms * 1000000ull);
	for (uint64_t round = 0; max_rounds == 0 || round < max_rounds; round++) {
		kernel_service(k);
		runnable = 0;
		for (int i = 0; i < k->nprocs; i++) {
			struct proc *p = k->procs[i];
			struct kernel *saved = kernel_current;
			trap_vector_fn saved_vector;
			enum ctx_status st;

			if (p->state != PROC_RUNNABLE)
				continue;
			k->cur = p;
			kernel_current = k;
			/* Its traps are ours while it runs: the dispatcher. */
			saved_vector = trap_vector_set(syscall_vector);
			st = ctx_run(p->ctx);
			trap_vector_set(saved_vector);
			kernel_current = saved;
			k->cur = NULL;
			switch (st) {
			case CTX_YIELDED:
			case CTX_READY:
				runnable++;
				break;
			case CTX_DONE:
				snprintf(p->status, sizeof p->status, "exited %d",
				    p->exit_code);
				proc_end(p, PROC_EXITED);
				break;
			case CTX_FAULTED: {
				char why[160];

				p->faulted = true;
				p->fault = *ctx_fault(p->ctx);
				fault_format(&p->fault, why, sizeof why);
				if (p->fault.cause == FAULT_SLICE)
					snprintf(p->status, sizeof p->status,
					    "killed: %s (no yield, wfe or exit)",
					    why);
				else
					snprintf(p->status, sizeof p->status,
					    "%s: %s", signal_for(&p->fault), why);
				proc_end(p, PROC_KILLED);
				break;
			}
			case CTX_RUNNING:
				/* A context cannot be running here. */
				abort();
			}
		}
		if (runnable == 0)
			break;
	}
	return runnable;
}

int
kernel_proc_info(const struct kernel *k, int pid, struct proc_info *pi)
{
	const struct proc *p = find(k, pid);

	if (p == NULL)
		return -ESRCH;
	memset(pi, 0, sizeof *pi);
	pi->pid = p->pid;
	pi->name = p->name;
	pi->state = p->state;
	pi->exit_code = p->exit_code;
	pi->status = p->status;
	pi->faulted = p->faulted;
	pi->fault = p->fault;
	pi->syscalls = p->syscalls;
	for (int i = 0; i < SYS_NCALLS && i < 16; i++)
		pi->syscalls_by_nr[i] = p->by_nr[i];
	pi->access = p->as != NULL ? *aspace_stats(p->as) : p->final_access;
	pi->mem_bytes = p->mem_bytes;
	pi->devices = p->ndevs;
	pi->mappings = (uint32_t)p->nmem + p->ndevmaps;
	pi->page_tables = p->as != NULL ? aspace_tables(p->as) : 0;
	return 0;
}

int
kernel_proc_translate(const struct kernel *k, int pid, uint64_t va,
    uint64_t *pa)
{
	const struct proc *p = find(k, pid);
	unsigned prot;

	if (p == NULL)
		return -ESRCH;
	if (p->as == NULL || aspace_translate(p->as, va, pa, &prot) != 0)
		return -EFAULT;
	return 0;
}

uint64_t
kernel_free_pages(const struct kernel *k)
{
	return kmem_free_pages(k->kmem);
}

/*
 * Virtual addresses are never reused within a process: a capability
 * kept past an unmap can only ever fault. So they run out, after about
 * 6e7 attach/map-everything cycles with the default 192 TiB: the next
 * map is ENOMEM, and the process must end to start again.
 */
uint64_t
proc_va_alloc_dev(struct proc *p, uint64_t len, uint64_t align)
{
	uint64_t va;

	if (align > p->va_dev_top)
		return 0;
	va = (p->va_dev + align - 1) & ~(align - 1);
	if (va >= p->va_dev_top || len > p->va_dev_top - va)
		return 0;
	p->va_dev = va + len;
	return va;
}

bool
proc_may_map(struct proc *p)
{
	if (p->nmem + p->ndevmaps < p->k->opts.proc_maps_max)
		return true;
	p->k->stats.limit_refusals++;
	return false;
}

int
proc_mmap(struct proc *p, uint64_t len, cap_t *out)
{
	struct kernel *k = p->k;
	uint64_t rlen, align, va, pa;
	int err;

	if (len == 0 || len > (1ull << 30))
		return -EINVAL;
	/* Bounds must be exact: round the length and align the address. */
	rlen = (cheri_representable_length(len) + MMU_PAGE_MASK) & ~MMU_PAGE_MASK;
	/* Its share of RAM, and of the kernel's bookkeeping. */
	if (rlen > k->opts.proc_mem_max - p->mem_bytes) {
		k->stats.limit_refusals++;
		return -ENOMEM;
	}
	if (!proc_may_map(p))
		return -ENOMEM;
	align = ~cheri_representable_alignment_mask(rlen) + 1;
	if (align < MMU_PAGE_SIZE)
		align = MMU_PAGE_SIZE;
	va = (p->va_heap + align - 1) & ~(align - 1);
	if (va >= VA_DEV_BASE || rlen > VA_DEV_BASE - va)
		return -ENOMEM;
	if (p->nmem == p->capmem) {
		size_t n = p->capmem ? p->capmem * 2 : 8;
		struct umem *m = realloc(p->mem, n * sizeof *m);
		if (m == NULL)
			return -ENOMEM;
		p->mem = m;
		p->capmem = n;
	}
	if ((err = kmem_alloc(k->kmem, rlen, MMU_PAGE_SIZE, &pa)) != 0)
		return err;
	if ((err = aspace_map(p->as, va, pa, rlen, MMU_READ | MMU_WRITE)) != 0) {
		kmem_release(k->kmem, pa, rlen);
		return err;
	}
	p->mem[p->nmem++] = (struct umem){ va, pa, rlen };
	p->mem_bytes += rlen;
	p->va_heap = va + rlen;
	*out = cheri_bounds_set_exact(cheri_address_set(k->user_root, va), rlen);
	return out->tag ? 0 : -EINVAL;
}
