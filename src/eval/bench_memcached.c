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
 * interleaved block by block (bench_app_interleave); the ratios are
 * taken per round and reported as their median and interquartile range.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/bench.h"
#include "eval/bench_app.h"
#include "eval/bench_report.h"
#include "user/server.h"

#define NSIZES		2
#define NARMS		3	/* kernel, page, capio */
#define KEYS		100
#define SET_PERCENT	10
#define PORT		11211
#define STORE_BYTES	(64u << 20)

static const unsigned sizes[NSIZES] = { 64, 1024 };	/* value bytes */
enum { GET, SET, NOPS };
static const char *const opname[NOPS] = { "get", "set" };

struct result {
	struct bench_lat lat[NOPS];
	double ops_per_s;
	struct bench_counts cost;
	uint64_t ops;
};

/* What is compared per round: GET p50, SET p50, operations per second. */
#define NFIG	3
static const char *const figname[NFIG] = { "get_p50", "set_p50",
	"ops_per_s" };
static const char *const figtitle[NFIG] = { "GET p50", "SET p50", "ops/s" };

/* One value size: the three machines, and what their blocks gave. */
struct mc_run {
	struct server_cfg srv[NARMS];
	struct client_cfg cfg[NARMS];
	struct bench_app app[NARMS];
	uint64_t *lat[NARMS];		/* per client operation */
	uint8_t *is_set[NARMS];
	uint64_t *tmp;
	double *fig[NARMS][NFIG];	/* per block */
	uint64_t *all[NARMS][NOPS];	/* the blocks' samples, together */
	uint64_t nall[NARMS][NOPS];
};

static void
setup(struct mc_run *m, const struct bench_opts *o, int a, unsigned size,
    uint64_t warmup, uint64_t ops)
{
	struct server_cfg *srv = &m->srv[a];
	struct client_cfg *cfg = &m->cfg[a];
	struct bench_app *app = &m->app[a];

	memset(srv, 0, sizeof *srv);
	memset(cfg, 0, sizeof *cfg);
	memset(app, 0, sizeof *app);
	srv->app = APP_MEMCACHED;
	srv->dev = 0;
	srv->kernel_path = a == BARM_KERNEL;
	snprintf(srv->cidr, sizeof srv->cidr, "10.0.0.1/24");
	srv->port = PORT;
	srv->mc_memory = STORE_BYTES;
	snprintf(cfg->cidr, sizeof cfg->cidr, "10.0.0.2/24");
	snprintf(cfg->server, sizeof cfg->server, "10.0.0.1");
	cfg->port = PORT;
	cfg->ops = (uint32_t)ops;
	cfg->size = size;
	cfg->keys = KEYS;
	cfg->set_percent = SET_PERCENT;
	cfg->lat_ns = m->lat[a];
	cfg->is_set = m->is_set[a];
	app->arm = (enum bench_arm)a;
	app->host_syscalls = o->host_syscalls;
	app->server = server_main;
	app->server_arg = srv;
	app->server_ready = &srv->ready;
	app->server_stop = &srv->stop;
	app->server_err = srv->err;
	app->server_mac = srv->mac;
	app->client = mc_client_main;
	app->cfg = cfg;
	app->warmup = warmup;
}

/* A block of arm a: its GET and SET medians and rate; its samples into
 * the arm's whole. */
static void
block(void *ctx, int a, int blk, uint64_t i0, uint64_t i1, double seconds)
{
	struct mc_run *m = ctx;

	for (int op = 0; op < NOPS; op++) {
		uint64_t n = 0;

		for (uint64_t i = i0; i < i1; i++)
			if ((m->is_set[a][i] != 0) == (op == SET)) {
				m->tmp[n++] = m->lat[a][i];
				m->all[a][op][m->nall[a][op]++] = m->lat[a][i];
			}
		m->fig[a][op][blk] = bench_median_u64(m->tmp, n);
	}
	/* The paused operation's end is in this block's time too. */
	m->fig[a][NOPS][blk] = seconds > 0 ? (double)(i1 - i0 + 1) / seconds :
	    NAN;
}

