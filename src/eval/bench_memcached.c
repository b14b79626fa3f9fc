/*
 * bench_memcached.c — `capio bench memcached`: the memcached server
 * (server_main, APP_MEMCACHED) on NIC 0 and the memcached workload client
 * (mc_client_main) on NIC 1, each with its own lwIP, one TCP connection,
 * one request in flight; per arm GET and SET latency percentiles and
 * operations per second.
 *
 * The workload is fixed: a key space of 100 keys ("key:0".."key:99"),
 * 90% GET and 10% SET, values of 64 or 1024 bytes; every reply is
 * checked against the client's model of the store. The warm-up (2,000
 * operations; 500 with --quick) leaves about 86% of the keys stored, so
 * the measured GETs are hits about 99% of the time in a full run (about
 * 75% with --quick).
 *
 * Arms: kernel, page and capio (no raw arm: the client and server come
 * with the checked paths only). Their machines run side by side,
 * interleaved block by block (bench_app_sweep.h); the ratios are taken
 * per round and reported as their median and interquartile range.
 */
#include <stdio.h>

#include "eval/bench.h"
#include "eval/bench_app_sweep.h"
#include "user/server.h"

#define NSIZES		2
#define KEYS		100
#define SET_PERCENT	10
#define PORT		11211
#define STORE_BYTES	(64u << 20)

static const unsigned sizes[NSIZES] = { 64, 1024 };	/* value bytes */
enum { GET, SET, NOPS };
static const char *const opname[NOPS] = { "get", "set" };

/* What is compared per round: GET p50, SET p50, operations per second. */
#define NFIG	3
static const char *const figname[NFIG] = { "get_p50", "set_p50",
	"ops_per_s" };
static const char *const figtitle[NFIG] = { "GET p50", "SET p50", "ops/s" };

static void
setup(struct server_cfg *srv, struct client_cfg *cfg, unsigned size)
{
	srv->mc_memory = STORE_BYTES;
	cfg->size = size;
	cfg->keys = KEYS;
	cfg->set_percent = SET_PERCENT;
}

static void
panel_title(char *buf, size_t len, int kind, unsigned size)
{
	snprintf(buf, len, "%s, %u-byte values", kind == GET ? "GET" : "SET",
	    size);
}

static void
csv_row(FILE *csv, const struct bench_opts *o, const struct bench_app_sweep *w,
    int a, int s, int op)
{
	const struct bench_app_result *r = &w->res[a][s];

	fprintf(csv, ",%s,%d,%d,%d,%llu,%llu,%d,%llu", opname[op], KEYS,
	    SET_PERCENT, o->host_syscalls, (unsigned long long)w->warmup,
	    (unsigned long long)w->samples, w->nb,
	    (unsigned long long)r->lat[op].n);
	bench_lat_csv(csv, &r->lat[op]);
	fprintf(csv, ",%.0f", r->ops_per_s);
	bench_counts_csv(csv, &r->cost, r->ops);
}

static void
doc_head(FILE *doc)
{
	fprintf(doc, "\"keys\":%d,\"set_percent\":%d,\"connections\":1,", KEYS,
	    SET_PERCENT);
}

static void
doc_cell(FILE *doc, const struct bench_app_result *r, unsigned size)
{
	(void)size;
	for (int op = 0; op < NOPS; op++) {
		bench_json_open(doc, 0, opname[op]);
		bench_lat_json(doc, &r->lat[op]);
		fputs("},", doc);
	}
	fputs("\"ops_per_s\":", doc);
	bench_json_num(doc, r->ops_per_s);
	bench_counts_json(doc, &r->cost, r->ops, "op");
}

