/*
 * wire_pair.c — two ports joined back to back, in process.
 *
 * A frame one port transmits is handed to the other port's deliver at once.
 * A NIC may transmit from inside its own deliver (a reflector, an ARP
 * answer); such frames wait in a small FIFO that the outermost transmit
 * drains iteratively, so the call stack never grows with the traffic. The
 * drain is budgeted: two NICs that answer every frame forever leave the
 * rest in the FIFO for wire_poll instead of looping without end.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/wire_backend.h"

#define PAIR_QUEUE	32	/* frames in flight behind a delivery */
#define PAIR_BUDGET	256	/* queued frames one transmit may drain */

struct pair_slot {
	int	 to;
	size_t	 len;
	uint8_t	*buf;		/* WIRE_FRAME_MAX bytes */
};

struct pair {
	int		 busy;	/* inside a deliver: queue, don't recurse */
	unsigned	 head;
	unsigned	 count;
	struct pair_slot q[PAIR_QUEUE];
	uint8_t		*mem;
};

static int
pair_drain(struct wire *w, struct pair *p, int budget)
{
	struct pair_slot *s;
	int n = 0;

	/* The slot stays counted while it is delivered, so nothing queued
	 * meanwhile can overwrite the frame being handed over. */
	while (p->count > 0 && n < budget) {
		s = &p->q[p->head];
		wire_arrive(w, s->to, s->buf, s->len);
		p->head = (p->head + 1) % PAIR_QUEUE;
		p->count--;
		n++;
	}
	return n;
}

static void
pair_carry(struct wire *w, int from, const uint8_t *frame, size_t len)
{
	struct pair *p = w->be;
	struct pair_slot *s;
	int to = 1 - from;

	if (p->busy) {
		if (p->count == PAIR_QUEUE) {
			w->st.dir[from == 0 ? WIRE_AB : WIRE_BA].dropped++;
			return;
		}
		s = &p->q[(p->head + p->count) % PAIR_QUEUE];
		s->to = to;
		s->len = len;
		memcpy(s->buf, frame, len);
		p->count++;
		return;
	}
	p->busy = 1;
	wire_arrive(w, to, frame, len);
	pair_drain(w, p, PAIR_BUDGET);
	p->busy = 0;
}

static int
pair_poll(struct wire *w, int max)
{
	struct pair *p = w->be;
	int n;

	if (p->busy)
		return 0;
	p->busy = 1;
	n = pair_drain(w, p, max);
	p->busy = 0;
	return n;
}

static int
pair_fd(const struct wire *w)
{
	(void)w;
	return -1;
}

static int
pair_open(struct wire *w, const char *arg, char *err, size_t errlen)
{
	struct pair *p;
	int i;

	if (arg != NULL) {
		snprintf(err, errlen, "%s: pair takes no argument", w->name);
		return -1;
	}
	p = calloc(1, sizeof(*p));
	if (p != NULL)
		p->mem = malloc((size_t)PAIR_QUEUE * WIRE_FRAME_MAX);
	if (p == NULL || p->mem == NULL) {
		free(p);
		snprintf(err, errlen, "%s: out of memory", w->name);
		return -1;
	}
	for (i = 0; i < PAIR_QUEUE; i++)
		p->q[i].buf = p->mem + (size_t)i * WIRE_FRAME_MAX;
	/* A cable is always plugged in at both ends. */
	w->port[0]->carrier = true;
	w->port[1]->carrier = true;
	w->be = p;
	return 0;
}

static void
pair_close(struct wire *w)
{
	struct pair *p = w->be;

	/* Frames still queued are lost with the wire, like a cable
	 * pulled while they were on it. */
	free(p->mem);
	free(p);
}

const struct wire_ops wire_pair_ops = {
	.kind = "pair",
	.nports = 2,
	.open = pair_open,
	.carry = pair_carry,
	.poll = pair_poll,
	.fd = pair_fd,
	.close = pair_close,
};
