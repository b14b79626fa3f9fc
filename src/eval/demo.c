/*
 * demo.c — the demonstration behind `capio demo` (demo.h): a machine
 * with two e1000e NICs on a wire; an unprivileged process serves
 * memcached on NIC 0 through CAPIO and lwIP; a second process on NIC 1
 * runs a mixed get/set workload and checks every reply; a third tries
 * one store outside its doorbell slice and is killed by the hardware.
 */
#include "eval/demo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "dev/e1000e.h"
#include "eval/scenario.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/client.h"
#include "user/libcapio.h"
#include "user/server.h"


/* The attacker: owns NIC 2 legitimately, then reaches past TDT. */
struct attacker {
	int attach, map;
	cap_t tdt;
	bool survived;
};

static void
attacker_main(void *arg)
{
	struct attacker *a = arg;
	struct capio_grant bar;
	struct capio_desc desc;
	cap_t id, token;

	sys_mmap(4096, &id);
	capio_describe(2, id, &desc);
	a->attach = capio_attach(2, id, &token);
	a->map = capio_map(2, token, &desc, "bar0", false, &bar);
	a->tdt = capio_slice(&bar, "TDT");
	/* TDBAL is 0x18 bytes below TDT, on the same 4 KiB page: a page
	 * mapping would let this through and aim the NIC's DMA anywhere. */
	st32(a->tdt, (int64_t)E1000E_TDBAL - (int64_t)E1000E_TDT, 0x00100000);
	a->survived = true;
}

static int
cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

static void
percentiles(const char *what, uint64_t *v, size_t n)
{
	if (n == 0) {
		printf("  %-4s  (none)\n", what);
		return;
	}
	qsort(v, n, sizeof *v, cmp_u64);
	printf("  %-4s  n=%-6zu p50 %6.1f us   p90 %6.1f us   p99 %6.1f us   "
	    "max %7.1f us\n", what, n, v[n / 2] / 1e3, v[n * 90 / 100] / 1e3,
	    v[n * 99 / 100] / 1e3, v[n - 1] / 1e3);
}

/* One demo run: the machine, its three processes and what they share. */
struct demo {
	struct scenario s;
	struct server_cfg *sc;
	struct client_cfg *cc;
	struct attacker at;
	uint64_t *lat;
	uint8_t *is_set;
	uint32_t ops;
	bool tty;
	int sp, cp, ap;
	uint64_t last;			/* operations at the last progress */
};

static bool
both_ready(struct scenario *s, void *arg)
{
	const struct demo *d = arg;

	(void)s;
	return d->sc->ready && d->cc->ready;
}

/* The client finished (or ended); a progress line every 2%. */
static bool
workload_done(struct scenario *s, void *arg)
{
	struct demo *d = arg;
	struct client_cfg *cc = d->cc;

	if (cc->finished)
		return true;
	if (d->tty && cc->done - d->last >= d->ops / 50) {
		d->last = cc->done;
		printf("\r  %llu / %u operations", (unsigned long long)cc->done,
		    d->ops);
		fflush(stdout);
	}
	return !scenario_alive(s, d->cp);
}


/* The server and the client, connected and waiting to start. 0, or 1
 * with the message printed. */
static int
demo_setup(struct demo *d, struct scenario_counts *n)
{
	struct server_cfg *sc = d->sc;
	struct client_cfg *cc = d->cc;
	struct kernel *k = d->s.k;

	sc->app = APP_MEMCACHED;
	sc->dev = 0;
	snprintf(sc->cidr, sizeof sc->cidr, "10.0.0.1/24");
	sc->port = 11211;
	sc->mc_memory = 64u << 20;
	cc->dev = 1;
	snprintf(cc->cidr, sizeof cc->cidr, "10.0.0.2/24");
	snprintf(cc->server, sizeof cc->server, "10.0.0.1");
	cc->port = 11211;
	cc->ops = d->ops;
	cc->keys = 500;
	cc->size = 100;
	cc->set_percent = 30;
	cc->lat_ns = d->lat;
	cc->is_set = d->is_set;
	board_nic_mac(kernel_board(k), 0, sc->mac);
	board_nic_mac(kernel_board(k), 1, cc->mac);

	cc->start_hold = true;
	d->sp = scenario_spawn(&d->s, "memcached", server_main, sc);
	d->cp = scenario_spawn(&d->s, "client", mc_client_main, cc);
	/* Set-up: attach, map, lwIP, connect; then count system calls. */
	scenario_run(&d->s, 1, 100000, both_ready, d);
	scenario_counts(&d->s, n);
	if (!sc->ready || !cc->ready) {
		fprintf(stderr, "capio demo: set-up failed: server %s %s; client %s %s\n",
		    n->proc[0].status, sc->err, n->proc[1].status, cc->err);
		return 1;
	}
	printf("server    pid %d: attached NIC 0, mapped TDT RDT TDH RDH STATUS + rings "
	    "+ buffers, lwIP 10.0.0.1, memcached :11211 (%llu setup syscalls)\n",
	    d->sp, (unsigned long long)n->proc[0].syscalls);
	printf("client    pid %d: attached NIC 1, lwIP 10.0.0.2, connected "
	    "(%llu setup syscalls)\n", d->cp, (unsigned long long)n->proc[1].syscalls);
	fflush(stdout);
	return 0;
}

