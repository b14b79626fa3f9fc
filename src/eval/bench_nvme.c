/*
 * bench_nvme.c — `capio bench nvme`: 4 KiB random reads and writes on an
 * NVMe namespace through each arm (kernel, page, capio, raw): latency at
 * queue depth 1, I/Os per second at queue depth 32; and I/Os per second
 * of four tenants sharing one controller (one queue pair each, the capio
 * arm) against one tenant alone.
 *
 * Each arm runs on its own machine (one controller, a 16 MiB RAM
 * namespace), all booted side by side, one process each. The process
 * first writes every 4 KiB block of the namespace with a stamp (its
 * index), untimed. Then, workload by workload (reads first, so that
 * every read can be checked against its stamp), rounds of one block per
 * arm in a balanced order (bench_round_arm), as rtt does: a slow spell
 * of the shared host lands on a round, every arm alike. QD1: each I/O
 * timed from before its submission to after its data is in the caller's
 * buffer (read) or its completion (write); a ratio per round is capio's
 * block median over the other arm's. QD32: batches of 32 requests
 * submitted together (one doorbell, or one SYS_BLK_SUBMIT), all reaped,
 * the block's I/Os over its time; a ratio per round is capio's IOPS over
 * the other arm's. Random block numbers come from one generator seeded
 * alike for every arm: the arms do the same I/Os.
 *
 * The tenants: two more machines, one with one tenant process, one with
 * four, each tenant on its own queue pair of the one controller. A
 * round gives each machine one block of the same number of QD32 read
 * batches (the four tenants a quarter each); every tenant hands the CPU
 * on (wfe, no system call) after each batch, alone or not. A block's
 * IOPS is its I/Os over the time its machine ran, on the rig's clock:
 * the four share one simulated CPU, as they share one host thread.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/bench.h"
#include "eval/bench_nvme.h"
#include "eval/bench_nvme_port.h"
#include "board/board.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

#define NPAGES		(BNV_NS_BYTES / BNV_IO_BYTES)
#define REWARM		16		/* untimed I/Os opening each block */

/* The order the workloads run: every read before the first write. */
static const int work_order[BNV_NWORK] = { BNV_READ1, BNV_READ32,
	BNV_WRITE1, BNV_WRITE32 };

static enum nvdrv_op
work_op(int w)
{
	return w == BNV_READ1 || w == BNV_READ32 ? NVDRV_READ : NVDRV_WRITE;
}

/* One arm's machine and its one process. */
struct nv_job {
	enum bench_arm arm;
	struct kernel *k;
	const struct bench_opts *o;
	struct bench_nvme_figures *f;	/* where its figures go */
	uint64_t *batch_ns;		/* QD32: a block's batch times */
	int pid;
	volatile int go, done;		/* blocks [0, go) may run; finished */
	char err[200];
};

/* The tenants' machines: one or four processes. */
struct nv_tenant {
	struct nv_tmach *m;
	unsigned unit;
	int pid;
	volatile int done;
	uint64_t *batch_ns;		/* its batches' times in this block
					   (the rig's array, its share long) */
	volatile unsigned batches;	/* batches timed in this block */
	char err[200];
};

struct nv_tmach {
	int c, n;			/* figures' index; tenants */
	struct kernel *k;
	struct bench_nvme_figures *f;
	volatile int go;
	struct nv_tenant t[BNV_TENANTS];
};

/* xorshift64*: the same sequence on every arm for the same seed. */
static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1Dull;
}

/* A random 4 KiB block of the namespace, as its first LBA. */
static uint64_t
rnd_lba(uint64_t *s, uint32_t lba_size)
{
	return rnd(s) % NPAGES * (BNV_IO_BYTES / lba_size);
}

/* The stamp of page i: its index, then a pattern. */
static void
stamp(uint8_t *b, uint64_t page)
{
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(page >> (8 * i));
	for (unsigned i = 8; i < BNV_IO_BYTES; i++)
		b[i] = (uint8_t)(page * 7 + i);
}

static bool
stamped(const struct bench_buf *b, uint64_t page)
{
	uint8_t got[BNV_IO_BYTES], want[BNV_IO_BYTES];

	bench_buf_get(b, got, BNV_IO_BYTES);
	stamp(want, page);
	return memcmp(got, want, BNV_IO_BYTES) == 0;
}

