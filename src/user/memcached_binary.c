/*
 * memcached_binary.c — a connection speaking memcached's binary protocol
 * as memcached 1.6.18 does (proto_bin.c): 24-byte headers, the same
 * store, counters and limits as the text protocol, memcached's status
 * codes and error texts, its quiet commands, and its answer to every
 * malformed header. Whether a header is acceptable depends on the header
 * alone, so it is judged as soon as its 24 bytes are in: nothing larger
 * than extras and a key (20 + 250 bytes) is ever buffered, and a body
 * that is not stored is counted off, not kept.
 */
#include "user/memcached_binary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER		24
#define MAGIC_RES	0x81
#define EXT_MAX		20		/* incr/decr's extras, the largest */
#define NO_CREATE	0xffffffffu	/* incr/decr: a miss stays a miss */

enum opcode {
	OP_GET = 0x00, OP_SET = 0x01, OP_ADD = 0x02, OP_REPLACE = 0x03,
	OP_DELETE = 0x04, OP_INCR = 0x05, OP_DECR = 0x06, OP_QUIT = 0x07,
	OP_FLUSH = 0x08, OP_GETQ = 0x09, OP_NOOP = 0x0a, OP_VERSION = 0x0b,
	OP_GETK = 0x0c, OP_GETKQ = 0x0d, OP_APPEND = 0x0e, OP_PREPEND = 0x0f,
	OP_STAT = 0x10, OP_SETQ = 0x11, OP_ADDQ = 0x12, OP_REPLACEQ = 0x13,
	OP_DELETEQ = 0x14, OP_INCRQ = 0x15, OP_DECRQ = 0x16, OP_QUITQ = 0x17,
	OP_FLUSHQ = 0x18, OP_APPENDQ = 0x19, OP_PREPENDQ = 0x1a,
	OP_TOUCH = 0x1c, OP_GAT = 0x1d, OP_GATQ = 0x1e,
	OP_SASL_LIST = 0x20, OP_SASL_AUTH = 0x21, OP_SASL_STEP = 0x22,
	OP_GATK = 0x23, OP_GATKQ = 0x24,
};

enum status {
	ST_OK = 0x0000, ST_ENOENT = 0x0001, ST_EEXISTS = 0x0002,
	ST_E2BIG = 0x0003, ST_EINVAL = 0x0004, ST_NOT_STORED = 0x0005,
	ST_DELTA_BADVAL = 0x0006, ST_UNKNOWN = 0x0081, ST_ENOMEM = 0x0082,
};

enum bstate {
	B_HEADER,	/* reading a header */
	B_EXTKEY,	/* reading its extras and key */
	B_VALUE,	/* reading a value into item */
	B_SWALLOW,	/* counting off a body not kept */
};

struct mc_bin {
	enum bstate state;
	uint8_t hdr[HEADER];
	size_t fill;		/* bytes of hdr, or of ek */
	uint8_t opcode;		/* as sent: answers carry it */
	uint8_t cmd;		/* its loud form */
	bool quiet;
	uint8_t extlen;
	uint16_t keylen;
	uint32_t bodylen;
	uint8_t opaque[4];	/* echoed as it came */
	uint64_t cas;
	uint8_t ek[EXT_MAX + MC_KEY_MAX];	/* extras, then key */
	struct mc_item *item;	/* B_VALUE */
	size_t vfill;
	enum mc_cmd store_cmd;
	uint64_t swallow;	/* B_SWALLOW: bytes left */
};

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

struct mc_bin *
mc_bin_new(void)
{
	return calloc(1, sizeof(struct mc_bin));
}

void
mc_bin_free(struct mc_store *s, struct mc_bin *b)
{
	if (b == NULL)
		return;
	mc_item_free(s, b->item);
	free(b);
}

size_t
mc_bin_memory(const struct mc_bin *b)
{
	return b != NULL ? sizeof *b : 0;
}

size_t
mc_bin_memory_bound(void)
{
	return sizeof(struct mc_bin);
}

