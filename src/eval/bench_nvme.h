/*
 * bench_nvme.h — the figures of a `capio bench nvme` run, between the
 * rig that measures them (bench_nvme.c) and the report that judges and
 * writes them (bench_nvme_report.c): per arm and workload every QD1
 * latency, the block medians, the QD32 IOPS per block and what an I/O
 * cost; per tenant count the IOPS per block. The report is unit-tested
 * on figures made up for it (tests/test_eval_nvme.c).
 */
#ifndef CAPIO_EVAL_BENCH_NVME_H
#define CAPIO_EVAL_BENCH_NVME_H

#include <stdbool.h>
#include <stdint.h>

#include "eval/bench_port.h"
#include "eval/bench_report.h"

#define BNV_IO_BYTES	4096u		/* every I/O: a 4 KiB block */
#define BNV_NS_BYTES	(16u << 20)	/* the namespace, RAM */
#define BNV_QD		32		/* the deep queue */
#define BNV_TENANTS	4
#define BNV_TENANT_TARGET 3.0		/* four tenants' IOPS over one's */

/* The workloads, in the order they are reported. */
enum { BNV_READ1, BNV_WRITE1, BNV_READ32, BNV_WRITE32, BNV_NWORK };

/* "randread_qd1", "randwrite_qd1", "randread_qd32", "randwrite_qd32". */
extern const char *const bench_nvme_work[BNV_NWORK];

static inline bool
bench_nvme_qd1(int w)
{
	return w == BNV_READ1 || w == BNV_WRITE1;
}

struct bench_nvme_figures {
	uint64_t warmup, samples;	/* QD1 I/Os per arm and workload */
	int nb;				/* rounds (blocks) per workload */
	unsigned batches;		/* QD32 batches of BNV_QD per block */
	/* Per arm and workload; QD1: lat (samples) and med (nb), QD32:
	 * iops (nb); NaN marks a block that gave no figure. */
	uint64_t *lat[BENCH_NARMS][BNV_NWORK];
	double *med[BENCH_NARMS][BNV_NWORK];
	double *iops[BENCH_NARMS][BNV_NWORK];
	struct bench_counts cost[BENCH_NARMS][BNV_NWORK];
	uint64_t ios[BENCH_NARMS][BNV_NWORK];	/* the costs are over these */
	/* The tenants, one then BNV_TENANTS: IOPS per block on the rig's
	 * clock, and over the tenants' own time. */
	int ntenants[2];
	double *tiops[2], *tcpu[2];
};

/* f's arrays for f->samples and f->nb, zeroed. 0, or -1 (out of memory;
 * bench_nvme_figures_free still frees what there is). */
int bench_nvme_figures_alloc(struct bench_nvme_figures *f);
void bench_nvme_figures_free(struct bench_nvme_figures *f);
/*
 * Judge f (targets, noise) and write nvme.csv, nvme.json, nvme.dat,
 * nvme.gp and nvme.png under o->out; print the summary (unless o->json).
 * Sorts f->lat. 0 with the document in *json (one line, malloc'd), or -1
 * (a message on stderr).
 */
int bench_nvme_report(const struct bench_opts *o,
    struct bench_nvme_figures *f, char **json);

#endif
