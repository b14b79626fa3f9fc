/*
 * bench_throughput.c — `capio bench throughput`: the highest rate each
 * arm carries from NIC 0 to NIC 1 with zero loss, found RFC 2544 style
 * (a trial of N frames at an offered rate R; binary search on R).
 *
 * The simulation is synchronous and runs on one host core: a TDT write
 * puts the frames into the peer's RX ring before it returns, and the
 * same process is both the traffic generator and the receiver. So a
 * trial is a schedule on the host's monotonic clock: frame i is due at
 * t0 + i/R. Whenever the process has the CPU it first puts every frame
 * that is due on the wire (through the arm: sys_send, or the user-level
 * driver on NIC 0), then drains NIC 1 with one receive burst (through
 * the arm). If the receiver falls behind, frames pile up in NIC 1's RX
 * ring exactly as they would behind a busy core, and once the ring is
 * full the NIC misses them (MPC/RNBC): loss. A rate passes when all N
 * frames were received and the NIC missed none; the figure is the
 * highest passing rate: what one core sustains end to end through the
 * arm, transmit and receive both paid.
 *
 * The host is shared: when its scheduler takes the CPU away from the
 * benchmark for longer than the RX ring can absorb at rate R, frames are
 * lost whatever the arm. A trial that lost frames while the benchmark's
 * thread was preempted (involuntary context switches, getrusage) is void
 * and repeated, a few times per rate; a rate passes when one of three
 * trials that count is clean. Void trials are reported.
 *
 * The wire itself has no line rate (a 1518-byte frame costs what its
 * copies cost), and nothing else shares the simulated core.
 *
 * The four arms' searches run side by side, one machine each, a trial
 * (or closed loop) of each in turn: a slow spell of the host meets
 * every arm's search, not one. The search is the rig's (a state machine
 * per arm); each arm's process runs the loops it is told to run.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "eval/bench.h"
#include "eval/bench_port.h"
#include "eval/bench_report.h"
#include "board/board.h"
#include "dev/e1000e.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

#define NSIZES		2
#define FCS		4
#define BURST		32
#define MAX_TRIALS	400	/* per search; --quick: 40 */
#define ATTEMPTS	3	/* a rate passes if one of these is clean */
#define VOIDS		20	/* preempted trials repeated per rate; --quick: 2 */
#define DRAIN_POLLS	10000
#define CLOSED_RUNS	3	/* closed loops giving the starting rate */
#define UPS		8	/* at most this many 25% steps up */
#define VOID_SHARE	0.25	/* more void trials than this: noisy */
#define TARGET_MPPS	2.0	/* capio at 64 B, on one core */

static const unsigned sizes[NSIZES] = { 64, 1518 };

struct trial {
	double rate;		/* offered, frames per second */
	uint64_t sent, received, missed;
	uint64_t preempted;	/* times the host took the CPU away */
	bool pass;
	bool voided;		/* lost frames while preempted: repeated */
};

struct tp_job {
	enum bench_arm arm;
	struct kernel *k;
	const struct bench_opts *o;
	int pid;
	uint64_t frames;
	double resolution;	/* stop when (hi - lo) <= resolution * hi */
	int max_trials, max_voids;
	/* what the rig asks the process to do next, and its answer */
	volatile int asked, answered;
	int cmd_size;			/* size index */
	bool cmd_closed;		/* a closed loop, else a trial */
	double cmd_rate;
	double closed_rate;		/* frames per second, 0: lost */
	/* out, per size */
	double closed_mpps[NSIZES], zero_loss_mpps[NSIZES];
	struct trial trials[NSIZES][MAX_TRIALS];
	int ntrials[NSIZES], voided[NSIZES];
	int exhausted[NSIZES];		/* rates failed on the void budget */
	char err[200];
};

