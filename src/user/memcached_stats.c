/*
 * memcached_stats.c — `stats` and its subcommands, and the admin commands
 * that report on or tune the store (lru_crawler, slabs, lru,
 * cache_memlimit, watch), answered as memcached 1.6.18 answers them.
 * capio has one LRU and no slabs: what memcached reports per slab class
 * is reported for the class memcached would give each item, and what has
 * no meaning here is reported as memcached reports its defaults.
 */
#include "user/memcached_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHEDUMP_MAX	(2 * 1024 * 1024)	/* memcached's memlimit */
#define CRAWL_SLEEP_MAX	1000000
#define ALL_CLASSES	(~(uint64_t)0)

static void
stat_u64(struct mc_conn *c, const char *name, uint64_t v)
{
	mc_out_fmt(c, "STAT %s %llu\r\n", name, (unsigned long long)v);
}

static void
stat_str(struct mc_conn *c, const char *name, const char *v)
{
	mc_out_fmt(c, "STAT %s %s\r\n", name, v);
}

static void
stat_yes(struct mc_conn *c, const char *name, bool v)
{
	stat_str(c, name, v ? "yes" : "no");
}

static void
stats_general(struct mc_conn *c)
{
	struct mc_store *s = c->s;
	const struct mc_stats *st = mc_store_counters(s);
	const struct mc_settings *set = mc_store_settings(s);
	int64_t now = mc_store_now(s);

	stat_u64(c, "pid", mc_store_pid(s));
	stat_u64(c, "uptime", (uint64_t)now - mc_store_started(s));
	stat_u64(c, "time", (uint64_t)now);
	stat_str(c, "version", MC_VERSION);
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
	mc_out_bytes(c, "END\r\n", 5);
}

/* All of memcached 1.6.18's settings, in its order. */
static void
stats_settings(struct mc_conn *c)
{
	struct mc_store *s = c->s;
	const struct mc_settings *set = mc_store_settings(s);
	const struct mc_tunables *tun = mc_store_tunables(s);
	int64_t oldest = mc_store_flush_at(s);

	stat_u64(c, "maxbytes", mc_store_counters(s)->limit_maxbytes);
	stat_u64(c, "maxconns", set->max_connections);
	stat_u64(c, "tcpport", set->tcpport);
	stat_u64(c, "udpport", 0);
	stat_str(c, "inter", "NULL");
	stat_u64(c, "verbosity", mc_store_verbosity(s, -1));
	/* memcached counts it on its own clock, from 62 s before start. */
	stat_u64(c, "oldest", oldest == 0 ? 0 :
	    (uint64_t)(oldest - (int64_t)mc_store_started(s) + 62));
	stat_str(c, "evictions", "on");
	stat_str(c, "domain_socket", "NULL");
	stat_u64(c, "umask", 700);
	stat_str(c, "shutdown_command", "no");
	stat_str(c, "growth_factor", "1.25");
	stat_u64(c, "chunk_size", 48);
	stat_u64(c, "num_threads", 1);
	stat_u64(c, "num_threads_per_udp", 1);
	stat_str(c, "stat_key_prefix", ":");
	stat_yes(c, "detail_enabled", tun->detail_enabled);
	stat_u64(c, "reqs_per_event", 20);
	stat_str(c, "cas_enabled", "yes");
	stat_u64(c, "tcp_backlog", 1024);
	stat_str(c, "binding_protocol", "auto-negotiate");
	stat_str(c, "auth_enabled_sasl", "no");
	stat_str(c, "auth_enabled_ascii", "no");
	stat_u64(c, "item_size_max", set->item_size_max);
	stat_str(c, "maxconns_fast", "yes");
	stat_u64(c, "hashpower_init", 0);
	stat_str(c, "slab_reassign", "yes");
	stat_u64(c, "slab_automove", tun->slab_automove);
	stat_str(c, "slab_automove_ratio", "0.80");
	stat_u64(c, "slab_automove_window", 30);
	stat_u64(c, "slab_chunk_max", MC_SLAB_CHUNK_MAX);
	stat_yes(c, "lru_crawler", tun->lru_crawler);
	stat_u64(c, "lru_crawler_sleep", tun->crawler_sleep);
	stat_u64(c, "lru_crawler_tocrawl", tun->crawler_tocrawl);
	stat_u64(c, "tail_repair_time", 0);
	stat_str(c, "flush_enabled", "yes");
	stat_str(c, "dump_enabled", "yes");
	/* The hash of the store's table: keyed, so no chain can be aimed. */
	stat_str(c, "hash_algorithm", "siphash");
	stat_str(c, "lru_maintainer_thread", "yes");
	stat_yes(c, "lru_segmented", tun->lru_segmented);
	stat_u64(c, "hot_lru_pct", tun->hot_lru_pct);
	stat_u64(c, "warm_lru_pct", tun->warm_lru_pct);
	mc_out_fmt(c, "STAT hot_max_factor %.2f\r\n", tun->hot_max_factor);
	mc_out_fmt(c, "STAT warm_max_factor %.2f\r\n", tun->warm_max_factor);
	stat_yes(c, "temp_lru", tun->temp_lru);
	stat_u64(c, "temporary_ttl", (uint64_t)(uint32_t)tun->temporary_ttl);
	stat_u64(c, "idle_timeout", set->idle_timeout);
	stat_u64(c, "watcher_logbuf_size", 262144);
	stat_u64(c, "worker_logbuf_size", 65536);
	stat_u64(c, "read_buf_mem_limit", 0);
	stat_str(c, "track_sizes", "no");
	stat_str(c, "inline_ascii_response", "no");
	stat_u64(c, "ext_item_size", 512);
	stat_u64(c, "ext_item_age", 4294967295u);
	stat_u64(c, "ext_low_ttl", 0);
	stat_u64(c, "ext_recache_rate", 2000);
	stat_u64(c, "ext_wbuf_size", 4194304);
	stat_u64(c, "ext_compact_under", 0);
	stat_u64(c, "ext_drop_under", 0);
	stat_u64(c, "ext_max_sleep", 1000000);
	stat_str(c, "ext_max_frag", "0.80");
	stat_str(c, "slab_automove_freeratio", "0.010");
	stat_str(c, "ext_drop_unread", "no");
	stat_str(c, "ssl_enabled", "no");
	stat_str(c, "ssl_chain_cert", "(null)");
	stat_str(c, "ssl_key", "(null)");
	stat_u64(c, "ssl_verify_mode", 0);
	stat_u64(c, "ssl_keyformat", 1);
	stat_str(c, "ssl_ciphers", "NULL");
	stat_str(c, "ssl_ca_cert", "NULL");
	stat_u64(c, "ssl_wbuf_size", 16384);
	stat_str(c, "ssl_session_cache", "no");
	stat_str(c, "ssl_kernel_tls", "no");
	stat_str(c, "ssl_min_version", "tlsv1.2");
	stat_str(c, "num_napi_ids", "(null)");
	stat_str(c, "memory_file", "(null)");
	mc_out_bytes(c, "END\r\n", 5);
}

