/*
 * bench_report.c — options, latency summaries, the JSON document, the
 * output files and gnuplot, progress (bench_report.h).
 */
#include "eval/bench_report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "eval/bench.h"
#include "eval/bench_port.h"

/* --- options ------------------------------------------------------------ */

/* Targets missed and runs too noisy to judge, over the whole command
 * (`capio bench all` runs several). */
static int tally_missed, tally_noisy;

int
bench_check_status(const struct bench_opts *o)
{
	return o->check && (tally_missed > 0 || tally_noisy > 0) ? 1 : 0;
}

uint64_t
bench_pick(uint64_t v, bool quick, uint64_t quick_v, uint64_t full_v)
{
	if (v == UINT64_MAX)
		return 0;	/* an explicit zero */
	if (v != 0)
		return v;
	return quick ? quick_v : full_v;
}

void
bench_run_end(const struct bench_opts *o, FILE *csv, FILE *dat, char *doc)
{
	bench_progress_end(o);
	if (csv != NULL)
		fclose(csv);
	if (dat != NULL)
		fclose(dat);
	free(doc);
}

/* NAME.csv (and NAME.dat): 0, or -1 with a message on stderr. */
static int
write_files(const struct bench_opts *o, const struct bench_report *r,
    const void *ctx)
{
	FILE *csv, *dat = NULL;
	char name[64];
	int bad;

	snprintf(name, sizeof name, "%s.csv", r->name);
	if ((csv = bench_out_open(o, name)) == NULL)
		return -1;
	snprintf(name, sizeof name, "%s.dat", r->name);
	if (r->dat && (dat = bench_out_open(o, name)) == NULL) {
		fclose(csv);
		return -1;
	}
	fputs(r->csv_header, csv);
	r->files(csv, dat, o, ctx);
	bad = fclose(csv) != 0;
	if (dat != NULL && fclose(dat) != 0)
		bad = 1;
	if (bad) {
		fprintf(stderr, "capio: bench %s: cannot write the files\n",
		    r->name);
		return -1;
	}
	return 0;
}

int
bench_report_write(const struct bench_opts *o, const struct bench_report *r,
    const void *ctx, const struct bench_verdicts *v, char **json)
{
	char *buf = NULL, name[64];
	size_t len;
	FILE *doc;

	*json = NULL;
	if (write_files(o, r, ctx) != 0)
		return -1;
	if ((doc = bench_doc_begin(r->name, o, &buf, &len)) == NULL)
		return -1;
	r->doc(doc, o, ctx);
	bench_verdicts_json(doc, v);
	if (bench_doc_end(doc) != 0 || buf == NULL)
		goto fail;
	snprintf(name, sizeof name, "%s.json", r->name);
	if (bench_out_write(o, name, buf) != 0)
		goto fail;
	r->plot(o, ctx);
	if (bench_plot(o, r->name) < 0)
		goto fail;
	if (!o->json)
		r->summary(o, ctx);
	bench_verdicts_done(o, v);
	if (!o->json)
		printf("files: %s/%s.csv, %s/%s.json, %s/%s.png\n", o->out,
		    r->name, o->out, r->name, o->out, r->name);
	*json = buf;
	return 0;
fail:
	free(buf);
	return -1;
}

/* --- latency ------------------------------------------------------------ */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

double
bench_lat_rank(const uint64_t *s, size_t n, double p)
{
	size_t r = (size_t)ceil(p * (double)n);

	if (r < 1)
		r = 1;
	if (r > n)
		r = n;
	return (double)s[r - 1];
}

void
bench_lat_summarize(uint64_t *ns, size_t n, struct bench_lat *s)
{
	double sum = 0;

	memset(s, 0, sizeof *s);
	s->n = n;
	if (n == 0)
		return;
	qsort(ns, n, sizeof *ns, cmp_u64);
	for (size_t i = 0; i < n; i++)
		sum += (double)ns[i];
	s->min = (double)ns[0];
	s->max = (double)ns[n - 1];
	s->mean = sum / (double)n;
	s->p50 = bench_lat_rank(ns, n, 0.50);
	s->p99 = bench_lat_rank(ns, n, 0.99);
	s->p999 = bench_lat_rank(ns, n, 0.999);
}