/* The rig's binary search for one arm and size (RFC 2544 style). */
struct search {
	enum { S_CLOSED, S_UP, S_BISECT, S_DONE } phase;
	int closed, ups;
	double c, lo, hi, rate;
	int fails, voids;		/* at the current rate */
};

struct rig {
	struct tp_job *j;
	struct bench_port p0, p1;
	struct bench_buf tx[BURST], rx[BURST];
};

static uint64_t
nic_missed(struct tp_job *j)
{
	struct e1000e_counters c;

	/* The rig reads the device's own counters: a host call. */
	e1000e_get_counters(board_nic(kernel_board(j->k), 1), &c);
	return c.rx_no_buffer;
}

/* Take what is left in NIC 1 until everything sent is accounted for. */
static void
drain(struct rig *r, struct trial *t, uint64_t missed0)
{
	for (int idle = 0; idle < DRAIN_POLLS &&
	    t->received + (nic_missed(r->j) - missed0) < t->sent; idle++) {
		int got = bench_port_rx(&r->p1, r->rx, BURST);

		t->received += (uint64_t)got;
		if (got > 0)
			idle = 0;
	}
	t->missed = nic_missed(r->j) - missed0;
}

/* Closed loop: a burst out, wait until it is all in. Frames per second. */
static double
closed_loop(struct rig *r, uint64_t n)
{
	uint64_t t0 = bench_now_ns(), done = 0;

	while (done < n) {
		int m = n - done < BURST ? (int)(n - done) : BURST, q, got = 0;

		if ((q = bench_port_tx(&r->p0, r->tx, m)) <= 0)
			return 0;
		for (int spin = 0; got < q && spin < DRAIN_POLLS; spin++)
			got += bench_port_rx(&r->p1, r->rx + got, q - got);
		if (got < q)
			return 0;	/* lost with no load at all */
		done += (uint64_t)q;
	}
	return (double)n * 1e9 / (double)(bench_now_ns() - t0);
}

/* Involuntary context switches of this host thread so far. */
static uint64_t
preemptions(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_nivcsw;
}

/* One trial of n frames offered at rate frames per second. */
static void
paced(struct rig *r, double rate, uint64_t n, struct trial *t)
{
	uint64_t missed0 = nic_missed(r->j), t0, pre0 = preemptions();
	double per_ns = rate / 1e9;

	memset(t, 0, sizeof *t);
	t->rate = rate;
	t0 = bench_now_ns();
	while (t->sent < n) {
		uint64_t due = (uint64_t)((double)(bench_now_ns() - t0) * per_ns) + 1;

		if (due > n)
			due = n;
		/* Everything due goes on the wire before the receiver runs. */
		while (t->sent < due) {
			int m = due - t->sent < BURST ? (int)(due - t->sent) : BURST;
			int q = bench_port_tx(&r->p0, r->tx, m);

			t->sent += (uint64_t)(q > 0 ? q : 0);
			if (q < m)
				break;
		}
		t->received += (uint64_t)bench_port_rx(&r->p1, r->rx, BURST);
	}
	drain(r, t, missed0);
	t->preempted = preemptions() - pre0;
	t->pass = t->sent == n && t->received == n && t->missed == 0;
}

/* The frame of size index s in every transmit buffer. */
static void
frames_for(struct rig *r, int s)
{
	uint8_t frame[2048];
	unsigned len = sizes[s] - FCS;

	memset(frame, 0xff, 6);
	memcpy(frame + 6, "\x02\x00\x00\x00\x00\x07", 6);
	frame[12] = 0x88;
	frame[13] = 0xb5;
	for (unsigned i = 14; i < len; i++)
		frame[i] = (uint8_t)(i * 7 + sizes[s]);
	for (int i = 0; i < BURST; i++)
		bench_buf_put(&r->tx[i], frame, (uint16_t)len);
}

/* The arm's process: runs what the rig asks, one loop at a time, and
 * waits (wfe) in between while the other arms run theirs. */
