/*
 * demo.h — `capio demo`'s runs: memcached on a CAPIO-driven e1000e, a
 * client checking every reply, an attacker trapped by the hardware; and
 * with --nvme, tenants sharing one NVMe controller (demo_nvme.c).
 */
#ifndef CAPIO_EVAL_DEMO_H
#define CAPIO_EVAL_DEMO_H

#include <stdbool.h>
#include <stdint.h>

/*
 * OPS client operations; the wire recorded in PCAP (NULL: not); a
 * progress line when PROGRESS (stdout is a terminal). Prints the
 * walk-through and its figures. Exit status: 0 when every reply was
 * verified, the data path made no system call and the attack trapped.
 */
int demo_full(uint32_t ops, const char *pcap, bool progress);

#define DEMO_NVME_MAX_TENANTS	8	/* the stub's units */

struct demo_nvme_opts {
	unsigned tenants;	/* 2..DEMO_NVME_MAX_TENANTS; the last is
				   hostile */
	uint32_t ops;		/* writes per tenant, each read back (the
				   hostile one does half, then attacks) */
	bool isolation;		/* the controller's queue isolation */
	bool progress;		/* a progress line (stdout is a terminal) */
};

/*
 * TENANTS processes, each on its own queue pair and namespace of one
 * controller, writing and reading back concurrently; the last one reads
 * its neighbour's namespace and then stores to its neighbour's doorbell.
 * Prints the walk-through and its figures. Exit status: 0 when every
 * other tenant's reads were verified, the data path made no system call,
 * the doorbell store trapped, and the namespace read went as the
 * controller's configuration says (through without isolation, refused
 * with it).
 */
int demo_nvme(const struct demo_nvme_opts *o);

#endif
