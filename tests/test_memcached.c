/*
 * test_memcached.c — the memcached engine through mc_conn_feed with a
 * fake clock: every command and its errors, exptime and flush_all
 * timing, cas values, LRU eviction under the memory limit, noreply,
 * bounded lines and output, and the same answers however the input is
 * cut (one byte at a time, random pieces, all at once).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "growbuf.h"
#include "user/memcached.h"

static int64_t fake_now = 1000000000;	/* a unix time, 2001 */

static int64_t
fake_clock(void *arg)
{
	return *(int64_t *)arg;
}

static void
drain(struct mc_conn *c, struct buf *out)
{
	const void *o;
	size_t n;

	while ((o = mc_conn_output(c, &n)) != NULL) {
		buf_add(out, o, n);
		mc_conn_consume_output(c, n);
	}
}

/* Feed p in pieces of at most step bytes (0: random), draining as we go. */
static void
feed_cut(struct mc_conn *c, const char *p, size_t n, size_t step,
    struct buf *out)
{
	while (n > 0) {
		size_t k = step != 0 ? step : 1 + check_rand() % 64, took;

		if (k > n)
			k = n;
		took = mc_conn_feed(c, p, k);
		drain(c, out);
		p += took;
		n -= took;
		if (took == 0 && mc_conn_closing(c))
			break;
	}
	drain(c, out);
}

static struct buf last;

/* The whole answer to req, as a string. */
static const char *
run_n(struct mc_conn *c, const char *req, size_t n)
{
	free(last.p);
	memset(&last, 0, sizeof last);
	buf_add(&last, "", 0);
	feed_cut(c, req, n, n > 0 ? n : 1, &last);
	return last.p;
}

static const char *
run(struct mc_conn *c, const char *req)
{
	return run_n(c, req, strlen(req));
}

static void
expect_at(const char *file, int line, struct mc_conn *c, const char *req,
    const char *want)
{
	const char *got = run(c, req);

	check_count++;
	if (strcmp(got, want) != 0) {
		char m[512];

		snprintf(m, sizeof m, "%.100s -> \"%.150s\", want \"%.150s\"",
		    req, got, want);
		check_fail(file, line, m);
	}
}

#define EXPECT(c, req, want) expect_at(__FILE__, __LINE__, c, req, want)

static struct mc_store *
new_store(size_t limit)
{
	struct mc_store *s = mc_store_new(limit, fake_clock, &fake_now);

	CHECK(s != NULL);
	return s;
}

static uint64_t
stat_of(struct mc_store *s, size_t off)
{
	struct mc_stats st;

	mc_store_stats(s, &st);
	return *(uint64_t *)((char *)&st + off);
}

#define STAT(s, f) stat_of(s, offsetof(struct mc_stats, f))

static void
test_storage(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);

	EXPECT(c, "get foo\r\n", "END\r\n");
	EXPECT(c, "set foo 5 0 3\r\nbar\r\n", "STORED\r\n");
	EXPECT(c, "get foo\r\n", "VALUE foo 5 3\r\nbar\r\nEND\r\n");
	EXPECT(c, "gets foo\r\n", "VALUE foo 5 3 1\r\nbar\r\nEND\r\n");
	EXPECT(c, "get foo nosuch foo\r\n",
	    "VALUE foo 5 3\r\nbar\r\nVALUE foo 5 3\r\nbar\r\nEND\r\n");
	EXPECT(c, "add foo 0 0 1\r\nx\r\n", "NOT_STORED\r\n");
	EXPECT(c, "add new 0 0 1\r\nx\r\n", "STORED\r\n");
	EXPECT(c, "replace nokey 0 0 1\r\nx\r\n", "NOT_STORED\r\n");
	EXPECT(c, "replace foo 7 0 4\r\nbaz!\r\n", "STORED\r\n");
	/* append/prepend keep the flags of the stored item. */
	EXPECT(c, "append foo 99 0 2\r\n12\r\n", "STORED\r\n");
	EXPECT(c, "prepend foo 99 0 2\r\n00\r\n", "STORED\r\n");
	EXPECT(c, "gets foo\r\n", "VALUE foo 7 8 5\r\n00baz!12\r\nEND\r\n");
	EXPECT(c, "append nokey 0 0 1\r\nx\r\n", "NOT_STORED\r\n");
	EXPECT(c, "prepend nokey 0 0 1\r\nx\r\n", "NOT_STORED\r\n");
	CHECK(strcmp(run_n(c, "set bin 0 0 5\r\na\r\n\0b\r\n", 22),
	    "STORED\r\n") == 0);
	CHECK_EQ(memcmp(run(c, "get bin\r\n"), "VALUE bin 0 5\r\na\r\n", 18),
	    0);
	CHECK_EQ(last.len, 27);
	EXPECT(c, "set empty 4294967295 0 0\r\n\r\n", "STORED\r\n");
	EXPECT(c, "get empty\r\n", "VALUE empty 4294967295 0\r\n\r\nEND\r\n");
	/* memcached keeps the low 32 bits of flags and length. */
	EXPECT(c, "set f 4294967297 0 4294967297\r\nx\r\n", "STORED\r\n");
	EXPECT(c, "get f\r\n", "VALUE f 1 1\r\nx\r\nEND\r\n");
	EXPECT(c, "delete foo\r\n", "DELETED\r\n");
	EXPECT(c, "delete foo\r\n", "NOT_FOUND\r\n");
	EXPECT(c, "delete new 0\r\n", "DELETED\r\n");
	EXPECT(c, "delete new 1\r\n", "CLIENT_ERROR bad command line format."
	    "  Usage: delete <key> [noreply]\r\n");
	EXPECT(c, "delete a b c d\r\n", "ERROR\r\n");
	CHECK_EQ(STAT(s, curr_items), 3);
	CHECK_EQ(STAT(s, delete_hits), 2);
	CHECK_EQ(STAT(s, delete_misses), 1);
	mc_conn_free(c);
	mc_store_free(s);
}

static void
test_cas(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);

	EXPECT(c, "set a 0 0 1\r\na\r\n", "STORED\r\n");
	EXPECT(c, "set b 0 0 1\r\nb\r\n", "STORED\r\n");
	EXPECT(c, "gets a b\r\n",
	    "VALUE a 0 1 1\r\na\r\nVALUE b 0 1 2\r\nb\r\nEND\r\n");
	EXPECT(c, "cas a 0 0 1 2\r\nx\r\n", "EXISTS\r\n");
	EXPECT(c, "cas a 0 0 1 0\r\nx\r\n", "EXISTS\r\n");
	EXPECT(c, "cas a 3 0 1 1\r\nx\r\n", "STORED\r\n");
	EXPECT(c, "gets a\r\n", "VALUE a 3 1 3\r\nx\r\nEND\r\n");
	EXPECT(c, "cas a 0 0 1 1\r\ny\r\n", "EXISTS\r\n");
	EXPECT(c, "cas zz 0 0 1 1\r\ny\r\n", "NOT_FOUND\r\n");
	EXPECT(c, "cas a 0 0 1 abc\r\ny\r\n",
	    "CLIENT_ERROR bad command line format\r\nERROR\r\n");
	EXPECT(c, "cas a 0 0 1\r\ny\r\n", "ERROR\r\nERROR\r\n");
	EXPECT(c, "cas a 0 0 1 3 noreply\r\nz\r\n", "");
	EXPECT(c, "gets a\r\n", "VALUE a 0 1 4\r\nz\r\nEND\r\n");
	CHECK_EQ(STAT(s, cas_hits), 2);
	CHECK_EQ(STAT(s, cas_badval), 3);
	CHECK_EQ(STAT(s, cas_misses), 1);
	/* Failed stores use no cas value; flush_all uses one. */
	EXPECT(c, "add a 0 0 1\r\nq\r\n", "NOT_STORED\r\n");
	EXPECT(c, "flush_all\r\n", "OK\r\n");
	EXPECT(c, "set a 0 0 1\r\na\r\n", "STORED\r\n");
	EXPECT(c, "gets a\r\n", "VALUE a 0 1 6\r\na\r\nEND\r\n");
	/* incr in place and touch: a new cas, and the same. */
	EXPECT(c, "set n 0 0 2\r\n10\r\n", "STORED\r\n");
	EXPECT(c, "incr n 1\r\n", "11\r\n");
	EXPECT(c, "touch n 100\r\n", "TOUCHED\r\n");
	EXPECT(c, "gets n\r\n", "VALUE n 0 2 8\r\n11\r\nEND\r\n");
	mc_conn_free(c);
	mc_store_free(s);
}

