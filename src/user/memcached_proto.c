/*
 * memcached_proto.c — a connection speaking memcached's text protocol:
 * command lines split as memcached 1.6.18 splits them (proto_text.c),
 * data blocks read into a fresh item, every answer and error text as
 * that server gives it. Input is taken byte by byte as it comes, so how
 * the stream is cut never changes the answers.
 */
#include "user/memcached_binary.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS	24		/* memcached's, the rest-of-line one too */
#define MAX_VERBOSITY	2
#define LINE_KEEP	(4 * 1024)	/* a line buffer bigger is let go */
#define OUT_KEEP	(16 * 1024)	/* so is an output buffer */

enum state {
	ST_LINE,	/* reading a command line */
	ST_DATA,	/* reading a data block into item */
	ST_SWALLOW,	/* throwing a data block away */
	ST_GET,		/* a get, paused while its output waits */
	ST_CLOSING,
};

struct mc_conn {
	struct mc_store *s;
	enum state state;
	bool noreply;		/* the next answer is not sent */
	bool seen;		/* the first byte was looked at */
	char *line;		/* the command line so far */
	size_t len, cap;
	struct mc_item *item;	/* ST_DATA */
	size_t fill;
	enum mc_cmd cmd;
	uint64_t swallow;	/* ST_SWALLOW: bytes left */
	size_t get_pos, get_end; /* ST_GET: keys left in line */
	bool get_cas, get_touch;
	int64_t get_exptime;
	char *out;		/* output: out[head, head + olen) */
	size_t head, olen, ocap;
	struct mc_bin *bin;	/* the binary protocol's, if spoken */
};

struct token {
	char *v;		/* NUL-terminated; NULL for the last */
	size_t len;
};

static void get_run(struct mc_conn *c);

struct mc_conn *
mc_conn_new(struct mc_store *s)
{
	struct mc_conn *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->s = s;
	c->state = ST_LINE;
	mc_store_conn(s, 1);
	return c;
}

void
mc_conn_free(struct mc_conn *c)
{
	if (c == NULL)
		return;
	mc_store_conn(c->s, -1);
	mc_item_free(c->s, c->item);
	mc_bin_free(c->s, c->bin);
	free(c->line);
	free(c->out);
	free(c);
}

bool
mc_conn_closing(const struct mc_conn *c)
{
	return c->state == ST_CLOSING;
}

size_t
mc_conn_memory(const struct mc_conn *c)
{
	return sizeof *c + c->cap + c->ocap + mc_bin_memory(c->bin);
}

size_t
mc_conn_memory_bound(size_t item_size_max)
{
	/*
	 * The line stops at MC_GET_LINE_MAX; output goes past MC_OUT_HIGH by
	 * one VALUE line, its value and an END (or a stats answer), and
	 * out_bytes() gives it 1 KiB of slack there.
	 */
	size_t out = MC_OUT_HIGH + item_size_max + 8192;

	if (out < 2 * MC_OUT_HIGH)
		out = 2 * MC_OUT_HIGH;
	return sizeof(struct mc_conn) + MC_GET_LINE_MAX + 2 + out +
	    mc_bin_memory_bound();
}

void
mc_conn_trim(struct mc_conn *c)
{
	if (c->len == 0 && c->state != ST_GET) {
		free(c->line);
		c->line = NULL;
		c->cap = 0;
	}
	if (c->olen == 0) {
		free(c->out);
		c->out = NULL;
		c->ocap = 0;
		c->head = 0;
	}
}

static void
close_conn(struct mc_conn *c)
{
	c->state = ST_CLOSING;
	mc_item_free(c->s, c->item);
	c->item = NULL;
}

/* Append n bytes of output; no memory closes the connection. */
static void
out_bytes(struct mc_conn *c, const void *p, size_t n)
{
	if (c->state == ST_CLOSING)
		return;
	if (c->head + c->olen + n > c->ocap) {
		if (c->head > 0) {
			memmove(c->out, c->out + c->head, c->olen);
			c->head = 0;
		}
		if (c->olen + n > c->ocap) {
			size_t cap = c->ocap < 1024 ? 1024 : c->ocap;
			char *o;

			while (cap < c->olen + n)
				cap *= 2;
			/*
			 * Past MC_OUT_HIGH only one value and an END come:
			 * room for them, not twice what may be a 1 MiB item.
			 */
			if (cap > 2 * MC_OUT_HIGH)
				cap = c->olen + n + 1024;
			if ((o = realloc(c->out, cap)) == NULL) {
				close_conn(c);
				return;
			}
			c->out = o;
			c->ocap = cap;
		}
	}
	memcpy(c->out + c->head + c->olen, p, n);
	c->olen += n;
	/* Counted as made, so no cut of the stream changes `stats`. */
	mc_store_counters(c->s)->bytes_written += n;
}

