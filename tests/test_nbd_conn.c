/*
 * test_nbd_conn.c — the NBD engine (user/nbd_conn.c) on a RAM disk that
 * fails the test on any access outside the export: the handshake (GO
 * with block sizes, EXPORT_NAME with and without zeroes, LIST, INFO,
 * ABORT), every command, unaligned requests, FUA, backpressure on a long
 * READ, disk errors before and after a READ's header, and hostile input:
 * bad magics, unknown flags and commands, overflowing offsets, writes
 * past the end (the payload skipped, the disk untouched), oversized
 * options and writes, an option flood, random bytes. Fed whole and one
 * byte at a time, the output is the same.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "user/nbd_conn.h"
#include "user/nbd_proto.h"

#define SIZE	(1u << 20)	/* the export */
#define GUARD	4096u		/* on each side of it, never touched */

struct ram {
	uint8_t *mem;		/* GUARD + SIZE + GUARD */
	uint64_t flushes, oob;
	int fail_read_at;	/* the n-th read fails (0: none) */
	int reads;
};

static struct ram ram;

static bool
inside(uint64_t off, uint64_t len)
{
	if (off > SIZE || len > SIZE - off) {
		ram.oob++;
		return false;
	}
	return true;
}

static int
r_read(void *d, uint64_t off, void *buf, uint32_t len)
{
	(void)d;
	CHECK(len >= 1 && len <= NBD_CHUNK);
	CHECK(off / NBD_CHUNK == (off + len - 1) / NBD_CHUNK);
	if (!inside(off, len))
		return NBD_EIO;
	if (++ram.reads == ram.fail_read_at)
		return NBD_EIO;
	memcpy(buf, ram.mem + GUARD + off, len);
	return 0;
}

static int
r_write(void *d, uint64_t off, const void *buf, uint32_t len)
{
	(void)d;
	CHECK(len >= 1 && len <= NBD_CHUNK);
	CHECK(off / NBD_CHUNK == (off + len - 1) / NBD_CHUNK);
	if (!inside(off, len))
		return NBD_EIO;
	memcpy(ram.mem + GUARD + off, buf, len);
	return 0;
}

static int
r_flush(void *d)
{
	(void)d;
	ram.flushes++;
	return 0;
}

static int
r_trim(void *d, uint64_t off, uint64_t len)
{
	(void)d;
	CHECK(len >= 1 && len <= NBD_ZERO_STEP);
	if (!inside(off, len))
		return NBD_EIO;
	memset(ram.mem + GUARD + off, 0, len);
	return 0;
}

static int
r_zero(void *d, uint64_t off, uint64_t len, bool no_hole)
{
	(void)no_hole;
	return r_trim(d, off, len);
}

static const struct nbd_disk_ops ram_ops = {
	r_read, r_write, r_flush, r_trim, r_zero,
};

static const struct nbd_export ex = {
	"disk", "a RAM disk", SIZE, &ram_ops, NULL,
};

static void
ram_reset(void)
{
	free(ram.mem);
	memset(&ram, 0, sizeof ram);
	ram.mem = calloc(1, GUARD + SIZE + GUARD);
	memset(ram.mem, 0xEE, GUARD);
	memset(ram.mem + GUARD + SIZE, 0xEE, GUARD);
}

static bool
guards_intact(void)
{
	for (unsigned i = 0; i < GUARD; i++)
		if (ram.mem[i] != 0xEE || ram.mem[GUARD + SIZE + i] != 0xEE)
			return false;
	return ram.oob == 0;
}

/* --- a client's bytes ----------------------------------------------------- */

struct msg {
	uint8_t b[1 << 16];
	size_t n;
};

static void
m16(struct msg *m, uint16_t v)
{
	m->b[m->n++] = (uint8_t)(v >> 8);
	m->b[m->n++] = (uint8_t)v;
}

static void
m32(struct msg *m, uint32_t v)
{
	m16(m, (uint16_t)(v >> 16));
	m16(m, (uint16_t)v);
}

