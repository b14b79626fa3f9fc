/*
 * tap_gro.h — what the TAP backend does with a burst of TCP segments on
 * their way into the host: it merges the consecutive, full-sized segments
 * of one flow into one frame that carries a virtio-net header saying how
 * it was cut (GSO TCPv4, the segment size), as the host's GRO would have
 * merged them arriving from a real NIC. The host's stack then takes a
 * 10,000-byte reply in one write and one wake-up instead of seven.
 *
 * Only what GRO itself would merge is merged: IPv4 without options or
 * fragments, TCP with ACK and at most PSH besides, the same addresses,
 * ports, TTL, TOS, acknowledgement, window and options, sequence numbers
 * that follow on, every segment but the last of the first one's size, and
 * every IP and TCP checksum correct (a segment the host would drop is
 * never hidden in a merged frame: it goes alone and is dropped there).
 * Everything else goes as it came. Internal to src/net/.
 */
#ifndef CAPIO_NET_TAP_GRO_H
#define CAPIO_NET_TAP_GRO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The virtio-net header the TAP reads and writes in front of each frame
 * (IFF_VNET_HDR; <linux/virtio_net.h>, struct virtio_net_hdr). */
#define TAP_VNET_HDR	10
/* The largest merged frame: an IPv4 datagram's limit plus Ethernet. */
#define TAP_GRO_MAX	(14 + 65535)
/* At most this many segments in one, as the host's GRO takes at most 64. */
#define TAP_GRO_SEGS	64
/* Room for the segments as the NIC sent them (kept for the pcap file and
 * the counters, which see frames as they crossed the wire). */
#define TAP_GRO_ORIG	(2 * TAP_GRO_MAX)

struct tap_gro {
	uint8_t		*buf;		/* TAP_VNET_HDR + TAP_GRO_MAX */
	bool		 keep;		/* keep the segments as sent (a pcap
					   file wants them); else lengths only */
	uint8_t		*orig;		/* the segments as sent, back to back */
	size_t		 olen[TAP_GRO_SEGS];
	size_t		 oused;
	size_t		 len;		/* frame bytes held (after the header) */
	unsigned	 segs;		/* segments merged into it */
	size_t		 l4;		/* TCP header offset in the frame */
	size_t		 thlen;		/* TCP header length */
	uint32_t	 mss;		/* payload of each full segment */
	uint32_t	 next_seq;	/* the sequence number that may follow */
	bool		 closed;	/* a short or PSH segment ended it */
};

enum tap_gro_verdict {
	TAP_GRO_HELD,		/* taken: merged or starting a merge */
	TAP_GRO_FLUSH,		/* does not follow what is held: flush, offer again */
	TAP_GRO_ALONE,		/* never merged: flush, then write it as it is */
};

int	tap_gro_init(struct tap_gro *g);
void	tap_gro_free(struct tap_gro *g);
/* Offer one transmitted frame. */
enum tap_gro_verdict tap_gro_offer(struct tap_gro *g, const uint8_t *frame,
	    size_t len);
/* The segments held as one frame with its virtio-net header, ready for
 * one write (merged when there are two or more); NULL when none are. */
const uint8_t *tap_gro_merged(struct tap_gro *g, size_t *len);
/* The Ith segment held as the NIC sent it (NULL unless keep), and its
 * length. */
const uint8_t *tap_gro_seg(const struct tap_gro *g, unsigned i, size_t *len);
/* Let go of what is held. */
void	tap_gro_clear(struct tap_gro *g);
/* The virtio-net header of a frame written as it is (all zero). */
extern const uint8_t tap_vnet_plain[TAP_VNET_HDR];

#endif
