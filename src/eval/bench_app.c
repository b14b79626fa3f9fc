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

static bool
alive(struct kernel *k, int pid)
{
	struct proc_info pi;

	return kernel_proc_info(k, pid, &pi) == 0 && pi.state == PROC_RUNNABLE;
}

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

int
bench_app_start(struct bench_app *a)
{
	char err[200];
	struct client_cfg *c = a->cfg;
	int rounds;

	a->err[0] = '\0';
	a->seconds = 0;
	a->ops = 0;
	a->started = false;
	a->pids[0] = a->pids[1] = -1;
	if ((a->k = bench_boot(a->arm, a->host_syscalls, err,
	    sizeof err)) == NULL) {
		snprintf(a->err, sizeof a->err, "cannot boot: %s", err);
		return -1;
	}
	c->dev = 1;
	c->kernel_path = a->arm == BARM_KERNEL;
	board_nic_mac(kernel_board(a->k), 1, c->mac);
	if (a->server_mac != NULL)
		board_nic_mac(kernel_board(a->k), 0, a->server_mac);
	if ((a->pids[0] = kernel_spawn(a->k, "server", a->server,
	    a->server_arg)) < 0)
		goto spawn;
	for (rounds = 0; !*a->server_ready && alive(a->k, a->pids[0]) &&
	    rounds < SETUP_ROUNDS; rounds++)
		kernel_run(a->k, 1);
	if (!*a->server_ready) {
		why(a->k, a->pids[0], a->server_err, a->err, sizeof a->err);
		return -1;
	}
	/* Counters read after the workload cover the data path only. */
	c->hold = true;
	if ((a->pids[1] = kernel_spawn(a->k, "client", a->client, c)) < 0)
		goto spawn;
	return 0;
spawn:
	snprintf(a->err, sizeof a->err, "cannot spawn a process");
	return -1;
}

int
bench_app_step(struct bench_app *a, uint64_t until)
{
	struct client_cfg *c = a->cfg;
	uint64_t t0 = bench_now_ns();

	if (until > c->ops)
		until = c->ops;
	/* Round by round until the client is there. */
	while (c->done < until && alive(a->k, a->pids[1])) {
		kernel_run(a->k, 1);
		if (!a->started && c->done >= a->warmup) {
			/* The warm-up's time is not the arm's figure. */
			t0 = bench_now_ns();
			a->done0 = c->done;
			bench_counts_read(a->k, a->pids, 2, NULL, 0, &a->c0);
			a->started = true;
		}
		if (!alive(a->k, a->pids[0])) {
			why(a->k, a->pids[0], a->server_err, a->err, sizeof a->err);
			return -1;
		}
	}
	if (a->started)
		a->seconds += (double)(bench_now_ns() - t0) / 1e9;
	if (c->done < until) {
		if (c->err[0] != '\0')
			snprintf(a->err, sizeof a->err, "client: %s", c->err);
		else
			why(a->k, a->pids[1], NULL, a->err, sizeof a->err);
		return -1;
	}
	return 0;
}

int
bench_app_finish(struct bench_app *a)
{
	struct client_cfg *c = a->cfg;
	struct bench_counts c1;
	int rounds;

	if (a->k == NULL)
		return -1;
	if (a->err[0] != '\0')
		goto fail;
	if (bench_app_step(a, c->ops) != 0)
		goto fail;
	/* The client waits on hold once its workload is over. */
	for (rounds = 0; !c->finished && alive(a->k, a->pids[1]) &&
	    rounds < SETUP_ROUNDS; rounds++)
		kernel_run(a->k, 1);
	bench_counts_read(a->k, a->pids, 2, NULL, 0, &c1);
	c->hold = false;
	for (rounds = 0; alive(a->k, a->pids[1]) && rounds < SETUP_ROUNDS;
	    rounds++)
		kernel_run(a->k, 1);
	*a->server_stop = true;
	for (rounds = 0; alive(a->k, a->pids[0]) && rounds < SETUP_ROUNDS;
	    rounds++)
		kernel_run(a->k, 1);
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
	kernel_halt(a->k);
	a->k = NULL;
	return 0;
fail:
	kernel_halt(a->k);
	a->k = NULL;
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