static void
respond(struct mc_conn *c, const struct mc_bin *b, uint16_t status,
    uint8_t extlen, uint16_t keylen, uint32_t bodylen, uint64_t cas)
{
	uint8_t h[HEADER];

	memset(h, 0, sizeof h);
	h[0] = MAGIC_RES;
	h[1] = b->opcode;
	h[2] = (uint8_t)(keylen >> 8);
	h[3] = (uint8_t)keylen;
	h[4] = extlen;
	h[6] = (uint8_t)(status >> 8);
	h[7] = (uint8_t)status;
	put32(h + 8, bodylen);
	memcpy(h + 12, b->opaque, 4);
	put64(h + 16, cas);
	mc_conn_out(c, h, sizeof h);
}

/* An error with its text; quiet commands answer these too. */
static void
fail_text(struct mc_conn *c, const struct mc_bin *b, uint16_t status,
    const char *text)
{
	size_t n = strlen(text);

	respond(c, b, status, 0, 0, (uint32_t)n, 0);
	mc_conn_out(c, text, n);
}

/* An error with memcached's generic text for its status. */
static void
fail(struct mc_conn *c, const struct mc_bin *b, uint16_t status)
{
	const char *text = "";

	switch (status) {
	case ST_ENOENT:
		text = "Not found";
		break;
	case ST_EEXISTS:
		text = "Data exists for key.";
		break;
	case ST_E2BIG:
		text = "Too large.";
		break;
	case ST_EINVAL:
		text = "Invalid arguments";
		break;
	case ST_NOT_STORED:
		text = "Not stored.";
		break;
	case ST_DELTA_BADVAL:
		text = "Non-numeric server-side value for incr or decr";
		break;
	case ST_UNKNOWN:
		text = "Unknown command";
		break;
	case ST_ENOMEM:
		text = "Out of memory";
		break;
	}
	fail_text(c, b, status, text);
}

/* A success: the quiet forms keep it to themselves. */
static void
done(struct mc_conn *c, const struct mc_bin *b, const void *body, size_t n,
    uint64_t cas)
{
	if (b->quiet)
		return;
	respond(c, b, ST_OK, 0, 0, (uint32_t)n, cas);
	mc_conn_out(c, body, n);
}

/* memcached's answer to a header it cannot take: say so and hang up. */
static void
refuse(struct mc_conn *c, const struct mc_bin *b, uint16_t status)
{
	fail(c, b, status);
	mc_conn_close(c);
}

static void
skip(struct mc_bin *b, uint64_t n)
{
	b->swallow = n;
	b->state = n != 0 ? B_SWALLOW : B_HEADER;
}

/*
 * Exptimes are unsigned on the wire (memcached widens them to time_t):
 * past INT32_MAX one is a unix time decades ahead, never "negative".
 */
static int64_t
exptime_of(struct mc_store *s, uint32_t e)
{
	if (e > INT32_MAX)
		return (int64_t)e;
	return mc_store_exptime(s, (int32_t)e);
}

static const char *
key_of(const struct mc_bin *b)
{
	return (const char *)b->ek + b->extlen;
}

static uint64_t
cas_of(struct mc_store *s, const struct mc_bin *b)
{
	struct mc_item *it = mc_store_get(s, key_of(b), b->keylen, false);

	return it != NULL ? it->cas : 0;
}

