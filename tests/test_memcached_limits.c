/*
 * test_memcached_limits.c — the memcached server (memcached_server.c) in
 * a process of its own, with its lwIP, and a client process with another
 * lwIP over a pair wire, under small limits: an item too large (error,
 * data swallowed, connection usable), a connection flood past -c
 * (refused with memcached's error, counted, the others still served), a
 * flood of unfinished sets (in-flight bytes bounded, refused with out of
 * memory, stored items untouched), an idle connection reset after
 * idle_timeout (its reservation given back), buffers that shrink when
 * idle, and a client reset. The limits are checked against the server's
 * own accounting, and the clock is a fake one the test moves.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "board/board.h"
#include "growbuf.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/e1000e_driver.h"
#include "user/memcached_server.h"
#include "user/netdev.h"
#include "user/netstack.h"

#define PORT		11211
#define MAXCONNS	8
#define NTC		(MAXCONNS + 8)
#define KEEP		20		/* items stored before floods */
#define FLOOD_VLEN	200000		/* an unfinished set's value */
#define WAIT_S		30		/* against a hang; not timed */

struct tc {
	struct tcp_pcb *pcb;
	struct buf rx;
	bool connected, closed, reset;
};

struct world {
	struct mc_settings set;
	struct mc_server mc;
	volatile int64_t now;		/* the fake clock */
	volatile uint64_t clock_calls;
	volatile bool server_ok, done, finished;
	struct netstack *cns;		/* the client's stack */
	struct tc tc[NTC];
	char err[2][200];
};

static struct world *W;

static int64_t
fake_clock(void *arg)
{
	struct world *w = arg;

	w->clock_calls++;
	return w->now;
}

static void
server(void *arg)
{
	struct world *w = arg;
	struct udrv d;
	struct netdev nd;
	struct netstack ns;

	if (udrv_open(&d, 0) != 0)
		return;
	netdev_from_udrv(&nd, &d);
	if (netstack_open(&ns, &nd, "10.0.0.1/24", w->err[0],
	    sizeof w->err[0]) != 0) {
		udrv_close(&d);
		return;
	}
	if (mc_server_open(&w->mc, &ns, PORT, &w->set, fake_clock, w) != 0) {
		snprintf(w->err[0], sizeof w->err[0], "mc_server_open");
		netstack_close(&ns);
		udrv_close(&d);
		return;
	}
	w->server_ok = true;
	while (!w->done)
		if (netstack_poll(&ns) == 0)
			wfe();
	mc_server_stop(&w->mc);
	netstack_close(&ns);
	udrv_close(&d);
}

/* --- the client's side ------------------------------------------------ */

static void
spin(void)
{
	if (netstack_poll(W->cns) == 0)
		wfe();
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Poll both stacks until cond holds; the guard only stops a hang. */
#define WAIT(cond) do { \
	double until_ = now_s() + WAIT_S; \
	while (!(cond) && now_s() < until_) \
		spin(); \
} while (0)

static err_t
tc_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct tc *t = arg;

	(void)err;
	if (p == NULL) {
		t->closed = true;
		return ERR_OK;
	}
	for (struct pbuf *q = p; q != NULL; q = q->next)
		buf_add(&t->rx, q->payload, q->len);
	W->cns->api->tcp_recved(pcb, p->tot_len);
	W->cns->api->pbuf_free(p);
	return ERR_OK;
}

static void
tc_err(void *arg, err_t err)
{
	struct tc *t = arg;

	(void)err;
	t->reset = true;
	t->pcb = NULL;		/* lwIP freed it */
}

static err_t
tc_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct tc *t = arg;

	(void)pcb;
	t->connected = err == ERR_OK;
	return ERR_OK;
}