/* Every arm at one size, interleaved; 0 or -1 (message on stderr). */
static int
run_size(struct mc_run *m, const struct bench_opts *o, int s, uint64_t warmup,
    uint64_t samples, int nb, struct result *res[NARMS])
{
	uint64_t ops = bench_app_ops(warmup, samples, nb);
	char what[40];
	int bad = -1;

	for (int a = 0; a < NARMS; a++) {
		m->nall[a][GET] = m->nall[a][SET] = 0;
		setup(m, o, a, sizes[s], warmup, ops);
		if (bench_app_start(&m->app[a]) != 0) {
			bad = a;
			goto fail;
		}
	}
	snprintf(what, sizeof what, "%u-byte values", sizes[s]);
	if (bench_app_interleave(m->app, NARMS, samples, nb, o,
	    (double)s / NSIZES, (double)(s + 1) / NSIZES, what, block, m,
	    &bad) != 0)
		goto fail;
	for (int a = 0; a < NARMS; a++) {
		struct bench_app *app = &m->app[a];

		if (bench_app_finish(app) != 0) {
			bad = a;
			goto fail;
		}
		for (int op = 0; op < NOPS; op++)
			bench_lat_summarize(m->all[a][op], m->nall[a][op],
			    &res[a]->lat[op]);
		res[a]->ops_per_s = (double)app->ops / app->seconds;
		res[a]->cost = app->cost;
		res[a]->ops = app->ops;
	}
	return 0;
fail:
	bench_progress_end(o);
	fprintf(stderr, "capio: bench memcached: %s arm, %u-byte values: %s\n",
	    bench_arm_name((enum bench_arm)bad), sizes[s], m->app[bad].err);
	for (int a = 0; a < NARMS; a++)
		bench_app_finish(&m->app[a]);
	return -1;
}

static void
plot_script(const struct bench_opts *o, struct result res[][NSIZES])
{
	static const struct bench_cdf_plot plot = {
		.name = "memcached", .width = 1100, .height = 900,
		.rows = 2, .cols = NSIZES,
		.title = "capio bench memcached: operation latency per arm",
		.xlabel = "latency (ns)",
		.ylabel = "fraction of operations",
	};
	struct bench_cdf_panel panel[NOPS * NSIZES], *p = panel;

	/* A row per operation, a column per value size. */
	for (int op = 0; op < NOPS; op++)
		for (int s = 0; s < NSIZES; s++, p++) {
			snprintf(p->title, sizeof p->title, "%s, %u-byte values",
			    op == GET ? "GET" : "SET", sizes[s]);
			p->nlines = NARMS;
			for (int a = 0; a < NARMS; a++) {
				p->line[a].label = bench_arm_name((enum bench_arm)a);
				p->line[a].block = (s * NARMS + a) * NOPS + op;
				p->line[a].lat = &res[a][s].lat[op];
			}
		}
	bench_plot_cdf(o, &plot, panel, NOPS * NSIZES);
}

/* memcached.csv: a row per arm and size. 0, or -1. */
static int
write_csv(const struct bench_opts *o, struct result res[][NSIZES],
    uint64_t warmup, uint64_t samples, int nb)
{
	FILE *csv;

	if ((csv = bench_out_open(o, "memcached.csv")) == NULL)
		return -1;
	fprintf(csv, "machine,commit,arm,value_size,op,keys,set_percent,"
	    "host_syscalls,warmup,samples,blocks,n,min_ns,mean_ns,p50_ns,p99_ns,"
	    "p999_ns,max_ns,ops_per_s,syscalls_per_op,mmio_per_op,"
	    "checks_per_op,bytes_copied_per_op\n");
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < NARMS; a++)
			for (int op = 0; op < NOPS; op++) {
				const struct result *r = &res[a][s];
				const struct bench_lat *l = &r->lat[op];

				fprintf(csv, "%s,%s,%s,%u,%s,%d,%d,%d,%llu,%llu,%d,%llu,"
				    "%.0f,%.1f,%.0f,%.0f,%.0f,%.0f,%.0f,%.3f,%.3f,%.3f,"
				    "%.1f\n", bench_machine_csv(), bench_commit(),
				    bench_arm_name((enum bench_arm)a), sizes[s],
				    opname[op], KEYS, SET_PERCENT, o->host_syscalls,
				    (unsigned long long)warmup,
				    (unsigned long long)samples, nb,
				    (unsigned long long)l->n, l->min, l->mean, l->p50,
				    l->p99, l->p999, l->max, r->ops_per_s,
				    bench_per(r->cost.syscalls, r->ops),
				    bench_per(r->cost.mmio, r->ops),
				    bench_per(r->cost.checks, r->ops),
				    bench_per(r->cost.copy_bytes, r->ops));
			}
	return fclose(csv) != 0 ? -1 : 0;
}

