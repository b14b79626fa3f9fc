/*
 * cmd_run.c — `capio run APP`: serve an application from an unprivileged
 * process through CAPIO. With --tap, real clients on the host reach it
 * through a Linux TAP interface until SIGINT/SIGTERM (clean goodbye,
 * exit 0); without, a built-in client on the in-process wire exercises it
 * and every reply is checked.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apps/cli.h"
#include "apps/hostif.h"
#include "dev/e1000e.h"
#include "kernel/kernel.h"
#include "net/wire.h"
#include "user/client.h"
#include "user/netstack.h"
#include "user/server.h"

#define USAGE "capio run {memcached|udp-echo} [--tap IFNAME] [--ip ADDR/LEN] " \
	"[--host-ip ADDR/LEN] [--port N] [--kernel-path] [--pcap FILE] " \
	"[--seconds N] [--ops N]"

static volatile sig_atomic_t stop_requested;

static void
on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct run_opts {
	enum server_app app;
	const char *tap, *ip, *host_ip, *pcap;
	unsigned port, seconds, ops;
	bool kernel_path;
};

static int
parse(int argc, char **argv, struct run_opts *o)
{
	uint64_t v;

	memset(o, 0, sizeof *o);
	if (argc < 2)
		return cli_usage_error(USAGE, "run: missing APP (memcached or udp-echo)");
	if (strcmp(argv[1], "memcached") == 0)
		o->app = APP_MEMCACHED;
	else if (strcmp(argv[1], "udp-echo") == 0)
		o->app = APP_UDP_ECHO;
	else
		return cli_usage_error(USAGE, "run: unknown application '%s'", argv[1]);
	o->ip = "10.77.0.2/24";
	o->port = o->app == APP_MEMCACHED ? 11211 : 11111;
	o->ops = 1000;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		uint32_t x, y;

		if (strcmp(a, "--kernel-path") == 0) {
			o->kernel_path = true;
			continue;
		}
		if (val == NULL)
			return cli_usage_error(USAGE, "run: %s needs a value", a);
		i++;
		if (strcmp(a, "--tap") == 0)
			o->tap = val;
		else if (strcmp(a, "--ip") == 0) {
			if (netstack_parse_cidr(val, &x, &y) != 0)
				return cli_usage_error(USAGE, "run: bad --ip '%s'", val);
			o->ip = val;
		} else if (strcmp(a, "--host-ip") == 0) {
			if (netstack_parse_cidr(val, &x, &y) != 0)
				return cli_usage_error(USAGE, "run: bad --host-ip '%s'", val);
			o->host_ip = val;
		} else if (strcmp(a, "--port") == 0) {
			if (!cli_parse_u64(val, &v) || v == 0 || v > 65535)
				return cli_usage_error(USAGE, "run: bad --port '%s'", val);
			o->port = (unsigned)v;
		} else if (strcmp(a, "--pcap") == 0)
			o->pcap = val;
		else if (strcmp(a, "--seconds") == 0) {
			if (!cli_parse_u64(val, &v) || v > 86400 * 365)
				return cli_usage_error(USAGE, "run: bad --seconds '%s'", val);
			o->seconds = (unsigned)v;
		} else if (strcmp(a, "--ops") == 0) {
			if (!cli_parse_u64(val, &v) || v == 0 || v > 100000000)
				return cli_usage_error(USAGE, "run: bad --ops '%s'", val);
			o->ops = (unsigned)v;
		} else
			return cli_usage_error(USAGE, "run: unknown option '%s'", a);
	}
	if (o->host_ip != NULL && o->tap == NULL)
		return cli_usage_error(USAGE, "run: --host-ip needs --tap");
	return 0;
}

static void
help(void)
{
	printf("usage: %s\n\n"
	    "Run an application in an unprivileged process that drives an e1000e\n"
	    "NIC itself through CAPIO (or, with --kernel-path, through system calls),\n"
	    "with a private lwIP stack.\n\n"
	    "  memcached        memcached text protocol on TCP (default port 11211)\n"
	    "  udp-echo         UDP echo for sockperf ping-pong (default port 11111)\n"
	    "  --tap IFNAME     connect NIC 0 to this Linux TAP interface (created if\n"
	    "                   missing; needs CAP_NET_ADMIN) and serve until Ctrl-C\n"
	    "  --ip A/LEN       the application's address (default 10.77.0.2/24)\n"
	    "  --host-ip A/LEN  give the host side of the TAP this address, bring it up\n"
	    "  --port N         listening port\n"
	    "  --kernel-path    use the kernel-mediated send/recv calls instead\n"
	    "  --pcap FILE      record every frame on the wire\n"
	    "  --seconds N      with --tap: stop after N seconds (0: until a signal)\n"
	    "  --ops N          without --tap: operations the built-in client makes\n\n"
	    "With --tap it prints a line a second: the NIC's link (up once the TAP\n"
	    "is up and running on the host), frames received and sent, connections\n"
	    "or datagrams served, and system calls so far.\n\n"
	    "example (as root):\n"
	    "  capio run udp-echo --tap capio0 --ip 10.77.0.2/24 --host-ip 10.77.0.1/24\n"
	    "  sockperf ping-pong -i 10.77.0.2 -p 11111 --time 5   # another terminal\n",
	    USAGE);
}

/* Serve real clients through a TAP interface. */
static int
serve_tap(const struct run_opts *o)
{
	struct kernel_opts ko;
	struct server_cfg *sc;
	struct kernel *k;
	char spec[64], err[256];
	struct sigaction sa;
	double start, last;
	int pid, fd, rc = 0;
	bool told_down = false;

	kernel_opts_default(&ko);
	ko.nics = 1;
	snprintf(spec, sizeof spec, "tap:%s", o->tap);
	ko.wire = spec;
	ko.pcap = o->pcap;
	if ((k = kernel_boot(&ko, err, sizeof err)) == NULL) {
		fprintf(stderr, "capio: run: %s\n", err);
		return 1;
	}
	if (o->host_ip != NULL && hostif_configure(o->tap, o->host_ip, err, sizeof err) != 0) {
		fprintf(stderr, "capio: run: %s\n", err);
		kernel_halt(k);
		return 1;
	}
	if ((sc = calloc(1, sizeof *sc)) == NULL) {
		kernel_halt(k);
		return 1;
	}
	sc->app = o->app;
	sc->dev = 0;
	sc->kernel_path = o->kernel_path;
	kernel_nic_mac(k, 0, sc->mac);
	snprintf(sc->cidr, sizeof sc->cidr, "%s", o->ip);
	sc->port = (uint16_t)o->port;
	sc->mc_memory = 64u << 20;
	pid = kernel_spawn(k, o->app == APP_MEMCACHED ? "memcached" : "udp-echo",
	    server_main, sc);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = wire_fd(kernel_wire(k));
	start = last = now_s();
	printf("capio run: %s on %s (%s path), address %s port %u; Ctrl-C stops\n",
	    o->app == APP_MEMCACHED ? "memcached" : "udp-echo", o->tap,
	    o->kernel_path ? "kernel" : "CAPIO", o->ip, o->port);
	fflush(stdout);
	while (!stop_requested) {
		uint64_t before = sc->st.rx_frames + sc->st.tx_frames;
		struct proc_info pi;

		if (kernel_run(k, 64) == 0) {
			kernel_proc_info(k, pid, &pi);
			fprintf(stderr, "capio: run: the server ended: %s%s%s\n",
			    pi.status, sc->err[0] ? ": " : "", sc->err);
			rc = 1;
			break;
		}
		if (sc->st.rx_frames + sc->st.tx_frames == before && fd >= 0) {
			struct pollfd p = { fd, POLLIN, 0 };
			poll(&p, 1, 1);	/* idle: sleep until the host sends */
		}
		double t = now_s();
		if (t - last >= 1.0) {
			struct kernel_stats ks;
			kernel_get_stats(k, &ks);
			bool lu = (e1000e_peek(kernel_nic(k, 0), E1000E_STATUS) &
			    E1000E_STATUS_LU) != 0;
			if (!lu && !told_down) {
				fprintf(stderr, "capio: run: no link yet: %s is not up"
				    " on the host (ip link set %s up)\n", o->tap,
				    o->tap);
				told_down = true;
			}
			printf("[%6.1fs] link %s, rx %llu tx %llu frames, %s %llu,"
			    " syscalls %llu\n", t - start, lu ? "up" : "down",
			    (unsigned long long)sc->st.rx_frames,
			    (unsigned long long)sc->st.tx_frames,
			    o->app == APP_MEMCACHED ? "connections" : "datagrams",
			    (unsigned long long)(o->app == APP_MEMCACHED ?
			    sc->st.connections : sc->st.datagrams),
			    (unsigned long long)ks.syscalls);
			fflush(stdout);
			last = t;
		}
		if (o->seconds != 0 && t - start >= o->seconds)
			break;
	}
	sc->stop = true;
	kernel_run(k, 100000);
	struct proc_info pi;
	kernel_proc_info(k, pid, &pi);
	printf("capio run: stopped; server %s\n", pi.status);
	if (pi.state != PROC_EXITED || pi.exit_code != 0)
		rc = 1;
	kernel_halt(k);
	free(sc);
	return rc;
}