static void
class_stat(struct mc_conn *c, const char *pre, unsigned id,
    const char *name, uint64_t v)
{
	mc_out_fmt(c, "STAT %s%u:%s %llu\r\n", pre, id, name,
	    (unsigned long long)v);
}

/* One LRU, all of it "cold", as memcached's items end up when idle. */
static void
stats_items(struct mc_conn *c)
{
	struct mc_store *s = c->s;
	const struct mc_tunables *tun = mc_store_tunables(s);
	struct mc_cursor cur = { .from_head = false };
	struct mc_item *tail;
	int64_t now = mc_store_now(s);
	uint64_t age;

	mc_cursor_begin(s, &cur);
	tail = mc_cursor_next(s, &cur);
	mc_cursor_end(s, &cur);
	age = tail != NULL ? (uint64_t)(now - tail->atime) : 0;
	for (unsigned id = 1; mc_class_size(id) != 0; id++) {
		const struct mc_class *cl = mc_store_class(s, id);

		if (cl->number == 0)
			continue;
		class_stat(c, "items:", id, "number", cl->number);
		class_stat(c, "items:", id, "number_hot", 0);
		class_stat(c, "items:", id, "number_warm", 0);
		class_stat(c, "items:", id, "number_cold", cl->number);
		if (tun->temp_lru)
			class_stat(c, "items:", id, "number_temp", 0);
		class_stat(c, "items:", id, "age_hot", 0);
		class_stat(c, "items:", id, "age_warm", 0);
		class_stat(c, "items:", id, "age", age);
		class_stat(c, "items:", id, "mem_requested", cl->bytes);
		class_stat(c, "items:", id, "evicted", cl->evicted);
		class_stat(c, "items:", id, "evicted_nonzero", 0);
		class_stat(c, "items:", id, "evicted_time", 0);
		class_stat(c, "items:", id, "outofmemory", cl->outofmemory);
		class_stat(c, "items:", id, "tailrepairs", 0);
		class_stat(c, "items:", id, "reclaimed", cl->reclaimed);
		class_stat(c, "items:", id, "expired_unfetched", 0);
		class_stat(c, "items:", id, "evicted_unfetched", 0);
		class_stat(c, "items:", id, "evicted_active", 0);
		class_stat(c, "items:", id, "crawler_reclaimed", 0);
		class_stat(c, "items:", id, "crawler_items_checked", 0);
		class_stat(c, "items:", id, "lrutail_reflocked", 0);
		class_stat(c, "items:", id, "moves_to_cold", 0);
		class_stat(c, "items:", id, "moves_to_warm", 0);
		class_stat(c, "items:", id, "moves_within_lru", 0);
		class_stat(c, "items:", id, "direct_reclaims", 0);
		class_stat(c, "items:", id, "hits_to_hot", 0);
		class_stat(c, "items:", id, "hits_to_warm", 0);
		class_stat(c, "items:", id, "hits_to_cold", cl->get_hits);
		class_stat(c, "items:", id, "hits_to_temp", 0);
	}
	mc_out_bytes(c, "END\r\n", 5);
}

