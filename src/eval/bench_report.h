/*
 * bench_report.h — what the file-writing benchmarks share: their
 * options, latency summaries, the JSON document every run writes (with
 * the machine, the commit and the date), CSV and gnuplot files under the
 * output directory, and progress lines on a terminal.
 */
#ifndef CAPIO_EVAL_BENCH_REPORT_H
#define CAPIO_EVAL_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Options; which ones a benchmark accepts is its BOPT_* mask. */
struct bench_opts {
	bool quick;		/* CI: fewer samples, shorter trials */
	bool json;		/* one JSON object on stdout */
	bool host_syscalls;	/* kernel arm pays a host getppid() per call */
	bool check;		/* exit 1 when a target is missed or noisy */
	bool progress;		/* stderr is a terminal: a progress line */
	bool phases;		/* it is not: a line per phase */
	const char *out;	/* directory for the files */
	uint64_t warmup;	/* round trips / operations; 0: default */
	uint64_t samples;
	uint64_t frames;	/* throughput: frames per trial; 0: default */
	int procs;		/* rtt: 1 (one process, both NICs) or 2 */
	bool csum_offload;	/* udp: UDP checksums by the NIC on the
				   capio arm (capio/page: the saving) */
};

#define BOPT_SAMPLES	1u	/* --warmup, --samples */
#define BOPT_PROCS	2u	/* --procs */
#define BOPT_FRAMES	4u	/* --frames */
#define BOPT_OFFLOAD	8u	/* --csum-offload */

#define BENCH_OUT_DEFAULT	"bench-out"

/*
 * Exit status of a completed run: 1 when o->check and a target was
 * missed or could not be judged (bench_verdicts_done tallies them).
 */
int bench_check_status(const struct bench_opts *o);
/* v if set, else the quick or full default. */
uint64_t bench_pick(uint64_t v, bool quick, uint64_t quick_v,
    uint64_t full_v);

/* A benchmark's run with parsed options (bench.h's bench_X_run). */
typedef int bench_run_fn(const struct bench_opts *o, char **json);
/*
 * The end of a run, whatever came of it: erase the progress line, close
 * the files still open and free the document not handed over (each may
 * be NULL).
 */
void bench_run_end(const struct bench_opts *o, FILE *csv, FILE *dat,
    char *doc);

/*
 * What a benchmark writes once its figures are in, each part over the
 * run's CTX. Every file-writing benchmark ends the same way: NAME.csv
 * (and NAME.dat), NAME.json, NAME.gp and its NAME.png, then on stdout
 * the summary, the noise lines and where the files went.
 */
struct bench_report {
	const char *name;	/* "rtt": NAME.csv, NAME.json, NAME.png */
	const char *csv_header;	/* NAME.csv's first line */
	bool dat;		/* NAME.dat is the report's to open, not the
				   run's */
	/* NAME.csv's rows, and NAME.dat's blocks (dat NULL unless .dat). */
	void (*files)(FILE *csv, FILE *dat, const struct bench_opts *o,
	    const void *ctx);
	/* The document's own fields, after bench_doc_begin's. */
	void (*doc)(FILE *doc, const struct bench_opts *o, const void *ctx);
	void (*plot)(const struct bench_opts *o, const void *ctx); /* NAME.gp */
	/* The table on stdout; not after --json. */
	void (*summary)(const struct bench_opts *o, const void *ctx);
};

struct bench_verdicts;

/*
 * Write R's files and document (V's noise and verdicts closing it),
 * render the plot, print the summary, the noise lines (tallied for
 * --check) and where the files are. 0 with the document in *json (one
 * line, malloc'd), or -1 (a message on stderr where there is one).
 */
int bench_report_write(const struct bench_opts *o, const struct bench_report *r,
    const void *ctx, const struct bench_verdicts *v, char **json);

/* --- latency ---------------------------------------------------------- */

struct bench_lat {
	uint64_t n;
	double min, mean, p50, p99, p999, max;	/* ns */
};

/* Nearest rank in sorted s[0..n): the smallest value with at least a
 * fraction p of the samples at or below it. */
double bench_lat_rank(const uint64_t *s, size_t n, double p);
/* Summarize ns[0..n) (sorts it): nearest-rank percentiles. */
void bench_lat_summarize(uint64_t *ns, size_t n, struct bench_lat *s);
/* Write the distribution of sorted[0..n) as "ns fraction" lines, at most
 * `points` of them (a CDF for gnuplot). */
void bench_lat_cdf(FILE *f, const uint64_t *sorted, size_t n,
    unsigned points);
/* "min":…,"mean":…,… (ns) for a JSON object. */
void bench_lat_json(FILE *f, const struct bench_lat *s);
/* ,min,mean,p50,p99,p999,max for a CSV row (ns). */
void bench_lat_csv(FILE *f, const struct bench_lat *s);
/* v per one of n (a cost per round trip), NaN when n is 0. */
double bench_per(uint64_t v, uint64_t n);
struct bench_counts;
/*
 * ,"syscalls_per_UNIT":…,"mmio_per_UNIT":…,"checks_per_UNIT":…,
 * "bytes_copied_per_UNIT":… — what C counted, per one of n (bench_port.h).
 */
