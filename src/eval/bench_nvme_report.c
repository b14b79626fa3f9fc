/*
 * bench_nvme_report.c — what `capio bench nvme` concludes from its
 * figures (bench_nvme.h) and how it says it: the latency summaries and
 * IOPS spreads per arm, the per-round ratios judged against the targets
 * (QD1 latency: capio/kernel <= 0.50, capio/page 0.95-1.05, capio/raw
 * <= 1.25; four tenants' IOPS >= 3x one's), nvme.csv, nvme.json, the
 * plot and the summary table.
 */
#include "eval/bench_nvme.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NRATIOS		3		/* capio over kernel, page, raw */

const char *const bench_nvme_work[BNV_NWORK] = {
	"randread_qd1", "randwrite_qd1", "randread_qd32", "randwrite_qd32",
};

static const enum bench_arm ratio_arm[NRATIOS] = { BARM_KERNEL, BARM_PAGE,
	BARM_RAW };
static const char *const ratio_key[NRATIOS] = { "capio_kernel", "capio_page",
	"capio_raw" };

int
bench_nvme_figures_alloc(struct bench_nvme_figures *f)
{
	size_t nb = (size_t)f->nb;

	for (int a = 0; a < BENCH_NARMS; a++)
		for (int w = 0; w < BNV_NWORK; w++) {
			if (bench_nvme_qd1(w) && ((f->lat[a][w] = calloc(f->samples,
			    sizeof(uint64_t))) == NULL || (f->med[a][w] =
			    calloc(nb, sizeof(double))) == NULL))
				return -1;
			if (!bench_nvme_qd1(w) && (f->iops[a][w] = calloc(nb,
			    sizeof(double))) == NULL)
				return -1;
		}
	for (int c = 0; c < 2; c++)
		if ((f->tiops[c] = calloc(nb, sizeof(double))) == NULL ||
		    (f->tcpu[c] = calloc(nb, sizeof(double))) == NULL)
			return -1;
	return 0;
}

void
bench_nvme_figures_free(struct bench_nvme_figures *f)
{
	for (int a = 0; a < BENCH_NARMS; a++)
		for (int w = 0; w < BNV_NWORK; w++) {
			free(f->lat[a][w]);
			free(f->med[a][w]);
			free(f->iops[a][w]);
			f->lat[a][w] = NULL;
			f->med[a][w] = f->iops[a][w] = NULL;
		}
	for (int c = 0; c < 2; c++) {
		free(f->tiops[c]);
		free(f->tcpu[c]);
		f->tiops[c] = f->tcpu[c] = NULL;
	}
}

/* What the report says, worked out from the figures. */
struct nv_report {
	const struct bench_nvme_figures *f;
	struct bench_lat lat[BENCH_NARMS][BNV_NWORK];
	double p25[BENCH_NARMS][BNV_NWORK], p75[BENCH_NARMS][BNV_NWORK];
	struct bench_spread iops[BENCH_NARMS][BNV_NWORK];
	struct bench_spread sp[BNV_NWORK][NRATIOS];
	enum bench_verdict vd[BNV_NWORK][NRATIOS];
	/* the tenants: one, four; four over one */
	struct bench_spread tiops[2], tcpu[2], tratio, tcpu_ratio;
	enum bench_verdict tvd;
	struct bench_verdicts v;
};

/* The median and quartiles of v[0..n) (finite, positive values). */
static void
spread_of(const double *v, int n, struct bench_spread *s)
{
	double one[n > 0 ? n : 1];

	for (int i = 0; i < n; i++)
		one[i] = 1;
	/* v over 1: the values themselves, with their quartiles. */
	bench_spread_ratio(v, one, n, s);
}

/* Target of capio over arm r (0 kernel, 1 page, 2 raw) for workload w:
 * the QD1 latencies only. */
static void
target(int r, int w, double *lo, double *hi)
{
	*lo = -INFINITY;
	*hi = INFINITY;
	if (!bench_nvme_qd1(w))
		return;
	if (r == 0)
		*hi = 0.50;
	else if (r == 1) {
		*lo = 0.95;
		*hi = 1.05;
	} else
		*hi = 1.25;
}