static void
test_arith(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);

	EXPECT(c, "incr n 1\r\n", "NOT_FOUND\r\n");
	EXPECT(c, "decr n 1\r\n", "NOT_FOUND\r\n");
	EXPECT(c, "set n 3 0 3\r\n100\r\n", "STORED\r\n");
	EXPECT(c, "decr n 1\r\n", "99\r\n");
	/* Shorter results keep the length, padded with spaces. */
	EXPECT(c, "get n\r\n", "VALUE n 3 3\r\n99 \r\nEND\r\n");
	EXPECT(c, "decr n 1000\r\n", "0\r\n");
	EXPECT(c, "incr n 18446744073709551615\r\n",
	    "18446744073709551615\r\n");
	/* Longer results make a new item with the same flags. */
	EXPECT(c, "get n\r\n", "VALUE n 3 20\r\n18446744073709551615\r\nEND\r\n");
	EXPECT(c, "incr n 2\r\n", "1\r\n");	/* wraps at 2^64 */
	EXPECT(c, "get n\r\n",
	    "VALUE n 3 20\r\n1                   \r\nEND\r\n");
	EXPECT(c, "set n 0 0 5\r\n12abc\r\n", "STORED\r\n");
	EXPECT(c, "incr n 1\r\n", "CLIENT_ERROR cannot increment or "
	    "decrement non-numeric value\r\n");
	EXPECT(c, "set n 0 0 0\r\n\r\n", "STORED\r\n");
	EXPECT(c, "incr n 1\r\n", "CLIENT_ERROR cannot increment or "
	    "decrement non-numeric value\r\n");
	EXPECT(c, "set n 0 0 2\r\n-5\r\n", "STORED\r\n");
	EXPECT(c, "decr n 1\r\n", "CLIENT_ERROR cannot increment or "
	    "decrement non-numeric value\r\n");
	EXPECT(c, "set n 0 0 21\r\n123456789012345678901\r\n", "STORED\r\n");
	EXPECT(c, "incr n 1\r\n", "CLIENT_ERROR cannot increment or "
	    "decrement non-numeric value\r\n");
	EXPECT(c, "set n 0 0 5\r\n 7 xy\r\n", "STORED\r\n");
	EXPECT(c, "incr n 1\r\n", "8\r\n");
	EXPECT(c, "set n 0 0 1\r\n9\r\n", "STORED\r\n");
	EXPECT(c, "incr n 1\r\n", "10\r\n");
	EXPECT(c, "incr n x\r\n",
	    "CLIENT_ERROR invalid numeric delta argument\r\n");
	EXPECT(c, "incr n -1\r\n",
	    "CLIENT_ERROR invalid numeric delta argument\r\n");
	EXPECT(c, "incr n 18446744073709551616\r\n",
	    "CLIENT_ERROR invalid numeric delta argument\r\n");
	EXPECT(c, "incr n\r\n", "ERROR\r\n");
	EXPECT(c, "incr n 1 noreply\r\n", "");
	EXPECT(c, "decr n 5 noreply\r\nget n\r\n",
	    "VALUE n 0 2\r\n6 \r\nEND\r\n");
	CHECK_EQ(STAT(s, incr_hits), 5);
	CHECK_EQ(STAT(s, decr_hits), 3);
	CHECK_EQ(STAT(s, incr_misses), 1);
	CHECK_EQ(STAT(s, decr_misses), 1);
	mc_conn_free(c);
	mc_store_free(s);
}

static void
test_exptime(void)
{
	struct mc_store *s;
	struct mc_conn *c;
	char req[128];

	fake_now = 1000000000;
	s = new_store(0);
	c = mc_conn_new(s);
	EXPECT(c, "set r 0 10 1\r\nr\r\n", "STORED\r\n");
	EXPECT(c, "set never 0 0 1\r\nn\r\n", "STORED\r\n");
	EXPECT(c, "set neg 0 -1 1\r\nx\r\n", "STORED\r\n");
	EXPECT(c, "get neg\r\n", "END\r\n");
	snprintf(req, sizeof req, "set abs 0 %lld 1\r\na\r\n",
	    (long long)fake_now + 20);
	EXPECT(c, req, "STORED\r\n");
	snprintf(req, sizeof req, "set past 0 %lld 1\r\na\r\n",
	    (long long)fake_now - 1);
	EXPECT(c, req, "STORED\r\n");
	EXPECT(c, "get past\r\n", "END\r\n");
	/* 30 days is still relative; a second more is a unix time. */
	EXPECT(c, "set month 0 2592000 1\r\nm\r\n", "STORED\r\n");
	EXPECT(c, "set old 0 2592001 1\r\no\r\n", "STORED\r\n");
	EXPECT(c, "get month old\r\n", "VALUE month 0 1\r\nm\r\nEND\r\n");
	fake_now += 9;
	EXPECT(c, "get r\r\n", "VALUE r 0 1\r\nr\r\nEND\r\n");
	fake_now += 1;
	EXPECT(c, "get r\r\n", "END\r\n");
	CHECK_EQ(STAT(s, get_expired), 4);
	fake_now += 9;
	EXPECT(c, "get abs\r\n", "VALUE abs 0 1\r\na\r\nEND\r\n");
	EXPECT(c, "touch abs 100\r\n", "TOUCHED\r\n");
	fake_now += 99;
	EXPECT(c, "get abs\r\n", "VALUE abs 0 1\r\na\r\nEND\r\n");
	EXPECT(c, "gat 5 abs\r\n", "VALUE abs 0 1\r\na\r\nEND\r\n");
	fake_now += 5;
	EXPECT(c, "gats 0 abs never\r\n", "VALUE never 0 1 2\r\nn\r\nEND\r\n");
	EXPECT(c, "touch never -1\r\n", "TOUCHED\r\n");
	EXPECT(c, "get never\r\n", "END\r\n");
	EXPECT(c, "touch never 10\r\n", "NOT_FOUND\r\n");
	EXPECT(c, "touch x abc\r\n", "CLIENT_ERROR invalid exptime argument\r\n");
	EXPECT(c, "gat x y\r\n", "CLIENT_ERROR invalid exptime argument\r\n");
	EXPECT(c, "gat 10\r\n", "END\r\n");
	/* add over an expired item stores. */
	EXPECT(c, "set e 0 1 1\r\n1\r\n", "STORED\r\n");
	fake_now += 1;
	EXPECT(c, "add e 0 0 1\r\n2\r\n", "STORED\r\n");
	EXPECT(c, "get e\r\n", "VALUE e 0 1\r\n2\r\nEND\r\n");
	/* A clock stepping back does not bring items back. */
	EXPECT(c, "set e 0 5 1\r\n3\r\n", "STORED\r\n");
	fake_now += 5;
	EXPECT(c, "get month\r\n", "VALUE month 0 1\r\nm\r\nEND\r\n");
	fake_now -= 100;
	EXPECT(c, "get e\r\n", "END\r\n");
	fake_now += 100;
	mc_conn_free(c);
	mc_store_free(s);
}