void
bench_lat_cdf(FILE *f, const uint64_t *sorted, size_t n, unsigned points)
{
	size_t step;

	if (n == 0 || points == 0)
		return;
	step = n / points ? n / points : 1;
	for (size_t i = 0; i < n; i += step)
		fprintf(f, "%llu %.6f\n", (unsigned long long)sorted[i],
		    (double)(i + 1) / (double)n);
	fprintf(f, "%llu 1.000000\n", (unsigned long long)sorted[n - 1]);
}

void
bench_lat_json(FILE *f, const struct bench_lat *s)
{
	fprintf(f, "\"n\":%llu,\"min_ns\":", (unsigned long long)s->n);
	bench_json_num(f, s->min);
	fputs(",\"mean_ns\":", f);
	bench_json_num(f, s->mean);
	fputs(",\"p50_ns\":", f);
	bench_json_num(f, s->p50);
	fputs(",\"p99_ns\":", f);
	bench_json_num(f, s->p99);
	fputs(",\"p999_ns\":", f);
	bench_json_num(f, s->p999);
	fputs(",\"max_ns\":", f);
	bench_json_num(f, s->max);
}

void
bench_lat_csv(FILE *f, const struct bench_lat *s)
{
	fprintf(f, ",%.0f,%.1f,%.0f,%.0f,%.0f,%.0f", s->min, s->mean, s->p50,
	    s->p99, s->p999, s->max);
}

double
bench_per(uint64_t v, uint64_t n)
{
	return n ? (double)v / (double)n : NAN;
}

void
bench_counts_json(FILE *f, const struct bench_counts *c, uint64_t n,
    const char *unit)
{
	fprintf(f, ",\"syscalls_per_%s\":", unit);
	bench_json_num(f, bench_per(c->syscalls, n));
	fprintf(f, ",\"mmio_per_%s\":", unit);
	bench_json_num(f, bench_per(c->mmio, n));
	fprintf(f, ",\"checks_per_%s\":", unit);
	bench_json_num(f, bench_per(c->checks, n));
	fprintf(f, ",\"bytes_copied_per_%s\":", unit);
	bench_json_num(f, bench_per(c->copy_bytes, n));
}

void
bench_counts_csv(FILE *f, const struct bench_counts *c, uint64_t n)
{
	fprintf(f, ",%.3f,%.3f,%.3f,%.1f", bench_per(c->syscalls, n),
	    bench_per(c->mmio, n), bench_per(c->checks, n),
	    bench_per(c->copy_bytes, n));
}

/* --- JSON --------------------------------------------------------------- */

void
bench_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void
bench_json_num(FILE *f, double v)
{
	if (!isfinite(v))
		fputs("null", f);
	else if (v == floor(v) && fabs(v) < 1e15)
		fprintf(f, "%.0f", v);
	else
		fprintf(f, "%.4f", v);
}

/* First line of a command's output, trimmed; "" if none. */
static void
command_line(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");

	out[0] = '\0';
	if (p == NULL)
		return;
	if (fgets(out, (int)len, p) == NULL)
		out[0] = '\0';
	pclose(p);
	out[strcspn(out, "\r\n")] = '\0';
}

static void
cpu_model(char *out, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[512];

	snprintf(out, len, "unknown");
	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f) != NULL) {
		char *colon = strchr(line, ':');
		if (colon != NULL && (strncmp(line, "model name", 10) == 0 ||
		    strncmp(line, "Model", 5) == 0)) {
			colon++;
			while (*colon == ' ' || *colon == '\t')
				colon++;
			colon[strcspn(colon, "\r\n")] = '\0';
			snprintf(out, len, "%s", colon);
			break;
		}
	}
	fclose(f);
}

const char *
bench_commit(void)
{
	static char commit[64];
	char dir[1024], cmd[1200];
	char *slash;

	if (commit[0] != '\0')
		return commit;
	/* This file is src/eval/bench_report.c of the tree it was built
	 * from (CMake compiles it by its absolute path). */
	snprintf(dir, sizeof dir, "%s", __FILE__);
	for (int up = 0; up < 3 && (slash = strrchr(dir, '/')) != NULL; up++)
		*slash = '\0';
	if (dir[0] == '/' && strchr(dir, '\'') == NULL) {
		snprintf(cmd, sizeof cmd,
		    "git -C '%s' rev-parse HEAD 2>/dev/null", dir);
		command_line(cmd, commit, sizeof commit);
	}
	if (commit[0] == '\0')
		command_line("git rev-parse HEAD 2>/dev/null", commit,
		    sizeof commit);
	if (strspn(commit, "0123456789abcdef") != 40 || commit[40] != '\0')
		snprintf(commit, sizeof commit, "unknown");
	return commit;
}

