/*
 * memcached_store.h — inside the memcached engine: the item store the
 * protocol (memcached_proto.c) drives, and memcached's number parsing.
 * Not for use outside src/user/memcached_*.c.
 */
#ifndef CAPIO_USER_MEMCACHED_STORE_H
#define CAPIO_USER_MEMCACHED_STORE_H

#include "user/memcached.h"

#define MC_EXPIRED		INT64_MIN	/* an exptime already past */
#define MC_REALTIME_MAXDELTA	(60 * 60 * 24 * 30)

struct mc_item {
	struct mc_item *hnext;		/* hash chain */
	struct mc_item *prev, *next;	/* LRU, most recent first */
	uint64_t cas;
	int64_t exptime;		/* clock second; 0: never */
	int64_t time;			/* clock second it was linked */
	int64_t atime;			/* last access, as memcached dates it */
	uint32_t flags;
	uint32_t nbytes;		/* value bytes, its CRLF included */
	uint8_t nkey;
	uint8_t iflags;			/* MC_IT_* */
	bool reserved;			/* counted as in flight */
	char data[];			/* key, then value */
};

/* memcached's item flags the meta protocol shows. */
#define MC_IT_FETCHED	0x01		/* fetched since it was linked */
#define MC_IT_TOKEN	0x02		/* a client was told it won (W) */
#define MC_IT_STALE	0x04		/* invalidated (md I, ms I) */
#define MC_IT_BINKEY	0x08		/* key arrived in base64 (b) */

/*
 * memcached's slab classes (-n 48 -f 1.25, 1 MiB pages): capio has no
 * slabs, but `stats items`, `stats slabs`, metadump's cls= and me's
 * report items by the class memcached would put them in.
 */
#define MC_CLASSES		64	/* ids 1..63, as memcached's */
#define MC_SLAB_PAGE		(1024 * 1024)
#define MC_SLAB_CHUNK_MAX	(MC_SLAB_PAGE / 2)

struct mc_class {
	uint64_t number, bytes;		/* items, their memcached size */
	uint64_t pages;			/* memcached keeps what it took */
	uint64_t evicted, reclaimed, outofmemory;
	uint64_t get_hits, cmd_set, delete_hits, incr_hits, decr_hits;
	uint64_t cas_hits, cas_badval, touch_hits;
};

/* Settings memcached lets a client change and report, no use here. */
struct mc_tunables {
	bool detail_enabled;
	bool lru_crawler;
	uint32_t crawler_sleep, crawler_tocrawl;
	uint32_t slab_automove;
	uint32_t hot_lru_pct, warm_lru_pct;
	double hot_max_factor, warm_max_factor;
	bool lru_segmented, temp_lru;
	int32_t temporary_ttl;
};

/* A walk of the LRU, cold end first, that items may leave under it. */
struct mc_cursor {
	struct mc_item *next;		/* the next item to visit, or NULL */
	bool from_head;			/* hot end first (cachedump) */
	struct mc_cursor *link;
};

static inline char *
mc_item_value(struct mc_item *it)
{
	return it->data + it->nkey;
}

enum mc_cmd { MC_SET, MC_ADD, MC_REPLACE, MC_APPEND, MC_PREPEND, MC_CAS };
enum mc_alloc { MC_ALLOC_OK, MC_ALLOC_TOO_LARGE, MC_ALLOC_NO_MEMORY };
enum mc_stored { MC_STORED, MC_NOT_STORED, MC_EXISTS, MC_NOT_FOUND };
enum mc_delta { MC_DELTA_OK, MC_DELTA_NON_NUMERIC, MC_DELTA_NOT_FOUND,
	MC_DELTA_EOM, MC_DELTA_EXISTS };

/* What memcached counts for an item: the limit and `bytes` use it. */
size_t mc_item_ntotal(size_t nkey, uint32_t flags, size_t nbytes);

int64_t mc_store_now(struct mc_store *s);
/* memcached's exptime rules: 0 never, < 0 past, > 30 days absolute. */
int64_t mc_store_exptime(struct mc_store *s, int32_t exptime);
/* The counters the protocol bumps. */
struct mc_stats *mc_store_counters(struct mc_store *s);
uint64_t mc_store_started(struct mc_store *s);
uint32_t mc_store_pid(struct mc_store *s);
unsigned mc_store_verbosity(struct mc_store *s, int set);

