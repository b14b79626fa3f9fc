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
 * (bench_app_interleave); the ratios are taken per round and reported as
 * their median and interquartile range.
 *
 * Frame sizes are on the wire with the FCS: a 64-byte frame carries 18
 * bytes of UDP payload, a 1518-byte frame 1472.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/bench.h"
#include "eval/bench_app.h"
#include "eval/bench_report.h"
#include "user/server.h"

#define NSIZES	2
#define NARMS	3	/* kernel, page, capio */
#define HEADERS	(14 + 20 + 8 + 4)	/* Ethernet, IPv4, UDP, FCS */
#define PORT	7

static const unsigned sizes[NSIZES] = { 64, 1518 };

struct result {
	struct bench_lat lat;
	double ops_per_s;
	struct bench_counts cost;
	uint64_t ops;
};

/* One size: the three machines, and what their blocks gave. */
struct udp_run {
	struct server_cfg srv[NARMS];
	struct client_cfg cfg[NARMS];
	struct bench_app app[NARMS];
	uint64_t *lat[NARMS];		/* per client operation */
	uint64_t *tmp;
	double *med[NARMS];		/* block medians */
	uint64_t *all[NARMS];		/* the blocks' samples, together */
	uint64_t nall[NARMS];
};

static void
setup(struct udp_run *u, const struct bench_opts *o, int a, unsigned size,
    uint64_t warmup, uint64_t ops)
{
	struct server_cfg *srv = &u->srv[a];
	struct client_cfg *cfg = &u->cfg[a];
	struct bench_app *app = &u->app[a];

	memset(srv, 0, sizeof *srv);
	memset(cfg, 0, sizeof *cfg);
	memset(app, 0, sizeof *app);
	srv->app = APP_UDP_ECHO;
	srv->dev = 0;
	srv->kernel_path = a == BARM_KERNEL;
	snprintf(srv->cidr, sizeof srv->cidr, "10.0.0.1/24");
	srv->port = PORT;
	snprintf(cfg->cidr, sizeof cfg->cidr, "10.0.0.2/24");
	snprintf(cfg->server, sizeof cfg->server, "10.0.0.1");
	cfg->port = PORT;
	cfg->ops = (uint32_t)ops;
	cfg->size = size - HEADERS;
	cfg->lat_ns = u->lat[a];
	app->arm = (enum bench_arm)a;
	app->host_syscalls = o->host_syscalls;
	app->server = server_main;
	app->server_arg = srv;
	app->server_ready = &srv->ready;
	app->server_stop = &srv->stop;
	app->server_err = srv->err;
	app->client = udp_client_main;
	app->cfg = cfg;
	app->warmup = warmup;
	app->server_mac = srv->mac;
}

/* A block of arm a: its median, its samples into the arm's whole. */
static void
block(void *ctx, int a, int blk, uint64_t i0, uint64_t i1, double seconds)
{
	struct udp_run *u = ctx;

	(void)seconds;
	memcpy(u->all[a] + u->nall[a], u->lat[a] + i0,
	    (i1 - i0) * sizeof(uint64_t));
	memcpy(u->tmp, u->lat[a] + i0, (i1 - i0) * sizeof(uint64_t));
	u->med[a][blk] = bench_median_u64(u->tmp, i1 - i0);
	u->nall[a] += i1 - i0;
}

/* Every arm at one size, interleaved; 0 or -1 (message on stderr). */
static int
run_size(struct udp_run *u, const struct bench_opts *o, int s, uint64_t warmup,
    uint64_t samples, int nb, struct result *res[NARMS])
{
	uint64_t ops = bench_app_ops(warmup, samples, nb);
	char what[40];
	int bad = -1;

	for (int a = 0; a < NARMS; a++) {
		u->nall[a] = 0;
		setup(u, o, a, sizes[s], warmup, ops);
		if (bench_app_start(&u->app[a]) != 0) {
			bad = a;
			goto fail;
		}
	}
	snprintf(what, sizeof what, "%u-byte frames", sizes[s]);
	if (bench_app_interleave(u->app, NARMS, samples, nb, o,
	    (double)s / NSIZES, (double)(s + 1) / NSIZES, what, block, u,
	    &bad) != 0)
		goto fail;
	for (int a = 0; a < NARMS; a++) {
		struct bench_app *app = &u->app[a];

		if (bench_app_finish(app) != 0) {
			bad = a;
			goto fail;
		}
		bench_lat_summarize(u->all[a], u->nall[a], &res[a]->lat);
		res[a]->ops_per_s = (double)app->ops / app->seconds;
		res[a]->cost = app->cost;
		res[a]->ops = app->ops;
	}
	return 0;
fail:
	bench_progress_end(o);
	fprintf(stderr, "capio: bench udp: %s arm, %u bytes: %s\n",
	    bench_arm_name((enum bench_arm)bad), sizes[s], u->app[bad].err);
	for (int a = 0; a < NARMS; a++)
		bench_app_finish(&u->app[a]);
	return -1;
}