static struct board *
nvme_board(char *err, size_t errlen)
{
	struct board_desc bd;

	board_desc_default(&bd);
	bd.nics = 0;
	bd.wire = NULL;
	bd.nvmes = 1;
	bd.nvme[0].queues = 8;
	bd.nvme[0].ns_bytes = BNV_NS_BYTES;
	return board_new(&bd, err, errlen);
}

static struct kernel *
nvme_boot(enum bench_arm arm, const struct bench_opts *o)
{
	struct kernel_opts ko;
	struct kernel *k;
	char err[200];

	kernel_opts_default(&ko);
	ko.host_syscalls = o->host_syscalls;
	ko.proc_devs_max = BNV_TENANTS;
	/* raw takes over the capio arm's grants; kernel maps nothing. */
	ko.arm = arm == BARM_PAGE ? ARM_PAGE : ARM_CAPIO;
	if ((k = kernel_boot(nvme_board(err, sizeof err), &ko, err,
	    sizeof err)) == NULL)
		fprintf(stderr, "capio: bench nvme: cannot boot: %s\n", err);
	return k;
}

/* Write every page of the namespace with its stamp (setup, untimed). */
static int
prefill(struct bench_nvme_port *p, struct bench_buf *b)
{
	uint8_t page[BNV_IO_BYTES];
	uint64_t lba[BNV_QD];
	int err;

	for (uint64_t i = 0; i < NPAGES; i += BNV_QD) {
		for (unsigned j = 0; j < BNV_QD; j++) {
			stamp(page, i + j);
			bench_buf_put(&b[j], page, BNV_IO_BYTES);
			lba[j] = (i + j) * (BNV_IO_BYTES / p->lba_size);
		}
		if ((err = bench_nvme_batch(p, NVDRV_WRITE, lba, BNV_IO_BYTES /
		    p->lba_size, b, BNV_QD)) != 0)
			return err;
	}
	return 0;
}

/* What the machine counted for this process so far (a host call of the
 * rig's, not a system call). */
static void
counts(struct nv_job *j, const struct bench_nvme_port *p,
    struct bench_counts *c)
{
	bench_counts_read(j->k, &j->pid, 1, NULL, 0, c);
	if (p->arm == BARM_RAW) {
		c->mmio += p->raw.doorbells;
		c->copy_bytes += p->raw.copy_bytes;
	}
}

/* One QD32 batch at random blocks; the block numbers in lba[]. */
static int
batch(struct bench_nvme_port *p, enum nvdrv_op op, uint64_t *seed,
    uint64_t *lba, struct bench_buf *b)
{
	for (unsigned i = 0; i < BNV_QD; i++)
		lba[i] = rnd_lba(seed, p->lba_size);
	return bench_nvme_batch(p, op, lba, BNV_IO_BYTES / p->lba_size, b, BNV_QD);
}

/* After a block: the last reads carry their pages' stamps; the last
 * write reads back as what was written (through the arm, untimed). */
static bool
verified(struct bench_nvme_port *p, enum nvdrv_op op, const uint64_t *lba,
    unsigned n, struct bench_buf *b, struct bench_buf *check)
{
	uint8_t want[BNV_IO_BYTES], got[BNV_IO_BYTES];
	unsigned nlb = BNV_IO_BYTES / p->lba_size;

	if (op == NVDRV_READ) {
		for (unsigned i = 0; i < n; i++)
			if (!stamped(&b[i], lba[i] / nlb))
				return false;
		return true;
	}
	if (bench_nvme_io(p, NVDRV_READ, lba[n - 1], nlb, check) != 0)
		return false;
	bench_buf_get(&b[n - 1], want, BNV_IO_BYTES);
	bench_buf_get(check, got, BNV_IO_BYTES);
	return memcmp(want, got, BNV_IO_BYTES) == 0;
}

