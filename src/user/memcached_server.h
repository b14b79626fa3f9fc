/*
 * memcached_server.h — the memcached protocol engine (memcached.h) served
 * over lwIP TCP connections on a netstack.
 */
#ifndef CAPIO_USER_MEMCACHED_SERVER_H
#define CAPIO_USER_MEMCACHED_SERVER_H

#include <stddef.h>
#include <stdint.h>

struct netstack;
struct tcp_pcb;
struct mc_store;

struct mcs_conn;

struct mc_server {
	struct netstack *ns;
	struct mcs_conn *conns;		/* open connections */
	struct tcp_pcb *listen;
	struct mc_store *store;
	uint64_t connections, closed;
	uint64_t deliveries;		/* TCP deliveries of request bytes */
};

/* Listen on port with a store of `memory` bytes; 0 or -1. */
int mc_server_start(struct mc_server *s, struct netstack *ns, uint16_t port,
    size_t memory);
/* Close the listener and every connection. */
void mc_server_stop(struct mc_server *s);

#endif