/* The summary table on stdout. */
static void
print_summary(const struct bench_opts *o, const void *ctx)
{
	const struct bench_app_sweep *w = ctx;

	printf("capio bench memcached: server on NIC 0, client on NIC 1, one "
	    "TCP connection,\none request in flight; %d keys, %d%% SET, "
	    "%llu operations after %llu warm-up, the\narms interleaved in "
	    "%d rounds of one block each; kernel arm %s host\nsystem calls. "
	    "Times in ns, over all blocks; costs per operation.\n\n", KEYS,
	    SET_PERCENT, (unsigned long long)w->samples,
	    (unsigned long long)w->warmup, w->nb,
	    o->host_syscalls ? "pays real" : "without");
	printf("%5s %-7s %-3s %6s %8s %8s %8s %8s %9s %9s %7s %7s %7s\n",
	    "value", "arm", "op", "n", "min", "p50", "p99", "p99.9", "max",
	    "ops/s", "sysc", "mmio", "checks");
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < BAPP_ARMS; a++)
			for (int op = 0; op < NOPS; op++) {
				const struct bench_app_result *r = &w->res[a][s];
				const struct bench_lat *l = &r->lat[op];

				printf("%5u %-7s %-3s %6llu %8.0f %8.0f %8.0f %8.0f "
				    "%9.0f %9.0f %7.2f %7.2f %7.1f\n", sizes[s],
				    bench_arm_name((enum bench_arm)a), opname[op],
				    (unsigned long long)l->n, l->min, l->p50, l->p99,
				    l->p999, l->max, r->ops_per_s,
				    bench_per(r->cost.syscalls, r->ops),
				    bench_per(r->cost.mmio, r->ops),
				    bench_per(r->cost.checks, r->ops));
			}
	printf("\nratios per round, capio over kernel and over page: "
	    "median (p25-p75)\nover the %d rounds (no raw arm)\n", w->nb);
	printf("%5s %-8s  %-26s %-26s\n", "value", "figure",
	    "capio/kernel", "capio/page");
	for (int s = 0; s < NSIZES; s++)
		for (int f = 0; f < NFIG; f++) {
			char c[BAPP_RATIOS][64];

			for (int r = 0; r < BAPP_RATIOS; r++)
				bench_spread_cell(&w->sp[s][f][r], w->vd[s][f][r],
				    c[r], sizeof c[r]);
			printf("%5u %-8s  %-26s %-26s\n", sizes[s], figtitle[f],
			    c[0], c[1]);
		}
	printf("\n");
}

static const struct bench_app_desc memcached = {
	.name = "memcached",
	.ops = "operations",
	.warmup_quick = 500, .warmup_full = 2000,
	.sizes = sizes, .nsizes = NSIZES,
	.round_fmt = "%u-byte values", .done_fmt = "%u B values done",
	.fail_fmt = "%u-byte values",
	.nkinds = NOPS, .kind = opname,
	.nfigs = NFIG, .fig_title = figtitle, .fig_key = figname,
	.client = mc_client_main, .setup = setup,
	.app = APP_MEMCACHED, .port = PORT,
	.csv_header = "machine,commit,arm,value_size,op,keys,set_percent,"
	    "host_syscalls,warmup,samples,blocks,n,min_ns,mean_ns,p50_ns,p99_ns,"
	    "p999_ns,max_ns,ops_per_s,syscalls_per_op,mmio_per_op,"
	    "checks_per_op,bytes_copied_per_op\n",
	.csv_row = csv_row,
	.sizes_key = "value_sizes", .doc_head = doc_head, .doc_cell = doc_cell,
	/* A row per operation, a column per value size. */
	.plot = {
		.name = "memcached", .width = 1100, .height = 900,
		.rows = NOPS, .cols = NSIZES,
		.title = "capio bench memcached: operation latency per arm",
		.xlabel = "latency (ns)",
		.ylabel = "fraction of operations",
	},
	.panel_title = panel_title,
	.summary = print_summary,
};

int
bench_memcached_run(const struct bench_opts *o, char **json)
{
	return bench_app_sweep_run(&memcached, o, json);
}
