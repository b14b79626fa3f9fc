/*
 * memcached_proto.c — a connection speaking memcached's text protocol:
 * command lines split as memcached 1.6.18 splits them (proto_text.c),
 * data blocks read into a fresh item, every answer and error text as
 * that server gives it. Input is taken byte by byte as it comes, so how
 * the stream is cut never changes the answers.
 */
#include "user/memcached_binary.h"
#include "user/memcached_conn.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VERBOSITY	2
#define LINE_KEEP	(4 * 1024)	/* a line buffer bigger is let go */
#define OUT_KEEP	(16 * 1024)	/* so is an output buffer */

static void get_run(struct mc_conn *c);
static void process_command(struct mc_conn *c, char *cmd, size_t len);

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
	mc_dump_end(c);
	mc_item_free(c->s, c->item);
	free(c->stash);
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
	 * mc_out_bytes() gives it 1 KiB of slack there.
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
	if (c->len == 0 && c->state != ST_GET &&
	    !(c->state == ST_GET_STREAM && c->key_len > 0)) {
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
	mc_dump_end(c);
	mc_item_free(c->s, c->item);
	c->item = NULL;
}

/* Append n bytes of output; no memory closes the connection. */
void
mc_out_bytes(struct mc_conn *c, const void *p, size_t n)
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

void
mc_out_fmt(struct mc_conn *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		mc_out_bytes(c, buf, (size_t)n < sizeof buf ? (size_t)n :
		    sizeof buf - 1);
}

/* memcached's out_string: one line, unless noreply holds it back once. */
void
mc_out_string(struct mc_conn *c, const char *str)
{
	if (c->noreply) {
		c->noreply = false;
		return;
	}
	mc_out_bytes(c, str, strlen(str));
	mc_out_bytes(c, "\r\n", 2);
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
	else if (c->state == ST_DUMP && c->olen < MC_OUT_HIGH)
		mc_dump_run(c);
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

void
mc_set_noreply(struct mc_conn *c, struct token *t, size_t ntokens)
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
		if (it != NULL) {
			st->get_hits++;
			mc_store_class(c->s, mc_item_class(it))->get_hits++;
		} else
			st->get_misses++;
	}
	if (it == NULL || !out)
		return;
	mc_out_bytes(c, "VALUE ", 6);
	mc_out_bytes(c, it->data, it->nkey);
	if (c->get_cas)
		mc_out_fmt(c, " %u %u %llu\r\n", (unsigned)it->flags,
		    (unsigned)(it->nbytes - 2), (unsigned long long)it->cas);
	else
		mc_out_fmt(c, " %u %u\r\n", (unsigned)it->flags,
		    (unsigned)(it->nbytes - 2));
	mc_out_bytes(c, mc_item_value(it), it->nbytes);
}

/* Go on with the keys of a get until they end or the output is full. */
static void
get_run(struct mc_conn *c)
{
	size_t k, nk;

	c->state = ST_GET;
	while (c->olen < MC_OUT_HIGH) {
		if (!next_key(c->line, &c->get_pos, c->get_end, &k, &nk)) {
			if (c->get_stream) {
				/* The held keys are done: on with the line. */
				c->get_stream = false;
				memmove(c->line, c->line + c->get_end,
				    c->key_len);
				c->state = ST_GET_STREAM;
				return;
			}
			mc_out_bytes(c, "END\r\n", 5);
			if (c->state != ST_CLOSING)
				c->state = c->get_then_skip ? ST_SKIP_LINE :
				    ST_LINE;
			c->get_then_skip = false;
			return;
		}
		get_one(c, c->line + k, nk, true);
		if (c->state == ST_CLOSING)
			return;
	}
}

/*
 * A key over the limit anywhere cancels the whole answer: memcached has
 * fetched the keys before it, and drops what it had gathered.
 */