static void
test_flush(void)
{
	struct mc_store *s;
	struct mc_conn *c;

	fake_now = 1000000000;
	s = new_store(0);
	c = mc_conn_new(s);
	EXPECT(c, "set a 0 0 1\r\na\r\nset b 0 0 1\r\nb\r\n",
	    "STORED\r\nSTORED\r\n");
	EXPECT(c, "flush_all\r\n", "OK\r\n");
	EXPECT(c, "get a b\r\n", "END\r\n");
	CHECK_EQ(STAT(s, curr_items), 0);
	CHECK_EQ(STAT(s, bytes), 0);
	/* What is stored in the same second lives. */
	EXPECT(c, "set a 0 0 1\r\na\r\n", "STORED\r\n");
	EXPECT(c, "get a\r\n", "VALUE a 0 1\r\na\r\nEND\r\n");
	/* flush_all 1 also takes what is stored during this second. */
	EXPECT(c, "flush_all 1\r\n", "OK\r\n");
	EXPECT(c, "set a 0 0 1\r\na\r\n", "STORED\r\n");
	EXPECT(c, "get a\r\n", "END\r\n");
	fake_now++;
	EXPECT(c, "set a 0 0 1\r\na\r\n", "STORED\r\n");
	EXPECT(c, "get a\r\n", "VALUE a 0 1\r\na\r\nEND\r\n");
	/* flush_all 10: what is linked up to now + 9 dies at now + 9. */
	EXPECT(c, "flush_all 10\r\n", "OK\r\n");
	fake_now += 8;
	EXPECT(c, "set b 0 0 1\r\nb\r\n", "STORED\r\n");
	EXPECT(c, "get a b\r\n",
	    "VALUE a 0 1\r\na\r\nVALUE b 0 1\r\nb\r\nEND\r\n");
	fake_now += 1;
	EXPECT(c, "get a\r\n", "END\r\n");
	CHECK_EQ(STAT(s, curr_items), 0);	/* swept */
	EXPECT(c, "set c 0 0 1\r\nc\r\n", "STORED\r\n");
	EXPECT(c, "get c\r\n", "END\r\n");
	fake_now += 1;
	EXPECT(c, "set c 0 0 1\r\nc\r\n", "STORED\r\n");
	EXPECT(c, "get c\r\n", "VALUE c 0 1\r\nc\r\nEND\r\n");
	/* A unix time before the start flushes nothing, as memcached. */
	EXPECT(c, "flush_all 100000000\r\n", "OK\r\n");
	EXPECT(c, "get c\r\n", "VALUE c 0 1\r\nc\r\nEND\r\n");
	EXPECT(c, "flush_all noreply\r\n", "");
	EXPECT(c, "get c\r\n", "END\r\n");
	EXPECT(c, "flush_all 0 noreply\r\n", "");
	EXPECT(c, "flush_all abc\r\n",
	    "CLIENT_ERROR invalid exptime argument\r\n");
	EXPECT(c, "flush_all 1 2 3\r\n", "ERROR\r\n");
	CHECK_EQ(STAT(s, cmd_flush), 7);
	mc_conn_free(c);
	mc_store_free(s);
}

static void
test_errors(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);
	char key[300], req[700];

	EXPECT(c, "\r\n", "ERROR\r\n");
	EXPECT(c, "x\r\n", "ERROR\r\n");
	EXPECT(c, "bogus\r\n", "ERROR\r\n");
	EXPECT(c, "GETS a\r\n", "ERROR\r\n");
	EXPECT(c, "get\r\n", "ERROR\r\n");
	EXPECT(c, "mx a v\r\n", "ERROR\r\n");
	EXPECT(c, "set a 0 0\r\nhello\r\n", "ERROR\r\nERROR\r\n");
	EXPECT(c, "set a 0 0 -1\r\n",
	    "CLIENT_ERROR bad command line format\r\n");
	EXPECT(c, "set a x 0 1\r\nq\r\n",
	    "CLIENT_ERROR bad command line format\r\nERROR\r\n");
	EXPECT(c, "set a -1 0 1\r\nq\r\n",
	    "CLIENT_ERROR bad command line format\r\nERROR\r\n");
	EXPECT(c, "set a 0 0 2147483646\r\n",
	    "CLIENT_ERROR bad command line format\r\n");
	/* A bad chunk: exactly len + 2 bytes are read, then lines again. */
	EXPECT(c, "set a 0 0 3\r\nabcdef\r\n",
	    "CLIENT_ERROR bad data chunk\r\nERROR\r\n");
	EXPECT(c, "set a 0 0 1\r\nxyzversion\r\n",
	    "CLIENT_ERROR bad data chunk\r\nVERSION " MC_VERSION "\r\n");
	EXPECT(c, "get a\r\n", "END\r\n");
	memset(key, 'k', 251);
	key[251] = '\0';
	snprintf(req, sizeof req, "set %.250s 0 0 1\r\nx\r\n", key);
	EXPECT(c, req, "STORED\r\n");
	snprintf(req, sizeof req, "set %s 0 0 1\r\nx\r\n", key);
	EXPECT(c, req, "CLIENT_ERROR bad command line format\r\nERROR\r\n");
	/* One long key cancels the whole get, after counting the rest. */
	snprintf(req, sizeof req, "get a %.250s %s b\r\n", key, key);
	EXPECT(c, req, "CLIENT_ERROR bad command line format\r\n");
	snprintf(req, sizeof req, "delete %s\r\n", key);
	EXPECT(c, req, "CLIENT_ERROR bad command line format\r\n");
	/* Too large: the data is swallowed; a failed set drops the old. */
	EXPECT(c, "set a 0 0 1\r\na\r\n", "STORED\r\n");
	EXPECT(c, "set a 0 0 1048576\r\n",
	    "SERVER_ERROR object too large for cache\r\n");
	{
		size_t n = 1048576 + 2;
		char *blob = malloc(n + 7);

		memset(blob, 'z', n);
		memcpy(blob + n, "get a\r\n", 7);
		EXPECT(c, "", "");
		CHECK(strcmp(run_n(c, blob, n + 7), "END\r\n") == 0);
		free(blob);
	}
	EXPECT(c, "set a 0 0 1048516\r\n", "");	/* the largest for "a" */
	{
		char *blob = malloc(1048518);

		memset(blob, 'y', 1048516);
		memcpy(blob + 1048516, "\r\n", 2);
		CHECK(strcmp(run_n(c, blob, 1048518), "STORED\r\n") == 0);
		free(blob);
	}
	EXPECT(c, "append a 0 0 1\r\nq\r\n", "NOT_STORED\r\n");
	/* Flags other than 0 take 4 bytes more. */
	EXPECT(c, "set b 1 0 1048513\r\n",
	    "SERVER_ERROR object too large for cache\r\n");
	{
		char *blob = calloc(1, 1048515);

		CHECK(strcmp(run_n(c, blob, 1048515), "") == 0);
		free(blob);
	}
	CHECK_EQ(STAT(s, store_too_large), 2);
	EXPECT(c, "set n 0 0 1 noreply\r\nx\r\n", "");
	EXPECT(c, "set n 0 0 1 noreply\r\nxx\r\n", "ERROR\r\n");
	EXPECT(c, "verbosity 1\r\n", "OK\r\n");
	EXPECT(c, "verbosity\r\n", "ERROR\r\n");
	EXPECT(c, "verbosity x\r\n", "CLIENT_ERROR bad command line format\r\n");
	EXPECT(c, "verbosity 1 noreply\r\n", "");
	EXPECT(c, "shutdown\r\n", "ERROR: shutdown not enabled\r\n");
	EXPECT(c, "stats nosuch\r\n", "ERROR\r\n");
	EXPECT(c, "version\r\n", "VERSION " MC_VERSION "\r\n");
	{
		/* Clients parse N.N.N and nothing after it (npm memcached). */
		unsigned x, y, z;
		int n = -1;

		CHECK(sscanf(MC_VERSION, "%u.%u.%u%n", &x, &y, &z, &n) == 3 &&
		    n == (int)strlen(MC_VERSION));
	}
	/* A NUL ends the command, as in memcached. */
	CHECK(strcmp(run_n(c, "get n\0zzz\r\n", 11),
	    "VALUE n 0 1\r\nx\r\nEND\r\n") == 0);
	CHECK(!mc_conn_closing(c));
	mc_conn_free(c);
	mc_store_free(s);
}

