/*
 * client.h — client processes that drive a server over the simulated
 * network and check every answer: a UDP ping-pong client (for the echo
 * server) and a memcached workload client (mixed get/set over one TCP
 * connection, every reply verified against a model of the store).
 */
#ifndef CAPIO_USER_CLIENT_H
#define CAPIO_USER_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

struct client_cfg {
	/* in */
	int dev;
	bool kernel_path;
	uint8_t mac[6];			/* kernel path: the NIC's address */
	char cidr[32];			/* the client's own address */
	char server[16];		/* dotted quad */
	uint16_t port;
	uint32_t ops;			/* datagrams or memcached operations */
	uint32_t size;			/* UDP payload / memcached value bytes */
	uint32_t keys;			/* memcached key space */
	uint32_t set_percent;		/* memcached: share of sets */
	uint64_t *lat_ns;		/* ops entries, or NULL */
	uint8_t *is_set;		/* ops entries (memcached), or NULL */
	bool csum_offload;		/* UDP checksums by the NIC
					   (netstack_udp_csum) */
	volatile bool start_hold;	/* once ready, wait (wfe) until the
					   harness clears it */
	volatile bool hold;		/* after the workload, wait (wfe) until
					   the harness clears it: counters
					   read then cover the data path only */
	/* out */
	volatile bool ready;
	volatile bool finished;		/* the workload is over */
	uint64_t done, verified, failed, timeouts;
	uint64_t syscalls_at_ready;	/* filled by the harness */
	char err[200];
};

/* Process entry points: arg is a struct client_cfg. */
void udp_client_main(void *arg);
void mc_client_main(void *arg);

#endif