/* One block of workload w (number g over the run). 0, or -1 with j->err. */
static int
run_block(struct nv_job *j, struct bench_nvme_port *p, struct bench_buf *b,
    int w, int blk, uint64_t *seed)
{
	struct bench_nvme_figures *f = j->f;
	enum nvdrv_op op = work_op(w);
	int a = j->arm;
	unsigned nlb = BNV_IO_BYTES / p->lba_size;
	struct bench_counts c0, c1, d;
	uint64_t lba[BNV_QD], n = 0;
	int err = 0;

	if (bench_nvme_qd1(w)) {
		uint64_t i = bench_block_start(f->samples, f->nb, blk);
		uint64_t end = bench_block_start(f->samples, f->nb, blk + 1);

		/* The warm-up, then a few I/Os to bring this machine back
		 * into the host's caches. */
		for (uint64_t k = 0; k < (blk == 0 ? f->warmup : 0) + REWARM &&
		    err == 0; k++)
			err = bench_nvme_io(p, op, rnd_lba(seed, p->lba_size),
			    nlb, &b[0]);
		counts(j, p, &c0);
		for (; i < end && err == 0; i++, n++) {
			uint64_t t0;

			lba[0] = rnd_lba(seed, p->lba_size);
			t0 = bench_now_ns();
			err = bench_nvme_io(p, op, lba[0], nlb, &b[0]);
			f->lat[a][w][i] = bench_now_ns() - t0;
		}
		counts(j, p, &c1);
	} else {
		unsigned warm = blk == 0 ? (unsigned)(f->warmup / BNV_QD) + 2 : 2;
		unsigned k;

		for (k = 0; k < warm && err == 0; k++)
			err = batch(p, op, seed, lba, b);
		counts(j, p, &c0);
		for (k = 0; k < f->batches && err == 0; k++, n += BNV_QD) {
			uint64_t t0 = bench_now_ns();

			err = batch(p, op, seed, lba, b);
			j->batch_ns[k] = bench_now_ns() - t0;
		}
		counts(j, p, &c1);
		/* Over the block's typical batch, as QD1 takes its typical
		 * I/O: a batch the host preempted does not sink the block. */
		f->iops[a][w][blk] = err != 0 ? NAN : BNV_QD * 1e9 /
		    bench_median_u64(j->batch_ns, k);
	}
	if (err != 0) {
		snprintf(j->err, sizeof j->err, "%s arm: %s: an I/O failed: %s",
		    bench_arm_name(j->arm), bench_nvme_work[w], err < 0 ?
		    capio_strerror(err) : "device status");
		return -1;
	}
	bench_counts_sub(&d, &c1, &c0);
	f->cost[a][w].syscalls += d.syscalls;
	f->cost[a][w].mmio += d.mmio;
	f->cost[a][w].checks += d.checks;
	f->cost[a][w].copy_bytes += d.copy_bytes;
	f->ios[a][w] += n;
	if (!verified(p, op, lba, bench_nvme_qd1(w) ? 1 : BNV_QD, b, &b[BNV_QD])) {
		snprintf(j->err, sizeof j->err, "%s arm: %s: data read back "
		    "wrong", bench_arm_name(j->arm), bench_nvme_work[w]);
		return -1;
	}
	return 0;
}

/* The measuring process of an arm's machine. */
static void
arm_main(void *arg)
{
	struct nv_job *j = arg;
	struct bench_nvme_port *p = calloc(1, sizeof *p);
	struct bench_buf b[BNV_QD + 1];
	int err = -ENOMEM;

	if (p == NULL ||
	    (err = bench_nvme_open(p, j->arm, 0, 0, j->k, j->pid)) != 0 ||
	    (err = bench_bufs(j->arm, b, BNV_QD + 1, BNV_IO_BYTES)) != 0 ||
	    (err = prefill(p, b)) != 0) {
		snprintf(j->err, sizeof j->err, "%s arm: cannot set up the "
		    "namespace: %s", bench_arm_name(j->arm), capio_strerror(err));
		free(p);
		sys_exit(1);
	}
	for (int wi = 0; wi < BNV_NWORK && j->err[0] == '\0'; wi++) {
		uint64_t seed = 0x9E3779B97F4A7C15ull + (uint64_t)wi;

		for (int blk = 0; blk < j->f->nb; blk++) {
			int g = wi * j->f->nb + blk;

			/* Paused here while the other arms run their blocks. */
			while (j->go <= g)
				wfe();
			if (run_block(j, p, b, work_order[wi], blk, &seed) != 0)
				break;
			j->done = g + 1;
		}
	}
	bench_bufs_free(b);
	bench_nvme_close(p);
	free(p);
	sys_exit(j->err[0] ? 1 : 0);
}

/* A tenant: QD32 random reads on its own queue pair, the CPU handed on
 * after every batch. */