static void
tp_main(void *arg)
{
	struct tp_job *j = arg;
	struct rig *r = calloc(1, sizeof *r);
	int err, size = -1;

	if (r == NULL)
		sys_exit(1);
	r->j = j;
	if ((err = bench_port_open(&r->p0, j->arm, 0, j->k, j->pid)) != 0 ||
	    (err = bench_port_open(&r->p1, j->arm, 1, j->k, j->pid)) != 0 ||
	    (err = bench_bufs(j->arm, r->tx, BURST, 2048)) != 0 ||
	    (err = bench_bufs(j->arm, r->rx, BURST, 2048)) != 0) {
		snprintf(j->err, sizeof j->err, "%s arm: cannot open the NICs: %s",
		    bench_arm_name(j->arm), capio_strerror(err));
		sys_exit(1);
	}
	for (;;) {
		while (j->asked == j->answered)
			wfe();
		if (j->cmd_size < 0)
			break;
		if (j->cmd_size != size)
			frames_for(r, size = j->cmd_size);
		if (j->cmd_closed)
			j->closed_rate = closed_loop(r, j->frames);
		else
			paced(r, j->cmd_rate, j->frames,
			    &j->trials[size][j->ntrials[size]]);
		j->answered = j->asked;
	}
	j->answered = j->asked;
	bench_port_close(&r->p0);
	bench_port_close(&r->p1);
	bench_bufs_free(r->tx);
	bench_bufs_free(r->rx);
	free(r);
	sys_exit(0);
}

/* Have the arm's process run what j->cmd_* say; 0, or -1 if it ended. */
static int
ask(struct tp_job *j)
{
	struct proc_info pi;

	j->asked++;
	while (j->answered != j->asked) {
		if (kernel_proc_info(j->k, j->pid, &pi) != 0 ||
		    pi.state != PROC_RUNNABLE)
			return -1;
		kernel_run(j->k, 1);
	}
	return 0;
}

/* Whether the search at lo..hi has found its rate (to the resolution). */
static bool
lo_hi_done(const struct search *q, const struct tp_job *j, int s)
{
	return !(q->lo < q->hi && q->hi - q->lo > j->resolution * q->hi &&
	    j->ntrials[s] < j->max_trials);
}

/* The next rate to try after lo..hi moved, or the end of the search. */
static void
bisect_next(struct tp_job *j, struct search *q, int s)
{
	q->phase = S_BISECT;
	q->fails = q->voids = 0;
	if (lo_hi_done(q, j, s))
		q->phase = S_DONE;
	else
		q->rate = (q->lo + q->hi) / 2;
}

/*
 * One step of arm j's search at size s: a closed loop, or a trial at
 * the current rate. A rate passes when one of ATTEMPTS trials is clean.
 * A trial that lost frames while the host scheduler took the CPU away
 * from the benchmark measured the host, not the arm: it is void and
 * repeated (at most max_voids times per rate; after that it counts as a
 * failure). 0, or -1 with j->err set.
 */
