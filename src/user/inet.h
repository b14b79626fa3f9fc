/*
 * inet.h — Internet wire format: big-endian fields and the one's
 * complement sum (RFC 1071) of IPv4, TCP and UDP checksums. What the
 * netstack's filter, the hostile peers and their tests read and write
 * frames with.
 */
#ifndef CAPIO_USER_INET_H
#define CAPIO_USER_INET_H

#include <stddef.h>
#include <stdint.h>

static inline void
inet_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
inet_put32(uint8_t *p, uint32_t v)
{
	inet_put16(p, (uint16_t)(v >> 16));
	inet_put16(p + 2, (uint16_t)v);
}

static inline uint16_t
inet_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
inet_get32(const uint8_t *p)
{
	return (uint32_t)inet_get16(p) << 16 | inet_get16(p + 2);
}

/* The 16-bit words of p[0, n) added to s, unfolded (an odd last byte
 * is the high half of a word). */
static inline uint32_t
inet_sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += inet_get16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

/* s folded to 16 bits with its carries. */
static inline uint16_t
inet_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* The checksum field for a sum s: its folded complement. */
static inline uint16_t
inet_cksum(uint32_t s)
{
	return (uint16_t)~inet_fold(s);
}

#endif
