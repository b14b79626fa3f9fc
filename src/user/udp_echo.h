/*
 * udp_echo.h — a UDP echo server on a netstack: every datagram goes back
 * to its sender unchanged, except that a sockperf ping gets the answer
 * sockperf's own server gives (its client flag cleared), so that
 * `sockperf ping-pong` works against it.
 */
#ifndef CAPIO_USER_UDP_ECHO_H
#define CAPIO_USER_UDP_ECHO_H

#include <stdint.h>

struct netstack;
struct udp_pcb;

struct udp_echo {
	struct netstack *ns;
	struct udp_pcb *pcb;
	uint64_t datagrams, bytes, failures;
};

/* Listen on port; 0 or -1 (port taken, no memory). */
int udp_echo_start(struct udp_echo *e, struct netstack *ns, uint16_t port);
void udp_echo_stop(struct udp_echo *e);

#endif
