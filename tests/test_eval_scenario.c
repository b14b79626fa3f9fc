/*
 * test_eval_scenario.c — the scenario runner (eval/scenario.h): a
 * memcached server and a client on a two-NIC board, N operations all
 * verified, the counters read, both processes ended, every page back in
 * the kernel's pool before the halt; and a deadline that ends a run.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "eval/scenario.h"
#include "user/client.h"
#include "user/libcapio.h"
#include "user/server.h"

#define OPS	200

static void
test_memcached(void)
{
	static struct server_cfg sc;
	static struct client_cfg cc;
	struct board_desc bd;
	struct kernel_opts ko;
	struct scenario s;
	struct scenario_counts n0, n;
	int sp, cp;

	board_desc_default(&bd);
	kernel_opts_default(&ko);
	CHECK_EQ(scenario_boot(&s, &bd, &ko), 0);
	if (s.k == NULL) {
		printf("# %s\n", s.err);
		return;
	}
	scenario_counts(&s, &n0);
	CHECK_EQ(n0.nprocs, 0);
	CHECK_EQ(n0.nnics, 2);

	sc.app = APP_MEMCACHED;
	sc.dev = 0;
	snprintf(sc.cidr, sizeof sc.cidr, "10.0.0.1/24");
	sc.port = 11211;
	board_nic_mac(kernel_board(s.k), 0, sc.mac);
	cc.dev = 1;
	board_nic_mac(kernel_board(s.k), 1, cc.mac);
	snprintf(cc.cidr, sizeof cc.cidr, "10.0.0.2/24");
	snprintf(cc.server, sizeof cc.server, "10.0.0.1");
	cc.port = 11211;
	cc.ops = OPS;
	cc.size = 64;
	cc.keys = 50;
	cc.set_percent = 30;
	sp = scenario_spawn(&s, "server", server_main, &sc);
	cp = scenario_spawn(&s, "client", mc_client_main, &cc);
	CHECK(sp > 0 && cp > 0 && sp != cp);
	CHECK_EQ(s.npids, 2);
	CHECK(scenario_alive(&s, cp));

	CHECK(scenario_run(&s, 64, 1000000, scenario_ended, &cp));
	CHECK(!s.timed_out);
	CHECK_EQ(cc.done, OPS);
	CHECK_EQ(cc.verified, OPS);
	CHECK_EQ(cc.failed + cc.timeouts, 0);
	if (cc.err[0] != '\0')
		printf("# client: %s\n", cc.err);

	sc.stop = true;
	CHECK(scenario_run(&s, 1000, 1000, scenario_ended, &sp));
	scenario_counts(&s, &n);
	CHECK_EQ(n.nprocs, 2);
	CHECK_EQ(n.proc[0].pid, sp);
	CHECK_EQ(n.proc[0].state, PROC_EXITED);
	CHECK_EQ(n.proc[1].state, PROC_EXITED);
	CHECK(n.proc[0].syscalls > 0);
	/* Frames went both ways over the wire, none lost on it. */
	CHECK(n.nic[1].tx_frames >= OPS && n.nic[0].rx_frames >= OPS);
	CHECK(n.nic[0].tx_frames >= OPS && n.nic[1].rx_frames >= OPS);
	CHECK_EQ(n.nic[0].dma_faults + n.nic[1].dma_faults, 0);
	CHECK_EQ(n.kernel.procs_killed, 0);
	/* Both ended: what they held is back. */
	CHECK_EQ(n.free_pages, n0.free_pages);
	CHECK_EQ(n.kernel.page_tables, 0);
	scenario_stop(&s);
	CHECK(s.k == NULL);
}

static void
spin_main(void *arg)
{
	volatile bool *stop = arg;

	while (!*stop)
		sys_yield();
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool
never(struct scenario *s, void *arg)
{
	(void)s;
	(void)arg;
	return false;
}

/* A process that never ends: the deadline stops the run, not the
 * step budget; the halt kills it. */
static void
test_deadline(void)
{
	static volatile bool stop;
	struct board_desc bd;
	struct kernel_opts ko;
	struct scenario s;
	uint64_t t0;
	int pid;

	board_desc_default(&bd);
	kernel_opts_default(&ko);
	CHECK_EQ(scenario_boot(&s, &bd, &ko), 0);
	if (s.k == NULL) {
		printf("# %s\n", s.err);
		return;
	}
	pid = scenario_spawn(&s, "spin", spin_main, (void *)&stop);
	CHECK(pid > 0);
	t0 = now_ns();
	s.deadline_ns = t0 + 200000000u;
	CHECK(!scenario_run(&s, 1, UINT64_MAX, never, NULL));
	CHECK(s.timed_out);
	CHECK(now_ns() - t0 < 5000000000u);
	CHECK(scenario_alive(&s, pid));
	scenario_stop(&s);
}

int
main(void)
{
	test_memcached();
	test_deadline();
	return check_done("eval_scenario");
}
