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
 * with the checked paths only).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/bench.h"
#include "apps/bench_app.h"
#include "apps/bench_report.h"
#include "user/server.h"

#define USAGE	"capio bench memcached [--quick] [--json] [--out DIR] " \
		"[--no-host-syscalls] [--warmup N] [--samples N]"
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

static int
run_one(const struct bench_opts *o, enum bench_arm arm, unsigned size,
    uint64_t warmup, uint64_t samples, uint64_t *lat, uint8_t *is_set,
    struct bench_app *a, struct server_cfg *srv, struct client_cfg *cfg)
{
	memset(srv, 0, sizeof *srv);
	memset(cfg, 0, sizeof *cfg);
	memset(a, 0, sizeof *a);
	srv->app = APP_MEMCACHED;
	srv->dev = 0;
	srv->kernel_path = arm == BARM_KERNEL;
	snprintf(srv->cidr, sizeof srv->cidr, "10.0.0.1/24");
	srv->port = PORT;
	srv->mc_memory = STORE_BYTES;
	snprintf(cfg->cidr, sizeof cfg->cidr, "10.0.0.2/24");
	snprintf(cfg->server, sizeof cfg->server, "10.0.0.1");
	cfg->port = PORT;
	cfg->ops = (uint32_t)(warmup + samples);
	cfg->size = size;
	cfg->keys = KEYS;
	cfg->set_percent = SET_PERCENT;
	cfg->lat_ns = lat;
	cfg->is_set = is_set;
	a->arm = arm;
	a->host_syscalls = o->host_syscalls;
	a->server = server_main;
	a->server_arg = srv;
	a->server_ready = &srv->ready;
	a->server_stop = &srv->stop;
	a->server_err = srv->err;
	a->server_mac = srv->mac;
	a->client = mc_client_main;
	a->cfg = cfg;
	a->warmup = warmup;
	bench_progress(o, "memcached: %s arm, %u-byte values, %llu operations",
	    bench_arm_name(arm), size, (unsigned long long)cfg->ops);
	if (bench_app_run(a) != 0) {
		bench_progress_end(o);
		fprintf(stderr, "capio: bench memcached: %s arm, %u-byte values: "
		    "%s\n", bench_arm_name(arm), size, a->err);
		return -1;
	}
	return 0;
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

int
bench_memcached_run(const struct bench_opts *o, char **json)
{
	static struct server_cfg srv;
	static struct client_cfg cfg;
	static struct bench_app app;
	struct result res[NARMS][NSIZES];
	uint64_t warmup = bench_pick(o->warmup, o->quick, 500, 2000);
	uint64_t samples = bench_pick(o->samples, o->quick, 2000, 20000);
	uint64_t *lat = NULL, *tmp = NULL;
	uint8_t *is_set = NULL;
	FILE *csv = NULL, *dat = NULL, *doc;
	char *buf = NULL;
	size_t len;
	int rc = 1;

	*json = NULL;
	if (warmup + samples > UINT32_MAX / 2) {
		fprintf(stderr, "capio: bench memcached: too many operations\n");
		return 1;
	}
	if (bench_out_dir(o) != 0)
		return 1;
	if ((lat = calloc(warmup + samples, sizeof *lat)) == NULL ||
	    (tmp = calloc(samples, sizeof *tmp)) == NULL ||
	    (is_set = calloc(warmup + samples, 1)) == NULL ||
	    (dat = bench_out_open(o, "memcached.dat")) == NULL)
		goto out;
	memset(res, 0, sizeof res);
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < NARMS; a++) {
			struct result *r = &res[a][s];
			FILE *d[NOPS] = { dat, dat };

			if (run_one(o, (enum bench_arm)a, sizes[s], warmup, samples,
			    lat, is_set, &app, &srv, &cfg) != 0)
				goto out;
			r->ops_per_s = (double)app.ops / app.seconds;
			r->cost = app.cost;
			r->ops = app.ops;
			/* Blocks: GET then SET of each (size, arm). */
			for (int op = 0; op < NOPS; op++) {
				uint64_t n = 0;

				fprintf(d[op], "# %s %u %s\n",
				    bench_arm_name((enum bench_arm)a), sizes[s],
				    opname[op]);
				for (uint64_t i = warmup; i < warmup + samples; i++)
					if ((is_set[i] != 0) == (op == SET))
						tmp[n++] = lat[i];
				bench_lat_summarize(tmp, n, &r->lat[op]);
				bench_lat_cdf(d[op], tmp, n, 400);
				fprintf(d[op], "\n\n");
			}
		}
	bench_progress_end(o);
	if (fclose(dat) != 0) {
		dat = NULL;
		goto out;
	}
	dat = NULL;

