/*
 * bench_app.c — client/server machines for the application benchmarks
 * (bench_app.h). The kernel's scheduler runs one round at a time so the
 * rig can look between rounds: the client gives up the CPU (wfe) at
 * least once per operation while it waits for the server, so the rig
 * sees each operation end, and can stop there.
 */
#include "eval/bench_app.h"

#include <stdio.h>
#include <string.h>

#include "eval/bench.h"
#include "eval/bench_report.h"
#include "board/board.h"

#define SETUP_ROUNDS	100000	/* for the server to start listening */

static void
why(struct kernel *k, int pid, const char *msg, char *err, size_t len)
{
	struct proc_info pi;

	if (msg != NULL && msg[0] != '\0')
		snprintf(err, len, "%s", msg);
	else if (kernel_proc_info(k, pid, &pi) == 0)
		snprintf(err, len, "%s: %s", pi.name, pi.status);
	else
		snprintf(err, len, "process %d vanished", pid);
}

/* The server listens, or is gone. */
static bool
server_up(struct scenario *s, void *arg)
{
	struct bench_app *a = arg;

	return *a->server_ready || !scenario_alive(s, s->pids[0]);
}

/* The client is through its workload (waiting on hold), or gone. */
static bool
client_finished(struct scenario *s, void *arg)
{
	struct bench_app *a = arg;

	return a->cfg->finished || !scenario_alive(s, s->pids[1]);
}

int
bench_app_start(struct bench_app *a)
{
	struct board_desc bd;
	struct kernel_opts ko;
	struct client_cfg *c = a->cfg;

	a->err[0] = '\0';
	a->seconds = 0;
	a->ops = 0;
	a->started = false;
	bench_machine(a->arm, a->host_syscalls, &bd, &ko);
	if (scenario_boot(&a->s, &bd, &ko) != 0) {
		snprintf(a->err, sizeof a->err, "cannot boot: %.200s", a->s.err);
		return -1;
	}
	c->dev = 1;
	c->kernel_path = a->arm == BARM_KERNEL;
	board_nic_mac(kernel_board(a->s.k), 1, c->mac);
	if (a->server_mac != NULL)
		board_nic_mac(kernel_board(a->s.k), 0, a->server_mac);
	if (scenario_spawn(&a->s, "server", a->server, a->server_arg) < 0)
		goto spawn;
	scenario_run(&a->s, 1, SETUP_ROUNDS, server_up, a);
	if (!*a->server_ready) {
		why(a->s.k, a->s.pids[0], a->server_err, a->err, sizeof a->err);
		return -1;
	}
	/* Counters read after the workload cover the data path only. */
	c->hold = true;
	if (scenario_spawn(&a->s, "client", a->client, c) < 0)
		goto spawn;
	return 0;
spawn:
	snprintf(a->err, sizeof a->err, "cannot spawn a process");
	return -1;
}

/* Where bench_app_step is: asked before each round and after the last. */
struct step {
	struct bench_app *a;
	uint64_t until, t0;
	uint64_t looks;
	bool server_died;
};

static bool
step_done(struct scenario *s, void *arg)
{
	struct step *st = arg;
	struct bench_app *a = st->a;
	struct client_cfg *c = a->cfg;

	if (st->looks++ > 0) {
		/* A round ran. */
		if (!a->started && c->done >= a->warmup) {
			/* The warm-up's time is not the arm's figure. */
			st->t0 = bench_now_ns();
			a->done0 = c->done;
			bench_counts_read(s->k, s->pids, 2, NULL, 0, &a->c0);
			a->started = true;
		}
		if (!scenario_alive(s, s->pids[0])) {
			st->server_died = true;
			return true;
		}
	}
	return c->done >= st->until || !scenario_alive(s, s->pids[1]);
}