static int
search_step(struct tp_job *j, struct search *q, int s)
{
	struct trial *t;
	bool pass;

	j->cmd_size = s;
	if (q->phase == S_CLOSED) {
		/* The best of three closed loops: the host's noise only
		 * slows. */
		j->cmd_closed = true;
		if (ask(j) != 0)
			return -1;
		if (j->closed_rate <= 0) {
			snprintf(j->err, sizeof j->err, "%s arm: frames lost with "
			    "no load", bench_arm_name(j->arm));
			return -1;
		}
		q->c = fmax(q->c, j->closed_rate);
		if (++q->closed == CLOSED_RUNS) {
			/* Start at the closed-loop rate; pacing lets bursts
			 * grow, so it may carry more: go up until a rate
			 * fails, then bisect. */
			j->closed_mpps[s] = q->c / 1e6;
			q->phase = S_UP;
			q->rate = q->hi = q->c;
			q->lo = 0;
		}
		return 0;
	}
	if (j->ntrials[s] >= j->max_trials) {
		q->phase = S_DONE;
		return 0;
	}
	j->cmd_closed = false;
	j->cmd_rate = q->rate;
	if (ask(j) != 0)
		return -1;
	t = &j->trials[s][j->ntrials[s]++];
	pass = t->pass;
	if (!pass) {
		/* Frames that were neither received nor missed: a bug, not
		 * a rate. */
		if (t->received + t->missed != t->sent) {
			snprintf(j->err, sizeof j->err, "%s arm: %llu frames "
			    "unaccounted for", bench_arm_name(j->arm),
			    (unsigned long long)(t->sent - t->received - t->missed));
			return -1;
		}
		if (t->preempted > 0 && q->voids < j->max_voids) {
			t->voided = true;
			q->voids++;
			j->voided[s]++;
			return 0;
		}
		if (t->preempted > 0)
			j->exhausted[s]++;
		if (++q->fails < ATTEMPTS)
			return 0;
	}
	/* The rate is decided. */
	if (q->phase == S_UP && pass) {
		q->lo = q->hi;
		q->hi *= 1.25;
		q->rate = q->hi;
		q->fails = q->voids = 0;
		if (++q->ups == UPS)
			bisect_next(j, q, s);
		return 0;
	}
	if (q->phase == S_BISECT) {
		if (pass)
			q->lo = q->rate;
		else
			q->hi = q->rate;
	}
	bisect_next(j, q, s);
	return 0;
}

static int
boot_arm(struct tp_job *j)
{
	if ((j->k = bench_boot(j->arm, j->o, "throughput")) == NULL)
		return -1;
	if ((j->pid = kernel_spawn(j->k, "throughput", tp_main, j)) < 0) {
		fprintf(stderr, "capio: bench throughput: cannot spawn\n");
		return -1;
	}
	return 0;
}

/* Tell the arm's process to end, and run it to its end; 0 or -1. */
static int
end_arm(struct tp_job *j)
{
	j->cmd_size = -1;
	j->asked++;
	return bench_run_to_end(j->k, j->arm, &j->pid, 1, j->err,
	    sizeof j->err, j->o, "throughput");
}

/*
 * Every size: the arms' searches side by side, one step (a closed loop
 * or a trial) of each in turn, in a balanced order, until all are done.
 * 0, or -1 (message on stderr).
 */
static int
interleave(struct tp_job *jobs)
{
	const struct bench_opts *o = jobs[0].o;

	for (int s = 0; s < NSIZES; s++) {
		struct search q[BENCH_NARMS];
		int left = BENCH_NARMS;

		memset(q, 0, sizeof q);
		for (int round = 0; left > 0; round++) {
			bench_progress(o, (s + (double)(BENCH_NARMS - left) /
			    BENCH_NARMS) / NSIZES, "%u-byte frames, round %d, %d "
			    "arm%s searching", sizes[s], round + 1, left,
			    left == 1 ? "" : "s");
			for (int r = 0; r < BENCH_NARMS; r++) {
				int a = bench_round_arm(round, BENCH_NARMS, r);
				struct tp_job *j = &jobs[a];

				if (q[a].phase == S_DONE)
					continue;
				if (search_step(j, &q[a], s) != 0) {
					bench_progress_end(o);
					if (j->err[0] == '\0')
						end_arm(j);
					else
						fprintf(stderr, "capio: bench throughput: "
						    "%s\n", j->err);
					return -1;
				}
				if (q[a].phase == S_DONE) {
					j->zero_loss_mpps[s] = q[a].lo / 1e6;
					left--;
				}
			}
		}
		bench_progress_phase(o, "%u B done (%d/%d)", sizes[s], s + 1,
		    NSIZES);
	}
	return 0;
}

/* Frame bits per second at a rate (the frame with its FCS; no preamble
 * or gap: the simulated wire has neither). */