static void
m64(struct msg *m, uint64_t v)
{
	m32(m, (uint32_t)(v >> 32));
	m32(m, (uint32_t)v);
}

static void
mbytes(struct msg *m, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
mopt(struct msg *m, uint32_t opt, const void *data, uint32_t len)
{
	m64(m, NBD_OPT_MAGIC);
	m32(m, opt);
	m32(m, len);
	mbytes(m, data, len);
}

/* GO (or INFO) for NAME asking for the given items. */
static void
mgo(struct msg *m, uint32_t opt, const char *name, int nitems,
    const uint16_t *items)
{
	m64(m, NBD_OPT_MAGIC);
	m32(m, opt);
	m32(m, (uint32_t)(4 + strlen(name) + 2 + 2 * nitems));
	m32(m, (uint32_t)strlen(name));
	mbytes(m, name, strlen(name));
	m16(m, (uint16_t)nitems);
	for (int i = 0; i < nitems; i++)
		m16(m, items[i]);
}

static void
mreq(struct msg *m, uint16_t flags, uint16_t type, uint64_t cookie,
    uint64_t off, uint32_t len)
{
	m32(m, NBD_REQUEST_MAGIC);
	m16(m, flags);
	m16(m, type);
	m64(m, cookie);
	m64(m, off);
	m32(m, len);
}

/* --- the server's bytes --------------------------------------------------- */

struct out {
	uint8_t *b;
	size_t n, cap, at;
};

static void
drain(struct nbd_conn *c, struct out *o)
{
	size_t len;
	const void *p;

	for (;;) {
		if ((p = nbd_conn_output(c, &len)) == NULL) {
			if (nbd_conn_busy(c) && nbd_conn_work(c))
				continue;
			break;
		}
		if (o->n + len > o->cap) {
			o->cap = (o->n + len) * 2;
			o->b = realloc(o->b, o->cap);
		}
		memcpy(o->b + o->n, p, len);
		o->n += len;
		nbd_conn_consume_output(c, len);
		nbd_conn_work(c);
	}
}

/* Feed all of m, draining as the engine asks; step bytes at a time
 * (0: as much as it takes). */
static void
run(struct nbd_conn *c, const struct msg *m, struct out *o, size_t step)
{
	size_t off = 0;
	int stuck = 0;

	while (off < m->n && !nbd_conn_dead(c) && !nbd_conn_closing(c) &&
	    stuck < 1000) {
		size_t n = m->n - off;
		size_t k;

		if (step != 0 && n > step)
			n = step;
		k = nbd_conn_feed(c, m->b + off, n);
		off += k;
		stuck = k == 0 ? stuck + 1 : 0;
		drain(c, o);
	}
	drain(c, o);
}

static uint64_t
o64(struct out *o)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | o->b[o->at++];
	return v;
}

static uint32_t
o32(struct out *o)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | o->b[o->at++];
	return v;
}

static uint16_t
o16(struct out *o)
{
	uint16_t v = (uint16_t)(o->b[o->at] << 8 | o->b[o->at + 1]);

	o->at += 2;
	return v;
}

