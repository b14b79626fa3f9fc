/*
 * memcached_server.h — the memcached protocol engine (memcached.h) served
 * over lwIP TCP connections on a netstack, within memcached's limits:
 * -m (items and sets still arriving), -I (item size), -c (connections)
 * and -o idle_timeout, as struct mc_settings carries them.
 */
#ifndef CAPIO_USER_MEMCACHED_SERVER_H
#define CAPIO_USER_MEMCACHED_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "user/memcached.h"

struct netstack;
struct tcp_pcb;

struct mcs_conn;

struct mc_server {
	struct netstack *ns;
	struct mcs_conn *conns;		/* open connections */
	struct tcp_pcb *listen;
	struct mc_store *store;
	struct mc_settings set;		/* as the store has them */
	mc_clock_fn clock, idle_clock;	/* items' dates, idleness */
	void *clock_arg;
	uint32_t nconns;		/* open, at most set.max_connections */
	uint64_t connections, closed;
	uint64_t rejected;		/* over max_connections */
	uint64_t idle_kicks;		/* closed after idle_timeout */
	uint64_t aborted;		/* reset by the server, kicks too */
	uint64_t deliveries;		/* TCP deliveries of request bytes */
};

/* Listen on port with a store of `memory` bytes, other limits default. */
int mc_server_start(struct mc_server *s, struct netstack *ns, uint16_t port,
    size_t memory);
/*
 * Listen on port within the limits of set (NULL: the defaults; zero
 * sizes and max_connections: theirs; idle_timeout 0: never). The clock
 * dates items and measures idleness; NULL: the host's real time for the
 * first and its monotonic time for the second, in seconds.
 * 0, or -1 when set is refused (mc_settings_check) or out of memory.
 */
int mc_server_open(struct mc_server *s, struct netstack *ns, uint16_t port,
    const struct mc_settings *set, mc_clock_fn clock, void *clock_arg);
/* Close the listener and every connection. */
void mc_server_stop(struct mc_server *s);

/*
 * Host bytes the server holds now: its connections' buffers, the items
 * and the sets still arriving (as the store counts them). lwIP's own
 * buffers are not in it.
 */
size_t mc_server_memory(const struct mc_server *s);
/* The most one connection's buffers may hold under set. */
size_t mc_server_conn_bound(const struct mc_settings *set);
/* The most mc_server_memory() may reach under set. */
size_t mc_server_bound(const struct mc_settings *set);

#endif