/* get, getk, touch, gat, gatk and their quiet forms. */
static void
bin_get(struct mc_conn *c, struct mc_bin *b)
{
	struct mc_store *s = mc_conn_store(c);
	struct mc_stats *st = mc_store_counters(s);
	bool touch = b->cmd == OP_TOUCH || b->cmd == OP_GAT ||
	    b->cmd == OP_GATK;
	bool with_key = b->cmd == OP_GETK || b->cmd == OP_GATK;
	uint16_t nkey = with_key ? b->keylen : 0;
	struct mc_item *it;
	uint8_t flags[4];
	uint32_t vlen;

	if (touch)
		it = mc_store_touch(s, key_of(b), b->keylen,
		    exptime_of(s, be32(b->ek)));
	else
		it = mc_store_get(s, key_of(b), b->keylen, true);
	if (touch) {
		st->cmd_touch++;
		if (it != NULL)
			st->touch_hits++;
		else
			st->touch_misses++;
	} else {
		st->cmd_get++;
		if (it != NULL)
			st->get_hits++;
		else
			st->get_misses++;
	}
	if (it == NULL) {
		/* A quiet get says nothing of a miss. */
		if (b->quiet)
			return;
		if (with_key) {
			respond(c, b, ST_ENOENT, 0, nkey, nkey, 0);
			mc_conn_out(c, key_of(b), nkey);
		} else
			fail(c, b, ST_ENOENT);
		return;
	}
	vlen = b->cmd == OP_TOUCH ? 0 : it->nbytes - 2;
	put32(flags, it->flags);
	respond(c, b, ST_OK, 4, nkey, 4 + nkey + vlen, it->cas);
	mc_conn_out(c, flags, 4);
	mc_conn_out(c, key_of(b), nkey);
	mc_conn_out(c, mc_item_value(it), vlen);
}

/* set, add, replace, append, prepend: the value is to come. */
static void
bin_update(struct mc_conn *c, struct mc_bin *b)
{
	struct mc_store *s = mc_conn_store(c);
	struct mc_stats *st = mc_store_counters(s);
	bool join = b->cmd == OP_APPEND || b->cmd == OP_PREPEND;
	uint32_t flags = join ? 0 : be32(b->ek);
	uint32_t exptime = join ? 0 : be32(b->ek + 4);
	uint32_t vlen = b->bodylen - b->keylen - b->extlen;
	struct mc_item *it;
	enum mc_alloc a;

	/*
	 * memcached holds the value's length in an int: one past INT_MAX
	 * is too large, and, being negative, nothing is swallowed after it.
	 */
	if ((int32_t)vlen < 0) {
		a = MC_ALLOC_TOO_LARGE;
		it = NULL;
	} else
		a = mc_item_new(s, key_of(b), b->keylen, flags,
		    exptime_of(s, exptime), (size_t)vlen + 2, &it);
	if (a != MC_ALLOC_OK) {
		if (a == MC_ALLOC_TOO_LARGE) {
			fail(c, b, ST_E2BIG);
			st->store_too_large++;
		} else {
			fail_text(c, b, ST_ENOMEM,
			    "Out of memory allocating item");
			st->store_no_memory++;
		}
		/* The value that failed must not leave the old one behind. */
		if (b->cmd == OP_SET)
			mc_store_delete(s, key_of(b), b->keylen);
		skip(b, (int32_t)vlen > 0 ? vlen : 0);
		return;
	}
	switch (b->cmd) {
	case OP_SET:
		b->store_cmd = MC_SET;
		break;
	case OP_ADD:
		b->store_cmd = MC_ADD;
		break;
	case OP_REPLACE:
		b->store_cmd = MC_REPLACE;
		break;
	case OP_APPEND:
		b->store_cmd = MC_APPEND;
		break;
	default:
		b->store_cmd = MC_PREPEND;
		break;
	}
	/* A cas turns set, add and replace into a cas, as in memcached. */
	if (b->cas != 0 && !join)
		b->store_cmd = MC_CAS;
	it->cas = b->cas;
	b->item = it;
	b->vfill = 0;
	b->state = B_VALUE;
}

