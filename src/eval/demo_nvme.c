/*
 * demo_nvme.c — `capio demo --nvme` (demo.h): N unprivileged tenants
 * share one NVMe controller, each through its own unit (an I/O queue
 * pair, its two 4-byte doorbell slices, its rings and buffers) and its
 * own namespace. They write and read back concurrently (a wfe between
 * commands hands the core to the next), with no system call. The last
 * tenant is hostile: halfway through, it reads its neighbour's namespace
 * through its own queue (allowed by NVMe; refused with the controller's
 * queue isolation), then stores to its neighbour's SQ tail doorbell, 8
 * bytes above its own on the same page, and is killed by the capability
 * check. The others finish, every read verified.
 */
#include "eval/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "dev/nvme.h"
#include "eval/bench.h"
#include "eval/bench_report.h"
#include "eval/scenario.h"
#include "machine/cpu.h"
#include "user/libcapio.h"
#include "user/nvme_driver.h"

#define PAGE		4096u
#define NS_BYTES	(1u << 20)	/* each tenant's namespace */
#define PROBE_PAGE	63u		/* the hostile's landing page */
#define TAG		"capio-nvme-demo tenant "

struct ntenant {
	struct dnvme *dn;
	unsigned idx;
	bool hostile;
	int open_rc;
	volatile bool ready, done;
	uint32_t ops;			/* writes, each read back */
	uint64_t writes, reads, verified, failed, final_ok, final_pages;
	int first_err;
	uint64_t *lat_w, *lat_r;
	/* The hostile one. */
	int probe;			/* its Read of the neighbour's namespace */
	char probe_got[48];
	bool probe_theirs;		/* the bytes were the neighbour's */
	bool survived;			/* its doorbell store did not trap */
	struct nvdrv d;
};

struct dnvme {
	struct scenario s;
	volatile bool start, hold;
	unsigned n;
	struct ntenant t[DEMO_NVME_MAX_TENANTS];
	int pid[DEMO_NVME_MAX_TENANTS];
	bool tty;
	uint64_t total, shown;
};

/* What tenant T writes the I-th time: a header naming both (a string),
 * then bytes that differ per tenant and write. */
static void
pattern(uint8_t *b, unsigned t, uint32_t i)
{
	int n = snprintf((char *)b, PAGE, TAG "%u write %u", t, i);

	for (unsigned k = (unsigned)n + 1; k < PAGE; k++)
		b[k] = (uint8_t)(t * 131u + i * 7u + k);
}

static void
one_io(struct ntenant *t, uint32_t i, unsigned pages, unsigned nb)
{
	uint8_t out[PAGE], in[PAGE];
	uint64_t slba = (uint64_t)(i % pages) * nb, t0;
	int rc;

	pattern(out, t->idx, i);
	t0 = bench_now_ns();
	rc = nvdrv_write(&t->d, slba, nb, out);
	t->lat_w[t->writes++] = bench_now_ns() - t0;
	wfe();
	if (rc == 0) {
		t0 = bench_now_ns();
		rc = nvdrv_read(&t->d, slba, nb, in);
		t->lat_r[t->reads++] = bench_now_ns() - t0;
		wfe();
	}
	if (rc == 0 && memcmp(in, out, PAGE) == 0)
		t->verified++;
	else {
		t->failed++;
		if (t->first_err == 0)
			t->first_err = rc != 0 ? rc : -1;
	}
}

/* Read the neighbour's namespace through its own queue, then reach for
 * the neighbour's doorbell. */
static void
hostile_acts(struct ntenant *t, unsigned nb)
{
	char want[40];
	uint8_t got[sizeof t->probe_got];

	t->probe = nvdrv_cmd(&t->d, NVME_CMD_READ, t->d.nsid - 1,
	    t->d.buf_dma + (uint64_t)PROBE_PAGE * PAGE, 0, nb);
	if (t->probe == 0) {
		ldbytes(t->d.buf, (int64_t)PROBE_PAGE * PAGE, got, sizeof got);
		for (size_t k = 0; k + 1 < sizeof got; k++)
			t->probe_got[k] = got[k] >= 0x20 && got[k] < 0x7f ?
			    (char)got[k] : '\0';
		snprintf(want, sizeof want, TAG "%u ", t->idx - 1);
		t->probe_theirs = strncmp(t->probe_got, want,
		    strlen(want)) == 0;
	}
	/* SQ idx's tail doorbell is the neighbour's: 8 bytes below ours,
	 * on the page every tenant's doorbells share. */
	st32(t->d.sqt, -8, 1);
	t->survived = true;
}