/* The pages memcached would hold: as many as the items ever filled. */
static void
stats_slabs(struct mc_conn *c)
{
	struct mc_store *s = c->s;
	uint64_t active = 0, malloced = 0;

	for (unsigned id = 1; mc_class_size(id) != 0; id++) {
		const struct mc_class *cl = mc_store_class(s, id);
		uint64_t per = MC_SLAB_PAGE / mc_class_size(id);
		uint64_t pages = cl->pages;

		/* memcached lists every class that ever took a page. */
		if (pages == 0)
			continue;
		active++;
		malloced += pages * MC_SLAB_PAGE;
		class_stat(c, "", id, "chunk_size", mc_class_size(id));
		class_stat(c, "", id, "chunks_per_page", per);
		class_stat(c, "", id, "total_pages", pages);
		class_stat(c, "", id, "total_chunks", pages * per);
		class_stat(c, "", id, "used_chunks", cl->number);
		class_stat(c, "", id, "free_chunks", pages * per - cl->number);
		class_stat(c, "", id, "free_chunks_end", 0);
		class_stat(c, "", id, "get_hits", cl->get_hits);
		class_stat(c, "", id, "cmd_set", cl->cmd_set);
		class_stat(c, "", id, "delete_hits", cl->delete_hits);
		class_stat(c, "", id, "incr_hits", cl->incr_hits);
		class_stat(c, "", id, "decr_hits", cl->decr_hits);
		class_stat(c, "", id, "cas_hits", cl->cas_hits);
		class_stat(c, "", id, "cas_badval", cl->cas_badval);
		class_stat(c, "", id, "touch_hits", cl->touch_hits);
	}
	stat_u64(c, "active_slabs", active);
	stat_u64(c, "total_malloced", malloced);
	mc_out_bytes(c, "END\r\n", 5);
}

static void
stats_detail(struct mc_conn *c, const char *arg)
{
	struct mc_tunables *tun = mc_store_tunables(c->s);

	if (strcmp(arg, "on") == 0 || strcmp(arg, "off") == 0) {
		tun->detail_enabled = arg[1] == 'n';
		mc_out_string(c, "OK");
	} else if (strcmp(arg, "dump") == 0)
		/* Prefix counters are not kept: none to list. */
		mc_out_bytes(c, "END\r\n", 5);
	else
		mc_out_string(c,
		    "CLIENT_ERROR usage: stats detail on|off|dump");
}

static void
dump_start(struct mc_conn *c, enum dump kind, uint64_t classes,
    uint64_t limit)
{
	c->dump = kind;
	c->classes = classes;
	c->dump_left = limit != 0 ? limit + 1 : 0;
	c->dump_bytes = 0;
	c->cur.from_head = kind == DUMP_CACHE;
	mc_cursor_begin(c->s, &c->cur);
	c->cur_on = true;
	mc_dump_run(c);
}