/* The value is in: store it. */
static void
bin_stored(struct mc_conn *c, struct mc_bin *b)
{
	struct mc_store *s = mc_conn_store(c);
	struct mc_item *it = b->item, *old;

	b->item = NULL;
	b->state = B_HEADER;
	mc_store_counters(s)->cmd_set++;
	/* The binary value has no CRLF; the item keeps one, as for text. */
	memcpy(mc_item_value(it) + it->nbytes - 2, "\r\n", 2);
	if ((b->store_cmd == MC_APPEND || b->store_cmd == MC_PREPEND) &&
	    b->cas != 0) {
		/* memcached checks an append's cas against the old item. */
		old = mc_store_get(s, key_of(b), b->keylen, false);
		if (old != NULL && old->cas != b->cas) {
			mc_item_free(s, it);
			fail(c, b, ST_EEXISTS);
			return;
		}
	}
	switch (mc_store_item(s, it, b->store_cmd)) {
	case MC_STORED:
		done(c, b, NULL, 0, cas_of(s, b));
		break;
	case MC_EXISTS:
		fail(c, b, ST_EEXISTS);
		break;
	case MC_NOT_FOUND:
		fail(c, b, ST_ENOENT);
		break;
	case MC_NOT_STORED:
		fail(c, b, b->store_cmd == MC_ADD ? ST_EEXISTS :
		    b->store_cmd == MC_REPLACE ? ST_ENOENT : ST_NOT_STORED);
		break;
	}
}

static void
bin_delete(struct mc_conn *c, struct mc_bin *b)
{
	struct mc_store *s = mc_conn_store(c);
	struct mc_stats *st = mc_store_counters(s);
	struct mc_item *it = mc_store_get(s, key_of(b), b->keylen, false);

	if (it == NULL) {
		st->delete_misses++;
		fail(c, b, ST_ENOENT);
	} else if (b->cas != 0 && b->cas != it->cas)
		fail(c, b, ST_EEXISTS);
	else {
		mc_store_delete(s, key_of(b), b->keylen);
		st->delete_hits++;
		done(c, b, NULL, 0, 0);
	}
}

/* incr/decr: a miss creates the initial value unless told not to. */
static void
bin_delta(struct mc_conn *c, struct mc_bin *b)
{
	struct mc_store *s = mc_conn_store(c);
	struct mc_stats *st = mc_store_counters(s);
	bool incr = b->cmd == OP_INCR;
	uint64_t delta = be64(b->ek), initial = be64(b->ek + 8);
	uint32_t exptime = be32(b->ek + 16);
	struct mc_item *it = mc_store_get(s, key_of(b), b->keylen, false);
	uint8_t val[8];
	char buf[24];
	int n;

	/* memcached looks at the cas after the length, before the digits. */
	if (it != NULL && it->nbytes > 2 && b->cas != 0 && b->cas != it->cas) {
		fail(c, b, ST_EEXISTS);
		return;
	}
	switch (mc_store_delta(s, key_of(b), b->keylen, incr, delta, buf, NULL,
	    NULL)) {
	case MC_DELTA_OK:
		put64(val, strtoull(buf, NULL, 10));
		done(c, b, val, sizeof val, cas_of(s, b));
		return;
	case MC_DELTA_NON_NUMERIC:
		fail(c, b, ST_DELTA_BADVAL);
		return;
	case MC_DELTA_EOM:
		fail_text(c, b, ST_ENOMEM, "Out of memory incrementing value");
		return;
	case MC_DELTA_EXISTS:	/* only with a cas to match: none here */
		fail(c, b, ST_EEXISTS);
		return;
	case MC_DELTA_NOT_FOUND:
		break;
	}
	if (exptime == NO_CREATE) {
		if (incr)
			st->incr_misses++;
		else
			st->decr_misses++;
		fail(c, b, ST_ENOENT);
		return;
	}
	n = snprintf(buf, sizeof buf, "%llu", (unsigned long long)initial);
	if (mc_item_new(s, key_of(b), b->keylen, 0, exptime_of(s, exptime),
	    (size_t)n + 2, &it) != MC_ALLOC_OK) {
		fail_text(c, b, ST_ENOMEM, "Out of memory allocating new item");
		return;
	}
	memcpy(mc_item_value(it), buf, (size_t)n);
	memcpy(mc_item_value(it) + n, "\r\n", 2);
	if (mc_store_item(s, it, MC_ADD) != MC_STORED) {
		fail(c, b, ST_NOT_STORED);
		return;
	}
	put64(val, initial);
	done(c, b, val, sizeof val, cas_of(s, b));
}