/* The JSON document (one line, malloc'd); NULL on failure. */
static char *
write_doc(const struct bench_opts *o, struct result res[][NSIZES],
    struct bench_spread sp[][NFIG][2], struct bench_verdicts *v,
    uint64_t warmup, uint64_t samples, int nb)
{
	char *buf = NULL;
	size_t len;
	FILE *doc;

	if ((doc = bench_doc_begin("memcached", o, &buf, &len)) == NULL)
		return NULL;
	fprintf(doc, "\"warmup\":%llu,\"samples\":%llu,\"blocks\":%d,"
	    "\"keys\":%d,\"set_percent\":%d,\"connections\":1,\"arms\":["
	    "\"kernel\",\"page\",\"capio\"],\"value_sizes\":[",
	    (unsigned long long)warmup, (unsigned long long)samples, nb, KEYS,
	    SET_PERCENT);
	for (int s = 0; s < NSIZES; s++)
		fprintf(doc, "%s%u", s ? "," : "", sizes[s]);
	fputs("],\"results\":{", doc);
	for (int a = 0; a < NARMS; a++) {
		fprintf(doc, "%s\"%s\":{", a ? "," : "",
		    bench_arm_name((enum bench_arm)a));
		for (int s = 0; s < NSIZES; s++) {
			const struct result *r = &res[a][s];

			fprintf(doc, "%s\"%u\":{", s ? "," : "", sizes[s]);
			for (int op = 0; op < NOPS; op++) {
				fprintf(doc, "\"%s\":{", opname[op]);
				bench_lat_json(doc, &r->lat[op]);
				fputs("},", doc);
			}
			fputs("\"ops_per_s\":", doc);
			bench_json_num(doc, r->ops_per_s);
			bench_counts_json(doc, &r->cost, r->ops, "op");
			fputc('}', doc);
		}
		fputc('}', doc);
	}
	fputs("},\"ratios\":{", doc);
	for (int s = 0; s < NSIZES; s++) {
		fprintf(doc, "%s\"%u\":{", s ? "," : "", sizes[s]);
		for (int f = 0; f < NFIG; f++) {
			fprintf(doc, "%s\"%s\":{", f ? "," : "", figname[f]);
			bench_spread_json(doc, "capio_kernel", &sp[s][f][0]);
			fputc(',', doc);
			bench_spread_json(doc, "capio_page", &sp[s][f][1]);
			fputc('}', doc);
		}
		fputc('}', doc);
	}
	fputs("}", doc);
	bench_verdicts_json(doc, v);
	if (bench_doc_end(doc) != 0 || buf == NULL) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The summary table on stdout. */
static void
print_summary(const struct bench_opts *o, struct result res[][NSIZES],
    struct bench_spread sp[][NFIG][2], enum bench_verdict vd[][NFIG][2],
    uint64_t warmup, uint64_t samples, int nb)
{
	printf("capio bench memcached: server on NIC 0, client on NIC 1, one "
	    "TCP connection,\none request in flight; %d keys, %d%% SET, "
	    "%llu operations after %llu warm-up, the\narms interleaved in "
	    "%d rounds of one block each; kernel arm %s host\nsystem calls. "
	    "Times in ns, over all blocks; costs per operation.\n\n", KEYS,
	    SET_PERCENT, (unsigned long long)samples,
	    (unsigned long long)warmup, nb,
	    o->host_syscalls ? "pays real" : "without");
	printf("%5s %-7s %-3s %6s %8s %8s %8s %8s %9s %9s %7s %7s %7s\n",
	    "value", "arm", "op", "n", "min", "p50", "p99", "p99.9", "max",
	    "ops/s", "sysc", "mmio", "checks");
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < NARMS; a++)
			for (int op = 0; op < NOPS; op++) {
				const struct result *r = &res[a][s];
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
	    "median (p25-p75)\nover the %d rounds (no raw arm)\n", nb);
	printf("%5s %-8s  %-26s %-26s\n", "value", "figure",
	    "capio/kernel", "capio/page");
	for (int s = 0; s < NSIZES; s++)
		for (int f = 0; f < NFIG; f++) {
			char c[2][64], sb[40];

			for (int r2 = 0; r2 < 2; r2++)
				snprintf(c[r2], sizeof c[r2], "%s %s",
				    bench_spread_str(&sp[s][f][r2], sb, sizeof sb),
				    bench_verdict_word(vd[s][f][r2]));
			printf("%5u %-8s  %-26s %-26s\n", sizes[s], figtitle[f],
			    c[0], c[1]);
		}
	printf("\n");
}

