/*
 * inet_csum.h — the Internet checksum (RFC 1071): the one's-complement
 * sum of 16-bit big-endian words, for IPv4 headers and TCP/UDP with their
 * pseudo-header. Sums add: sum a buffer in pieces of even length and fold
 * once at the end.
 */
#ifndef CAPIO_NET_INET_CSUM_H
#define CAPIO_NET_INET_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add the bytes of P (N of them, an odd last byte padded with zero) to
 * the running sum SUM, unfolded. */
uint64_t inet_csum_add(uint64_t sum, const uint8_t *p, size_t n);
/* Fold a running sum to 16 bits (not complemented). */
uint16_t inet_csum_fold(uint64_t sum);
/* The IPv4 pseudo-header of a TCP/UDP segment of LEN bytes (header and
 * payload), PROTO 6 or 17, addresses as they are in the IP header. */
uint64_t inet_csum_pseudo4(const uint8_t src[4], const uint8_t dst[4],
    uint8_t proto, uint32_t len);

#endif