static void
stat_one(struct mc_conn *c, const struct mc_bin *b, const char *k,
    size_t nk, const char *v, size_t nv)
{
	respond(c, b, ST_OK, 0, (uint16_t)nk, (uint32_t)(nk + nv), 0);
	mc_conn_out(c, k, nk);
	mc_conn_out(c, v, nv);
}

/*
 * The text protocol's `line` (a stats command), its STAT lines recast as
 * binary stats without the end: the two protocols cannot differ in what
 * they report. False, with nothing sent, unless it answered STAT lines
 * and END.
 */
static bool
stats_recast(struct mc_conn *c, const struct mc_bin *b, char *line)
{
	size_t mark = mc_conn_pending(c), n, i, e, sp;
	const char *o;
	char *t;
	bool ok = true;

	mc_conn_text(c, line);
	if (mc_conn_closing(c))
		return true;
	o = mc_conn_out_since(c, mark, &n);
	if ((t = malloc(n + 1)) == NULL) {
		mc_conn_out_cut(c, mark);
		mc_conn_close(c);
		return true;
	}
	memcpy(t, o, n);
	t[n] = '\0';
	mc_conn_out_cut(c, mark);
	if (n < 5 || memcmp(t + n - 5, "END\r\n", 5) != 0)
		ok = false;
	for (i = 0; ok && i < n - 5; i = e + 2) {
		e = (size_t)((char *)memchr(t + i, '\n', n - i) - t) - 1;
		sp = i + 5;
		while (sp < e && t[sp] != ' ')
			sp++;
		if (memcmp(t + i, "STAT ", 5) != 0 || sp == e)
			ok = false;
	}
	for (i = 0; ok && i < n - 5; i = e + 2) {
		e = (size_t)((char *)memchr(t + i, '\n', n - i) - t) - 1;
		sp = i + 5;
		while (t[sp] != ' ')
			sp++;
		stat_one(c, b, t + i + 5, sp - i - 5, t + sp + 1, e - sp - 1);
	}
	free(t);
	return ok;
}

static bool
prefix(const struct mc_bin *b, const char *p)
{
	size_t n = strlen(p);

	return b->keylen >= n && memcmp(key_of(b), p, n) == 0;
}

/* stat [key]: each stat one answer, then an empty one. */
static void
bin_stat(struct mc_conn *c, struct mc_bin *b)
{
	char line[8 + MC_KEY_MAX];
	size_t i;

	/* memcached matches reset, settings and detail as prefixes. */
	if (b->keylen == 0)
		stats_recast(c, b, strcpy(line, "stats"));
	else if (prefix(b, "reset"))
		mc_store_reset_stats(mc_conn_store(c));
	else if (prefix(b, "settings"))
		stats_recast(c, b, strcpy(line, "stats settings"));
	else if (prefix(b, "detail")) {
		const char *k = key_of(b) + 6;
		size_t nk = b->keylen - 6U;

		/* No prefix statistics are kept: an empty dump. */
		if (nk >= 5 && memcmp(k, " dump", 5) == 0)
			stat_one(c, b, "detailed", 8, "END\r\n", 5);
		else if (!(nk >= 3 && memcmp(k, " on", 3) == 0) &&
		    !(nk >= 4 && memcmp(k, " off", 4) == 0)) {
			fail(c, b, ST_ENOENT);
			return;
		}
	} else {
		/* Any other group the text protocol knows, by its name. */
		for (i = 0; i < b->keylen; i++)
			if (key_of(b)[i] <= ' ' || key_of(b)[i] > '~')
				break;
		snprintf(line, sizeof line, "stats %.*s", (int)b->keylen,
		    key_of(b));
		if (i < b->keylen || !stats_recast(c, b, line)) {
			fail(c, b, ST_ENOENT);
			return;
		}
	}
	respond(c, b, ST_OK, 0, 0, 0, 0);
}

