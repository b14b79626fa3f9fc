/*
 * wire.h — wire backends a NIC's netport plugs into.
 *
 *   pair        two ports back to back, in process (the default)
 *   tap:IFNAME  one port to a Linux TAP interface (the host kernel)
 *   udp:LOCAL,REMOTE  one port to a peer by UDP datagrams, one frame
 *               each (QEMU's -netdev dgram format), HOST:PORT each
 *
 * Any wire can also record every frame crossing it, both ways, into a
 * pcap file. A wire is used from one thread; frames are whole Ethernet
 * frames without FCS, WIRE_FRAME_MIN..WIRE_FRAME_MAX bytes (anything else
 * is dropped and counted).
 */
#ifndef CAPIO_NET_WIRE_H
#define CAPIO_NET_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "net/netport.h"

#define WIRE_FRAME_MIN	14
#define WIRE_FRAME_MAX	16384

/* Directions: WIRE_AB leaves port a (towards b, or the host on a TAP),
 * WIRE_BA arrives at port a (from b, or from the host). */
enum { WIRE_AB = 0, WIRE_BA = 1 };

struct wire_dir_stats {
	uint64_t frames;	/* crossed the wire (and were recorded) */
	uint64_t bytes;
	uint64_t refused;	/* crossed, but the receiving NIC dropped them */
	uint64_t dropped;	/* lost on the wire: bad size, queue full, host busy */
	uint64_t errors;	/* host I/O errors */
	uint64_t merged;	/* of frames, those the host got merged with
				   others of their burst (TAP, tap_gro.h) */
};

struct wire_stats {
	struct wire_dir_stats dir[2];	/* WIRE_AB, WIRE_BA */
	uint64_t pcap_frames;		/* frames written to the pcap file */
	uint64_t pcap_errors;		/* frames the pcap file did not get */
};

struct wire;

/*
 * Attach ports to the wire SPEC describes: "pair" joins A and B; "tap:IFNAME"
 * joins A to the TAP interface IFNAME (B must be NULL; "%d" in IFNAME lets
 * the kernel number it). Fills the ports' xmit/wire and sets their carrier
 * (pair: up; tap: up while the host interface is, updated by wire_poll).
 * The ports must not already be on a wire. NULL with a one-line message in
 * ERR on failure.
 */
struct wire *wire_open(const char *spec, struct netport *a, struct netport *b,
    char *err, size_t errlen);
/* Record every frame crossing W from now on into the pcap file PATH.
 * 0, or -1 with a message in ERR (bad path, already recording). */
int wire_record(struct wire *w, const char *path, char *err, size_t errlen);
/* Move up to MAX frames waiting on the wire (TAP: from the host; pair:
 * frames queued while a NIC transmitted from inside its own receive).
 * Never blocks; does nothing when called from inside a deliver. Returns
 * the number of frames taken off the wire. */
int wire_poll(struct wire *w, int max);
/* A descriptor that becomes readable when wire_poll has work, or -1 for
 * wires without one (pair). */
int wire_fd(const struct wire *w);
/* The spec the wire was opened with, e.g. "tap:capio0". */
const char *wire_name(const struct wire *w);
void wire_get_stats(const struct wire *w, struct wire_stats *st);
/* Detach the ports (carrier down, xmit NULL), close the pcap file and free
 * W. 0, or -1 when the pcap file missed frames. Not from inside a deliver
 * callback. NULL is accepted. */
int wire_close(struct wire *w);

#endif