static void
tenant_main(void *arg)
{
	struct nv_tenant *t = arg;
	struct nv_tmach *m = t->m;
	struct bench_nvme_port *p = calloc(1, sizeof *p);
	unsigned share = m->f->batches / (unsigned)m->n;
	uint64_t seed = 0x2545F4914F6CDD1Dull * (t->unit + 1), lba[BNV_QD];
	struct bench_buf b[BNV_QD + 1];
	int err;

	if (p == NULL || (err = bench_nvme_open(p, BARM_CAPIO, 0, t->unit,
	    NULL, 0)) != 0 || (err = bench_bufs(BARM_CAPIO, b, BNV_QD + 1,
	    BNV_IO_BYTES)) != 0 || (err = t->unit == 0 ? prefill(p, b) : 0) != 0) {
		snprintf(t->err, sizeof t->err, "tenant %u: cannot open its "
		    "queue pair: %s", t->unit, p == NULL ? "out of memory" :
		    capio_strerror(err));
		free(p);
		sys_exit(1);
	}
	for (int blk = 0; blk < m->f->nb; blk++) {
		while (m->go <= blk)
			wfe();
		for (unsigned k = 0; k < (blk == 0 ? 4u : 0u) + share; k++) {
			uint64_t t0 = bench_now_ns();

			if ((err = batch(p, NVDRV_READ, &seed, lba, b)) != 0) {
				snprintf(t->err, sizeof t->err, "tenant %u: a read "
				    "failed", t->unit);
				goto out;
			}
			if (blk > 0 || k >= 4)
				t->batch_ns[t->batches++] = bench_now_ns() - t0;
			wfe();
		}
		/* Inside the block's time on the rig's clock: the same
		 * number of reads checked whatever the number of tenants. */
		if (!verified(p, NVDRV_READ, lba, BNV_QD / (unsigned)m->n, b,
		    &b[BNV_QD])) {
			snprintf(t->err, sizeof t->err, "tenant %u: data read back "
			    "wrong", t->unit);
			goto out;
		}
		t->done = blk + 1;
	}
out:
	bench_bufs_free(b);
	bench_nvme_close(p);
	free(p);
	sys_exit(t->err[0] ? 1 : 0);
}

/* --- the rig ------------------------------------------------------------ */

static int
boot_arm(struct nv_job *j)
{
	if ((j->k = nvme_boot(j->arm, j->o)) == NULL)
		return -1;
	if ((j->pid = kernel_spawn(j->k, "bench-nvme", arm_main, j)) < 0) {
		fprintf(stderr, "capio: bench nvme: cannot spawn\n");
		return -1;
	}
	return 0;
}

/* Run the arm's machine until it has measured block g. 0, or -1 when
 * its process ended first. */
static int
step_arm(struct nv_job *j, int g)
{
	struct proc_info pi;

	j->go = g + 1;
	while (j->done <= g) {
		if (kernel_proc_info(j->k, j->pid, &pi) != 0 ||
		    pi.state != PROC_RUNNABLE)
			return -1;
		kernel_run(j->k, 1);
	}
	return 0;
}

static int
end_arm(struct nv_job *j, const struct bench_opts *o)
{
	j->go = INT_MAX;
	return bench_run_to_end(j->k, j->arm, &j->pid, 1, j->err, sizeof j->err,
	    o, "nvme");
}

static int
boot_tenants(struct nv_tmach *m, const struct bench_opts *o)
{
	if ((m->k = nvme_boot(BARM_CAPIO, o)) == NULL)
		return -1;
	for (int i = 0; i < m->n; i++) {
		m->t[i].m = m;
		m->t[i].unit = (unsigned)i;
		if ((m->t[i].pid = kernel_spawn(m->k, "tenant", tenant_main,
		    &m->t[i])) < 0) {
			fprintf(stderr, "capio: bench nvme: cannot spawn\n");
			return -1;
		}
	}
	return 0;
}

/* Let the tenants end; 0, or -1 with the first complaint on stderr. */
static int
end_tenants(struct nv_tmach *m, const struct bench_opts *o)
{
	int pid[BNV_TENANTS];
	char err[200] = "";

	m->go = INT_MAX;
	for (int i = 0; i < m->n; i++) {
		pid[i] = m->t[i].pid;
		if (err[0] == '\0' && m->t[i].err[0] != '\0')
			snprintf(err, sizeof err, "%s", m->t[i].err);
	}
	return bench_run_to_end(m->k, BARM_CAPIO, pid, m->n, err, sizeof err, o,
	    "nvme");
}