/* The extras and key are in: run the command. */
static void
dispatch(struct mc_conn *c, struct mc_bin *b)
{
	struct mc_store *s = mc_conn_store(c);
	uint32_t exptime;

	b->state = B_HEADER;
	mc_store_now(s);
	switch (b->cmd) {
	case OP_GET:
	case OP_GETK:
	case OP_TOUCH:
	case OP_GAT:
	case OP_GATK:
		bin_get(c, b);
		break;
	case OP_SET:
	case OP_ADD:
	case OP_REPLACE:
	case OP_APPEND:
	case OP_PREPEND:
		bin_update(c, b);
		if (b->state == B_VALUE && b->item->nbytes == 2)
			bin_stored(c, b);
		break;
	case OP_DELETE:
		bin_delete(c, b);
		break;
	case OP_INCR:
	case OP_DECR:
		bin_delta(c, b);
		break;
	case OP_QUIT:
		done(c, b, NULL, 0, 0);
		mc_conn_close(c);
		break;
	case OP_FLUSH:
		exptime = b->extlen == 4 ? be32(b->ek) : 0;
		mc_store_counters(s)->cmd_flush++;
		mc_store_flush(s, exptime > INT32_MAX ? INT32_MAX :
		    (int32_t)exptime);
		done(c, b, NULL, 0, 0);
		break;
	case OP_NOOP:
		/* Answered even among quiet ones: it ends a pipeline. */
		done(c, b, NULL, 0, 0);
		break;
	case OP_VERSION:
		done(c, b, MC_VERSION, strlen(MC_VERSION), 0);
		break;
	case OP_STAT:
		bin_stat(c, b);
		break;
	}
}

/* The loud form of a quiet opcode, or the opcode itself. */
static uint8_t
loud(uint8_t op, bool *quiet)
{
	static const uint8_t map[][2] = {
		{ OP_GETQ, OP_GET }, { OP_GETKQ, OP_GETK },
		{ OP_SETQ, OP_SET }, { OP_ADDQ, OP_ADD },
		{ OP_REPLACEQ, OP_REPLACE }, { OP_DELETEQ, OP_DELETE },
		{ OP_INCRQ, OP_INCR }, { OP_DECRQ, OP_DECR },
		{ OP_QUITQ, OP_QUIT }, { OP_FLUSHQ, OP_FLUSH },
		{ OP_APPENDQ, OP_APPEND }, { OP_PREPENDQ, OP_PREPEND },
		{ OP_GATQ, OP_GAT }, { OP_GATKQ, OP_GATK },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i][0] == op) {
			*quiet = true;
			return map[i][1];
		}
	*quiet = false;
	return op;
}

/* Whether the lengths suit the command, as memcached checks them. */
static bool
lengths_ok(const struct mc_bin *b)
{
	uint32_t ext = b->extlen, key = b->keylen, body = b->bodylen;

	switch (b->cmd) {
	case OP_VERSION:
	case OP_NOOP:
	case OP_QUIT:
	case OP_SASL_LIST:
		return ext == 0 && key == 0 && body == 0;
	case OP_FLUSH:
		return key == 0 && body == ext && (ext == 0 || ext == 4);
	case OP_SET:
	case OP_ADD:
	case OP_REPLACE:
		return ext == 8 && key != 0;
	case OP_GET:
	case OP_GETK:
	case OP_DELETE:
		return ext == 0 && key != 0 && body == key;
	case OP_INCR:
	case OP_DECR:
		return ext == 20 && key != 0 && body == key + ext;
	case OP_APPEND:
	case OP_PREPEND:
		return ext == 0 && key != 0;
	case OP_STAT:
		return ext == 0;
	case OP_SASL_AUTH:
	case OP_SASL_STEP:
		return ext == 0 && key != 0;
	case OP_TOUCH:
	case OP_GAT:
	case OP_GATK:
		return ext == 4 && key != 0;
	}
	return true;		/* unknown: answered as such */
}

