/*
 * bench_app.c — a client/server run for the application benchmarks
 * (bench_app.h). The kernel's scheduler runs one round at a time so the
 * rig can look between rounds: the client gives up the CPU (wfe) at
 * least once per operation while it waits for the server, so the rig
 * sees each operation end.
 */
#include "apps/bench_app.h"

#include <stdio.h>
#include <string.h>

#include "apps/bench.h"

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
bench_app_run(struct bench_app *a)
{
	char err[200];
	struct client_cfg *c = a->cfg;
	struct bench_counts c0, c1;
	struct kernel *k;
	int pids[2], rounds;
	uint64_t t0 = 0, t1 = 0, d0 = 0, d1 = 0;
	bool started = false;

	a->err[0] = '\0';
	if ((k = bench_boot(a->arm, a->host_syscalls, err, sizeof err)) == NULL) {
		snprintf(a->err, sizeof a->err, "cannot boot: %s", err);
		return -1;
	}
	c->dev = 1;
	c->kernel_path = a->arm == BARM_KERNEL;
	kernel_nic_mac(k, 1, c->mac);
	if (a->server_mac != NULL)
		kernel_nic_mac(k, 0, a->server_mac);
	if ((pids[0] = kernel_spawn(k, "server", a->server, a->server_arg)) < 0)
		goto spawn;
	for (rounds = 0; !*a->server_ready && alive(k, pids[0]) &&
	    rounds < SETUP_ROUNDS; rounds++)
		kernel_run(k, 1);
	if (!*a->server_ready) {
		why(k, pids[0], a->server_err, a->err, sizeof a->err);
		goto fail;
	}
	if ((pids[1] = kernel_spawn(k, "client", a->client, c)) < 0)
		goto spawn;
	/* Round by round until the client is done. */
	while (alive(k, pids[1])) {
		kernel_run(k, 1);
		if (!started && c->done >= a->warmup) {
			t0 = bench_now_ns();
			d0 = c->done;
			bench_counts_read(k, pids, 2, NULL, 0, &c0);
			started = true;
		}
		if (!alive(k, pids[0]))
			break;
	}
	t1 = bench_now_ns();
	d1 = c->done;
	bench_counts_read(k, pids, 2, NULL, 0, &c1);
	if (!alive(k, pids[0]) && alive(k, pids[1])) {
		why(k, pids[0], a->server_err, a->err, sizeof a->err);
		goto fail;
	}
	*a->server_stop = true;
	for (rounds = 0; alive(k, pids[0]) && rounds < SETUP_ROUNDS; rounds++)
		kernel_run(k, 1);
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
	if (!started || d1 <= d0) {
		snprintf(a->err, sizeof a->err, "no operation after the warm-up");
		goto fail;
	}
	a->seconds = (double)(t1 - t0) / 1e9;
	a->ops = d1 - d0;
	bench_counts_sub(&a->cost, &c1, &c0);
	kernel_halt(k);
	return 0;
spawn:
	snprintf(a->err, sizeof a->err, "cannot spawn a process");
fail:
	kernel_halt(k);
	return -1;
}