int
bench_memcached_run(const struct bench_opts *o, char **json)
{
	static struct mc_run m;
	struct result res[NARMS][NSIZES];
	struct bench_spread sp[NSIZES][NFIG][2];	/* over kernel, page */
	enum bench_verdict vd[NSIZES][NFIG][2];
	struct bench_verdicts v;
	uint64_t warmup = bench_pick(o->warmup, o->quick, 500, 2000);
	uint64_t samples = bench_pick(o->samples, o->quick, 2000, 20000);
	int nb = bench_nblocks(samples);
	uint64_t ops = bench_app_ops(warmup, samples, nb);
	FILE *dat = NULL;
	char *buf = NULL;
	int rc = 1;

	*json = NULL;
	memset(&m, 0, sizeof m);
	bench_verdicts_init(&v, "memcached");
	bench_progress_begin(o, "memcached");
	if (ops > UINT32_MAX / 2) {
		fprintf(stderr, "capio: bench memcached: too many operations\n");
		return 1;
	}
	if (bench_out_dir(o) != 0)
		return 1;
	for (int a = 0; a < NARMS; a++) {
		if ((m.lat[a] = calloc(ops, sizeof(uint64_t))) == NULL ||
		    (m.is_set[a] = calloc(ops, 1)) == NULL)
			goto nomem;
		for (int op = 0; op < NOPS; op++)
			if ((m.all[a][op] = calloc(samples, sizeof(uint64_t))) ==
			    NULL)
				goto nomem;
		for (int f = 0; f < NFIG; f++)
			if ((m.fig[a][f] = calloc((size_t)nb, sizeof(double))) ==
			    NULL)
				goto nomem;
	}
	if ((m.tmp = calloc(samples, sizeof(uint64_t))) == NULL)
		goto nomem;
	if ((dat = bench_out_open(o, "memcached.dat")) == NULL)
		goto out;
	memset(res, 0, sizeof res);
	for (int s = 0; s < NSIZES; s++) {
		struct result *r[NARMS];

		for (int a = 0; a < NARMS; a++)
			r[a] = &res[a][s];
		if (run_size(&m, o, s, warmup, samples, nb, r) != 0)
			goto out;
		/* Blocks: GET then SET of each (size, arm); sorted now. */
		for (int a = 0; a < NARMS; a++)
			for (int op = 0; op < NOPS; op++) {
				fprintf(dat, "# %s %u %s\n",
				    bench_arm_name((enum bench_arm)a), sizes[s],
				    opname[op]);
				bench_lat_cdf(dat, m.all[a][op], m.nall[a][op], 400);
				fprintf(dat, "\n\n");
			}
		for (int f = 0; f < NFIG; f++)
			for (int r2 = 0; r2 < 2; r2++) {
				int other = r2 == 0 ? BARM_KERNEL : BARM_PAGE;
				char what[64];

				bench_spread_ratio(m.fig[BARM_CAPIO][f], m.fig[other][f],
				    nb, &sp[s][f][r2]);
				snprintf(what, sizeof what, "capio/%s %s at %u B",
				    bench_arm_name((enum bench_arm)other), figtitle[f],
				    sizes[s]);
				vd[s][f][r2] = bench_spread_check(&v, o, what,
				    &sp[s][f][r2]);
			}
		bench_progress_phase(o, "%u B values done (%d/%d)", sizes[s],
		    s + 1, NSIZES);
	}
	bench_progress_end(o);
	if (fclose(dat) != 0) {
		dat = NULL;
		goto out;
	}
	dat = NULL;

	if (write_csv(o, res, warmup, samples, nb) != 0)
		goto out;

	if ((buf = write_doc(o, res, sp, &v, warmup, samples, nb)) == NULL)
		goto out;
	if (bench_out_write(o, "memcached.json", buf) != 0)
		goto out;
	plot_script(o, res);
	if (bench_plot(o, "memcached") < 0)
		goto out;

	if (!o->json)
		print_summary(o, res, sp, vd, warmup, samples, nb);
	bench_verdicts_done(o, &v);
	if (!o->json)
		printf("files: %s/memcached.csv, %s/memcached.json, "
		    "%s/memcached.png\n", o->out, o->out, o->out);
	*json = buf;
	buf = NULL;
	rc = 0;
	goto out;
nomem:
	fprintf(stderr, "capio: bench memcached: out of memory\n");
out:
	bench_run_end(o, NULL, dat, buf);
	for (int a = 0; a < NARMS; a++) {
		free(m.lat[a]);
		free(m.is_set[a]);
		for (int op = 0; op < NOPS; op++)
			free(m.all[a][op]);
		for (int f = 0; f < NFIG; f++)
			free(m.fig[a][f]);
	}
	free(m.tmp);
	return rc;
}
