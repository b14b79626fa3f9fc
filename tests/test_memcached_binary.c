/*
 * test_memcached_binary.c — the engine's binary protocol through
 * mc_conn_feed with a fake clock: each opcode and its quiet form, status
 * codes, malformed headers (an answer and a hang-up, or a hang-up),
 * bodies counted off rather than kept, the store shared with the text
 * protocol, output backpressure, and the same answers however the input
 * is cut.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "growbuf.h"
#include "mcbin_req.h"
#include "user/memcached.h"

static int64_t fake_now = 1000000000;

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

/* Feed in pieces of step bytes (0: random), draining as it goes. */
static void
feed_cut(struct mc_conn *c, const struct buf *in, size_t step,
    struct buf *out)
{
	const char *p = in->p;
	size_t n = in->len;

	while (n > 0) {
		size_t k = step != 0 ? step : 1 + check_rand() % 64, took;

		if (k > n)
			k = n;
		took = mc_conn_feed(c, p, k);
		CHECK(took <= k);
		drain(c, out);
		p += took;
		n -= took;
	}
	drain(c, out);
}

/* One parsed response. */
struct res {
	uint8_t op, extlen;
	uint16_t status, keylen;
	uint32_t bodylen, opaque;
	uint64_t cas;
	const char *ext, *key, *val;
	size_t nval;
};

static uint64_t
get_be(const char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v = v << 8 | (uint8_t)p[i];
	return v;
}

/* The responses in out: how many fit in r[max]; -1 if malformed. */
static int
parse(const struct buf *out, struct res *r, int max)
{
	size_t i = 0;
	int n = 0;

	while (i < out->len) {
		const char *h = out->p + i;

		if (out->len - i < 24 || (uint8_t)h[0] != 0x81 || n == max)
			return -1;
		r[n].op = (uint8_t)h[1];
		r[n].keylen = (uint16_t)get_be(h + 2, 2);
		r[n].extlen = (uint8_t)h[4];
		r[n].status = (uint16_t)get_be(h + 6, 2);
		r[n].bodylen = (uint32_t)get_be(h + 8, 4);
		r[n].opaque = (uint32_t)get_be(h + 12, 4);
		r[n].cas = get_be(h + 16, 8);
		if (out->len - i - 24 < r[n].bodylen)
			return -1;
		r[n].ext = h + 24;
		r[n].key = r[n].ext + r[n].extlen;
		r[n].val = r[n].key + r[n].keylen;
		r[n].nval = r[n].bodylen - r[n].extlen - r[n].keylen;
		i += 24 + r[n].bodylen;
		n++;
	}
	return n;
}

#define MAXRES	128
static struct res res[MAXRES];
static struct buf out;

/* Run in on c whole; the count of responses parsed into res. */
static int
run(struct mc_conn *c, struct buf *in)
{
	int n;

	free(out.p);
	memset(&out, 0, sizeof out);
	buf_add(&out, "", 0);
	feed_cut(c, in, in->len > 0 ? in->len : 1, &out);
	in->len = 0;
	n = parse(&out, res, MAXRES);
	CHECK(n >= 0);
	return n;
}

static bool
val_is(const struct res *r, const char *v)
{
	return r->nval == strlen(v) && memcmp(r->val, v, r->nval) == 0;
}

static struct mc_store *
new_store(size_t limit)
{
	struct mc_store *s = mc_store_new(limit, fake_clock, &fake_now);

	CHECK(s != NULL);
	return s;
}

