/*
 * memcached_conn.h — inside the memcached engine: a connection as the
 * dispatcher (memcached_proto.c), the meta commands (memcached_meta.c)
 * and stats and admin commands (memcached_stats.c) share it. Not for use
 * outside src/user/memcached_*.c.
 */
#ifndef CAPIO_USER_MEMCACHED_CONN_H
#define CAPIO_USER_MEMCACHED_CONN_H

#include "user/memcached_store.h"

#define MAX_TOKENS	24		/* memcached's, the rest-of-line one too */

enum state {
	ST_LINE,	/* reading a command line */
	ST_DATA,	/* reading a data block into item */
	ST_SWALLOW,	/* throwing a data block away */
	ST_GET,		/* a get, paused while its output waits */
	ST_GET_STREAM,	/* a get line too long to hold, read key by key */
	ST_SKIP_LINE,	/* the rest of a line is ignored */
	ST_DUMP,	/* a dump of the store, paused likewise */
	ST_WATCH,	/* after `watch`: input is ignored */
	ST_CLOSING,
};

enum dump { DUMP_META, DUMP_CACHE };

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
	bool get_stream;	/* ST_GET goes on with ST_GET_STREAM */
	bool get_then_skip;	/* ST_GET ends in ST_SKIP_LINE */
	int64_t get_exptime;
	size_t key_len;		/* ST_GET_STREAM: the key so far */
	/* An ms whose data is arriving: its answer's flags. */
	bool meta;
	bool meta_quiet, meta_stale;
	char *stash;		/* allocated while the data arrives */
	size_t nstash;
	uint64_t cas;		/* what the last store gave (ms c) */
	/* ST_DUMP */
	enum dump dump;
	struct mc_cursor cur;
	bool cur_on;
	uint64_t classes;	/* bit per class id; all: ~0 */
	uint64_t dump_left;	/* cachedump's limit + 1; 0: none */
	uint64_t dump_bytes;	/* cachedump's bytes so far */
	char *out;		/* output: out[head, head + olen) */
	size_t head, olen, ocap;
	struct mc_bin *bin;	/* the binary protocol's, if spoken */
};

struct token {
	char *v;		/* NUL-terminated; NULL for the last */
	size_t len;
};

void mc_out_bytes(struct mc_conn *c, const void *p, size_t n);
void mc_out_fmt(struct mc_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* One line and CRLF, unless noreply holds it back once. */
void mc_out_string(struct mc_conn *c, const char *str);
void mc_set_noreply(struct mc_conn *c, struct token *t, size_t ntokens);

/* mg, ms, md, ma, me, mn; ms's data then goes to mc_meta_stored(). */
void mc_meta_command(struct mc_conn *c, struct token *t, size_t ntokens);
/* The data block of an ms is in, checked: store it and answer. */
void mc_meta_stored(struct mc_conn *c, struct mc_item *it);

/* stats and its subcommands. */
void mc_stats_command(struct mc_conn *c, struct token *t, size_t ntokens);
/* lru_crawler, slabs, lru, cache_memlimit, watch: true if it was one. */
bool mc_admin_command(struct mc_conn *c, struct token *t, size_t ntokens);
/* Go on with a dump until it ends or the output is full. */
void mc_dump_run(struct mc_conn *c);
/* The connection goes: its dump, if any, with it. */
void mc_dump_end(struct mc_conn *c);

#endif
