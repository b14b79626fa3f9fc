/*
 * wire.c — wire specs, the port side of every wire (size checks,
 * counters, pcap recording) and dispatch to the backends.
 */
#include "net/wire.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/pcap_recorder.h"
#include "net/wire_backend.h"

static const struct wire_ops *const backends[] = {
	&wire_pair_ops,
	&wire_tap_ops,
	&wire_udp_ops,
};

void
wire_crossed(struct wire *w, int dir, const uint8_t *frame, size_t len)
{
	w->st.dir[dir].frames++;
	w->st.dir[dir].bytes += len;
	if (w->rec == NULL)
		return;
	if (pcap_recorder_write(w->rec, frame, len) == 0)
		w->st.pcap_frames++;
	else
		w->st.pcap_errors++;
}

void
wire_arrive(struct wire *w, int side, const uint8_t *frame, size_t len)
{
	struct netport *p = w->port[side];
	int dir = side == 0 ? WIRE_BA : WIRE_AB;

	wire_crossed(w, dir, frame, len);
	/* A NIC without a receive hook is a NIC that drops everything. */
	if (p->deliver == NULL || !p->deliver(p->nic, frame, len))
		w->st.dir[dir].refused++;
}

/* netport.xmit of every wire: the checks all backends share. */
static void
wire_port_xmit(void *arg, const uint8_t *frame, size_t len)
{
	struct wire_end *e = arg;
	struct wire *w = e->w;
	int dir = e->side == 0 ? WIRE_AB : WIRE_BA;

	if (frame == NULL || len < WIRE_FRAME_MIN || len > WIRE_FRAME_MAX) {
		w->st.dir[dir].dropped++;
		return;
	}
	w->ops->carry(w, e->side, frame, len);
}

static void
wire_port_xmit_end(void *arg)
{
	struct wire_end *e = arg;

	e->w->ops->flush(e->w);
}

static const struct wire_ops *
wire_lookup(const char *spec, const char **arg)
{
	size_t i, n;

	for (i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
		n = strlen(backends[i]->kind);
		if (strncmp(spec, backends[i]->kind, n) != 0)
			continue;
		if (spec[n] == '\0') {
			*arg = NULL;
			return backends[i];
		}
		if (spec[n] == ':') {
			*arg = spec + n + 1;
			return backends[i];
		}
	}
	return NULL;
}

static bool
port_free(const struct netport *p)
{
	return p->xmit == NULL && p->wire == NULL;
}

struct wire *
wire_open(const char *spec, struct netport *a, struct netport *b, char *err,
    size_t errlen)
{
	const struct wire_ops *ops;
	const char *arg;
	struct wire *w;
	int side;

	if (err == NULL)
		errlen = 0;	/* snprintf then writes nothing */
	else if (errlen > 0)
		err[0] = '\0';
	if (spec == NULL || (ops = wire_lookup(spec, &arg)) == NULL) {
		snprintf(err, errlen,
		    "unknown wire '%s' (expected pair, tap:IFNAME or udp:LOCAL,REMOTE)",
		    spec == NULL ? "" : spec);
		return NULL;
	}
	if (a == NULL || (ops->nports == 2 && b == NULL)) {
		snprintf(err, errlen, "%s: needs %s", spec,
		    ops->nports == 2 ? "two ports" : "a port");
		return NULL;
	}
	if (ops->nports == 1 && b != NULL) {
		snprintf(err, errlen,
		    "%s: joins one port to the host, got two", spec);
		return NULL;
	}
	if (a == b) {
		snprintf(err, errlen, "%s: cannot join a port to itself",
		    spec);
		return NULL;
	}
	if (!port_free(a) || (b != NULL && !port_free(b))) {
		snprintf(err, errlen, "%s: port %s is already on a wire",
		    spec, port_free(a) ? "b" : "a");
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL || (w->name = strdup(spec)) == NULL) {
		free(w);
		snprintf(err, errlen, "%s: out of memory", spec);
		return NULL;
	}
	w->ops = ops;
	w->port[0] = a;
	w->port[1] = b;
	if (ops->open(w, arg, err, errlen) != 0) {
		free(w->name);
		free(w);
		return NULL;
	}
	for (side = 0; side < 2; side++) {
		w->end[side].w = w;
		w->end[side].side = side;
		if (w->port[side] == NULL)
			continue;
		w->port[side]->xmit = wire_port_xmit;
		w->port[side]->xmit_end = ops->flush != NULL ?
		    wire_port_xmit_end : NULL;
		w->port[side]->wire = &w->end[side];
	}
	return w;
}

int
wire_record(struct wire *w, const char *path, char *err, size_t errlen)
{
	if (w->rec != NULL) {
		snprintf(err, errlen, "%s: already recording", w->name);
		return -1;
	}
	w->rec = pcap_recorder_open(path, err, errlen);
	return w->rec == NULL ? -1 : 0;
}

int
wire_poll(struct wire *w, int max)
{
	int n;

	if (max <= 0)
		return 0;
	n = w->ops->poll(w, max);
	/* Idle: a good moment to let the pcap file catch up. */
	if (n == 0 && w->rec != NULL)
		(void)pcap_recorder_flush(w->rec);
	return n;
}

int
wire_fd(const struct wire *w)
{
	return w->ops->fd(w);
}

const char *
wire_name(const struct wire *w)
{
	return w->name;
}

void
wire_get_stats(const struct wire *w, struct wire_stats *st)
{
	*st = w->st;
}

int
wire_close(struct wire *w)
{
	int side, rc;

	if (w == NULL)
		return 0;
	for (side = 0; side < 2; side++) {
		if (w->port[side] == NULL)
			continue;
		w->port[side]->xmit = NULL;
		w->port[side]->xmit_end = NULL;
		w->port[side]->wire = NULL;
		w->port[side]->carrier = false;
	}
	w->ops->close(w);
	rc = pcap_recorder_close(w->rec);
	if (w->st.pcap_errors != 0)
		rc = -1;
	free(w->name);
	free(w);
	return rc;
}