static void
test_stats(void)
{
	static const char head[] = "STAT pid 4242\r\nSTAT uptime 7\r\n"
	    "STAT time 1000000007\r\nSTAT version " MC_VERSION "\r\n";
	struct mc_store *s;
	struct mc_conn *c, *c2;
	const char *out;

	fake_now = 1000000000;
	s = new_store(1 << 20);
	c = mc_conn_new(s);
	c2 = mc_conn_new(s);
	mc_store_set_pid(s, 4242);
	run(c, "set a 0 0 1\r\na\r\nget a b\r\nget a\r\ntouch a 1\r\n");
	fake_now += 7;
	out = run(c2, "stats\r\n");
	CHECK(strncmp(out, head, strlen(head)) == 0);
	CHECK(strstr(out, "\r\nSTAT curr_connections 2\r\n") != NULL);
	CHECK(strstr(out, "\r\nSTAT cmd_get 3\r\n") != NULL);
	CHECK(strstr(out, "\r\nSTAT cmd_set 1\r\n") != NULL);
	CHECK(strstr(out, "\r\nSTAT get_hits 2\r\n") != NULL);
	CHECK(strstr(out, "\r\nSTAT get_misses 1\r\n") != NULL);
	CHECK(strstr(out, "\r\nSTAT cmd_touch 1\r\n") != NULL);
	CHECK(strstr(out, "\r\nSTAT curr_items 1\r\n") != NULL);
	CHECK(strstr(out, "\r\nSTAT total_items 1\r\n") != NULL);
	CHECK(strstr(out, "\r\nSTAT bytes 61\r\n") != NULL);
	CHECK(strstr(out, "\r\nSTAT limit_maxbytes 1048576\r\n") != NULL);
	CHECK(strlen(out) > 5 && strcmp(out + strlen(out) - 5, "END\r\n") == 0);
	EXPECT(c, "stats reset\r\n", "RESET\r\n");
	CHECK_EQ(STAT(s, cmd_get), 0);
	CHECK_EQ(STAT(s, total_items), 0);
	CHECK_EQ(STAT(s, curr_items), 1);
	out = run(c, "stats settings\r\n");
	CHECK(strstr(out, "STAT maxbytes 1048576\r\n") != NULL);
	CHECK(strstr(out, "STAT item_size_max 1048576\r\n") != NULL);
	CHECK(strstr(out, "STAT verbosity 0\r\n") != NULL);
	mc_conn_free(c2);
	CHECK_EQ(STAT(s, curr_connections), 1);
	mc_conn_free(c);
	mc_store_free(s);
}

/* -I, -c and idle_timeout as settings; memcached's refusals of them. */
static void
test_settings(void)
{
	struct mc_settings set;
	struct mc_store *s;
	struct mc_conn *c;
	const char *out;
	char *blob = malloc(5002);

	mc_settings_default(&set);
	CHECK_EQ(set.memory_limit, MC_MEMORY_DEFAULT);
	CHECK_EQ(set.item_size_max, MC_ITEM_SIZE_MAX);
	CHECK_EQ(set.max_connections, MC_MAXCONNS_DEFAULT);
	CHECK_EQ(set.idle_timeout, MC_IDLE_TIMEOUT_DEFAULT);
	CHECK(mc_settings_check(&set) == NULL);
	set.item_size_max = 1023;
	CHECK(strcmp(mc_settings_check(&set),
	    "Item max size cannot be less than 1024 bytes.") == 0);
	set.item_size_max = MC_MEMORY_DEFAULT / 2 + 1;
	CHECK(strcmp(mc_settings_check(&set), "Cannot set item size limit "
	    "higher than 1/2 of memory max.") == 0);
	set.memory_limit = 4u << 30;
	set.item_size_max = (1u << 30) + 1;
	CHECK(strcmp(mc_settings_check(&set),
	    "Cannot set item size limit higher than 1 GB.") == 0);
	mc_settings_default(&set);
	set.max_connections = 0;
	CHECK(mc_settings_check(&set) != NULL);
	set.max_connections = MC_MAXCONNS_TOP + 1;
	CHECK(mc_settings_check(&set) != NULL);
	mc_settings_default(&set);
	set.idle_timeout = MC_IDLE_TIMEOUT_TOP + 1;
	CHECK(mc_settings_check(&set) != NULL);
	set.idle_timeout = 0;
	CHECK(mc_settings_check(&set) == NULL);

	/* -I 4096: the error, the block swallowed, the next command read. */
	mc_settings_default(&set);
	set.memory_limit = 64 * 1024;
	set.item_size_max = 4096;
	set.max_connections = 7;
	set.idle_timeout = 0;
	s = mc_store_open(&set, fake_clock, &fake_now);
	CHECK(s != NULL);
	c = mc_conn_new(s);
	memset(blob, 'x', 5000);
	memcpy(blob + 5000, "\r\n", 2);
	EXPECT(c, "set a 0 0 5000\r\n",
	    "SERVER_ERROR object too large for cache\r\n");
	CHECK(strcmp(run_n(c, blob, 5002), "") == 0);
	EXPECT(c, "get a\r\n", "END\r\n");
	/* 56 + 1 + 1 + 4038 bytes: just fits. */
	EXPECT(c, "set a 0 0 4036\r\n", "");
	memset(blob, 'y', 4036);
	memcpy(blob + 4036, "\r\n", 2);
	CHECK(strcmp(run_n(c, blob, 4038), "STORED\r\n") == 0);
	CHECK_EQ(STAT(s, store_too_large), 1);
	out = run(c, "stats settings\r\n");
	CHECK(strstr(out, "STAT item_size_max 4096\r\n") != NULL);
	CHECK(strstr(out, "STAT maxconns 7\r\n") != NULL);
	CHECK(strstr(out, "STAT maxconns_fast yes\r\n") != NULL);
	CHECK(strstr(out, "STAT idle_timeout 0\r\n") != NULL);
	mc_store_rejected(s);
	mc_store_rejected(s);
	out = run(c, "stats\r\n");
	CHECK(strstr(out, "STAT max_connections 7\r\nSTAT curr_connections 1"
	    "\r\nSTAT total_connections 1\r\nSTAT rejected_connections 2\r\n")
	    != NULL);
	/* memcached reports idle_kicks only with the timeout on. */
	CHECK(strstr(out, "idle_kicks") == NULL);
	mc_conn_free(c);
	mc_store_free(s);

	set.idle_timeout = 5;
	s = mc_store_open(&set, fake_clock, &fake_now);
	c = mc_conn_new(s);
	mc_store_idle_kick(s);
	CHECK(strstr(run(c, "stats\r\n"),
	    "\r\nSTAT store_no_memory 0\r\nSTAT idle_kicks 1\r\n") != NULL);
	CHECK(strstr(run(c, "stats settings\r\n"), "STAT idle_timeout 5\r\n")
	    != NULL);
	EXPECT(c, "stats reset\r\n", "RESET\r\n");
	CHECK_EQ(STAT(s, idle_kicks), 0);
	CHECK_EQ(STAT(s, curr_connections), 1);
	mc_conn_free(c);
	mc_store_free(s);
	free(blob);
}

