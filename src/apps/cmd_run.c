/*
 * cmd_run.c — `capio run APP`: the options and help of serving an
 * application (eval/serve.h does the serving). With --tap, real clients
 * on the host reach it through a Linux TAP interface until
 * SIGINT/SIGTERM (clean goodbye, exit 0); without, a built-in client on
 * the in-process wire exercises it and every reply is checked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cli.h"
#include "eval/serve.h"

#define USAGE "capio run {memcached|udp-echo|nbd} [--tap IFNAME] " \
	"[--ip ADDR/LEN] [--host-ip ADDR/LEN] [--port N] [--kernel-path] " \
	"[--pcap FILE] [--seconds N] [--restart N] [--unfiltered] " \
	"[--no-csum-offload] [--ops N] " \
	"[-m MB] [-I SIZE] [-c N] [-o idle_timeout=N] [--disk FILE] " \
	"[--size SIZE] [--export NAME] [--tenants N]"

/* a.b.c.d/LEN, decimal only: netstack's parser lets " 1.2.3.4/+8" in. */
static bool
parse_cidr(const char *s, uint32_t *addr, unsigned *len)
{
	uint64_t part[5];

	for (int i = 0; i < 5; i++) {
		size_t n = 0;

		while (s[n] >= '0' && s[n] <= '9' && n < 4)
			n++;
		if (n == 0 || n > 3 || s[n] != (i < 3 ? '.' : i == 3 ? '/' : '\0'))
			return false;
		part[i] = 0;
		for (size_t j = 0; j < n; j++)
			part[i] = part[i] * 10 + (uint64_t)(s[j] - '0');
		if (part[i] > (i < 4 ? 255u : 32u))
			return false;
		s += n + (i < 4);
	}
	*addr = (uint32_t)(part[0] << 24 | part[1] << 16 | part[2] << 8 | part[3]);
	*len = (unsigned)part[4];
	return true;
}

/*
 * Option argv[i]'s value as a host address lwIP can use on a subnet with
 * room for a peer; anything else would fail later, or worse: lwIP aborts
 * on a loopback address or on one the built-in client would share.
 */
static bool
host_cidr(struct cli_args *a, const char **val, uint32_t *addr, unsigned *len)
{
	const char *opt = a->argv[a->i], *v, *why = NULL;
	uint32_t hostmask;

	if ((v = cli_value(a)) == NULL)
		return false;
	if (!parse_cidr(v, addr, len)) {
		cli_fail(a, "%s must be a.b.c.d/LEN, not '%s'", opt, v);
		return false;
	}
	hostmask = *len == 32 ? 0 : 0xffffffffu >> *len;
	if (*len == 0 || *len > 30)
		why = "LEN must be 1..30 (a subnet with room for a peer)";
	else if (*addr >> 24 == 0)
		why = "0.x.x.x means this network, not a host";
	else if (*addr >> 24 == 127)
		why = "a loopback address never reaches the NIC";
	else if (*addr >> 28 >= 14)
		why = "not a unicast address (multicast or reserved)";
	else if ((*addr & hostmask) == 0)
		why = "the network address of its subnet, not a host";
	else if ((*addr & hostmask) == hostmask)
		why = "the broadcast address of its subnet, not a host";
	if (why != NULL) {
		cli_fail(a, "%s %s: %s", opt, v, why);
		return false;
	}
	*val = v;
	return true;
}

/*
 * Bytes, or a number with one of UNITS' suffixes (either case; the i-th
 * is 1024^(i+1)), between lo and hi; 0 when it is not.
 */
static uint64_t
suffixed(const char *v, const char *units, uint64_t lo, uint64_t hi)
{
	char num[32];
	const char *u;
	uint64_t n, unit = 1;
	size_t len = strlen(v);

	if (len > 0 && (u = strchr(units, v[len - 1] | 0x20)) != NULL) {
		unit <<= 10 * (u - units + 1);
		len--;
	}
	if (len == 0 || len >= sizeof num)
		return 0;
	memcpy(num, v, len);
	num[len] = '\0';
	if (!cli_parse_u64(num, &n) || n > hi / unit || n * unit < lo)
		return 0;
	return n * unit;
}

/* -I's value as memcached takes it: bytes, or a number with k or m. */
static bool
item_size(struct cli_args *a, size_t *out)
{
	const char *opt = a->argv[a->i], *v;
	uint64_t n;

	if ((v = cli_value(a)) == NULL)
		return false;
	if ((n = suffixed(v, "km", 1024, 1ull << 30)) == 0) {
		cli_fail(a, "%s must be 1k..1024m (bytes, or with k or m), not "
		    "'%s'", opt, v);
		return false;
	}
	*out = (size_t)n;
	return true;
}