static void
stats_cachedump(struct mc_conn *c, struct token *t, size_t ntokens)
{
	uint32_t id, limit;

	if (ntokens < 5) {
		mc_out_string(c, "CLIENT_ERROR bad command line");
		return;
	}
	if (!mc_parse_u32(t[2].v, &id) || !mc_parse_u32(t[3].v, &limit)) {
		mc_out_string(c, "CLIENT_ERROR bad command line format");
		return;
	}
	if (id >= MC_CLASSES) {
		mc_out_string(c, "CLIENT_ERROR Illegal slab id");
		return;
	}
	dump_start(c, DUMP_CACHE, (uint64_t)1 << id, limit);
}

void
mc_stats_command(struct mc_conn *c, struct token *t, size_t ntokens)
{
	const char *sub = ntokens > 2 ? t[1].v : NULL;

	if (sub == NULL)
		stats_general(c);
	else if (strcmp(sub, "reset") == 0) {
		mc_store_reset_stats(c->s);
		mc_out_string(c, "RESET");
	} else if (strcmp(sub, "detail") == 0)
		stats_detail(c, ntokens < 4 ? "" : t[2].v);
	else if (strcmp(sub, "settings") == 0)
		stats_settings(c);
	else if (strcmp(sub, "cachedump") == 0)
		stats_cachedump(c, t, ntokens);
	else if (strcmp(sub, "conns") == 0 || strcmp(sub, "extstore") == 0)
		/* The engine has no sockets to list, nor an extstore. */
		mc_out_bytes(c, "END\r\n", 5);
	else if (strcmp(sub, "items") == 0)
		stats_items(c);
	else if (strcmp(sub, "slabs") == 0)
		stats_slabs(c);
	else if (strcmp(sub, "sizes") == 0)
		mc_out_bytes(c, "STAT sizes_status disabled\r\nEND\r\n", 33);
	else if (strcmp(sub, "sizes_enable") == 0)
		/* memcached's answer when it cannot: no END, as its own. */
		mc_out_bytes(c, "STAT sizes_status error\r\n"
		    "STAT sizes_error not_supported\r\n", 57);
	else if (strcmp(sub, "sizes_disable") == 0)
		mc_out_bytes(c, "STAT sizes_status disabled\r\n", 28);
	else
		mc_out_string(c, "ERROR");
}

/* Class ids as lru_crawler takes them: "all", "hash", or "1,3,10". */
static bool
parse_classes(const char *arg, uint64_t *set)
{
	char buf[256], *p, *save = NULL;
	uint32_t id;

	*set = 0;
	if (strcmp(arg, "all") == 0 || strcmp(arg, "hash") == 0) {
		*set = ALL_CLASSES;
		return true;
	}
	if (strlen(arg) >= sizeof buf)
		return false;
	memcpy(buf, arg, strlen(arg) + 1);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (!mc_parse_u32(p, &id) || id < 1 || id >= MC_CLASSES)
			return false;
		*set |= (uint64_t)1 << id;
	}
	return *set != 0;
}

static void
lru_crawler(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_tunables *tun = mc_store_tunables(c->s);
	const char *sub = t[1].v;
	uint64_t classes;
	uint32_t v;

	if (ntokens == 4 && (strcmp(sub, "crawl") == 0 ||
	    strcmp(sub, "metadump") == 0)) {
		if (!tun->lru_crawler) {
			mc_out_string(c, "CLIENT_ERROR lru crawler disabled");
			return;
		}
		if (!parse_classes(t[2].v, &classes)) {
			mc_out_string(c, "BADCLASS invalid class id");
			return;
		}
		/* Expiry is lazy here: a crawl has nothing to do. */
		if (sub[0] == 'c')
			mc_out_string(c, "OK");
		else
			dump_start(c, DUMP_META, classes, 0);
	} else if (ntokens == 4 && strcmp(sub, "tocrawl") == 0) {
		if (!mc_parse_u32(t[2].v, &v))
			mc_out_string(c, "CLIENT_ERROR bad command line "
			    "format");
		else {
			tun->crawler_tocrawl = v;
			mc_out_string(c, "OK");
		}
	} else if (ntokens == 4 && strcmp(sub, "sleep") == 0) {
		if (!mc_parse_u32(t[2].v, &v))
			mc_out_string(c, "CLIENT_ERROR bad command line "
			    "format");
		else if (v > CRAWL_SLEEP_MAX)
			mc_out_string(c, "CLIENT_ERROR sleep must be one "
			    "second or less");
		else {
			tun->crawler_sleep = v;
			mc_out_string(c, "OK");
		}
	} else if (ntokens == 3 && strcmp(sub, "enable") == 0) {
		if (tun->lru_crawler)
			mc_out_string(c, "ERROR failed to start lru crawler "
			    "thread");
		else {
			tun->lru_crawler = true;
			mc_out_string(c, "OK");
		}
	} else if (ntokens == 3 && strcmp(sub, "disable") == 0) {
		tun->lru_crawler = false;
		mc_out_string(c, "OK");
	} else
		mc_out_string(c, "ERROR");
}

