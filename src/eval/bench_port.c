/*
 * bench_port.c — the four arms behind one frame interface (bench_port.h),
 * and the counters that say what a round trip cost.
 */
#include "eval/bench_port.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "eval/bench_report.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

#define BURST_MAX	64	/* frames one port call moves at most */

const char *
bench_arm_name(enum bench_arm a)
{
	static const char *const names[BENCH_NARMS] = {
		[BARM_KERNEL] = "kernel", [BARM_PAGE] = "page",
		[BARM_CAPIO] = "capio", [BARM_RAW] = "raw",
	};

	return (unsigned)a < BENCH_NARMS ? names[a] : "?";
}

void
bench_machine(enum bench_arm arm, bool host_syscalls, struct board_desc *bd,
    struct kernel_opts *o)
{
	board_desc_default(bd);		/* two NICs on a pair wire */
	kernel_opts_default(o);
	o->host_syscalls = host_syscalls;
	/* raw takes over the capio arm's grants; kernel grants nothing. */
	o->arm = arm == BARM_PAGE ? ARM_PAGE : ARM_CAPIO;
}

struct kernel *
bench_boot(enum bench_arm arm, const struct bench_opts *o, const char *bench)
{
	struct board_desc bd;
	struct kernel_opts ko;
	struct kernel *k;
	char err[200];

	bench_machine(arm, o->host_syscalls, &bd, &ko);
	if ((k = kernel_boot(board_new(&bd, err, sizeof err), &ko, err,
	    sizeof err)) == NULL)
		fprintf(stderr, "capio: bench %s: cannot boot: %s\n", bench, err);
	return k;
}

int
bench_port_open(struct bench_port *p, enum bench_arm arm, int dev,
    struct kernel *k, int pid)
{
	cap_t identity;
	int err;

	memset(p, 0, sizeof *p);
	p->arm = arm;
	p->dev = dev;
	if (arm == BARM_KERNEL) {
		/* The kernel drives it; the process claims that path. */
		if ((err = sys_mmap(4096, &identity)) != 0)
			return err;
		return capio_attach_kernel_path(dev, identity, &p->token);
	}
	if ((err = udrv_open(&p->u, dev)) != 0)
		return err;
	if (arm == BARM_RAW)
		return bench_raw_open(&p->raw, &p->u, k, pid);
	return 0;
}

void
bench_port_close(struct bench_port *p)
{
	if (p->arm == BARM_KERNEL)
		(void)capio_goodbye(p->dev, p->token);
	else
		udrv_close(&p->u);
}

int
bench_bufs(enum bench_arm arm, struct bench_buf *b, int n, uint16_t size)
{
	uint8_t *host;
	cap_t mem;
	int err;

	if (n <= 0 || size == 0)
		return -EINVAL;
	memset(b, 0, (size_t)n * sizeof *b);
	if (arm == BARM_KERNEL) {
		/* One mapping, one bounded capability per buffer. */
		if ((err = sys_mmap((uint64_t)n * size, &mem)) != 0)
			return err;
		for (int i = 0; i < n; i++) {
			cap_t c = cheri_address_set(mem, cheri_base_get(mem) +
			    (uint64_t)i * size);
			b[i].cap = cheri_bounds_set_exact(c, size);
			b[i].size = size;
		}
		return 0;
	}
	/* Page-aligned in every arm: where a buffer falls relative to the
	 * simulated RAM it is copied to changes what a copy costs the host
	 * (4 KiB aliasing), and that must not differ between arms. */
	if ((host = aligned_alloc(4096, ((size_t)n * size + 4095) &
	    ~(size_t)4095)) == NULL)
		return -ENOMEM;
	memset(host, 0, (size_t)n * size);
	for (int i = 0; i < n; i++) {
		b[i].host = host + (size_t)i * size;
		b[i].size = size;
	}
	return 0;
}

void
bench_bufs_free(struct bench_buf *b)
{
	free(b[0].host);
	b[0].host = NULL;
}

void
bench_buf_put(struct bench_buf *b, const uint8_t *data, uint16_t len)
{
	if (len > b->size)
		len = b->size;
	if (b->host != NULL)
		memcpy(b->host, data, len);
	else
		stbytes(b->cap, 0, data, len);
	b->len = len;
}

