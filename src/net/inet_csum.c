/*
 * inet_csum.c — the Internet checksum (inet_csum.h).
 */
#include "net/inet_csum.h"

#include <string.h>

uint64_t
inet_csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	uint64_t part = 0;
	uint32_t w;
	size_t i = 0;

	/*
	 * The one's-complement sum does not care about byte order (RFC 1071
	 * §2(B)): add 32-bit words as the host loads them, fold, and swap
	 * once at the end on a little-endian host. 2^32 words fit.
	 */
	for (; i + 4 <= n; i += 4) {
		memcpy(&w, p + i, 4);
		part += w;
	}
	if (i + 2 <= n) {
		uint16_t h;

		memcpy(&h, p + i, 2);
		part += h;
		i += 2;
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