static void
plot_script(const struct bench_opts *o, struct result res[][NSIZES])
{
	static const struct bench_cdf_plot plot = {
		.name = "udp", .width = 1100, .height = 500,
		.rows = 1, .cols = NSIZES,
		.title = "capio bench udp: UDP echo round trips through lwIP per "
		    "arm",
		.xlabel = "round-trip time (ns)",
		.ylabel = "fraction of round trips",
	};
	struct bench_cdf_panel panel[NSIZES];

	for (int s = 0; s < NSIZES; s++) {
		snprintf(panel[s].title, sizeof panel[s].title,
		    "%u-byte frames (%u-byte payload)", sizes[s],
		    sizes[s] - HEADERS);
		panel[s].nlines = NARMS;
		for (int a = 0; a < NARMS; a++) {
			panel[s].line[a].label = bench_arm_name((enum bench_arm)a);
			panel[s].line[a].block = s * NARMS + a;
			panel[s].line[a].lat = &res[a][s].lat;
		}
	}
	bench_plot_cdf(o, &plot, panel, NSIZES);
}

/* udp.csv: a row per arm and size. 0, or -1. */
static int
write_csv(const struct bench_opts *o, struct result res[][NSIZES],
    struct bench_spread sp[][2], uint64_t warmup, uint64_t samples, int nb)
{
	FILE *csv;

	if ((csv = bench_out_open(o, "udp.csv")) == NULL)
		return -1;
	fprintf(csv, "machine,commit,arm,size,payload,host_syscalls,warmup,"
	    "samples,blocks,min_ns,mean_ns,p50_ns,p99_ns,p999_ns,max_ns,"
	    "ops_per_s,syscalls_per_rtt,mmio_per_rtt,checks_per_rtt,"
	    "bytes_copied_per_rtt,capio_ratio_median,capio_ratio_p25,"
	    "capio_ratio_p75\n");
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < NARMS; a++) {
			const struct result *r = &res[a][s];

			fprintf(csv, "%s,%s,%s,%u,%u,%d,%llu,%llu,%d,%.0f,%.1f,%.0f,"
			    "%.0f,%.0f,%.0f,%.0f,%.3f,%.3f,%.3f,%.1f",
			    bench_machine_csv(), bench_commit(),
			    bench_arm_name((enum bench_arm)a), sizes[s],
			    sizes[s] - HEADERS, o->host_syscalls,
			    (unsigned long long)warmup, (unsigned long long)samples,
			    nb, r->lat.min, r->lat.mean, r->lat.p50, r->lat.p99,
			    r->lat.p999, r->lat.max, r->ops_per_s,
			    bench_per(r->cost.syscalls, r->ops),
			    bench_per(r->cost.mmio, r->ops),
			    bench_per(r->cost.checks, r->ops),
			    bench_per(r->cost.copy_bytes, r->ops));
			if (a == BARM_CAPIO)
				fprintf(csv, ",,,\n");
			else
				fprintf(csv, ",%.4f,%.4f,%.4f\n", sp[s][a].med,
				    sp[s][a].p25, sp[s][a].p75);
		}
	return fclose(csv) != 0 ? -1 : 0;
}