void
bench_buf_get(const struct bench_buf *b, uint8_t *out, uint16_t len)
{
	if (len > b->size)
		len = b->size;
	if (b->host != NULL)
		memcpy(out, b->host, len);
	else
		ldbytes(b->cap, 0, out, len);
}

int
bench_port_tx(struct bench_port *p, struct bench_buf *b, int n)
{
	struct udrv_frame f[BURST_MAX];
	int done = 0;

	if (p->arm == BARM_KERNEL) {
		/* One system call per frame: the kernel copies it in. */
		for (; done < n; done++)
			if (sys_send(p->dev, p->token, b[done].cap,
			    b[done].len) < 0)
				break;
		return done;
	}
	while (done < n) {
		int m = n - done < BURST_MAX ? n - done : BURST_MAX, q;

		for (int i = 0; i < m; i++)
			f[i] = (struct udrv_frame){ .data = b[done + i].host,
			    .len = b[done + i].len };
		q = p->arm == BARM_RAW ? bench_raw_tx_burst(&p->raw, f, m) :
		    udrv_tx_burst(&p->u, f, m);
		done += q;
		if (q < m)
			break;
	}
	return done;
}

int
bench_port_rx(struct bench_port *p, struct bench_buf *b, int n)
{
	struct udrv_frame f[BURST_MAX];
	int got = 0;

	if (p->arm == BARM_KERNEL) {
		for (; got < n; got++) {
			int64_t r = sys_recv(p->dev, p->token, b[got].cap,
			    b[got].size, NULL);
			if (r < 0)
				break;
			b[got].len = (uint16_t)r;
		}
		return got;
	}
	while (got < n) {
		int m = n - got < BURST_MAX ? n - got : BURST_MAX, q;

		for (int i = 0; i < m; i++)
			f[i] = (struct udrv_frame){ .data = b[got + i].host,
			    .size = b[got + i].size };
		q = p->arm == BARM_RAW ? bench_raw_rx_burst(&p->raw, f, m) :
		    udrv_rx_burst(&p->u, f, m);
		for (int i = 0; i < q; i++)
			b[got + i].len = f[i].len;
		got += q;
		if (q < m)
			break;
	}
	return got;
}

void
bench_counts_read(const struct kernel *k, const int *pids, int npids,
    const struct bench_port *const *ports, int nports, struct bench_counts *c)
{
	struct kernel_stats ks;

	/* The kernel's own register accesses: the kernel path's doorbells
	 * (the benchmarks run nothing else that would make any). */
	memset(c, 0, sizeof *c);
	kernel_get_stats(k, &ks);
	c->mmio = ks.mmio_reads + ks.mmio_writes;
	for (int i = 0; i < npids; i++) {
		struct proc_info pi;
		const struct access_stats *a = &pi.access;

		if (kernel_proc_info(k, pids[i], &pi) != 0)
			continue;
		c->syscalls += pi.syscalls;
		c->mmio += a->mmio_reads + a->mmio_writes;
		c->checks += a->loads + a->stores + a->cap_loads +
		    a->cap_stores + a->copyins + a->copyouts;
		c->copy_bytes += a->copy_bytes;
	}
	for (int i = 0; i < nports; i++)
		if (ports[i] != NULL && ports[i]->arm == BARM_RAW) {
			c->mmio += ports[i]->raw.doorbells;
			c->copy_bytes += ports[i]->raw.copy_bytes;
		}
}

void
bench_counts_sub(struct bench_counts *d, const struct bench_counts *a,
    const struct bench_counts *b)
{
	d->syscalls = a->syscalls - b->syscalls;
	d->mmio = a->mmio - b->mmio;
	d->checks = a->checks - b->checks;
	d->copy_bytes = a->copy_bytes - b->copy_bytes;
}

int
bench_run_to_end(struct kernel *k, enum bench_arm arm, const int *pids,
    int n, char *err, size_t errlen, const struct bench_opts *o,
    const char *bench)
{
	kernel_run(k, 0);
	for (int i = 0; i < n; i++) {
		struct proc_info pi;

		kernel_proc_info(k, pids[i], &pi);
		if ((pi.state != PROC_EXITED || pi.exit_code != 0) &&
		    err[0] == '\0')
			snprintf(err, errlen, "%s arm: %s %s", bench_arm_name(arm),
			    pi.name, pi.status);
	}
	if (err[0] == '\0')
		return 0;
	bench_progress_end(o);
	fprintf(stderr, "capio: bench %s: %s\n", bench, err);
	return -1;
}