static bool
tc_open(struct tc *t)
{
	const struct lwip_api *a = W->cns->api;
	ip_addr_t dst;

	memset(t, 0, sizeof *t);
	buf_add(&t->rx, "", 0);
	IP_ADDR4(&dst, 10, 0, 0, 1);
	if ((t->pcb = a->tcp_new()) == NULL)
		return false;
	a->tcp_arg(t->pcb, t);
	a->tcp_recv(t->pcb, tc_recv);
	a->tcp_err(t->pcb, tc_err);
	if (a->tcp_connect(t->pcb, &dst, PORT, tc_connected) != ERR_OK)
		return false;
	WAIT(t->connected || t->reset);
	return t->connected;
}

static void
tc_close(struct tc *t)
{
	if (t->pcb != NULL) {
		W->cns->api->tcp_arg(t->pcb, NULL);
		W->cns->api->tcp_recv(t->pcb, NULL);
		W->cns->api->tcp_err(t->pcb, NULL);
		if (W->cns->api->tcp_close(t->pcb) != ERR_OK)
			W->cns->api->tcp_abort(t->pcb);
	}
	t->pcb = NULL;
	free(t->rx.p);
	memset(&t->rx, 0, sizeof t->rx);
}

static void
tc_send(struct tc *t, const void *p, size_t n)
{
	const struct lwip_api *a = W->cns->api;
	const char *b = p;
	double until = now_s() + WAIT_S;

	while (n > 0 && t->pcb != NULL && now_s() < until) {
		size_t k = tcp_sndbuf(t->pcb);

		if (k > n)
			k = n;
		if (k > 0xffff)
			k = 0xffff;
		if (k > 0 && a->tcp_write(t->pcb, b, (u16_t)k,
		    TCP_WRITE_FLAG_COPY) == ERR_OK) {
			a->tcp_output(t->pcb);
			b += k;
			n -= k;
		} else
			spin();
	}
	if (t->pcb != NULL)
		a->tcp_output(t->pcb);
}

static void
tc_sends(struct tc *t, const char *s)
{
	tc_send(t, s, strlen(s));
}

/* A value of n bytes of c, its CRLF after. */
static void
tc_value(struct tc *t, char c, size_t n)
{
	static char chunk[4096];

	memset(chunk, c, sizeof chunk);
	while (n > 0) {
		size_t k = n < sizeof chunk ? n : sizeof chunk;

		tc_send(t, chunk, k);
		n -= k;
	}
	tc_sends(t, "\r\n");
}

/* The next answer bytes are want: taken off rx. */
static bool
tc_expect_at(const char *file, int line, struct tc *t, const char *want)
{
	size_t n = strlen(want);
	bool ok;

	WAIT(t->rx.len >= n || t->reset);
	ok = t->rx.len >= n && memcmp(t->rx.p, want, n) == 0;
	check_count++;
	if (!ok) {
		char m[300];

		snprintf(m, sizeof m, "got \"%.*s\", want \"%.100s\"",
		    (int)(t->rx.len < 100 ? t->rx.len : 100), t->rx.p, want);
		check_fail(file, line, m);
	}
	if (t->rx.len >= n) {
		memmove(t->rx.p, t->rx.p + n, t->rx.len - n + 1);
		t->rx.len -= n;
	}
	return ok;
}

#define EXPECT(t, want) tc_expect_at(__FILE__, __LINE__, t, want)

/* `stats` or `stats settings` over t: the value of STAT name. */
static long long
stat_of(struct tc *t, const char *which, const char *name)
{
	char req[64], pat[96], *p, *end;
	long long v = -1;

	snprintf(req, sizeof req, "%s\r\n", which);
	tc_sends(t, req);
	WAIT(strstr(t->rx.p, "END\r\n") != NULL || t->reset);
	if ((end = strstr(t->rx.p, "END\r\n")) == NULL)
		return -1;
	snprintf(pat, sizeof pat, "STAT %s ", name);
	if ((p = strstr(t->rx.p, pat)) != NULL && p < end)
		v = strtoll(p + strlen(pat), NULL, 10);
	end += 5;
	memmove(t->rx.p, end, t->rx.len - (size_t)(end - t->rx.p) + 1);
	t->rx.len -= (size_t)(end - t->rx.p);
	return v;
}

static struct mc_stats
server_stats(void)
{
	struct mc_stats st;

	mc_store_stats(W->mc.store, &st);
	return st;
}