	if ((csv = bench_out_open(o, "memcached.csv")) == NULL)
		goto out;
	fprintf(csv, "machine,commit,arm,value_size,op,keys,set_percent,"
	    "host_syscalls,warmup,samples,n,min_ns,mean_ns,p50_ns,p99_ns,"
	    "p999_ns,max_ns,ops_per_s,syscalls_per_op,mmio_per_op,"
	    "checks_per_op,bytes_copied_per_op\n");
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < NARMS; a++)
			for (int op = 0; op < NOPS; op++) {
				const struct result *r = &res[a][s];
				const struct bench_lat *l = &r->lat[op];

				fprintf(csv, "%s,%s,%s,%u,%s,%d,%d,%d,%llu,%llu,%llu,"
				    "%.0f,%.1f,%.0f,%.0f,%.0f,%.0f,%.0f,%.3f,%.3f,%.3f,"
				    "%.1f\n", bench_machine_csv(), bench_commit(),
				    bench_arm_name((enum bench_arm)a), sizes[s],
				    opname[op], KEYS, SET_PERCENT, o->host_syscalls,
				    (unsigned long long)warmup,
				    (unsigned long long)samples,
				    (unsigned long long)l->n, l->min, l->mean, l->p50,
				    l->p99, l->p999, l->max, r->ops_per_s,
				    bench_per(r->cost.syscalls, r->ops),
				    bench_per(r->cost.mmio, r->ops),
				    bench_per(r->cost.checks, r->ops),
				    bench_per(r->cost.copy_bytes, r->ops));
			}
	if (fclose(csv) != 0) {
		csv = NULL;
		goto out;
	}
	csv = NULL;

	if ((doc = bench_doc_begin("memcached", o, &buf, &len)) == NULL)
		goto out;
	fprintf(doc, "\"warmup\":%llu,\"samples\":%llu,\"keys\":%d,"
	    "\"set_percent\":%d,\"connections\":1,\"arms\":[\"kernel\","
	    "\"page\",\"capio\"],\"value_sizes\":[", (unsigned long long)warmup,
	    (unsigned long long)samples, KEYS, SET_PERCENT);
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
		for (int op = 0; op < NOPS; op++) {
			char key[16];

			snprintf(key, sizeof key, "%s_p50", opname[op]);
			bench_ratios_json(doc, key, res[BARM_CAPIO][s].lat[op].p50,
			    res[BARM_KERNEL][s].lat[op].p50,
			    res[BARM_PAGE][s].lat[op].p50, NAN);
			fputc(',', doc);
		}
		bench_ratios_json(doc, "ops_per_s", res[BARM_CAPIO][s].ops_per_s,
		    res[BARM_KERNEL][s].ops_per_s, res[BARM_PAGE][s].ops_per_s,
		    NAN);
		fputc('}', doc);
	}
	fputs("}", doc);
	if (bench_doc_end(doc) != 0 || buf == NULL)
		goto out;
	if (bench_out_write(o, "memcached.json", buf) != 0)
		goto out;
	plot_script(o, res);
	if (bench_plot(o, "memcached") < 0)
		goto out;

	if (!o->json) {
		printf("capio bench memcached: server on NIC 0, client on NIC 1, one "
		    "TCP connection,\none request in flight; %d keys, %d%% SET, "
		    "%llu operations after %llu warm-up;\nkernel arm %s host "
		    "system calls. Times in ns; costs per operation.\n\n", KEYS,
		    SET_PERCENT, (unsigned long long)samples,
		    (unsigned long long)warmup,
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
		printf("\nratios (capio/kernel, capio/page; raw: n/a)\n"
		    "%5s  %-17s %-17s %-17s\n", "value", "GET p50", "SET p50",
		    "ops/s");
		for (int s = 0; s < NSIZES; s++) {
			char g[40], t[40], x[40];
			const struct result *c = &res[BARM_CAPIO][s];
			const struct result *k = &res[BARM_KERNEL][s];
			const struct result *p = &res[BARM_PAGE][s];

			snprintf(g, sizeof g, "%.3f, %.3f", c->lat[GET].p50 /
			    k->lat[GET].p50, c->lat[GET].p50 / p->lat[GET].p50);
			snprintf(t, sizeof t, "%.3f, %.3f", c->lat[SET].p50 /
			    k->lat[SET].p50, c->lat[SET].p50 / p->lat[SET].p50);
			snprintf(x, sizeof x, "%.3f, %.3f", c->ops_per_s /
			    k->ops_per_s, c->ops_per_s / p->ops_per_s);
			printf("%5u  %-17s %-17s %-17s\n", sizes[s], g, t, x);
		}
		printf("\nfiles: %s/memcached.csv, %s/memcached.json, "
		    "%s/memcached.png\n", o->out, o->out, o->out);
	}
	*json = buf;
	buf = NULL;
	rc = 0;
out:
	bench_run_end(o, csv, dat, buf);
	free(lat);
	free(tmp);
	free(is_set);
	return rc;
}

int
bench_memcached(int argc, char **argv)
{
	return bench_main(argc, argv, BOPT_SAMPLES, USAGE,
	    "memcached GET and SET latency and operations per second: the server\n"
	    "process on NIC 0, the workload client on NIC 1 (one connection, one\n"
	    "request in flight; 100 keys, 90% GET, values of 64 and 1024 bytes),\n"
	    "through the kernel path, page-granular bypass or CAPIO. Writes\n"
	    "memcached.csv, memcached.json, memcached.png under --out.\n",
	    bench_memcached_run);
}