/* A header is in: judge it, and go for its extras and key. */
static void
header(struct mc_conn *c, struct mc_bin *b)
{
	const uint8_t *h = b->hdr;
	int32_t body;

	b->fill = 0;
	b->state = B_HEADER;
	/* Once binary, always: a text command or stray byte ends it. */
	if (h[0] != MC_BIN_REQ) {
		mc_conn_close(c);
		return;
	}
	b->opcode = h[1];
	b->keylen = (uint16_t)(h[2] << 8 | h[3]);
	b->extlen = h[4];
	b->bodylen = be32(h + 8);
	memcpy(b->opaque, h + 12, 4);
	b->cas = be64(h + 16);
	b->cmd = loud(b->opcode, &b->quiet);
	if ((uint32_t)b->keylen + b->extlen > b->bodylen) {
		b->quiet = false;
		refuse(c, b, ST_UNKNOWN);
		return;
	}
	if (b->keylen > MC_KEY_MAX || !lengths_ok(b)) {
		refuse(c, b, ST_EINVAL);
		return;
	}
	switch (b->cmd) {
	case OP_GET: case OP_GETK: case OP_TOUCH: case OP_GAT: case OP_GATK:
	case OP_SET: case OP_ADD: case OP_REPLACE: case OP_APPEND:
	case OP_PREPEND: case OP_DELETE: case OP_INCR: case OP_DECR:
	case OP_QUIT: case OP_FLUSH: case OP_NOOP: case OP_VERSION:
	case OP_STAT:
		if (b->extlen + b->keylen == 0)
			dispatch(c, b);
		else
			b->state = B_EXTKEY;
		return;
	case OP_SASL_LIST:
	case OP_SASL_AUTH:
	case OP_SASL_STEP:
		/* memcached without SASL: unknown, the value swallowed. */
		fail(c, b, ST_UNKNOWN);
		skip(b, b->bodylen);
		return;
	}
	/*
	 * Unknown: memcached has taken the extras and key, and swallows
	 * body length more (a count it keeps in an int: ignored when that
	 * is not positive). Yes, that eats into what follows.
	 */
	fail(c, b, ST_UNKNOWN);
	body = (int32_t)b->bodylen;
	skip(b, (uint64_t)b->extlen + b->keylen + (body > 0 ? (uint64_t)body :
	    0));
}

size_t
mc_bin_feed(struct mc_conn *c, struct mc_bin *b, const uint8_t *p,
    size_t len)
{
	struct mc_store *s = mc_conn_store(c);
	struct mc_stats *st = mc_store_counters(s);
	size_t i = 0, n, need;

	while (!mc_conn_closing(c) && i < len &&
	    mc_conn_pending(c) < MC_OUT_HIGH) {
		/* Counted before the command runs, so no cut changes stats. */
		switch (b->state) {
		case B_HEADER:
			n = HEADER - b->fill < len - i ? HEADER - b->fill :
			    len - i;
			memcpy(b->hdr + b->fill, p + i, n);
			b->fill += n;
			i += n;
			st->bytes_read += n;
			if (b->fill == HEADER)
				header(c, b);
			break;
		case B_EXTKEY:
			need = (size_t)b->extlen + b->keylen;
			n = need - b->fill < len - i ? need - b->fill : len - i;
			memcpy(b->ek + b->fill, p + i, n);
			b->fill += n;
			i += n;
			st->bytes_read += n;
			if (b->fill == need) {
				b->fill = 0;
				dispatch(c, b);
			}
			break;
		case B_VALUE:
			need = b->item->nbytes - 2 - b->vfill;
			n = need < len - i ? need : len - i;
			memcpy(mc_item_value(b->item) + b->vfill, p + i, n);
			b->vfill += n;
			i += n;
			st->bytes_read += n;
			if (b->vfill == b->item->nbytes - 2U)
				bin_stored(c, b);
			break;
		case B_SWALLOW:
			n = b->swallow < len - i ? (size_t)b->swallow : len - i;
			b->swallow -= n;
			i += n;
			st->bytes_read += n;
			if (b->swallow == 0)
				b->state = B_HEADER;
			break;
		}
	}
	if (mc_conn_closing(c)) {
		mc_item_free(s, b->item);
		b->item = NULL;
		/* What follows is read, and ignored. */
		st->bytes_read += len - i;
		i = len;
	}
	return i;
}