static void
test_basic(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);
	struct buf in = { 0 };
	uint64_t cas;

	/* version, noop: the opaque comes back as it went. */
	req(&in, 0x0b, NULL, NULL, 0, NULL, 0, 0);
	req(&in, 0x0a, NULL, NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 2);
	CHECK(res[0].op == 0x0b && res[0].status == 0 &&
	    val_is(&res[0], MC_VERSION));
	CHECK_EQ(res[0].opaque, 0xa0b0c0d0u);
	CHECK(res[1].op == 0x0a && res[1].bodylen == 0);

	/* set, get, getk. */
	store(&in, 0x01, "k", 0x01020304, 0, "hello", 0);
	req(&in, 0x00, "k", NULL, 0, NULL, 0, 0);
	req(&in, 0x0c, "k", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 3);
	CHECK(res[0].status == 0 && res[0].cas != 0 && res[0].bodylen == 0);
	cas = res[0].cas;
	CHECK(res[1].status == 0 && res[1].extlen == 4 &&
	    get_be(res[1].ext, 4) == 0x01020304 && res[1].keylen == 0 &&
	    val_is(&res[1], "hello") && res[1].cas == cas);
	CHECK(res[2].keylen == 1 && res[2].key[0] == 'k' &&
	    val_is(&res[2], "hello"));

	/* Misses: get says "Not found", getk gives the key back. */
	req(&in, 0x00, "no", NULL, 0, NULL, 0, 0);
	req(&in, 0x0c, "no", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 2);
	CHECK(res[0].status == 1 && val_is(&res[0], "Not found"));
	CHECK(res[1].status == 1 && res[1].keylen == 2 && res[1].nval == 0);

	/* cas: right, wrong, missing. */
	store(&in, 0x01, "k", 0, 0, "v2", cas);
	store(&in, 0x01, "k", 0, 0, "v3", cas);
	store(&in, 0x01, "nokey", 0, 0, "v3", cas);
	CHECK_EQ(run(c, &in), 3);
	CHECK(res[0].status == 0 && res[0].cas > cas);
	CHECK(res[1].status == 2 &&
	    val_is(&res[1], "Data exists for key."));
	CHECK(res[2].status == 1);

	/* add, replace. */
	store(&in, 0x02, "k", 0, 0, "x", 0);
	store(&in, 0x02, "a", 0, 0, "x", 0);
	store(&in, 0x03, "r", 0, 0, "x", 0);
	store(&in, 0x03, "a", 0, 0, "y", 0);
	CHECK_EQ(run(c, &in), 4);
	CHECK(res[0].status == 2 && res[1].status == 0 &&
	    res[2].status == 1 && res[3].status == 0);

	/* append, prepend; not stored on a missing key; wrong cas. */
	req(&in, 0x0e, "a", NULL, 0, ">", 1, 0);
	req(&in, 0x0f, "a", NULL, 0, "<", 1, 0);
	req(&in, 0x0e, "none", NULL, 0, "x", 1, 0);
	req(&in, 0x0e, "a", NULL, 0, "x", 1, 1);
	req(&in, 0x00, "a", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 5);
	CHECK(res[0].status == 0 && res[1].status == 0);
	CHECK(res[2].status == 5 && val_is(&res[2], "Not stored."));
	CHECK(res[3].status == 2);
	CHECK(val_is(&res[4], "<y>"));

	/* delete: wrong cas, hit, miss. */
	req(&in, 0x04, "a", NULL, 0, NULL, 0, 1);
	req(&in, 0x04, "a", NULL, 0, NULL, 0, 0);
	req(&in, 0x04, "a", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 3);
	CHECK(res[0].status == 2 && res[1].status == 0 && res[2].status == 1);

	/* incr/decr: created, added to, floored, not created, non-numeric. */
	delta(&in, 0x05, "n", 1, 10, 0, 0);
	delta(&in, 0x05, "n", 5, 10, 0, 0);
	delta(&in, 0x06, "n", 100, 10, 0, 0);
	delta(&in, 0x05, "m", 1, 10, 0xffffffffu, 0);
	delta(&in, 0x05, "k", 1, 0, 0, 0);
	CHECK_EQ(run(c, &in), 5);
	CHECK(res[0].status == 0 && get_be(res[0].val, 8) == 10);
	CHECK(get_be(res[1].val, 8) == 15 && res[1].cas != 0);
	CHECK(get_be(res[2].val, 8) == 0);
	CHECK(res[3].status == 1);
	CHECK(res[4].status == 6 && val_is(&res[4],
	    "Non-numeric server-side value for incr or decr"));

	/* touch, gat, gatk. */
	with_exptime(&in, 0x1c, "k", 10);
	with_exptime(&in, 0x1d, "k", 10);
	with_exptime(&in, 0x23, "k", 10);
	with_exptime(&in, 0x1c, "none", 10);
	CHECK_EQ(run(c, &in), 4);
	CHECK(res[0].status == 0 && res[0].extlen == 4 && res[0].nval == 0);
	CHECK(res[1].status == 0 && val_is(&res[1], "v2"));
	CHECK(res[2].keylen == 1 && val_is(&res[2], "v2"));
	CHECK(res[3].status == 1);
	fake_now += 10;
	req(&in, 0x00, "k", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 1);
	CHECK(res[0].status == 1);

	/* flush: now, and later. */
	store(&in, 0x01, "f", 0, 0, "v", 0);
	with_exptime(&in, 0x08, NULL, 5);
	req(&in, 0x00, "f", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 3);
	CHECK(res[1].status == 0 && res[2].status == 0);
	fake_now += 5;
	req(&in, 0x00, "f", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 1);
	CHECK(res[0].status == 1);
	fake_now++;
	store(&in, 0x01, "f", 0, 0, "v", 0);
	req(&in, 0x08, NULL, NULL, 0, NULL, 0, 0);
	req(&in, 0x00, "f", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 3);
	CHECK(res[2].status == 1);

	/* quit: answered, then the connection ends. */
	req(&in, 0x07, NULL, NULL, 0, NULL, 0, 0);
	req(&in, 0x0a, NULL, NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 1);
	CHECK(mc_conn_closing(c));
	mc_conn_free(c);
	c = mc_conn_new(s);
	req(&in, 0x17, NULL, NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 0);
	CHECK(mc_conn_closing(c));
	mc_conn_free(c);
	free(in.p);
	mc_store_free(s);
}

