/*
 * memcached_store.c — the items: a hash table keyed by SipHash (a
 * client cannot aim keys at one chain), one LRU list, a byte budget
 * counted as memcached counts items, lazy expiry, flush_all, and the
 * cas counter. Semantics follow memcached 1.6.18's items.c/memcached.c.
 */
#include "user/memcached_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define NO_FLUSH		INT64_MIN
/* memcached dates its own start this much before it really started. */
#define MC_STARTED_SLACK	62
#define BUCKETS_MIN		1024
#define BUCKETS_MAX		(1u << 24)
/* memcached's item header and its cas field (items.h, 64-bit). */
#define ITEM_HEADER		48
#define ITEM_CAS		8

struct mc_store {
	mc_clock_fn clock;
	void *clock_arg;
	int64_t cur;			/* the clock, read once a command */
	int64_t started;
	size_t limit;
	struct mc_settings set;
	size_t inflight;		/* reserved by sets still arriving */
	struct mc_item **tab;
	size_t nbucket, count;
	struct mc_item *head, *tail;	/* LRU */
	uint64_t cas;			/* last one given */
	int64_t flush_at;		/* items linked up to it die then */
	bool flush_swept;
	uint64_t k0, k1;		/* SipHash key */
	uint32_t pid;
	unsigned verbosity;
	struct mc_stats st;
	struct mc_class cls[MC_CLASSES];
	struct mc_tunables tun;
	struct mc_cursor *cursors;	/* dumps under way */
};

/* memcached's class sizes: 96 bytes, then x1.25 aligned to 8. */
static size_t class_size[MC_CLASSES];
static unsigned class_largest;

static void
classes_init(void)
{
	size_t size = 48 + 48;
	unsigned i = 0;

	if (class_largest != 0)
		return;
	while (++i < MC_CLASSES - 1) {
		if (size * 5 >= (size_t)MC_SLAB_CHUNK_MAX * 4)
			break;
		if (size % 8 != 0)
			size += 8 - size % 8;
		class_size[i] = size;
		size = size * 5 / 4;
	}
	class_size[i] = MC_SLAB_CHUNK_MAX;
	class_largest = i;
}

size_t
mc_class_size(unsigned id)
{
	classes_init();
	return id >= 1 && id <= class_largest ? class_size[id] : 0;
}

unsigned
mc_class_of(size_t ntotal)
{
	unsigned id = 1;

	classes_init();
	/* Past the largest chunk memcached chains chunks to a header. */
	while (ntotal > class_size[id])
		if (id++ == class_largest)
			return class_largest;
	return id;
}

/* SipHash-2-4, for the bucket of a key. */
static uint64_t
rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

#define SIPROUND do { \
	v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32); \
	v2 += v3; v3 = rotl(v3, 16); v3 ^= v2; \
	v0 += v3; v3 = rotl(v3, 21); v3 ^= v0; \
	v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32); \
} while (0)

