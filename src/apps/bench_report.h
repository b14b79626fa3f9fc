/*
 * bench_report.h — what the file-writing benchmarks share: their
 * options, latency summaries, the JSON document every run writes (with
 * the machine, the commit and the date), CSV and gnuplot files under the
 * output directory, and progress lines on a terminal.
 */
#ifndef CAPIO_APPS_BENCH_REPORT_H
#define CAPIO_APPS_BENCH_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Options; which ones a benchmark accepts is its BOPT_* mask. */
struct bench_opts {
	bool quick;		/* CI: fewer samples, shorter trials */
	bool json;		/* one JSON object on stdout */
	bool host_syscalls;	/* kernel arm pays a host getppid() per call */
	bool progress;		/* stderr is a terminal */
	const char *out;	/* directory for the files */
	uint64_t warmup;	/* round trips / operations; 0: default */
	uint64_t samples;
	uint64_t frames;	/* throughput: frames per trial; 0: default */
	int procs;		/* rtt: 1 (one process, both NICs) or 2 */
};

#define BOPT_SAMPLES	1u	/* --warmup, --samples */
#define BOPT_PROCS	2u	/* --procs */
#define BOPT_FRAMES	4u	/* --frames */

#define BENCH_OUT_DEFAULT	"bench-out"

/*
 * Parse argv[1..] (argv[0] is the benchmark's name). Returns -1 when the
 * benchmark should run; otherwise the exit status: 0 after --help
 * (HELP, a paragraph, printed), 2 after a usage error.
 */
int bench_opts_parse(struct bench_opts *o, int argc, char **argv,
    unsigned accept, const char *usage, const char *help);
/* The help text for the shared options ACCEPT allows. */
void bench_opts_help(FILE *f, unsigned accept);
/* v if set, else the quick or full default. */
uint64_t bench_pick(uint64_t v, bool quick, uint64_t quick_v,
    uint64_t full_v);

/* A benchmark's run with parsed options (bench.h's bench_X_run). */
typedef int bench_run_fn(const struct bench_opts *o, char **json);
/*
 * `capio bench X`: parse argv (as bench_opts_parse), run, print the JSON
 * document after --json. The exit status.
 */
int bench_main(int argc, char **argv, unsigned accept, const char *usage,
    const char *help, bench_run_fn *run);
/*
 * The end of a run, whatever came of it: erase the progress line, close
 * the files still open and free the document not handed over (each may
 * be NULL).
 */
void bench_run_end(const struct bench_opts *o, FILE *csv, FILE *dat,
    char *doc);

/* --- latency ---------------------------------------------------------- */

struct bench_lat {
	uint64_t n;
	double min, mean, p50, p99, p999, max;	/* ns */
};

/* Summarize ns[0..n) (sorts it): nearest-rank percentiles. */
void bench_lat_summarize(uint64_t *ns, size_t n, struct bench_lat *s);
/* Write the distribution of sorted[0..n) as "ns fraction" lines, at most
 * `points` of them (a CDF for gnuplot). */
void bench_lat_cdf(FILE *f, const uint64_t *sorted, size_t n,
    unsigned points);
/* "min":…,"mean":…,… (ns) for a JSON object. */
void bench_lat_json(FILE *f, const struct bench_lat *s);
/* v per one of n (a cost per round trip), NaN when n is 0. */
double bench_per(uint64_t v, uint64_t n);
struct bench_counts;
/*
 * ,"syscalls_per_UNIT":…,"mmio_per_UNIT":…,"checks_per_UNIT":…,
 * "bytes_copied_per_UNIT":… — what C counted, per one of n (bench_port.h).
 */
void bench_counts_json(FILE *f, const struct bench_counts *c, uint64_t n,
    const char *unit);

/* --- the JSON document ------------------------------------------------ */

/* A JSON string, escaped. */
void bench_json_str(FILE *f, const char *s);
/* A number, or null when it is not finite. */
void bench_json_num(FILE *f, double v);
/*
 * "KEY":{"capio_kernel":…,"capio_page":…,"capio_raw":…}: capio's figure
 * over each other arm's (an arm not run is NAN, printed null).
 */
void bench_ratios_json(FILE *f, const char *key, double capio, double kernel,
    double page, double raw);
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
/* The commit (git rev-parse HEAD of the source tree), or "unknown". */
const char *bench_commit(void);

/* --- targets (reported, never asserted) ------------------------------- */

/* lo <= v <= hi (either may be -INFINITY/INFINITY). */
bool bench_target_met(double v, double lo, double hi);
/* {"target":WHAT,"value":v,"min":lo,"max":hi,"met":…}; open ends null. */
void bench_target_json(FILE *f, const char *what, double v, double lo,
    double hi);
/* "met" or "MISSED". */
const char *bench_target_word(double v, double lo, double hi);

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

/* --- a terminal ------------------------------------------------------- */

/* One progress line on stderr (rewritten in place), if o->progress. */
void bench_progress(const struct bench_opts *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Erase it. */
void bench_progress_end(const struct bench_opts *o);

#endif