const char *
bench_machine_csv(void)
{
	static char line[400];
	char cpu[256];

	if (line[0] != '\0')
		return line;
	cpu_model(cpu, sizeof cpu);
	for (char *p = cpu; *p; p++)
		if (*p == '"' || *p == ',')
			*p = ' ';
	snprintf(line, sizeof line, "\"%s / %ld cpus\"", cpu,
	    sysconf(_SC_NPROCESSORS_ONLN));
	return line;
}

void
bench_csv_row(FILE *f, int arm, unsigned size)
{
	fprintf(f, "%s,%s,%s,%u", bench_machine_csv(), bench_commit(),
	    bench_arm_name((enum bench_arm)arm), size);
}

void
bench_json_arms(FILE *f, const char *key, int n)
{
	fprintf(f, "\"%s\":[", key);
	for (int a = 0; a < n; a++)
		fprintf(f, "%s\"%s\"", a ? "," : "",
		    bench_arm_name((enum bench_arm)a));
	fputc(']', f);
}

void
bench_json_uints(FILE *f, const char *key, const unsigned *v, int n)
{
	fprintf(f, "\"%s\":[", key);
	for (int i = 0; i < n; i++)
		fprintf(f, "%s%u", i ? "," : "", v[i]);
	fputc(']', f);
}

void
bench_json_open(FILE *f, int i, const char *key)
{
	fprintf(f, "%s\"%s\":{", i ? "," : "", key);
}

void
bench_json_openu(FILE *f, int i, unsigned key)
{
	fprintf(f, "%s\"%u\":{", i ? "," : "", key);
}

FILE *
bench_doc_begin(const char *name, const struct bench_opts *o, char **buf,
    size_t *len)
{
	struct utsname u;
	char cpu[256], uts[600], date[64];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;

	*buf = NULL;
	if ((f = open_memstream(buf, len)) == NULL)
		return NULL;
	cpu_model(cpu, sizeof cpu);
	if (uname(&u) == 0)
		snprintf(uts, sizeof uts, "%s %s %s", u.sysname, u.release,
		    u.machine);
	else
		snprintf(uts, sizeof uts, "unknown");
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs("{\"bench\":", f);
	bench_json_str(f, name);
	fputs(",\"machine\":{\"uname\":", f);
	bench_json_str(f, uts);
	fputs(",\"cpu\":", f);
	bench_json_str(f, cpu);
	fprintf(f, ",\"nproc\":%ld},\"commit\":", sysconf(_SC_NPROCESSORS_ONLN));
	bench_json_str(f, bench_commit());
	fputs(",\"date\":", f);
	bench_json_str(f, date);
	fprintf(f, ",\"options\":{\"quick\":%s,\"host_syscalls\":%s,"
	    "\"csum_offload\":%s},",
	    o->quick ? "true" : "false", o->host_syscalls ? "true" : "false",
	    o->csum_offload ? "true" : "false");
	return f;
}

int
bench_doc_end(FILE *f)
{
	fputc('}', f);
	return fclose(f) == 0 ? 0 : -1;
}

/* --- blocks and spreads ------------------------------------------- */

int
bench_nblocks(uint64_t n)
{
	uint64_t nb = n / BENCH_BLOCK_MIN;

	if (nb < 1)
		nb = 1;
	return nb > BENCH_MAX_BLOCKS ? BENCH_MAX_BLOCKS : (int)nb;
}

uint64_t
bench_block_start(uint64_t n, int nb, int b)
{
	return n * (uint64_t)b / (uint64_t)nb;
}

int
bench_round_arm(int round, int n, int pos)
{
	int first;

	if (n <= 1)
		return 0;
	/* Odd n: every other block of n rounds runs its rows backwards. */
	if (n % 2 == 1 && (round / n) % 2 == 1)
		pos = n - 1 - pos;
	/* The first row 0, 1, n-1, 2, n-2, ...; row r adds r to it. */
	first = pos == 0 ? 0 : pos % 2 == 1 ? (pos + 1) / 2 : n - pos / 2;
	return (first + round) % n;
}