/* No TAP: a built-in client on NIC 1 of a pair wire. */
static int
serve_builtin(const struct run_opts *o)
{
	struct kernel_opts ko;
	struct server_cfg *sc = calloc(1, sizeof *sc);
	struct client_cfg *cc = calloc(1, sizeof *cc);
	struct kernel *k;
	char err[256];
	uint32_t addr, mask;
	int rc = 0;

	kernel_opts_default(&ko);
	ko.pcap = o->pcap;
	if (sc == NULL || cc == NULL || (k = kernel_boot(&ko, err, sizeof err)) == NULL) {
		fprintf(stderr, "capio: run: %s\n", sc && cc ? err : "out of memory");
		free(sc);
		free(cc);
		return 1;
	}
	sc->app = o->app;
	sc->kernel_path = cc->kernel_path = o->kernel_path;
	kernel_nic_mac(k, 0, sc->mac);
	kernel_nic_mac(k, 1, cc->mac);
	snprintf(sc->cidr, sizeof sc->cidr, "%s", o->ip);
	sc->port = (uint16_t)o->port;
	sc->mc_memory = 64u << 20;
	/* The client takes the next address in the server's subnet. */
	netstack_parse_cidr(o->ip, &addr, &mask);
	uint32_t host = __builtin_bswap32(addr), cl = host + 1;
	if ((cl & ~__builtin_bswap32(mask)) == ~__builtin_bswap32(mask) ||
	    (cl & ~__builtin_bswap32(mask)) == 0)
		cl = (host & __builtin_bswap32(mask)) + 1;
	snprintf(sc->err, sizeof sc->err, "%s", "");
	snprintf(cc->server, sizeof cc->server, "%u.%u.%u.%u", host >> 24,
	    (host >> 16) & 255, (host >> 8) & 255, host & 255);
	snprintf(cc->cidr, sizeof cc->cidr, "%u.%u.%u.%u/%s", cl >> 24,
	    (cl >> 16) & 255, (cl >> 8) & 255, cl & 255, strchr(o->ip, '/') + 1);
	cc->dev = 1;
	cc->port = (uint16_t)o->port;
	cc->ops = o->ops;
	cc->size = o->app == APP_MEMCACHED ? 100 : 64;
	cc->keys = 1000;
	cc->set_percent = 30;
	int sp = kernel_spawn(k, "server", server_main, sc);
	int cp = kernel_spawn(k, "client", o->app == APP_MEMCACHED ?
	    mc_client_main : udp_client_main, cc);
	struct proc_info pi;
	for (int guard = 0; guard < 1000000; guard++) {
		kernel_run(k, 64);
		kernel_proc_info(k, cp, &pi);
		if (pi.state != PROC_RUNNABLE)
			break;
	}
	sc->stop = true;
	kernel_run(k, 100000);
	kernel_proc_info(k, cp, &pi);
	printf("capio run: %s, built-in client: %llu operations, %llu verified, "
	    "%llu failed, %llu timed out; client %s\n",
	    o->app == APP_MEMCACHED ? "memcached" : "udp-echo",
	    (unsigned long long)cc->done, (unsigned long long)cc->verified,
	    (unsigned long long)cc->failed, (unsigned long long)cc->timeouts, pi.status);
	if (cc->err[0] || sc->err[0])
		fprintf(stderr, "capio: run: %s%s\n", cc->err, sc->err);
	if (cc->verified != o->ops || pi.state != PROC_EXITED)
		rc = 1;
	kernel_proc_info(k, sp, &pi);
	if (pi.state != PROC_EXITED)
		rc = 1;
	kernel_halt(k);
	free(sc);
	free(cc);
	return rc;
}

int
cmd_run(int argc, char **argv)
{
	struct run_opts o;
	int rc;

	if (cli_wants_help(argc, argv)) {
		help();
		return 0;
	}
	if ((rc = parse(argc, argv, &o)) != 0)
		return rc;
	return o.tap ? serve_tap(&o) : serve_builtin(&o);
}