static void
out_fmt(struct mc_conn *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		out_bytes(c, buf, (size_t)n < sizeof buf ? (size_t)n :
		    sizeof buf - 1);
}

/* memcached's out_string: one line, unless noreply holds it back once. */
static void
out_string(struct mc_conn *c, const char *str)
{
	if (c->noreply) {
		c->noreply = false;
		return;
	}
	out_bytes(c, str, strlen(str));
	out_bytes(c, "\r\n", 2);
}

const void *
mc_conn_output(struct mc_conn *c, size_t *len)
{
	*len = c->olen;
	return c->olen != 0 ? c->out + c->head : NULL;
}

void
mc_conn_consume_output(struct mc_conn *c, size_t n)
{
	if (n > c->olen)
		n = c->olen;
	c->head += n;
	c->olen -= n;
	if (c->olen == 0) {
		c->head = 0;
		if (c->ocap > OUT_KEEP) {
			free(c->out);
			c->out = NULL;
			c->ocap = 0;
		}
	}
	if (c->state == ST_GET && c->olen < MC_OUT_HIGH)
		get_run(c);
}

/* memcached's tokenize_command: split on spaces, at most max tokens. */
static size_t
tokenize(char *cmd, size_t len, struct token *t, size_t max)
{
	char *s = cmd, *e = cmd;
	size_t n = 0, i;

	for (i = 0; i < len; i++) {
		if (*e == ' ') {
			if (s != e) {
				t[n].v = s;
				t[n].len = (size_t)(e - s);
				n++;
				*e = '\0';
				if (n == max - 1) {
					e++;
					s = e;
					break;
				}
			}
			s = e + 1;
		}
		e++;
	}
	if (s != e) {
		t[n].v = s;
		t[n].len = (size_t)(e - s);
		n++;
	}
	/* The last one holds what was not split, if anything. */
	t[n].v = *e == '\0' ? NULL : e;
	t[n].len = 0;
	return n + 1;
}

static void
noreply_maybe(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct token *nr = &t[ntokens - 2];

	if (nr->v != NULL && strcmp(nr->v, "noreply") == 0)
		c->noreply = true;
}

/* The next key in line[*pos, end): spaces and NULs both separate. */
static bool
next_key(const char *line, size_t *pos, size_t end, size_t *k, size_t *nk)
{
	size_t i = *pos;

	while (i < end && (line[i] == ' ' || line[i] == '\0'))
		i++;
	if (i == end)
		return false;
	*k = i;
	while (i < end && line[i] != ' ' && line[i] != '\0')
		i++;
	*nk = i - *k;
	*pos = i;
	return true;
}