static void
tenant_main(void *arg)
{
	struct ntenant *t = arg;
	unsigned nb, pages;
	uint8_t out[PAGE], in[PAGE];

	t->open_rc = nvdrv_open(&t->d, 0, t->idx);
	t->ready = true;
	if (t->open_rc != 0)
		return;
	nb = PAGE / t->d.lba_size;
	pages = (unsigned)(t->d.nblocks / nb);
	while (!t->dn->start)
		wfe();
	/* From here to the end: loads and stores through its capabilities. */
	for (uint32_t i = 0; i < t->ops; i++)
		one_io(t, i, pages, nb);
	if (t->hostile)
		hostile_acts(t, nb);
	/* Every page it wrote holds its last write: nobody else's. */
	for (unsigned p = 0; p < pages && p < t->ops; p++) {
		uint32_t last = p + (t->ops - 1 - p) / pages * pages;

		pattern(out, t->idx, last);
		t->final_pages++;
		if (nvdrv_read(&t->d, (uint64_t)p * nb, nb, in) == 0 &&
		    memcmp(in, out, PAGE) == 0)
			t->final_ok++;
	}
	t->done = true;
	while (t->dn->hold)
		wfe();
}

static bool
all_ready(struct scenario *s, void *arg)
{
	struct dnvme *dn = arg;

	for (unsigned i = 0; i < dn->n; i++)
		if (!dn->t[i].ready && scenario_alive(s, dn->pid[i]))
			return false;
	return true;
}

static bool
all_done(struct scenario *s, void *arg)
{
	struct dnvme *dn = arg;
	uint64_t io = 0;
	bool done = true;

	for (unsigned i = 0; i < dn->n; i++) {
		io += dn->t[i].writes + dn->t[i].reads;
		if (!dn->t[i].done && scenario_alive(s, dn->pid[i]))
			done = false;
	}
	if (dn->tty && !done && io - dn->shown >= dn->total / 50 + 1) {
		dn->shown = io;
		printf("\r  %llu / %llu commands", (unsigned long long)io,
		    (unsigned long long)dn->total);
		fflush(stdout);
	}
	return done;
}

static void
latency(const char *what, struct dnvme *dn, bool reads)
{
	uint64_t *v, n = 0;
	struct bench_lat l;

	for (unsigned i = 0; i < dn->n; i++)
		n += reads ? dn->t[i].reads : dn->t[i].writes;
	if (n == 0 || (v = malloc(n * sizeof *v)) == NULL)
		return;
	n = 0;
	for (unsigned i = 0; i < dn->n; i++) {
		const struct ntenant *t = &dn->t[i];
		uint64_t k = reads ? t->reads : t->writes;

		memcpy(v + n, reads ? t->lat_r : t->lat_w, k * sizeof *v);
		n += k;
	}
	bench_lat_summarize(v, n, &l);
	printf("  %-5s n=%-7llu p50 %6.1f us   p99 %6.1f us   max %7.1f us\n",
	    what, (unsigned long long)l.n, l.p50 / 1e3, l.p99 / 1e3,
	    l.max / 1e3);
	free(v);
}

