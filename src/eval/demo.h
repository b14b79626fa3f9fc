/*
 * demo.h — `capio demo`'s run: memcached on a CAPIO-driven e1000e, a
 * client checking every reply, an attacker trapped by the hardware.
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

#endif
