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
	uint32_t flags;
	uint32_t nbytes;		/* value bytes, its CRLF included */
	uint8_t nkey;
	bool reserved;			/* counted as in flight */
	char data[];			/* key, then value */
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
	MC_DELTA_EOM };

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

/* A live item, or NULL; bump moves it to the head of the LRU. */
struct mc_item *mc_store_get(struct mc_store *s, const char *key,
    size_t nkey, bool bump);
/* Store it (ownership passes) by cmd's rules; cas: the item's cas field. */
enum mc_stored mc_store_item(struct mc_store *s, struct mc_item *it,
    enum mc_cmd cmd);
bool mc_store_delete(struct mc_store *s, const char *key, size_t nkey);
/* incr/decr; the new value as text in buf. */
enum mc_delta mc_store_delta(struct mc_store *s, const char *key,
    size_t nkey, bool incr, uint64_t delta, char buf[24]);
/* New exptime for a live item; it, or NULL. */
struct mc_item *mc_store_touch(struct mc_store *s, const char *key,
    size_t nkey, int64_t exptime);
/* flush_all [delay]. */
void mc_store_flush(struct mc_store *s, int32_t delay);
/* `stats reset`. */
void mc_store_reset_stats(struct mc_store *s);
/* Connection accounting for stats. */
void mc_store_conn(struct mc_store *s, int delta);

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
