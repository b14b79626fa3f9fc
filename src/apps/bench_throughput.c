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
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "apps/bench.h"
#include "apps/bench_port.h"
#include "apps/bench_report.h"
#include "dev/e1000e.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/libcapio.h"

#define USAGE	"capio bench throughput [--quick] [--json] [--out DIR] " \
		"[--no-host-syscalls] [--frames N]"
#define NSIZES		2
#define FCS		4
#define BURST		32
#define MAX_TRIALS	400	/* per search; --quick: 40 */
#define ATTEMPTS	3	/* a rate passes if one of these is clean */
#define VOIDS		20	/* preempted trials repeated per rate; --quick: 2 */
#define DRAIN_POLLS	10000

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
	/* out, per size */
	double closed_mpps[NSIZES], zero_loss_mpps[NSIZES];
	struct trial trials[NSIZES][MAX_TRIALS];
	int ntrials[NSIZES], voided[NSIZES];
	char err[200];
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
	e1000e_get_counters(kernel_nic(j->k, 1), &c);
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

/*
 * A rate passes when one of ATTEMPTS trials is clean. A trial that lost
 * frames while the host scheduler took the CPU away from the benchmark
 * measured the host, not the arm: it is void and repeated (at most VOIDS
 * times per rate; after that it counts as a failure).
 */
static bool
try_rate(struct rig *r, int s, double rate)
{
	struct tp_job *j = r->j;
	int fails = 0, voids = 0;

	while (fails < ATTEMPTS && j->ntrials[s] < j->max_trials) {
		struct trial *t = &j->trials[s][j->ntrials[s]++];

		bench_progress(j->o, "throughput: %s arm, %u-byte frames, "
		    "%.3f Mpps", bench_arm_name(j->arm), sizes[s], rate / 1e6);
		paced(r, rate, j->frames, t);
		if (t->pass)
			return true;
		/* Frames that were neither received nor missed: a bug, not
		 * a rate. */
		if (t->received + t->missed != t->sent) {
			snprintf(j->err, sizeof j->err, "%s arm: %llu frames "
			    "unaccounted for", bench_arm_name(j->arm),
			    (unsigned long long)(t->sent - t->received - t->missed));
			return false;
		}
		if (t->preempted > 0 && voids < j->max_voids) {
			t->voided = true;
			voids++;
			j->voided[s]++;
		} else
			fails++;
	}
	return false;
}

static void
search(struct rig *r, int s)
{
	struct tp_job *j = r->j;
	double c = 0, lo = 0, hi;

	/* The best of three closed loops: the host's noise only slows. */
	for (int i = 0; i < 3; i++) {
		double x = closed_loop(r, j->frames);

		if (x <= 0) {
			snprintf(j->err, sizeof j->err, "%s arm: frames lost with "
			    "no load", bench_arm_name(j->arm));
			return;
		}
		c = fmax(c, x);
	}
	j->closed_mpps[s] = c / 1e6;
	/* Start at the closed-loop rate; pacing lets bursts grow, so it may
	 * carry more: go up until a rate fails, then bisect. */
	hi = c;
	for (int up = 0; up < 8 && j->err[0] == '\0' && try_rate(r, s, hi);
	    up++) {
		lo = hi;
		hi *= 1.25;
	}
	while (lo < hi && j->err[0] == '\0' && hi - lo > j->resolution * hi &&
	    j->ntrials[s] < j->max_trials) {
		double mid = (lo + hi) / 2;

		if (try_rate(r, s, mid))
			lo = mid;
		else
			hi = mid;
	}
	j->zero_loss_mpps[s] = lo / 1e6;
}

static void
tp_main(void *arg)
{
	struct tp_job *j = arg;
	struct rig *r = calloc(1, sizeof *r);
	uint8_t frame[2048];
	int err;

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
	for (int s = 0; s < NSIZES && j->err[0] == '\0'; s++) {
		unsigned len = sizes[s] - FCS;

		memset(frame, 0xff, 6);
		memcpy(frame + 6, "\x02\x00\x00\x00\x00\x07", 6);
		frame[12] = 0x88;
		frame[13] = 0xb5;
		for (unsigned i = 14; i < len; i++)
			frame[i] = (uint8_t)(i * 7 + sizes[s]);
		for (int i = 0; i < BURST; i++)
			bench_buf_put(&r->tx[i], frame, (uint16_t)len);
		search(r, s);
	}
	bench_port_close(&r->p0);
	bench_port_close(&r->p1);
	bench_bufs_free(r->tx);
	bench_bufs_free(r->rx);
	free(r);
	sys_exit(j->err[0] ? 1 : 0);
}