/* Quiet forms answer errors only; getq answers hits; noop ends it. */
static void
test_quiet(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);
	struct buf in = { 0 };

	store(&in, 0x11, "q", 0, 0, "1", 0);	/* setq */
	store(&in, 0x12, "q", 0, 0, "2", 0);	/* addq: exists */
	store(&in, 0x13, "r", 0, 0, "3", 0);	/* replaceq: missing */
	req(&in, 0x19, "q", NULL, 0, "+", 1, 0);	/* appendq */
	req(&in, 0x1a, "none", NULL, 0, "-", 1, 0);	/* prependq */
	delta(&in, 0x15, "n", 1, 7, 0, 0);		/* incrq, created */
	delta(&in, 0x16, "n", 1, 7, 0, 0);		/* decrq */
	delta(&in, 0x15, "m", 1, 7, 0xffffffffu, 0);	/* incrq miss */
	req(&in, 0x09, "q", NULL, 0, NULL, 0, 0);	/* getq hit */
	req(&in, 0x09, "none", NULL, 0, NULL, 0, 0);	/* getq miss */
	req(&in, 0x0d, "n", NULL, 0, NULL, 0, 0);	/* getkq hit */
	with_exptime(&in, 0x1e, "none", 0);	/* gatq miss */
	with_exptime(&in, 0x24, "q", 0);	/* gatkq hit */
	req(&in, 0x14, "n", NULL, 0, NULL, 0, 0);	/* deleteq */
	req(&in, 0x14, "n", NULL, 0, NULL, 0, 0);	/* deleteq miss */
	req(&in, 0x18, NULL, NULL, 0, NULL, 0, 0);	/* flushq */
	req(&in, 0x0a, NULL, NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 9);
	CHECK(res[0].op == 0x12 && res[0].status == 2);
	CHECK(res[1].op == 0x13 && res[1].status == 1);
	CHECK(res[2].op == 0x1a && res[2].status == 5);
	CHECK(res[3].op == 0x15 && res[3].status == 1);
	CHECK(res[4].op == 0x09 && val_is(&res[4], "1+"));
	CHECK(res[5].op == 0x0d && res[5].keylen == 1 && val_is(&res[5], "6"));
	CHECK(res[6].op == 0x24 && res[6].keylen == 1);
	CHECK(res[7].op == 0x14 && res[7].status == 1);
	CHECK(res[8].op == 0x0a);
	req(&in, 0x00, "q", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 1);
	CHECK(res[0].status == 1);
	mc_conn_free(c);
	free(in.p);
	mc_store_free(s);
}

/* A header memcached refuses: its answer (if any), then a hang-up. */
static void
expect_refused(struct mc_store *s, struct buf *in, uint16_t status)
{
	struct mc_conn *c = mc_conn_new(s);
	int n;

	req(in, 0x0a, NULL, NULL, 0, NULL, 0, 0);	/* never answered */
	n = run(c, in);
	if (status == 0)
		CHECK_EQ(n, 0);
	else {
		CHECK_EQ(n, 1);
		CHECK_EQ(res[0].status, status);
	}
	CHECK(mc_conn_closing(c));
	mc_conn_free(c);
}

