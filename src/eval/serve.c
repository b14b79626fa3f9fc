/*
 * serve.c — serve an application from an unprivileged process through
 * CAPIO (serve.h): to real clients through a TAP interface, or to a
 * built-in client on the in-process wire.
 */
#include "eval/serve.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board/board.h"
#include "dev/e1000e.h"
#include "eval/hostif.h"
#include "eval/scenario.h"
#include "kernel/kernel.h"
#include "net/wire.h"
#include "user/client.h"
#include "user/server.h"

/* Scheduler rounds a busy server polls for before it may sleep. */
#define SERVE_BUSY_ROUNDS	64

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void
serve_catch_stop(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool
serve_stopping(void)
{
	return stop_requested != 0;
}

double
serve_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The server's configuration for o, on NIC 0. */
static void
server_cfg_for(struct kernel *k, const struct serve_opts *o,
    struct server_cfg *sc)
{
	sc->app = o->app;
	sc->dev = 0;
	sc->kernel_path = o->kernel_path;
	board_nic_mac(kernel_board(k), 0, sc->mac);
	snprintf(sc->cidr, sizeof sc->cidr, "%s", o->ip);
	sc->port = (uint16_t)o->port;
	sc->mc_set = o->mc;
	sc->unfiltered = o->unfiltered;
	sc->csum_offload = o->csum_offload;
}

/* A server process for o on NIC 0; its configuration in *scp (the
 * caller frees it once the process has ended). The pid, or -errno. */
static int
spawn_server(struct kernel *k, const struct serve_opts *o,
    struct server_cfg **scp)
{
	struct server_cfg *sc;
	int pid;

	if ((sc = calloc(1, sizeof *sc)) == NULL)
		return -ENOMEM;
	server_cfg_for(k, o, sc);
	pid = kernel_spawn(k, o->app == APP_MEMCACHED ? "memcached" :
	    "udp-echo", server_main, sc);
	if (pid < 0) {
		free(sc);
		return pid;
	}
	*scp = sc;
	return pid;
}

/* Serve real clients through a TAP interface. */
int
serve_tap(const struct serve_opts *o)
{
	struct board_desc bd;
	struct kernel_opts ko;
	struct server_cfg *sc;
	struct kernel *k;
	char spec[64], err[256];
	double start, last;
	int pid, fd, rc = 0;
	unsigned restarts = 0;
	bool told_down = false, idle = false;

	board_desc_default(&bd);
	bd.nics = 1;
	snprintf(spec, sizeof spec, "tap:%s", o->tap);
	bd.wire = spec;
	bd.pcap = o->pcap;
	kernel_opts_default(&ko);
	if ((k = kernel_boot(board_new(&bd, err, sizeof err), &ko, err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "capio run: %s\n", err);
		return 1;
	}
	if (o->host_ip != NULL && hostif_configure(o->tap, o->host_ip, err, sizeof err) != 0) {
		fprintf(stderr, "capio run: %s\n", err);
		kernel_halt(k);
		return 1;
	}
	if ((pid = spawn_server(k, o, &sc)) < 0) {
		fprintf(stderr, "capio run: cannot start the server: %s\n",
		    strerror(-pid));
		kernel_halt(k);
		return 1;
	}
	serve_catch_stop();
	fd = wire_fd(board_wire(kernel_board(k)));
	start = last = serve_now();
	printf("capio run: %s on %s (%s path), address %s port %u; Ctrl-C stops\n",
	    o->app == APP_MEMCACHED ? "memcached" : "udp-echo", o->tap,
	    o->kernel_path ? "kernel" : "CAPIO", o->ip, o->port);
	fflush(stdout);
	while (!serve_stopping()) {
		uint64_t before = sc->st.rx_frames + sc->st.tx_frames;
		struct proc_info pi;

		/*
		 * Busy, poll on for up to SERVE_BUSY_ROUNDS rounds (the next
		 * request is usually there by then, and a sleep and a wake-up
		 * would cost more); idle, one round a wake-up: a frame from
		 * the host or lwIP's timers every millisecond.
		 */
		kernel_run(k, idle ? 1 : SERVE_BUSY_ROUNDS);
		kernel_proc_info(k, pid, &pi);
		if (pi.state == PROC_KILLED && restarts < o->restarts) {
			/* Supervision: a crash, whoever provoked it, costs the
			 * clients a reconnect, not the service. An exit is the
			 * server's own decision (a bad setting): not retried. */
			restarts++;
			fprintf(stderr, "capio run: the server died: %s; "
			    "restarting it (%u of %u)\n", pi.status, restarts,
			    o->restarts);
			free(sc);
			sc = NULL;
			if ((pid = spawn_server(k, o, &sc)) < 0) {
				fprintf(stderr, "capio run: cannot restart the "
				    "server: %s\n", strerror(-pid));
				rc = 1;
				break;
			}
			continue;
		}
		if (pi.state != PROC_RUNNABLE) {
			fprintf(stderr, "capio run: the server ended: %s%s%s\n",
			    pi.status, sc->err[0] ? ": " : "", sc->err);
			if (pi.state == PROC_KILLED)
				fprintf(stderr, "capio run: not restarted: "
				    "--restart %u used up\n", o->restarts);
			rc = 1;
			break;
		}
		idle = sc->st.rx_frames + sc->st.tx_frames == before;
		if (idle && fd >= 0) {
			struct pollfd p = { fd, POLLIN, 0 };
			poll(&p, 1, 1);	/* idle: sleep until the host sends */
		}
		double t = serve_now();
		if (t - last >= 1.0) {
			struct kernel_stats ks;
			kernel_get_stats(k, &ks);
			bool lu = (e1000e_peek(board_nic(kernel_board(k), 0), E1000E_STATUS) &
			    E1000E_STATUS_LU) != 0;
			if (!lu && !told_down) {
				fprintf(stderr, "capio run: no link yet: %s is not up"
				    " on the host (ip link set %s up)\n", o->tap,
				    o->tap);
				told_down = true;
			}
			printf("[%6.1fs] link %s, rx %llu tx %llu frames, %s %llu,"
			    " syscalls %llu, restarts %u\n", t - start,
			    lu ? "up" : "down",
			    (unsigned long long)sc->st.rx_frames,
			    (unsigned long long)sc->st.tx_frames,
			    o->app == APP_MEMCACHED ? "connections" : "datagrams",
			    (unsigned long long)(o->app == APP_MEMCACHED ?
			    sc->st.connections : sc->st.datagrams),
			    (unsigned long long)ks.syscalls, restarts);
			fflush(stdout);
			last = t;
		}
		if (o->seconds != 0 && t - start >= o->seconds)
			break;
	}
	if (sc == NULL) {	/* the restart failed */
		kernel_halt(k);
		return 1;
	}
	sc->stop = true;
	kernel_run(k, 100000);
	struct proc_info pi;
	kernel_proc_info(k, pid, &pi);
	printf("capio run: stopped; server %s; restarted %u times\n",
	    pi.status, restarts);
	if (pi.state != PROC_EXITED || pi.exit_code != 0)
		rc = 1;
	kernel_halt(k);
	free(sc);
	return rc;
}

/* No TAP: a built-in client on NIC 1 of a pair wire. */
int
serve_builtin(const struct serve_opts *o)
{
	struct board_desc bd;
	struct kernel_opts ko;
	struct server_cfg *sc = calloc(1, sizeof *sc);
	struct client_cfg *cc = calloc(1, sizeof *cc);
	struct scenario s;
	struct scenario_counts n;
	int rc = 0;

	board_desc_default(&bd);
	bd.pcap = o->pcap;
	kernel_opts_default(&ko);
	if (sc == NULL || cc == NULL || scenario_boot(&s, &bd, &ko) != 0) {
		fprintf(stderr, "capio run: %s\n", sc && cc ? s.err : "out of memory");
		free(sc);
		free(cc);
		return 1;
	}
	server_cfg_for(s.k, o, sc);
	cc->kernel_path = o->kernel_path;
	cc->csum_offload = o->csum_offload;
	board_nic_mac(kernel_board(s.k), 1, cc->mac);
	/* The client takes the next address in the server's subnet (parse
	 * left room for it: a host part neither all zeros nor all ones). */
	uint32_t hostmask = 0xffffffffu >> o->len, host = o->addr, cl = host + 1;
	if ((cl & hostmask) == hostmask)
		cl = (host & ~hostmask) + 1;
	snprintf(cc->server, sizeof cc->server, "%u.%u.%u.%u", host >> 24,
	    (host >> 16) & 255, (host >> 8) & 255, host & 255);
	snprintf(cc->cidr, sizeof cc->cidr, "%u.%u.%u.%u/%u", cl >> 24,
	    (cl >> 16) & 255, (cl >> 8) & 255, cl & 255, o->len);
	cc->dev = 1;
	cc->port = (uint16_t)o->port;
	cc->ops = o->ops;
	cc->size = o->app == APP_MEMCACHED ? 100 : 64;
	cc->keys = 1000;
	cc->set_percent = 30;
	scenario_spawn(&s, "server", server_main, sc);
	int cp = scenario_spawn(&s, "client", o->app == APP_MEMCACHED ?
	    mc_client_main : udp_client_main, cc);
	scenario_run(&s, 64, 1000000, scenario_ended, &cp);
	sc->stop = true;
	scenario_run(&s, 100000, 1, NULL, NULL);
	scenario_counts(&s, &n);
	printf("capio run: %s, built-in client: %llu operations, %llu verified, "
	    "%llu failed, %llu timed out; client %s\n",
	    o->app == APP_MEMCACHED ? "memcached" : "udp-echo",
	    (unsigned long long)cc->done, (unsigned long long)cc->verified,
	    (unsigned long long)cc->failed, (unsigned long long)cc->timeouts,
	    n.proc[1].status);
	if (cc->err[0])
		fprintf(stderr, "capio run: client: %s\n", cc->err);
	if (sc->err[0])
		fprintf(stderr, "capio run: server: %s\n", sc->err);
	if (cc->verified != o->ops || n.proc[1].state != PROC_EXITED ||
	    n.proc[0].state != PROC_EXITED)
		rc = 1;
	scenario_stop(&s);
	free(sc);
	free(cc);
	return rc;
}