/* The JSON document (one line, malloc'd); NULL on failure. */
static char *
write_doc(const struct bench_opts *o, struct result res[][NSIZES],
    struct bench_spread sp[][2], struct bench_verdicts *v, uint64_t warmup,
    uint64_t samples, int nb)
{
	char *buf = NULL;
	size_t len;
	FILE *doc;

	if ((doc = bench_doc_begin("udp", o, &buf, &len)) == NULL)
		return NULL;
	fprintf(doc, "\"warmup\":%llu,\"samples\":%llu,\"blocks\":%d,"
	    "\"port\":%d,\"arms\":[\"kernel\",\"page\",\"capio\"],\"sizes\":[",
	    (unsigned long long)warmup, (unsigned long long)samples, nb, PORT);
	for (int s = 0; s < NSIZES; s++)
		fprintf(doc, "%s%u", s ? "," : "", sizes[s]);
	fputs("],\"results\":{", doc);
	for (int a = 0; a < NARMS; a++) {
		fprintf(doc, "%s\"%s\":{", a ? "," : "",
		    bench_arm_name((enum bench_arm)a));
		for (int s = 0; s < NSIZES; s++) {
			const struct result *r = &res[a][s];

			fprintf(doc, "%s\"%u\":{\"payload\":%u,", s ? "," : "",
			    sizes[s], sizes[s] - HEADERS);
			bench_lat_json(doc, &r->lat);
			fputs(",\"round_trips_per_s\":", doc);
			bench_json_num(doc, r->ops_per_s);
			bench_counts_json(doc, &r->cost, r->ops, "rtt");
			fputc('}', doc);
		}
		fputc('}', doc);
	}
	fputs("},\"ratios\":{", doc);
	for (int s = 0; s < NSIZES; s++) {
		fprintf(doc, "%s\"%u\":{", s ? "," : "", sizes[s]);
		bench_spread_json(doc, "capio_kernel", &sp[s][0]);
		fputc(',', doc);
		bench_spread_json(doc, "capio_page", &sp[s][1]);
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
    struct bench_spread sp[][2], enum bench_verdict vd[][2], uint64_t warmup,
    uint64_t samples, int nb)
{
	printf("capio bench udp: UDP echo through lwIP, server on NIC 0, "
	    "client on NIC 1;\n%llu round trips after %llu warm-up per arm "
	    "and size, the arms interleaved in\n%d rounds of one block "
	    "each; kernel arm %s host system calls.\nTimes in ns, over all "
	    "blocks; costs per round trip, both processes.\n\n",
	    (unsigned long long)samples, (unsigned long long)warmup, nb,
	    o->host_syscalls ? "pays real" : "without");
	printf("%5s %-7s %8s %8s %8s %8s %8s %9s %9s %7s %7s %7s %8s\n",
	    "size", "arm", "min", "p50", "mean", "p99", "p99.9", "max",
	    "rt/s", "sysc", "mmio", "checks", "copied");
	for (int s = 0; s < NSIZES; s++)
		for (int a = 0; a < NARMS; a++) {
			const struct result *r = &res[a][s];

			printf("%5u %-7s %8.0f %8.0f %8.0f %8.0f %8.0f %9.0f "
			    "%9.0f %7.2f %7.2f %7.1f %8.1f\n", sizes[s],
			    bench_arm_name((enum bench_arm)a), r->lat.min,
			    r->lat.p50, r->lat.mean, r->lat.p99, r->lat.p999,
			    r->lat.max, r->ops_per_s,
			    bench_per(r->cost.syscalls, r->ops),
			    bench_per(r->cost.mmio, r->ops),
			    bench_per(r->cost.checks, r->ops),
			    bench_per(r->cost.copy_bytes, r->ops));
		}
	printf("\nratios of block median RTT, capio over each arm in the "
	    "same round:\nmedian (p25-p75) over the rounds (no raw arm)\n"
	    "%5s  %-26s %-26s\n", "size", "capio/kernel", "capio/page");
	for (int s = 0; s < NSIZES; s++) {
		char c0[64], c1[64], sb[40];

		snprintf(c0, sizeof c0, "%s %s", bench_spread_str(&sp[s][0],
		    sb, sizeof sb), bench_verdict_word(vd[s][0]));
		snprintf(c1, sizeof c1, "%s %s", bench_spread_str(&sp[s][1],
		    sb, sizeof sb), bench_verdict_word(vd[s][1]));
		printf("%5u  %-26s %-26s\n", sizes[s], c0, c1);
	}
	printf("\n");
}

int
bench_udp_run(const struct bench_opts *o, char **json)
{
	static struct udp_run u;
	struct result res[NARMS][NSIZES];
	struct bench_spread sp[NSIZES][2];	/* capio over kernel, page */
	enum bench_verdict vd[NSIZES][2];
	struct bench_verdicts v;
	uint64_t warmup = bench_pick(o->warmup, o->quick, 200, 1000);
	uint64_t samples = bench_pick(o->samples, o->quick, 2000, 20000);
	int nb = bench_nblocks(samples);
	uint64_t ops = bench_app_ops(warmup, samples, nb);
	FILE *dat = NULL;
	char *buf = NULL;
	int rc = 1;

	*json = NULL;
	memset(&u, 0, sizeof u);
	bench_verdicts_init(&v, "udp");
	bench_progress_begin(o, "udp");
	if (ops > UINT32_MAX / 2) {
		fprintf(stderr, "capio: bench udp: too many round trips\n");
		return 1;
	}
	if (bench_out_dir(o) != 0)
		return 1;
	for (int a = 0; a < NARMS; a++)
		if ((u.lat[a] = calloc(ops, sizeof(uint64_t))) == NULL ||
		    (u.all[a] = calloc(samples, sizeof(uint64_t))) == NULL ||
		    (u.med[a] = calloc((size_t)nb, sizeof(double))) == NULL)
			goto nomem;
	if ((u.tmp = calloc(samples, sizeof(uint64_t))) == NULL)
		goto nomem;
	if ((dat = bench_out_open(o, "udp.dat")) == NULL)
		goto out;
	memset(res, 0, sizeof res);
	for (int s = 0; s < NSIZES; s++) {
		struct result *r[NARMS];

		for (int a = 0; a < NARMS; a++)
			r[a] = &res[a][s];
		if (run_size(&u, o, s, warmup, samples, nb, r) != 0)
			goto out;
		for (int a = 0; a < NARMS; a++) {
			/* u.all[a] is sorted now: its CDF. */
			fprintf(dat, "# %s %u\n", bench_arm_name((enum bench_arm)a),
			    sizes[s]);
			bench_lat_cdf(dat, u.all[a], u.nall[a], 400);
			fprintf(dat, "\n\n");
		}
		for (int r2 = 0; r2 < 2; r2++) {
			int other = r2 == 0 ? BARM_KERNEL : BARM_PAGE;
			char what[64];

			bench_spread_ratio(u.med[BARM_CAPIO], u.med[other], nb,
			    &sp[s][r2]);
			snprintf(what, sizeof what, "capio/%s at %u B",
			    bench_arm_name((enum bench_arm)other), sizes[s]);
			vd[s][r2] = bench_spread_check(&v, o, what, &sp[s][r2]);
		}
		bench_progress_phase(o, "%u B done (%d/%d)", sizes[s], s + 1,
		    NSIZES);
	}
	bench_progress_end(o);
	if (fclose(dat) != 0) {
		dat = NULL;
		goto out;
	}
	dat = NULL;

	if (write_csv(o, res, sp, warmup, samples, nb) != 0)
		goto out;

	if ((buf = write_doc(o, res, sp, &v, warmup, samples, nb)) == NULL)
		goto out;
	if (bench_out_write(o, "udp.json", buf) != 0)
		goto out;
	plot_script(o, res);
	if (bench_plot(o, "udp") < 0)
		goto out;

	if (!o->json)
		print_summary(o, res, sp, vd, warmup, samples, nb);
	bench_verdicts_done(o, &v);
	if (!o->json)
		printf("files: %s/udp.csv, %s/udp.json, %s/udp.png\n", o->out,
		    o->out, o->out);
	*json = buf;
	buf = NULL;
	rc = 0;
	goto out;
nomem:
	fprintf(stderr, "capio: bench udp: out of memory\n");
out:
	bench_run_end(o, NULL, dat, buf);
	for (int a = 0; a < NARMS; a++) {
		free(u.lat[a]);
		free(u.all[a]);
		free(u.med[a]);
	}
	free(u.tmp);
	return rc;
}