static void
expect_greeting(struct out *o)
{
	CHECK(o->n >= 18);
	CHECK_EQ(o64(o), NBD_MAGIC);
	CHECK_EQ(o64(o), NBD_OPT_MAGIC);
	CHECK_EQ(o16(o), NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
}

/* An option reply; returns its type, skips its data into *data. */
static uint32_t
expect_rep(struct out *o, uint32_t opt, uint32_t *len)
{
	CHECK(o->at + NBD_REP_HDR <= o->n);
	if (o->at + NBD_REP_HDR > o->n)
		return 0;
	CHECK_EQ(o64(o), NBD_REP_MAGIC);
	CHECK_EQ(o32(o), opt);
	uint32_t type = o32(o);
	*len = o32(o);
	return type;
}

/* A simple reply: returns its error. */
static uint32_t
expect_reply(struct out *o, uint64_t cookie)
{
	CHECK(o->at + NBD_REPLY_HDR <= o->n);
	if (o->at + NBD_REPLY_HDR > o->n)
		return 0xFFFFFFFF;
	CHECK_EQ(o32(o), NBD_SIMPLE_REPLY_MAGIC);
	uint32_t err = o32(o);
	CHECK_EQ(o64(o), cookie);
	return err;
}

/* A connection through GO, positioned at its first transmission reply. */
static struct nbd_conn *
open_go(struct out *o)
{
	struct nbd_conn *c = nbd_conn_new(&ex);
	struct msg *m = calloc(1, sizeof *m);
	const uint16_t items[] = { NBD_INFO_BLOCK_SIZE };
	uint32_t len;

	m32(m, NBD_FLAG_C_FIXED_NEWSTYLE | NBD_FLAG_C_NO_ZEROES);
	mgo(m, NBD_OPT_GO, "disk", 1, items);
	run(c, m, o, 0);
	expect_greeting(o);
	CHECK_EQ(expect_rep(o, NBD_OPT_GO, &len), NBD_REP_INFO);
	CHECK_EQ(len, 12);
	CHECK_EQ(o16(o), NBD_INFO_EXPORT);
	CHECK_EQ(o64(o), SIZE);
	CHECK_EQ(o16(o), NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH |
	    NBD_FLAG_SEND_FUA | NBD_FLAG_SEND_TRIM |
	    NBD_FLAG_SEND_WRITE_ZEROES | NBD_FLAG_CAN_MULTI_CONN);
	CHECK_EQ(expect_rep(o, NBD_OPT_GO, &len), NBD_REP_INFO);
	CHECK_EQ(len, 14);
	CHECK_EQ(o16(o), NBD_INFO_BLOCK_SIZE);
	CHECK_EQ(o32(o), NBD_MIN_BLOCK);
	CHECK_EQ(o32(o), NBD_PREF_BLOCK);
	CHECK_EQ(o32(o), NBD_MAX_PAYLOAD);
	CHECK_EQ(expect_rep(o, NBD_OPT_GO, &len), NBD_REP_ACK);
	CHECK_EQ(len, 0);
	CHECK(!nbd_conn_negotiating(c));
	free(m);
	return c;
}

/* --- the tests ------------------------------------------------------------ */

static void
test_commands(void)
{
	struct out o = { 0 };
	struct msg *m = calloc(1, sizeof *m);
	uint8_t data[10000];
	struct nbd_conn *c;

	ram_reset();
	c = open_go(&o);
	for (unsigned i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	/* Unaligned, crossing chunks; then read back around it. */
	mreq(m, 0, NBD_CMD_WRITE, 1, 1000, sizeof data);
	mbytes(m, data, sizeof data);
	mreq(m, NBD_CMD_FLAG_FUA, NBD_CMD_WRITE, 2, SIZE - 512, 512);
	mbytes(m, data, 512);
	mreq(m, 0, NBD_CMD_READ, 3, 1000, sizeof data);
	mreq(m, 0, NBD_CMD_FLUSH, 4, 0, 0);
	mreq(m, 0, NBD_CMD_TRIM, 5, 4096, 4096);
	mreq(m, NBD_CMD_FLAG_NO_HOLE, NBD_CMD_WRITE_ZEROES, 6, 1000, 100);
	mreq(m, 0, NBD_CMD_READ, 7, 1000, 200);
	mreq(m, 0, NBD_CMD_DISC, 8, 0, 0);
	run(c, m, &o, 0);
	CHECK_EQ(expect_reply(&o, 1), 0);
	CHECK_EQ(expect_reply(&o, 2), 0);
	CHECK_EQ(expect_reply(&o, 3), 0);
	CHECK(o.at + sizeof data <= o.n && memcmp(o.b + o.at, data,
	    sizeof data) == 0);
	o.at += sizeof data;
	CHECK_EQ(expect_reply(&o, 4), 0);
	CHECK_EQ(ram.flushes, 2);		/* the FUA and the FLUSH */
	CHECK_EQ(expect_reply(&o, 5), 0);
	CHECK_EQ(expect_reply(&o, 6), 0);
	CHECK_EQ(expect_reply(&o, 7), 0);
	for (unsigned i = 0; i < 200 && o.at < o.n; i++, o.at++)
		CHECK_EQ(o.b[o.at], i < 100 ? 0 : data[i]);
	CHECK_EQ(o.at, o.n);			/* DISC has no reply */
	CHECK(nbd_conn_closing(c));
	CHECK(!nbd_conn_dead(c));
	/* What the disk holds: the data, the trimmed chunk zero. */
	CHECK(memcmp(ram.mem + GUARD + 1100, data + 100, 3096 - 100) == 0);
	for (unsigned i = 4096; i < 8192; i++)
		CHECK_EQ(ram.mem[GUARD + i], 0);
	CHECK(guards_intact());
	const struct nbd_conn_stats *st = nbd_conn_stats(c);
	CHECK_EQ(st->requests, 8);
	CHECK_EQ(st->bytes_written, sizeof data + 512);
	CHECK_EQ(st->errors, 0);
	nbd_conn_free(c);
	free(o.b);
	free(m);
}

static void
test_options(void)
{
	struct out o = { 0 };
	struct msg *m = calloc(1, sizeof *m);
	struct nbd_conn *c = nbd_conn_new(&ex);
	const uint16_t items[] = { NBD_INFO_NAME, NBD_INFO_DESCRIPTION, 999 };
	static uint8_t big[NBD_MAX_OPTION + 100];
	uint32_t len;

	ram_reset();
	m32(m, NBD_FLAG_C_FIXED_NEWSTYLE);	/* zeroes wanted */
	mopt(m, NBD_OPT_LIST, NULL, 0);
	mopt(m, NBD_OPT_LIST, "x", 1);
	mgo(m, NBD_OPT_INFO, "nope", 0, NULL);
	mgo(m, NBD_OPT_INFO, "", 3, items);	/* the default export */
	mopt(m, NBD_OPT_INFO, "\0\0\0\x09" "ab", 6);	/* name past the end */
	mopt(m, NBD_OPT_STRUCTURED_REPLY, NULL, 0);
	mopt(m, 77, "junk", 4);
	mopt(m, NBD_OPT_INFO, big, sizeof big);	/* too big: skipped */
	mopt(m, NBD_OPT_EXPORT_NAME, "disk", 4);
	mreq(m, 0, NBD_CMD_READ, 9, 0, 512);
	run(c, m, &o, 0);
	expect_greeting(&o);
	CHECK_EQ(expect_rep(&o, NBD_OPT_LIST, &len), NBD_REP_SERVER);
	CHECK_EQ(len, 8);
	CHECK_EQ(o32(&o), 4);
	CHECK(memcmp(o.b + o.at, "disk", 4) == 0);
	o.at += 4;
	CHECK_EQ(expect_rep(&o, NBD_OPT_LIST, &len), NBD_REP_ACK);
	CHECK_EQ(expect_rep(&o, NBD_OPT_LIST, &len), NBD_REP_ERR_INVALID);
	o.at += len;
	CHECK_EQ(expect_rep(&o, NBD_OPT_INFO, &len), NBD_REP_ERR_UNKNOWN);
	o.at += len;
	CHECK_EQ(expect_rep(&o, NBD_OPT_INFO, &len), NBD_REP_INFO);
	o.at += len;
	CHECK_EQ(expect_rep(&o, NBD_OPT_INFO, &len), NBD_REP_INFO);
	CHECK_EQ(o16(&o), NBD_INFO_NAME);
	CHECK(len == 6 && memcmp(o.b + o.at, "disk", 4) == 0);
	o.at += 4;
	CHECK_EQ(expect_rep(&o, NBD_OPT_INFO, &len), NBD_REP_INFO);
	CHECK_EQ(o16(&o), NBD_INFO_DESCRIPTION);
	o.at += len - 2;
	CHECK_EQ(expect_rep(&o, NBD_OPT_INFO, &len), NBD_REP_INFO);
	o.at += len;				/* block sizes */
	CHECK_EQ(expect_rep(&o, NBD_OPT_INFO, &len), NBD_REP_ACK);
	CHECK_EQ(expect_rep(&o, NBD_OPT_INFO, &len), NBD_REP_ERR_INVALID);
	o.at += len;
	CHECK_EQ(expect_rep(&o, NBD_OPT_STRUCTURED_REPLY, &len),
	    NBD_REP_ERR_UNSUP);
	o.at += len;
	CHECK_EQ(expect_rep(&o, 77, &len), NBD_REP_ERR_UNSUP);
	o.at += len;
	CHECK_EQ(expect_rep(&o, NBD_OPT_INFO, &len), NBD_REP_ERR_TOO_BIG);
	o.at += len;
	/* EXPORT_NAME: size, flags and 124 zero bytes. */
	CHECK_EQ(o64(&o), SIZE);
	o16(&o);
	for (int i = 0; i < NBD_ZERO_PAD; i++)
		CHECK_EQ(o.b[o.at++], 0);
	CHECK_EQ(expect_reply(&o, 9), 0);
	CHECK_EQ(o.n - o.at, 512);
	CHECK(!nbd_conn_dead(c));
	nbd_conn_free(c);

	/* ABORT: acknowledged, then closed. */
	c = nbd_conn_new(&ex);
	m->n = 0;
	o.n = o.at = 0;
	m32(m, NBD_FLAG_C_FIXED_NEWSTYLE);
	mopt(m, NBD_OPT_ABORT, NULL, 0);
	mopt(m, NBD_OPT_LIST, NULL, 0);		/* never read */
	run(c, m, &o, 0);
	expect_greeting(&o);
	CHECK_EQ(expect_rep(&o, NBD_OPT_ABORT, &len), NBD_REP_ACK);
	CHECK_EQ(o.at, o.n);
	CHECK(nbd_conn_closing(c));
	nbd_conn_free(c);
	free(o.b);
	free(m);
}

/* Each hostile opening ends in a reset, the disk untouched. */
static void
test_hostile_handshake(void)
{
	struct msg *m = calloc(1, sizeof *m);
	struct out o = { 0 };

	for (int k = 0; k < 5; k++) {
		struct nbd_conn *c = nbd_conn_new(&ex);

		ram_reset();
		m->n = 0;
		o.n = o.at = 0;
		switch (k) {
		case 0:		/* a client flag nobody defined */
			m32(m, 0x80000001u);
			break;
		case 1:		/* an option without IHAVEOPT */
			m32(m, 1);
			m64(m, 0x1122334455667788ull);
			m32(m, NBD_OPT_LIST);
			m32(m, 0);
			break;
		case 2:		/* an export that is not there */
			m32(m, 1);
			mopt(m, NBD_OPT_EXPORT_NAME, "other", 5);
			break;
		case 3:		/* an option flood */
			m32(m, 1);
			for (unsigned i = 0; i <= NBD_MAX_OPTIONS; i++)
				mopt(m, NBD_OPT_LIST, NULL, 0);
			break;
		case 4:		/* EXPORT_NAME too long to be a name */
			m32(m, 1);
			m64(m, NBD_OPT_MAGIC);
			m32(m, NBD_OPT_EXPORT_NAME);
			m32(m, 0xFFFFFFF0u);
			break;
		}
		run(c, m, &o, 0);
		CHECK(nbd_conn_closing(c));
		CHECK(!nbd_conn_negotiating(c));
		CHECK(nbd_conn_why(c)[0] != '\0');
		CHECK_EQ(nbd_conn_stats(c)->violations, 1);
		CHECK(guards_intact());
		nbd_conn_free(c);
	}
	free(o.b);
	free(m);
}

static void
test_hostile_requests(void)
{
	struct out o = { 0 };
	struct msg *m = calloc(1, sizeof *m);
	static uint8_t junk[8192];
	struct nbd_conn *c;

	ram_reset();
	c = open_go(&o);
	memset(junk, 0xAB, sizeof junk);
	mreq(m, 0, NBD_CMD_READ, 1, SIZE, 1);			/* past the end */
	mreq(m, 0, NBD_CMD_READ, 2, UINT64_MAX - 511, 1024);	/* wraps */
	mreq(m, 0, NBD_CMD_READ, 3, 0, NBD_MAX_PAYLOAD + 1);	/* too long */
	mreq(m, 0, NBD_CMD_WRITE, 4, SIZE - 4096, sizeof junk);	/* past */
	mbytes(m, junk, sizeof junk);
	mreq(m, 0x8000, NBD_CMD_WRITE, 5, 0, 16);		/* odd flag */
	mbytes(m, junk, 16);
	mreq(m, 0, 99, 6, 0, 0);				/* no such */
	mreq(m, 0, NBD_CMD_TRIM, 7, 4096, SIZE);		/* past */
	mreq(m, NBD_CMD_FLAG_NO_HOLE, NBD_CMD_TRIM, 8, 0, 512);	/* not TRIM's */
	mreq(m, 0, NBD_CMD_WRITE_ZEROES, 9, UINT64_MAX, 2);	/* wraps */
	mreq(m, 0, NBD_CMD_READ, 10, 0, 0);			/* empty: ok */
	mreq(m, 0, NBD_CMD_WRITE, 11, 0, NBD_MAX_PAYLOAD + 1);	/* reset */
	run(c, m, &o, 0);
	CHECK_EQ(expect_reply(&o, 1), NBD_EINVAL);
	CHECK_EQ(expect_reply(&o, 2), NBD_EINVAL);
	CHECK_EQ(expect_reply(&o, 3), NBD_EINVAL);
	CHECK_EQ(expect_reply(&o, 4), NBD_ENOSPC);
	CHECK_EQ(expect_reply(&o, 5), NBD_EINVAL);
	CHECK_EQ(expect_reply(&o, 6), NBD_EINVAL);
	CHECK_EQ(expect_reply(&o, 7), NBD_ENOSPC);
	CHECK_EQ(expect_reply(&o, 8), NBD_EINVAL);
	CHECK_EQ(expect_reply(&o, 9), NBD_ENOSPC);
	CHECK_EQ(expect_reply(&o, 10), 0);
	CHECK_EQ(o.at, o.n);
	CHECK(nbd_conn_closing(c));
	CHECK_EQ(nbd_conn_stats(c)->violations, 1);
	for (unsigned i = 0; i < SIZE; i++)
		if (ram.mem[GUARD + i] != 0) {
			CHECK_EQ(ram.mem[GUARD + i], 0);
			break;
		}
	CHECK(guards_intact());
	nbd_conn_free(c);

	/* A bad request magic resets. */
	c = open_go(&o);
	m->n = 0;
	m32(m, 0x12345678);
	mbytes(m, junk, NBD_REQ_HDR - 4);
	run(c, m, &o, 0);
	CHECK(nbd_conn_closing(c));
	nbd_conn_free(c);
	free(o.b);
	free(m);
}

/* A 1 MiB READ never holds more than the high-water mark plus a chunk,
 * and a disk error is an error reply before the header, a reset after. */
static void
test_read_backpressure(void)
{
	struct out o = { 0 };
	struct msg *m = calloc(1, sizeof *m);
	struct nbd_conn *c;
	size_t len, most = 0;

	ram_reset();
	for (unsigned i = 0; i < SIZE; i++)
		ram.mem[GUARD + i] = (uint8_t)(i ^ (i >> 8));
	c = open_go(&o);
	mreq(m, 0, NBD_CMD_READ, 1, 0, SIZE);
	mreq(m, 0, NBD_CMD_READ, 2, 0, 8);
	CHECK_EQ(nbd_conn_feed(c, m->b, m->n), NBD_REQ_HDR);	/* paused */
	CHECK(nbd_conn_busy(c));
	size_t fed = NBD_REQ_HDR;
	o.at = o.n;
	while (nbd_conn_output(c, &len) != NULL || fed < m->n) {
		if (len > most)
			most = len;
		drain(c, &o);
		fed += nbd_conn_feed(c, m->b + fed, m->n - fed);
	}
	CHECK(most <= NBD_OUT_HIGH + NBD_CHUNK + NBD_REPLY_HDR);
	CHECK_EQ(expect_reply(&o, 1), 0);
	CHECK(memcmp(o.b + o.at, ram.mem + GUARD, SIZE) == 0);
	o.at += SIZE;
	CHECK_EQ(expect_reply(&o, 2), 0);
	o.at += 8;
	nbd_conn_free(c);

	c = open_go(&o);
	ram.reads = 0;
	ram.fail_read_at = 1;
	m->n = 0;
	mreq(m, 0, NBD_CMD_READ, 3, 0, 8192);
	run(c, m, &o, 0);
	CHECK_EQ(expect_reply(&o, 3), NBD_EIO);
	CHECK_EQ(o.at, o.n);
	CHECK(!nbd_conn_dead(c));
	ram.reads = 0;
	ram.fail_read_at = 2;
	m->n = 0;
	mreq(m, 0, NBD_CMD_READ, 4, 0, 8192);
	run(c, m, &o, 0);
	CHECK(nbd_conn_dead(c));
	nbd_conn_free(c);
	free(o.b);
	free(m);
}

/* One byte at a time gives the same bytes as all at once. */
static void
test_split(void)
{
	struct msg *m = calloc(1, sizeof *m);
	struct out a = { 0 }, b = { 0 };
	const uint16_t items[] = { NBD_INFO_BLOCK_SIZE };
	uint8_t data[5000];

	memset(data, 0x5C, sizeof data);
	m32(m, 3);
	mopt(m, NBD_OPT_LIST, NULL, 0);
	mgo(m, NBD_OPT_GO, "disk", 1, items);
	mreq(m, 0, NBD_CMD_WRITE, 1, 300, sizeof data);
	mbytes(m, data, sizeof data);
	mreq(m, 0, NBD_CMD_READ, 2, 0, 6000);
	mreq(m, 0, NBD_CMD_WRITE_ZEROES, 3, 100, 1000);
	mreq(m, 0, NBD_CMD_READ, 4, 0, 6000);
	for (int pass = 0; pass < 2; pass++) {
		struct nbd_conn *c = nbd_conn_new(&ex);

		ram_reset();
		run(c, m, pass == 0 ? &a : &b, pass == 0 ? 0 : 1);
		CHECK(!nbd_conn_dead(c));
		nbd_conn_free(c);
	}
	CHECK_EQ(a.n, b.n);
	CHECK(a.n == b.n && memcmp(a.b, b.b, a.n) == 0);
	free(a.b);
	free(b.b);
	free(m);
}

/* Random bytes after a valid GO: the disk is never reached outside. */
static void
test_random(void)
{
	struct msg *m = calloc(1, sizeof *m);

	check_seed(15);
	for (int round = 0; round < 300; round++) {
		struct out o = { 0 };
		struct nbd_conn *c;

		ram_reset();
		c = open_go(&o);
		m->n = 0;
		while (m->n < 4096) {
			uint64_t r = check_rand();

			if (r % 4 == 0)		/* a plausible request */
				mreq(m, (uint16_t)(check_rand() % 4),
				    (uint16_t)(check_rand() % 8), r,
				    check_rand() % (2 * SIZE),
				    (uint32_t)(check_rand() % 9000));
			else
				m->b[m->n++] = (uint8_t)r;
		}
		run(c, m, &o, 1 + check_rand() % 64);
		CHECK(guards_intact());
		nbd_conn_free(c);
		free(o.b);
	}
	free(m);
}

int
main(void)
{
	test_commands();
	test_options();
	test_hostile_handshake();
	test_hostile_requests();
	test_read_backpressure();
	test_split();
	test_random();
	free(ram.mem);
	return check_done("nbd_conn");
}