static void
conclude(struct nv_report *rp, struct bench_nvme_figures *f,
    const struct bench_opts *o)
{
	for (int a = 0; a < BENCH_NARMS; a++)
		for (int w = 0; w < BNV_NWORK; w++) {
			if (!bench_nvme_qd1(w)) {
				spread_of(f->iops[a][w], f->nb, &rp->iops[a][w]);
				continue;
			}
			bench_lat_summarize(f->lat[a][w], f->samples,
			    &rp->lat[a][w]);
			rp->p25[a][w] = bench_lat_rank(f->lat[a][w], f->samples,
			    0.25);
			rp->p75[a][w] = bench_lat_rank(f->lat[a][w], f->samples,
			    0.75);
		}
	for (int w = 0; w < BNV_NWORK; w++)
		for (int r = 0; r < NRATIOS; r++) {
			bool qd1 = bench_nvme_qd1(w);
			enum bench_arm b = ratio_arm[r];
			char what[80];
			double lo, hi;

			/* QD1: capio's latency over the arm's (below 1: capio
			 * is faster); QD32: capio's IOPS over the arm's (above
			 * 1: capio is faster). */
			bench_spread_ratio(qd1 ? f->med[BARM_CAPIO][w] :
			    f->iops[BARM_CAPIO][w], qd1 ? f->med[b][w] :
			    f->iops[b][w], f->nb, &rp->sp[w][r]);
			snprintf(what, sizeof what, "capio/%s %s %s",
			    bench_arm_name(ratio_arm[r]), bench_nvme_work[w],
			    bench_nvme_qd1(w) ? "latency" : "IOPS");
			target(r, w, &lo, &hi);
			rp->vd[w][r] = isfinite(lo) || isfinite(hi) ?
			    bench_judge(&rp->v, o, what, &rp->sp[w][r], lo, hi) :
			    bench_spread_check(&rp->v, o, what, &rp->sp[w][r]);
		}
	for (int c = 0; c < 2; c++) {
		spread_of(f->tiops[c], f->nb, &rp->tiops[c]);
		spread_of(f->tcpu[c], f->nb, &rp->tcpu[c]);
	}
	bench_spread_ratio(f->tiops[1], f->tiops[0], f->nb, &rp->tratio);
	bench_spread_ratio(f->tcpu[1], f->tcpu[0], f->nb, &rp->tcpu_ratio);
	rp->tvd = bench_judge(&rp->v, o, "4 tenants' IOPS over 1 tenant's",
	    &rp->tratio, BNV_TENANT_TARGET, INFINITY);
}

/* --- files -------------------------------------------------------------- */

static void
csv_head(FILE *csv, const char *arm, const char *work, int qd, uint64_t ios,
    int blocks)
{
	fprintf(csv, "%s,%s,%s,%s,%d,%llu,%d", bench_machine_csv(),
	    bench_commit(), arm, work, qd, (unsigned long long)ios, blocks);
}