static double
gbps(double mpps, unsigned size)
{
	return mpps * 1e6 * size * 8 / 1e9;
}

/* Frames a trial lost: sent and never received (never below zero). */
static double
lost_pct(const struct trial *t)
{
	if (t->sent == 0 || t->received >= t->sent)
		return 0;
	return 100.0 * (double)(t->sent - t->received) / (double)t->sent;
}

/* A run's figures, for its report. */
struct tp_run {
	struct tp_job jobs[BENCH_NARMS];
	uint64_t frames;
	double res;			/* the search's resolution */
	struct bench_verdicts v;
	enum bench_verdict verdict;	/* of the target */
	int trials, voids;
	double cap64;			/* capio's zero-loss Mpps at 64 B */
};

/*
 * throughput.dat: per size and arm, the counted trials then the void
 * ones (blocks (s * NARMS + a) * 2 and + 1). The script draws the
 * counted trials filled, void ones open, each arm's zero-loss rate as a
 * dashed line of its colour and the target (64 B) as a black one.
 */
static void
plot_script(const struct bench_opts *o, const void *ctx)
{
	const struct tp_job *jobs = ((const struct tp_run *)ctx)->jobs;
	FILE *gp = bench_plot_begin(o, "throughput", 1200, 520, 1, NSIZES,
	    "capio bench throughput: trials of the zero-loss search per arm "
	    "(open: void, the host preempted it)");

	if (gp == NULL)
		return;
	fprintf(gp,
	    "set grid\nset key below horizontal\n"
	    "set xlabel 'offered load (Mpps); dashed: zero-loss rate'\n"
	    "set ylabel 'frames lost (%%)'\n"
	    "set yrange [0:*]\n"
	    "set offsets 0, 0, graph 0.05, 0\n");
	for (int s = 0; s < NSIZES; s++) {
		fprintf(gp, "unset arrow\nunset label\n");
		for (int a = 0; a < BENCH_NARMS; a++)
			if (jobs[a].zero_loss_mpps[s] > 0)
				fprintf(gp, "set arrow from %.4f, graph 0 to %.4f, graph 1 "
				    "nohead dt 2 lw 1.5 lc %d\n", jobs[a].zero_loss_mpps[s],
				    jobs[a].zero_loss_mpps[s], a + 1);
		if (sizes[s] == 64)
			fprintf(gp, "set arrow from %.1f, graph 0 to %.1f, graph 1 "
			    "nohead dt 3 lw 2 lc rgb 'black'\n"
			    "set label 'target %.0f Mpps (capio)' at %.1f, graph 0.95 "
			    "offset 0.5,0\n", TARGET_MPPS, TARGET_MPPS, TARGET_MPPS,
			    TARGET_MPPS);
		fprintf(gp, "set title '%u-byte frames'\nplot ", sizes[s]);
		for (int a = 0, n = 0; a < BENCH_NARMS; a++) {
			const struct tp_job *j = &jobs[a];
			int counted = j->ntrials[s] - j->voided[s];

			if (counted > 0)
				fprintf(gp, "%s'throughput.dat' index %d using 1:2 with "
				    "points pt 7 ps 1 lc %d title '%s'", n++ ? ", " : "",
				    (s * BENCH_NARMS + a) * 2, a + 1,
				    bench_arm_name(j->arm));
			if (j->voided[s] > 0)
				fprintf(gp, "%s'throughput.dat' index %d using 1:2 with "
				    "points pt 6 ps 1 lc %d title '%s, void'",
				    n++ ? ", " : "", (s * BENCH_NARMS + a) * 2 + 1, a + 1,
				    bench_arm_name(j->arm));
			if (n == 0 && a == BENCH_NARMS - 1)
				fprintf(gp, "NaN notitle");
		}
		fputc('\n', gp);
	}
	bench_plot_end(gp);
}

