/*
 * tcp_glue.h — what every lwIP TCP server of a process does the same way
 * (memcached_server.c, nbd_server.c): take a pcb's callbacks away before
 * the server frees what they point at, and acknowledge consumed input to
 * TCP in lwIP's 16-bit steps.
 */
#ifndef CAPIO_USER_TCP_GLUE_H
#define CAPIO_USER_TCP_GLUE_H

#include <stddef.h>

struct lwip_api;
struct tcp_pcb;

/* lwIP calls none of the server's callbacks for pcb from now on, on_err
 * included: whoever detaches frees the connection, once. */
void tcp_glue_detach(const struct lwip_api *a, struct tcp_pcb *pcb);
/* Open the receive window by n bytes the server has taken. */
void tcp_glue_recved(const struct lwip_api *a, struct tcp_pcb *pcb, size_t n);

#endif