static void
print_setup(struct dnvme *dn, const struct scenario_counts *n0)
{
	for (unsigned i = 0; i < dn->n; i++) {
		const struct ntenant *t = &dn->t[i];

		if (t->open_rc != 0) {
			printf("tenant %u  pid %d: could not open unit %u: %s\n",
			    i, dn->pid[i], i, capio_strerror(t->open_rc));
			continue;
		}
		printf("tenant %u  pid %d: unit %u = queue %u (SQ%uTDBL 0x%x, "
		    "CQ%uHDBL 0x%x: 4 bytes each), namespace %u (%llu setup "
		    "syscalls)%s\n", i, dn->pid[i], i, t->d.qid, t->d.qid,
		    NVME_SQTDBL(t->d.qid), t->d.qid, NVME_CQHDBL(t->d.qid),
		    t->d.nsid, (unsigned long long)n0->proc[i].syscalls,
		    t->hostile ? ", the hostile one" : "");
	}
}

/* What the hostile tenant did and what came of it; 0 when it is what the
 * controller's configuration says it must be. */
static int
print_hostile(struct dnvme *dn, const struct scenario_counts *n, bool iso)
{
	const struct ntenant *t = &dn->t[dn->n - 1];
	const struct proc_info *p = &n->proc[dn->n - 1];
	int rc = 0;

	printf("hostile   tenant %u, after %llu verified writes and reads of "
	    "its own:\n", t->idx, (unsigned long long)t->verified);
	printf("          a Read through its own queue naming namespace %u "
	    "(tenant %u's)\n          -> ", t->d.nsid - 1, t->idx - 1);
	if (t->probe == 0)
		printf("read 4 KiB: \"%s\"%s\n          (NVMe lets a command "
		    "name any namespace; --nvme-queue-isolation refuses it)\n",
		    t->probe_got, t->probe_theirs ? ", the neighbour's data" :
		    "");
	else if ((t->probe & 0x7FF) == NVME_SC_INVALID_NS)
		printf("refused: Invalid Namespace or Format (the kernel bound "
		    "queue %u to namespace %u)\n", t->d.qid, t->d.nsid);
	else
		printf("status 0x%x\n", t->probe);
	if (iso ? (t->probe & 0x7FF) != NVME_SC_INVALID_NS :
	    t->probe != 0 || !t->probe_theirs)
		rc = 1;
	printf("          st32(SQT - 8): tenant %u's SQ tail doorbell, on the "
	    "same 4 KiB page\n          -> %s\n", t->idx - 1, p->status);
	if (t->survived || !p->faulted ||
	    strstr(p->status, "SIGPROT: bounds") == NULL)
		rc = 1;
	return rc;
}

static int
report(struct dnvme *dn, const struct scenario_counts *n0,
    const struct scenario_counts *n1, const struct scenario_counts *n2,
    bool iso)
{
	struct nvme_counters c;
	uint64_t data = 0, io = 0;
	int rc = print_hostile(dn, n2, iso);

	nvme_get_counters(board_nvme(kernel_board(dn->s.k), 0), &c);
	printf("\nresults\n");
	for (unsigned i = 0; i < dn->n; i++) {
		const struct ntenant *t = &dn->t[i];
		const struct proc_info *p = &n2->proc[i];
		uint64_t sys = n1->proc[i].syscalls - n0->proc[i].syscalls;

		data += sys;
		io += t->writes + t->reads;
		printf("  tenant %u  %llu writes, %llu reads, %llu verified, "
		    "%llu failed; ", i, (unsigned long long)t->writes,
		    (unsigned long long)t->reads,
		    (unsigned long long)t->verified,
		    (unsigned long long)t->failed);
		if (t->hostile)
			printf("then trapped\n");
		else
			printf("its %llu pages read back %s; %s\n",
			    (unsigned long long)t->final_pages,
			    t->final_ok == t->final_pages ? "intact" : "WRONG",
			    p->status);
		if (t->open_rc != 0 || t->verified != t->ops || t->failed ||
		    sys != 0)
			rc = 1;
		if (!t->hostile && (t->final_ok != t->final_pages ||
		    p->state != PROC_EXITED || p->exit_code != 0))
			rc = 1;
	}
	printf("  latency of one command (SQ entry, SQT doorbell, completion "
	    "by phase tag, CQH doorbell):\n");
	latency("write", dn, false);
	latency("read", dn, true);
	printf("  controller: %llu I/O commands, %llu completed with an "
	    "error, %llu DMA faults\n", (unsigned long long)c.io_cmds,
	    (unsigned long long)c.cmd_errors, (unsigned long long)c.dma_faults);
	printf("  system calls on the data path: %llu for %llu commands "
	    "(0 per I/O)\n", (unsigned long long)data, (unsigned long long)io);
	if (data != 0)
		rc = 1;
	printf("\n%s\n", rc == 0 ? "demo --nvme: every read verified, no system "
	    "call on the data path, the attack trapped, the other tenants "
	    "unharmed" : "demo --nvme: FAILED (see above)");
	return rc;
}