static bool
get_cancelled(struct mc_conn *c)
{
	size_t pos = c->get_pos, k, nk, first_long = 0;
	bool too_long = false;

	while (next_key(c->line, &pos, c->get_end, &k, &nk))
		if (nk > MC_KEY_MAX) {
			too_long = true;
			first_long = k;
			break;
		}
	if (!too_long)
		return false;
	pos = c->get_pos;
	while (next_key(c->line, &pos, c->get_end, &k, &nk) &&
	    k < first_long)
		get_one(c, c->line + k, nk, false);
	mc_out_string(c, "CLIENT_ERROR bad command line format");
	return true;
}

static void
process_get(struct mc_conn *c, struct token *t, bool cas, bool touch)
{
	size_t pos;
	int32_t exptime;

	c->get_cas = cas;
	c->get_touch = touch;
	c->get_exptime = 0;
	pos = (size_t)(t[1].v - c->line);
	if (touch) {
		if (!mc_parse_i32(t[1].v, &exptime)) {
			mc_out_string(c, "CLIENT_ERROR invalid exptime argument");
			return;
		}
		c->get_exptime = mc_store_exptime(c->s, exptime);
		pos += t[1].len;
	}
	c->get_pos = pos;
	if (get_cancelled(c))
		return;
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

	mc_set_noreply(c, t, ntokens);
	if (t[1].len > MC_KEY_MAX ||
	    !mc_parse_u32(t[2].v, &flags) || !mc_parse_i32(t[3].v, &exptime) ||
	    !mc_parse_i32(t[4].v, &vlen) ||
	    (cmd == MC_CAS && !mc_parse_u64(t[5].v, SIZE_MAX, &cas)) ||
	    vlen < 0 || vlen > INT_MAX - 2) {
		mc_out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	a = mc_item_new(c->s, t[1].v, t[1].len, flags,
	    mc_store_exptime(c->s, exptime), (size_t)vlen + 2, &it);
	if (a != MC_ALLOC_OK) {
		if (a == MC_ALLOC_TOO_LARGE) {
			mc_out_string(c, "SERVER_ERROR object too large for cache");
			st->store_too_large++;
		} else {
			mc_out_string(c,
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
	mc_store_class(c->s, mc_item_class(it))->cmd_set++;
	if (memcmp(mc_item_value(it) + it->nbytes - 2, "\r\n", 2) != 0) {
		mc_item_free(c->s, it);
		/* An ms hears of it whatever its q said. */
		if (c->meta) {
			c->noreply = c->meta = false;
			free(c->stash);
			c->stash = NULL;
		}
		mc_out_string(c, "CLIENT_ERROR bad data chunk");
		return;
	}
	if (c->meta) {
		mc_meta_stored(c, it);
		return;
	}
	mc_out_string(c, answer[mc_store_item(c->s, it, c->cmd)]);
}

static void
process_delta(struct mc_conn *c, struct token *t, size_t ntokens, bool incr)
{
	struct mc_stats *st = mc_store_counters(c->s);
	uint64_t delta;
	char buf[24];

	mc_set_noreply(c, t, ntokens);
	if (t[1].len > MC_KEY_MAX) {
		mc_out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	if (!mc_parse_u64(t[2].v, SIZE_MAX, &delta)) {
		mc_out_string(c, "CLIENT_ERROR invalid numeric delta argument");
		return;
	}
	switch (mc_store_delta(c->s, t[1].v, t[1].len, incr, delta, buf, NULL,
	    NULL)) {
	case MC_DELTA_OK:
		mc_out_string(c, buf);
		break;
	case MC_DELTA_NON_NUMERIC:
		mc_out_string(c, "CLIENT_ERROR cannot increment or decrement "
		    "non-numeric value");
		break;
	case MC_DELTA_EOM:
	case MC_DELTA_EXISTS:	/* no cas is given here */
		mc_out_string(c, "SERVER_ERROR out of memory");
		break;
	case MC_DELTA_NOT_FOUND:
		if (incr)
			st->incr_misses++;
		else
			st->decr_misses++;
		mc_out_string(c, "NOT_FOUND");
		break;
	}
}

static void
process_delete(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_stats *st = mc_store_counters(c->s);

	if (ntokens > 3) {
		bool zero = strcmp(t[2].v, "0") == 0, nr;

		mc_set_noreply(c, t, ntokens);
		nr = c->noreply;
		if (!((ntokens == 4 && (zero || nr)) ||
		    (ntokens == 5 && zero && nr))) {
			mc_out_string(c, "CLIENT_ERROR bad command line format.  "
			    "Usage: delete <key> [noreply]");
			return;
		}
	}
	if (t[1].len > MC_KEY_MAX) {
		mc_out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	if (mc_store_delete(c->s, t[1].v, t[1].len)) {
		st->delete_hits++;
		mc_out_string(c, "DELETED");
	} else {
		st->delete_misses++;
		mc_out_string(c, "NOT_FOUND");
	}
}

static void
process_touch(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_stats *st = mc_store_counters(c->s);
	int32_t exptime;

	mc_set_noreply(c, t, ntokens);
	if (t[1].len > MC_KEY_MAX) {
		mc_out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	if (!mc_parse_i32(t[2].v, &exptime)) {
		mc_out_string(c, "CLIENT_ERROR invalid exptime argument");
		return;
	}
	st->cmd_touch++;
	if (mc_store_touch(c->s, t[1].v, t[1].len,
	    mc_store_exptime(c->s, exptime)) != NULL) {
		st->touch_hits++;
		mc_out_string(c, "TOUCHED");
	} else {
		st->touch_misses++;
		mc_out_string(c, "NOT_FOUND");
	}
}

static void
process_flush(struct mc_conn *c, struct token *t, size_t ntokens)
{
	int32_t delay = 0;

	mc_set_noreply(c, t, ntokens);
	mc_store_counters(c->s)->cmd_flush++;
	if (ntokens != (c->noreply ? 3u : 2u) &&
	    !mc_parse_i32(t[1].v, &delay)) {
		mc_out_string(c, "CLIENT_ERROR invalid exptime argument");
		return;
	}
	mc_store_flush(c->s, delay);
	mc_out_string(c, "OK");
}

static void
process_verbosity(struct mc_conn *c, struct token *t, size_t ntokens)
{
	uint32_t level;

	mc_set_noreply(c, t, ntokens);
	if (!mc_parse_u32(t[1].v, &level)) {
		mc_out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	mc_store_verbosity(c->s, level > MAX_VERBOSITY ? MAX_VERBOSITY :
	    (int)level);
	mc_out_string(c, "OK");
}

/* Token-count checks: memcached answers a wrong count with ERROR. */
static bool
want(struct mc_conn *c, size_t ntokens, size_t min, size_t max)
{
	if (ntokens < min || ntokens > max) {
		mc_out_string(c, "ERROR");
		return false;
	}
	return true;
}

static bool
want_or(struct mc_conn *c, size_t ntokens, size_t a, size_t b)
{
	if (ntokens != a && ntokens != b) {
		mc_out_string(c, "ERROR");
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
		mc_out_string(c, "ERROR");
		return;
	}
	switch (name[0]) {
	case 'm':
		if (t[0].len == 2) {
			mc_meta_command(c, t, ntokens);
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
			mc_out_string(c, "ERROR");
		return;
	case 's':
		if (strcmp(name, "set") == 0) {
			if (want_or(c, ntokens, 6, 7))
				process_update(c, t, ntokens, MC_SET);
		} else if (strcmp(name, "stats") == 0)
			mc_stats_command(c, t, ntokens);
		else if (strcmp(name, "shutdown") == 0)
			mc_out_string(c, "ERROR: shutdown not enabled");
		else if (!mc_admin_command(c, t, ntokens))
			mc_out_string(c, "ERROR");
		return;
	case 'a':
		if (strcmp(name, "add") == 0 || strcmp(name, "append") == 0) {
			if (want_or(c, ntokens, 6, 7))
				process_update(c, t, ntokens,
				    name[1] == 'd' ? MC_ADD : MC_APPEND);
		} else
			mc_out_string(c, "ERROR");
		return;
	case 'c':
		if (strcmp(name, "cas") == 0) {
			if (want_or(c, ntokens, 7, 8))
				process_update(c, t, ntokens, MC_CAS);
		} else if (!mc_admin_command(c, t, ntokens))
			mc_out_string(c, "ERROR");
		return;
	case 'i':
		if (strcmp(name, "incr") == 0) {
			if (want_or(c, ntokens, 4, 5))
				process_delta(c, t, ntokens, true);
		} else
			mc_out_string(c, "ERROR");
		return;
	case 'd':
		if (strcmp(name, "delete") == 0) {
			if (want(c, ntokens, 3, 5))
				process_delete(c, t, ntokens);
		} else if (strcmp(name, "decr") == 0) {
			if (want_or(c, ntokens, 4, 5))
				process_delta(c, t, ntokens, false);
		} else
			mc_out_string(c, "ERROR");
		return;
	case 't':
		if (strcmp(name, "touch") == 0) {
			if (want_or(c, ntokens, 4, 5))
				process_touch(c, t, ntokens);
		} else
			mc_out_string(c, "ERROR");
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
		mc_out_string(c, "VERSION " MC_VERSION);
	else if (strcmp(name, "quit") == 0)
		close_conn(c);
	else if (strcmp(name, "verbosity") == 0) {
		if (want_or(c, ntokens, 3, 4))
			process_verbosity(c, t, ntokens);
	} else if (mc_admin_command(c, t, ntokens))
		;
	else if (strncmp(t[ntokens - 2].v, "HTTP/", 5) == 0)
		close_conn(c);	/* a web browser: memcached hangs up */
	else
		mc_out_string(c, "ERROR");
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

/* A get or gets, after at most 100 spaces: memcached reads it whole. */
static bool
is_long_get(const struct mc_conn *c)
{
	size_t i = 0;

	while (i < c->len && c->line[i] == ' ')
		i++;
	return i <= 100 && ((c->len - i >= 4 &&
	    memcmp(c->line + i, "get ", 4) == 0) || (c->len - i >= 5 &&
	    memcmp(c->line + i, "gets ", 5) == 0));
}

/*
 * A get line past MC_GET_LINE_MAX: the keys held are answered, and the
 * rest of the line is read key by key (ST_GET_STREAM), so that a line
 * of any length costs one key of memory. A key over the limit in what
 * is held still cancels the whole answer, as in memcached; one later in
 * the line can only end it (what was answered is out).
 */
static void
get_stream_start(struct mc_conn *c)
{
	size_t n = c->len, split, i = 0;

	c->len = 0;
	if (strnlen(c->line, n) < n) {
		/* A NUL ends memcached's line: the rest is not read. */
		n = strnlen(c->line, n);
		c->line[n] = '\0';
		c->get_end = n;
		c->get_then_skip = true;
		process_command(c, c->line, n);
		if (c->state == ST_LINE)
			c->state = ST_SKIP_LINE;
		if (c->state != ST_GET)
			c->get_then_skip = false;
		return;
	}
	/* The last key may go on in what is still to come. */
	for (split = n; split > 0 && c->line[split - 1] != ' '; split--)
		;
	c->key_len = n - split;
	if (c->key_len > MC_KEY_MAX) {
		/* Too long already: it cancels the answer below. */
		split = n;
		c->key_len = 0;
	}
	c->line[n] = '\0';
	while (c->line[i] == ' ')
		i++;
	mc_store_now(c->s);
	c->get_cas = c->line[i + 3] == 's';
	c->get_touch = false;
	c->get_exptime = 0;
	c->get_pos = i + (c->get_cas ? 5 : 4);
	c->get_end = split;
	if (get_cancelled(c)) {
		c->state = ST_SKIP_LINE;
		return;
	}
	c->get_stream = true;
	get_run(c);
}

/* Room for one key in the line buffer, which trimming may have let go. */
static bool
key_room(struct mc_conn *c)
{
	char *l;

	if (c->cap >= MC_KEY_MAX + 2)
		return true;
	if ((l = realloc(c->line, 256)) == NULL) {
		close_conn(c);
		return false;
	}
	c->line = l;
	c->cap = 256;
	return true;
}

/* ST_GET_STREAM: the next piece of one key, or its end. */
static size_t
get_stream(struct mc_conn *c, const char *p, size_t n)
{
	size_t i = 0, have, keep, klen;
	char ch;

	while (i < n && p[i] != ' ' && p[i] != '\n' && p[i] != '\0')
		i++;
	if (!key_room(c))
		return n;
	/* Past 251 bytes (and a '\r') a key is refused: keep no more. */
	have = c->key_len < MC_KEY_MAX + 2 ? c->key_len : MC_KEY_MAX + 2;
	keep = i < MC_KEY_MAX + 2 - have ? i : MC_KEY_MAX + 2 - have;
	memcpy(c->line + have, p, keep);
	c->key_len = have + keep;
	if (i == n)
		return n;
	ch = p[i];
	klen = c->key_len;
	c->key_len = 0;
	/* memcached drops the '\r' of the line's CRLF only. */
	if (ch == '\n' && klen > 0 && c->line[klen - 1] == '\r')
		klen--;
	if (klen > MC_KEY_MAX) {
		mc_out_string(c, "CLIENT_ERROR bad command line format");
		c->state = ch == '\n' ? ST_LINE : ST_SKIP_LINE;
		return i + 1;
	}
	if (klen > 0)
		get_one(c, c->line, klen, true);
	if (ch == ' ' || c->state == ST_CLOSING)
		return i + 1;
	mc_out_bytes(c, "END\r\n", 5);
	if (c->state != ST_CLOSING)
		c->state = ch == '\n' ? ST_LINE : ST_SKIP_LINE;
	return i + 1;
}

/*
 * A line past MC_LINE_MAX bytes is only allowed for a get or gets, as
 * in memcached; it closes the connection otherwise.
 */
static bool
line_ok(const struct mc_conn *c)
{
	return c->len <= MC_LINE_MAX || is_long_get(c);
}

/* Take bytes of a command line from p; true when the line is whole. */
static size_t
take_line(struct mc_conn *c, const char *p, size_t n, bool *whole)
{
	const char *nl = memchr(p, '\n', n);
	size_t take = nl != NULL ? (size_t)(nl - p) : n;
	size_t room = MC_GET_LINE_MAX - c->len;

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
	if (c->len == MC_GET_LINE_MAX)
		get_stream_start(c);
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
		if (c->state == ST_DUMP) {
			mc_dump_run(c);
			if (c->state == ST_DUMP)
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
		case ST_GET_STREAM:
			n = get_stream(c, p + i, len - i);
			i += n;
			st->bytes_read += n;
			break;
		case ST_SKIP_LINE: {
			const char *nl = memchr(p + i, '\n', len - i);

			n = nl != NULL ? (size_t)(nl - (p + i)) + 1 : len - i;
			i += n;
			st->bytes_read += n;
			if (nl != NULL)
				c->state = ST_LINE;
			break;
		}
		case ST_WATCH:
			/* A watcher's commands are not read (memcached's). */
			st->bytes_read += len - i;
			i = len;
			break;
		case ST_GET:
		case ST_DUMP:
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
		mc_out_bytes(c, p, n);
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
