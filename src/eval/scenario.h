/*
 * scenario.h — one client/server run of the whole machine: boot a board
 * and a kernel on it, start the server and client processes, run until
 * they are done or a deadline, read the counters (kernel, processes,
 * NICs), halt. `capio run`, `capio demo` and the application
 * benchmarks (bench_app.h) each drive their run through it.
 */
#ifndef CAPIO_EVAL_SCENARIO_H
#define CAPIO_EVAL_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "board/board.h"
#include "dev/e1000e.h"
#include "kernel/kernel.h"

#define SCENARIO_MAXPROCS	8
#define SCENARIO_MAXNICS	4

struct scenario {
	struct kernel *k;		/* NULL before boot and after stop */
	int npids;
	int pids[SCENARIO_MAXPROCS];	/* in the order spawned */
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC; 0: none */
	bool timed_out;			/* scenario_run met the deadline */
	char err[256];
};

/* What the machine counted, read at one moment. */
struct scenario_counts {
	struct kernel_stats kernel;
	uint64_t free_pages;		/* the kernel's pool */
	int nprocs;			/* s->npids */
	struct proc_info proc[SCENARIO_MAXPROCS];
	int nnics;
	struct e1000e_counters nic[SCENARIO_MAXNICS];
};

/*
 * Boot: the board BD describes, the kernel with KO on it. 0, or -1 with
 * the board's or the kernel's message in s->err (s is reset first).
 */
int scenario_boot(struct scenario *s, const struct board_desc *bd,
    const struct kernel_opts *ko);
/*
 * Start a process (the server first, by convention, then the clients).
 * Its pid, also s->pids[s->npids - 1]; or -errno with s->err set.
 */
int scenario_spawn(struct scenario *s, const char *name, proc_fn fn,
    void *arg);
/* PID is still runnable. */
bool scenario_alive(const struct scenario *s, int pid);

/* Asked before every step of scenario_run: true ends the run. */
typedef bool scenario_until_fn(struct scenario *s, void *arg);
/* An until: the process *(int *)arg is no longer runnable. */
bool scenario_ended(struct scenario *s, void *arg);
/*
 * Run QUANTUM rounds at a time until UNTIL holds (NULL: never), nothing
 * is runnable, MAX_STEPS steps were taken or s->deadline_ns passed
 * (s->timed_out set). True when UNTIL held.
 */
bool scenario_run(struct scenario *s, uint64_t quantum, uint64_t max_steps,
    scenario_until_fn *until, void *arg);
/* The counters now. */
void scenario_counts(const struct scenario *s, struct scenario_counts *c);
/* Halt the machine (every process killed, the board powered off). */
void scenario_stop(struct scenario *s);

/* The board of the NVMe tenants' runs: no NIC, no wire, one controller
 * of SCENARIO_NVME_QUEUES queue pairs and as many RAM namespaces of
 * NS_BYTES each, with queue isolation (a model extension) if asked. */
#define SCENARIO_NVME_QUEUES	8u
void scenario_nvme_board(struct board_desc *bd, uint64_t ns_bytes,
    bool isolation);

#endif