/* "set fN 0 0 3000": 56 + 2 + 1 + 3002 = 3061 bytes reserved. */
#define FLOOD_ITEM	3061

/*
 * Sets whose data has not all come reserve their bytes: a quarter of
 * the memory at most, refused past it with out of memory, given back
 * when they end one way or another; stored items stay.
 */
static void
test_inflight(void)
{
	struct mc_settings set;
	struct mc_store *s;
	struct mc_conn *c, *f[8];
	char req[64];
	struct mc_stats st;

	mc_settings_default(&set);
	set.memory_limit = 64 * 1024;
	set.item_size_max = 4096;
	s = mc_store_open(&set, fake_clock, &fake_now);
	CHECK_EQ(mc_store_settings(s)->inflight_max, 16 * 1024);
	c = mc_conn_new(s);
	for (int i = 0; i < 10; i++) {
		snprintf(req, sizeof req, "set keep%d 0 0 1\r\n%d\r\n", i, i);
		EXPECT(c, req, "STORED\r\n");
	}
	/* Five fit in 16 KiB, the next ones do not. */
	for (int i = 0; i < 8; i++) {
		f[i] = mc_conn_new(s);
		snprintf(req, sizeof req, "set f%d 0 0 3000\r\nabc", i);
		EXPECT(f[i], req, i < 5 ? "" :
		    "SERVER_ERROR out of memory storing object\r\n");
	}
	mc_store_stats(s, &st);
	CHECK_EQ(st.inflight_bytes, 5 * FLOOD_ITEM);
	CHECK_EQ(st.store_no_memory, 3);
	CHECK_EQ(st.curr_items, 10);
	CHECK_EQ(st.evictions, 0);
	CHECK(st.bytes + st.inflight_bytes <= set.memory_limit);
	/* Others are still served, small sets included. */
	EXPECT(c, "set small 0 0 1\r\ns\r\nget keep3\r\n",
	    "STORED\r\nVALUE keep3 0 1\r\n3\r\nEND\r\n");
	/* A refused one swallows its data; the connection goes on. */
	{
		char *rest = malloc(3002);

		memset(rest, 'z', 3000);
		memcpy(rest + 2997, "\r\n", 2);
		CHECK(strcmp(run_n(f[5], rest, 2999), "") == 0);
		EXPECT(f[5], "version\r\n", "VERSION " MC_VERSION "\r\n");
		/* A reserved one that finishes is stored... */
		CHECK(strcmp(run_n(f[0], rest, 2999), "STORED\r\n") == 0);
		CHECK_EQ(STAT(s, inflight_bytes), 4 * FLOOD_ITEM);
		/* ... a bad chunk, a quit or a close gives it back. */
		memcpy(rest + 2997, "XX", 2);
		CHECK(strcmp(run_n(f[1], rest, 2999),
		    "CLIENT_ERROR bad data chunk\r\n") == 0);
		CHECK_EQ(STAT(s, inflight_bytes), 3 * FLOOD_ITEM);
		free(rest);
	}
	mc_conn_free(f[2]);
	CHECK_EQ(STAT(s, inflight_bytes), 2 * FLOOD_ITEM);
	for (int i = 3; i < 8; i++)
		mc_conn_free(f[i]);
	CHECK_EQ(STAT(s, inflight_bytes), 0);
	CHECK(strncmp(run(c, "get f0\r\n"), "VALUE f0 0 3000\r\nabczz", 22) ==
	    0);
	mc_conn_free(f[0]);
	mc_conn_free(f[1]);
	CHECK_EQ(STAT(s, evictions), 0);

	/*
	 * A full store: a flood takes room from the coldest items, but no
	 * more than its share; the rest of what is stored stays.
	 */
	for (int i = 0; STAT(s, evictions) == 0; i++) {
		char *blob = malloc(4100);
		int n = snprintf(blob, 4100, "set full%d 0 0 3000\r\n", i);

		memset(blob + n, 'q', 3000);
		memcpy(blob + n + 3000, "\r\n", 2);
		CHECK(strcmp(run_n(c, blob, (size_t)n + 3002), "STORED\r\n") ==
		    0);
		free(blob);
	}
	mc_store_stats(s, &st);
	{
		uint64_t before = st.bytes, ev0 = st.evictions;

		for (int i = 0; i < 8; i++) {
			f[i] = mc_conn_new(s);
			snprintf(req, sizeof req, "set f%d 0 0 3000\r\nabc", i);
			run(f[i], req);
		}
		mc_store_stats(s, &st);
		CHECK_EQ(st.inflight_bytes, 5 * FLOOD_ITEM);
		CHECK(st.bytes + st.inflight_bytes <= set.memory_limit);
		CHECK(before - st.bytes <= 16 * 1024 + 3061);
		CHECK(st.evictions - ev0 <= 6);
		for (int i = 0; i < 8; i++)
			mc_conn_free(f[i]);
	}
	CHECK_EQ(STAT(s, inflight_bytes), 0);
	/* An incr that grows and an append still fit beside nothing. */
	EXPECT(c, "set n 0 0 1\r\n9\r\nincr n 1\r\nappend n 0 0 1\r\n!\r\n"
	    "get n\r\n", "STORED\r\n10\r\nSTORED\r\nVALUE n 0 3\r\n10!\r\n"
	    "END\r\n");
	mc_conn_free(c);
	mc_store_free(s);
}

/* Buffers stay within mc_conn_memory_bound() and go when trimmed. */
static void
test_conn_memory(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);
	size_t vlen = MC_ITEM_SIZE_MAX - 56 - 1 - 1 - 2, n, peak = 0;
	char *blob = malloc(MC_GET_LINE_MAX + 64);
	char *val = malloc(vlen + 2);
	const void *o;

	memset(val, 'v', vlen);
	memcpy(val + vlen, "\r\n", 2);
	snprintf(blob, 64, "set v 0 0 %zu\r\n", vlen);
	EXPECT(c, blob, "");
	CHECK(strcmp(run_n(c, val, vlen + 2), "STORED\r\n") == 0);
	/* Output near MC_OUT_HIGH, then the largest item behind it. */
	n = (size_t)snprintf(blob, MC_GET_LINE_MAX, "get");
	while (n < 6000)
		n += (size_t)snprintf(blob + n, MC_GET_LINE_MAX - n, " v");
	blob[n++] = '\r';
	blob[n++] = '\n';
	mc_conn_feed(c, blob, n);
	while ((o = mc_conn_output(c, &n)) != NULL) {
		if (mc_conn_memory(c) > peak)
			peak = mc_conn_memory(c);
		mc_conn_consume_output(c, n > 5000 ? 5000 : n);
	}
	CHECK(peak > MC_ITEM_SIZE_MAX);
	CHECK(peak <= mc_conn_memory_bound(MC_ITEM_SIZE_MAX));
	/* A get line of MC_GET_LINE_MAX bytes, no 128 KiB for it. */
	memcpy(blob, "get ", 4);
	memset(blob + 4, 'k', MC_GET_LINE_MAX - 6);
	for (size_t i = 200; i < MC_GET_LINE_MAX - 2; i += 200)
		blob[i] = ' ';
	CHECK_EQ(mc_conn_feed(c, blob, MC_GET_LINE_MAX - 2),
	    MC_GET_LINE_MAX - 2);
	CHECK(mc_conn_memory(c) <= mc_conn_memory_bound(MC_ITEM_SIZE_MAX));
	CHECK(mc_conn_memory(c) < MC_GET_LINE_MAX + 4096);
	EXPECT(c, "\r\n", "END\r\n");
	CHECK(!mc_conn_closing(c));
	mc_conn_trim(c);
	CHECK(mc_conn_memory(c) < 512);
	CHECK(strncmp(run(c, "get v\r\n"), "VALUE v 0 1048516\r\nvv", 21) ==
	    0);
	free(blob);
	free(val);
	mc_conn_free(c);
	mc_store_free(s);
}