static void
test_malformed(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c;
	struct buf in = { 0 };
	char key[300];

	/* Bad magic mid-stream: a hang-up, no answer. */
	req(&in, 0x0a, NULL, NULL, 0, NULL, 0, 0);
	c = mc_conn_new(s);
	CHECK_EQ(run(c, &in), 1);
	hdr(&in, 0x81, 0x0a, 0, 0, 0, 0, 0);
	CHECK_EQ(run(c, &in), 0);
	CHECK(mc_conn_closing(c));
	mc_conn_free(c);
	/* Wrong extras for the opcode: invalid arguments. */
	req(&in, 0x00, "k", "\0\0\0\0", 4, NULL, 0, 0);
	expect_refused(s, &in, 4);
	req(&in, 0x01, "k", NULL, 0, "v", 1, 0);
	expect_refused(s, &in, 4);
	req(&in, 0x05, "k", "\0\0\0\0\0\0\0\1", 8, NULL, 0, 0);
	expect_refused(s, &in, 4);
	req(&in, 0x1c, "k", NULL, 0, NULL, 0, 0);
	expect_refused(s, &in, 4);
	req(&in, 0x08, NULL, "\0\0\0\0\0\0\0\0", 8, NULL, 0, 0);
	expect_refused(s, &in, 4);
	req(&in, 0x10, NULL, "\0\0\0\0", 4, NULL, 0, 0);
	expect_refused(s, &in, 4);
	/* Body where there is none, key where there is none, none. */
	req(&in, 0x0a, NULL, NULL, 0, "x", 1, 0);
	expect_refused(s, &in, 4);
	req(&in, 0x0b, "k", NULL, 0, NULL, 0, 0);
	expect_refused(s, &in, 4);
	req(&in, 0x00, NULL, NULL, 0, NULL, 0, 0);
	expect_refused(s, &in, 4);
	req(&in, 0x04, "k", NULL, 0, "v", 1, 0);
	expect_refused(s, &in, 4);
	/* A key over 250 bytes. */
	memset(key, 'k', 251);
	key[251] = '\0';
	req(&in, 0x00, key, NULL, 0, NULL, 0, 0);
	expect_refused(s, &in, 4);
	/* Key and extras longer than the body: unknown command. */
	hdr(&in, 0x80, 0x00, 10, 0, 5, 0, 0);
	expect_refused(s, &in, 0x81);
	hdr(&in, 0x80, 0x01, 1, 8, 8, 0, 0);
	expect_refused(s, &in, 0x81);
	/* A 64 KiB key declared: refused from the header alone. */
	hdr(&in, 0x80, 0x00, 0xffff, 0, 0xffff, 0, 0);
	expect_refused(s, &in, 4);
	free(in.p);
	mc_store_free(s);
}

/* Unknown opcodes and SASL: answered, their bodies swallowed. */
static void
test_unknown(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);
	struct buf in = { 0 };

	req(&in, 0x20, NULL, NULL, 0, NULL, 0, 0);
	req(&in, 0x21, "PLAIN", NULL, 0, "\0u\0p", 4, 0);
	req(&in, 0x50, "abc", "e", 1, "val", 3, 0);
	/* memcached swallows body length after the extras and key. */
	buf_add(&in, "1234", 4);
	req(&in, 0x0a, NULL, NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 4);
	CHECK(res[0].status == 0x81 && val_is(&res[0], "Unknown command"));
	CHECK(res[1].status == 0x81 && res[2].status == 0x81);
	CHECK(res[3].op == 0x0a);
	CHECK(!mc_conn_closing(c));
	mc_conn_free(c);
	free(in.p);
	mc_store_free(s);
}

