/*
 * mcbin_req.h — memcached binary-protocol requests for the tests that
 * speak it (test_memcached_binary, test_memcached_binary_ref): big-endian
 * fields, a bare header with any lengths (malformed ones too), and the
 * well-formed requests built on it. Each request carries mcbin_opaque,
 * then adds mcbin_opaque_step to it.
 */
#ifndef CAPIO_TESTS_MCBIN_REQ_H
#define CAPIO_TESTS_MCBIN_REQ_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "growbuf.h"

static uint32_t mcbin_opaque = 0xa0b0c0d0u, mcbin_opaque_step;

static inline void
put(struct buf *b, uint64_t v, int bytes)
{
	uint8_t o[8];

	for (int i = 0; i < bytes; i++)
		o[i] = (uint8_t)(v >> (8 * (bytes - 1 - i)));
	buf_add(b, o, (size_t)bytes);
}

/* A bare header, lengths as given. */
static inline void
hdr(struct buf *b, uint8_t magic, uint8_t op, uint16_t keylen,
    uint8_t extlen, uint32_t bodylen, uint32_t opaque, uint64_t cas)
{
	put(b, magic, 1);
	put(b, op, 1);
	put(b, keylen, 2);
	put(b, extlen, 1);
	put(b, 0, 3);		/* data type, vbucket */
	put(b, bodylen, 4);
	put(b, opaque, 4);
	put(b, cas, 8);
}

static inline void
req(struct buf *b, uint8_t op, const char *key, const void *ext,
    size_t next, const void *val, size_t nval, uint64_t cas)
{
	size_t nkey = key != NULL ? strlen(key) : 0;

	hdr(b, 0x80, op, (uint16_t)nkey, (uint8_t)next,
	    (uint32_t)(nkey + next + nval), mcbin_opaque, cas);
	mcbin_opaque += mcbin_opaque_step;
	if (next != 0)
		buf_add(b, ext, next);
	if (nkey != 0)
		buf_add(b, key, nkey);
	if (nval != 0)
		buf_add(b, val, nval);
}

static inline void
store(struct buf *b, uint8_t op, const char *key, uint32_t flags,
    uint32_t exptime, const char *val, uint64_t cas)
{
	struct buf e = { 0 };

	put(&e, flags, 4);
	put(&e, exptime, 4);
	req(b, op, key, e.p, e.len, val, strlen(val), cas);
	free(e.p);
}

static inline void
delta(struct buf *b, uint8_t op, const char *key, uint64_t by,
    uint64_t initial, uint32_t exptime, uint64_t cas)
{
	struct buf e = { 0 };

	put(&e, by, 8);
	put(&e, initial, 8);
	put(&e, exptime, 4);
	req(b, op, key, e.p, e.len, NULL, 0, cas);
	free(e.p);
}

static inline void
with_exptime(struct buf *b, uint8_t op, const char *key, uint32_t exptime)
{
	struct buf e = { 0 };

	put(&e, exptime, 4);
	req(b, op, key, e.p, e.len, NULL, 0, 0);
	free(e.p);
}

#endif