/* Items of 100 value bytes, key "kNNN": 56 + 4 + 1 + 102 = 163 bytes. */
static void
test_lru(void)
{
	struct mc_store *s = new_store(163 * 10);
	struct mc_conn *c = mc_conn_new(s);
	char req[256], val[101];

	memset(val, 'v', 100);
	val[100] = '\0';
	for (int i = 0; i < 10; i++) {
		snprintf(req, sizeof req, "set k%03d 0 0 100\r\n%s\r\n", i, val);
		EXPECT(c, req, "STORED\r\n");
	}
	CHECK_EQ(STAT(s, bytes), 1630);
	CHECK_EQ(STAT(s, evictions), 0);
	/* Use k000 and k001: k002 becomes the least recently used. */
	run(c, "get k000\r\ntouch k001 0\r\n");
	snprintf(req, sizeof req, "set k010 0 0 100\r\n%s\r\n", val);
	EXPECT(c, req, "STORED\r\n");
	CHECK_EQ(STAT(s, evictions), 1);
	EXPECT(c, "get k002\r\n", "END\r\n");
	CHECK(strncmp(run(c, "get k000 k001 k003\r\n"), "VALUE k000", 10) == 0);
	CHECK_EQ(STAT(s, curr_items), 10);
	/*
	 * As in memcached, a set takes its item's memory when its line
	 * arrives, before the old value goes: replacing k004 in a full store
	 * pushes out the coldest item, here k004's old value itself.
	 */
	snprintf(req, sizeof req, "set k004 0 1 100\r\n%s\r\n", val);
	EXPECT(c, req, "STORED\r\n");
	CHECK_EQ(STAT(s, evictions), 2);
	CHECK_EQ(STAT(s, curr_items), 10);
	/* An expired item at the tail is reclaimed, not evicted. */
	run(c, "get k005 k006 k007 k008 k009 k010 k000 k001 k003\r\n");
	fake_now += 2;
	snprintf(req, sizeof req, "set k011 0 0 100\r\n%s\r\n", val);
	EXPECT(c, req, "STORED\r\n");
	CHECK_EQ(STAT(s, reclaimed), 1);
	CHECK_EQ(STAT(s, evictions), 2);
	/* A bigger item pushes out as many as it needs. */
	EXPECT(c, "set big 0 0 700\r\n", "");
	{
		char blob[702];

		memset(blob, 'b', 700);
		memcpy(blob + 700, "\r\n", 2);
		CHECK(strcmp(run_n(c, blob, 702), "STORED\r\n") == 0);
	}
	CHECK(STAT(s, bytes) <= 1630);
	CHECK_EQ(STAT(s, evictions), 7);
	/* More than the whole memory: out of memory, old value dropped. */
	EXPECT(c, "set big 0 0 2000\r\n",
	    "SERVER_ERROR out of memory storing object\r\n");
	EXPECT(c, "", "");
	{
		char blob[2002];

		memset(blob, 'b', 2000);
		memcpy(blob + 2000, "\r\n", 2);
		CHECK(strcmp(run_n(c, blob, 2002), "") == 0);
	}
	EXPECT(c, "get big\r\n", "END\r\n");
	CHECK_EQ(STAT(s, store_no_memory), 1);
	mc_conn_free(c);
	mc_store_free(s);
}

/* Many keys: the table grows, and each key is found again. */
static void
test_many_keys(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);
	char req[128], want[128];
	int bad = 0;

	for (int i = 0; i < 5000; i++) {
		snprintf(req, sizeof req, "set key:%d %d 0 1 noreply\r\nx\r\n",
		    i, i);
		run(c, req);
	}
	CHECK_EQ(STAT(s, curr_items), 5000);
	for (int i = 0; i < 5000; i += 7) {
		snprintf(req, sizeof req, "get key:%d\r\n", i);
		snprintf(want, sizeof want, "VALUE key:%d %d 1\r\nx\r\nEND\r\n",
		    i, i);
		bad += strcmp(run(c, req), want) != 0;
	}
	CHECK_EQ(bad, 0);
	for (int i = 0; i < 5000; i++) {
		snprintf(req, sizeof req, "delete key:%d noreply\r\n", i);
		run(c, req);
	}
	CHECK_EQ(STAT(s, curr_items), 0);
	CHECK_EQ(STAT(s, bytes), 0);
	mc_conn_free(c);
	mc_store_free(s);
}

static void
test_closing(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);
	char *line = malloc(MC_GET_LINE_MAX + 16);
	size_t n;

	/* quit: earlier answers stay to be sent, later input is ignored. */
	EXPECT(c, "set q 0 0 1\r\nq\r\nquit\r\nget q\r\n", "STORED\r\n");
	CHECK(mc_conn_closing(c));
	CHECK_EQ(mc_conn_feed(c, "get q\r\n", 7), 7);
	EXPECT(c, "get q\r\n", "");
	mc_conn_free(c);

	/* A line over 2048 bytes closes, unless it is a get. */
	c = mc_conn_new(s);
	memset(line, 'x', MC_LINE_MAX);
	CHECK_EQ(mc_conn_feed(c, line, MC_LINE_MAX), MC_LINE_MAX);
	CHECK(!mc_conn_closing(c));
	CHECK_EQ(mc_conn_feed(c, "x", 1), 1);
	CHECK(mc_conn_closing(c));
	mc_conn_free(c);
	c = mc_conn_new(s);
	memset(line, ' ', MC_GET_LINE_MAX);
	memcpy(line + 100, "get ", 4);
	memcpy(line + MC_GET_LINE_MAX - 4, "q\r\n", 3);
	EXPECT(c, "set q 0 0 1\r\nq\r\n", "STORED\r\n");
	CHECK(strcmp(run_n(c, line, MC_GET_LINE_MAX - 1),
	    "VALUE q 0 1\r\nq\r\nEND\r\n") == 0);
	CHECK(!mc_conn_closing(c));
	/* ... but not past 100 spaces, nor past MC_GET_LINE_MAX. */
	memcpy(line + 100, " get ", 5);
	run_n(c, line, MC_GET_LINE_MAX - 1);
	CHECK(mc_conn_closing(c));
	mc_conn_free(c);
	c = mc_conn_new(s);
	/* A get line past MC_GET_LINE_MAX is read on, key by key. */
	memcpy(line, "get ", 4);
	memset(line + 4, 'a', MC_GET_LINE_MAX);
	n = mc_conn_feed(c, line, MC_GET_LINE_MAX + 4);
	CHECK_EQ(n, MC_GET_LINE_MAX + 4);
	CHECK(!mc_conn_closing(c));
	EXPECT(c, " q\r\nget q\r\n", "CLIENT_ERROR bad command line "
	    "format\r\nVALUE q 0 1\r\nq\r\nEND\r\n");
	mc_conn_free(c);

	/* A browser: hang up. */
	c = mc_conn_new(s);
	EXPECT(c, "GET / HTTP/1.1\r\nversion\r\n", "");
	CHECK(mc_conn_closing(c));
	mc_conn_free(c);
	/* The binary magic first: binary for good, a text line hangs up. */
	c = mc_conn_new(s);
	memset(line, 0, 24);
	line[0] = (char)0x80;
	line[1] = 0x0a;		/* noop */
	run_n(c, line, 24);
	CHECK_EQ(last.len, 24);
	CHECK_EQ((uint8_t)last.p[0], 0x81);
	run_n(c, "version\r\nversion\r\nversion\r\n", 27);
	CHECK_EQ(last.len, 0);
	CHECK(mc_conn_closing(c));
	mc_conn_free(c);
	free(line);
	mc_store_free(s);
}

