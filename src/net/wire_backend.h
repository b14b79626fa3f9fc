/*
 * wire_backend.h — what a wire backend (wire_pair.c, wire_tap.c,
 * wire_udp.c) provides to wire.c, and the accounting wire.c offers back.
 * Internal to src/net/.
 */
#ifndef CAPIO_NET_WIRE_BACKEND_H
#define CAPIO_NET_WIRE_BACKEND_H

#include "net/wire.h"

struct pcap_recorder;
struct wire;

/* What a port's netport.wire points at: the wire and which side it is. */
struct wire_end {
	struct wire	*w;
	int		 side;		/* 0: port a, 1: port b (or the host) */
};

struct wire_ops {
	const char	*kind;		/* "pair", "tap" */
	int		 nports;	/* ports the caller attaches: 2 or 1 */
	/* ARG is what follows "kind:" (NULL when there is none). Sets the
	 * ports' carrier; wire.c fills in their xmit and wire. */
	int	(*open)(struct wire *w, const char *arg, char *err,
		    size_t errlen);
	/* Carry a frame of valid size that port FROM transmitted. */
	void	(*carry)(struct wire *w, int from, const uint8_t *frame,
		    size_t len);
	/* The NIC's transmit burst is over: carry what was held back to go
	 * together (NULL: the backend holds nothing back). */
	void	(*flush)(struct wire *w);
	int	(*poll)(struct wire *w, int max);
	int	(*fd)(const struct wire *w);
	void	(*close)(struct wire *w);
};

struct wire {
	const struct wire_ops	*ops;
	char			*name;
	struct netport		*port[2];	/* port[1] NULL on a TAP */
	struct wire_end		 end[2];
	struct wire_stats	 st;
	struct pcap_recorder	*rec;
	void			*be;		/* the backend's state */
};

extern const struct wire_ops wire_pair_ops;
extern const struct wire_ops wire_tap_ops;
extern const struct wire_ops wire_udp_ops;

/* Count a frame as having crossed in direction DIR and record it. */
void wire_crossed(struct wire *w, int dir, const uint8_t *frame, size_t len);
/* A frame crossed to port SIDE: count, record, hand it to the NIC. */
void wire_arrive(struct wire *w, int side, const uint8_t *frame, size_t len);

#endif
