/*
 * memcached.h — a memcached server's text-protocol engine, free of any
 * transport: a store of items (LRU eviction under a memory limit) and
 * connections that turn request bytes into response bytes the way
 * memcached 1.6.18 does. The caller moves the bytes (lwIP, a socket, a
 * test); the engine never blocks, and every buffer it keeps is bounded.
 */
#ifndef CAPIO_USER_MEMCACHED_H
#define CAPIO_USER_MEMCACHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The memcached release whose protocol the engine follows, as memcached
 * prints its own: clients parse it (the npm memcached client takes
 * /(\d+)\.(\d+)\.(\d+)$/ and dies on a suffix). */
#define MC_VERSION		"1.6.18"
#define MC_KEY_MAX		250		/* bytes in a key */
#define MC_ITEM_SIZE_MAX	(1024 * 1024)	/* -I: header, key, value */
#define MC_ITEM_SIZE_MIN	1024		/* -I bounds: memcached's */
#define MC_ITEM_SIZE_TOP	(1024u * 1024 * 1024)
#define MC_MEMORY_DEFAULT	(64u * 1024 * 1024)
/*
 * memcached's -c default is 1024; a capio connection may hold about
 * 1.3 MiB at worst (docs/memcached.md), so 64 of them at most cost about
 * what the default store does.
 */
#define MC_MAXCONNS_DEFAULT	64
#define MC_MAXCONNS_TOP		65535
/*
 * memcached's idle_timeout is off by default. Here no connection has
 * TCP keepalive on: a peer gone without a FIN or RST would hold its slot
 * (one of only 64), its buffers and any set it left unfinished for ever.
 * Five minutes is long enough for a client's pooled connections.
 */
#define MC_IDLE_TIMEOUT_DEFAULT	300
#define MC_IDLE_TIMEOUT_TOP	(30u * 24 * 60 * 60)
#define MC_LINE_MAX		2048		/* command line, get/gets aside */
#define MC_GET_LINE_MAX		(64 * 1024)	/* get/gets line */
#define MC_OUT_HIGH		(64 * 1024)	/* output that pauses input */

/* Seconds on a unix-like scale: exptimes over 30 days are read on it. */
typedef int64_t (*mc_clock_fn)(void *arg);

struct mc_store;
struct mc_conn;

/*
 * memcached's limits, by its option names. mc_settings_default() fills
 * them; mc_settings_check() says what is wrong, or NULL.
 */
struct mc_settings {
	size_t memory_limit;		/* -m: bytes of items and in-flight
					   sets together */
	size_t item_size_max;		/* -I: bytes an item may count */
	uint32_t max_connections;	/* -c: open client connections */
	uint32_t idle_timeout;		/* -o idle_timeout, s; 0: off */
	size_t inflight_max;		/* bytes of sets still arriving;
					   0: a quarter of memory_limit,
					   at least one item of the largest */
	uint16_t tcpport;		/* -p, for `stats settings` */
};

void mc_settings_default(struct mc_settings *set);
const char *mc_settings_check(const struct mc_settings *set);

/* The counters `stats` reports, with memcached's names. */
struct mc_stats {
	uint64_t cmd_get, cmd_set, cmd_flush, cmd_touch;
	uint64_t get_hits, get_misses, get_expired, get_flushed;
	uint64_t delete_misses, delete_hits;
	uint64_t incr_misses, incr_hits, decr_misses, decr_hits;
	uint64_t cas_misses, cas_hits, cas_badval;
	uint64_t touch_hits, touch_misses;
	uint64_t store_too_large, store_no_memory;
	uint64_t bytes_read, bytes_written;
	uint64_t curr_connections, total_connections;
	uint64_t rejected_connections, idle_kicks;
	uint64_t bytes, curr_items, total_items;
	uint64_t evictions, reclaimed;
	uint64_t limit_maxbytes;
	uint64_t inflight_bytes;	/* reserved by sets still arriving */
};

/*
 * A store holding at most memory_limit bytes of items (0: 64 MiB), each
 * counted as memcached counts it (header, key, value), and of the sets
 * whose data is still arriving: a set reserves its item's bytes when its
 * command line is read. now() is read on every command. The other
 * settings are the defaults. NULL when out of memory.
 */
struct mc_store *mc_store_new(size_t memory_limit, mc_clock_fn now,
    void *clock_arg);
/* The same with every setting given (zero sizes: their defaults). */
struct mc_store *mc_store_open(const struct mc_settings *set,
    mc_clock_fn now, void *clock_arg);
const struct mc_settings *mc_store_settings(const struct mc_store *s);
/* The connection layer's counters: `stats` reports them. */
void mc_store_rejected(struct mc_store *s);
void mc_store_idle_kick(struct mc_store *s);
/* The pid `stats` reports (0 unless set). */
void mc_store_set_pid(struct mc_store *s, uint32_t pid);
void mc_store_stats(const struct mc_store *s, struct mc_stats *out);
/* Every connection must have been freed first. */
void mc_store_free(struct mc_store *s);

/* A client connection on store s. NULL when out of memory. */
struct mc_conn *mc_conn_new(struct mc_store *s);
/*
 * Take request bytes; responses are appended to the connection's output.
 * Returns how many bytes were taken: fewer than len while more than
 * MC_OUT_HIGH bytes of output wait (drain them, then feed the rest), and
 * all of them once the connection is closing (they are ignored).
 */
size_t mc_conn_feed(struct mc_conn *c, const void *bytes, size_t len);
/* The output waiting to be sent, contiguous; *len is 0 when none. */
const void *mc_conn_output(struct mc_conn *c, size_t *len);
/* n bytes of it were sent; a paused multi-key get may then go on. */
void mc_conn_consume_output(struct mc_conn *c, size_t n);
/*
 * After `quit`, an over-long line, an HTTP request, or on a binary
 * connection (first byte 0x80) a header memcached refuses: send the
 * output that remains, then close.
 */
bool mc_conn_closing(const struct mc_conn *c);
/* Host bytes its buffers hold now (an item still arriving aside). */
size_t mc_conn_memory(const struct mc_conn *c);
/* The most mc_conn_memory() reaches with items of item_size_max. */
size_t mc_conn_memory_bound(size_t item_size_max);
/* Between commands, nothing buffered: let the buffers go. */
void mc_conn_trim(struct mc_conn *c);
void mc_conn_free(struct mc_conn *c);

#endif