/* --size: bytes, or a number with K, M, G or T (binary), 4K..1T. */
static bool
disk_size(struct cli_args *a, uint64_t *out)
{
	const char *opt = a->argv[a->i], *v;
	uint64_t n;

	if ((v = cli_value(a)) == NULL)
		return false;
	if ((n = suffixed(v, "kmgt", 4096, 1ull << 40)) == 0 || n % 4096 != 0) {
		cli_fail(a, "%s must be 4K..1T, a multiple of 4 KiB (bytes, or "
		    "with K, M, G or T), not '%s'", opt, v);
		return false;
	}
	*out = n;
	return true;
}

/* A TAP interface name the host kernel takes: 1 to 15 bytes (IFNAMSIZ). */
static bool
tap_name_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 15 && strpbrk(s, "/: \t\n") == NULL;
}

static int
parse(int argc, char **argv, struct serve_opts *o)
{
	struct cli_args a = { "run", USAGE, argc, argv, 0 };
	const char *builtin_only = NULL, *tap_only = NULL, *mc_only = NULL;
	const char *nbd_only = NULL;
	uint32_t host_addr = 0;
	unsigned host_len;
	uint64_t v;

	memset(o, 0, sizeof *o);
	if (argc < 2 || argv[1][0] == '-')
		return cli_fail(&a, "missing APP (memcached, udp-echo or nbd), "
		    "which comes first");
	if (strcmp(argv[1], "memcached") == 0)
		o->app = APP_MEMCACHED;
	else if (strcmp(argv[1], "udp-echo") == 0)
		o->app = APP_UDP_ECHO;
	else if (strcmp(argv[1], "nbd") == 0)
		o->app = APP_NBD;
	else
		return cli_fail(&a, "unknown application '%s' (memcached, "
		    "udp-echo or nbd)", argv[1]);
	o->ip = "10.77.0.2/24";
	o->addr = 0x0a4d0002;
	o->len = 24;
	o->port = o->app == APP_MEMCACHED ? 11211 : o->app == APP_NBD ?
	    10809 : 11111;
	o->export_name = "capio";
	o->tenants = 1;
	o->ops = 1000;
	o->restarts = 10;
	o->csum_offload = true;
	mc_settings_default(&o->mc);
	for (a.i = 2; a.i < argc; a.i++) {
		const char *arg = argv[a.i];

		if (strcmp(arg, "--kernel-path") == 0)
			o->kernel_path = true;
		else if (strcmp(arg, "--unfiltered") == 0)
			o->unfiltered = true;
		else if (strcmp(arg, "--no-csum-offload") == 0)
			o->csum_offload = false;
		else if (strcmp(arg, "--tap") == 0) {
			if ((o->tap = cli_value(&a)) == NULL)
				return EXIT_USAGE;
			if (!tap_name_ok(o->tap))
				return cli_fail(&a, "--tap '%s': an interface name is "
				    "1 to 15 bytes, no '/', ':' or spaces", o->tap);
		} else if (strcmp(arg, "--ip") == 0) {
			if (!host_cidr(&a, &o->ip, &o->addr, &o->len))
				return EXIT_USAGE;
		} else if (strcmp(arg, "--host-ip") == 0) {
			if (!host_cidr(&a, &o->host_ip, &host_addr, &host_len))
				return EXIT_USAGE;
			tap_only = arg;
		} else if (strcmp(arg, "--port") == 0) {
			if (!cli_number(&a, 1, 65535, &v))
				return EXIT_USAGE;
			o->port = (unsigned)v;
		} else if (strcmp(arg, "--pcap") == 0) {
			if ((o->pcap = cli_value(&a)) == NULL)
				return EXIT_USAGE;
		} else if (strcmp(arg, "--seconds") == 0) {
			if (!cli_number(&a, 0, 86400 * 365, &v))
				return EXIT_USAGE;
			o->seconds = (unsigned)v;
			tap_only = arg;
		} else if (strcmp(arg, "--restart") == 0) {
			if (!cli_number(&a, 0, 60, &v))
				return EXIT_USAGE;
			o->restarts = (unsigned)v;
			tap_only = arg;
		} else if (strcmp(arg, "-m") == 0 ||
		    strcmp(arg, "--memory-limit") == 0) {
			if (!cli_number(&a, 2, 4096, &v))
				return EXIT_USAGE;
			o->mc.memory_limit = (size_t)v << 20;
			mc_only = arg;
		} else if (strcmp(arg, "-I") == 0 ||
		    strcmp(arg, "--max-item-size") == 0) {
			if (!item_size(&a, &o->mc.item_size_max))
				return EXIT_USAGE;
			mc_only = arg;
		} else if (strcmp(arg, "-c") == 0 ||
		    strcmp(arg, "--conn-limit") == 0) {
			if (!cli_number(&a, 1, 65535, &v))
				return EXIT_USAGE;
			o->mc.max_connections = (uint32_t)v;
			mc_only = arg;
		} else if (strcmp(arg, "-o") == 0) {
			const char *ov;

			if ((ov = cli_value(&a)) == NULL)
				return EXIT_USAGE;
			if (strncmp(ov, "idle_timeout=", 13) != 0 ||
			    !cli_parse_u64(ov + 13, &v) || v > 2592000)
				return cli_fail(&a, "-o takes idle_timeout=N, N "
				    "0..2592000 seconds (0: never), not '%s'", ov);
			o->mc.idle_timeout = (uint32_t)v;
			mc_only = arg;
		} else if (strcmp(arg, "--disk") == 0) {
			if ((o->disk = cli_value(&a)) == NULL)
				return EXIT_USAGE;
			if (o->disk[0] == '\0')
				return cli_fail(&a, "--disk needs a file name");
			nbd_only = arg;
		} else if (strcmp(arg, "--size") == 0) {
			if (!disk_size(&a, &o->size))
				return EXIT_USAGE;
			nbd_only = arg;
		} else if (strcmp(arg, "--export") == 0) {
			const char *e;

			if ((e = cli_value(&a)) == NULL)
				return EXIT_USAGE;
			for (const char *q = e; *q != '\0'; q++)
				if ((unsigned char)*q < 0x20 || *q == 0x7f)
					return cli_fail(&a, "--export: no control "
					    "characters in a name");
			if (e[0] == '\0' || strlen(e) > 63)
				return cli_fail(&a, "--export must be 1 to 63 "
				    "bytes, not '%s'", e);
			o->export_name = e;
			nbd_only = arg;
		} else if (strcmp(arg, "--tenants") == 0) {
			if (!cli_number(&a, 1, 3, &v))
				return EXIT_USAGE;
			o->tenants = (unsigned)v;
			nbd_only = arg;
		} else if (strcmp(arg, "--ops") == 0) {
			if (!cli_number(&a, 1, 100000000, &v))
				return EXIT_USAGE;
			o->ops = (unsigned)v;
			builtin_only = arg;
		} else
			return cli_unknown(&a);
	}
	if (tap_only != NULL && o->tap == NULL)
		return cli_fail(&a, "%s needs --tap", tap_only);
	if (mc_only != NULL && o->app != APP_MEMCACHED)
		return cli_fail(&a, "%s is an option of memcached", mc_only);
	if (nbd_only != NULL && o->app != APP_NBD)
		return cli_fail(&a, "%s is an option of nbd", nbd_only);
	if (o->app == APP_NBD) {
		char name[32];

		if (o->tap == NULL)
			return cli_fail(&a, "nbd serves real clients: it needs "
			    "--tap");
		if (builtin_only != NULL)
			return cli_fail(&a, "%s does not apply to nbd", builtin_only);
		if (o->disk == NULL && o->size == 0)
			o->size = 64ull << 20;
		if (o->disk == NULL && o->size > (1ull << 30))
			return cli_fail(&a, "--size: a RAM disk (no --disk) is "
			    "at most 1G");
		serve_nbd_tap(o, o->tenants - 1, name, sizeof name);
		if (!tap_name_ok(name))
			return cli_fail(&a, "--tap '%s' with --tenants %u gives "
			    "'%s': an interface name is 1 to 15 bytes", o->tap,
			    o->tenants, name);
		/* Tenant i is i subnets further on: it must stay a host. */
		uint32_t last = o->addr + ((o->tenants - 1) << (32 - o->len));
		if (o->tenants > 1 && (o->len < 8 || last >> 28 >= 14 ||
		    last < o->addr || last >> 24 != o->addr >> 24))
			return cli_fail(&a, "--ip %s: %u tenants, one subnet each, "
			    "do not fit in its /8", o->ip, o->tenants);
	}
	if (o->app == APP_MEMCACHED) {
		const char *why = mc_settings_check(&o->mc);

		if (why != NULL)
			return cli_fail(&a, "%s", why);
	}
	if (builtin_only != NULL && o->tap != NULL)
		return cli_fail(&a, "%s does not apply to --tap (real clients "
		    "make the operations)", builtin_only);
	if (o->host_ip != NULL) {
		uint32_t mask = ~(0xffffffffu >> o->len);

		if ((host_addr & mask) != (o->addr & mask))
			return cli_fail(&a, "--host-ip %s is not in --ip %s's subnet "
			    "(the application has no gateway)", o->host_ip, o->ip);
		if (host_addr == o->addr)
			return cli_fail(&a, "--host-ip and --ip are both %s",
			    o->host_ip);
	}
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
	    "  nbd              an NBD export (default port 10809) stored on an NVMe\n"
	    "                   queue pair the process drives itself (docs/nbd.md);\n"
	    "                   needs --tap\n"
	    "  --tap IFNAME     connect NIC 0 to this Linux TAP interface (created if\n"
	    "                   missing; needs CAP_NET_ADMIN) and serve until Ctrl-C\n"
	    "  --ip A/LEN       the application's address (default 10.77.0.2/24): a\n"
	    "                   unicast host of its subnet, LEN 1..30\n"
	    "  --host-ip A/LEN  with --tap: give the host side of the TAP this address\n"
	    "                   (in --ip's subnet) and bring it up\n"
	    "  --port N         listening port, 1..65535\n"
	    "  --kernel-path    use the kernel-mediated send/recv calls instead\n"
	    "                   (nbd: and its block calls for the NVMe unit)\n"
	    "  --pcap FILE      record every frame on the wire\n"
	    "  --seconds N      with --tap: stop after N seconds (0: until a signal)\n"
	    "  --restart N      with --tap: start the server again, up to N times\n"
	    "                   (0..60, default 10), when its process dies (a crash\n"
	    "                   a peer provoked costs a reconnect, not the service);\n"
	    "                   the cause is printed each time\n"
	    "  --unfiltered     the server's lwIP sees TCP options as they arrive\n"
	    "                   (no MSS rewriting): to watch a peer's crafted segment\n"
	    "                   crash it, and --restart bring it back; never for\n"
	    "                   a real service (docs/memcached.md)\n"
	    "  --no-csum-offload  lwIP computes and checks every UDP checksum;\n"
	    "                   by default the NIC inserts them in datagrams\n"
	    "                   that fit one frame and lwIP skips checking\n"
	    "                   those the NIC found good (docs/memcached.md)\n"
	    "memcached's own limits, by memcached's option names:\n"
	    "  -m MB            memory for items and sets still arriving, 2..4096\n"
	    "                   (default 64)\n"
	    "  -I SIZE          largest item, 1k..1024m (default 1m); larger sets\n"
	    "                   get SERVER_ERROR object too large for cache\n"
	    "  -c N             open connections, 1..65535 (default 64); more are\n"
	    "                   told ERROR Too many open connections\n"
	    "  -o idle_timeout=N  close a connection idle N s (default 300, 0: never)\n"
	    "  (also --memory-limit, --max-item-size, --conn-limit)\n"
	    "nbd's:\n"
	    "  --disk FILE      the NVMe namespace's backing file, created at --size\n"
	    "                   if absent (NBD FLUSH fsyncs it); without: RAM\n"
	    "  --size SIZE      4K..1T, a multiple of 4K (K, M, G, T suffixes); the\n"
	    "                   default is an existing file's size, or 64M of RAM\n"
	    "  --export NAME    the export's name (default capio; \"\" from a client\n"
	    "                   also gets it)\n"
	    "  --tenants N      1..3 processes on one controller, each with its own NIC,\n"
	    "                   queue pair and 1/N of the disk; tenant i is on TAP\n"
	    "                   IFNAMEi at --ip and --host-ip plus i subnets\n"
	    "  --ops N          without --tap: operations the built-in client makes,\n"
	    "                   1..100000000 (default 1000)\n\n"
	    "Options take their value as --ops 500 or --ops=500.\n\n"
	    "With --tap it prints a line a second: the NIC's link (up once the TAP\n"
	    "is up and running on the host), frames received and sent, connections\n"
	    "or datagrams served, and system calls so far.\n\n"
	    "Exit status: 0 when the server ran and stopped cleanly (and, without\n"
	    "--tap, the client verified every reply); 1 when it did not, or the\n"
	    "machine could not start (FILE not writable, no TAP without root); 2\n"
	    "for a bad argument.\n\n"
	    "examples:\n"
	    "  capio run memcached --ops=2000 --kernel-path\n"
	    "  capio run memcached --tap capio1 --ip 10.78.0.2/24 --host-ip 10.78.0.1/24 -c 256 -m 128\n"
	    "  capio run udp-echo --tap capio0 --ip 10.77.0.2/24 --host-ip 10.77.0.1/24\n"
	    "  capio run nbd --tap nbd0 --ip 10.79.0.2/24 --host-ip 10.79.0.1/24 --disk disk.img --size 1G\n"
	    "  nbdinfo nbd://10.79.0.2/capio                        # another terminal\n"
	    "  sockperf ping-pong -i 10.77.0.2 -p 11111 --time 5   # another terminal\n",
	    USAGE);
}

int
cmd_run(int argc, char **argv)
{
	struct serve_opts o;
	int rc;

	if (cli_wants_help(argc, argv)) {
		help();
		return 0;
	}
	if ((rc = parse(argc, argv, &o)) != 0)
		return rc;
	if (o.app == APP_NBD)
		return serve_nbd(&o);
	return o.tap ? serve_tap(&o) : serve_builtin(&o);
}
