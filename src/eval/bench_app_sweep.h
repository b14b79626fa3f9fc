/*
 * bench_app_sweep.h — what the application benchmarks (udp, memcached)
 * have in common: a server on NIC 0 and a client on NIC 1 per arm
 * (bench_app.h), every arm at each size, interleaved block by block; per
 * block the median latency of each kind of operation and the rate; per
 * size the ratios capio/kernel and capio/page of those figures, judged
 * for noise; NAME.dat with the latency distributions; then the
 * benchmark's report (bench_report.h). A benchmark says only what
 * differs: its server and client, its sizes and its labels.
 */
#ifndef CAPIO_EVAL_BENCH_APP_SWEEP_H
#define CAPIO_EVAL_BENCH_APP_SWEEP_H

#include <stdint.h>
#include <stdio.h>

#include "eval/bench_app.h"
#include "eval/bench_report.h"
#include "user/server.h"

#define BAPP_ARMS	3	/* kernel, page, capio: no raw arm, the
				   client and server have checked paths only */
#define BAPP_SIZES	2
#define BAPP_KINDS	2	/* kinds of operation told apart: GET, SET */
#define BAPP_FIGS	(BAPP_KINDS + 1)	/* a median per kind, the rate */
#define BAPP_RATIOS	2	/* capio over kernel, capio over page */

struct bench_app_sweep;
struct bench_app_result;

/* One application benchmark: what tells it from the other. */
struct bench_app_desc {
	const char *name;		/* "udp": NAME.csv, .dat, .json, .png */
	const char *ops;		/* "round trips": in "too many ..." */
	uint64_t warmup_quick, warmup_full;
	const unsigned *sizes;		/* nsizes of them */
	int nsizes;
	/* A size in its messages (each a %u): progress, round by round and
	 * after the size; where a failure was. */
	const char *round_fmt;		/* "%u-byte frames" */
	const char *done_fmt;		/* "%u B done" */
	const char *fail_fmt;		/* "%u bytes" */
	/* 1: every operation alike; 2: the client's is_set tells SET
	 * (kind 1) from GET (kind 0). */
	int nkinds;
	const char *const *kind;	/* names in NAME.dat; NULL: none */
	/*
	 * The figures compared: the kinds' medians, and the rate too if
	 * nfigs == nkinds + 1. Their titles go into the verdicts' lines,
	 * their keys into the document's ratios; NULL: one figure, untitled,
	 * its ratios straight under the size.
	 */
	int nfigs;
	const char *const *fig_title;
	const char *const *fig_key;
	proc_fn client;			/* udp_client_main, mc_client_main */
	/* What the server and client do at SIZE beyond what the sweep sets
	 * (addresses, port, arm, operation count, latency arrays). */
	void (*setup)(struct server_cfg *srv, struct client_cfg *cfg,
	    unsigned size);
	enum server_app app;
	uint16_t port;

	/* NAME.csv: the header; a row per size, arm and kind, the row's
	 * fields after machine,commit,arm,size (no newline). */
	const char *csv_header;
	void (*csv_row)(FILE *csv, const struct bench_opts *o,
	    const struct bench_app_sweep *w, int arm, int size, int kind);
	/* The document: its own fields after warmup, samples and blocks
	 * (each with its comma); an arm's result at a size, in its braces. */
	const char *sizes_key;		/* "sizes" */
	void (*doc_head)(FILE *doc);
	void (*doc_cell)(FILE *doc, const struct bench_app_result *r,
	    unsigned size);
	/* NAME.png: a row of panels per kind, a column per size. */
	struct bench_cdf_plot plot;
	void (*panel_title)(char *buf, size_t len, int kind, unsigned size);
	/* The table on stdout (ctx: the sweep). */
	void (*summary)(const struct bench_opts *o, const void *ctx);
};

/* What an arm did at one size, over all its blocks. */
struct bench_app_result {
	struct bench_lat lat[BAPP_KINDS];
	double ops_per_s;
	struct bench_counts cost;
	uint64_t ops;
};

/* A sweep: its figures (for the report), and its machines while it runs. */
struct bench_app_sweep {
	const struct bench_app_desc *d;
	uint64_t warmup, samples;
	int nb;				/* rounds (blocks) per size */
	struct bench_app_result res[BAPP_ARMS][BAPP_SIZES];
	/* capio over kernel ([0]) and over page ([1]), per size and figure */
	struct bench_spread sp[BAPP_SIZES][BAPP_FIGS][BAPP_RATIOS];
	enum bench_verdict vd[BAPP_SIZES][BAPP_FIGS][BAPP_RATIOS];
	struct bench_verdicts v;
	/* the rig's */
	struct server_cfg srv[BAPP_ARMS];
	struct client_cfg cfg[BAPP_ARMS];
	struct bench_app app[BAPP_ARMS];
	uint64_t *lat[BAPP_ARMS];	/* per client operation */
	uint8_t *is_set[BAPP_ARMS];	/* nkinds 2 only */
	uint64_t *tmp;
	double *fig[BAPP_ARMS][BAPP_FIGS];	/* per block */
	uint64_t *all[BAPP_ARMS][BAPP_KINDS];	/* the blocks' samples */
	uint64_t nall[BAPP_ARMS][BAPP_KINDS];
};

/*
 * `capio bench NAME` for D: the sweep, then D's report. 0 with the
 * document in *json, or 1 with a message on stderr.
 */
int bench_app_sweep_run(const struct bench_app_desc *d,
    const struct bench_opts *o, char **json);

#endif
