/*
 * bench_app.h — one client/server measurement on a fresh machine, for
 * the application benchmarks (udp, memcached): a server process on NIC 0,
 * a client process (client.h) on NIC 1, both through the same arm; the
 * rig notes the time and the processes' counters when the client's
 * warm-up ends and when its last operation is done.
 */
#ifndef CAPIO_APPS_BENCH_APP_H
#define CAPIO_APPS_BENCH_APP_H

#include <stdbool.h>
#include <stdint.h>

#include "apps/bench_port.h"
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
	struct client_cfg *cfg;		/* ops = warm-up + samples */
	uint64_t warmup;
	/* out */
	double seconds;			/* from the end of warm-up to the end */
	uint64_t ops;			/* operations in that time */
	struct bench_counts cost;	/* both processes, same span */
	char err[240];
};

/*
 * Boot a machine for the arm, start the server on NIC 0 (its MAC in
 * *server_mac), run the client on NIC 1 to the end (cfg->dev, mac and
 * kernel_path are filled in), stop the server. 0, or -1 with a message
 * in a->err.
 */
int bench_app_run(struct bench_app *a);

#endif
