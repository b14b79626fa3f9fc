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
#include "eval/bench_nvme_port.h"
#include "eval/bench_report.h"
#include "board/board.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

#define IO_BYTES	4096u
#define NS_BYTES	(16u << 20)	/* the board's default namespace */
#define NPAGES		(NS_BYTES / IO_BYTES)
#define QD		32
#define REWARM		16		/* untimed I/Os opening each block */
#define NTENANTS	4
#define NRATIOS		3		/* capio over kernel, page, raw */
#define TENANT_TARGET	3.0		/* four tenants' IOPS over one's */

/* The workloads, in the order they are reported. */
enum { W_READ1, W_WRITE1, W_READ32, W_WRITE32, NWORK };
static const char *const work_name[NWORK] = {
	"randread_qd1", "randwrite_qd1", "randread_qd32", "randwrite_qd32",
};
/* ... and the order they run: every read before the first write. */
static const int work_order[NWORK] = { W_READ1, W_READ32, W_WRITE1,
	W_WRITE32 };

static bool
is_qd1(int w)
{
	return w == W_READ1 || w == W_WRITE1;
}

static enum nvdrv_op
work_op(int w)
{
	return w == W_READ1 || w == W_READ32 ? NVDRV_READ : NVDRV_WRITE;
}

/* What one run measures and how much. */
struct nv_params {
	uint64_t warmup, samples;	/* QD1 I/Os per arm and workload */
	int nb;				/* blocks (rounds) per workload */
	unsigned batches;		/* QD32 batches per block */
};

/* One arm's machine and its one process. */
struct nv_job {
	enum bench_arm arm;
	struct kernel *k;
	const struct bench_opts *o;
	const struct nv_params *pm;
	int pid;
	volatile int go, done;		/* blocks [0, go) may run; finished */
	uint64_t *lat[NWORK];		/* QD1: every I/O's ns */
	double *iops[NWORK];		/* QD32: per block */
	struct bench_counts cost[NWORK];
	uint64_t ios[NWORK];		/* the I/Os the costs are over */
	char err[200];
};

/* The tenants' machines: one or four processes. */
struct nv_tenant {
	struct nv_tmach *m;
	unsigned unit;
	int pid;
	volatile int done;
	uint64_t *busy_ns;		/* per block: its own time in its
					   batches (the rig's array) */
	char err[200];
};

struct nv_tmach {
	int n;
	struct kernel *k;
	const struct nv_params *pm;
	volatile int go;
	struct nv_tenant t[NTENANTS];
	double *iops;			/* per block, on the rig's clock */
	double *cpu_iops;		/* per block, over the tenants' own
					   time */
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
	return rnd(s) % NPAGES * (IO_BYTES / lba_size);
}

/* The stamp of page i: its index, then a pattern. */
static void
stamp(uint8_t *b, uint64_t page)
{
	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(page >> (8 * i));
	for (unsigned i = 8; i < IO_BYTES; i++)
		b[i] = (uint8_t)(page * 7 + i);
}