/* nvme.csv's rows and nvme.dat's blocks (the samples are sorted now). */
static void
write_files(FILE *csv, FILE *dat, const struct bench_opts *o, const void *ctx)
{
	const struct nv_report *rp = ctx;
	const struct bench_nvme_figures *f = rp->f;

	(void)o;
	for (int w = 0; w < BNV_NWORK; w++)
		for (int a = 0; a < BENCH_NARMS; a++) {
			int r;

			csv_head(csv, bench_arm_name((enum bench_arm)a),
			    bench_nvme_work[w], bench_nvme_qd1(w) ? 1 : BNV_QD,
			    f->ios[a][w], f->nb);
			if (bench_nvme_qd1(w)) {
				const struct bench_lat *l = &rp->lat[a][w];

				fprintf(csv, ",%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,,,",
				    l->min, rp->p25[a][w], l->p50, rp->p75[a][w],
				    l->p99, l->p999, l->max);
			} else {
				const struct bench_spread *s = &rp->iops[a][w];

				fprintf(csv, ",,,,,,,,%.0f,%.0f,%.0f", s->med,
				    s->p25, s->p75);
			}
			bench_counts_csv(csv, &f->cost[a][w], f->ios[a][w]);
			/* capio's over this arm's, per round (empty for capio). */
			for (r = 0; r < NRATIOS && (int)ratio_arm[r] != a; r++)
				;
			bench_spread_csv(csv, r < NRATIOS ? &rp->sp[w][r] : NULL);
			fputc('\n', csv);
		}
	for (int c = 0; c < 2; c++) {
		const struct bench_spread *s = &rp->tiops[c];
		char work[40];

		snprintf(work, sizeof work, "randread_qd32_tenants%d",
		    f->ntenants[c]);
		csv_head(csv, "capio", work, BNV_QD, (uint64_t)f->batches *
		    BNV_QD * (uint64_t)s->n, s->n);
		fprintf(csv, ",,,,,,,,%.0f,%.0f,%.0f,,,,", s->med, s->p25, s->p75);
		/* The last row carries four over one. */
		bench_spread_csv(csv, c == 1 ? &rp->tratio : NULL);
		fputc('\n', csv);
	}
	/* Blocks 0..7: the QD1 CDFs (read, then write, an arm each); 8: QD32
	 * IOPS per arm; 9: the tenants' IOPS per round. */
	for (int w = BNV_READ1; w <= BNV_WRITE1; w++)
		for (int a = 0; a < BENCH_NARMS; a++) {
			fprintf(dat, "# %s %s\n", bench_arm_name((enum bench_arm)a),
			    bench_nvme_work[w]);
			bench_lat_cdf(dat, f->lat[a][w], f->samples, 400);
			fprintf(dat, "\n\n");
		}
	fprintf(dat, "# arm read_med read_p25 read_p75 write_med write_p25 "
	    "write_p75\n");
	for (int a = 0; a < BENCH_NARMS; a++) {
		const struct bench_spread *r = &rp->iops[a][BNV_READ32];
		const struct bench_spread *wr = &rp->iops[a][BNV_WRITE32];

		fprintf(dat, "%d %.0f %.0f %.0f %.0f %.0f %.0f\n", a, r->med,
		    r->p25, r->p75, wr->med, wr->p25, wr->p75);
	}
	fprintf(dat, "\n\n# round one_tenant four_tenants\n");
	for (int b = 0; b < f->nb; b++)
		if (isfinite(f->tiops[0][b]) && isfinite(f->tiops[1][b]))
			fprintf(dat, "%d %.0f %.0f\n", b, f->tiops[0][b],
			    f->tiops[1][b]);
}

static void
plot_script(const struct bench_opts *o, const void *ctx)
{
	const struct nv_report *rp = ctx;
	static const struct bench_cdf_plot cdf = {
		.name = "nvme", .xlabel = "latency (ns)",
		.ylabel = "fraction of I/Os",
	};
	struct bench_cdf_panel panel[2];
	FILE *gp = bench_plot_begin(o, "nvme", 1400, 1000, 2, 2,
	    "capio bench nvme: 4 KiB random I/O per arm");

	if (gp == NULL)
		return;
	_Static_assert(BENCH_NARMS <= BENCH_CDF_LINES, "a line per arm");
	for (int w = BNV_READ1; w <= BNV_WRITE1; w++) {
		struct bench_cdf_panel *p = &panel[w - BNV_READ1];

		snprintf(p->title, sizeof p->title, "%s latency at QD1",
		    w == BNV_READ1 ? "random read" : "random write");
		p->nlines = BENCH_NARMS;
		for (int a = 0; a < BENCH_NARMS; a++) {
			p->line[a].label = bench_arm_name((enum bench_arm)a);
			p->line[a].block = (w - BNV_READ1) * BENCH_NARMS + a;
			p->line[a].lat = &rp->lat[a][w];
		}
	}
	bench_plot_cdf_panels(gp, &cdf, panel, 2);
	fprintf(gp,
	    "set format y '%%.1s%%c'\n"
	    "set title 'IOPS at QD32 (median block, bars: p25-p75)'\n"
	    "set ylabel 'I/Os per second'\nset yrange [0:*]\n"
	    "set xrange [-0.6:3.6]\nset xtics ('kernel' 0, 'page' 1, "
	    "'capio' 2, 'raw' 3)\nset key top left\n"
	    "set style fill solid 0.5\nset boxwidth 0.3\n"
	    "plot 'nvme.dat' index 8 using ($1-0.16):2 with boxes "
	    "title 'random read', '' index 8 using ($1-0.16):2:3:4 with "
	    "yerrorbars lc black pt 0 notitle, '' index 8 using ($1+0.16):5 "
	    "with boxes title 'random write', '' index 8 using "
	    "($1+0.16):5:6:7 with yerrorbars lc black pt 0 notitle\n"
	    "set title 'tenants on one controller: random reads, QD32 each "
	    "(capio)'\nset xlabel 'round'\nset xtics autofreq\nset autoscale x\n"
	    "set yrange [0:*]\nset key bottom right\n"
	    "plot 'nvme.dat' index 9 using 1:2 with linespoints title "
	    "'1 tenant', '' index 9 using 1:3 with linespoints title "
	    "'4 tenants (together)'\n");
	bench_plot_end(gp);
}