double
bench_median_u64(uint64_t *v, size_t n)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof *v, cmp_u64);
	return n % 2 ? (double)v[n / 2] :
	    ((double)v[n / 2 - 1] + (double)v[n / 2]) / 2;
}

/* Quantile q of sorted v[0..n), interpolating between ranks. */
static double
quantile(const double *v, int n, double q)
{
	double x = q * (n - 1);
	int i = (int)x;

	if (n == 0)
		return NAN;
	if (i >= n - 1)
		return v[n - 1];
	return v[i] + (x - i) * (v[i + 1] - v[i]);
}

void
bench_spread_ratio(const double *num, const double *den, int n,
    struct bench_spread *s)
{
	double r[n > 0 ? n : 1];
	int m = 0;

	for (int i = 0; i < n; i++)
		if (isfinite(num[i]) && isfinite(den[i]) && num[i] > 0 &&
		    den[i] > 0)
			r[m++] = num[i] / den[i];
	qsort(r, (size_t)m, sizeof r[0], bench_cmp_double);
	s->n = m;
	s->med = quantile(r, m, 0.50);
	s->p25 = quantile(r, m, 0.25);
	s->p75 = quantile(r, m, 0.75);
}

/* The median, then ,"p25":…,"p75":…,"blocks":n (a spread and a target
 * name the median differently). */
static void
spread_fields(FILE *f, const struct bench_spread *s)
{
	bench_json_num(f, s->med);
	fputs(",\"p25\":", f);
	bench_json_num(f, s->p25);
	fputs(",\"p75\":", f);
	bench_json_num(f, s->p75);
	fprintf(f, ",\"blocks\":%d", s->n);
}

void
bench_spread_json(FILE *f, const char *key, const struct bench_spread *s)
{
	bench_json_str(f, key);
	fputs(":{\"median\":", f);
	spread_fields(f, s);
	fputc('}', f);
}

void
bench_spreads_json(FILE *f, const char *const *key,
    const struct bench_spread *s, int n)
{
	for (int i = 0; i < n; i++) {
		fputs(i ? "," : "", f);
		bench_spread_json(f, key[i], &s[i]);
	}
}

void
bench_spread_csv(FILE *f, const struct bench_spread *s)
{
	if (s == NULL)
		fputs(",,,", f);
	else
		fprintf(f, ",%.4f,%.4f,%.4f", s->med, s->p25, s->p75);
}