/* throughput.csv's rows and throughput.dat's blocks. */
static void
write_files(FILE *csv, FILE *dat, const struct bench_opts *o, const void *ctx)
{
	const struct tp_run *run = ctx;
	const struct tp_job *jobs = run->jobs;

	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < BENCH_NARMS; a++) {
			const struct tp_job *j = &jobs[a];

			bench_csv_row(csv, a, sizes[s]);
			fprintf(csv, ",%d,%llu,%d,%d,%.4f,%.4f,%.3f,%.4f\n",
			    o->host_syscalls, (unsigned long long)run->frames,
			    j->ntrials[s], j->voided[s],
			    j->closed_mpps[s], j->zero_loss_mpps[s],
			    gbps(j->zero_loss_mpps[s], sizes[s]),
			    jobs[BARM_CAPIO].zero_loss_mpps[s] /
			    j->zero_loss_mpps[s]);
			for (int vo = 0; vo < 2; vo++) {
				fprintf(dat, "# %s %u%s: offered Mpps, lost %%\n",
				    bench_arm_name(j->arm), sizes[s],
				    vo ? ", void trials" : "");
				int rows = 0;

				for (int t = 0; t < j->ntrials[s]; t++) {
					const struct trial *tr = &j->trials[s][t];

					if (tr->voided == (vo != 0)) {
						fprintf(dat, "%.4f %.4f\n", tr->rate / 1e6,
						    lost_pct(tr));
						rows++;
					}
				}
				/* gnuplot's index skips a block with no data: one
				 * point it cannot draw keeps the numbering. */
				if (rows == 0)
					fprintf(dat, "NaN NaN\n");
				fprintf(dat, "\n\n");
			}
		}
}

/* The document's fields. */
static void
write_doc(FILE *doc, const struct bench_opts *o, const void *ctx)
{
	const struct tp_run *run = ctx;
	const struct tp_job *jobs = run->jobs;

	(void)o;
	fprintf(doc, "\"frames_per_trial\":%llu,\"resolution\":%.3f,"
	    "\"attempts\":%d,\"void_budget\":%d,\"interleaved\":true,"
	    "\"trials\":%d,\"void_trials\":%d,",
	    (unsigned long long)run->frames, run->res, ATTEMPTS,
	    jobs[0].max_voids, run->trials, run->voids);
	bench_json_arms(doc, "arms", BENCH_NARMS);
	fputc(',', doc);
	bench_json_uints(doc, "sizes", sizes, NSIZES);
	fputs(",\"mpps\":{", doc);
	for (int a = 0; a < BENCH_NARMS; a++) {
		bench_json_open(doc, a, bench_arm_name((enum bench_arm)a));
		for (int s = 0; s < NSIZES; s++) {
			fprintf(doc, "%s\"%u\":", s ? "," : "", sizes[s]);
			bench_json_num(doc, jobs[a].zero_loss_mpps[s]);
		}
		fputc('}', doc);
	}
	fputs("},\"results\":{", doc);
	for (int a = 0; a < BENCH_NARMS; a++) {
		bench_json_open(doc, a, bench_arm_name((enum bench_arm)a));
		for (int s = 0; s < NSIZES; s++) {
			const struct tp_job *j = &jobs[a];

			fprintf(doc, "%s\"%u\":{\"zero_loss_mpps\":", s ? "," : "",
			    sizes[s]);
			bench_json_num(doc, j->zero_loss_mpps[s]);
			fputs(",\"zero_loss_gbps\":", doc);
			bench_json_num(doc, gbps(j->zero_loss_mpps[s], sizes[s]));
			fputs(",\"closed_loop_mpps\":", doc);
			bench_json_num(doc, j->closed_mpps[s]);
			fprintf(doc, ",\"void_trials\":%d,\"void_budget_exhausted\":%d,"
			    "\"trials\":[", j->voided[s], j->exhausted[s]);
			for (int t = 0; t < j->ntrials[s]; t++) {
				const struct trial *tr = &j->trials[s][t];

				fprintf(doc, "%s{\"offered_mpps\":", t ? "," : "");
				bench_json_num(doc, tr->rate / 1e6);
				fprintf(doc, ",\"sent\":%llu,\"received\":%llu,"
				    "\"missed\":%llu,\"preempted\":%llu,"
				    "\"pass\":%s,\"void\":%s}",
				    (unsigned long long)tr->sent,
				    (unsigned long long)tr->received,
				    (unsigned long long)tr->missed,
				    (unsigned long long)tr->preempted,
				    tr->pass ? "true" : "false",
				    tr->voided ? "true" : "false");
			}
			fputs("]}", doc);
		}
		fputc('}', doc);
	}
	/* A search ends in one rate per arm: these ratios have no blocks,
	 * hence no spread; the void trials say how far to trust them. */
	fputs("},\"ratios\":{", doc);
	for (int s = 0; s < NSIZES; s++) {
		double c = jobs[BARM_CAPIO].zero_loss_mpps[s];

		fprintf(doc, "%s\"%u\":{\"capio_kernel\":", s ? "," : "", sizes[s]);
		bench_json_num(doc, c / jobs[BARM_KERNEL].zero_loss_mpps[s]);
		fputs(",\"capio_page\":", doc);
		bench_json_num(doc, c / jobs[BARM_PAGE].zero_loss_mpps[s]);
		fputs(",\"capio_raw\":", doc);
		bench_json_num(doc, c / jobs[BARM_RAW].zero_loss_mpps[s]);
		fputc('}', doc);
	}
	fputs("},\"targets\":[", doc);
	{
		struct bench_spread one = { run->cap64, NAN, NAN, 0 };

		bench_target_json(doc, "capio zero-loss Mpps, 64 B", &one,
		    TARGET_MPPS, INFINITY, run->verdict);
	}
	fputs("]", doc);
}