/* What the connections' buffers hold, the store's bytes aside. */
static size_t
conn_memory(void)
{
	struct mc_stats st = server_stats();

	return mc_server_memory(&W->mc) - (size_t)(st.bytes +
	    st.inflight_bytes);
}

/*
 * Let at least `rounds` rounds of the server's poll ticks pass: with no
 * traffic, each polled connection reads the clock once a tick.
 */
static void
ticks(unsigned rounds)
{
	uint64_t c0 = W->clock_calls;

	WAIT(W->clock_calls >= c0 + (rounds + 1) * (uint64_t)W->mc.nconns);
}

/* Flood connections told out of memory; *silent: one that was not. */
static int
refused_sets(int *silent)
{
	int n = 0;

	for (int i = 1; i < MAXCONNS; i++) {
		struct tc *t = &W->tc[i];

		if (strcmp(t->rx.p,
		    "SERVER_ERROR out of memory storing object\r\n") == 0)
			n++;
		else if (t->rx.len == 0)
			*silent = i;
	}
	return n;
}

static void
keep_all(struct tc *a)
{
	char req[64], want[64];
	int bad = 0;

	for (int i = 0; i < KEEP; i++) {
		snprintf(req, sizeof req, "get keep%d\r\n", i);
		tc_sends(a, req);
		snprintf(want, sizeof want, "VALUE keep%d %d 1000\r\n", i, i);
		bad += !EXPECT(a, want);
		WAIT(a->rx.len >= 1007 || a->reset);
		for (size_t j = 0; j < 1000 && j < a->rx.len; j++)
			bad += a->rx.p[j] != 'a' + i % 26;
		a->rx.len = a->rx.len >= 1000 ? a->rx.len - 1000 : 0;
		memmove(a->rx.p, a->rx.p + 1000, a->rx.len + 1);
		bad += !EXPECT(a, "\r\nEND\r\n");
	}
	CHECK_EQ(bad, 0);
}

