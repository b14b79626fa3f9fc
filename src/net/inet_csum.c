/*
 * inet_csum.c — the Internet checksum (inet_csum.h).
 */
#include "net/inet_csum.h"

#include <string.h>

uint64_t
inet_csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	uint64_t a = 0, b = 0, x, y;
	size_t i = 0;

	/*
	 * The one's-complement sum does not care about byte order (RFC 1071
	 * §2(B)): add 64-bit words as the host loads them, end-around
	 * carry included, in two chains the CPU can run side by side; fold,
	 * and swap once at the end on a little-endian host.
	 */
	for (; i + 16 <= n; i += 16) {
		memcpy(&x, p + i, 8);
		memcpy(&y, p + i + 8, 8);
		a += x;
		a += a < x;
		b += y;
		b += b < y;
	}
	for (; i + 8 <= n; i += 8) {
		memcpy(&x, p + i, 8);
		a += x;
		a += a < x;
	}
	a += b;
	a += a < b;
	uint64_t part = (a & 0xffffffff) + (a >> 32);
	for (; i + 2 <= n; i += 2) {
		uint16_t h;

		memcpy(&h, p + i, 2);
		part += h;
	}
	if (i < n) {
		uint8_t last[2] = { p[i], 0 };
		uint16_t h;

		memcpy(&h, last, 2);
		part += h;
	}
	uint16_t f = inet_csum_fold(part);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	f = (uint16_t)(f << 8 | f >> 8);
#endif
	return sum + f;
}

uint16_t
inet_csum_fold(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint64_t
inet_csum_pseudo4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
    uint32_t len)
{
	uint64_t sum = 0;

	sum = inet_csum_add(sum, src, 4);
	sum = inet_csum_add(sum, dst, 4);
	return sum + proto + (len >> 16) + (len & 0xffff);
}