static uint64_t
siphash(uint64_t k0, uint64_t k1, const uint8_t *p, size_t len)
{
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull;
	uint64_t v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull;
	uint64_t v3 = k1 ^ 0x7465646279746573ull;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = 0;
		for (int j = 7; j >= 0; j--)
			m = (m << 8) | p[i + (size_t)j];
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	for (size_t j = 0; j < left; j++)
		b |= (uint64_t)p[i + j] << (8 * j);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

size_t
mc_item_ntotal(size_t nkey, uint32_t flags, size_t nbytes)
{
	return ITEM_HEADER + ITEM_CAS + (flags != 0 ? sizeof(flags) : 0) +
	    nkey + 1 + nbytes;
}

static size_t
item_ntotal(const struct mc_item *it)
{
	return mc_item_ntotal(it->nkey, it->flags, it->nbytes);
}

unsigned
mc_item_class(const struct mc_item *it)
{
	return mc_class_of(item_ntotal(it));
}

void
mc_settings_default(struct mc_settings *set)
{
	memset(set, 0, sizeof *set);
	set->memory_limit = MC_MEMORY_DEFAULT;
	set->item_size_max = MC_ITEM_SIZE_MAX;
	set->max_connections = MC_MAXCONNS_DEFAULT;
	set->idle_timeout = MC_IDLE_TIMEOUT_DEFAULT;
	set->tcpport = 11211;
}

const char *
mc_settings_check(const struct mc_settings *set)
{
	/* memcached's own refusals, in its words where it has them. */
	if (set->item_size_max < MC_ITEM_SIZE_MIN)
		return "Item max size cannot be less than 1024 bytes.";
	if (set->item_size_max > MC_ITEM_SIZE_TOP)
		return "Cannot set item size limit higher than 1 GB.";
	if (set->memory_limit == 0 ||
	    set->item_size_max > set->memory_limit / 2)
		return "Cannot set item size limit higher than 1/2 of "
		    "memory max.";
	if (set->max_connections == 0)
		return "Maximum connections must be greater than 0";
	if (set->max_connections > MC_MAXCONNS_TOP)
		return "Maximum connections must be at most 65535";
	if (set->idle_timeout > MC_IDLE_TIMEOUT_TOP)
		return "idle_timeout must be at most 2592000 (30 days)";
	return NULL;
}

struct mc_store *
mc_store_new(size_t memory_limit, mc_clock_fn now, void *clock_arg)
{
	struct mc_settings set;

	mc_settings_default(&set);
	set.memory_limit = memory_limit;
	return mc_store_open(&set, now, clock_arg);
}

struct mc_store *
mc_store_open(const struct mc_settings *set, mc_clock_fn now,
    void *clock_arg)
{
	struct mc_store *s = calloc(1, sizeof *s);
	uint64_t key[2];

	if (s == NULL)
		return NULL;
	s->nbucket = BUCKETS_MIN;
	if ((s->tab = calloc(s->nbucket, sizeof *s->tab)) == NULL) {
		free(s);
		return NULL;
	}
	s->clock = now;
	s->clock_arg = clock_arg;
	s->set = *set;
	if (s->set.memory_limit == 0)
		s->set.memory_limit = MC_MEMORY_DEFAULT;
	if (s->set.item_size_max == 0)
		s->set.item_size_max = MC_ITEM_SIZE_MAX;
	if (s->set.max_connections == 0)
		s->set.max_connections = MC_MAXCONNS_DEFAULT;
	s->limit = s->set.memory_limit;
	if (s->set.inflight_max == 0) {
		/*
		 * Sets still arriving may take a quarter of the memory, so a
		 * flood of unfinished ones can push out at most that much of
		 * what is stored; but one item of the largest size always
		 * fits.
		 */
		size_t one = s->set.item_size_max < s->limit ?
		    s->set.item_size_max : s->limit;

		s->set.inflight_max = s->limit / 4 > one ? s->limit / 4 : one;
	}
	s->flush_at = NO_FLUSH;
	if (getrandom(key, sizeof key, GRND_NONBLOCK) != (ssize_t)sizeof key) {
		/* Weaker, but still not known to a client in advance. */
		key[0] = (uint64_t)(uintptr_t)s ^ 0x9e3779b97f4a7c15ull;
		key[1] = (uint64_t)(uintptr_t)&key ^ (uint64_t)now(clock_arg);
	}
	s->k0 = key[0];
	s->k1 = key[1];
	s->cur = s->started = now(clock_arg);
	s->st.limit_maxbytes = s->limit;
	/* memcached's defaults. */
	s->tun.lru_crawler = true;
	s->tun.crawler_sleep = 100;
	s->tun.slab_automove = 1;
	s->tun.hot_lru_pct = 20;
	s->tun.warm_lru_pct = 40;
	s->tun.hot_max_factor = 0.2;
	s->tun.warm_max_factor = 2.0;
	s->tun.lru_segmented = true;
	s->tun.temporary_ttl = 61;
	classes_init();
	return s;
}

struct mc_class *
mc_store_class(struct mc_store *s, unsigned id)
{
	return &s->cls[id < MC_CLASSES ? id : 0];
}

struct mc_tunables *
mc_store_tunables(struct mc_store *s)
{
	return &s->tun;
}

size_t
mc_store_set_limit(struct mc_store *s, size_t bytes)
{
	/* Lower only: the server's memory bound is counted from -m. */
	if (bytes > s->set.memory_limit)
		bytes = s->set.memory_limit;
	s->limit = bytes;
	s->st.limit_maxbytes = bytes;
	return bytes;
}

int64_t
mc_store_flush_at(const struct mc_store *s)
{
	return s->flush_at == NO_FLUSH ? 0 : s->flush_at;
}

uint64_t
mc_store_cas(const struct mc_store *s)
{
	return s->cas;
}

void
mc_store_recas(struct mc_store *s, struct mc_item *it)
{
	it->cas = ++s->cas;
}

void
mc_cursor_begin(struct mc_store *s, struct mc_cursor *cur)
{
	cur->next = cur->from_head ? s->head : s->tail;
	cur->link = s->cursors;
	s->cursors = cur;
}

struct mc_item *
mc_cursor_next(struct mc_store *s, struct mc_cursor *cur)
{
	struct mc_item *it = cur->next;

	(void)s;
	if (it != NULL)
		cur->next = cur->from_head ? it->next : it->prev;
	return it;
}

void
mc_cursor_end(struct mc_store *s, struct mc_cursor *cur)
{
	for (struct mc_cursor **pp = &s->cursors; *pp != NULL;
	    pp = &(*pp)->link)
		if (*pp == cur) {
			*pp = cur->link;
			break;
		}
	cur->next = NULL;
}

const struct mc_settings *
mc_store_settings(const struct mc_store *s)
{
	return &s->set;
}

void
mc_store_rejected(struct mc_store *s)
{
	s->st.rejected_connections++;
}

void
mc_store_idle_kick(struct mc_store *s)
{
	s->st.idle_kicks++;
}

void
mc_store_set_pid(struct mc_store *s, uint32_t pid)
{
	s->pid = pid;
}

uint32_t
mc_store_pid(struct mc_store *s)
{
	return s->pid;
}

uint64_t
mc_store_started(struct mc_store *s)
{
	return (uint64_t)s->started;
}

unsigned
mc_store_verbosity(struct mc_store *s, int set)
{
	if (set >= 0)
		s->verbosity = (unsigned)set;
	return s->verbosity;
}

struct mc_stats *
mc_store_counters(struct mc_store *s)
{
	return &s->st;
}

void
mc_store_stats(const struct mc_store *s, struct mc_stats *out)
{
	*out = s->st;
	out->inflight_bytes = s->inflight;
}

void
mc_store_reset_stats(struct mc_store *s)
{
	struct mc_stats keep = s->st;

	/* `stats reset` keeps what describes the present. */
	memset(&s->st, 0, sizeof s->st);
	s->st.curr_connections = keep.curr_connections;
	s->st.bytes = keep.bytes;
	s->st.curr_items = keep.curr_items;
	s->st.limit_maxbytes = keep.limit_maxbytes;
	/* memcached resets its slab and item counters too. */
	for (unsigned id = 0; id < MC_CLASSES; id++) {
		struct mc_class *cl = &s->cls[id];
		struct mc_class keep_cl = *cl;

		memset(cl, 0, sizeof *cl);
		cl->number = keep_cl.number;
		cl->bytes = keep_cl.bytes;
		cl->pages = keep_cl.pages;
	}
}

void
mc_store_conn(struct mc_store *s, int delta)
{
	if (delta > 0) {
		s->st.curr_connections++;
		s->st.total_connections++;
	} else if (s->st.curr_connections > 0)
		s->st.curr_connections--;
}

static struct mc_item **
bucket(struct mc_store *s, const char *key, size_t nkey)
{
	uint64_t h = siphash(s->k0, s->k1, (const uint8_t *)key, nkey);

	return &s->tab[h & (s->nbucket - 1)];
}

static void
lru_unlink(struct mc_store *s, struct mc_item *it)
{
	/* A dump about to visit it goes on with the next one instead. */
	for (struct mc_cursor *cur = s->cursors; cur != NULL; cur = cur->link)
		if (cur->next == it)
			cur->next = cur->from_head ? it->next : it->prev;
	if (it->prev != NULL)
		it->prev->next = it->next;
	else
		s->head = it->next;
	if (it->next != NULL)
		it->next->prev = it->prev;
	else
		s->tail = it->prev;
	it->prev = it->next = NULL;
}

static void
lru_push(struct mc_store *s, struct mc_item *it)
{
	it->prev = NULL;
	it->next = s->head;
	if (s->head != NULL)
		s->head->prev = it;
	else
		s->tail = it;
	s->head = it;
}

static void
bump(struct mc_store *s, struct mc_item *it)
{
	if (s->head != it) {
		lru_unlink(s, it);
		lru_push(s, it);
	}
}

/* Take it out of the table and the LRU, and free it. */
static void
unlink_item(struct mc_store *s, struct mc_item *it)
{
	struct mc_item **pp = bucket(s, it->data, it->nkey);

	while (*pp != it)
		pp = &(*pp)->hnext;
	*pp = it->hnext;
	lru_unlink(s, it);
	s->count--;
	s->st.curr_items--;
	s->st.bytes -= item_ntotal(it);
	s->cls[mc_item_class(it)].number--;
	s->cls[mc_item_class(it)].bytes -= item_ntotal(it);
	free(it);
}

static bool
is_flushed(const struct mc_store *s, const struct mc_item *it)
{
	return s->flush_at != NO_FLUSH && s->flush_at <= s->cur &&
	    it->time <= s->flush_at;
}

static bool
is_expired(const struct mc_store *s, const struct mc_item *it)
{
	return it->exptime != 0 && it->exptime <= s->cur;
}

bool
mc_store_live(const struct mc_store *s, const struct mc_item *it)
{
	return !is_expired(s, it) && !is_flushed(s, it);
}

int64_t
mc_store_now(struct mc_store *s)
{
	int64_t t = s->clock(s->clock_arg);

	/* A clock that steps back must not bring items back to life. */
	if (t > s->cur)
		s->cur = t;
	if (s->flush_at != NO_FLUSH && s->flush_at <= s->cur &&
	    !s->flush_swept) {
		struct mc_item *it, *next;

		for (it = s->head; it != NULL; it = next) {
			next = it->next;
			if (is_flushed(s, it))
				unlink_item(s, it);
		}
		s->flush_swept = true;
	}
	return s->cur;
}

int64_t
mc_store_exptime(struct mc_store *s, int32_t exptime)
{
	if (exptime == 0)
		return 0;
	if (exptime < 0)
		return MC_EXPIRED;
	/* Over 30 days: a unix time, maybe past (then dead at once). */
	if (exptime > MC_REALTIME_MAXDELTA)
		return exptime;
	return s->cur + exptime;
}

static void
grow(struct mc_store *s)
{
	size_t n = s->nbucket * 2, i;
	struct mc_item **tab, *it, *next;

	if (n > BUCKETS_MAX || (tab = calloc(n, sizeof *tab)) == NULL)
		return;		/* longer chains, still correct */
	for (i = 0; i < s->nbucket; i++)
		for (it = s->tab[i]; it != NULL; it = next) {
			uint64_t h = siphash(s->k0, s->k1,
			    (const uint8_t *)it->data, it->nkey);

			next = it->hnext;
			it->hnext = tab[h & (n - 1)];
			tab[h & (n - 1)] = it;
		}
	free(s->tab);
	s->tab = tab;
	s->nbucket = n;
}

/*
 * Room for need more bytes beside the stored items and the in-flight
 * reservations: least recently used first. False if even an empty store
 * has none (the reservations take it).
 */
static bool
make_room(struct mc_store *s, size_t need)
{
	if (need > s->limit || s->inflight > s->limit - need)
		return false;
	while (s->tail != NULL && s->st.bytes + s->inflight + need > s->limit) {
		struct mc_item *victim = s->tail;
		struct mc_class *cl = &s->cls[mc_item_class(victim)];

		if (is_expired(s, victim) || is_flushed(s, victim)) {
			s->st.reclaimed++;
			cl->reclaimed++;
		} else {
			s->st.evictions++;
			cl->evicted++;
		}
		unlink_item(s, victim);
	}
	return true;
}

static void
link_item(struct mc_store *s, struct mc_item *it)
{
	struct mc_item **pp;
	struct mc_class *cl;
	size_t n = item_ntotal(it), per;

	/* The callers made sure it fits: reserved, or checked with fits(). */
	make_room(s, n);
	if (s->count >= s->nbucket)
		grow(s);
	pp = bucket(s, it->data, it->nkey);
	it->hnext = *pp;
	*pp = it;
	lru_push(s, it);
	it->time = it->atime = s->cur;
	it->cas = ++s->cas;
	s->count++;
	s->st.curr_items++;
	s->st.total_items++;
	s->st.bytes += n;
	cl = &s->cls[mc_class_of(n)];
	cl->number++;
	cl->bytes += n;
	per = MC_SLAB_PAGE / mc_class_size(mc_class_of(n));
	if (cl->pages < (cl->number + per - 1) / per)
		cl->pages = (cl->number + per - 1) / per;
}

/* The item under key, dead or alive. */
static struct mc_item *
find(struct mc_store *s, const char *key, size_t nkey)
{
	struct mc_item *it;

	for (it = *bucket(s, key, nkey); it != NULL; it = it->hnext)
		if (it->nkey == nkey && memcmp(it->data, key, nkey) == 0)
			return it;
	return NULL;
}

struct mc_item *
mc_store_get(struct mc_store *s, const char *key, size_t nkey, bool do_bump)
{
	struct mc_item *it = find(s, key, nkey);

	if (it == NULL)
		return NULL;
	if (is_flushed(s, it)) {
		s->st.get_flushed++;
		unlink_item(s, it);
		return NULL;
	}
	if (is_expired(s, it)) {
		s->st.get_expired++;
		unlink_item(s, it);
		return NULL;
	}
	if (do_bump)
		mc_store_hit(s, it);
	return it;
}

void
mc_store_hit(struct mc_store *s, struct mc_item *it)
{
	/*
	 * As memcached's segmented LRU: the first fetch marks the item
	 * fetched, a later one dates its last access.
	 */
	if (it->iflags & MC_IT_FETCHED)
		it->atime = s->cur;
	it->iflags |= MC_IT_FETCHED;
	bump(s, it);
}

/* An unlinked, unreserved item: joined values, a grown incr. */
static enum mc_alloc
item_alloc(struct mc_store *s, const char *key, size_t nkey, uint32_t flags,
    int64_t exptime, size_t nbytes, struct mc_item **out)
{
	size_t n = mc_item_ntotal(nkey, flags, nbytes);
	struct mc_item *it;

	*out = NULL;
	if (nkey > MC_KEY_MAX || n > s->set.item_size_max)
		return MC_ALLOC_TOO_LARGE;
	if (n > s->limit)
		return MC_ALLOC_NO_MEMORY;
	if ((it = malloc(sizeof *it + nkey + nbytes)) == NULL)
		return MC_ALLOC_NO_MEMORY;
	memset(it, 0, sizeof *it);
	memcpy(it->data, key, nkey);
	it->nkey = (uint8_t)nkey;
	it->flags = flags;
	it->exptime = exptime;
	it->nbytes = (uint32_t)nbytes;
	*out = it;
	return MC_ALLOC_OK;
}

/* Whether an item of n bytes can be linked now, evicting if need be. */
static bool
fits(const struct mc_store *s, size_t n)
{
	return n <= s->limit && s->inflight <= s->limit - n;
}

enum mc_alloc
mc_item_new(struct mc_store *s, const char *key, size_t nkey, uint32_t flags,
    int64_t exptime, size_t nbytes, struct mc_item **out)
{
	size_t n = mc_item_ntotal(nkey, flags, nbytes);
	enum mc_alloc a;

	*out = NULL;
	if (nkey > MC_KEY_MAX || n > s->set.item_size_max)
		return MC_ALLOC_TOO_LARGE;
	/*
	 * memcached takes an item's memory when its command line arrives;
	 * so does this, but sets still arriving share only inflight_max:
	 * clients that never finish theirs cannot take the whole store.
	 */
	if (n > s->set.inflight_max || s->inflight > s->set.inflight_max - n ||
	    !make_room(s, n))
		return MC_ALLOC_NO_MEMORY;
	if ((a = item_alloc(s, key, nkey, flags, exptime, nbytes, out)) !=
	    MC_ALLOC_OK)
		return a;
	(*out)->reserved = true;
	s->inflight += n;
	return MC_ALLOC_OK;
}

/* The reservation ends: the item is linked or thrown away. */
static void
unreserve(struct mc_store *s, struct mc_item *it)
{
	if (it->reserved) {
		s->inflight -= item_ntotal(it);
		it->reserved = false;
	}
}

void
mc_item_free(struct mc_store *s, struct mc_item *it)
{
	if (it == NULL)
		return;
	unreserve(s, it);
	free(it);
}

/* append/prepend: old's flags and exptime, both values joined. */
static struct mc_item *
joined(struct mc_store *s, struct mc_item *old, struct mc_item *it,
    enum mc_cmd cmd)
{
	struct mc_item *j;
	size_t ov = old->nbytes - 2, nv = it->nbytes - 2;

	if (item_alloc(s, it->data, it->nkey, old->flags, old->exptime,
	    ov + nv + 2, &j) != MC_ALLOC_OK)
		return NULL;
	if (cmd == MC_APPEND) {
		memcpy(mc_item_value(j), mc_item_value(old), ov);
		memcpy(mc_item_value(j) + ov, mc_item_value(it), nv + 2);
	} else {
		memcpy(mc_item_value(j), mc_item_value(it), nv);
		memcpy(mc_item_value(j) + nv, mc_item_value(old), ov + 2);
	}
	return j;
}

enum mc_stored
mc_store_item(struct mc_store *s, struct mc_item *it, enum mc_cmd cmd)
{
	return mc_store_item_meta(s, it, cmd, false);
}

enum mc_stored
mc_store_item_meta(struct mc_store *s, struct mc_item *it, enum mc_cmd cmd,
    bool stale_ok)
{
	struct mc_item *old = mc_store_get(s, it->data, it->nkey, false);
	enum mc_stored r = MC_NOT_STORED;
	bool store = false;

	/* Its bytes move from the in-flight share to the items. */
	unreserve(s, it);

	if (old != NULL) {
		struct mc_class *cl = &s->cls[mc_item_class(old)];
		/* memcached compares the cas up front, for every mode. */
		bool none = it->cas == 0, match = it->cas == old->cas;
		bool stale = !none && stale_ok && it->cas < old->cas;

		switch (cmd) {
		case MC_ADD:
			/* memcached promotes the item it kept. */
			bump(s, old);
			break;
		case MC_CAS:
			if (!none && (match || stale)) {
				s->st.cas_hits++;
				cl->cas_hits++;
				store = true;
				if (stale) {
					/* Stored, but marked as old news. */
					it->exptime = old->exptime;
					it->iflags |= MC_IT_STALE |
					    (old->iflags & MC_IT_TOKEN);
				}
			} else {
				s->st.cas_badval++;
				cl->cas_badval++;
				r = MC_EXISTS;
			}
			break;
		case MC_APPEND:
		case MC_PREPEND: {
			struct mc_item *j;

			if (!none && !match) {
				r = MC_EXISTS;
				break;
			}
			j = joined(s, old, it, cmd);
			if (j != NULL && fits(s, item_ntotal(j))) {
				j->iflags = it->iflags;
				mc_item_free(s, it);
				it = j;
				store = true;
			} else
				mc_item_free(s, j);
			break;
		}
		case MC_SET:
		case MC_REPLACE:
			store = true;
			break;
		}
		if (store)
			unlink_item(s, old);
	} else {
		switch (cmd) {
		case MC_ADD:
		case MC_SET:
			store = true;
			break;
		case MC_CAS:
			s->st.cas_misses++;
			r = MC_NOT_FOUND;
			break;
		case MC_REPLACE:
		case MC_APPEND:
		case MC_PREPEND:
			break;
		}
	}
	if (store) {
		link_item(s, it);
		return MC_STORED;
	}
	mc_item_free(s, it);
	return r;
}

struct mc_item *
mc_store_vivify(struct mc_store *s, const char *key, size_t nkey,
    int64_t exptime, const char *v, size_t vlen)
{
	struct mc_item *it;

	if (item_alloc(s, key, nkey, 0, exptime, vlen + 2, &it) !=
	    MC_ALLOC_OK)
		return NULL;
	if (!fits(s, item_ntotal(it))) {
		free(it);
		return NULL;
	}
	memcpy(mc_item_value(it), v, vlen);
	memcpy(mc_item_value(it) + vlen, "\r\n", 2);
	link_item(s, it);
	return it;
}

bool
mc_store_delete(struct mc_store *s, const char *key, size_t nkey)
{
	struct mc_item *it = mc_store_get(s, key, nkey, false);

	if (it == NULL)
		return false;
	s->cls[mc_item_class(it)].delete_hits++;
	unlink_item(s, it);
	return true;
}

enum mc_delta
mc_store_delta(struct mc_store *s, const char *key, size_t nkey, bool incr,
    uint64_t delta, char buf[24], uint64_t *cas, struct mc_item **itp)
{
	struct mc_item *it = mc_store_get(s, key, nkey, false), *n;
	uint64_t v;
	size_t res;

	if (itp != NULL)
		*itp = NULL;
	if (it == NULL)
		return MC_DELTA_NOT_FOUND;
	if (cas != NULL && *cas != 0 && *cas != it->cas)
		return MC_DELTA_EXISTS;
	if (it->nbytes <= 2 || !mc_parse_u64(mc_item_value(it), it->nbytes, &v))
		return MC_DELTA_NON_NUMERIC;
	if (incr)
		v += delta;	/* wraps at 2^64, as memcached's does */
	else
		v = delta > v ? 0 : v - delta;
	if (incr) {
		s->st.incr_hits++;
		s->cls[mc_item_class(it)].incr_hits++;
	} else {
		s->st.decr_hits++;
		s->cls[mc_item_class(it)].decr_hits++;
	}
	res = (size_t)snprintf(buf, 24, "%llu", (unsigned long long)v);
	if (res + 2 <= it->nbytes) {
		/* In place: the length stays, padded with spaces. */
		it->cas = ++s->cas;
		memcpy(mc_item_value(it), buf, res);
		memset(mc_item_value(it) + res, ' ', it->nbytes - 2 - res);
		bump(s, it);
		if (cas != NULL)
			*cas = it->cas;
		if (itp != NULL)
			*itp = it;
		return MC_DELTA_OK;
	}
	if (item_alloc(s, key, nkey, it->flags, it->exptime, res + 2, &n) !=
	    MC_ALLOC_OK)
		return MC_DELTA_EOM;
	if (!fits(s, item_ntotal(n))) {
		/* The in-flight sets hold the room it needs. */
		free(n);
		return MC_DELTA_EOM;
	}
	memcpy(mc_item_value(n), buf, res);
	memcpy(mc_item_value(n) + res, "\r\n", 2);
	n->iflags = it->iflags;
	unlink_item(s, it);
	link_item(s, n);
	if (cas != NULL)
		*cas = n->cas;
	if (itp != NULL)
		*itp = n;
	return MC_DELTA_OK;
}

struct mc_item *
mc_store_touch(struct mc_store *s, const char *key, size_t nkey,
    int64_t exptime)
{
	struct mc_item *it = mc_store_get(s, key, nkey, true);

	if (it != NULL) {
		it->exptime = exptime;
		s->cls[mc_item_class(it)].touch_hits++;
	}
	return it;
}

static void
drop_all(struct mc_store *s)
{
	while (s->head != NULL)
		unlink_item(s, s->head);
}

void
mc_store_flush(struct mc_store *s, int32_t delay)
{
	int64_t oldest;

	/*
	 * memcached invalidates the items linked up to (deadline - 1), from
	 * then on: a deadline of now + 1 also kills what is stored during
	 * this second. Reaching it at once uses up a cas value.
	 */
	if (delay <= 0)
		oldest = s->cur - 1;
	else if (delay <= MC_REALTIME_MAXDELTA)
		oldest = s->cur + delay - 1;
	else if (delay > s->started - MC_STARTED_SLACK)
		oldest = delay - 1;
	else {
		/* A unix time before memcached started flushes nothing. */
		s->cas++;
		s->flush_at = NO_FLUSH;
		return;
	}
	s->flush_at = oldest;
	if (oldest <= s->cur) {
		s->cas++;
		drop_all(s);
		s->flush_swept = true;
	} else
		s->flush_swept = false;
}

void
mc_store_free(struct mc_store *s)
{
	if (s == NULL)
		return;
	drop_all(s);
	free(s->tab);
	free(s);
}