void bench_counts_json(FILE *f, const struct bench_counts *c, uint64_t n,
    const char *unit);
/* ,syscalls,mmio,checks,bytes copied per one of n, for a CSV row. */
void bench_counts_csv(FILE *f, const struct bench_counts *c, uint64_t n);

/* --- the JSON document ------------------------------------------------ */

/* A JSON string, escaped. */
void bench_json_str(FILE *f, const char *s);
/* A number, or null when it is not finite. */
void bench_json_num(FILE *f, double v);
/*
 * Open a JSON document in memory: `{"bench":NAME,"machine":{...},
 * "commit":…,"date":…,"options":{...},` — the caller adds its fields
 * and closes it with bench_doc_end. NULL if out of memory.
 */
FILE *bench_doc_begin(const char *name, const struct bench_opts *o,
    char **buf, size_t *len);
/* Close the object; *buf then holds the document (one line). */
int bench_doc_end(FILE *f);

/* The machine, for CSV rows: "cpu model / nproc", CSV-quoted. */
const char *bench_machine_csv(void);
/* A CSV row's first fields, which every benchmark's has:
 * machine,commit,ARM,SIZE (no newline). */
void bench_csv_row(FILE *f, int arm, unsigned size);
/* "KEY":[NAMES of arms 0..n) ]. */
void bench_json_arms(FILE *f, const char *key, int n);
/* "KEY":[v[0],…,v[n-1]]. */
void bench_json_uints(FILE *f, const char *key, const unsigned *v, int n);
/* ,"KEY":{ — or without the comma for the first member (i == 0). */
void bench_json_open(FILE *f, int i, const char *key);
/* The same with a number for the key: ,"64":{ */
void bench_json_openu(FILE *f, int i, unsigned key);
/* The commit (git rev-parse HEAD of the source tree), or "unknown". */
const char *bench_commit(void);

/* --- interleaved blocks, ratios and their spread ---------------------- */

/*
 * Every comparing benchmark measures its arms in rounds: one block of
 * samples per arm, arms in a rotating order, many rounds, so that a slow
 * spell of the host lands on every arm alike. A ratio is computed per
 * round (block figure of capio over the other arm's, same round) and
 * reported as the median of those with its interquartile range.
 */
#define BENCH_MIN_BLOCKS	10	/* fewer: the ratio is not judged */
#define BENCH_MAX_BLOCKS	80	/* rounds per size */
#define BENCH_BLOCK_MIN		100	/* samples per block, at least */

/* Blocks for n samples per arm: n / BENCH_BLOCK_MIN, 1..BENCH_MAX_BLOCKS. */
int bench_nblocks(uint64_t n);
/* First sample of block b of nb over n samples (b == nb: n). */
uint64_t bench_block_start(uint64_t n, int nb, int b);
/*
 * Which of n arms runs pos-th in round `round`: a Williams design, so
 * that over every n rounds (2n for odd n) each arm directly follows each
 * other arm equally often. A plain rotation would not do: it keeps every
 * arm behind the same one, whose cache footprint it then always inherits
 * (the kernel arm's, for page, in a rotation of kernel/page/capio/raw).
 */
int bench_round_arm(int round, int n, int pos);
/* Median of v[0..n) (sorts v); NAN when n is 0. */
double bench_median_u64(uint64_t *v, size_t n);

struct bench_spread {
	double med, p25, p75;	/* of the per-block ratios */
	int n;			/* valid blocks (both figures finite, > 0) */
};

/* The spread of num[i] / den[i] over i < n blocks. */
void bench_spread_ratio(const double *num, const double *den, int n,
    struct bench_spread *s);
/* "KEY":{"median":…,"p25":…,"p75":…,"blocks":n} */
void bench_spread_json(FILE *f, const char *key, const struct bench_spread *s);
/* The n spreads s[i] under key[i], comma-separated. */
void bench_spreads_json(FILE *f, const char *const *key,
    const struct bench_spread *s, int n);
/* ,median,p25,p75 for a CSV row; ,,, when s is NULL (capio's own row). */
void bench_spread_csv(FILE *f, const struct bench_spread *s);
/* "0.952 (0.94-0.97)" */
const char *bench_spread_str(const struct bench_spread *s, char *buf,
    size_t len);

/* --- targets and the noise verdict ---------------------------------- */

enum bench_verdict {
	BENCH_MET, BENCH_MISSED, BENCH_NOISY, BENCH_UNJUDGED, BENCH_NONE,
};

#define BENCH_NOISE_LINES	16

/* What one run concluded: its noise lines and verdict counts. */
struct bench_verdicts {
	const char *bench;		/* "rtt" */
	int missed, noisy;
	int nlines;
	char line[BENCH_NOISE_LINES][240];
};

