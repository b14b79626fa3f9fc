/*
 * e1000e_ring.h — index arithmetic on an 82574L descriptor ring, shared by
 * the device model, the kernel stub, the user-level driver and the raw
 * benchmark arm. Header-only, for the same reason as e1000e_desc.h.
 *
 * A ring is N descriptors (RDLEN/TDLEN / 16) at a base address, and two
 * indices (82574L datasheet §7.1.8, "Receive Descriptor Queue Structure";
 * the transmit ring works the same way, "Transmit Descriptor Ring
 * Structure"). The device advances head (RDH/TDH) as it finishes
 * descriptors; software advances tail (RDT/TDT) to hand it more:
 *
 *                head                        tail
 *                  v                           v
 *      +----+----+----+----+----+----+----+----+----+----+
 *      | sw | sw | HW | HW | HW | HW | HW | HW | sw | sw |
 *      +----+----+----+----+----+----+----+----+----+----+
 *      0                                                N-1
 *
 *   HW  head .. tail-1: the device's. Transmit: filled, waiting to go
 *       out. Receive: empty buffers waiting for a frame.
 *   sw  tail .. head-1 (wrapping): software's. Transmit: sent (DD when
 *       RS asked for it) or free, to reclaim and refill. Receive: filled
 *       (DD), to read and give back by moving tail past them.
 *
 * head == tail means the device owns nothing, so software never lets tail
 * catch up with head from behind: at most N - 1 descriptors are the
 * device's. Software that does not read head (the drivers here) keeps its
 * own copy of where the device stopped, "clean", and walks it forward
 * over descriptors with DD set.
 */
#ifndef CAPIO_DEV_E1000E_RING_H
#define CAPIO_DEV_E1000E_RING_H

#include <stdbool.h>
#include <stdint.h>

/* The index after I on a ring of N. */
static inline uint32_t
e1000e_ring_next(uint32_t i, uint32_t n)
{
	return (i + 1) % n;
}

/* Descriptors from FROM up to, not including, TO: with (head, tail) the
 * device's, with (clean, tail) those handed over and not yet reclaimed. */
static inline uint32_t
e1000e_ring_count(uint32_t from, uint32_t to, uint32_t n)
{
	return (to + n - from) % n;
}

/* How many more descriptors the producer at TO may hand over before it
 * would catch up with FROM. */
static inline uint32_t
e1000e_ring_space(uint32_t from, uint32_t to, uint32_t n)
{
	return n - 1 - e1000e_ring_count(from, to, n);
}

/* Head and tail name descriptors of a non-empty ring; anything else
 * describes no ring the device can walk. */
static inline bool
e1000e_ring_valid(uint32_t head, uint32_t tail, uint32_t n)
{
	return n != 0 && head < n && tail < n;
}

#endif
