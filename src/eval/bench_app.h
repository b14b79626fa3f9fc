/*
 * bench_app.h — one client/server machine per arm, for the application
 * benchmarks (udp, memcached): a server process on NIC 0, a client
 * process (client.h) on NIC 1, both through the same arm. The rig runs
 * a machine only when it asks for more operations (bench_app_step), so
 * several arms' machines can take turns, block by block; it notes the
 * time each spends and the processes' counters from the end of the
 * client's warm-up to its last operation.
 */
#ifndef CAPIO_EVAL_BENCH_APP_H
#define CAPIO_EVAL_BENCH_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "eval/bench_port.h"
#include "eval/scenario.h"
#include "kernel/kernel.h"
#include "user/client.h"

struct bench_app {
	/* in */
	enum bench_arm arm;		/* kernel, page or capio */
	bool host_syscalls;
	proc_fn server;			/* runs until *stop, sets *ready */
	void *server_arg;
	volatile bool *server_ready, *server_stop;
	const char *server_err;		/* its message, if it fails */
	uint8_t *server_mac;		/* gets NIC 0's MAC before it starts */
	proc_fn client;			/* udp_client_main, mc_client_main */
	struct client_cfg *cfg;		/* ops = warm-up + measured */
	uint64_t warmup;
	/* out */
	double seconds;			/* run time after the warm-up */
	uint64_t ops;			/* operations in that time */
	struct bench_counts cost;	/* both processes, same span */
	char err[240];
	/* the rig's */
	struct scenario s;		/* pids[0] the server, [1] the client */
	struct bench_counts c0;
	uint64_t done0;			/* operations at the warm-up's end */
	bool started;
};

/*
 * Boot a machine for the arm, start the server on NIC 0 (its MAC in
 * *server_mac), spawn the client on NIC 1 (cfg->dev, mac and kernel_path
 * are filled in). 0, or -1 with a message in a->err.
 */
int bench_app_start(struct bench_app *a);
/*
 * Run the machine until the client has done `until` operations (at most
 * cfg->ops). The client pauses in the middle of the next one: its time
 * includes the pause, so the rig leaves it out. 0, or -1 (a->err).
 */
int bench_app_step(struct bench_app *a, uint64_t until);
/*
 * Let the client end, stop the server, check every reply was verified,
 * and halt the machine. 0, or -1 (a->err). Halts it after an error too.
 */
int bench_app_finish(struct bench_app *a);

struct bench_opts;

/*
 * A block measured: operations [i0, i1) of arm's client (their times in
 * cfg->lat_ns), in `seconds` of the machine's time.
 */
typedef void bench_app_block_fn(void *ctx, int arm, int blk, uint64_t i0,
    uint64_t i1, double seconds);

/* Client operations for WARMUP + SAMPLES measured in NB blocks: one more
 * per block, the one paused in the middle. */
uint64_t bench_app_ops(uint64_t warmup, uint64_t samples, int nb);
/*
 * The started machines apps[0..n) in turn: the warm-ups, then NB rounds
 * of a block per machine (in a rotating order), FN called for each
 * block. Progress from fraction F0 to F1 of the run, "WHAT, round x of
 * NB". 0, or -1 with the failing arm in *bad (its message in its err).
 */
int bench_app_interleave(struct bench_app *apps, int n, uint64_t samples,
    int nb, const struct bench_opts *o, double f0, double f1,
    const char *what, bench_app_block_fn *fn, void *ctx, int *bad);

#endif
