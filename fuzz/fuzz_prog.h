/*
 * fuzz_prog.h — what the fuzzers share: the input read as a program of
 * little-endian operands (take), and the two device operations every
 * device fuzzer has (an access of odd size at an odd offset; fuzz bytes
 * copied into a RAM window the device may DMA).
 */
#ifndef CAPIO_FUZZ_PROG_H
#define CAPIO_FUZZ_PROG_H

#include <stddef.h>
#include <stdint.h>

#include "machine/mmio.h"
#include "machine/phys.h"

struct prog {
	const uint8_t *p;
	size_t n;
};

/* The next BYTES bytes as a little-endian number; fewer at the end. */
static inline uint64_t
take(struct prog *pr, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && pr->n > 0; i++, pr->p++, pr->n--)
		v |= (uint64_t)pr->p[0] << (8 * i);
	return v;
}

/* A read or write of 1, 2, 3, 4, 8 or 16 bytes at any offset below
 * 2^(8 * offbytes - 1): sizes and alignments a driver never uses. */
static inline void
prog_mmio_odd(struct prog *pr, const struct mmio_ops *ops, void *dev,
    unsigned offbytes)
{
	static const unsigned sz[] = { 1, 2, 3, 4, 8, 16 };
	unsigned s = sz[take(pr, 1) % 6];
	uint64_t v = take(pr, offbytes);

	if (v & 1)
		(void)ops->read(dev, v >> 1, s);
	else
		ops->write(dev, v >> 1, take(pr, 8), s);
}

/* Up to 255 input bytes into [base + off, base + size), off from the
 * next OFFBYTES bytes. */
static inline void
prog_ram_write(struct prog *pr, struct phys *phys, uint64_t base,
    uint64_t size, unsigned offbytes)
{
	uint64_t off = take(pr, offbytes) % size;
	size_t len = (size_t)take(pr, 1);

	if (len > pr->n)
		len = pr->n;
	if (len > size - off)
		len = (size_t)(size - off);
	(void)phys_write(phys, base + off, pr->p, len);
	pr->p += len;
	pr->n -= len;
}

#endif