void bench_verdicts_init(struct bench_verdicts *v, const char *bench);
/*
 * Judge the ratio WHAT ("capio/page at 64 B") against lo..hi (either
 * may be infinite): met or MISSED when the run supports it, else noisy
 * (a line noted); not judged at all after --quick.
 */
enum bench_verdict bench_judge(struct bench_verdicts *v,
    const struct bench_opts *o, const char *what,
    const struct bench_spread *s, double lo, double hi);
/* A ratio with no target: noisy when its median is not known to +-5%
 * (its 95% interval), or its blocks are too few (a line noted). */
enum bench_verdict bench_spread_check(struct bench_verdicts *v,
    const struct bench_opts *o, const char *what,
    const struct bench_spread *s);
/* Any other reason the run cannot be trusted (one line, noted). */
void bench_verdicts_noise(struct bench_verdicts *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* "met", "MISSED", "noisy", "not judged" (--quick), "". */
const char *bench_verdict_word(enum bench_verdict v);
/* A summary table's ratio cell: "0.952 (0.94-0.97) met". */
const char *bench_spread_cell(const struct bench_spread *s,
    enum bench_verdict v, char *buf, size_t len);
/* ,"noisy":…,"noise":[…] for the document. */
void bench_verdicts_json(FILE *f, const struct bench_verdicts *v);
/* The noise lines: under the summary, or on stderr after --json (stdout
 * is the document); then tally the run for --check. */
void bench_verdicts_done(const struct bench_opts *o,
    const struct bench_verdicts *v);
/*
 * {"target":WHAT,"value":median,"p25":…,"p75":…,"blocks":…,"min":lo,
 * "max":hi,"verdict":…,"met":true|false|null}; open ends null.
 */
void bench_target_json(FILE *f, const char *what, const struct bench_spread *s,
    double lo, double hi, enum bench_verdict verdict);
/* lo <= v <= hi (either may be -INFINITY/INFINITY). */
bool bench_target_met(double v, double lo, double hi);

/* --- files -------------------------------------------------------------- */

/* Create o->out (and parents); 0, or -1 with a message on stderr. */
int bench_out_dir(const struct bench_opts *o);
/* Open o->out/NAME for writing; NULL with a message on stderr. */
FILE *bench_out_open(const struct bench_opts *o, const char *name);
/* Write DATA and a newline into o->out/NAME. 0 or -1 (message). */
int bench_out_write(const struct bench_opts *o, const char *name,
    const char *data);
/*
 * Render o->out/NAME.png from the gnuplot script o->out/NAME.gp (already
 * written): 0 done, 1 gnuplot is not installed (a note on stderr), -1
 * failed (message on stderr).
 */
int bench_plot(const struct bench_opts *o, const char *name);
/*
 * Open o->out/NAME.gp and start it: NAME.png of width x height pixels,
 * ROWS x COLS panels under TITLE (" (quick run)" added after --quick).
 * NULL with a message on stderr.
 */
FILE *bench_plot_begin(const struct bench_opts *o, const char *name,
    unsigned width, unsigned height, int rows, int cols, const char *title);
/* End the panels and close the script. */
void bench_plot_end(FILE *gp);

/* Latency distributions (blocks of NAME.dat from bench_lat_cdf), one
 * panel per table entry, one line per arm. */
#define BENCH_CDF_LINES	4

struct bench_cdf_panel {
	char title[80];
	int nlines;
	struct {
		const char *label;		/* the key */
		int block;			/* its index in NAME.dat */
		const struct bench_lat *lat;	/* its x range: min..p99.9 */
	} line[BENCH_CDF_LINES];
};

struct bench_cdf_plot {
	const char *name;		/* NAME.gp, NAME.dat, NAME.png */
	unsigned width, height;
	int rows, cols;
	const char *title, *xlabel, *ylabel;
};

/* Write o->out/NAME.gp: the panels' CDFs on a log scale (lines past
 * BENCH_CDF_LINES are left out). */
void bench_plot_cdf(const struct bench_opts *o, const struct bench_cdf_plot *c,
    const struct bench_cdf_panel *panel, int npanels);
/* The same panels into a script already begun (bench_plot_begin), with
 * c's labels and data file; the axes are linear again afterwards. */
void bench_plot_cdf_panels(FILE *gp, const struct bench_cdf_plot *c,
    const struct bench_cdf_panel *panel, int npanels);

/* --- progress on stderr (stdout stays the summary or the document) --- */

/* A run starts: the clock for the time left. */
void bench_progress_begin(const struct bench_opts *o, const char *bench);
/* On a terminal, one line rewritten in place: the benchmark, WHAT, the
 * percentage and the time left (at most ten updates a second). */
void bench_progress(const struct bench_opts *o, double fraction,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Not on a terminal: one line per phase ("bench rtt: 64 B done (1/3)"). */
void bench_progress_phase(const struct bench_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Erase the terminal line. */
void bench_progress_end(const struct bench_opts *o);

#endif
