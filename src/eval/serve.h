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
};

/* Serve through TAP o->tap. The exit status (0: stopped cleanly). */
int serve_tap(const struct serve_opts *o);
/* Serve o->ops operations of a built-in client on NIC 1; prints one
 * line. The exit status (0: every reply verified, both ended). */
int serve_builtin(const struct serve_opts *o);

#endif
