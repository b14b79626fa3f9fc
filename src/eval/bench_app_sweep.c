/*
 * bench_app_sweep.c — the application benchmarks' run (bench_app_sweep.h):
 * per size, the arms' machines side by side, interleaved block by block
 * (bench_app_interleave), the ratios taken per round and reported as
 * their median and interquartile range.
 */
#include "eval/bench_app_sweep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/bench.h"

/* The arms' machines at one size: the server and client, as D says. */
static void
setup(struct bench_app_sweep *w, const struct bench_opts *o, int a,
    unsigned size, uint64_t ops)
{
	const struct bench_app_desc *d = w->d;
	struct server_cfg *srv = &w->srv[a];
	struct client_cfg *cfg = &w->cfg[a];
	struct bench_app *app = &w->app[a];

	memset(srv, 0, sizeof *srv);
	memset(cfg, 0, sizeof *cfg);
	memset(app, 0, sizeof *app);
	srv->app = d->app;
	srv->dev = 0;
	srv->kernel_path = a == BARM_KERNEL;
	snprintf(srv->cidr, sizeof srv->cidr, "10.0.0.1/24");
	srv->port = d->port;
	snprintf(cfg->cidr, sizeof cfg->cidr, "10.0.0.2/24");
	snprintf(cfg->server, sizeof cfg->server, "10.0.0.1");
	cfg->port = d->port;
	cfg->ops = (uint32_t)ops;
	cfg->lat_ns = w->lat[a];
	cfg->is_set = w->is_set[a];
	/* The capio arm only: page is the same driver without it, so
	 * capio/page, per round, is what the offload saves. */
	srv->csum_offload = cfg->csum_offload = o->csum_offload &&
	    a == BARM_CAPIO;
	d->setup(srv, cfg, size);
	app->arm = (enum bench_arm)a;
	app->host_syscalls = o->host_syscalls;
	app->server = server_main;
	app->server_arg = srv;
	app->server_ready = &srv->ready;
	app->server_stop = &srv->stop;
	app->server_err = srv->err;
	app->server_mac = srv->mac;
	app->client = d->client;
	app->cfg = cfg;
	app->warmup = w->warmup;
}

/* Operation i of arm a: its kind (SET 1, GET 0; 0 when all are alike). */
static int
kind_of(const struct bench_app_sweep *w, int a, uint64_t i)
{
	return w->d->nkinds > 1 && w->is_set[a][i] != 0;
}

/* A block of arm a: each kind's median, and the rate; its samples into
 * the arm's whole. */
static void
block(void *ctx, int a, int blk, uint64_t i0, uint64_t i1, double seconds)
{
	struct bench_app_sweep *w = ctx;
	int nk = w->d->nkinds;

	for (int k = 0; k < nk; k++) {
		uint64_t n = 0;

		for (uint64_t i = i0; i < i1; i++)
			if (kind_of(w, a, i) == k) {
				w->tmp[n++] = w->lat[a][i];
				w->all[a][k][w->nall[a][k]++] = w->lat[a][i];
			}
		w->fig[a][k][blk] = bench_median_u64(w->tmp, n);
	}
	/* The paused operation's end is in this block's time too. */
	w->fig[a][nk][blk] = seconds > 0 ? (double)(i1 - i0 + 1) / seconds :
	    NAN;
}

/* Every arm at size s, interleaved; 0 or -1 (message on stderr). */
static int
run_size(struct bench_app_sweep *w, const struct bench_opts *o, int s)
{
	const struct bench_app_desc *d = w->d;
	uint64_t ops = bench_app_ops(w->warmup, w->samples, w->nb);
	char what[40];
	int bad = -1;

	for (int a = 0; a < BAPP_ARMS; a++) {
		memset(w->nall[a], 0, sizeof w->nall[a]);
		setup(w, o, a, d->sizes[s], ops);
		if (bench_app_start(&w->app[a]) != 0) {
			bad = a;
			goto fail;
		}
	}
	snprintf(what, sizeof what, d->round_fmt, d->sizes[s]);
	if (bench_app_interleave(w->app, BAPP_ARMS, w->samples, w->nb, o,
	    (double)s / d->nsizes, (double)(s + 1) / d->nsizes, what, block, w,
	    &bad) != 0)
		goto fail;
	for (int a = 0; a < BAPP_ARMS; a++) {
		struct bench_app *app = &w->app[a];
		struct bench_app_result *r = &w->res[a][s];

		if (bench_app_finish(app) != 0) {
			bad = a;
			goto fail;
		}
		for (int k = 0; k < d->nkinds; k++)
			bench_lat_summarize(w->all[a][k], w->nall[a][k], &r->lat[k]);
		r->ops_per_s = (double)app->ops / app->seconds;
		r->cost = app->cost;
		r->ops = app->ops;
	}
	return 0;
fail:
	bench_progress_end(o);
	snprintf(what, sizeof what, d->fail_fmt, d->sizes[s]);
	fprintf(stderr, "capio: bench %s: %s arm, %s: %s\n", d->name,
	    bench_arm_name((enum bench_arm)bad), what, w->app[bad].err);
	for (int a = 0; a < BAPP_ARMS; a++)
		bench_app_finish(&w->app[a]);
	return -1;
}