static void
run_client(struct world *w)
{
	struct udrv d;
	struct netdev nd;
	struct netstack ns;
	struct tc *a = &w->tc[0];
	char req[128];
	int refused = 0, silent = -1;

	if (udrv_open(&d, 1) != 0)
		return;
	netdev_from_udrv(&nd, &d);
	if (netstack_open(&ns, &nd, "10.0.0.2/24", w->err[1],
	    sizeof w->err[1]) != 0) {
		udrv_close(&d);
		return;
	}
	w->cns = &ns;
	WAIT(w->server_ok);
	CHECK(tc_open(a));
	tc_sends(a, "version\r\n");
	EXPECT(a, "VERSION " MC_VERSION "\r\n");

	/* Stored before the floods; they must come through whole. */
	for (int i = 0; i < KEEP; i++) {
		snprintf(req, sizeof req, "set keep%d %d 0 1000\r\n", i, i);
		tc_sends(a, req);
		tc_value(a, (char)('a' + i % 26), 1000);
		EXPECT(a, "STORED\r\n");
	}

	/* Over -I: the error, the data swallowed, the connection fine. */
	tc_sends(a, "set big 0 0 300000\r\n");
	tc_value(a, 'b', 300000);
	tc_sends(a, "set small 0 0 2\r\nhi\r\nget small\r\n");
	EXPECT(a, "SERVER_ERROR object too large for cache\r\n");
	EXPECT(a, "STORED\r\nVALUE small 0 2\r\nhi\r\nEND\r\n");
	CHECK_EQ(stat_of(a, "stats", "store_too_large"), 1);
	CHECK_EQ(stat_of(a, "stats settings", "item_size_max"), 256 * 1024);
	CHECK_EQ(stat_of(a, "stats settings", "maxconns"), MAXCONNS);
	CHECK_EQ(stat_of(a, "stats settings", "idle_timeout"), 10);

	/* Up to -c, then memcached's refusal: counted, then closed. */
	for (int i = 1; i < MAXCONNS; i++)
		CHECK(tc_open(&w->tc[i]));
	/* The client is connected a moment before the server accepts. */
	WAIT(w->mc.nconns == MAXCONNS);
	CHECK_EQ(w->mc.nconns, MAXCONNS);
	/* No buffer up front: far below one old 256 KiB buffer each. */
	CHECK(conn_memory() < 64 * 1024);
	for (int i = MAXCONNS; i < NTC; i++) {
		struct tc *t = &w->tc[i];

		if (!tc_open(t))
			continue;
		WAIT(t->closed || t->reset);
		if (t->closed && strcmp(t->rx.p,
		    "ERROR Too many open connections\r\n") == 0)
			refused++;
		else
			fprintf(stderr, "refused %d: closed %d, reset %d, "
			    "\"%.60s\"\n", i, t->closed, t->reset, t->rx.p);
		tc_close(t);
	}
	CHECK_EQ(refused, NTC - MAXCONNS);
	CHECK_EQ(w->mc.rejected, NTC - MAXCONNS);
	CHECK_EQ(w->mc.nconns, MAXCONNS);
	CHECK_EQ(stat_of(a, "stats", "rejected_connections"), NTC - MAXCONNS);
	CHECK_EQ(stat_of(a, "stats", "curr_connections"), MAXCONNS);
	CHECK_EQ(stat_of(a, "stats", "total_connections"), MAXCONNS);
	CHECK_EQ(stat_of(a, "stats", "max_connections"), MAXCONNS);
	tc_sends(&w->tc[MAXCONNS - 1], "version\r\n");
	EXPECT(&w->tc[MAXCONNS - 1], "VERSION " MC_VERSION "\r\n");

	/*
	 * Unfinished sets on every other connection: they may hold a
	 * quarter of -m (two of them here); the rest are refused.
	 */
	for (int i = 1; i < MAXCONNS; i++) {
		snprintf(req, sizeof req, "set flood%d 0 0 %d\r\n", i,
		    FLOOD_VLEN);
		tc_sends(&w->tc[i], req);
		tc_send(&w->tc[i], "ffffffffff", 10);
	}
	WAIT(refused_sets(&silent) == MAXCONNS - 3);
	CHECK_EQ(refused_sets(&silent), MAXCONNS - 3);
	{
		struct mc_stats st = server_stats();
		size_t one = 56 + 6 + 1 + FLOOD_VLEN + 2;	/* "floodN" */

		CHECK_EQ(st.inflight_bytes, 2 * one);
		CHECK(st.inflight_bytes <= w->mc.set.inflight_max);
		CHECK(st.bytes + st.inflight_bytes <= w->set.memory_limit);
		CHECK_EQ(st.evictions, 0);
		CHECK_EQ(st.curr_items, KEEP + 1);
		CHECK(mc_server_memory(&w->mc) <= mc_server_bound(&w->mc.set));
	}
	keep_all(a);
	tc_sends(a, "set during 0 0 5\r\nhello\r\n");
	EXPECT(a, "STORED\r\n");
	CHECK_EQ(stat_of(a, "stats", "store_no_memory"), MAXCONNS - 3);
	/* A reserved set that finishes is stored like any. */
	CHECK(silent > 0);
	if (silent > 0) {
		tc_value(&w->tc[silent], 'f', FLOOD_VLEN - 10);
		EXPECT(&w->tc[silent], "STORED\r\n");
	}
	/* Closing gives the other reservation back. */
	for (int i = 1; i < MAXCONNS; i++)
		tc_close(&w->tc[i]);
	WAIT(w->mc.nconns == 1);
	CHECK_EQ(w->mc.nconns, 1);
	CHECK_EQ(server_stats().inflight_bytes, 0);

	/* Idle past the timeout: reset, counted, its reservation back. */
	{
		struct tc *t = &w->tc[1];

		CHECK(tc_open(t));
		tc_sends(t, "set idle 0 0 100000\r\nxxxxx");
		WAIT(server_stats().inflight_bytes != 0);
		CHECK(server_stats().inflight_bytes != 0);
		w->now += 10;
		tc_sends(a, "version\r\n");
		EXPECT(a, "VERSION " MC_VERSION "\r\n");
		ticks(2);
		/* Idle exactly idle_timeout: not yet (memcached: more). */
		CHECK(!t->reset);
		CHECK_EQ(w->mc.idle_kicks, 0);
		w->now += 1;
		WAIT(t->reset);
		CHECK(t->reset);
		CHECK_EQ(w->mc.idle_kicks, 1);
		CHECK_EQ(w->mc.nconns, 1);
		CHECK_EQ(server_stats().inflight_bytes, 0);
		CHECK_EQ(stat_of(a, "stats", "idle_kicks"), 1);
		CHECK_EQ(stat_of(a, "stats", "curr_connections"), 1);
		tc_close(t);
	}

	/* A big answer grows the buffers; idle, they shrink back. */
	tc_sends(a, "set big2 0 0 200000\r\n");
	tc_value(a, 'g', 200000);
	EXPECT(a, "STORED\r\n");
	tc_sends(a, "get big2\r\n");
	EXPECT(a, "VALUE big2 0 200000\r\n");
	WAIT(a->rx.len >= 200007 || a->reset);
	CHECK(a->rx.len == 200007 &&
	    memcmp(a->rx.p + 200000, "\r\nEND\r\n", 7) == 0);
	a->rx.len = 0;
	/* A 3 KB get line: its buffer (under 4 KiB) is kept for the next. */
	tc_sends(a, "get");
	for (int i = 0; i < 15; i++) {
		char key[202];

		memset(key, 'k', sizeof key);
		key[0] = ' ';
		tc_send(a, key, sizeof key);
	}
	tc_sends(a, "\r\n");
	EXPECT(a, "END\r\n");
	CHECK(conn_memory() >= 4096);
	/* A quiet tick after, it goes. */
	WAIT(conn_memory() < 1024);
	CHECK(conn_memory() < 1024);

	/* A client's reset: lwIP's error callback frees the connection. */
	{
		struct tc *t = &w->tc[2];

		CHECK(tc_open(t));
		WAIT(w->mc.nconns == 2);
		ns.api->tcp_abort(t->pcb);
		WAIT(w->mc.nconns == 1);
		CHECK_EQ(w->mc.nconns, 1);
		tc_close(t);
	}
	keep_all(a);
	CHECK_EQ(server_stats().evictions, 0);
	tc_sends(a, "quit\r\n");
	WAIT(a->closed || a->reset);
	CHECK(a->closed);
	tc_close(a);
	WAIT(w->mc.nconns == 0);
	w->done = true;
	for (int i = 0; i < NTC; i++)
		free(w->tc[i].rx.p);
	netstack_close(&ns);
	udrv_close(&d);
}

