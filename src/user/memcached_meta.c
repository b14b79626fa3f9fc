/*
 * memcached_meta.c — the meta commands of memcached 1.6.18 (mg, ms, md,
 * ma, me, mn): flags of one letter, maybe a token after it; answers are
 * a two-letter code and the flags asked for, in the order asked. The
 * texts, codes and counters are the real server's (proto_text.c), which
 * tests/memcached_corpus.txt checks answer by answer.
 */
#include "user/memcached_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_TOKEN	1
#define OPT_MAX		20	/* memcached's MFLAG_MAX_OPT_LENGTH */
#define OPAQUE_MAX	32	/* MFLAG_MAX_OPAQUE_LENGTH */
#define ERR_FORMAT	"CLIENT_ERROR bad command line format"
#define ERR_TOKEN	"CLIENT_ERROR bad token in command line format"
#define ERR_FLAG	"CLIENT_ERROR invalid or duplicate flag"

/* What the flags of one command asked for. */
struct mflags {
	bool has_error;
	bool key_binary, value, no_update, quiet, vivify, stale, has_cas;
	bool new_ttl;
	char mode;
	uint32_t client_flags;
	int64_t exptime, autoviv, recache;
	uint64_t cas, delta, initial;
};

/* An answer line being built; it cannot overflow (keys and opaques are
 * bounded, and so is the number of flags). */
struct line {
	char b[1024];
	size_t n;
};

static void
put(struct line *l, const void *p, size_t n)
{
	if (n > sizeof l->b - l->n)
		n = sizeof l->b - l->n;
	memcpy(l->b + l->n, p, n);
	l->n += n;
}