const char *
bench_spread_str(const struct bench_spread *s, char *buf, size_t len)
{
	if (s->n == 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.3f (%.2f-%.2f)", s->med, s->p25, s->p75);
	return buf;
}

/* --- targets and the noise verdict ---------------------------------- */

bool
bench_target_met(double v, double lo, double hi)
{
	return isfinite(v) && v >= lo && v <= hi;
}

void
bench_verdicts_init(struct bench_verdicts *v, const char *bench)
{
	memset(v, 0, sizeof *v);
	v->bench = bench;
}

void
bench_verdicts_noise(struct bench_verdicts *v, const char *fmt, ...)
{
	va_list ap;
	int n;

	v->noisy++;
	if (v->nlines == BENCH_NOISE_LINES)
		return;
	n = snprintf(v->line[v->nlines], sizeof v->line[0], "%s: ", v->bench);
	va_start(ap, fmt);
	vsnprintf(v->line[v->nlines] + n, sizeof v->line[0] - (size_t)n, fmt,
	    ap);
	va_end(ap);
	v->nlines++;
}

/* "0.95-1.05", "<= 1.25", ">= 2" */
static void
band_str(double lo, double hi, char *buf, size_t len)
{
	if (isfinite(lo) && isfinite(hi))
		snprintf(buf, len, "%.2f-%.2f", lo, hi);
	else if (isfinite(hi))
		snprintf(buf, len, "<= %.2f", hi);
	else
		snprintf(buf, len, ">= %.2f", lo);
}

/*
 * Whether the blocks support a verdict on lo..hi: enough of them, an
 * IQR no wider than a two-sided band, and the median's 95% interval
 * (McGill's notch, median +- 1.58 IQR / sqrt(n)) clear of both ends.
 * The IQR is the spread of single blocks and does not shrink with more
 * of them; the interval is how well the median is known, and does.
 */
static bool
supported(struct bench_verdicts *v, const char *what,
    const struct bench_spread *s, double lo, double hi, const char *target)
{
	double h;

	if (s->n < BENCH_MIN_BLOCKS) {
		bench_verdicts_noise(v, "too noisy to judge %s: %d valid block%s, "
		    "at least %d needed", what, s->n, s->n == 1 ? "" : "s",
		    BENCH_MIN_BLOCKS);
		return false;
	}
	if (isfinite(lo) && isfinite(hi) && s->p75 - s->p25 > hi - lo) {
		bench_verdicts_noise(v, "too noisy to judge %s: IQR %.2f-%.2f "
		    "wider than the %s target", what, s->p25, s->p75, target);
		return false;
	}
	h = 1.58 * (s->p75 - s->p25) / sqrt(s->n);
	if ((isfinite(lo) && s->med - h < lo && lo < s->med + h) ||
	    (isfinite(hi) && s->med - h < hi && hi < s->med + h)) {
		bench_verdicts_noise(v, "too noisy to judge %s: median %.3f, its "
		    "95%% interval %.3f-%.3f straddles the %s target (IQR "
		    "%.2f-%.2f, %d blocks)", what, s->med, s->med - h, s->med + h,
		    target, s->p25, s->p75, s->n);
		return false;
	}
	return true;
}

enum bench_verdict
bench_judge(struct bench_verdicts *v, const struct bench_opts *o,
    const char *what, const struct bench_spread *s, double lo, double hi)
{
	char target[40];

	if (o->quick)
		return BENCH_UNJUDGED;
	band_str(lo, hi, target, sizeof target);
	if (!supported(v, what, s, lo, hi, target))
		return BENCH_NOISY;
	if (bench_target_met(s->med, lo, hi))
		return BENCH_MET;
	v->missed++;
	return BENCH_MISSED;
}

enum bench_verdict
bench_spread_check(struct bench_verdicts *v, const struct bench_opts *o,
    const char *what, const struct bench_spread *s)
{
	double h;

	if (o->quick)
		return BENCH_NONE;
	if (s->n < BENCH_MIN_BLOCKS) {
		bench_verdicts_noise(v, "too noisy to read %s: %d valid block%s, "
		    "at least %d needed", what, s->n, s->n == 1 ? "" : "s",
		    BENCH_MIN_BLOCKS);
		return BENCH_NOISY;
	}
	/* No target to straddle: the median should be known to +-5% (the
	 * capio/page band), by its 95% interval as in supported(). */
	h = 1.58 * (s->p75 - s->p25) / sqrt(s->n);
	if (h > 0.05 * s->med) {
		bench_verdicts_noise(v, "too noisy to read %s: median %.3f known "
		    "only to +-%.1f%% (95%% interval %.3f-%.3f; IQR %.2f-%.2f, %d "
		    "blocks)", what, s->med, 100 * h / s->med, s->med - h,
		    s->med + h, s->p25, s->p75, s->n);
		return BENCH_NOISY;
	}
	return BENCH_NONE;
}

const char *
bench_verdict_word(enum bench_verdict v)
{
	switch (v) {
	case BENCH_MET:
		return "met";
	case BENCH_MISSED:
		return "MISSED";
	case BENCH_NOISY:
		return "noisy";
	case BENCH_UNJUDGED:
		return "not judged";
	default:
		return "";
	}
}

const char *
bench_spread_cell(const struct bench_spread *s, enum bench_verdict v,
    char *buf, size_t len)
{
	char sb[40];

	snprintf(buf, len, "%s %s", bench_spread_str(s, sb, sizeof sb),
	    bench_verdict_word(v));
	return buf;
}

void
bench_verdicts_json(FILE *f, const struct bench_verdicts *v)
{
	fprintf(f, ",\"noisy\":%s,\"noise\":[", v->noisy ? "true" : "false");
	for (int i = 0; i < v->nlines; i++) {
		fputs(i ? "," : "", f);
		bench_json_str(f, v->line[i]);
	}
	fprintf(f, "],\"targets_missed\":%d", v->missed);
}

void
bench_verdicts_done(const struct bench_opts *o, const struct bench_verdicts *v)
{
	FILE *f = o->json ? stderr : stdout;

	if (o->quick && !o->json)
		fprintf(f, "%s: a --quick run is too short to judge its targets: "
		    "not judged\n", v->bench);
	for (int i = 0; i < v->nlines; i++)
		fprintf(f, "%s\n", v->line[i]);
	if (v->noisy > v->nlines)
		fprintf(f, "%s: ... and %d more\n", v->bench,
		    v->noisy - v->nlines);
	tally_missed += v->missed;
	tally_noisy += v->noisy;
}

void
bench_target_json(FILE *f, const char *what, const struct bench_spread *s,
    double lo, double hi, enum bench_verdict verdict)
{
	fputs("{\"target\":", f);
	bench_json_str(f, what);
	fputs(",\"value\":", f);
	spread_fields(f, s);
	fputs(",\"min\":", f);
	bench_json_num(f, lo);
	fputs(",\"max\":", f);
	bench_json_num(f, hi);
	fputs(",\"verdict\":", f);
	bench_json_str(f, bench_verdict_word(verdict));
	fprintf(f, ",\"met\":%s}", verdict == BENCH_MET ? "true" :
	    verdict == BENCH_MISSED ? "false" : "null");
}

/* --- files -------------------------------------------------------------- */

int
bench_out_dir(const struct bench_opts *o)
{
	char path[1024];
	size_t n = strlen(o->out);

	if (n == 0 || n >= sizeof path) {
		fprintf(stderr, "capio: bench: bad output directory\n");
		return -1;
	}
	memcpy(path, o->out, n + 1);
	for (char *p = path + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(path, 0777) != 0 && errno != EEXIST) {
				fprintf(stderr, "capio: bench: cannot create %s: %s\n",
				    path, strerror(errno));
				return -1;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	struct stat st;
	if (stat(o->out, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "capio: bench: %s is not a directory\n", o->out);
		return -1;
	}
	return 0;
}

FILE *
bench_out_open(const struct bench_opts *o, const char *name)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", o->out, name);
	if ((f = fopen(path, "w")) == NULL)
		fprintf(stderr, "capio: bench: cannot write %s: %s\n", path,
		    strerror(errno));
	return f;
}

int
bench_out_write(const struct bench_opts *o, const char *name, const char *data)
{
	FILE *f = bench_out_open(o, name);
	int bad;

	if (f == NULL)
		return -1;
	fputs(data, f);
	fputc('\n', f);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		fprintf(stderr, "capio: bench: cannot write %s/%s\n", o->out, name);
		return -1;
	}
	return 0;
}