/* Size s into NAME.dat: a block per arm and kind (the samples are
 * sorted by now). */
static void
write_dat(struct bench_app_sweep *w, FILE *dat, int s)
{
	const struct bench_app_desc *d = w->d;

	for (int a = 0; a < BAPP_ARMS; a++)
		for (int k = 0; k < d->nkinds; k++) {
			fprintf(dat, "# %s %u", bench_arm_name((enum bench_arm)a),
			    d->sizes[s]);
			if (d->kind != NULL)
				fprintf(dat, " %s", d->kind[k]);
			fputc('\n', dat);
			bench_lat_cdf(dat, w->all[a][k], w->nall[a][k], 400);
			fprintf(dat, "\n\n");
		}
}

/* Size s's ratios per round, and what they support. */
static void
judge(struct bench_app_sweep *w, const struct bench_opts *o, int s)
{
	const struct bench_app_desc *d = w->d;

	for (int f = 0; f < d->nfigs; f++)
		for (int r = 0; r < BAPP_RATIOS; r++) {
			enum bench_arm other = r == 0 ? BARM_KERNEL : BARM_PAGE;
			struct bench_spread *sp = &w->sp[s][f][r];
			char what[64];

			bench_spread_ratio(w->fig[BARM_CAPIO][f], w->fig[other][f],
			    w->nb, sp);
			if (d->fig_title != NULL)
				snprintf(what, sizeof what, "capio/%s %s at %u B",
				    bench_arm_name(other), d->fig_title[f],
				    d->sizes[s]);
			else
				snprintf(what, sizeof what, "capio/%s at %u B",
				    bench_arm_name(other), d->sizes[s]);
			w->vd[s][f][r] = bench_spread_check(&w->v, o, what, sp);
		}
}

/* --- the report ------------------------------------------------------- */

/* NAME.csv's rows: one per size, arm and kind. */
static void
write_csv(FILE *csv, FILE *dat, const struct bench_opts *o, const void *ctx)
{
	const struct bench_app_sweep *w = ctx;
	const struct bench_app_desc *d = w->d;

	(void)dat;
	for (int s = 0; s < d->nsizes; s++)
		for (int a = 0; a < BAPP_ARMS; a++)
			for (int k = 0; k < d->nkinds; k++) {
				bench_csv_row(csv, a, d->sizes[s]);
				d->csv_row(csv, o, w, a, s, k);
				fputc('\n', csv);
			}
}

/* The document's fields: the run's, the benchmark's, a result per arm
 * and size, the ratios per size (and figure). */
static void
write_doc(FILE *doc, const struct bench_opts *o, const void *ctx)
{
	static const char *const key[BAPP_RATIOS] = { "capio_kernel",
		"capio_page" };
	const struct bench_app_sweep *w = ctx;
	const struct bench_app_desc *d = w->d;

	(void)o;
	fprintf(doc, "\"warmup\":%llu,\"samples\":%llu,\"blocks\":%d,",
	    (unsigned long long)w->warmup, (unsigned long long)w->samples,
	    w->nb);
	d->doc_head(doc);
	bench_json_arms(doc, "arms", BAPP_ARMS);
	fputc(',', doc);
	bench_json_uints(doc, d->sizes_key, d->sizes, d->nsizes);
	fputs(",\"results\":{", doc);
	for (int a = 0; a < BAPP_ARMS; a++) {
		bench_json_open(doc, a, bench_arm_name((enum bench_arm)a));
		for (int s = 0; s < d->nsizes; s++) {
			bench_json_openu(doc, s, d->sizes[s]);
			d->doc_cell(doc, &w->res[a][s], d->sizes[s]);
			fputc('}', doc);
		}
		fputc('}', doc);
	}
	fputs("},\"ratios\":{", doc);
	for (int s = 0; s < d->nsizes; s++) {
		bench_json_openu(doc, s, d->sizes[s]);
		if (d->fig_key == NULL)
			bench_spreads_json(doc, key, w->sp[s][0], BAPP_RATIOS);
		else
			for (int f = 0; f < d->nfigs; f++) {
				bench_json_open(doc, f, d->fig_key[f]);
				bench_spreads_json(doc, key, w->sp[s][f],
				    BAPP_RATIOS);
				fputc('}', doc);
			}
		fputc('}', doc);
	}
	fputs("}", doc);
}