static void
client(void *arg)
{
	struct world *w = arg;

	run_client(w);
	w->finished = true;
	w->done = true;		/* however it ended, the server stops */
}

int
main(void)
{
	struct kernel_opts o;
	struct kernel *k;
	char err[200];
	struct world *w = calloc(1, sizeof *w);

	if (w == NULL)
		return 1;
	W = w;
	mc_settings_default(&w->set);
	w->set.memory_limit = 2u << 20;
	w->set.item_size_max = 256 * 1024;
	w->set.max_connections = MAXCONNS;
	w->set.idle_timeout = 10;
	w->now = 1000000000;
	CHECK(mc_settings_check(&w->set) == NULL);
	kernel_opts_default(&o);
	o.host_syscalls = false;
	k = kernel_boot(board_new(NULL, err, sizeof err), &o, err,
	    sizeof err);
	CHECK(k != NULL);
	if (k == NULL)
		return check_done("test_memcached_limits");
	kernel_spawn(k, "memcached", server, w);
	kernel_spawn(k, "client", client, w);
	kernel_run(k, 0);
	if (w->err[0][0] || w->err[1][0])
		fprintf(stderr, "limits: %s %s\n", w->err[0], w->err[1]);
	CHECK(w->server_ok);
	CHECK(w->finished);
	kernel_halt(k);
	free(w);
	return check_done("test_memcached_limits");
}
