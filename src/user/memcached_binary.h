/*
 * memcached_binary.h — inside the memcached engine: the binary protocol
 * (memcached_binary.c) and what the connection (memcached_proto.c) lends
 * it. A connection whose first byte is the binary magic speaks it to the
 * end. Not for use outside src/user/memcached_*.c.
 */
#ifndef CAPIO_USER_MEMCACHED_BINARY_H
#define CAPIO_USER_MEMCACHED_BINARY_H

#include "user/memcached_store.h"

#define MC_BIN_REQ	0x80		/* a request's magic byte */

struct mc_bin;

/* memcached_binary.c: one connection's binary state. NULL: no memory. */
struct mc_bin *mc_bin_new(void);
/* Take request bytes, as mc_conn_feed does. */
size_t mc_bin_feed(struct mc_conn *c, struct mc_bin *b, const uint8_t *p,
    size_t len);
/* Host bytes it holds (a value still arriving aside). */
size_t mc_bin_memory(const struct mc_bin *b);
/* The most mc_bin_memory() reaches. */
size_t mc_bin_memory_bound(void);
/* Free it, giving back a value's reservation; b may be NULL. */
void mc_bin_free(struct mc_store *s, struct mc_bin *b);

/* memcached_proto.c: the connection, as the binary side needs it. */
struct mc_store *mc_conn_store(const struct mc_conn *c);
void mc_conn_out(struct mc_conn *c, const void *p, size_t n);
size_t mc_conn_pending(const struct mc_conn *c);
/* Drop the output made since mark (a pending length), uncounted. */
void mc_conn_out_cut(struct mc_conn *c, size_t mark);
/* The output made since mark, as a pointer into the buffer. */
const char *mc_conn_out_since(const struct mc_conn *c, size_t mark,
    size_t *len);
void mc_conn_close(struct mc_conn *c);
/* Run one text command line (NUL-terminated, modified) on c. */
void mc_conn_text(struct mc_conn *c, char *line);

#endif