int
demo_nvme(const struct demo_nvme_opts *o)
{
	struct board_desc bd;
	struct kernel_opts ko;
	struct scenario_counts n0, n1, n2;
	struct dnvme *dn = calloc(1, sizeof *dn);
	int rc = 1;

	if (dn == NULL) {
		fprintf(stderr, "capio demo: out of memory\n");
		return 1;
	}
	scenario_nvme_board(&bd, NS_BYTES, o->isolation);
	kernel_opts_default(&ko);
	dn->n = o->tenants;
	dn->tty = o->progress;
	for (unsigned i = 0; i < dn->n; i++) {
		struct ntenant *t = &dn->t[i];

		t->dn = dn;
		t->idx = i;
		t->hostile = i == dn->n - 1;
		t->ops = t->hostile ? (o->ops + 1) / 2 : o->ops;
		dn->total += 2ull * t->ops;
		t->lat_w = calloc(t->ops, sizeof *t->lat_w);
		t->lat_r = calloc(t->ops, sizeof *t->lat_r);
		if (t->lat_w == NULL || t->lat_r == NULL) {
			fprintf(stderr, "capio demo: out of memory\n");
			goto out;
		}
	}
	if (scenario_boot(&dn->s, &bd, &ko) != 0) {
		fprintf(stderr, "capio demo: %s\n", dn->s.err);
		goto out;
	}
	printf("capio demo --nvme: %u tenants share one NVMe controller, a "
	    "queue pair and a namespace each\n\n", dn->n);
	printf("machine   NVMe 1.4 controller model, %u I/O queue pairs, %u "
	    "namespaces of %u MiB (RAM);\n          arm: CAPIO byte slices, "
	    "IOMMU on, queue isolation %s\n", SCENARIO_NVME_QUEUES, SCENARIO_NVME_QUEUES,
	    NS_BYTES >> 20,
	    o->isolation ? "ON (a model extension beyond NVMe 1.4)" : "off");
	dn->hold = true;
	for (unsigned i = 0; i < dn->n; i++) {
		char name[24];

		snprintf(name, sizeof name, "tenant%u", i);
		if ((dn->pid[i] = scenario_spawn(&dn->s, name, tenant_main,
		    &dn->t[i])) < 0) {
			fprintf(stderr, "capio demo: %s\n", dn->s.err);
			goto out;
		}
	}
	scenario_run(&dn->s, 1, 100000, all_ready, dn);
	scenario_counts(&dn->s, &n0);
	print_setup(dn, &n0);
	printf("workload  each tenant: %u writes of 4 KiB to its namespace, "
	    "each read back and compared,\n          through its own slices "
	    "and rings; a wfe between commands lets the others run\n",
	    o->ops);
	fflush(stdout);
	dn->start = true;
	scenario_run(&dn->s, 1, 100000000, all_done, dn);
	if (dn->tty)
		printf("\r%60s\r", "");
	/* The data path is over: count before anyone says goodbye. */
	scenario_counts(&dn->s, &n1);
	dn->hold = false;
	scenario_run(&dn->s, 1000, 1000, NULL, NULL);
	scenario_counts(&dn->s, &n2);
	rc = report(dn, &n0, &n1, &n2, o->isolation);
out:
	if (dn->s.k != NULL)
		scenario_stop(&dn->s);
	for (unsigned i = 0; i < dn->n; i++) {
		free(dn->t[i].lat_w);
		free(dn->t[i].lat_r);
	}
	free(dn);
	return rc;
}