static bool
stamped(const struct bench_buf *b, uint64_t page)
{
	uint8_t got[IO_BYTES], want[IO_BYTES];

	bench_buf_get(b, got, IO_BYTES);
	stamp(want, page);
	return memcmp(got, want, IO_BYTES) == 0;
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
	bd.nvme[0].ns_bytes = NS_BYTES;
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
	ko.proc_devs_max = NTENANTS;
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
	uint8_t page[IO_BYTES];
	uint64_t lba[QD];
	int err;

	for (uint64_t i = 0; i < NPAGES; i += QD) {
		for (unsigned j = 0; j < QD; j++) {
			stamp(page, i + j);
			bench_buf_put(&b[j], page, IO_BYTES);
			lba[j] = (i + j) * (IO_BYTES / p->lba_size);
		}
		if ((err = bench_nvme_batch(p, NVDRV_WRITE, lba, IO_BYTES /
		    p->lba_size, b, QD)) != 0)
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
	for (unsigned i = 0; i < QD; i++)
		lba[i] = rnd_lba(seed, p->lba_size);
	return bench_nvme_batch(p, op, lba, IO_BYTES / p->lba_size, b, QD);
}

/* After a block: the last reads carry their pages' stamps; the last
 * write reads back as what was written (through the arm, untimed). */
static bool
verified(struct bench_nvme_port *p, enum nvdrv_op op, const uint64_t *lba,
    unsigned n, struct bench_buf *b, struct bench_buf *check)
{
	uint8_t want[IO_BYTES], got[IO_BYTES];
	unsigned nlb = IO_BYTES / p->lba_size;

	if (op == NVDRV_READ) {
		for (unsigned i = 0; i < n; i++)
			if (!stamped(&b[i], lba[i] / nlb))
				return false;
		return true;
	}
	if (bench_nvme_io(p, NVDRV_READ, lba[n - 1], nlb, check) != 0)
		return false;
	bench_buf_get(&b[n - 1], want, IO_BYTES);
	bench_buf_get(check, got, IO_BYTES);
	return memcmp(want, got, IO_BYTES) == 0;
}

/* One block of workload w (number g over the run). 0, or -1 with j->err. */
static int
run_block(struct nv_job *j, struct bench_nvme_port *p, struct bench_buf *b,
    int w, int blk, uint64_t *seed)
{
	const struct nv_params *pm = j->pm;
	enum nvdrv_op op = work_op(w);
	unsigned nlb = IO_BYTES / p->lba_size;
	struct bench_counts c0, c1, d;
	uint64_t lba[QD], n = 0;
	int err = 0;

	if (is_qd1(w)) {
		uint64_t i = bench_block_start(pm->samples, pm->nb, blk);
		uint64_t end = bench_block_start(pm->samples, pm->nb, blk + 1);

		/* The warm-up, then a few I/Os to bring this machine back
		 * into the host's caches. */
		for (uint64_t k = 0; k < (blk == 0 ? pm->warmup : 0) + REWARM &&
		    err == 0; k++)
			err = bench_nvme_io(p, op, rnd_lba(seed, p->lba_size),
			    nlb, &b[0]);
		counts(j, p, &c0);
		for (; i < end && err == 0; i++, n++) {
			uint64_t t0;

			lba[0] = rnd_lba(seed, p->lba_size);
			t0 = bench_now_ns();
			err = bench_nvme_io(p, op, lba[0], nlb, &b[0]);
			j->lat[w][i] = bench_now_ns() - t0;
		}
		counts(j, p, &c1);
	} else {
		unsigned warm = blk == 0 ? (unsigned)(pm->warmup / QD) + 2 : 2;
		uint64_t t0, t1;

		for (unsigned k = 0; k < warm && err == 0; k++)
			err = batch(p, op, seed, lba, b);
		counts(j, p, &c0);
		t0 = bench_now_ns();
		for (unsigned k = 0; k < pm->batches && err == 0; k++, n += QD)
			err = batch(p, op, seed, lba, b);
		t1 = bench_now_ns();
		counts(j, p, &c1);
		j->iops[w][blk] = t1 > t0 ? (double)n * 1e9 / (double)(t1 - t0) :
		    NAN;
	}
	if (err != 0) {
		snprintf(j->err, sizeof j->err, "%s arm: %s: an I/O failed: %s",
		    bench_arm_name(j->arm), work_name[w], err < 0 ?
		    capio_strerror(err) : "device status");
		return -1;
	}
	bench_counts_sub(&d, &c1, &c0);
	j->cost[w].syscalls += d.syscalls;
	j->cost[w].mmio += d.mmio;
	j->cost[w].checks += d.checks;
	j->cost[w].copy_bytes += d.copy_bytes;
	j->ios[w] += n;
	if (!verified(p, op, lba, is_qd1(w) ? 1 : QD, b, &b[QD])) {
		snprintf(j->err, sizeof j->err, "%s arm: %s: data read back "
		    "wrong", bench_arm_name(j->arm), work_name[w]);
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
	struct bench_buf b[QD + 1];
	int err = -ENOMEM;

	if (p == NULL ||
	    (err = bench_nvme_open(p, j->arm, 0, 0, j->k, j->pid)) != 0 ||
	    (err = bench_bufs(j->arm, b, QD + 1, IO_BYTES)) != 0 ||
	    (err = prefill(p, b)) != 0) {
		snprintf(j->err, sizeof j->err, "%s arm: cannot set up the "
		    "namespace: %s", bench_arm_name(j->arm), capio_strerror(err));
		free(p);
		sys_exit(1);
	}
	for (int wi = 0; wi < NWORK && j->err[0] == '\0'; wi++) {
		uint64_t seed = 0x9E3779B97F4A7C15ull + (uint64_t)wi;

		for (int blk = 0; blk < j->pm->nb; blk++) {
			int g = wi * j->pm->nb + blk;

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
	unsigned share = m->pm->batches / (unsigned)m->n;
	uint64_t seed = 0x2545F4914F6CDD1Dull * (t->unit + 1), lba[QD];
	struct bench_buf b[QD + 1];
	int err;

	if (p == NULL || (err = bench_nvme_open(p, BARM_CAPIO, 0, t->unit,
	    NULL, 0)) != 0 || (err = bench_bufs(BARM_CAPIO, b, QD + 1,
	    IO_BYTES)) != 0 || (err = t->unit == 0 ? prefill(p, b) : 0) != 0) {
		snprintf(t->err, sizeof t->err, "tenant %u: cannot open its "
		    "queue pair: %s", t->unit, p == NULL ? "out of memory" :
		    capio_strerror(err));
		free(p);
		sys_exit(1);
	}
	for (int blk = 0; blk < m->pm->nb; blk++) {
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
				t->busy_ns[blk] += bench_now_ns() - t0;
			wfe();
		}
		if (!verified(p, NVDRV_READ, lba, QD, b, &b[QD])) {
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

/* Run the tenants' machine through block blk; its IOPS on the rig's
 * clock. 0, or -1 (a message on stderr). */
static int
step_tenants(struct nv_tmach *m, int blk, const struct bench_opts *o)
{
	uint64_t t0 = bench_now_ns(), ios = (uint64_t)m->pm->batches * QD;
	uint64_t busy = 0;

	m->go = blk + 1;
	for (;;) {
		bool all = true;

		for (int i = 0; i < m->n; i++) {
			struct proc_info pi;

			if (m->t[i].done > blk)
				continue;
			all = false;
			if (kernel_proc_info(m->k, m->t[i].pid, &pi) != 0 ||
			    pi.state != PROC_RUNNABLE) {
				bench_progress_end(o);
				fprintf(stderr, "capio: bench nvme: %s\n",
				    m->t[i].err[0] ? m->t[i].err : pi.status);
				return -1;
			}
		}
		if (all)
			break;
		kernel_run(m->k, 1);
	}
	/* The first block also ran the warm-up batches: not counted. */
	m->iops[blk] = blk == 0 ? NAN : (double)ios * 1e9 /
	    (double)(bench_now_ns() - t0);
	for (int i = 0; i < m->n; i++)
		busy += m->t[i].busy_ns[blk];
	m->cpu_iops[blk] = blk == 0 || busy == 0 ? NAN : (double)ios * 1e9 /
	    (double)busy;
	return 0;
}

/* The median and quartiles of v[0..n) (finite values), as a spread. */
static void
spread_of(const double *v, int n, struct bench_spread *s)
{
	double one[n > 0 ? n : 1];

	for (int i = 0; i < n; i++)
		one[i] = 1;
	/* v over 1: the values themselves, with their quartiles. */
	bench_spread_ratio(v, one, n, s);
}

/* A run's figures, for its report. */
struct nv_run {
	struct nv_params pm;
	struct nv_job jobs[BENCH_NARMS];
	struct nv_tmach tm[2];		/* one tenant, four */
	struct bench_lat lat[BENCH_NARMS][NWORK];
	double p25[BENCH_NARMS][NWORK], p75[BENCH_NARMS][NWORK];
	struct bench_spread iops[BENCH_NARMS][NWORK];
	struct bench_spread sp[NWORK][NRATIOS];
	enum bench_verdict vd[NWORK][NRATIOS];
	/* the tenants: IOPS per block on the rig's clock and on their own
	 * time, one against four */
	struct bench_spread tiops[2], tcpu[2], tratio, tcpu_ratio;
	enum bench_verdict tvd;
	struct bench_verdicts v;
};

/*
 * Every workload, round after round: a block per arm in a balanced
 * order, the block medians (QD1) into med[w][arm][block]; then the
 * tenants' two machines, round after round. 0 or -1 (message).
 */
static int
interleave(struct nv_run *run, double *med[NWORK][BENCH_NARMS],
    const struct bench_opts *o)
{
	int nb = run->pm.nb;
	uint64_t n = run->pm.samples;

	for (int wi = 0; wi < NWORK; wi++) {
		int w = work_order[wi];

		for (int blk = 0; blk < nb; blk++) {
			uint64_t i0 = bench_block_start(n, nb, blk);
			uint64_t i1 = bench_block_start(n, nb, blk + 1);
			uint64_t tmp[i1 - i0 > 0 ? i1 - i0 : 1];

			bench_progress(o, (double)(wi * nb + blk) / ((NWORK + 1) *
			    nb), "%s, round %d of %d", work_name[w], blk + 1, nb);
			for (int r = 0; r < BENCH_NARMS; r++) {
				struct nv_job *j = &run->jobs[bench_round_arm(blk,
				    BENCH_NARMS, r)];

				if (step_arm(j, wi * nb + blk) != 0) {
					end_arm(j, o);
					if (j->err[0] == '\0')
						fprintf(stderr, "capio: bench nvme: %s "
						    "arm ended early\n",
						    bench_arm_name(j->arm));
					return -1;
				}
				if (!is_qd1(w))
					continue;
				memcpy(tmp, j->lat[w] + i0, (i1 - i0) * sizeof tmp[0]);
				med[w][j->arm][blk] = bench_median_u64(tmp, i1 - i0);
			}
		}
		bench_progress_phase(o, "%s done (%d/%d)", work_name[w], wi + 1,
		    NWORK + 1);
	}
	for (int blk = 0; blk < nb; blk++) {
		bench_progress(o, (double)(NWORK * nb + blk) / ((NWORK + 1) * nb),
		    "tenants, round %d of %d", blk + 1, nb);
		for (int r = 0; r < 2; r++)
			if (step_tenants(&run->tm[bench_round_arm(blk, 2, r)], blk,
			    o) != 0)
				return -1;
	}
	bench_progress_phase(o, "tenants done (%d/%d)", NWORK + 1, NWORK + 1);
	return 0;
}

/* Target of capio over arm r (0 kernel, 1 page, 2 raw) for workload w:
 * the QD1 latencies only. */
static void
target(int r, int w, double *lo, double *hi)
{
	*lo = -INFINITY;
	*hi = INFINITY;
	if (!is_qd1(w))
		return;
	if (r == 0)
		*hi = 0.50;
	else if (r == 1) {
		*lo = 0.95;
		*hi = 1.05;
	} else
		*hi = 1.25;
}

static const enum bench_arm ratio_arm[NRATIOS] = { BARM_KERNEL, BARM_PAGE,
	BARM_RAW };
static const char *const ratio_key[NRATIOS] = { "capio_kernel", "capio_page",
	"capio_raw" };

/* Judge and summarize what the blocks gave. */
static void
conclude(struct nv_run *run, double *med[NWORK][BENCH_NARMS],
    const struct bench_opts *o)
{
	const struct nv_params *pm = &run->pm;

	for (int a = 0; a < BENCH_NARMS; a++)
		for (int w = 0; w < NWORK; w++) {
			struct nv_job *j = &run->jobs[a];

			if (is_qd1(w)) {
				bench_lat_summarize(j->lat[w], pm->samples,
				    &run->lat[a][w]);
				run->p25[a][w] = bench_lat_rank(j->lat[w],
				    pm->samples, 0.25);
				run->p75[a][w] = bench_lat_rank(j->lat[w],
				    pm->samples, 0.75);
			} else
				spread_of(j->iops[w], pm->nb, &run->iops[a][w]);
		}
	for (int w = 0; w < NWORK; w++)
		for (int r = 0; r < NRATIOS; r++) {
			const double *num = is_qd1(w) ? med[w][BARM_CAPIO] :
			    run->jobs[BARM_CAPIO].iops[w];
			const double *den = is_qd1(w) ? med[w][ratio_arm[r]] :
			    run->jobs[ratio_arm[r]].iops[w];
			char what[80];
			double lo, hi;

			bench_spread_ratio(num, den, pm->nb, &run->sp[w][r]);
			snprintf(what, sizeof what, "capio/%s %s %s",
			    bench_arm_name(ratio_arm[r]), work_name[w],
			    is_qd1(w) ? "latency" : "IOPS");
			target(r, w, &lo, &hi);
			run->vd[w][r] = isfinite(lo) || isfinite(hi) ?
			    bench_judge(&run->v, o, what, &run->sp[w][r], lo, hi) :
			    bench_spread_check(&run->v, o, what, &run->sp[w][r]);
		}
	for (int c = 0; c < 2; c++) {
		spread_of(run->tm[c].iops, pm->nb, &run->tiops[c]);
		spread_of(run->tm[c].cpu_iops, pm->nb, &run->tcpu[c]);
	}
	bench_spread_ratio(run->tm[1].iops, run->tm[0].iops, pm->nb,
	    &run->tratio);
	bench_spread_ratio(run->tm[1].cpu_iops, run->tm[0].cpu_iops, pm->nb,
	    &run->tcpu_ratio);
	run->tvd = bench_judge(&run->v, o, "4 tenants' IOPS over 1 tenant's",
	    &run->tratio, TENANT_TARGET, INFINITY);
}

/* --- the report ------------------------------------------------------- */

static double
per_io(const struct nv_job *j, int w, uint64_t v)
{
	return bench_per(v, j->ios[w]);
}

static void
counts_csv(FILE *f, const struct nv_job *j, int w)
{
	bench_counts_csv(f, &j->cost[w], j->ios[w]);
}

/* nvme.csv's rows and nvme.dat's blocks (the samples are sorted now). */
static void
write_files(FILE *csv, FILE *dat, const struct bench_opts *o, const void *ctx)
{
	const struct nv_run *run = ctx;
	const struct nv_params *pm = &run->pm;

	(void)o;
	for (int w = 0; w < NWORK; w++)
		for (int a = 0; a < BENCH_NARMS; a++) {
			const struct nv_job *j = &run->jobs[a];
			int r;

			fprintf(csv, "%s,%s,%s,%s,%d,%llu,%d", bench_machine_csv(),
			    bench_commit(), bench_arm_name((enum bench_arm)a),
			    work_name[w], is_qd1(w) ? 1 : QD,
			    (unsigned long long)j->ios[w], pm->nb);
			if (is_qd1(w)) {
				const struct bench_lat *l = &run->lat[a][w];

				fprintf(csv, ",%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,,,",
				    l->min, run->p25[a][w], l->p50, run->p75[a][w],
				    l->p99, l->p999, l->max);
			} else {
				const struct bench_spread *s = &run->iops[a][w];

				fprintf(csv, ",,,,,,,,%.0f,%.0f,%.0f", s->med,
				    s->p25, s->p75);
			}
			counts_csv(csv, j, w);
			for (r = 0; r < NRATIOS && (int)ratio_arm[r] != a; r++)
				;
			bench_spread_csv(csv, r < NRATIOS ? &run->sp[w][r] : NULL);
			fputc('\n', csv);
		}
	for (int c = 0; c < 2; c++) {
		const struct bench_spread *s = &run->tiops[c];

		fprintf(csv, "%s,%s,capio,randread_qd32_tenants%d,%d,%llu,%d,"
		    ",,,,,,,%.0f,%.0f,%.0f,,,,", bench_machine_csv(),
		    bench_commit(), run->tm[c].n, QD,
		    (unsigned long long)pm->batches * QD * (unsigned)(pm->nb - 1),
		    pm->nb - 1, s->med, s->p25, s->p75);
		if (c == 1)
			bench_spread_csv(csv, &run->tratio);
		else
			bench_spread_csv(csv, NULL);
		fputc('\n', csv);
	}
	/* Blocks 0..7: the QD1 CDFs (read, then write, an arm each); 8: QD32
	 * IOPS per arm; 9: the tenants' IOPS per round. */
	for (int w = W_READ1; w <= W_WRITE1; w++)
		for (int a = 0; a < BENCH_NARMS; a++) {
			fprintf(dat, "# %s %s\n", bench_arm_name((enum bench_arm)a),
			    work_name[w]);
			bench_lat_cdf(dat, run->jobs[a].lat[w], pm->samples, 400);
			fprintf(dat, "\n\n");
		}
	fprintf(dat, "# arm read_med read_p25 read_p75 write_med write_p25 "
	    "write_p75\n");
	for (int a = 0; a < BENCH_NARMS; a++) {
		const struct bench_spread *r = &run->iops[a][W_READ32];
		const struct bench_spread *wr = &run->iops[a][W_WRITE32];

		fprintf(dat, "%d %.0f %.0f %.0f %.0f %.0f %.0f\n", a, r->med,
		    r->p25, r->p75, wr->med, wr->p25, wr->p75);
	}
	fprintf(dat, "\n\n# round one_tenant four_tenants\n");
	for (int b = 1; b < pm->nb; b++)
		fprintf(dat, "%d %.0f %.0f\n", b, run->tm[0].iops[b],
		    run->tm[1].iops[b]);
}

static void
plot_script(const struct bench_opts *o, const void *ctx)
{
	const struct nv_run *run = ctx;
	static const struct bench_cdf_plot cdf = {
		.name = "nvme", .xlabel = "latency (ns)",
		.ylabel = "fraction of I/Os",
	};
	struct bench_cdf_panel panel[2];
	FILE *gp = bench_plot_begin(o, "nvme", 1400, 1000, 2, 2,
	    "capio bench nvme: 4 KiB random I/O per arm");

	if (gp == NULL)
		return;
	_Static_assert(BENCH_NARMS <= BENCH_CDF_LINES, "a line per arm");
	for (int w = W_READ1; w <= W_WRITE1; w++) {
		struct bench_cdf_panel *p = &panel[w - W_READ1];

		snprintf(p->title, sizeof p->title, "%s latency at QD1",
		    w == W_READ1 ? "random read" : "random write");
		p->nlines = BENCH_NARMS;
		for (int a = 0; a < BENCH_NARMS; a++) {
			p->line[a].label = bench_arm_name((enum bench_arm)a);
			p->line[a].block = (w - W_READ1) * BENCH_NARMS + a;
			p->line[a].lat = &run->lat[a][w];
		}
	}
	bench_plot_cdf_panels(gp, &cdf, panel, 2);
	fprintf(gp,
	    "set title 'IOPS at QD32 (median block, bars: p25-p75)'\n"
	    "set ylabel 'I/Os per second'\nset yrange [0:*]\n"
	    "set xrange [-0.6:3.6]\nset xtics ('kernel' 0, 'page' 1, "
	    "'capio' 2, 'raw' 3)\nset key top left\n"
	    "set style fill solid 0.5\nset boxwidth 0.3\n"
	    "plot 'nvme.dat' index 8 using ($1-0.16):2 with boxes "
	    "title 'random read', '' index 8 using ($1-0.16):2:3:4 with "
	    "yerrorbars lc black pt 0 notitle, '' index 8 using ($1+0.16):5 "
	    "with boxes title 'random write', '' index 8 using "
	    "($1+0.16):5:6:7 with yerrorbars lc black pt 0 notitle\n"
	    "set title 'tenants on one controller: random reads, QD32 each "
	    "(capio)'\nset xlabel 'round'\nset xtics autofreq\nset autoscale x\n"
	    "set yrange [0:*]\nset key bottom right\n"
	    "plot 'nvme.dat' index 9 using 1:2 with linespoints title "
	    "'1 tenant', '' index 9 using 1:3 with linespoints title "
	    "'4 tenants (together)'\n");
	bench_plot_end(gp);
}

static void
write_doc(FILE *doc, const struct bench_opts *o, const void *ctx)
{
	const struct nv_run *run = ctx;
	const struct nv_params *pm = &run->pm;

	(void)o;
	fprintf(doc, "\"io_bytes\":%u,\"namespace_bytes\":%u,\"queue_depth\":%d,"
	    "\"warmup\":%llu,\"samples\":%llu,\"blocks\":%d,"
	    "\"qd32_ios_per_block\":%u,", IO_BYTES, NS_BYTES, QD,
	    (unsigned long long)pm->warmup, (unsigned long long)pm->samples,
	    pm->nb, pm->batches * QD);
	bench_json_arms(doc, "arms", BENCH_NARMS);
	fputs(",\"workloads\":[", doc);
	for (int w = 0; w < NWORK; w++)
		fprintf(doc, "%s\"%s\"", w ? "," : "", work_name[w]);
	fputs("],\"results\":{", doc);
	for (int a = 0; a < BENCH_NARMS; a++) {
		const struct nv_job *j = &run->jobs[a];

		bench_json_open(doc, a, bench_arm_name((enum bench_arm)a));
		for (int w = 0; w < NWORK; w++) {
			bench_json_open(doc, w, work_name[w]);
			fprintf(doc, "\"ios\":%llu,", (unsigned long long)j->ios[w]);
			if (is_qd1(w)) {
				bench_lat_json(doc, &run->lat[a][w]);
				fputs(",\"p25_ns\":", doc);
				bench_json_num(doc, run->p25[a][w]);
				fputs(",\"p75_ns\":", doc);
				bench_json_num(doc, run->p75[a][w]);
			} else {
				const struct bench_spread *s = &run->iops[a][w];

				fputs("\"iops\":", doc);
				bench_json_num(doc, s->med);
				fputs(",\"iops_p25\":", doc);
				bench_json_num(doc, s->p25);
				fputs(",\"iops_p75\":", doc);
				bench_json_num(doc, s->p75);
			}
			bench_counts_json(doc, &j->cost[w], j->ios[w], "io");
			fputc('}', doc);
		}
		fputc('}', doc);
	}
	fputs("},\"ratios\":{", doc);
	for (int w = 0; w < NWORK; w++) {
		bench_json_open(doc, w, work_name[w]);
		bench_spreads_json(doc, ratio_key, run->sp[w], NRATIOS);
		fputc('}', doc);
	}
	fputs("},\"tenants\":{\"workload\":\"randread_qd32\",", doc);
	for (int c = 0; c < 2; c++) {
		const struct bench_spread *s = &run->tiops[c];

		fprintf(doc, "\"%s\":{\"tenants\":%d,\"iops\":", c ? "four" :
		    "one", run->tm[c].n);
		bench_json_num(doc, s->med);
		fputs(",\"iops_p25\":", doc);
		bench_json_num(doc, s->p25);
		fputs(",\"iops_p75\":", doc);
		bench_json_num(doc, s->p75);
		fputs(",\"cpu_iops\":", doc);
		bench_json_num(doc, run->tcpu[c].med);
		fputs("},", doc);
	}
	bench_spread_json(doc, "four_one", &run->tratio);
	fputc(',', doc);
	bench_spread_json(doc, "cpu_four_one", &run->tcpu_ratio);
	fputs("},\"targets\":[", doc);
	for (int w = 0, first = 1; w < NWORK; w++)
		for (int r = 0; r < NRATIOS; r++) {
			double lo, hi;
			char what[80];

			target(r, w, &lo, &hi);
			if (!isfinite(lo) && !isfinite(hi))
				continue;
			snprintf(what, sizeof what, "capio/%s median latency, %s",
			    bench_arm_name(ratio_arm[r]), work_name[w]);
			fputs(first ? "" : ",", doc);
			bench_target_json(doc, what, &run->sp[w][r], lo, hi,
			    run->vd[w][r]);
			first = 0;
		}
	fputc(',', doc);
	bench_target_json(doc, "4 tenants' IOPS over 1 tenant's, randread_qd32",
	    &run->tratio, TENANT_TARGET, INFINITY, run->tvd);
	fputs("]", doc);
}

/* "1,234,567" */
static const char *
thousands(double v, char *buf, size_t len)
{
	char digits[32];
	size_t n, o = 0;

	if (!isfinite(v)) {
		snprintf(buf, len, "n/a");
		return buf;
	}
	snprintf(digits, sizeof digits, "%.0f", v);
	n = strlen(digits);
	for (size_t i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* "512,345 (500,001-520,999)" */
static const char *
iops_cell(const struct bench_spread *s, char *buf, size_t len)
{
	char c1[32], c2[32], c3[32];

	snprintf(buf, len, "%s (%s-%s)", thousands(s->med, c1, sizeof c1),
	    thousands(s->p25, c2, sizeof c2), thousands(s->p75, c3, sizeof c3));
	return buf;
}

static void
print_summary(const struct bench_opts *o, const void *ctx)
{
	const struct nv_run *run = ctx;
	const struct nv_params *pm = &run->pm;
	char cell[120], c2[120];

	printf("capio bench nvme: 4 KiB random I/O on a %u MiB RAM namespace "
	    "of one NVMe\ncontroller; QD1: %llu I/Os per arm and workload "
	    "after %llu warm-up; QD32:\n%u I/Os per block; the arms "
	    "interleaved in %d rounds of one block each;\nkernel arm %s host "
	    "system calls. Costs per I/O.\n\n", NS_BYTES >> 20,
	    (unsigned long long)pm->samples, (unsigned long long)pm->warmup,
	    pm->batches * QD, pm->nb, o->host_syscalls ? "pays real" :
	    "without");
	printf("latency at QD1 (ns, over all blocks)\n");
	printf("%-10s %-7s %7s %7s %7s %7s %7s %8s %6s %6s %7s %7s\n",
	    "workload", "arm", "min", "p25", "p50", "p75", "p99", "max",
	    "sysc", "mmio", "checks", "copied");
	for (int w = W_READ1; w <= W_WRITE1; w++)
		for (int a = 0; a < BENCH_NARMS; a++) {
			const struct bench_lat *l = &run->lat[a][w];
			const struct nv_job *j = &run->jobs[a];
			const struct bench_counts *c = &j->cost[w];

			printf("%-10s %-7s %7.0f %7.0f %7.0f %7.0f %7.0f %8.0f "
			    "%6.2f %6.2f %7.2f %7.0f\n", w == W_READ1 ? "randread" :
			    "randwrite", bench_arm_name((enum bench_arm)a), l->min,
			    run->p25[a][w], l->p50, run->p75[a][w], l->p99, l->max,
			    per_io(j, w, c->syscalls), per_io(j, w, c->mmio),
			    per_io(j, w, c->checks), per_io(j, w, c->copy_bytes));
		}
	printf("\nIOPS at QD32 (median block, p25-p75)\n");
	printf("%-10s %-7s %28s %6s %6s %7s %7s\n", "workload", "arm", "IOPS",
	    "sysc", "mmio", "checks", "copied");
	for (int w = W_READ32; w <= W_WRITE32; w++)
		for (int a = 0; a < BENCH_NARMS; a++) {
			const struct bench_spread *s = &run->iops[a][w];
			const struct nv_job *j = &run->jobs[a];
			const struct bench_counts *c = &j->cost[w];

			printf("%-10s %-7s %28s %6.2f %6.2f %7.2f %7.0f\n",
			    w == W_READ32 ? "randread" : "randwrite",
			    bench_arm_name((enum bench_arm)a),
			    iops_cell(s, cell, sizeof cell),
			    per_io(j, w, c->syscalls), per_io(j, w, c->mmio),
			    per_io(j, w, c->checks), per_io(j, w, c->copy_bytes));
		}
	printf("\nratios, capio over each arm in the same round: median "
	    "(p25-p75) over the\nrounds; QD1 of latency (targets: "
	    "capio/kernel <= 0.50, capio/page 0.95-1.05,\ncapio/raw <= 1.25), "
	    "QD32 of IOPS (no target)\n");
	printf("%-16s %-26s %-26s %-26s\n", "", "capio/kernel", "capio/page",
	    "capio/raw");
	for (int w = 0; w < NWORK; w++) {
		char rc[NRATIOS][64];

		for (int r = 0; r < NRATIOS; r++)
			bench_spread_cell(&run->sp[w][r], run->vd[w][r], rc[r],
			    sizeof rc[r]);
		printf("%-16s %-26s %-26s %-26s\n", work_name[w], rc[0], rc[1],
		    rc[2]);
	}
	printf("\ntenants on one controller, a queue pair each (capio arm), "
	    "random reads at\nQD32 each, interleaved on the one simulated "
	    "CPU:\n");
	printf("%-8s %30s %30s\n", "tenants", "IOPS (median block)",
	    "per second of tenant time");
	for (int c = 0; c < 2; c++)
		printf("%-8d %30s %30s\n", run->tm[c].n,
		    iops_cell(&run->tiops[c], cell, sizeof cell),
		    iops_cell(&run->tcpu[c], c2, sizeof c2));
	bench_spread_cell(&run->tratio, run->tvd, cell, sizeof cell);
	printf("4 tenants / 1 tenant, per round: %s (target >= %.2f)\n",
	    cell, TENANT_TARGET);
	printf("  the same per second of tenant time: %s\n\n",
	    bench_spread_str(&run->tcpu_ratio, cell, sizeof cell));
}

static const struct bench_report report = {
	.name = "nvme",
	.csv_header = "machine,commit,arm,workload,qd,ios,blocks,min_ns,p25_ns,"
	    "p50_ns,p75_ns,p99_ns,p999_ns,max_ns,iops,iops_p25,iops_p75,"
	    "syscalls_per_io,mmio_per_io,checks_per_io,bytes_copied_per_io,"
	    "capio_ratio_median,capio_ratio_p25,capio_ratio_p75\n",
	.dat = true, .files = write_files, .doc = write_doc,
	.plot = plot_script, .summary = print_summary,
};

int
bench_nvme_run(const struct bench_opts *o, char **json)
{
	static struct nv_run run;
	double *med[NWORK][BENCH_NARMS] = { { 0 } };
	struct nv_params *pm = &run.pm;
	uint64_t per;
	int rc = 1;

	*json = NULL;
	memset(&run, 0, sizeof run);
	pm->warmup = bench_pick(o->warmup, o->quick, 200, 1000);
	pm->samples = bench_pick(o->samples, o->quick, 2000, 20000);
	pm->nb = bench_nblocks(pm->samples);
	/* QD32: four times the QD1 I/Os, in whole batches, a multiple of
	 * four (the four tenants' shares). */
	per = 4 * pm->samples / (uint64_t)pm->nb;
	pm->batches = (unsigned)((per + QD - 1) / QD + 3) & ~3u;
	if (pm->batches < 4)
		pm->batches = 4;
	bench_verdicts_init(&run.v, "nvme");
	bench_progress_begin(o, "nvme");
	if (bench_out_dir(o) != 0)
		return 1;
	for (int a = 0; a < BENCH_NARMS; a++) {
		struct nv_job *j = &run.jobs[a];

		j->arm = (enum bench_arm)a;
		j->o = o;
		j->pm = pm;
		for (int w = 0; w < NWORK; w++) {
			if (is_qd1(w) && ((j->lat[w] = calloc(pm->samples,
			    sizeof(uint64_t))) == NULL || (med[w][a] =
			    calloc((size_t)pm->nb, sizeof(double))) == NULL))
				goto oom;
			if (!is_qd1(w) && (j->iops[w] = calloc((size_t)pm->nb,
			    sizeof(double))) == NULL)
				goto oom;
		}
		if (boot_arm(j) != 0)
			goto out;
	}
	for (int c = 0; c < 2; c++) {
		run.tm[c].n = c == 0 ? 1 : NTENANTS;
		run.tm[c].pm = pm;
		if ((run.tm[c].iops = calloc((size_t)pm->nb, sizeof(double))) ==
		    NULL || (run.tm[c].cpu_iops = calloc((size_t)pm->nb,
		    sizeof(double))) == NULL)
			goto oom;
		for (int i = 0; i < run.tm[c].n; i++)
			if ((run.tm[c].t[i].busy_ns = calloc((size_t)pm->nb,
			    sizeof(uint64_t))) == NULL)
				goto oom;
		if (boot_tenants(&run.tm[c], o) != 0)
			goto out;
	}
	if (interleave(&run, med, o) != 0)
		goto out;
	for (int a = 0; a < BENCH_NARMS; a++)
		if (end_arm(&run.jobs[a], o) != 0)
			goto out;
	for (int c = 0; c < 2; c++) {
		run.tm[c].go = INT_MAX;
		kernel_run(run.tm[c].k, 0);
	}
	bench_progress_end(o);
	conclude(&run, med, o);
	if (bench_report_write(o, &report, &run, &run.v, json) == 0)
		rc = 0;
	goto out;
oom:
	fprintf(stderr, "capio: bench nvme: out of memory\n");
out:
	bench_run_end(o, NULL, NULL, NULL);
	for (int a = 0; a < BENCH_NARMS; a++) {
		if (run.jobs[a].k != NULL)
			kernel_halt(run.jobs[a].k);
		run.jobs[a].k = NULL;
		for (int w = 0; w < NWORK; w++) {
			free(run.jobs[a].lat[w]);
			free(run.jobs[a].iops[w]);
			free(med[w][a]);
			run.jobs[a].lat[w] = NULL;
			run.jobs[a].iops[w] = NULL;
		}
	}
	for (int c = 0; c < 2; c++) {
		if (run.tm[c].k != NULL)
			kernel_halt(run.tm[c].k);
		run.tm[c].k = NULL;
		free(run.tm[c].iops);
		free(run.tm[c].cpu_iops);
		run.tm[c].iops = run.tm[c].cpu_iops = NULL;
		for (int i = 0; i < NTENANTS; i++) {
			free(run.tm[c].t[i].busy_ns);
			run.tm[c].t[i].busy_ns = NULL;
		}
	}
	return rc;
}