/*
 * An unlinked item of nbytes value bytes (CRLF included) for a set whose
 * data is yet to come, its bytes reserved against the memory limit (cold
 * items go if they must), or why not: too large for -I, or no room, the
 * whole limit or the in-flight share being taken.
 */
enum mc_alloc mc_item_new(struct mc_store *s, const char *key, size_t nkey,
    uint32_t flags, int64_t exptime, size_t nbytes, struct mc_item **out);
/* Free an unlinked item, giving back its reservation. */
void mc_item_free(struct mc_store *s, struct mc_item *it);

/* A live item, or NULL; bump: a fetch (mc_store_hit). */
struct mc_item *mc_store_get(struct mc_store *s, const char *key,
    size_t nkey, bool bump);
/* A fetch of it: to the head of the LRU, marked fetched. */
void mc_store_hit(struct mc_store *s, struct mc_item *it);
/*
 * Store it (ownership passes) by cmd's rules; cas: the item's cas field
 * (0: none). stale_ok: a cas older than the item's stores it invalidated
 * (ms I). The cas the store gave, when stored, is mc_store_cas().
 */
enum mc_stored mc_store_item(struct mc_store *s, struct mc_item *it,
    enum mc_cmd cmd);
enum mc_stored mc_store_item_meta(struct mc_store *s, struct mc_item *it,
    enum mc_cmd cmd, bool stale_ok);
/* The last cas given. */
uint64_t mc_store_cas(const struct mc_store *s);
/* A new cas for a linked item (md I). */
void mc_store_recas(struct mc_store *s, struct mc_item *it);
/* Link a new item of value v (vlen bytes, CRLF added): mg N, ma N. */
struct mc_item *mc_store_vivify(struct mc_store *s, const char *key,
    size_t nkey, int64_t exptime, const char *v, size_t vlen);
bool mc_store_delete(struct mc_store *s, const char *key, size_t nkey);
/*
 * incr/decr; the new value as text in buf. cas (ma C, may be NULL): if
 * not 0, the item's must match; it is then set to the new one. *itp (may
 * be NULL): the item changed.
 */
enum mc_delta mc_store_delta(struct mc_store *s, const char *key,
    size_t nkey, bool incr, uint64_t delta, char buf[24], uint64_t *cas,
    struct mc_item **itp);
/* New exptime for a live item; it, or NULL. */
struct mc_item *mc_store_touch(struct mc_store *s, const char *key,
    size_t nkey, int64_t exptime);
/* flush_all [delay]. */
void mc_store_flush(struct mc_store *s, int32_t delay);
/* `stats reset`. */
void mc_store_reset_stats(struct mc_store *s);
/* Connection accounting for stats. */
void mc_store_conn(struct mc_store *s, int delta);
/* Whether it is live now (not expired, not flushed). */
bool mc_store_live(const struct mc_store *s, const struct mc_item *it);

/* The slab class memcached gives an item of ntotal bytes (1..63). */
unsigned mc_class_of(size_t ntotal);
unsigned mc_item_class(const struct mc_item *it);
/* Chunk size of class id; 0 past the largest. */
size_t mc_class_size(unsigned id);
struct mc_class *mc_store_class(struct mc_store *s, unsigned id);
struct mc_tunables *mc_store_tunables(struct mc_store *s);
/* cache_memlimit: a limit at most -m (a client may not raise it). */
size_t mc_store_set_limit(struct mc_store *s, size_t bytes);
int64_t mc_store_flush_at(const struct mc_store *s);	/* 0: none */

/* Walks of the LRU (dumps), from the end cur->from_head says;
 * mc_cursor_next: NULL at the end. Every cursor must be ended before the
 * store is freed. */
void mc_cursor_begin(struct mc_store *s, struct mc_cursor *cur);
struct mc_item *mc_cursor_next(struct mc_store *s, struct mc_cursor *cur);
void mc_cursor_end(struct mc_store *s, struct mc_cursor *cur);

/*
 * memcached's safe_strtoull / safe_strtoul / safe_strtol over glibc in
 * the C locale: leading white space and a sign are taken, the number
 * must end the text or be followed by white space, and a negative
 * number is refused where an unsigned one is wanted. The text ends at
 * len or at a NUL.
 */
bool mc_parse_u64(const char *p, size_t len, uint64_t *out);
bool mc_parse_u32(const char *p, uint32_t *out);
bool mc_parse_i32(const char *p, int32_t *out);

#endif