static void
slabs(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_tunables *tun = mc_store_tunables(c->s);
	int32_t src, dst;
	uint32_t v;

	if (ntokens == 5 && strcmp(t[1].v, "reassign") == 0) {
		if (!mc_parse_i32(t[2].v, &src) || !mc_parse_i32(t[3].v, &dst))
			mc_out_string(c, "CLIENT_ERROR bad command line "
			    "format");
		else if (src < 0 || dst < 1 || mc_class_size((unsigned)dst) == 0 ||
		    (src > 0 && mc_class_size((unsigned)src) == 0))
			/* -1 picks a class with a spare page: there is none. */
			mc_out_string(c, "BADCLASS invalid src or dst class "
			    "id");
		else if (src == dst)
			mc_out_string(c, "SAME src and dst class are "
			    "identical");
		else
			/* No pages here to move: none is ever spare. */
			mc_out_string(c, "NOSPARE source class has no spare "
			    "pages");
	} else if ((ntokens == 4 || ntokens == 5) &&
	    strcmp(t[1].v, "automove") == 0) {
		if (!mc_parse_u32(t[2].v, &v))
			mc_out_string(c, "CLIENT_ERROR bad command line "
			    "format");
		else if (v > 2)
			mc_out_string(c, "ERROR");
		else {
			tun->slab_automove = v;
			mc_out_string(c, "OK");
		}
	} else
		mc_out_string(c, "ERROR");
}

static bool
parse_double(const char *p, double *out)
{
	char *end;

	*out = strtod(p, &end);
	return end != p && (*end == '\0' || *end == ' ');
}

/* memcached's `lru`: its tunables, kept and reported, no use here. */
static void
lru(struct mc_conn *c, struct token *t, size_t ntokens)
{
	struct mc_tunables *tun = mc_store_tunables(c->s);
	uint32_t hot, warm;
	double hf, wf;
	int32_t ttl;

	mc_set_noreply(c, t, ntokens);
	if (strcmp(t[1].v, "tune") == 0 && ntokens >= 7) {
		if (!mc_parse_u32(t[2].v, &hot) ||
		    !mc_parse_u32(t[3].v, &warm) ||
		    !parse_double(t[4].v, &hf) || !parse_double(t[5].v, &wf))
			mc_out_string(c, "ERROR");
		else if ((uint64_t)hot + warm > 80)
			mc_out_string(c, "ERROR hot and warm pcts must not "
			    "exceed 80");
		else if (!(wf > 0) || !(hf > 0))
			mc_out_string(c, "ERROR hot/warm age factors must be "
			    "greater than 0");
		else {
			tun->hot_lru_pct = hot;
			tun->warm_lru_pct = warm;
			tun->hot_max_factor = hf;
			tun->warm_max_factor = wf;
			mc_out_string(c, "OK");
		}
	} else if (strcmp(t[1].v, "mode") == 0 && ntokens >= 4) {
		if (strcmp(t[2].v, "flat") == 0 ||
		    strcmp(t[2].v, "segmented") == 0) {
			tun->lru_segmented = t[2].v[0] == 's';
			mc_out_string(c, "OK");
		} else
			mc_out_string(c, "ERROR");
	} else if (strcmp(t[1].v, "temp_ttl") == 0 && ntokens >= 4) {
		if (!mc_parse_i32(t[2].v, &ttl))
			mc_out_string(c, "ERROR");
		else {
			tun->temp_lru = ttl >= 0;
			if (ttl >= 0)
				tun->temporary_ttl = ttl;
			mc_out_string(c, "OK");
		}
	} else
		mc_out_string(c, "ERROR");
}

static void
cache_memlimit(struct mc_conn *c, struct token *t, size_t ntokens)
{
	uint32_t mb;

	mc_set_noreply(c, t, ntokens);
	if (!mc_parse_u32(t[1].v, &mb)) {
		mc_out_string(c, "ERROR");
		return;
	}
	if (mb < 8) {
		mc_out_string(c, "MEMLIMIT_TOO_SMALL cannot set maxbytes to "
		    "less than 8m");
		return;
	}
	/* Lowered at most: -m bounds the server's memory. */
	mc_store_set_limit(c->s, (size_t)mb * 1024 * 1024);
	mc_out_string(c, "OK");
}

