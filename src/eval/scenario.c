/*
 * scenario.c — boot, spawn, run, count, halt (scenario.h).
 */
#include "eval/scenario.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int
scenario_boot(struct scenario *s, const struct board_desc *bd,
    const struct kernel_opts *ko)
{
	memset(s, 0, sizeof *s);
	/* kernel_boot takes a NULL board and keeps board_new's message. */
	s->k = kernel_boot(board_new(bd, s->err, sizeof s->err), ko, s->err,
	    sizeof s->err);
	return s->k != NULL ? 0 : -1;
}

int
scenario_spawn(struct scenario *s, const char *name, proc_fn fn, void *arg)
{
	int pid;

	if (s->npids == SCENARIO_MAXPROCS) {
		snprintf(s->err, sizeof s->err, "too many processes");
		return -1;
	}
	if ((pid = kernel_spawn(s->k, name, fn, arg)) < 0) {
		snprintf(s->err, sizeof s->err, "cannot spawn a process");
		return pid;
	}
	s->pids[s->npids++] = pid;
	return pid;
}

bool
scenario_alive(const struct scenario *s, int pid)
{
	struct proc_info pi;

	return kernel_proc_info(s->k, pid, &pi) == 0 &&
	    pi.state == PROC_RUNNABLE;
}

bool
scenario_ended(struct scenario *s, void *arg)
{
	return !scenario_alive(s, *(const int *)arg);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

bool
scenario_run(struct scenario *s, uint64_t quantum, uint64_t max_steps,
    scenario_until_fn *until, void *arg)
{
	for (uint64_t step = 0; step < max_steps; step++) {
		if (until != NULL && until(s, arg))
			return true;
		/* The clock only when asked: the benchmarks step by one round. */
		if (s->deadline_ns != 0 && now_ns() >= s->deadline_ns) {
			s->timed_out = true;
			return false;
		}
		if (kernel_run(s->k, quantum) == 0)
			break;
	}
	return until != NULL && until(s, arg);
}

void
scenario_counts(const struct scenario *s, struct scenario_counts *c)
{
	const struct board *b = kernel_board(s->k);

	memset(c, 0, sizeof *c);
	kernel_get_stats(s->k, &c->kernel);
	c->free_pages = kernel_free_pages(s->k);
	c->nprocs = s->npids;
	for (int i = 0; i < s->npids; i++)
		kernel_proc_info(s->k, s->pids[i], &c->proc[i]);
	for (int i = 0; i < board_ndevs(b) && i < SCENARIO_MAXNICS &&
	    board_nic(b, i) != NULL; i++) {
		e1000e_get_counters(board_nic(b, i), &c->nic[i]);
		c->nnics++;
	}
}

void
scenario_stop(struct scenario *s)
{
	kernel_halt(s->k);
	s->k = NULL;
}

void
scenario_nvme_board(struct board_desc *bd, uint64_t ns_bytes, bool isolation)
{
	board_desc_default(bd);
	bd->nics = 0;
	bd->wire = NULL;
	bd->nvmes = 1;
	bd->nvme[0].queues = SCENARIO_NVME_QUEUES;
	bd->nvme[0].namespaces = SCENARIO_NVME_QUEUES;
	bd->nvme[0].ns_bytes = ns_bytes;
	bd->nvme[0].queue_isolation = isolation;
}
