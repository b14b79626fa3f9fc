/*
 * bench_udp.c — `capio bench udp`: UDP round trips through lwIP and a
 * UDP echo server, per arm. The server process (server_main,
 * APP_UDP_ECHO) owns NIC 0 (10.0.0.1, port 7) and the client process
 * (udp_client_main) NIC 1 (10.0.0.2); each has its own lwIP. The client
 * sends a datagram, waits for the echo and checks it byte for byte; the
 * time is on the client's monotonic clock.
 *
 * Arms: kernel (both processes use sys_send/sys_recv), page and capio
 * (both use the user-level driver). There is no raw arm here: the client
 * and server only come with the checked paths, and lwIP's own cost
 * dwarfs what raw would tell apart.
 *
 * The three arms' machines run side by side, interleaved block by block
 * (bench_app_sweep.h); the ratios are taken per round and reported as
 * their median and interquartile range.
 *
 * Frame sizes are on the wire with the FCS: a 64-byte frame carries 18
 * bytes of UDP payload, a 1518-byte frame 1472.
 */
#include <stdio.h>

#include "eval/bench.h"
#include "eval/bench_app_sweep.h"
#include "user/server.h"

#define NSIZES	2
#define HEADERS	(14 + 20 + 8 + 4)	/* Ethernet, IPv4, UDP, FCS */
#define PORT	7

static const unsigned sizes[NSIZES] = { 64, 1518 };

static void
setup(struct server_cfg *srv, struct client_cfg *cfg, unsigned size)
{
	(void)srv;
	cfg->size = size - HEADERS;
}

static void
panel_title(char *buf, size_t len, int kind, unsigned size)
{
	(void)kind;
	snprintf(buf, len, "%u-byte frames (%u-byte payload)", size,
	    size - HEADERS);
}

static void
csv_row(FILE *csv, const struct bench_opts *o, const struct bench_app_sweep *w,
    int a, int s, int kind)
{
	const struct bench_app_result *r = &w->res[a][s];

	(void)kind;
	fprintf(csv, ",%u,%d,%llu,%llu,%d", sizes[s] - HEADERS,
	    o->host_syscalls, (unsigned long long)w->warmup,
	    (unsigned long long)w->samples, w->nb);
	bench_lat_csv(csv, &r->lat[0]);
	fprintf(csv, ",%.0f", r->ops_per_s);
	bench_counts_csv(csv, &r->cost, r->ops);
	/* capio's own row has no ratio; kernel's and page's are [0], [1]. */
	bench_spread_csv(csv, a == BARM_CAPIO ? NULL : &w->sp[s][0][a]);
}

static void
doc_head(FILE *doc)
{
	fprintf(doc, "\"port\":%d,", PORT);
}

static void
doc_cell(FILE *doc, const struct bench_app_result *r, unsigned size)
{
	fprintf(doc, "\"payload\":%u,", size - HEADERS);
	bench_lat_json(doc, &r->lat[0]);
	fputs(",\"round_trips_per_s\":", doc);
	bench_json_num(doc, r->ops_per_s);
	bench_counts_json(doc, &r->cost, r->ops, "rtt");
}

/* The summary table on stdout. */
static void
print_summary(const struct bench_opts *o, const void *ctx)
{
	const struct bench_app_sweep *w = ctx;

	printf("capio bench udp: UDP echo through lwIP, server on NIC 0, "
	    "client on NIC 1;\n%llu round trips after %llu warm-up per arm "
	    "and size, the arms interleaved in\n%d rounds of one block "
	    "each; kernel arm %s host system calls.\nTimes in ns, over all "
	    "blocks; costs per round trip, both processes.\n\n",
	    (unsigned long long)w->samples, (unsigned long long)w->warmup,
	    w->nb, o->host_syscalls ? "pays real" : "without");
	if (o->csum_offload)
		printf("--csum-offload: on the capio arm the NIC inserts and "
		    "checks the UDP\nchecksums, lwIP does not; the page arm "
		    "is the same driver without it,\nso capio/page is what "
		    "the offload saves.\n\n");
	printf("%5s %-7s %8s %8s %8s %8s %8s %9s %9s %7s %7s %7s %8s\n",
	    "size", "arm", "min", "p50", "mean", "p99", "p99.9", "max",
	    "rt/s", "sysc", "mmio", "checks", "copied");
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < BAPP_ARMS; a++) {
			const struct bench_app_result *r = &w->res[a][s];
			const struct bench_lat *l = &r->lat[0];

			printf("%5u %-7s %8.0f %8.0f %8.0f %8.0f %8.0f %9.0f "
			    "%9.0f %7.2f %7.2f %7.1f %8.1f\n", sizes[s],
			    bench_arm_name((enum bench_arm)a), l->min, l->p50,
			    l->mean, l->p99, l->p999, l->max, r->ops_per_s,
			    bench_per(r->cost.syscalls, r->ops),
			    bench_per(r->cost.mmio, r->ops),
			    bench_per(r->cost.checks, r->ops),
			    bench_per(r->cost.copy_bytes, r->ops));
		}
	printf("\nratios of block median RTT, capio over each arm in the "
	    "same round:\nmedian (p25-p75) over the rounds (no raw arm)\n"
	    "%5s  %-26s %-26s\n", "size", "capio/kernel", "capio/page");
	for (int s = 0; s < NSIZES; s++) {
		char c[BAPP_RATIOS][64];

		for (int r = 0; r < BAPP_RATIOS; r++)
			bench_spread_cell(&w->sp[s][0][r], w->vd[s][0][r], c[r],
			    sizeof c[r]);
		printf("%5u  %-26s %-26s\n", sizes[s], c[0], c[1]);
	}
	printf("\n");
}

static const struct bench_app_desc udp = {
	.name = "udp",
	.ops = "round trips",
	.warmup_quick = 200, .warmup_full = 1000,
	.sizes = sizes, .nsizes = NSIZES,
	.round_fmt = "%u-byte frames", .done_fmt = "%u B done",
	.fail_fmt = "%u bytes",
	.nkinds = 1, .nfigs = 1,
	.client = udp_client_main, .setup = setup,
	.app = APP_UDP_ECHO, .port = PORT,
	.csv_header = "machine,commit,arm,size,payload,host_syscalls,warmup,"
	    "samples,blocks,min_ns,mean_ns,p50_ns,p99_ns,p999_ns,max_ns,"
	    "ops_per_s,syscalls_per_rtt,mmio_per_rtt,checks_per_rtt,"
	    "bytes_copied_per_rtt,capio_ratio_median,capio_ratio_p25,"
	    "capio_ratio_p75\n",
	.csv_row = csv_row,
	.sizes_key = "sizes", .doc_head = doc_head, .doc_cell = doc_cell,
	.plot = {
		.name = "udp", .width = 1100, .height = 500,
		.rows = 1, .cols = NSIZES,
		.title = "capio bench udp: UDP echo round trips through lwIP per "
		    "arm",
		.xlabel = "round-trip time (ns)",
		.ylabel = "fraction of round trips",
	},
	.panel_title = panel_title,
	.summary = print_summary,
};

int
bench_udp_run(const struct bench_opts *o, char **json)
{
	return bench_app_sweep_run(&udp, o, json);
}