/* Output past MC_OUT_HIGH holds input back; a long get pauses. */
static void
test_backpressure(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);
	char *val = malloc(100002), *req = malloc(4096);
	struct buf out = { 0 };
	const void *o;
	size_t n, took, len = 0, expect;

	memset(val, 'v', 100000);
	memcpy(val + 100000, "\r\n", 2);
	EXPECT(c, "set v 0 0 100000\r\n", "");
	CHECK(strcmp(run_n(c, val, 100002), "STORED\r\n") == 0);
	EXPECT(c, "set s 0 0 1\r\ns\r\n", "STORED\r\n");
	len += (size_t)snprintf(req, 4096, "get");
	for (int i = 0; i < 300; i++)
		len += (size_t)snprintf(req + len, 4096 - len, " s");
	len += (size_t)snprintf(req + len, 4096 - len, " v v\r\nget v\r\n");
	took = mc_conn_feed(c, req, len);
	/* The first get is paused; its line is taken, the next is not. */
	o = mc_conn_output(c, &n);
	CHECK(o != NULL && n >= MC_OUT_HIGH && n < MC_OUT_HIGH + 100100);
	CHECK(took < len);
	CHECK_EQ(mc_conn_feed(c, req + took, len - took), 0);
	feed_cut(c, req + took, len - took, 0, &out);
	expect = 300 * 16 + 3 * (18 + 100002) + 2 * 5;
	CHECK_EQ(out.len, expect);
	free(out.p);
	free(val);
	free(req);
	mc_conn_free(c);
	mc_store_free(s);
}

static const char script[] =
	"set a 0 0 5\r\nhello\r\nget a\r\ngets a b\r\n"
	"append a 0 0 3\r\n!!!\r\nprepend a 0 0 1\r\n>\r\n"
	"incr n 1\r\nset n 2 0 2\r\n99\r\nincr n 1\r\ndecr n 50\r\n"
	"set x 0 0 3 noreply\r\nxyz\r\nget x\r\ncas x 0 0 1 4\r\n1\r\n"
	"gets x\r\ncas x 0 0 1 7\r\n2\r\ntouch x 100\r\ngat 0 x\r\n"
	"delete a\r\ndelete a\r\n\r\nbogus\r\nset y 0 0 2\r\nabcd\r\n"
	"set z 0 0 -1\r\n"
	"get a b c d e f g h i j k l m n o p q r s t u v w x y z\r\n"
	"flush_all 0\r\nget x\r\nverbosity 1\r\nversion\r\n"
	"set t 0 0 1\nt\r\nget t\n";

/* The same answers whatever the cut, with the data block swallowed. */
static void
test_cuts(void)
{
	static const char too_large[] = "set w 0 0 1048577\r\n";
	struct buf whole = { 0 };
	size_t len = sizeof script - 1, tl = sizeof too_large - 1;
	size_t all = len + tl + 1048579;
	char *with_blob = malloc(all);

	/* The script, then a value too large whose data is swallowed. */
	memcpy(with_blob, script, len);
	memcpy(with_blob + len, too_large, tl);
	memset(with_blob + len + tl, 'w', 1048579);
	memcpy(with_blob + all - 2, "\r\n", 2);
	fake_now = 1000000000;
	for (int mode = 0; mode < 4; mode++) {
		struct mc_store *s = new_store(0);
		struct mc_conn *c = mc_conn_new(s);
		struct buf out = { 0 };
		size_t step = mode == 0 ? all : mode == 1 ? 1 : mode == 2 ? 7 : 0;

		feed_cut(c, with_blob, all, step, &out);
		feed_cut(c, "get t\r\n", 7, step, &out);
		if (mode == 0) {
			whole = out;
			CHECK(strstr(whole.p, "VALUE t 0 1\r\nt\r\nEND\r\n"
			    "SERVER_ERROR object too large for cache\r\n"
			    "VALUE t 0 1\r\nt\r\nEND\r\n") != NULL);
			CHECK(strstr(whole.p, "CLIENT_ERROR bad data chunk\r\n"
			    "ERROR\r\n") != NULL);
			CHECK(strstr(whole.p, "SERVER_ERROR object too large "
			    "for cache\r\n") != NULL);
		} else {
			CHECK_EQ(out.len, whole.len);
			CHECK(out.len == whole.len &&
			    memcmp(out.p, whole.p, out.len) == 0);
			free(out.p);
		}
		mc_conn_free(c);
		mc_store_free(s);
	}
	/* Every cut in two places, for the script alone. */
	for (size_t cut = 1; cut < len; cut++) {
		struct mc_store *s = new_store(0);
		struct mc_conn *c = mc_conn_new(s);
		struct buf out = { 0 }, ref = { 0 };

		feed_cut(c, script, cut, cut, &out);
		feed_cut(c, script + cut, len - cut, len, &out);
		mc_conn_free(c);
		mc_store_free(s);
		s = new_store(0);
		c = mc_conn_new(s);
		feed_cut(c, script, len, len, &ref);
		CHECK(out.len == ref.len && memcmp(out.p, ref.p, out.len) == 0);
		free(out.p);
		free(ref.p);
		mc_conn_free(c);
		mc_store_free(s);
	}
	free(whole.p);
	free(with_blob);
}

/* Random bytes and random commands: no crash, bounded output. */
static void
test_noise(void)
{
	static const char *const words[] = {
		"get", "gets", "set", "add", "cas", "incr", "decr", "delete",
		"touch", "gat", "append", "prepend", "flush_all", "stats",
		"noreply", "0", "1", "-1", "k", "kk", "\r\n", "\n", " ", "99",
		"4294967296", "verbosity", "version", "replace", "\x01",
	};
	struct mc_store *s = new_store(4096);
	struct mc_conn *c = mc_conn_new(s);
	struct buf out = { 0 };
	char buf[512];

	check_seed(7);
	for (int round = 0; round < 3000; round++) {
		size_t n = 0;

		while (n < 200) {
			const char *w = words[check_rand() %
			    (sizeof words / sizeof words[0])];

			if (check_rand() % 8 == 0)
				buf[n++] = (char)check_rand();
			else {
				memcpy(buf + n, w, strlen(w));
				n += strlen(w);
				buf[n++] = ' ';
			}
		}
		feed_cut(c, buf, n, 0, &out);
		out.len = 0;
		if (mc_conn_closing(c)) {
			mc_conn_free(c);
			c = mc_conn_new(s);
		}
		CHECK(STAT(s, bytes) <= 4096);
	}
	free(out.p);
	mc_conn_free(c);
	mc_store_free(s);
}