/* Batches the tenants have timed in this block. */
static unsigned
tenant_batches(const struct nv_tmach *m)
{
	unsigned n = 0;

	for (int i = 0; i < m->n; i++)
		n += m->t[i].batches;
	return n;
}

/*
 * Run the tenants' machine through block blk, a round (kernel_run, every
 * tenant a batch) at a time, and take its figures: the IOPS of its
 * typical round on the rig's clock, and over the typical batch of a
 * tenant's own time (a round or a batch the host preempted does not sink
 * the block). 0, or -1 (a message on stderr).
 */
static int
step_tenants(struct nv_tmach *m, int blk, const struct bench_opts *o)
{
	unsigned share = m->f->batches / (unsigned)m->n, room = share + 8;
	uint64_t all[BNV_TENANTS * share + 1];
	double rate[room];
	unsigned nr = 0, nall = 0;

	for (int i = 0; i < m->n; i++)
		m->t[i].batches = 0;
	m->go = blk + 1;
	for (;;) {
		unsigned b0 = tenant_batches(m), b1;
		uint64_t t0;
		int left = 0, runnable;

		for (int i = 0; i < m->n; i++)
			left += m->t[i].done <= blk;
		if (left == 0)
			break;
		t0 = bench_now_ns();
		runnable = kernel_run(m->k, 1);
		b1 = tenant_batches(m);
		if (b1 > b0 && nr < room)
			rate[nr++] = (double)(b1 - b0) * BNV_QD * 1e9 /
			    (double)(bench_now_ns() - t0);
		/* A tenant that ended before its block did not end well
		 * (after its last block it exits). */
		if (runnable < m->n) {
			for (int i = 0; i < m->n; i++) {
				struct proc_info pi;

				if (m->t[i].done > blk ||
				    (kernel_proc_info(m->k, m->t[i].pid, &pi) == 0 &&
				    pi.state == PROC_RUNNABLE))
					continue;
				bench_progress_end(o);
				fprintf(stderr, "capio: bench nvme: %s\n",
				    m->t[i].err[0] ? m->t[i].err : pi.status);
				return -1;
			}
		}
	}
	for (int i = 0; i < m->n; i++)
		for (unsigned k = 0; k < m->t[i].batches && nall < BNV_TENANTS *
		    share; k++)
			all[nall++] = m->t[i].batch_ns[k];
	/* The first block also ran the warm-up: no figure. */
	m->f->tiops[m->c][blk] = blk == 0 || nr == 0 ? NAN :
	    bench_median(rate, nr);
	m->f->tcpu[m->c][blk] = blk == 0 || nall == 0 ? NAN : BNV_QD * 1e9 /
	    bench_median_u64(all, nall);
	return 0;
}

/* The rig's machines and where their figures go. */
struct nv_rig {
	struct bench_nvme_figures f;
	struct nv_job jobs[BENCH_NARMS];
	struct nv_tmach tm[2];		/* one tenant, four */
};

static int
interleave(struct nv_rig *rig, const struct bench_opts *o)
{
	struct bench_nvme_figures *f = &rig->f;
	int nb = f->nb;
	uint64_t n = f->samples;

	for (int wi = 0; wi < BNV_NWORK; wi++) {
		int w = work_order[wi];

		for (int blk = 0; blk < nb; blk++) {
			uint64_t i0 = bench_block_start(n, nb, blk);
			uint64_t i1 = bench_block_start(n, nb, blk + 1);
			uint64_t tmp[i1 - i0 > 0 ? i1 - i0 : 1];

			bench_progress(o, (double)(wi * nb + blk) / ((BNV_NWORK + 1) *
			    nb), "%s, round %d of %d", bench_nvme_work[w], blk + 1, nb);
			for (int r = 0; r < BENCH_NARMS; r++) {
				struct nv_job *j = &rig->jobs[bench_round_arm(blk,
				    BENCH_NARMS, r)];

				if (step_arm(j, wi * nb + blk) != 0) {
					end_arm(j, o);
					if (j->err[0] == '\0')
						fprintf(stderr, "capio: bench nvme: %s "
						    "arm ended early\n",
						    bench_arm_name(j->arm));
					return -1;
				}
				if (!bench_nvme_qd1(w))
					continue;
				memcpy(tmp, f->lat[j->arm][w] + i0, (i1 - i0) *
				    sizeof tmp[0]);
				f->med[j->arm][w][blk] = bench_median_u64(tmp,
				    i1 - i0);
			}
		}
		bench_progress_phase(o, "%s done (%d/%d)", bench_nvme_work[w], wi + 1,
		    BNV_NWORK + 1);
	}
	for (int blk = 0; blk < nb; blk++) {
		bench_progress(o, (double)(BNV_NWORK * nb + blk) / ((BNV_NWORK + 1) * nb),
		    "tenants, round %d of %d", blk + 1, nb);
		for (int r = 0; r < 2; r++)
			if (step_tenants(&rig->tm[bench_round_arm(blk, 2, r)], blk,
			    o) != 0)
				return -1;
	}
	bench_progress_phase(o, "tenants done (%d/%d)", BNV_NWORK + 1, BNV_NWORK + 1);
	return 0;
}