/* The summary table on stdout. */
static void
print_summary(const struct bench_opts *o, const void *ctx)
{
	const struct tp_run *run = ctx;
	const struct tp_job *jobs = run->jobs;

	printf("capio bench throughput: highest zero-loss rate, NIC 0 -> "
	    "NIC 1, one core;\ntrials of %llu frames, search to %.0f%%, a "
	    "rate passes if one of %d trials is clean\n(a trial that lost "
	    "frames while the host preempted the benchmark is void and\n"
	    "repeated); the arms' searches interleaved, a trial each in "
	    "turn; kernel arm\n%s host system calls.\n\n",
	    (unsigned long long)run->frames, run->res * 100, ATTEMPTS,
	    o->host_syscalls ? "pays real" : "without");
	printf("%5s %-7s %12s %12s %10s %7s %6s\n", "size", "arm",
	    "zero-loss", "closed-loop", "Gb/s", "trials", "void");
	printf("%5s %-7s %12s %12s %10s %7s %6s\n", "", "", "Mpps", "Mpps",
	    "", "", "");
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < BENCH_NARMS; a++) {
			const struct tp_job *j = &jobs[a];

			printf("%5u %-7s %12.3f %12.3f %10.2f %7d %6d\n",
			    sizes[s], bench_arm_name(j->arm),
			    j->zero_loss_mpps[s], j->closed_mpps[s],
			    gbps(j->zero_loss_mpps[s], sizes[s]), j->ntrials[s],
			    j->voided[s]);
		}
	printf("\nratios of zero-loss rates (one search per arm: no "
	    "spread)\n%5s  %-12s %-12s %-12s\n", "size", "capio/kernel",
	    "capio/page", "capio/raw");
	for (int s = 0; s < NSIZES; s++) {
		double c = jobs[BARM_CAPIO].zero_loss_mpps[s];

		printf("%5u  %-12.3f %-12.3f %-12.3f\n", sizes[s],
		    c / jobs[BARM_KERNEL].zero_loss_mpps[s],
		    c / jobs[BARM_PAGE].zero_loss_mpps[s],
		    c / jobs[BARM_RAW].zero_loss_mpps[s]);
	}
	printf("\ntarget: capio at 64 B >= %.3f Mpps: %.3f %s\n\n",
	    TARGET_MPPS, run->cap64, bench_verdict_word(run->verdict));
}