bool
mc_admin_command(struct mc_conn *c, struct token *t, size_t ntokens)
{
	const char *name = t[0].v;

	if (strcmp(name, "lru_crawler") == 0) {
		if (ntokens < 3)
			mc_out_string(c, "ERROR");
		else
			lru_crawler(c, t, ntokens);
	} else if (strcmp(name, "slabs") == 0) {
		if (ntokens < 4)
			mc_out_string(c, "ERROR");
		else
			slabs(c, t, ntokens);
	} else if (strcmp(name, "lru") == 0) {
		if (ntokens < 3)
			mc_out_string(c, "ERROR");
		else
			lru(c, t, ntokens);
	} else if (strcmp(name, "cache_memlimit") == 0) {
		if (ntokens != 3 && ntokens != 4)
			mc_out_string(c, "ERROR");
		else
			cache_memlimit(c, t, ntokens);
	} else if (strcmp(name, "watch") == 0) {
		/*
		 * memcached's watcher reads no more commands; no log lines
		 * are made here, so it hears nothing after OK.
		 */
		mc_out_string(c, "OK");
		if (c->state == ST_LINE)
			c->state = ST_WATCH;
	}
	else
		return false;
	return true;
}

/* memcached's uriencode: all but [A-Za-z0-9._~-] as %XX. */
static void
out_uri(struct mc_conn *c, const char *p, size_t n)
{
	char buf[MC_KEY_MAX * 3], *o = buf;

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' ||
		    ch == '_' || ch == '~')
			*o++ = (char)ch;
		else
			o += snprintf(o, 4, "%%%02X", ch);
	}
	mc_out_bytes(c, buf, (size_t)(o - buf));
}

void
mc_dump_run(struct mc_conn *c)
{
	struct mc_store *s = c->s;
	struct mc_item *it;

	c->state = ST_DUMP;
	while (c->olen < MC_OUT_HIGH && c->state == ST_DUMP) {
		size_t before = c->olen;

		if ((it = mc_cursor_next(s, &c->cur)) == NULL ||
		    (c->dump == DUMP_CACHE && c->dump_left == 1)) {
			mc_dump_end(c);
			mc_out_bytes(c, "END\r\n", 5);
			if (c->state != ST_CLOSING)
				c->state = ST_LINE;
			return;
		}
		if (!(c->classes >> mc_item_class(it) & 1))
			continue;
		if (c->dump == DUMP_META) {
			/* The crawler skips what is dead already. */
			if (!mc_store_live(s, it))
				continue;
			mc_out_bytes(c, "key=", 4);
			out_uri(c, it->data, it->nkey);
			mc_out_fmt(c, " exp=%lld la=%lld cas=%llu fetch=%s "
			    "cls=%u size=%llu\n",
			    it->exptime == 0 ? -1LL : (long long)it->exptime,
			    (long long)it->atime, (unsigned long long)it->cas,
			    it->iflags & MC_IT_FETCHED ? "yes" : "no",
			    mc_item_class(it), (unsigned long long)
			    mc_item_ntotal(it->nkey, it->flags, it->nbytes));
			continue;
		}
		/* cachedump: memcached's 2 MB, no binary keys. */
		if (it->iflags & MC_IT_BINKEY)
			continue;
		{
			char key[MC_KEY_MAX + 1];
			size_t n = strnlen(it->data, it->nkey);
			char line[MC_KEY_MAX + 64];
			int len;

			memcpy(key, it->data, n);
			key[n] = '\0';
			len = snprintf(line, sizeof line,
			    "ITEM %s [%u b; %lld s]\r\n", key,
			    (unsigned)(it->nbytes - 2),
			    it->exptime == 0 ? 0LL : (long long)it->exptime);
			if (len < 0 || c->dump_bytes + (size_t)len + 6 >
			    CACHEDUMP_MAX) {
				c->dump_left = 1;
				continue;
			}
			mc_out_bytes(c, line, (size_t)len);
			c->dump_bytes += c->olen - before;
			if (c->dump_left > 1)
				c->dump_left--;
		}
	}
}

void
mc_dump_end(struct mc_conn *c)
{
	if (c->cur_on) {
		mc_cursor_end(c->s, &c->cur);
		c->cur_on = false;
	}
}