static void
spread_fields(FILE *doc, const char *key, const struct bench_spread *s)
{
	fprintf(doc, "\"%s\":", key);
	bench_json_num(doc, s->med);
	fprintf(doc, ",\"%s_p25\":", key);
	bench_json_num(doc, s->p25);
	fprintf(doc, ",\"%s_p75\":", key);
	bench_json_num(doc, s->p75);
}

static void
write_doc(FILE *doc, const struct bench_opts *o, const void *ctx)
{
	const struct nv_report *rp = ctx;
	const struct bench_nvme_figures *f = rp->f;

	(void)o;
	fprintf(doc, "\"io_bytes\":%u,\"namespace_bytes\":%u,\"queue_depth\":%d,"
	    "\"warmup\":%llu,\"samples\":%llu,\"blocks\":%d,"
	    "\"qd32_ios_per_block\":%u,", BNV_IO_BYTES, BNV_NS_BYTES, BNV_QD,
	    (unsigned long long)f->warmup, (unsigned long long)f->samples,
	    f->nb, f->batches * BNV_QD);
	bench_json_arms(doc, "arms", BENCH_NARMS);
	fputs(",\"workloads\":[", doc);
	for (int w = 0; w < BNV_NWORK; w++)
		fprintf(doc, "%s\"%s\"", w ? "," : "", bench_nvme_work[w]);
	fputs("],\"results\":{", doc);
	for (int a = 0; a < BENCH_NARMS; a++) {
		bench_json_open(doc, a, bench_arm_name((enum bench_arm)a));
		for (int w = 0; w < BNV_NWORK; w++) {
			bench_json_open(doc, w, bench_nvme_work[w]);
			fprintf(doc, "\"ios\":%llu,",
			    (unsigned long long)f->ios[a][w]);
			if (bench_nvme_qd1(w)) {
				bench_lat_json(doc, &rp->lat[a][w]);
				fputs(",\"p25_ns\":", doc);
				bench_json_num(doc, rp->p25[a][w]);
				fputs(",\"p75_ns\":", doc);
				bench_json_num(doc, rp->p75[a][w]);
			} else
				spread_fields(doc, "iops", &rp->iops[a][w]);
			bench_counts_json(doc, &f->cost[a][w], f->ios[a][w], "io");
			fputc('}', doc);
		}
		fputc('}', doc);
	}
	fputs("},\"ratios\":{", doc);
	for (int w = 0; w < BNV_NWORK; w++) {
		bench_json_open(doc, w, bench_nvme_work[w]);
		bench_spreads_json(doc, ratio_key, rp->sp[w], NRATIOS);
		fputc('}', doc);
	}
	fputs("},\"tenants\":{\"workload\":\"randread_qd32\",", doc);
	for (int c = 0; c < 2; c++) {
		fprintf(doc, "\"%s\":{\"tenants\":%d,", c ? "four" : "one",
		    f->ntenants[c]);
		spread_fields(doc, "iops", &rp->tiops[c]);
		fputc(',', doc);
		spread_fields(doc, "cpu_iops", &rp->tcpu[c]);
		fputs("},", doc);
	}
	bench_spread_json(doc, "four_one", &rp->tratio);
	fputc(',', doc);
	bench_spread_json(doc, "cpu_four_one", &rp->tcpu_ratio);
	fputs("},\"targets\":[", doc);
	for (int w = 0, first = 1; w < BNV_NWORK; w++)
		for (int r = 0; r < NRATIOS; r++) {
			double lo, hi;
			char what[80];

			target(r, w, &lo, &hi);
			if (!isfinite(lo) && !isfinite(hi))
				continue;
			snprintf(what, sizeof what, "capio/%s median latency, %s",
			    bench_arm_name(ratio_arm[r]), bench_nvme_work[w]);
			fputs(first ? "" : ",", doc);
			bench_target_json(doc, what, &rp->sp[w][r], lo, hi,
			    rp->vd[w][r]);
			first = 0;
		}
	fputc(',', doc);
	bench_target_json(doc, "4 tenants' IOPS over 1 tenant's, randread_qd32",
	    &rp->tratio, BNV_TENANT_TARGET, INFINITY, rp->tvd);
	fputs("]", doc);
}