static const struct bench_report report = {
	.name = "throughput",
	.csv_header = "machine,commit,arm,size,host_syscalls,frames_per_trial,"
	    "trials,void_trials,closed_loop_mpps,zero_loss_mpps,zero_loss_gbps,"
	    "capio_ratio\n",
	.dat = true, .files = write_files, .doc = write_doc,
	.plot = plot_script, .summary = print_summary,
};

int
bench_throughput_run(const struct bench_opts *o, char **json)
{
	static struct tp_run run;
	struct tp_job *jobs = run.jobs;
	struct bench_verdicts *v = &run.v;
	int exhausted = 0;
	int rc = 1;

	*json = NULL;
	memset(&run, 0, sizeof run);
	run.frames = bench_pick(o->frames, o->quick, 20000, 200000);
	run.res = o->quick ? 0.05 : 0.01;
	bench_verdicts_init(v, "throughput");
	bench_progress_begin(o, "throughput");
	if (bench_out_dir(o) != 0)
		return 1;
	for (int a = 0; a < BENCH_NARMS; a++) {
		jobs[a].arm = (enum bench_arm)a;
		jobs[a].o = o;
		jobs[a].frames = run.frames;
		jobs[a].resolution = run.res;
		jobs[a].max_trials = o->quick ? 40 : MAX_TRIALS;
		jobs[a].max_voids = o->quick ? 2 : VOIDS;
		if (boot_arm(&jobs[a]) != 0)
			goto out;
	}
	if (interleave(jobs) != 0)
		goto out;
	for (int a = 0; a < BENCH_NARMS; a++)
		if (end_arm(&jobs[a]) != 0)
			goto out;
	bench_progress_end(o);

	/* What the void trials say about the run, and the target. */
	for (int a = 0; a < BENCH_NARMS; a++)
		for (int s = 0; s < NSIZES; s++) {
			run.trials += jobs[a].ntrials[s];
			run.voids += jobs[a].voided[s];
			exhausted += jobs[a].exhausted[s];
		}
	if (run.trials > 0 && run.voids > VOID_SHARE * run.trials)
		bench_verdicts_noise(v, "too noisy: %d of %d trials (%.0f%%) void, "
		    "the host preempted the benchmark; the zero-loss rates are "
		    "low by an unknown amount", run.voids, run.trials,
		    100.0 * run.voids / run.trials);
	else if (exhausted > 0)
		bench_verdicts_noise(v, "too noisy: %d rate%s failed only after "
		    "%d void trials each; the zero-loss rates are low by an unknown "
		    "amount", exhausted, exhausted == 1 ? "" : "s",
		    jobs[0].max_voids);
	run.cap64 = jobs[BARM_CAPIO].zero_loss_mpps[0];
	/* Noise only slows an arm: a rate found in spite of it stands. */
	if (o->quick)
		run.verdict = BENCH_UNJUDGED;
	else if (bench_target_met(run.cap64, TARGET_MPPS, INFINITY))
		run.verdict = BENCH_MET;
	else if (v->noisy)
		run.verdict = BENCH_NOISY;
	else {
		run.verdict = BENCH_MISSED;
		v->missed++;
	}
	if (bench_report_write(o, &report, &run, v, json) == 0)
		rc = 0;
out:
	bench_run_end(o, NULL, NULL, NULL);
	for (int a = 0; a < BENCH_NARMS; a++) {
		if (jobs[a].k != NULL)
			kernel_halt(jobs[a].k);
		jobs[a].k = NULL;
	}
	return rc;
}