int
bench_nvme_run(const struct bench_opts *o, char **json)
{
	static struct nv_rig rig;
	struct bench_nvme_figures *f = &rig.f;
	uint64_t per;
	int rc = 1;

	*json = NULL;
	memset(&rig, 0, sizeof rig);
	f->warmup = bench_pick(o->warmup, o->quick, 200, 1000);
	f->samples = bench_pick(o->samples, o->quick, 2000, 20000);
	f->nb = bench_nblocks(f->samples);
	/* QD32: four times the QD1 I/Os, in whole batches, a multiple of
	 * four (the four tenants' shares). */
	per = 4 * f->samples / (uint64_t)f->nb;
	f->batches = (unsigned)((per + BNV_QD - 1) / BNV_QD + 3) & ~3u;
	if (f->batches < 4)
		f->batches = 4;
	f->ntenants[0] = 1;
	f->ntenants[1] = BNV_TENANTS;
	bench_progress_begin(o, "nvme");
	if (bench_out_dir(o) != 0)
		return 1;
	if (bench_nvme_figures_alloc(f) != 0)
		goto oom;
	for (int c = 0; c < 2; c++)
		for (int i = 0; i < f->ntenants[c]; i++)
			if ((rig.tm[c].t[i].batch_ns = calloc(f->batches,
			    sizeof(uint64_t))) == NULL)
				goto oom;
	for (int a = 0; a < BENCH_NARMS; a++) {
		struct nv_job *j = &rig.jobs[a];

		j->arm = (enum bench_arm)a;
		j->o = o;
		j->f = f;
		if ((j->batch_ns = calloc(f->batches, sizeof(uint64_t))) == NULL)
			goto oom;
		if (boot_arm(j) != 0)
			goto out;
	}
	for (int c = 0; c < 2; c++) {
		rig.tm[c].c = c;
		rig.tm[c].n = f->ntenants[c];
		rig.tm[c].f = f;
		if (boot_tenants(&rig.tm[c], o) != 0)
			goto out;
	}
	if (interleave(&rig, o) != 0)
		goto out;
	for (int a = 0; a < BENCH_NARMS; a++)
		if (end_arm(&rig.jobs[a], o) != 0)
			goto out;
	for (int c = 0; c < 2; c++)
		if (end_tenants(&rig.tm[c], o) != 0)
			goto out;
	bench_progress_end(o);
	if (bench_nvme_report(o, f, json) == 0)
		rc = 0;
	goto out;
oom:
	fprintf(stderr, "capio: bench nvme: out of memory\n");
out:
	bench_run_end(o, NULL, NULL, NULL);
	for (int a = 0; a < BENCH_NARMS; a++) {
		kernel_halt(rig.jobs[a].k);
		rig.jobs[a].k = NULL;
		free(rig.jobs[a].batch_ns);
		rig.jobs[a].batch_ns = NULL;
	}
	for (int c = 0; c < 2; c++) {
		kernel_halt(rig.tm[c].k);
		rig.tm[c].k = NULL;
		for (int i = 0; i < BNV_TENANTS; i++) {
			free(rig.tm[c].t[i].batch_ns);
			rig.tm[c].t[i].batch_ns = NULL;
		}
	}
	bench_nvme_figures_free(f);
	return rc;
}
