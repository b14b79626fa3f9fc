/*
 * nbd_server.h — NBD served over lwIP TCP on a netstack: one export,
 * each connection an nbd_conn (nbd_conn.h) fed from tcp_recv and drained
 * with tcp_write as the send window allows. Input is acknowledged to TCP
 * only as the engine takes it, so the receive window bounds what waits.
 * Limits: NBD_SERVER_MAX_CONNS connections (more are reset at once), and
 * NBD_NEGOTIATE_S seconds to get through option haggling.
 */
#ifndef CAPIO_USER_NBD_SERVER_H
#define CAPIO_USER_NBD_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user/nbd_conn.h"

#define NBD_SERVER_MAX_CONNS	16
#define NBD_NEGOTIATE_S		30

struct netstack;
struct tcp_pcb;
struct nbds_conn;

struct nbd_server {
	struct netstack *ns;
	const struct nbd_export *ex;
	struct tcp_pcb *listen;
	struct nbds_conn *conns;
	unsigned nconns;
	uint64_t connections;		/* accepted */
	uint64_t refused;		/* over NBD_SERVER_MAX_CONNS */
	uint64_t timeouts;		/* still haggling after NBD_NEGOTIATE_S */
	uint64_t violations;		/* closed for breaking the protocol */
	uint64_t resets;		/* reset by the server */
	struct nbd_conn_stats closed;	/* of connections already gone */
	char last_why[96];		/* the last violation, for the log */
};

/* Listen on port for ex (which must outlive the server). 0 or -1. */
int nbd_server_open(struct nbd_server *s, struct netstack *ns, uint16_t port,
    const struct nbd_export *ex);
/* Carry requests in progress further (a long READ, a TRIM): true when
 * something was done, so the caller should not sleep. */
bool nbd_server_poll(struct nbd_server *s);
/* Close the listener and every connection. */
void nbd_server_stop(struct nbd_server *s);
/* Totals over every connection, open or closed. */
void nbd_server_stats(const struct nbd_server *s, struct nbd_conn_stats *t);

#endif