/* Bodies not stored are counted off, never held: memory stays small. */
static void
test_bounded(void)
{
	struct mc_settings set;
	struct mc_store *s;
	struct mc_conn *c;
	struct buf in = { 0 };
	char *junk = calloc(1, 1 << 20);
	size_t most = 0;

	mc_settings_default(&set);
	set.memory_limit = 4 << 20;
	set.item_size_max = 1 << 20;
	s = mc_store_open(&set, fake_clock, &fake_now);
	c = mc_conn_new(s);
	/* A 4 GiB unknown body: read and dropped. */
	hdr(&in, 0x80, 0x60, 0, 0, 0x7fffffffu, 0, 0);
	CHECK_EQ(run(c, &in), 1);
	for (int i = 0; i < 64; i++) {
		CHECK_EQ(mc_conn_feed(c, junk, 1 << 20), 1u << 20);
		if (mc_conn_memory(c) > most)
			most = mc_conn_memory(c);
	}
	CHECK(most < 4096);
	mc_conn_free(c);
	/* A value over -I: too large, swallowed, the old value gone. */
	c = mc_conn_new(s);
	store(&in, 0x01, "k", 0, 0, "old", 0);
	hdr(&in, 0x80, 0x01, 1, 8, 9 + (2u << 20), 0, 0);
	buf_add(&in, "\0\0\0\0\0\0\0\0k", 9);
	CHECK_EQ(run(c, &in), 2);
	CHECK(res[1].status == 3 && val_is(&res[1], "Too large."));
	CHECK_EQ(mc_conn_feed(c, junk, 1 << 20), 1u << 20);
	CHECK_EQ(mc_conn_feed(c, junk, 1 << 20), 1u << 20);
	req(&in, 0x00, "k", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 1);
	CHECK(res[0].status == 1);
	/* A declared length past INT_MAX: too large, nothing swallowed. */
	hdr(&in, 0x80, 0x0e, 1, 0, 0xffffffffu, 0, 0);
	buf_add(&in, "k", 1);
	req(&in, 0x0a, NULL, NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(c, &in), 2);
	CHECK(res[0].status == 3 && res[1].op == 0x0a);
	/* Out of memory: more than the in-flight share. */
	mc_conn_free(c);
	c = mc_conn_new(s);
	hdr(&in, 0x80, 0x01, 1, 8, 9 + 1000000, 0, 0);
	buf_add(&in, "\0\0\0\0\0\0\0\0k", 9);
	CHECK_EQ(run(c, &in), 0);
	{
		struct mc_conn *d = mc_conn_new(s);

		hdr(&in, 0x80, 0x01, 1, 8, 9 + 1000000, 0, 0);
		buf_add(&in, "\0\0\0\0\0\0\0\0j", 9);
		CHECK_EQ(run(d, &in), 1);
		CHECK(res[0].status == 0x82 &&
		    val_is(&res[0], "Out of memory allocating item"));
		mc_conn_free(d);
	}
	mc_conn_free(c);
	free(junk);
	free(in.p);
	mc_store_free(s);
}

/* One store, both protocols: what one stores the other reads. */
static void
test_shared(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *b = mc_conn_new(s), *t = mc_conn_new(s);
	struct buf in = { 0 }, text = { 0 };
	struct mc_stats st;
	int n;
	bool ok = false;

	store(&in, 0x01, "shared", 42, 0, "bin", 0);
	CHECK_EQ(run(b, &in), 1);
	mc_conn_feed(t, "get shared\r\nset t 3 0 4\r\ntext\r\n", 31);
	drain(t, &text);
	CHECK(text.p != NULL && strcmp(text.p,
	    "VALUE shared 42 3\r\nbin\r\nEND\r\nSTORED\r\n") == 0);
	req(&in, 0x00, "t", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(b, &in), 1);
	CHECK(val_is(&res[0], "text") && get_be(res[0].ext, 4) == 3);
	mc_store_stats(s, &st);
	CHECK_EQ(st.cmd_get, 2);
	CHECK_EQ(st.cmd_set, 2);
	/* stat: the text protocol's stats, one per answer, then an empty one. */
	req(&in, 0x10, NULL, NULL, 0, NULL, 0, 0);
	n = run(b, &in);
	CHECK(n > 10);
	CHECK(n > 0 && res[n - 1].keylen == 0 && res[n - 1].bodylen == 0);
	for (int i = 0; i < n; i++)
		if (res[i].keylen == 7 && memcmp(res[i].key, "cmd_get", 7) == 0)
			ok = val_is(&res[i], "2");
	CHECK(ok);
	req(&in, 0x10, "settings", NULL, 0, NULL, 0, 0);
	n = run(b, &in);
	CHECK(n > 3 && res[0].keylen == 8 &&
	    memcmp(res[0].key, "maxbytes", 8) == 0);
	req(&in, 0x10, "reset", NULL, 0, NULL, 0, 0);
	req(&in, 0x10, "bogus", NULL, 0, NULL, 0, 0);
	CHECK_EQ(run(b, &in), 2);
	CHECK(res[0].status == 0 && res[0].bodylen == 0);
	CHECK(res[1].status == 1);
	mc_store_stats(s, &st);
	CHECK_EQ(st.cmd_get, 0);
	mc_conn_free(b);
	mc_conn_free(t);
	free(in.p);
	free(text.p);
	mc_store_free(s);
}