/* One key of get/gets/gat/gats; out says whether the VALUE is sent. */
static void
get_one(struct mc_conn *c, const char *key, size_t nkey, bool out)
{
	struct mc_stats *st = mc_store_counters(c->s);
	struct mc_item *it;

	if (c->get_touch)
		it = mc_store_touch(c->s, key, nkey, c->get_exptime);
	else
		it = mc_store_get(c->s, key, nkey, true);
	/* gat and gats count as touches only. */
	if (c->get_touch) {
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
	if (it == NULL || !out)
		return;
	out_bytes(c, "VALUE ", 6);
	out_bytes(c, it->data, it->nkey);
	if (c->get_cas)
		out_fmt(c, " %u %u %llu\r\n", (unsigned)it->flags,
		    (unsigned)(it->nbytes - 2), (unsigned long long)it->cas);
	else
		out_fmt(c, " %u %u\r\n", (unsigned)it->flags,
		    (unsigned)(it->nbytes - 2));
	out_bytes(c, mc_item_value(it), it->nbytes);
}

/* Go on with the keys of a get until they end or the output is full. */
static void
get_run(struct mc_conn *c)
{
	size_t k, nk;

	c->state = ST_GET;
	while (c->olen < MC_OUT_HIGH) {
		if (!next_key(c->line, &c->get_pos, c->get_end, &k, &nk)) {
			out_bytes(c, "END\r\n", 5);
			if (c->state != ST_CLOSING)
				c->state = ST_LINE;
			return;
		}
		get_one(c, c->line + k, nk, true);
		if (c->state == ST_CLOSING)
			return;
	}
}

static void
process_get(struct mc_conn *c, struct token *t, bool cas, bool touch)
{
	size_t pos, k, nk, first_long = 0;
	bool too_long = false;
	int32_t exptime;

	c->get_cas = cas;
	c->get_touch = touch;
	c->get_exptime = 0;
	pos = (size_t)(t[1].v - c->line);
	if (touch) {
		if (!mc_parse_i32(t[1].v, &exptime)) {
			out_string(c, "CLIENT_ERROR invalid exptime argument");
			return;
		}
		c->get_exptime = mc_store_exptime(c->s, exptime);
		pos += t[1].len;
	}
	c->get_pos = pos;
	/*
	 * A key over the limit anywhere cancels the whole answer: memcached
	 * has fetched the keys before it, and drops what it had gathered.
	 */
	while (next_key(c->line, &pos, c->get_end, &k, &nk))
		if (nk > MC_KEY_MAX) {
			too_long = true;
			first_long = k;
			break;
		}
	if (too_long) {
		pos = c->get_pos;
		while (next_key(c->line, &pos, c->get_end, &k, &nk) &&
		    k < first_long)
			get_one(c, c->line + k, nk, false);
		out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	get_run(c);
}

static void
process_update(struct mc_conn *c, struct token *t, size_t ntokens,
    enum mc_cmd cmd)
{
	struct mc_stats *st = mc_store_counters(c->s);
	uint32_t flags;
	int32_t exptime, vlen;
	uint64_t cas = 0;
	struct mc_item *it;
	enum mc_alloc a;

	noreply_maybe(c, t, ntokens);
	if (t[1].len > MC_KEY_MAX ||
	    !mc_parse_u32(t[2].v, &flags) || !mc_parse_i32(t[3].v, &exptime) ||
	    !mc_parse_i32(t[4].v, &vlen) ||
	    (cmd == MC_CAS && !mc_parse_u64(t[5].v, SIZE_MAX, &cas)) ||
	    vlen < 0 || vlen > INT_MAX - 2) {
		out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	a = mc_item_new(c->s, t[1].v, t[1].len, flags,
	    mc_store_exptime(c->s, exptime), (size_t)vlen + 2, &it);
	if (a != MC_ALLOC_OK) {
		if (a == MC_ALLOC_TOO_LARGE) {
			out_string(c, "SERVER_ERROR object too large for cache");
			st->store_too_large++;
		} else {
			out_string(c,
			    "SERVER_ERROR out of memory storing object");
			st->store_no_memory++;
		}
		/* The value that failed must not leave the old one behind. */
		if (cmd == MC_SET)
			mc_store_delete(c->s, t[1].v, t[1].len);
		c->swallow = (uint64_t)vlen + 2;
		c->state = ST_SWALLOW;
		return;
	}
	it->cas = cas;
	c->item = it;
	c->fill = 0;
	c->cmd = cmd;
	c->state = ST_DATA;
}

/* The data block is in: check its CRLF and store it. */
static void
complete_data(struct mc_conn *c)
{
	static const char *const answer[] = {
		[MC_STORED] = "STORED", [MC_NOT_STORED] = "NOT_STORED",
		[MC_EXISTS] = "EXISTS", [MC_NOT_FOUND] = "NOT_FOUND",
	};
	struct mc_item *it = c->item;

	c->item = NULL;
	c->state = ST_LINE;
	mc_store_counters(c->s)->cmd_set++;
	if (memcmp(mc_item_value(it) + it->nbytes - 2, "\r\n", 2) != 0) {
		mc_item_free(c->s, it);
		out_string(c, "CLIENT_ERROR bad data chunk");
		return;
	}
	out_string(c, answer[mc_store_item(c->s, it, c->cmd)]);
}

static void
process_delta(struct mc_conn *c, struct token *t, size_t ntokens, bool incr)
{
	struct mc_stats *st = mc_store_counters(c->s);
	uint64_t delta;
	char buf[24];

	noreply_maybe(c, t, ntokens);
	if (t[1].len > MC_KEY_MAX) {
		out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	if (!mc_parse_u64(t[2].v, SIZE_MAX, &delta)) {
		out_string(c, "CLIENT_ERROR invalid numeric delta argument");
		return;
	}
	switch (mc_store_delta(c->s, t[1].v, t[1].len, incr, delta, buf)) {
	case MC_DELTA_OK:
		out_string(c, buf);
		break;
	case MC_DELTA_NON_NUMERIC:
		out_string(c, "CLIENT_ERROR cannot increment or decrement "
		    "non-numeric value");
		break;
	case MC_DELTA_EOM:
		out_string(c, "SERVER_ERROR out of memory");
		break;
	case MC_DELTA_NOT_FOUND:
		if (incr)
			st->incr_misses++;
		else
			st->decr_misses++;
		out_string(c, "NOT_FOUND");
		break;
	}
}

static void
process_delete(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_stats *st = mc_store_counters(c->s);

	if (ntokens > 3) {
		bool zero = strcmp(t[2].v, "0") == 0, nr;

		noreply_maybe(c, t, ntokens);
		nr = c->noreply;
		if (!((ntokens == 4 && (zero || nr)) ||
		    (ntokens == 5 && zero && nr))) {
			out_string(c, "CLIENT_ERROR bad command line format.  "
			    "Usage: delete <key> [noreply]");
			return;
		}
	}
	if (t[1].len > MC_KEY_MAX) {
		out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	if (mc_store_delete(c->s, t[1].v, t[1].len)) {
		st->delete_hits++;
		out_string(c, "DELETED");
	} else {
		st->delete_misses++;
		out_string(c, "NOT_FOUND");
	}
}

static void
process_touch(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_stats *st = mc_store_counters(c->s);
	int32_t exptime;

	noreply_maybe(c, t, ntokens);
	if (t[1].len > MC_KEY_MAX) {
		out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	if (!mc_parse_i32(t[2].v, &exptime)) {
		out_string(c, "CLIENT_ERROR invalid exptime argument");
		return;
	}
	st->cmd_touch++;
	if (mc_store_touch(c->s, t[1].v, t[1].len,
	    mc_store_exptime(c->s, exptime)) != NULL) {
		st->touch_hits++;
		out_string(c, "TOUCHED");
	} else {
		st->touch_misses++;
		out_string(c, "NOT_FOUND");
	}
}

static void
process_flush(struct mc_conn *c, struct token *t, size_t ntokens)
{
	int32_t delay = 0;

	noreply_maybe(c, t, ntokens);
	mc_store_counters(c->s)->cmd_flush++;
	if (ntokens != (c->noreply ? 3u : 2u) &&
	    !mc_parse_i32(t[1].v, &delay)) {
		out_string(c, "CLIENT_ERROR invalid exptime argument");
		return;
	}
	mc_store_flush(c->s, delay);
	out_string(c, "OK");
}

static void
process_verbosity(struct mc_conn *c, struct token *t, size_t ntokens)
{
	uint32_t level;

	noreply_maybe(c, t, ntokens);
	if (!mc_parse_u32(t[1].v, &level)) {
		out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	mc_store_verbosity(c->s, level > MAX_VERBOSITY ? MAX_VERBOSITY :
	    (int)level);
	out_string(c, "OK");
}

static void
stat_u64(struct mc_conn *c, const char *name, uint64_t v)
{
	out_fmt(c, "STAT %s %llu\r\n", name, (unsigned long long)v);
}

static void
process_stats(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_store *s = c->s;
	const struct mc_stats *st = mc_store_counters(s);
	const struct mc_settings *set = mc_store_settings(s);
	int64_t now = mc_store_now(s);

	if (ntokens > 2 && strcmp(t[1].v, "reset") == 0) {
		mc_store_reset_stats(s);
		out_string(c, "RESET");
		return;
	}
	if (ntokens > 2 && strcmp(t[1].v, "settings") == 0) {
		stat_u64(c, "maxbytes", st->limit_maxbytes);
		stat_u64(c, "maxconns", set->max_connections);
		out_fmt(c, "STAT verbosity %u\r\n", mc_store_verbosity(s, -1));
		out_fmt(c, "STAT evictions on\r\n");
		out_fmt(c, "STAT cas_enabled yes\r\n");
		stat_u64(c, "item_size_max", set->item_size_max);
		out_fmt(c, "STAT maxconns_fast yes\r\n");
		out_fmt(c, "STAT flush_enabled yes\r\n");
		stat_u64(c, "idle_timeout", set->idle_timeout);
		out_bytes(c, "END\r\n", 5);
		return;
	}
	if (ntokens > 2) {
		/* items, slabs, sizes, conns, detail: memcached internals. */
		out_string(c, "ERROR");
		return;
	}
	stat_u64(c, "pid", mc_store_pid(s));
	stat_u64(c, "uptime", (uint64_t)now - mc_store_started(s));
	stat_u64(c, "time", (uint64_t)now);
	out_fmt(c, "STAT version %s\r\n", MC_VERSION);
	stat_u64(c, "pointer_size", 8 * sizeof(void *));
	stat_u64(c, "max_connections", set->max_connections);
	stat_u64(c, "curr_connections", st->curr_connections);
	stat_u64(c, "total_connections", st->total_connections);
	stat_u64(c, "rejected_connections", st->rejected_connections);
	stat_u64(c, "cmd_get", st->cmd_get);
	stat_u64(c, "cmd_set", st->cmd_set);
	stat_u64(c, "cmd_flush", st->cmd_flush);
	stat_u64(c, "cmd_touch", st->cmd_touch);
	stat_u64(c, "get_hits", st->get_hits);
	stat_u64(c, "get_misses", st->get_misses);
	stat_u64(c, "get_expired", st->get_expired);
	stat_u64(c, "get_flushed", st->get_flushed);
	stat_u64(c, "delete_misses", st->delete_misses);
	stat_u64(c, "delete_hits", st->delete_hits);
	stat_u64(c, "incr_misses", st->incr_misses);
	stat_u64(c, "incr_hits", st->incr_hits);
	stat_u64(c, "decr_misses", st->decr_misses);
	stat_u64(c, "decr_hits", st->decr_hits);
	stat_u64(c, "cas_misses", st->cas_misses);
	stat_u64(c, "cas_hits", st->cas_hits);
	stat_u64(c, "cas_badval", st->cas_badval);
	stat_u64(c, "touch_hits", st->touch_hits);
	stat_u64(c, "touch_misses", st->touch_misses);
	stat_u64(c, "store_too_large", st->store_too_large);
	stat_u64(c, "store_no_memory", st->store_no_memory);
	/* memcached shows it only when the timeout is on. */
	if (set->idle_timeout != 0)
		stat_u64(c, "idle_kicks", st->idle_kicks);
	stat_u64(c, "bytes_read", st->bytes_read);
	stat_u64(c, "bytes_written", st->bytes_written);
	stat_u64(c, "limit_maxbytes", st->limit_maxbytes);
	stat_u64(c, "threads", 1);
	stat_u64(c, "bytes", st->bytes);
	stat_u64(c, "curr_items", st->curr_items);
	stat_u64(c, "total_items", st->total_items);
	stat_u64(c, "evictions", st->evictions);
	stat_u64(c, "reclaimed", st->reclaimed);
	out_bytes(c, "END\r\n", 5);
}

/* Token-count checks: memcached answers a wrong count with ERROR. */
static bool
want(struct mc_conn *c, size_t ntokens, size_t min, size_t max)
{
	if (ntokens < min || ntokens > max) {
		out_string(c, "ERROR");
		return false;
	}
	return true;
}

static bool
want_or(struct mc_conn *c, size_t ntokens, size_t a, size_t b)
{
	if (ntokens != a && ntokens != b) {
		out_string(c, "ERROR");
		return false;
	}
	return true;
}

static void
process_command(struct mc_conn *c, char *cmd, size_t len)
{
	struct token t[MAX_TOKENS];
	size_t ntokens = tokenize(cmd, len, t, MAX_TOKENS);
	const char *name = t[0].v;

	mc_store_now(c->s);
	if (ntokens < 2 || t[0].len < 2) {
		out_string(c, "ERROR");
		return;
	}
	switch (name[0]) {
	case 'm':
		if (t[0].len == 2) {
			/* Meta commands are not spoken here. */
			out_string(c, "ERROR");
			return;
		}
		break;
	case 'g':
		if (!want(c, ntokens, 3, SIZE_MAX))
			return;
		if (strcmp(name, "get") == 0)
			process_get(c, t, false, false);
		else if (strcmp(name, "gets") == 0)
			process_get(c, t, true, false);
		else if (strcmp(name, "gat") == 0)
			process_get(c, t, false, true);
		else if (strcmp(name, "gats") == 0)
			process_get(c, t, true, true);
		else
			out_string(c, "ERROR");
		return;
	case 's':
		if (strcmp(name, "set") == 0) {
			if (want_or(c, ntokens, 6, 7))
				process_update(c, t, ntokens, MC_SET);
		} else if (strcmp(name, "stats") == 0)
			process_stats(c, t, ntokens);
		else if (strcmp(name, "shutdown") == 0)
			out_string(c, "ERROR: shutdown not enabled");
		else
			out_string(c, "ERROR");
		return;
	case 'a':
		if (strcmp(name, "add") == 0 || strcmp(name, "append") == 0) {
			if (want_or(c, ntokens, 6, 7))
				process_update(c, t, ntokens,
				    name[1] == 'd' ? MC_ADD : MC_APPEND);
		} else
			out_string(c, "ERROR");
		return;
	case 'c':
		if (strcmp(name, "cas") == 0) {
			if (want_or(c, ntokens, 7, 8))
				process_update(c, t, ntokens, MC_CAS);
		} else
			out_string(c, "ERROR");
		return;
	case 'i':
		if (strcmp(name, "incr") == 0) {
			if (want_or(c, ntokens, 4, 5))
				process_delta(c, t, ntokens, true);
		} else
			out_string(c, "ERROR");
		return;
	case 'd':
		if (strcmp(name, "delete") == 0) {
			if (want(c, ntokens, 3, 5))
				process_delete(c, t, ntokens);
		} else if (strcmp(name, "decr") == 0) {
			if (want_or(c, ntokens, 4, 5))
				process_delta(c, t, ntokens, false);
		} else
			out_string(c, "ERROR");
		return;
	case 't':
		if (strcmp(name, "touch") == 0) {
			if (want_or(c, ntokens, 4, 5))
				process_touch(c, t, ntokens);
		} else
			out_string(c, "ERROR");
		return;
	}
	if (strcmp(name, "replace") == 0 || strcmp(name, "prepend") == 0) {
		if (want_or(c, ntokens, 6, 7))
			process_update(c, t, ntokens,
			    name[0] == 'r' ? MC_REPLACE : MC_PREPEND);
	} else if (strcmp(name, "bget") == 0) {
		if (want(c, ntokens, 3, SIZE_MAX))
			process_get(c, t, false, false);
	} else if (strcmp(name, "flush_all") == 0) {
		if (want(c, ntokens, 2, 4))
			process_flush(c, t, ntokens);
	} else if (strcmp(name, "version") == 0)
		out_string(c, "VERSION " MC_VERSION);
	else if (strcmp(name, "quit") == 0)
		close_conn(c);
	else if (strcmp(name, "verbosity") == 0) {
		if (want_or(c, ntokens, 3, 4))
			process_verbosity(c, t, ntokens);
	} else if (strncmp(t[ntokens - 2].v, "HTTP/", 5) == 0)
		close_conn(c);	/* a web browser: memcached hangs up */
	else
		out_string(c, "ERROR");
}

/* A complete line (its '\n' dropped) is in line[0, len). */
static void
process_line(struct mc_conn *c)
{
	size_t n = c->len;

	if (n > 1 && c->line[n - 1] == '\r')
		n--;
	c->line[n] = '\0';
	/* memcached reads the line as a C string: a NUL ends it. */
	n = strlen(c->line);
	c->get_end = n;
	process_command(c, c->line, n);
	c->len = 0;
	if (c->state != ST_GET && c->cap > LINE_KEEP) {
		free(c->line);
		c->line = NULL;
		c->cap = 0;
	}
}

/*
 * A line past MC_LINE_MAX bytes is only allowed for a big get or gets
 * (after at most 100 spaces), as in memcached; it closes the connection
 * otherwise, and past MC_GET_LINE_MAX in any case.
 */
static bool
line_ok(const struct mc_conn *c)
{
	size_t i = 0;

	if (c->len <= MC_LINE_MAX)
		return true;
	if (c->len > MC_GET_LINE_MAX)
		return false;
	while (c->line[i] == ' ')
		i++;
	return i <= 100 && (strncmp(c->line + i, "get ", 4) == 0 ||
	    strncmp(c->line + i, "gets ", 5) == 0);
}

/* Take bytes of a command line from p; true when the line is whole. */
static size_t
take_line(struct mc_conn *c, const char *p, size_t n, bool *whole)
{
	const char *nl = memchr(p, '\n', n);
	size_t take = nl != NULL ? (size_t)(nl - p) : n;
	size_t room = MC_GET_LINE_MAX + 1 - c->len;

	*whole = false;
	if (take > room)
		take = room;
	if (c->len + take + 1 > c->cap) {
		size_t cap = c->cap < 256 ? 256 : c->cap;
		char *l;

		while (cap < c->len + take + 1)
			cap *= 2;
		/* A line never needs more: no 128 KiB for a 64 KiB get. */
		if (cap > MC_GET_LINE_MAX + 2)
			cap = MC_GET_LINE_MAX + 2;
		if ((l = realloc(c->line, cap)) == NULL) {
			close_conn(c);
			return n;
		}
		c->line = l;
		c->cap = cap;
	}
	memcpy(c->line + c->len, p, take);
	c->len += take;
	if (!line_ok(c)) {
		close_conn(c);
		return n;
	}
	if (nl != NULL && take == (size_t)(nl - p)) {
		*whole = true;
		return take + 1;
	}
	return take;
}

size_t
mc_conn_feed(struct mc_conn *c, const void *bytes, size_t len)
{
	struct mc_stats *st = mc_store_counters(c->s);
	const char *p = bytes;
	size_t i = 0, n;
	bool whole;

	if (len > 0 && !c->seen) {
		c->seen = true;
		/* As memcached: the first byte picks the protocol for good. */
		if ((uint8_t)p[0] == MC_BIN_REQ &&
		    (c->bin = mc_bin_new()) == NULL)
			close_conn(c);
	}
	if (c->bin != NULL)
		return mc_bin_feed(c, c->bin, bytes, len);
	while (c->state != ST_CLOSING) {
		if (c->state == ST_GET) {
			get_run(c);
			if (c->state == ST_GET)
				break;
			continue;
		}
		if (i == len || c->olen >= MC_OUT_HIGH)
			break;
		switch (c->state) {
		case ST_DATA:
			n = c->item->nbytes - c->fill;
			if (n > len - i)
				n = len - i;
			memcpy(mc_item_value(c->item) + c->fill, p + i, n);
			c->fill += n;
			i += n;
			st->bytes_read += n;
			if (c->fill == c->item->nbytes)
				complete_data(c);
			break;
		case ST_SWALLOW:
			n = c->swallow < len - i ? (size_t)c->swallow : len - i;
			c->swallow -= n;
			i += n;
			st->bytes_read += n;
			if (c->swallow == 0)
				c->state = ST_LINE;
			break;
		case ST_LINE:
			n = take_line(c, p + i, len - i, &whole);
			i += n;
			st->bytes_read += n;
			if (whole && c->state == ST_LINE)
				process_line(c);
			break;
		case ST_GET:
		case ST_CLOSING:
			break;
		}
	}
	if (c->state == ST_CLOSING) {
		/* What follows is read, and ignored. */
		st->bytes_read += len - i;
		i = len;
	}
	return i;
}

/* What the binary protocol (memcached_binary.c) borrows. */
struct mc_store *
mc_conn_store(const struct mc_conn *c)
{
	return c->s;
}

void
mc_conn_out(struct mc_conn *c, const void *p, size_t n)
{
	if (n != 0)
		out_bytes(c, p, n);
}

size_t
mc_conn_pending(const struct mc_conn *c)
{
	return c->olen;
}

const char *
mc_conn_out_since(const struct mc_conn *c, size_t mark, size_t *len)
{
	*len = c->olen - mark;
	return c->out != NULL ? c->out + c->head + mark : "";
}

void
mc_conn_out_cut(struct mc_conn *c, size_t mark)
{
	mc_store_counters(c->s)->bytes_written -= c->olen - mark;
	c->olen = mark;
}

void
mc_conn_close(struct mc_conn *c)
{
	close_conn(c);
}

void
mc_conn_text(struct mc_conn *c, char *line)
{
	process_command(c, line, strlen(line));
}