int
bench_app_step(struct bench_app *a, uint64_t until)
{
	struct client_cfg *c = a->cfg;
	struct step st = { a, until, bench_now_ns(), 0, false };

	if (st.until > c->ops)
		st.until = c->ops;
	/* Round by round until the client is there. */
	scenario_run(&a->s, 1, UINT64_MAX, step_done, &st);
	if (st.server_died) {
		why(a->s.k, a->s.pids[0], a->server_err, a->err, sizeof a->err);
		return -1;
	}
	if (a->started)
		a->seconds += (double)(bench_now_ns() - st.t0) / 1e9;
	if (c->done < st.until) {
		if (c->err[0] != '\0')
			snprintf(a->err, sizeof a->err, "client: %s", c->err);
		else
			why(a->s.k, a->s.pids[1], NULL, a->err, sizeof a->err);
		return -1;
	}
	return 0;
}

int
bench_app_finish(struct bench_app *a)
{
	struct client_cfg *c = a->cfg;
	struct bench_counts c1;

	if (a->s.k == NULL)
		return -1;
	if (a->err[0] != '\0')
		goto fail;
	if (bench_app_step(a, c->ops) != 0)
		goto fail;
	/* The client waits on hold once its workload is over. */
	scenario_run(&a->s, 1, SETUP_ROUNDS, client_finished, a);
	bench_counts_read(a->s.k, a->s.pids, 2, NULL, 0, &c1);
	c->hold = false;
	scenario_run(&a->s, 1, SETUP_ROUNDS, scenario_ended, &a->s.pids[1]);
	*a->server_stop = true;
	scenario_run(&a->s, 1, SETUP_ROUNDS, scenario_ended, &a->s.pids[0]);
	if (c->err[0] != '\0' || c->timeouts || c->failed ||
	    c->verified != c->ops) {
		if (c->err[0] != '\0')
			snprintf(a->err, sizeof a->err, "client: %s", c->err);
		else
			snprintf(a->err, sizeof a->err, "client: %llu of %u "
			    "operations verified (%llu failed, %llu timed out)",
			    (unsigned long long)c->verified, c->ops,
			    (unsigned long long)c->failed,
			    (unsigned long long)c->timeouts);
		goto fail;
	}
	if (!a->started || c->done <= a->done0) {
		snprintf(a->err, sizeof a->err, "no operation after the warm-up");
		goto fail;
	}
	a->ops = c->done - a->done0;
	bench_counts_sub(&a->cost, &c1, &a->c0);
	scenario_stop(&a->s);
	return 0;
fail:
	scenario_stop(&a->s);
	return -1;
}

uint64_t
bench_app_ops(uint64_t warmup, uint64_t samples, int nb)
{
	return warmup + samples + (uint64_t)nb;
}

int
bench_app_interleave(struct bench_app *apps, int n, uint64_t samples,
    int nb, const struct bench_opts *o, double f0, double f1,
    const char *what, bench_app_block_fn *fn, void *ctx, int *bad)
{
	for (int i = 0; i < n; i++)
		if (bench_app_step(&apps[i], apps[i].warmup) != 0) {
			*bad = i;
			return -1;
		}
	for (int blk = 0; blk < nb; blk++) {
		/* Operation `first` is the one paused mid-way: left out. */
		uint64_t first = bench_block_start(samples, nb, blk) +
		    (uint64_t)blk;
		uint64_t end = bench_block_start(samples, nb, blk + 1) +
		    (uint64_t)blk + 1;

		bench_progress(o, f0 + (f1 - f0) * blk / nb, "%s, round %d of %d",
		    what, blk + 1, nb);
		for (int r = 0; r < n; r++) {
			int i = bench_round_arm(blk, n, r);
			struct bench_app *a = &apps[i];
			double s0 = a->seconds;

			if (bench_app_step(a, a->warmup + end) != 0) {
				*bad = i;
				return -1;
			}
			fn(ctx, i, blk, a->warmup + first + 1, a->warmup + end,
			    a->seconds - s0);
		}
	}
	return 0;
}