static int
run_arm(struct tp_job *j)
{
	char err[200];
	struct kernel *k = bench_boot(j->arm, j->o->host_syscalls, err,
	    sizeof err);
	int rc = 0;

	if (k == NULL) {
		fprintf(stderr, "capio: bench throughput: cannot boot: %s\n", err);
		return -1;
	}
	j->k = k;
	if ((j->pid = kernel_spawn(k, "throughput", tp_main, j)) < 0) {
		fprintf(stderr, "capio: bench throughput: cannot spawn\n");
		kernel_halt(k);
		return -1;
	}
	if (bench_run_to_end(k, j->arm, &j->pid, 1, j->err,
	    sizeof j->err) != 0) {
		bench_progress_end(j->o);
		fprintf(stderr, "capio: bench throughput: %s\n", j->err);
		rc = -1;
	}
	kernel_halt(k);
	return rc;
}

/* Frame bits per second at a rate (the frame with its FCS; no preamble
 * or gap: the simulated wire has neither). */
static double
gbps(double mpps, unsigned size)
{
	return mpps * 1e6 * size * 8 / 1e9;
}

static void
plot_script(const struct bench_opts *o)
{
	FILE *gp = bench_plot_begin(o, "throughput", 1200, 500, 1, NSIZES,
	    "capio bench throughput: trials of the zero-loss search per arm");

	if (gp == NULL)
		return;
	fprintf(gp,
	    "set grid\nset key top left\n"
	    "set xlabel 'offered load (Mpps)'\n"
	    "set ylabel 'frames lost (%%)'\n"
	    "set offsets 0, 0, graph 0.05, graph 0.05\n");
	for (int s = 0; s < NSIZES; s++) {
		fprintf(gp, "set title '%u-byte frames'\nplot ", sizes[s]);
		for (int a = 0; a < BENCH_NARMS; a++)
			fprintf(gp, "%s'throughput.dat' index %d using 1:2 with "
			    "points pt 7 ps 1 title '%s'", a ? ", " : "",
			    s * BENCH_NARMS + a, bench_arm_name((enum bench_arm)a));
		fputc('\n', gp);
	}
	bench_plot_end(gp);
}