/* Big answers pause the input at MC_OUT_HIGH, and nothing is lost. */
static void
test_backpressure(void)
{
	struct mc_store *s = new_store(0);
	struct mc_conn *c = mc_conn_new(s);
	struct buf in = { 0 }, got = { 0 };
	char *v = malloc(50001);
	size_t took, n;
	int k;

	memset(v, 'v', 50000);
	v[50000] = '\0';
	store(&in, 0x11, "big", 0, 0, v, 0);
	for (int i = 0; i < 10; i++)
		req(&in, 0x00, "big", NULL, 0, NULL, 0, 0);
	took = mc_conn_feed(c, in.p, in.len);
	CHECK(took < in.len);
	mc_conn_output(c, &n);
	CHECK(n < MC_OUT_HIGH + 50000 + 100);
	drain(c, &got);
	while (took < in.len) {
		took += mc_conn_feed(c, in.p + took, in.len - took);
		drain(c, &got);
	}
	k = parse(&got, res, MAXRES);
	CHECK_EQ(k, 10);
	for (int i = 0; i < k; i++)
		CHECK(res[i].nval == 50000);
	mc_conn_free(c);
	free(v);
	free(in.p);
	free(got.p);
	mc_store_free(s);
}

/* Every cut of a mixed stream gives the same bytes. */
static void
test_split(void)
{
	struct buf in = { 0 }, whole = { 0 };

	store(&in, 0x01, "a", 1, 0, "alpha", 0);
	store(&in, 0x11, "b", 2, 0, "beta", 0);
	req(&in, 0x0e, "a", NULL, 0, "++", 2, 0);
	delta(&in, 0x05, "n", 3, 4, 0, 0);
	req(&in, 0x0d, "a", NULL, 0, NULL, 0, 0);
	req(&in, 0x09, "zz", NULL, 0, NULL, 0, 0);
	with_exptime(&in, 0x23, "b", 100);
	req(&in, 0x50, "x", NULL, 0, NULL, 0, 0);
	buf_add(&in, "x", 1);
	req(&in, 0x04, "b", NULL, 0, NULL, 0, 0);
	req(&in, 0x0b, NULL, NULL, 0, NULL, 0, 0);
	req(&in, 0x0a, NULL, NULL, 0, NULL, 0, 0);
	for (size_t step = 0; step <= 7; step++) {
		for (int round = 0; round < (step == 0 ? 20 : 1); round++) {
			struct mc_store *s = new_store(0);
			struct mc_conn *c = mc_conn_new(s);
			struct buf o = { 0 };

			buf_add(&o, "", 0);
			feed_cut(c, &in, step == 0 ? 0 :
			    step == 7 ? in.len : step, &o);
			if (whole.p == NULL)
				buf_add(&whole, o.p, o.len);
			else
				CHECK(o.len == whole.len &&
				    memcmp(o.p, whole.p, o.len) == 0);
			mc_conn_free(c);
			mc_store_free(s);
			free(o.p);
		}
	}
	CHECK(parse(&whole, res, MAXRES) == 9);
	/* Every split point in two. */
	for (size_t at = 1; at < in.len; at++) {
		struct mc_store *s = new_store(0);
		struct mc_conn *c = mc_conn_new(s);
		struct buf o = { 0 };

		buf_add(&o, "", 0);
		CHECK_EQ(mc_conn_feed(c, in.p, at), at);
		drain(c, &o);
		CHECK_EQ(mc_conn_feed(c, in.p + at, in.len - at), in.len - at);
		drain(c, &o);
		CHECK(o.len == whole.len && memcmp(o.p, whole.p, o.len) == 0);
		mc_conn_free(c);
		mc_store_free(s);
		free(o.p);
	}
	free(in.p);
	free(whole.p);
}

int
main(void)
{
	check_seed(17);
	test_basic();
	test_quiet();
	test_malformed();
	test_unknown();
	test_bounded();
	test_shared();
	test_backpressure();
	test_split();
	free(out.p);
	return check_done("memcached_binary");
}