/* The attacker, to its end. 1 when its store reached the NIC. */
static int
demo_attack(struct demo *d)
{
	struct kernel *k = d->s.k;
	struct proc_info pa;

	/* The attack runs to its end while the server serves and before the
	 * workload starts: in this one-thread machine, the kernel's work for
	 * it (bring-up, then revocation) would otherwise land in the
	 * latency of whichever operation was waiting. */
	d->ap = scenario_spawn(&d->s, "attacker", attacker_main, &d->at);
	scenario_run(&d->s, 1, 100000, scenario_ended, &d->ap);
	kernel_proc_info(k, d->ap, &pa);
	printf("attacker  pid %d: attached NIC 2 (%s), mapped its slices (%s), "
	    "then st32(TDT - 0x18)\n          -> %s\n", d->ap,
	    d->at.attach ? capio_strerror(d->at.attach) : "ok",
	    d->at.map ? capio_strerror(d->at.map) : "ok", pa.status);
	uint32_t tdbal = e1000e_peek(board_nic(kernel_board(k), 2), E1000E_TDBAL);
	printf("          NIC 2 TDBAL afterwards: 0x%08x (%s the attacker's "
	    "0x00100000)\n", tdbal, tdbal == 0x00100000 ? "IS" : "not");
	return tdbal == 0x00100000;
}

/* The workload, with a progress line on a terminal. */
static void
demo_workload(struct demo *d)
{
	printf("workload  %u operations, 30%% set / 70%% get, 500 keys, 100-byte values\n",
	    d->ops);
	fflush(stdout);
	d->cc->start_hold = false;
	d->cc->hold = true;
	scenario_run(&d->s, 16, 10000000, workload_done, d);
	if (d->tty)
		printf("\r%60s\r", "");
}

/* The figures and the verdict; the exit status. */
static int
demo_report(struct demo *d, const struct scenario_counts *n0,
    const struct scenario_counts *n1, const struct scenario_counts *n2,
    int rc)
{
	struct client_cfg *cc = d->cc;
	const struct proc_info *ps = &n2->proc[0], *pc = &n2->proc[1],
	    *pa = &n2->proc[2];
	uint64_t s_data = n1->proc[0].syscalls - n0->proc[0].syscalls;
	uint64_t c_data = n1->proc[1].syscalls - n0->proc[1].syscalls;
	uint64_t *gets = malloc(d->ops * sizeof *gets);
	uint64_t *sets = malloc(d->ops * sizeof *sets);
	size_t ng = 0, nset = 0;

	for (uint64_t i = 0; i < cc->done && gets && sets; i++) {
		if (d->is_set[i])
			sets[nset++] = d->lat[i];
		else
			gets[ng++] = d->lat[i];
	}
	printf("\nresults\n");
	printf("  operations   %llu done, %llu verified, %llu failed, %llu timed out\n",
	    (unsigned long long)cc->done, (unsigned long long)cc->verified,
	    (unsigned long long)cc->failed, (unsigned long long)cc->timeouts);
	printf("  latency (round trip through both NICs, lwIP and memcached):\n");
	if (gets && sets) {
		percentiles("get", gets, ng);
		percentiles("set", sets, nset);
	}
	printf("  system calls on the data path: server %llu, client %llu\n",
	    (unsigned long long)s_data, (unsigned long long)c_data);
	printf("  server %s, client %s\n", ps->status, pc->status);

	if (cc->verified != d->ops || cc->failed || cc->timeouts)
		rc = 1;
	if (s_data != 0 || c_data != 0)
		rc = 1;		/* the data path must not enter the kernel */
	if (d->at.survived || !pa->faulted ||
	    strstr(pa->status, "SIGPROT: bounds") == NULL)
		rc = 1;
	if (ps->state != PROC_EXITED || pc->state != PROC_EXITED)
		rc = 1;
	printf("\n%s\n", rc == 0 ? "demo: every reply verified, no system call on the "
	    "data path, the attack trapped" : "demo: FAILED (see above)");
	free(gets);
	free(sets);
	return rc;
}

int
demo_full(uint32_t ops, const char *pcap, bool progress)
{
	struct board_desc bd;
	struct kernel_opts ko;
	struct demo d = { .ops = ops, .tty = progress };
	struct scenario_counts n0, n1, n2;
	int rc = 1;

	board_desc_default(&bd);
	bd.nics = 3;		/* NIC 2: the attacker's own, on no wire */
	bd.pcap = pcap;
	kernel_opts_default(&ko);
	d.sc = calloc(1, sizeof *d.sc);
	d.cc = calloc(1, sizeof *d.cc);
	d.lat = calloc(ops, sizeof *d.lat);
	d.is_set = calloc(ops, 1);
	if (d.sc == NULL || d.cc == NULL || d.lat == NULL || d.is_set == NULL) {
		fprintf(stderr, "capio demo: out of memory\n");
		goto out;
	}
	if (scenario_boot(&d.s, &bd, &ko) != 0) {
		fprintf(stderr, "capio demo: %s\n", d.s.err);
		goto out;
	}
	printf("capio demo: memcached on a CAPIO-driven e1000e, a client, an attacker\n\n");
	printf("machine   %d x e1000e (82574L) model; NIC 0 <-pair wire-> NIC 1; "
	    "arm: CAPIO byte slices, IOMMU on\n", board_ndevs(kernel_board(d.s.k)));
	if (demo_setup(&d, &n0) != 0)
		goto out;
	rc = demo_attack(&d);
	demo_workload(&d);
	/* The data path is over: count before anyone says goodbye. */
	scenario_counts(&d.s, &n1);
	d.cc->hold = false;
	d.sc->stop = true;
	scenario_run(&d.s, 100000, 1, NULL, NULL);
	scenario_counts(&d.s, &n2);
	rc = demo_report(&d, &n0, &n1, &n2, rc);
out:
	if (d.s.k != NULL)
		scenario_stop(&d.s);
	free(d.lat);
	free(d.is_set);
	free(d.sc);
	free(d.cc);
	return rc;
}