int
bench_throughput_run(const struct bench_opts *o, char **json)
{
	static struct tp_job jobs[BENCH_NARMS];
	uint64_t frames = bench_pick(o->frames, o->quick, 20000, 200000);
	double res = o->quick ? 0.05 : 0.01;
	FILE *csv = NULL, *dat = NULL, *doc;
	char *buf = NULL;
	size_t len;
	int rc = 1;

	*json = NULL;
	memset(jobs, 0, sizeof jobs);
	if (bench_out_dir(o) != 0)
		return 1;
	for (int a = 0; a < BENCH_NARMS; a++) {
		jobs[a].arm = (enum bench_arm)a;
		jobs[a].o = o;
		jobs[a].frames = frames;
		jobs[a].resolution = res;
		jobs[a].max_trials = o->quick ? 40 : MAX_TRIALS;
		jobs[a].max_voids = o->quick ? 2 : VOIDS;
		if (run_arm(&jobs[a]) != 0)
			goto out;
	}
	bench_progress_end(o);

	if ((csv = bench_out_open(o, "throughput.csv")) == NULL ||
	    (dat = bench_out_open(o, "throughput.dat")) == NULL)
		goto out;
	fprintf(csv, "machine,commit,arm,size,host_syscalls,frames_per_trial,"
	    "trials,void_trials,closed_loop_mpps,zero_loss_mpps,zero_loss_gbps\n");
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < BENCH_NARMS; a++) {
			const struct tp_job *j = &jobs[a];

			fprintf(csv, "%s,%s,%s,%u,%d,%llu,%d,%d,%.4f,%.4f,%.3f\n",
			    bench_machine_csv(), bench_commit(),
			    bench_arm_name(j->arm), sizes[s], o->host_syscalls,
			    (unsigned long long)frames, j->ntrials[s], j->voided[s],
			    j->closed_mpps[s], j->zero_loss_mpps[s],
			    gbps(j->zero_loss_mpps[s], sizes[s]));
			fprintf(dat, "# %s %u: offered Mpps, lost %%\n",
			    bench_arm_name(j->arm), sizes[s]);
			for (int t = 0; t < j->ntrials[s]; t++) {
				const struct trial *tr = &j->trials[s][t];

				if (tr->voided)
					continue;
				fprintf(dat, "%.4f %.4f\n", tr->rate / 1e6, tr->sent ?
				    100.0 * (double)(tr->sent - tr->received) /
				    (double)tr->sent : 0.0);
			}
			fprintf(dat, "\n\n");
		}
	if (fclose(csv) != 0 || fclose(dat) != 0) {
		csv = dat = NULL;
		fprintf(stderr, "capio: bench throughput: cannot write the files\n");
		goto out;
	}
	csv = dat = NULL;

	if ((doc = bench_doc_begin("throughput", o, &buf, &len)) == NULL)
		goto out;
	fprintf(doc, "\"frames_per_trial\":%llu,\"resolution\":%.3f,"
	    "\"attempts\":%d,\"void_budget\":%d,\"arms\":[",
	    (unsigned long long)frames, res, ATTEMPTS, jobs[0].max_voids);
	for (int a = 0; a < BENCH_NARMS; a++)
		fprintf(doc, "%s\"%s\"", a ? "," : "",
		    bench_arm_name((enum bench_arm)a));
	fputs("],\"sizes\":[", doc);
	for (int s = 0; s < NSIZES; s++)
		fprintf(doc, "%s%u", s ? "," : "", sizes[s]);
	fputs("],\"mpps\":{", doc);
	for (int a = 0; a < BENCH_NARMS; a++) {
		fprintf(doc, "%s\"%s\":{", a ? "," : "",
		    bench_arm_name((enum bench_arm)a));
		for (int s = 0; s < NSIZES; s++) {
			fprintf(doc, "%s\"%u\":", s ? "," : "", sizes[s]);
			bench_json_num(doc, jobs[a].zero_loss_mpps[s]);
		}
		fputc('}', doc);
	}
	fputs("},\"results\":{", doc);
	for (int a = 0; a < BENCH_NARMS; a++) {
		fprintf(doc, "%s\"%s\":{", a ? "," : "",
		    bench_arm_name((enum bench_arm)a));
		for (int s = 0; s < NSIZES; s++) {
			const struct tp_job *j = &jobs[a];

			fprintf(doc, "%s\"%u\":{\"zero_loss_mpps\":", s ? "," : "",
			    sizes[s]);
			bench_json_num(doc, j->zero_loss_mpps[s]);
			fputs(",\"zero_loss_gbps\":", doc);
			bench_json_num(doc, gbps(j->zero_loss_mpps[s], sizes[s]));
			fputs(",\"closed_loop_mpps\":", doc);
			bench_json_num(doc, j->closed_mpps[s]);
			fprintf(doc, ",\"void_trials\":%d,\"trials\":[",
			    j->voided[s]);
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
	double cap64 = jobs[BARM_CAPIO].zero_loss_mpps[0];
	fputs("},\"ratios\":{", doc);
	for (int s = 0; s < NSIZES; s++) {
		char key[16];

		snprintf(key, sizeof key, "%u", sizes[s]);
		fputs(s ? "," : "", doc);
		bench_ratios_json(doc, key, jobs[BARM_CAPIO].zero_loss_mpps[s],
		    jobs[BARM_KERNEL].zero_loss_mpps[s],
		    jobs[BARM_PAGE].zero_loss_mpps[s],
		    jobs[BARM_RAW].zero_loss_mpps[s]);
	}
	fputs("},\"targets\":[", doc);
	bench_target_json(doc, "capio zero-loss Mpps, 64 B", cap64, 2.0,
	    INFINITY);
	fputs("]", doc);
	if (bench_doc_end(doc) != 0 || buf == NULL) {
		fprintf(stderr, "capio: bench throughput: out of memory\n");
		goto out;
	}
	if (bench_out_write(o, "throughput.json", buf) != 0)
		goto out;
	plot_script(o);
	if (bench_plot(o, "throughput") < 0)
		goto out;

	if (!o->json) {
		printf("capio bench throughput: highest zero-loss rate, NIC 0 -> "
		    "NIC 1, one core;\ntrials of %llu frames, search to %.0f%%, a "
		    "rate passes if one of %d trials is clean\n(a trial that lost "
		    "frames while the host preempted the benchmark is void and\n"
		    "repeated); kernel arm %s host system calls.\n\n",
		    (unsigned long long)frames, res * 100, ATTEMPTS,
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
		printf("\nratios of zero-loss rates\n%5s  %-12s %-12s %-12s\n",
		    "size", "capio/kernel", "capio/page", "capio/raw");
		for (int s = 0; s < NSIZES; s++) {
			double c = jobs[BARM_CAPIO].zero_loss_mpps[s];

			printf("%5u  %-12.3f %-12.3f %-12.3f\n", sizes[s],
			    c / jobs[BARM_KERNEL].zero_loss_mpps[s],
			    c / jobs[BARM_PAGE].zero_loss_mpps[s],
			    c / jobs[BARM_RAW].zero_loss_mpps[s]);
		}
		printf("\ntarget: capio at 64 B >= 2.000 Mpps: %.3f %s\n", cap64,
		    bench_target_word(cap64, 2.0, INFINITY));
		printf("\nfiles: %s/throughput.csv, %s/throughput.json, "
		    "%s/throughput.png\n", o->out, o->out, o->out);
	}
	*json = buf;
	buf = NULL;
	rc = 0;
out:
	bench_run_end(o, csv, dat, buf);
	return rc;
}

int
bench_throughput(int argc, char **argv)
{
	return bench_main(argc, argv, BOPT_FRAMES, USAGE,
	    "Highest rate each arm (kernel, page, capio, raw) carries from NIC 0\n"
	    "to NIC 1 of a pair wire with zero loss, on one core: trials of N\n"
	    "frames offered at a rate on the host clock, binary search on the\n"
	    "rate (RFC 2544 style); frames of 64 and 1518 bytes. Loss is counted\n"
	    "on the receiving side, RX ring overruns (MPC) included. Writes\n"
	    "throughput.csv, throughput.json, throughput.png under --out.\n",
	    bench_throughput_run);
}