/* --- the summary ------------------------------------------------------ */

/* "1,234,567" */
static const char *
thousands(double v, char *buf, size_t len)
{
	char digits[32];
	size_t n, o = 0;

	if (!isfinite(v)) {
		snprintf(buf, len, "n/a");
		return buf;
	}
	snprintf(digits, sizeof digits, "%.0f", v);
	n = strlen(digits);
	for (size_t i = 0; i < n && o + 2 < len; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
	return buf;
}

/* "512,345 (500,001-520,999)" */
static const char *
iops_cell(const struct bench_spread *s, char *buf, size_t len)
{
	char c1[32], c2[32], c3[32];

	snprintf(buf, len, "%s (%s-%s)", thousands(s->med, c1, sizeof c1),
	    thousands(s->p25, c2, sizeof c2), thousands(s->p75, c3, sizeof c3));
	return buf;
}

/* sysc, mmio, checks, copied: per I/O. */
static void
print_costs(const struct bench_nvme_figures *f, int a, int w)
{
	const struct bench_counts *c = &f->cost[a][w];
	uint64_t n = f->ios[a][w];

	printf(" %6.2f %6.2f %7.2f %7.0f\n", bench_per(c->syscalls, n),
	    bench_per(c->mmio, n), bench_per(c->checks, n),
	    bench_per(c->copy_bytes, n));
}

static void
print_summary(const struct bench_opts *o, const void *ctx)
{
	const struct nv_report *rp = ctx;
	const struct bench_nvme_figures *f = rp->f;
	char cell[120], c2[120];

	printf("capio bench nvme: 4 KiB random I/O on a %u MiB RAM namespace "
	    "of one NVMe\ncontroller; QD1: %llu I/Os per arm and workload "
	    "after %llu warm-up; QD32:\n%u I/Os per block; the arms "
	    "interleaved in %d rounds of one block each;\nkernel arm %s host "
	    "system calls. Costs per I/O.\n\n", BNV_NS_BYTES >> 20,
	    (unsigned long long)f->samples, (unsigned long long)f->warmup,
	    f->batches * BNV_QD, f->nb, o->host_syscalls ? "pays real" :
	    "without");
	printf("latency at QD1 (ns, over all blocks)\n");
	printf("%-10s %-7s %7s %7s %7s %7s %7s %8s %6s %6s %7s %7s\n",
	    "workload", "arm", "min", "p25", "p50", "p75", "p99", "max",
	    "sysc", "mmio", "checks", "copied");
	for (int w = BNV_READ1; w <= BNV_WRITE1; w++)
		for (int a = 0; a < BENCH_NARMS; a++) {
			const struct bench_lat *l = &rp->lat[a][w];

			printf("%-10s %-7s %7.0f %7.0f %7.0f %7.0f %7.0f %8.0f",
			    w == BNV_READ1 ? "randread" : "randwrite",
			    bench_arm_name((enum bench_arm)a), l->min,
			    rp->p25[a][w], l->p50, rp->p75[a][w], l->p99, l->max);
			print_costs(f, a, w);
		}
	printf("\nIOPS at QD32 (median block, p25-p75)\n");
	printf("%-10s %-7s %30s %6s %6s %7s %7s\n", "workload", "arm", "IOPS",
	    "sysc", "mmio", "checks", "copied");
	for (int w = BNV_READ32; w <= BNV_WRITE32; w++)
		for (int a = 0; a < BENCH_NARMS; a++) {
			printf("%-10s %-7s %30s", w == BNV_READ32 ? "randread" :
			    "randwrite", bench_arm_name((enum bench_arm)a),
			    iops_cell(&rp->iops[a][w], cell, sizeof cell));
			print_costs(f, a, w);
		}
	printf("\nratios, capio over each arm in the same round: median "
	    "(p25-p75) over the\nrounds; QD1 of latency (targets: "
	    "capio/kernel <= 0.50, capio/page 0.95-1.05,\ncapio/raw <= 1.25), "
	    "QD32 of IOPS (no target)\n");
	printf("%-16s %-26s %-26s %-26s\n", "", "capio/kernel", "capio/page",
	    "capio/raw");
	for (int w = 0; w < BNV_NWORK; w++) {
		char rc[NRATIOS][64];

		for (int r = 0; r < NRATIOS; r++)
			bench_spread_cell(&rp->sp[w][r], rp->vd[w][r], rc[r],
			    sizeof rc[r]);
		printf("%-16s %-26s %-26s %-26s\n", bench_nvme_work[w], rc[0],
		    rc[1], rc[2]);
	}
	printf("\ntenants on one controller, a queue pair each (capio arm), "
	    "random reads at\nQD32 each, interleaved on the one simulated "
	    "CPU:\n");
	printf("%-8s %30s %30s\n", "tenants", "IOPS (median block)",
	    "per second of tenant time");
	for (int c = 0; c < 2; c++)
		printf("%-8d %30s %30s\n", f->ntenants[c],
		    iops_cell(&rp->tiops[c], cell, sizeof cell),
		    iops_cell(&rp->tcpu[c], c2, sizeof c2));
	bench_spread_cell(&rp->tratio, rp->tvd, cell, sizeof cell);
	printf("4 tenants / 1 tenant, per round: %s (target >= %.2f)\n",
	    cell, BNV_TENANT_TARGET);
	printf("  the same per second of tenant time: %s\n",
	    bench_spread_str(&rp->tcpu_ratio, cell, sizeof cell));
	/* Why the one figure is far from the other machine's. */
	printf("  (the tenants take turns on the one simulated CPU: together "
	    "they cannot do\n  more than it does; 3x needs a CPU per tenant, "
	    "docs/nvme.md)\n\n");
}

static const struct bench_report report = {
	.name = "nvme",
	.csv_header = "machine,commit,arm,workload,qd,ios,blocks,min_ns,p25_ns,"
	    "p50_ns,p75_ns,p99_ns,p999_ns,max_ns,iops,iops_p25,iops_p75,"
	    "syscalls_per_io,mmio_per_io,checks_per_io,bytes_copied_per_io,"
	    "capio_ratio_median,capio_ratio_p25,capio_ratio_p75\n",
	.dat = true, .files = write_files, .doc = write_doc,
	.plot = plot_script, .summary = print_summary,
};

int
bench_nvme_report(const struct bench_opts *o, struct bench_nvme_figures *f,
    char **json)
{
	struct nv_report *rp = calloc(1, sizeof *rp);
	int rc;

	*json = NULL;
	if (rp == NULL) {
		fprintf(stderr, "capio: bench nvme: out of memory\n");
		return -1;
	}
	rp->f = f;
	bench_verdicts_init(&rp->v, "nvme");
	conclude(rp, f, o);
	rc = bench_report_write(o, &report, rp, &rp->v, json);
	free(rp);
	return rc;
}