FILE *
bench_plot_begin(const struct bench_opts *o, const char *name,
    unsigned width, unsigned height, int rows, int cols, const char *title)
{
	char file[300];
	FILE *gp;

	snprintf(file, sizeof file, "%s.gp", name);
	if ((gp = bench_out_open(o, file)) == NULL)
		return NULL;
	/* pngcairo when gnuplot has it (nicer), the plain png terminal if
	 * not; both come with Debian's gnuplot-nox. */
	fprintf(gp, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) "
	    "{ set terminal pngcairo size %u,%u font ',9' } "
	    "else { set terminal png size %u,%u }\n", width, height, width,
	    height);
	fprintf(gp, "set output '%s.png'\n", name);
	fprintf(gp, "set multiplot layout %d,%d title '%s%s'\n", rows, cols,
	    title, o->quick ? " (quick run)" : "");
	return gp;
}

void
bench_plot_end(FILE *gp)
{
	fprintf(gp, "unset multiplot\n");
	fclose(gp);
}

void
bench_plot_cdf(const struct bench_opts *o, const struct bench_cdf_plot *c,
    const struct bench_cdf_panel *panel, int npanels)
{
	FILE *gp = bench_plot_begin(o, c->name, c->width, c->height, c->rows,
	    c->cols, c->title);

	if (gp == NULL)
		return;
	bench_plot_cdf_panels(gp, c, panel, npanels);
	bench_plot_end(gp);
}

