/*
 * hostif.h — the host's side of a TAP interface: give it an IPv4 address
 * and bring it up (needs CAP_NET_ADMIN).
 */
#ifndef CAPIO_EVAL_HOSTIF_H
#define CAPIO_EVAL_HOSTIF_H

#include <stddef.h>

/* 0, or -1 with a one-line message in err. */
int hostif_configure(const char *ifname, const char *cidr, char *err,
    size_t errlen);

#endif