/* NAME.gp: the latency distributions, a panel per kind and size (the
 * blocks of NAME.dat in write_dat's order). */
static void
plot_script(const struct bench_opts *o, const void *ctx)
{
	const struct bench_app_sweep *w = ctx;
	const struct bench_app_desc *d = w->d;
	struct bench_cdf_panel panel[BAPP_KINDS * BAPP_SIZES], *p = panel;

	for (int k = 0; k < d->nkinds; k++)
		for (int s = 0; s < d->nsizes; s++, p++) {
			d->panel_title(p->title, sizeof p->title, k, d->sizes[s]);
			p->nlines = BAPP_ARMS;
			for (int a = 0; a < BAPP_ARMS; a++) {
				p->line[a].label = bench_arm_name((enum bench_arm)a);
				p->line[a].block = (s * BAPP_ARMS + a) * d->nkinds + k;
				p->line[a].lat = &w->res[a][s].lat[k];
			}
		}
	bench_plot_cdf(o, &d->plot, panel, d->nkinds * d->nsizes);
}

/* --- the run ------------------------------------------------------------ */

static int
alloc(struct bench_app_sweep *w, uint64_t ops)
{
	for (int a = 0; a < BAPP_ARMS; a++) {
		if ((w->lat[a] = calloc(ops, sizeof(uint64_t))) == NULL ||
		    (w->d->nkinds > 1 &&
		    (w->is_set[a] = calloc(ops, 1)) == NULL))
			return -1;
		for (int k = 0; k < w->d->nkinds; k++)
			if ((w->all[a][k] = calloc(w->samples,
			    sizeof(uint64_t))) == NULL)
				return -1;
		for (int f = 0; f <= w->d->nkinds; f++)
			if ((w->fig[a][f] = calloc((size_t)w->nb,
			    sizeof(double))) == NULL)
				return -1;
	}
	return (w->tmp = calloc(w->samples, sizeof(uint64_t))) == NULL ? -1 : 0;
}

static void
free_all(struct bench_app_sweep *w)
{
	for (int a = 0; a < BAPP_ARMS; a++) {
		free(w->lat[a]);
		free(w->is_set[a]);
		for (int k = 0; k < BAPP_KINDS; k++)
			free(w->all[a][k]);
		for (int f = 0; f < BAPP_FIGS; f++)
			free(w->fig[a][f]);
	}
	free(w->tmp);
}

int
bench_app_sweep_run(const struct bench_app_desc *d, const struct bench_opts *o,
    char **json)
{
	static struct bench_app_sweep w;
	const struct bench_report report = {
		.name = d->name, .csv_header = d->csv_header,
		.files = write_csv, .doc = write_doc,
		.plot = plot_script, .summary = d->summary,
	};
	const char *name = d->name;
	uint64_t ops;
	FILE *dat = NULL;
	char file[64], label[40];
	int rc = 1;

	*json = NULL;
	memset(&w, 0, sizeof w);
	w.d = d;
	w.warmup = bench_pick(o->warmup, o->quick, d->warmup_quick,
	    d->warmup_full);
	w.samples = bench_pick(o->samples, o->quick, 2000, 20000);
	w.nb = bench_nblocks(w.samples);
	ops = bench_app_ops(w.warmup, w.samples, w.nb);
	bench_verdicts_init(&w.v, name);
	bench_progress_begin(o, name);
	if (ops > UINT32_MAX / 2) {
		fprintf(stderr, "capio: bench %s: too many %s\n", name, d->ops);
		return 1;
	}
	if (bench_out_dir(o) != 0)
		return 1;
	if (alloc(&w, ops) != 0) {
		fprintf(stderr, "capio: bench %s: out of memory\n", name);
		goto out;
	}
	snprintf(file, sizeof file, "%s.dat", name);
	if ((dat = bench_out_open(o, file)) == NULL)
		goto out;
	for (int s = 0; s < d->nsizes; s++) {
		if (run_size(&w, o, s) != 0)
			goto out;
		write_dat(&w, dat, s);
		judge(&w, o, s);
		snprintf(label, sizeof label, d->done_fmt, d->sizes[s]);
		bench_progress_phase(o, "%s (%d/%d)", label, s + 1, d->nsizes);
	}
	bench_progress_end(o);
	if (fclose(dat) != 0) {
		dat = NULL;
		goto out;
	}
	dat = NULL;
	if (bench_report_write(o, &report, &w, &w.v, json) == 0)
		rc = 0;
out:
	bench_run_end(o, NULL, dat, NULL);
	free_all(&w);
	return rc;
}