void
bench_plot_cdf_panels(FILE *gp, const struct bench_cdf_plot *c,
    const struct bench_cdf_panel *panel, int npanels)
{
	fprintf(gp,
	    "set logscale x\nset xtics 2\nset format x '%%g'\nset grid\n"
	    "set key bottom right\n"
	    "set xlabel '%s'\n"
	    "set ylabel '%s'\nset yrange [0:1]\n", c->xlabel, c->ylabel);
	for (const struct bench_cdf_panel *p = panel; p < panel + npanels; p++) {
		int n = p->nlines < BENCH_CDF_LINES ? p->nlines : BENCH_CDF_LINES;
		double lo = INFINITY, hi = 0;

		/* The body of the distributions; the few slowest samples (host
		 * noise) run off the right edge. */
		for (int l = 0; l < n; l++) {
			lo = fmin(lo, p->line[l].lat->min);
			hi = fmax(hi, p->line[l].lat->p999);
		}
		/* From 100 ns times a power of two: round tics. */
		if (isfinite(lo) && hi > lo)
			fprintf(gp, "set xrange [%.0f:%.0f]\n",
			    100 * exp2(floor(log2(lo * 0.9 / 100))), hi * 1.5);
		fprintf(gp, "set title '%s'\nplot ", p->title);
		for (int l = 0; l < n; l++)
			fprintf(gp, "%s'%s.dat' index %d using 1:2 with lines lw 2 "
			    "title '%s'", l ? ", " : "", c->name, p->line[l].block,
			    p->line[l].label);
		fputc('\n', gp);
	}
	/* Back to linear axes for whatever panel comes next. */
	fprintf(gp, "unset logscale x\nset xtics autofreq\nset autoscale x\n"
	    "set autoscale y\nunset xlabel\nunset ylabel\n");
}

static bool
have_gnuplot(void)
{
	const char *path = getenv("PATH");
	char buf[4096], cand[4200];

	if (path == NULL)
		return false;
	snprintf(buf, sizeof buf, "%s", path);
	for (char *save = NULL, *d = strtok_r(buf, ":", &save); d != NULL;
	    d = strtok_r(NULL, ":", &save)) {
		snprintf(cand, sizeof cand, "%s/gnuplot", d);
		if (access(cand, X_OK) == 0)
			return true;
	}
	return false;
}

int
bench_plot(const struct bench_opts *o, const char *name)
{
	char gp[300];
	pid_t pid;
	int st;

	if (!have_gnuplot()) {
		fprintf(stderr, "capio: bench: gnuplot is not installed: no "
		    "%s/%s.png (apt-get install gnuplot-nox)\n", o->out, name);
		return 1;
	}
	snprintf(gp, sizeof gp, "%s.gp", name);
	fflush(NULL);
	if ((pid = fork()) < 0) {
		fprintf(stderr, "capio: bench: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* In the output directory, so the script names files plainly. */
		if (chdir(o->out) != 0)
			_exit(126);
		execlp("gnuplot", "gnuplot", gp, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "capio: bench: waitpid: %s\n", strerror(errno));
			return -1;
		}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "capio: bench: gnuplot failed on %s/%s\n", o->out,
		    gp);
		return -1;
	}
	return 0;
}

/* --- progress ------------------------------------------------------- */

static struct {
	const char *bench;
	uint64_t t0, last;
} prog;

void
bench_progress_begin(const struct bench_opts *o, const char *bench)
{
	(void)o;
	prog.bench = bench;
	prog.t0 = bench_now_ns();
	prog.last = 0;
}

void
bench_progress(const struct bench_opts *o, double fraction, const char *fmt,
    ...)
{
	uint64_t now = bench_now_ns();
	va_list ap;

	if (!o->progress || now - prog.last < 100000000u)
		return;
	prog.last = now;
	fprintf(stderr, "\r\033[Kbench %s: ", prog.bench);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (fraction > 0.01 && fraction < 1) {
		double left = (double)(now - prog.t0) / 1e9 * (1 - fraction) /
		    fraction;

		fprintf(stderr, ", %.0f%%, %.0f s left", fraction * 100,
		    ceil(left));
	} else if (fraction >= 0 && fraction < 1)
		fprintf(stderr, ", %.0f%%", fraction * 100);
	fflush(stderr);
}

void
bench_progress_phase(const struct bench_opts *o, const char *fmt, ...)
{
	va_list ap;

	if (!o->phases)
		return;
	fprintf(stderr, "bench %s: ", prog.bench);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	fflush(stderr);
}

void
bench_progress_end(const struct bench_opts *o)
{
	if (o->progress && prog.last != 0) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	prog.last = 0;
}
