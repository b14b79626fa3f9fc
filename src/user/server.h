/*
 * server.h — a server process: the NIC (user-level driver through CAPIO,
 * or the kernel-mediated path), a private lwIP stack, and one
 * application (UDP echo, memcached, or NBD with an NVMe queue pair as
 * its storage) until told to stop.
 */
#ifndef CAPIO_USER_SERVER_H
#define CAPIO_USER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user/memcached.h"
#include "user/nbd_conn.h"

enum server_app { APP_UDP_ECHO, APP_MEMCACHED, APP_NBD };

struct server_stats {
	uint64_t rx_frames, tx_frames;
	uint64_t datagrams;		/* UDP echo */
	uint64_t csum_offloaded, csum_trusted;	/* netstack_stats' */
	uint64_t connections, deliveries;	/* memcached: TCP deliveries */
	uint64_t rejected, idle_kicks;	/* memcached: over -c, idle_timeout */
	uint64_t syn_refused;		/* SYNs past NETSTACK_MAX_PCBS */
	struct nbd_conn_stats nbd;	/* NBD: over every connection */
	uint64_t nbd_refused;		/* NBD: over the connection limit */
	uint64_t nvme_errors;		/* NBD: commands the controller failed */
	uint64_t syscalls_at_ready;	/* filled by the harness */
};

struct server_cfg {
	/* in */
	enum server_app app;
	int dev;
	bool kernel_path;
	uint8_t mac[6];			/* kernel path: the NIC's address */
	char cidr[32];
	uint16_t port;
	size_t mc_memory;		/* memcached memory limit, when mc_set
					   is left zero */
	struct mc_settings mc_set;	/* memcached's limits (-m -I -c -o
					   idle_timeout); all zero: defaults */
	bool unfiltered;		/* lwIP sees TCP options as they come
					   (netstack.h): to show an attack */
	bool csum_offload;		/* UDP checksums by the NIC
					   (netstack_udp_csum) */
	/* NBD: unit nvme_unit of controller nvme_dev; the export is blocks
	   [first_lba, first_lba + nblocks) of its namespace (nblocks 0:
	   all of it from first_lba), named export_name */
	int nvme_dev;
	unsigned nvme_unit;
	uint64_t first_lba, nblocks;
	char export_name[64];
	volatile bool stop;		/* set by the harness: goodbye, exit */
	/* out */
	volatile bool ready;		/* serving */
	struct server_stats st;
	char err[200];
};

/* Process entry point: arg is a struct server_cfg. */
void server_main(void *arg);

#endif
