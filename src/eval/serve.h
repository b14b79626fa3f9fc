/*
 * serve.h — `capio run APP` behind its options: serve memcached or UDP
 * echo from an unprivileged process through CAPIO (or the kernel path).
 * With a TAP interface, real clients on the host reach it until
 * SIGINT/SIGTERM (clean goodbye) or a time limit; without, a built-in
 * client on the in-process wire exercises it (scenario.h) and every
 * reply is checked.
 */
#ifndef CAPIO_EVAL_SERVE_H
#define CAPIO_EVAL_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user/server.h"

struct serve_opts {
	enum server_app app;
	const char *tap, *ip, *host_ip, *pcap;
	unsigned port, seconds, ops, restarts;
	struct mc_settings mc;	/* memcached: -m, -I, -c, -o idle_timeout */
	uint32_t addr;		/* --ip, host order */
	unsigned len;		/* --ip's prefix length */
	bool kernel_path;
	bool unfiltered;
	bool csum_offload;	/* UDP checksums by the NIC (default on;
				   the kernel path passes none) */
	/* nbd (serve_nbd) */
	const char *disk;	/* backing file, or NULL for RAM */
	const char *export_name;
	uint64_t size;		/* bytes; 0: the file's size */
	unsigned tenants;	/* processes, each its own NIC, queue pair
				   and window of the namespace */
};

/* Serve through TAP o->tap. The exit status (0: stopped cleanly). */
int serve_tap(const struct serve_opts *o);
/* Serve o->ops operations of a built-in client on NIC 1; prints one
 * line. The exit status (0: every reply verified, both ended). */
int serve_builtin(const struct serve_opts *o);
/*
 * NBD (serve_nbd.c): o->tenants processes on one NVMe controller whose
 * namespace is o->disk (created at o->size if absent) or RAM. Tenant i
 * owns NIC i on TAP interface o->tap (one tenant) or o->tap followed by
 * i, unit i of the controller and the i-th equal window of the
 * namespace; its address is o->ip's plus i subnets, the host's
 * o->host_ip's plus i subnets. The exit status (0: stopped cleanly).
 */
int serve_nbd(const struct serve_opts *o);
/* SIGINT and SIGTERM ask a serving loop to stop (serve_stopping). */
void serve_catch_stop(void);
bool serve_stopping(void);
/* Monotonic seconds. */
double serve_now(void);
/* Tenant i's TAP name for o (into buf, at least 16 bytes). */
void serve_nbd_tap(const struct serve_opts *o, unsigned i, char *buf,
    size_t len);
/* A.B.C.D/LEN plus i subnets of LEN, into buf. */
void serve_nbd_cidr(const char *cidr, unsigned i, char *buf, size_t len);

#endif