/*
 * A get line of 1 MiB (memcached's suite sends 187 KB), fed in pieces
 * while the output is drained slowly: every key answered, memory within
 * the bound all along, the line never held whole.
 */
static void
test_huge_get(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);
	size_t n = 0, fed = 0, peak = 0, keys = 0, hits = 0, olen;
	size_t size = 1024 * 1024;
	char *line = malloc(size + 64);
	struct buf out = { 0 };
	const void *o;

	EXPECT(c, "set k7 0 0 2\r\nhi\r\n", "STORED\r\n");
	n = (size_t)snprintf(line, 16, "get");
	while (n < size) {
		n += (size_t)snprintf(line + n, 16, " k%zu", keys % 1000);
		keys++;
	}
	memcpy(line + n, "\r\nget k7\r\n", 10);
	n += 10;
	while (fed < n || mc_conn_output(c, &olen) != NULL) {
		size_t piece = n - fed < 3000 ? n - fed : 3000;

		fed += mc_conn_feed(c, line + fed, piece);
		if (mc_conn_memory(c) > peak)
			peak = mc_conn_memory(c);
		if ((o = mc_conn_output(c, &olen)) != NULL) {
			olen = olen > 7000 ? 7000 : olen;
			buf_add(&out, o, olen);
			mc_conn_consume_output(c, olen);
		}
	}
	CHECK(!mc_conn_closing(c));
	CHECK(peak <= mc_conn_memory_bound(MC_ITEM_SIZE_MAX));
	CHECK(peak < MC_GET_LINE_MAX + 16384);
	for (const char *p = out.p; p != NULL &&
	    (p = memmem(p, out.len - (size_t)(p - out.p), "VALUE k7 ",
	    9)) != NULL; p++)
		hits++;
	/* k7 every 1000 keys, and once more for the get after. */
	CHECK_EQ(hits, (keys + 992) / 1000 + 1);
	CHECK(out.len > 10 && memcmp(out.p + out.len - 10, "END\r\nEND\r\n",
	    10) != 0);
	CHECK(memcmp(out.p + out.len - 5, "END\r\n", 5) == 0);
	CHECK_EQ(STAT(s, cmd_get), keys + 1);
	/* A key past 250 bytes later in a long line ends it with an error. */
	memset(line, ' ', size);
	memcpy(line, "get k7", 6);
	memset(line + 100000, 'x', 300);
	memcpy(line + size - 2, "\r\n", 2);
	free(out.p);
	out = (struct buf){ 0 };
	for (fed = 0; fed < size; )
		fed += mc_conn_feed(c, line + fed, size - fed);
	while ((o = mc_conn_output(c, &olen)) != NULL) {
		buf_add(&out, o, olen);
		mc_conn_consume_output(c, olen);
	}
	buf_add(&out, "", 1);
	CHECK(strcmp(out.p, "VALUE k7 0 2\r\nhi\r\n"
	    "CLIENT_ERROR bad command line format\r\n") == 0);
	EXPECT(c, "get k7\r\n", "VALUE k7 0 2\r\nhi\r\nEND\r\n");
	free(out.p);
	free(line);
	mc_conn_free(c);
	mc_store_free(s);
}

/*
 * lru_crawler metadump and stats cachedump of 20,000 items, drained
 * slowly: the output stays within MC_OUT_HIGH and a line, input waits,
 * items deleted under the dump are skipped, and every line is whole.
 */
static void
test_dump(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s), *d = mc_conn_new(s);
	struct buf out = { 0 };
	size_t olen, lines = 0, maxout = 0;
	const void *o;
	char req[64];

	for (int i = 0; i < 20000; i++) {
		snprintf(req, sizeof req, "set key%d 0 0 1 noreply\r\nv\r\n", i);
		EXPECT(c, req, "");
	}
	const char *dump = "lru_crawler metadump all\r\nmn\r\n";
	size_t dlen = strlen(dump), fed = mc_conn_feed(c, dump, dlen);

	/* The mn waits behind the dump. */
	CHECK(fed < dlen);
	for (int round = 0; (o = mc_conn_output(c, &olen)) != NULL ||
	    fed < dlen; round++) {
		if (o == NULL) {
			fed += mc_conn_feed(c, dump + fed, dlen - fed);
			continue;
		}
		if (fed < dlen)
			fed += mc_conn_feed(c, dump + fed, dlen - fed);
		if (olen > maxout)
			maxout = olen;
		buf_add(&out, o, olen > 4000 ? 4000 : olen);
		mc_conn_consume_output(c, olen > 4000 ? 4000 : olen);
		/* Items leave under the dump: never visited after. */
		if (round == 3)
			EXPECT(d, "flush_all\r\n", "OK\r\n");
	}
	CHECK(maxout <= MC_OUT_HIGH + 512);
	CHECK(out.len > MC_OUT_HIGH);
	for (size_t i = 0; i < out.len; i++)
		lines += out.p[i] == '\n';
	CHECK(memcmp(out.p + out.len - 9, "END\r\nMN\r\n", 9) == 0);
	CHECK(lines < 20000);
	CHECK(strncmp(out.p, "key=key0 exp=-1 la=", 19) == 0);
	free(out.p);
	/* cachedump: its limit, most recent first. */
	EXPECT(c, "set a 0 0 1\r\na\r\nset b 0 100 2\r\nbb\r\n",
	    "STORED\r\nSTORED\r\n");
	snprintf(req, sizeof req, "ITEM b [2 b; %lld s]\r\nITEM a [1 b; 0 s]"
	    "\r\nEND\r\n", (long long)fake_now + 100);
	EXPECT(c, "stats cachedump 1 0\r\n", req);
	strcpy(strstr(req, "ITEM a"), "END\r\n");
	EXPECT(c, "stats cachedump 1 1\r\n", req);
	EXPECT(c, "stats cachedump 2 0\r\n", "END\r\n");
	mc_conn_free(d);
	/* A connection that goes mid-dump takes its cursor along. */
	mc_conn_feed(c, "lru_crawler metadump all\r\n", 26);
	CHECK(mc_conn_output(c, &olen) != NULL);
	mc_conn_free(c);
	mc_store_free(s);
}

/* mg's h and l, and me, on the fake clock. */
static void
test_meta_clock(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);
	char want[128];

	EXPECT(c, "ms a 1 T100\r\nx\r\n", "HD\r\n");
	fake_now += 5;
	EXPECT(c, "mg a h l t\r\n", "HD h0 l5 t95\r\n");
	EXPECT(c, "mg a h l\r\n", "HD h1 l5\r\n");
	fake_now += 3;
	/* The second fetch dated it; this one says so. */
	EXPECT(c, "mg a h l u\r\n", "HD h1 l3\r\n");
	snprintf(want, sizeof want, "ME a exp=92 la=3 cas=1 fetch=yes cls=1 "
	    "size=61\r\n");
	EXPECT(c, "me a\r\n", want);
	mc_conn_free(c);
	mc_store_free(s);
}

int
main(void)
{
	test_storage();
	test_cas();
	test_arith();
	test_exptime();
	test_flush();
	test_errors();
	test_stats();
	test_settings();
	test_inflight();
	test_conn_memory();
	test_lru();
	test_many_keys();
	test_closing();
	test_backpressure();
	test_huge_get();
	test_dump();
	test_meta_clock();
	test_cuts();
	test_noise();
	free(last.p);
	return check_done("test_memcached");
}