static void
putf(struct line *l, const char *fmt, unsigned long long v)
{
	char tmp[32];
	int n = snprintf(tmp, sizeof tmp, fmt, v);

	if (n > 0)
		put(l, tmp, (size_t)n);
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static size_t
b64_encode(const uint8_t *src, size_t len, char *out)
{
	size_t o = 0, i;

	for (i = 0; i + 3 <= len; i += 3) {
		out[o++] = b64[src[i] >> 2];
		out[o++] = b64[((src[i] & 3) << 4) | (src[i + 1] >> 4)];
		out[o++] = b64[((src[i + 1] & 15) << 2) | (src[i + 2] >> 6)];
		out[o++] = b64[src[i + 2] & 63];
	}
	if (len - i == 1) {
		out[o++] = b64[src[i] >> 2];
		out[o++] = b64[(src[i] & 3) << 4];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		out[o++] = b64[src[i] >> 2];
		out[o++] = b64[((src[i] & 3) << 4) | (src[i + 1] >> 4)];
		out[o++] = b64[(src[i + 1] & 15) << 2];
		out[o++] = '=';
	}
	return o;
}

static int
b64_value(uint8_t ch)
{
	const char *p;

	if (ch == '=')
		return 0;
	if (ch == 0 || (p = strchr(b64, ch)) == NULL)
		return -1;
	return (int)(p - b64);
}

/*
 * memcached's decoder: bytes outside the alphabet are skipped, the rest
 * must come in groups of four, and padding ends the text. In place (the
 * output is shorter); 0 when it is not base64.
 */
static size_t
b64_decode(char *s, size_t len)
{
	size_t count = 0, o = 0, i;
	unsigned pad = 0, n = 0;
	uint8_t block[4];

	for (i = 0; i < len; i++)
		if (b64_value((uint8_t)s[i]) >= 0)
			count++;
	if (count == 0 || count % 4 != 0)
		return 0;
	for (i = 0; i < len; i++) {
		int v = b64_value((uint8_t)s[i]);

		if (v < 0)
			continue;
		if (s[i] == '=')
			pad++;
		block[n++] = (uint8_t)v;
		if (n < 4)
			continue;
		s[o++] = (char)((block[0] << 2) | (block[1] >> 4));
		s[o++] = (char)((block[1] << 4) | (block[2] >> 2));
		s[o++] = (char)((block[2] << 6) | block[3]);
		n = 0;
		if (pad > 0) {
			if (pad > 2)
				return 0;
			o -= pad;
			break;
		}
	}
	return o;
}

/* " k<key>", in base64 with " b" after it if it came so. */
static void
put_key(struct line *l, const char *key, size_t nkey, bool binary)
{
	char enc[(MC_KEY_MAX + 2) / 3 * 4 + 4];

	put(l, " k", 2);
	if (!binary) {
		put(l, key, nkey);
		return;
	}
	put(l, enc, b64_encode((const uint8_t *)key, nkey, enc));
	put(l, " b", 2);
}

static void
send_line(struct mc_conn *c, struct line *l)
{
	put(l, "\r\n", 2);
	mc_out_bytes(c, l->b, l->n);
}

/* Errors are sent whatever q says. */
static void
error(struct mc_conn *c, const char *msg)
{
	mc_out_bytes(c, msg, strlen(msg));
	mc_out_bytes(c, "\r\n", 2);
}

/*
 * memcached's _meta_flag_preparse: every flag once, known to it, and its
 * token well formed. Returns false with *err set; a bad token leaves the
 * rest parsed, as memcached does, and its message may be replaced by a
 * later one's.
 */
static bool
preparse(struct mc_store *s, struct token *t, size_t start,
    struct mflags *of, const char **err)
{
	uint8_t seen[128] = { 0 };
	int32_t v;

	for (size_t i = start; t[i].v != NULL && t[i].len != 0; i++) {
		uint8_t o = (uint8_t)t[i].v[0];

		if (o >= 127 || seen[o]) {
			*err = "CLIENT_ERROR duplicate flag";
			return false;
		}
		seen[o] = 1;
		switch (o) {
		case 'b': {
			size_t n = b64_decode(t[KEY_TOKEN].v, t[KEY_TOKEN].len);

			if (n == 0) {
				*err = "CLIENT_ERROR error decoding key";
				of->has_error = true;
			}
			t[KEY_TOKEN].len = n;
			of->key_binary = true;
			break;
		}
		case 'N':
		case 'T':
		case 'R':
			if (!mc_parse_i32(t[i].v + 1, &v)) {
				*err = ERR_TOKEN;
				of->has_error = true;
				break;
			}
			/* memcached makes a negative TTL one long past. */
			if (o == 'N') {
				of->vivify = true;
				of->autoviv = mc_store_exptime(s, v);
			} else if (o == 'T') {
				of->exptime = mc_store_exptime(s, v);
				of->new_ttl = true;
			} else
				of->recache = mc_store_exptime(s, v);
			break;
		case 'l': case 'O': case 'P': case 'L': case 'k': case 's':
		case 't': case 'c': case 'f': case 'h':
			break;
		case 'v':
			of->value = true;
			break;
		case 'u':
			of->no_update = true;
			break;
		case 'q':
			of->quiet = true;
			break;
		case 'F':
			if (!mc_parse_u32(t[i].v + 1, &of->client_flags))
				of->has_error = true;
			break;
		case 'C':
			if (!mc_parse_u64(t[i].v + 1, SIZE_MAX, &of->cas)) {
				*err = ERR_TOKEN;
				of->has_error = true;
			} else
				of->has_cas = true;
			break;
		case 'M':
			if (t[i].len != 2) {
				*err = "CLIENT_ERROR incorrect length for M token";
				of->has_error = true;
			} else
				of->mode = t[i].v[1];
			break;
		case 'J':
			if (!mc_parse_u64(t[i].v + 1, SIZE_MAX, &of->initial)) {
				*err = "CLIENT_ERROR invalid numeric initial value";
				of->has_error = true;
			}
			break;
		case 'D':
			if (!mc_parse_u64(t[i].v + 1, SIZE_MAX, &of->delta)) {
				*err = "CLIENT_ERROR invalid numeric delta value";
				of->has_error = true;
			}
			break;
		case 'I':
			of->stale = true;
			break;
		default:
			*err = "CLIENT_ERROR invalid flag";
			return false;
		}
	}
	return !of->has_error;
}

/* The opaque and key flags of an answer without an item (EN, NF, ...). */
static bool
put_ok_flags(struct line *l, struct token *t, size_t ntokens,
    const char *key, size_t nkey, bool binary)
{
	for (size_t i = KEY_TOKEN + 1; i < ntokens - 1; i++)
		if (t[i].v[0] == 'O') {
			if (t[i].len > OPAQUE_MAX)
				return false;
			put(l, " ", 1);
			put(l, t[i].v, t[i].len);
		} else if (t[i].v[0] == 'k')
			put_key(l, key, nkey, binary);
	return true;
}

static void
meta_get(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_store *s = c->s;
	struct mc_stats *st = mc_store_counters(s);
	struct mflags of = { 0 };
	const char *err = ERR_FORMAT;
	struct mc_item *it;
	struct line l = { .n = 0 };
	bool created = false, won = false, ttl_set = false;
	int64_t now = mc_store_now(s);

	if (t[KEY_TOKEN].len > MC_KEY_MAX) {
		error(c, ERR_FORMAT);
		return;
	}
	if (ntokens > OPT_MAX) {
		error(c, "CLIENT_ERROR options flags are too long");
		return;
	}
	if (!preparse(s, t, 2, &of, &err)) {
		error(c, err);
		return;
	}
	it = mc_store_get(s, t[KEY_TOKEN].v, t[KEY_TOKEN].len, false);
	if (it == NULL && of.vivify) {
		/* A miss creates an empty item: this client makes it. */
		it = mc_store_vivify(s, t[KEY_TOKEN].v, t[KEY_TOKEN].len, 0,
		    "", 0);
		if (it != NULL) {
			created = true;
			if (of.key_binary)
				it->iflags |= MC_IT_BINKEY;
		}
	}
	if (it == NULL) {
		for (size_t i = KEY_TOKEN + 1; i < ntokens - 1; i++)
			if (t[i].v[0] == 'T')
				ttl_set = true;
		if (ttl_set) {
			st->cmd_touch++;
			st->touch_misses++;
		} else {
			st->cmd_get++;
			st->get_misses++;
		}
		put(&l, "EN", 2);
		if (!put_ok_flags(&l, t, ntokens, t[KEY_TOKEN].v,
		    t[KEY_TOKEN].len, of.key_binary)) {
			error(c, "CLIENT_ERROR opaque token too long");
			return;
		}
		if (!of.quiet)
			send_line(c, &l);
		return;
	}
	if (of.value) {
		put(&l, "VA", 2);
		putf(&l, " %llu", it->nbytes - 2);
	} else
		put(&l, "HD", 2);
	for (size_t i = KEY_TOKEN + 1; i < ntokens - 1; i++) {
		switch (t[i].v[0]) {
		case 'T':
			ttl_set = true;
			it->exptime = of.exptime;
			break;
		case 'N':
			if (created) {
				it->exptime = of.autoviv;
				won = true;
			}
			break;
		case 'R':
			/* Close to expiring: this client may refresh it. */
			if (!(it->iflags & MC_IT_TOKEN) && !created &&
			    it->exptime != 0 && it->exptime < of.recache)
				won = true;
			break;
		case 's':
			putf(&l, " s%llu", it->nbytes - 2);
			break;
		case 't':
			if (it->exptime == 0)
				put(&l, " t-1", 4);
			else
				putf(&l, " t%llu",
				    (uint32_t)(it->exptime - now));
			break;
		case 'c':
			putf(&l, " c%llu", it->cas);
			break;
		case 'f':
			putf(&l, " f%llu", it->flags);
			break;
		case 'l':
			putf(&l, " l%llu", (uint32_t)(now - it->atime));
			break;
		case 'h':
			put(&l, it->iflags & MC_IT_FETCHED ? " h1" : " h0", 3);
			break;
		case 'O':
			if (t[i].len > OPAQUE_MAX) {
				error(c, "CLIENT_ERROR opaque token too long");
				return;
			}
			put(&l, " ", 1);
			put(&l, t[i].v, t[i].len);
			break;
		case 'k':
			put_key(&l, it->data, it->nkey,
			    it->iflags & MC_IT_BINKEY);
			break;
		}
	}
	if (it->iflags & MC_IT_TOKEN)
		put(&l, " Z", 2);
	if (it->iflags & MC_IT_STALE) {
		put(&l, " X", 2);
		if (!(it->iflags & MC_IT_TOKEN))
			won = true;
	}
	if (won) {
		put(&l, " W", 2);
		it->iflags |= MC_IT_TOKEN;
	}
	send_line(c, &l);
	if (of.value)
		mc_out_bytes(c, mc_item_value(it), it->nbytes);
	if (ttl_set) {
		st->cmd_touch++;
		st->touch_hits++;
		mc_store_class(s, mc_item_class(it))->touch_hits++;
	} else {
		st->cmd_get++;
		st->get_hits++;
		mc_store_class(s, mc_item_class(it))->get_hits++;
	}
	/* After the answer: h and l tell what was before this fetch. */
	if (!of.no_update)
		mc_store_hit(s, it);
}

static void
meta_set(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_store *s = c->s;
	struct mc_stats *st = mc_store_counters(s);
	struct mflags of = { 0 };
	const char *err = ERR_FORMAT;
	int32_t vlen;
	uint64_t swallow;
	enum mc_cmd cmd = MC_SET;
	int64_t exptime;
	struct mc_item *it;
	enum mc_alloc a;

	if (t[KEY_TOKEN].len > MC_KEY_MAX || ntokens == 3) {
		error(c, ERR_FORMAT);
		return;
	}
	if (ntokens > OPT_MAX) {
		error(c, "CLIENT_ERROR options flags too long");
		return;
	}
	if (!mc_parse_i32(t[KEY_TOKEN + 1].v, &vlen) || vlen < 0 ||
	    vlen > INT32_MAX - 2) {
		error(c, ERR_FORMAT);
		return;
	}
	/* From here on an error swallows the data block. */
	swallow = (uint64_t)vlen + 2;
	c->nstash = 0;
	if (!preparse(s, t, 3, &of, &err))
		goto fail;
	/* Kept for the answer, made once the item is stored. */
	free(c->stash);
	if ((c->stash = malloc((ntokens - 3) * (OPAQUE_MAX + 1))) == NULL) {
		err = "SERVER_ERROR out of memory storing object";
		goto fail;
	}
	for (size_t i = KEY_TOKEN + 2; i < ntokens - 1; i++) {
		char f = t[i].v[0];

		if (f == 'O') {
			if (t[i].len > OPAQUE_MAX) {
				err = "CLIENT_ERROR opaque token too long";
				goto fail;
			}
			memcpy(c->stash + c->nstash, t[i].v, t[i].len);
			c->nstash += t[i].len;
			c->stash[c->nstash++] = ' ';
		} else if (f == 'k' || f == 'c') {
			c->stash[c->nstash++] = f;
			c->stash[c->nstash++] = ' ';
		}
	}
	exptime = of.exptime;
	/* 1.6.18 takes N on ms, but appends to no missing item. */
	switch (of.mode) {
	case 0:
	case 'S':
		break;
	case 'E':
		cmd = MC_ADD;
		break;
	case 'A':
		cmd = MC_APPEND;
		break;
	case 'P':
		cmd = MC_PREPEND;
		break;
	case 'R':
		cmd = MC_REPLACE;
		break;
	default:
		err = "CLIENT_ERROR invalid mode for ms M token";
		goto fail;
	}
	/* A cas makes a set or a replace a cas. */
	if (of.has_cas && (cmd == MC_SET || cmd == MC_REPLACE))
		cmd = MC_CAS;
	a = mc_item_new(s, t[KEY_TOKEN].v, t[KEY_TOKEN].len, of.client_flags,
	    exptime, swallow, &it);
	if (a != MC_ALLOC_OK) {
		if (a == MC_ALLOC_TOO_LARGE) {
			err = "SERVER_ERROR object too large for cache";
			st->store_too_large++;
		} else {
			err = "SERVER_ERROR out of memory storing object";
			st->store_no_memory++;
		}
		/* No stale value may stay behind the one that failed. */
		mc_store_delete(s, t[KEY_TOKEN].v, t[KEY_TOKEN].len);
		goto fail;
	}
	it->cas = of.cas;
	if (of.key_binary)
		it->iflags |= MC_IT_BINKEY;
	c->item = it;
	c->fill = 0;
	c->cmd = cmd;
	c->meta = true;
	c->meta_quiet = of.quiet;
	c->meta_stale = of.stale && cmd == MC_CAS;
	c->state = ST_DATA;
	return;
fail:
	error(c, err);
	free(c->stash);
	c->stash = NULL;
	c->swallow = swallow;
	c->state = ST_SWALLOW;
}

void
mc_meta_stored(struct mc_conn *c, struct mc_item *it)
{
	static const char *const code[] = {
		[MC_STORED] = "HD", [MC_NOT_STORED] = "NS",
		[MC_EXISTS] = "EX", [MC_NOT_FOUND] = "NF",
	};
	char key[MC_KEY_MAX];
	size_t nkey = it->nkey;
	bool binary = it->iflags & MC_IT_BINKEY;
	struct line l = { .n = 0 };
	enum mc_stored r;

	memcpy(key, it->data, nkey);
	c->meta = false;
	r = mc_store_item_meta(c->s, it, c->cmd, c->meta_stale);
	c->cas = r == MC_STORED ? mc_store_cas(c->s) : 0;
	if (r == MC_STORED && c->meta_quiet) {
		free(c->stash);
		c->stash = NULL;
		return;
	}
	put(&l, code[r], 2);
	for (size_t i = 0; i < c->nstash; i++) {
		size_t e = i;

		while (e < c->nstash && c->stash[e] != ' ')
			e++;
		if (c->stash[i] == 'O') {
			put(&l, " ", 1);
			put(&l, c->stash + i, e - i);
		} else if (c->stash[i] == 'k')
			put_key(&l, key, nkey, binary);
		else if (c->stash[i] == 'c')
			putf(&l, " c%llu", c->cas);
		i = e;
	}
	free(c->stash);
	c->stash = NULL;
	send_line(c, &l);
}

static void
meta_delete(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_store *s = c->s;
	struct mc_stats *st = mc_store_counters(s);
	struct mflags of = { 0 };
	const char *err = ERR_FORMAT;
	struct mc_item *it;
	struct line l = { .n = 0 };
	const char *code;

	if (t[KEY_TOKEN].len > MC_KEY_MAX) {
		error(c, ERR_FORMAT);
		return;
	}
	if (ntokens > OPT_MAX) {
		error(c, "CLIENT_ERROR options flags too long");
		return;
	}
	if (!preparse(s, t, 2, &of, &err)) {
		error(c, ERR_FLAG);
		return;
	}
	if (!put_ok_flags(&l, t, ntokens, t[KEY_TOKEN].v, t[KEY_TOKEN].len,
	    of.key_binary)) {
		error(c, "CLIENT_ERROR opaque token too long");
		return;
	}
	it = mc_store_get(s, t[KEY_TOKEN].v, t[KEY_TOKEN].len, false);
	if (it == NULL) {
		st->delete_misses++;
		code = "NF";
	} else if (of.has_cas && it->cas != of.cas) {
		st->delete_misses++;
		code = "EX";
	} else if (of.stale) {
		/* Kept, marked stale, for the next mg to win a refresh. */
		if (of.new_ttl)
			it->exptime = of.exptime;
		it->iflags |= MC_IT_STALE;
		it->iflags &= ~MC_IT_TOKEN;
		mc_store_recas(s, it);
		code = "HD";
	} else {
		st->delete_hits++;
		mc_store_delete(s, t[KEY_TOKEN].v, t[KEY_TOKEN].len);
		code = "HD";
	}
	if (of.quiet && code[0] == 'H')
		return;
	mc_out_bytes(c, code, 2);
	send_line(c, &l);
}

static void
meta_arithmetic(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_store *s = c->s;
	struct mc_stats *st = mc_store_counters(s);
	struct mflags of = { .delta = 1 };
	const char *err = ERR_FORMAT;
	struct mc_item *it = NULL;
	struct line l = { .n = 0 };
	char buf[24];
	bool incr = true, created = false;
	int64_t now = mc_store_now(s);
	const char *key;
	size_t nkey;

	if (t[KEY_TOKEN].len > MC_KEY_MAX) {
		error(c, ERR_FORMAT);
		return;
	}
	if (ntokens > OPT_MAX) {
		error(c, "CLIENT_ERROR options flags too long");
		return;
	}
	if (!preparse(s, t, 2, &of, &err)) {
		error(c, ERR_FLAG);
		return;
	}
	key = t[KEY_TOKEN].v;
	nkey = t[KEY_TOKEN].len;
	switch (of.mode) {
	case 0: case 'I': case 'i': case '+':
		break;
	case 'D': case 'd': case '-':
		incr = false;
		break;
	default:
		error(c, "CLIENT_ERROR invalid mode for ma M token");
		return;
	}
	switch (mc_store_delta(s, key, nkey, incr, of.delta, buf, &of.cas,
	    &it)) {
	case MC_DELTA_OK:
		if (of.quiet)
			return;
		break;
	case MC_DELTA_NON_NUMERIC:
		error(c, "CLIENT_ERROR cannot increment or decrement "
		    "non-numeric value");
		return;
	case MC_DELTA_EOM:
		error(c, "SERVER_ERROR out of memory");
		return;
	case MC_DELTA_EXISTS:
		put(&l, "EX", 2);
		break;
	case MC_DELTA_NOT_FOUND:
		if (of.vivify) {
			snprintf(buf, sizeof buf, "%llu",
			    (unsigned long long)of.initial);
			it = mc_store_vivify(s, key, nkey, 0, buf, strlen(buf));
			if (it == NULL) {
				error(c, "SERVER_ERROR Out of memory "
				    "allocating new item");
				return;
			}
			if (of.key_binary)
				it->iflags |= MC_IT_BINKEY;
			created = true;
		} else {
			if (incr)
				st->incr_misses++;
			else
				st->decr_misses++;
			put(&l, "NF", 2);
		}
		break;
	}
	if (it == NULL) {
		if (!put_ok_flags(&l, t, ntokens, key, nkey, of.key_binary)) {
			error(c, "CLIENT_ERROR opaque token too long");
			return;
		}
		send_line(c, &l);
		return;
	}
	if (of.value) {
		put(&l, "VA", 2);
		putf(&l, " %llu", strlen(buf));
	} else
		put(&l, "HD", 2);
	for (size_t i = KEY_TOKEN + 1; i < ntokens - 1; i++) {
		switch (t[i].v[0]) {
		case 'c':
			putf(&l, " c%llu", it->cas);
			break;
		case 't':
			if (it->exptime == 0)
				put(&l, " t-1", 4);
			else
				putf(&l, " t%llu",
				    (uint32_t)(it->exptime - now));
			break;
		case 'T':
			it->exptime = of.exptime;
			break;
		case 'N':
			if (created)
				it->exptime = of.autoviv;
			break;
		case 'O':
			if (t[i].len > OPAQUE_MAX) {
				error(c, "CLIENT_ERROR opaque token too long");
				return;
			}
			put(&l, " ", 1);
			put(&l, t[i].v, t[i].len);
			break;
		case 'k':
			put_key(&l, key, nkey, of.key_binary);
			break;
		}
	}
	if (of.value) {
		put(&l, "\r\n", 2);
		put(&l, buf, strlen(buf));
	}
	send_line(c, &l);
}

static void
meta_debug(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_store *s = c->s;
	struct mc_item *it;
	struct line l = { .n = 0 };
	int64_t now = mc_store_now(s);
	size_t nkey;
	char tail[160];
	int n;

	if (ntokens < 3 || t[KEY_TOKEN].len > MC_KEY_MAX) {
		error(c, ERR_FORMAT);
		return;
	}
	nkey = t[KEY_TOKEN].len;
	if (ntokens >= 4 && t[2].len == 1 && t[2].v[0] == 'b' &&
	    (nkey = b64_decode(t[KEY_TOKEN].v, nkey)) == 0) {
		error(c, "CLIENT_ERROR error decoding key");
		return;
	}
	if ((it = mc_store_get(s, t[KEY_TOKEN].v, nkey, false)) == NULL) {
		error(c, "EN");
		return;
	}
	put(&l, "ME ", 3);
	if (it->iflags & MC_IT_BINKEY) {
		/* From memory, so the client sees what is stored. */
		char enc[(MC_KEY_MAX + 2) / 3 * 4 + 4];

		put(&l, enc, b64_encode((const uint8_t *)it->data, it->nkey,
		    enc));
	} else
		put(&l, it->data, it->nkey);
	n = snprintf(tail, sizeof tail,
	    " exp=%d la=%llu cas=%llu fetch=%s cls=%u size=%llu",
	    it->exptime == 0 ? -1 : (int)(it->exptime - now),
	    (unsigned long long)(now - it->atime),
	    (unsigned long long)it->cas,
	    it->iflags & MC_IT_FETCHED ? "yes" : "no", mc_item_class(it),
	    (unsigned long long)mc_item_ntotal(it->nkey, it->flags,
	    it->nbytes));
	if (n > 0)
		put(&l, tail, (size_t)n);
	send_line(c, &l);
}

void
mc_meta_command(struct mc_conn *c, struct token *t, size_t ntokens)
{
	const char *name = t[0].v;

	if (strcmp(name, "mn") == 0) {
		mc_out_bytes(c, "MN\r\n", 4);
		return;
	}
	if (strcmp(name, "me") == 0) {
		meta_debug(c, t, ntokens);
		return;
	}
	if ((strcmp(name, "mg") != 0 && strcmp(name, "ms") != 0 &&
	    strcmp(name, "md") != 0 && strcmp(name, "ma") != 0) ||
	    ntokens < 3) {
		mc_out_string(c, "ERROR");
		return;
	}
	switch (name[1]) {
	case 'g':
		meta_get(c, t, ntokens);
		break;
	case 's':
		meta_set(c, t, ntokens);
		break;
	case 'd':
		meta_delete(c, t, ntokens);
		break;
	case 'a':
		meta_arithmetic(c, t, ntokens);
		break;
	}
}
