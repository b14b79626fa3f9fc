/*
 * memcached_server.c — the protocol engine on lwIP TCP: bytes in from
 * tcp_recv, answers out with tcp_write as the send window allows, the
 * connection closed after `quit`. Connections past max_connections are
 * told so and closed, as memcached does; idle ones are reset after
 * idle_timeout; buffers grow with need and go when idle.
 */
#include "user/memcached_server.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "user/netstack.h"
#include "user/tcp_glue.h"

/*
 * Input TCP has delivered and the engine has not taken yet: only what
 * the engine takes is acknowledged to TCP (tcp_recved), so the receive
 * window bounds it.
 */
#define IN_MAX		TCP_WND
#define IN_MIN		2048		/* a buffer's first size */
/* tcp_poll ticks (lwIP's coarse timer, 500 ms): idle checks, trimming. */
#define POLL_TICKS	1
/* memcached's answer to a connection over -c, before it closes it. */
#define TOO_MANY	"ERROR Too many open connections\r\n"

struct mcs_conn {
	struct mc_server *s;
	struct tcp_pcb *pcb;
	struct mc_conn *mc;
	struct mcs_conn *next;
	uint8_t *in;			/* input the engine has not taken */
	size_t nin, incap;
	int64_t last;			/* second of the last activity */
	bool busy;			/* activity since the last poll */
};

/* Items are dated in unix time: exptimes over 30 days are on it. */
static int64_t
clock_s(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
}

/* Idleness is not: a step of the host's clock must not kick everyone. */
static int64_t
clock_mono_s(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static int64_t
idle_now(const struct mc_server *s)
{
	return s->idle_clock(s->clock_arg);
}

static void
touch(struct mcs_conn *c)
{
	c->last = idle_now(c->s);
	c->busy = true;
}

static void
conn_free(struct mcs_conn *c)
{
	struct mc_server *s = c->s;

	for (struct mcs_conn **pp = &s->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	mc_conn_free(c->mc);
	free(c->in);
	free(c);
	s->nconns--;
	s->closed++;
}

static void
conn_close(struct mcs_conn *c)
{
	const struct lwip_api *a = c->s->ns->api;
	struct tcp_pcb *pcb = c->pcb;

	tcp_glue_detach(a, pcb);
	if (a->tcp_close(pcb) != ERR_OK)
		a->tcp_abort(pcb);
	conn_free(c);
}

/*
 * Reset the connection and free it. tcp_abort would call on_err, which
 * frees too: detached first, so only this frees. The lwIP callback that
 * called this must return ERR_ABRT.
 */
static void
conn_abort(struct mcs_conn *c)
{
	const struct lwip_api *a = c->s->ns->api;
	struct tcp_pcb *pcb = c->pcb;

	tcp_glue_detach(a, pcb);
	a->tcp_abort(pcb);
	c->s->aborted++;
	conn_free(c);
}

/* Push as much pending output as the send buffer takes. */
static void
flush(struct mcs_conn *c)
{
	const struct lwip_api *a = c->s->ns->api;
	size_t len;
	const void *out;

	while ((out = mc_conn_output(c->mc, &len)) != NULL && len > 0) {
		size_t room = tcp_sndbuf(c->pcb);
		if (room == 0)
			break;
		if (len > room)
			len = room;
		if (len > 0xffff)
			len = 0xffff;
		if (a->tcp_write(c->pcb, out, (u16_t)len, TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		mc_conn_consume_output(c->mc, len);
	}
	a->tcp_output(c->pcb);
}

static bool
drained(struct mcs_conn *c)
{
	size_t len = 0;

	return mc_conn_output(c->mc, &len) == NULL || len == 0;
}

/* Feed the engine from p until it pauses; how many bytes it took. */
static size_t
take(struct mcs_conn *c, const uint8_t *p, size_t n)
{
	size_t taken = 0;

	while (taken < n && !mc_conn_closing(c->mc)) {
		size_t k = mc_conn_feed(c->mc, p + taken, n - taken);
		if (k == 0)
			break;	/* output backed up: wait for the peer to read */
		taken += k;
		flush(c);
	}
	return taken;
}

/* Keep n bytes the engine did not take; false when out of memory. */
static bool
stash(struct mcs_conn *c, const void *p, size_t n)
{
	if (c->nin + n > c->incap) {
		size_t cap = c->incap < IN_MIN ? IN_MIN : c->incap;
		uint8_t *in;

		while (cap < c->nin + n)
			cap *= 2;
		if (cap > IN_MAX)
			cap = IN_MAX;
		if ((in = realloc(c->in, cap)) == NULL)
			return false;
		c->in = in;
		c->incap = cap;
	}
	memcpy(c->in + c->nin, p, n);
	c->nin += n;
	return true;
}

/* Give the engine what it kept waiting; acknowledge that to TCP. */
static void
pump(struct mcs_conn *c)
{
	size_t taken = take(c, c->in, c->nin);

	if (taken > 0) {
		memmove(c->in, c->in + taken, c->nin - taken);
		c->nin -= taken;
		tcp_glue_recved(c->s->ns->api, c->pcb, taken);
	}
	if (c->nin == 0 && c->in != NULL) {
		/* Most input is taken straight from lwIP: no buffer kept. */
		free(c->in);
		c->in = NULL;
		c->incap = 0;
	}
	flush(c);
}

static err_t
on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct mcs_conn *c = arg;
	const struct lwip_api *a;
	size_t taken = 0;
	bool ok = true;

	/* Never NULL: the callbacks are detached before a close or abort. */
	(void)err;
	(void)pcb;
	a = c->s->ns->api;
	if (p == NULL) {	/* the client closed */
		conn_close(c);
		return ERR_OK;
	}
	if (c->nin + p->tot_len > IN_MAX) {
		/* More than the window allows: not a TCP peer we can serve. */
		a->pbuf_free(p);
		conn_abort(c);
		return ERR_ABRT;
	}
	touch(c);
	c->s->deliveries++;
	/*
	 * Straight from lwIP's buffers while the engine takes it all; once
	 * it pauses, the rest waits in c->in, in order.
	 */
	for (struct pbuf *q = p; q != NULL && ok; q = q->next) {
		size_t k = 0;

		if (c->nin == 0)
			k = take(c, q->payload, q->len);
		taken += k;
		/*
		 * After quit the rest is ignored, and left unacknowledged:
		 * the close is then a reset, as memcached's is with unread
		 * input.
		 */
		if (k < q->len && !mc_conn_closing(c->mc))
			ok = stash(c, (uint8_t *)q->payload + k, q->len - k);
	}
	a->pbuf_free(p);
	if (!ok) {
		conn_abort(c);
		return ERR_ABRT;
	}
	tcp_glue_recved(c->s->ns->api, c->pcb, taken);
	pump(c);
	/*
	 * Input that brought no reply out (noreply, half a command) is
	 * acknowledged now, not after lwIP's delayed ACK (up to 250 ms): a
	 * client with Nagle on holds its next write until then. A reply
	 * sent carries the ACK and clears TF_ACK_DELAY.
	 */
	if (tcp_is_flag_set(c->pcb, TF_ACK_DELAY)) {
		tcp_set_flags(c->pcb, TF_ACK_NOW);
		a->tcp_output(c->pcb);
	}
	if (mc_conn_closing(c->mc) && drained(c))
		conn_close(c);
	return ERR_OK;
}

static err_t
on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct mcs_conn *c = arg;

	(void)pcb;
	(void)len;
	if (c == NULL)
		return ERR_OK;
	touch(c);
	pump(c);
	if (mc_conn_closing(c->mc) && drained(c))
		conn_close(c);
	return ERR_OK;
}

/* Every POLL_TICKS: reset a connection idle too long, trim a quiet one. */
static err_t
on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct mcs_conn *c = arg;
	struct mc_server *s;

	(void)pcb;
	if (c == NULL)
		return ERR_OK;
	s = c->s;
	/* memcached kicks a connection idle for more than the timeout. */
	if (s->set.idle_timeout != 0 &&
	    idle_now(s) - c->last > (int64_t)s->set.idle_timeout) {
		/*
		 * A reset, not a close: lwIP then keeps no output for a
		 * peer that may be gone, nor a TIME_WAIT.
		 */
		mc_store_idle_kick(s->store);
		s->idle_kicks++;
		conn_abort(c);
		return ERR_ABRT;
	}
	if (!c->busy && c->nin == 0)
		mc_conn_trim(c->mc);
	c->busy = false;
	/* Output lwIP had no room for, with nothing in flight: again. */
	pump(c);
	if (mc_conn_closing(c->mc) && drained(c))
		conn_close(c);
	return ERR_OK;
}

static void
on_err(void *arg, err_t err)
{
	struct mcs_conn *c = arg;

	(void)err;
	if (c != NULL)
		conn_free(c);	/* lwIP has freed the pcb */
}

/*
 * A refused connection's callbacks have its netstack for argument: the
 * netstack outlives the server (mc_server_stop cannot find these pcbs),
 * and lwIP and these pcbs go with it.
 */
static err_t
refused_close(struct netstack *ns, struct tcp_pcb *pcb)
{
	const struct lwip_api *a = ns->api;

	tcp_glue_detach(a, pcb);
	if (a->tcp_close(pcb) != ERR_OK) {
		a->tcp_abort(pcb);
		return ERR_ABRT;
	}
	return ERR_OK;
}

static err_t
refused_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct netstack *ns = arg;

	(void)err;
	if (p == NULL)
		return refused_close(ns, pcb);
	/* Read and dropped, so the close stays a close. */
	ns->api->tcp_recved(pcb, p->tot_len);
	ns->api->pbuf_free(p);
	return ERR_OK;
}

static err_t
refused_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	(void)len;
	return refused_close(arg, pcb);
}

/* Not acknowledged by a tick later: close anyway, the FIN after it. */
static err_t
refused_poll(void *arg, struct tcp_pcb *pcb)
{
	return refused_close(arg, pcb);
}

/*
 * Over max_connections: memcached writes the error and closes. Nothing
 * is allocated for it; the close waits for the message's acknowledgement
 * or the next poll tick (not inside the accept callback, where lwIP has
 * yet to process the rest of the segment).
 */
static err_t
refuse(struct mc_server *s, struct tcp_pcb *pcb)
{
	const struct lwip_api *a = s->ns->api;

	mc_store_rejected(s->store);
	s->rejected++;
	a->tcp_arg(pcb, s->ns);
	a->tcp_recv(pcb, refused_recv);
	a->tcp_sent(pcb, refused_sent);
	a->tcp_err(pcb, NULL);
	a->tcp_poll(pcb, refused_poll, POLL_TICKS);
	/* A string constant: lwIP may send it from where it is. */
	if (a->tcp_write(pcb, TOO_MANY, sizeof TOO_MANY - 1, 0) != ERR_OK) {
		tcp_glue_detach(a, pcb);
		a->tcp_abort(pcb);
		return ERR_ABRT;
	}
	a->tcp_output(pcb);
	return ERR_OK;
}

static err_t
on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct mc_server *s = arg;
	const struct lwip_api *a = s->ns->api;
	struct mcs_conn *c;

	if (err != ERR_OK || pcb == NULL)
		return ERR_VAL;
	if (s->nconns >= s->set.max_connections)
		return refuse(s, pcb);
	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->mc = mc_conn_new(s->store)) == NULL) {
		free(c);
		a->tcp_abort(pcb);
		return ERR_ABRT;
	}
	c->s = s;
	c->pcb = pcb;
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	s->connections++;
	touch(c);
	/*
	 * As memcached (TCP_NODELAY): the last, short segment of a reply
	 * goes out at once, not after the client's delayed ACK (40 ms on
	 * Linux).
	 */
	tcp_nagle_disable(pcb);
	a->tcp_arg(pcb, c);
	a->tcp_recv(pcb, on_recv);
	a->tcp_sent(pcb, on_sent);
	a->tcp_err(pcb, on_err);
	a->tcp_poll(pcb, on_poll, POLL_TICKS);
	return ERR_OK;
}

int
mc_server_start(struct mc_server *s, struct netstack *ns, uint16_t port,
    size_t memory)
{
	struct mc_settings set;

	mc_settings_default(&set);
	set.memory_limit = memory;
	return mc_server_open(s, ns, port, &set, NULL, NULL);
}

int
mc_server_open(struct mc_server *s, struct netstack *ns, uint16_t port,
    const struct mc_settings *set, mc_clock_fn clock, void *clock_arg)
{
	const struct lwip_api *a = ns->api;
	const ip_addr_t any = IPADDR4_INIT(0);
	struct tcp_pcb *pcb;

	memset(s, 0, sizeof *s);
	s->ns = ns;
	s->clock = clock != NULL ? clock : clock_s;
	s->idle_clock = clock != NULL ? clock : clock_mono_s;
	s->clock_arg = clock_arg;
	if (set != NULL)
		s->set = *set;
	else
		mc_settings_default(&s->set);
	s->set.tcpport = port;		/* `stats settings` shows it */
	if ((s->store = mc_store_open(&s->set, s->clock, s->clock_arg)) == NULL)
		return -1;
	/* The zeros the store filled in. */
	s->set = *mc_store_settings(s->store);
	if (mc_settings_check(&s->set) != NULL)
		goto fail;
	if ((pcb = a->tcp_new()) == NULL)
		goto fail;
	if (a->tcp_bind(pcb, &any, port) != ERR_OK) {
		a->tcp_abort(pcb);
		goto fail;
	}
	if ((s->listen = a->tcp_listen_with_backlog(pcb, 16)) == NULL) {
		a->tcp_abort(pcb);
		goto fail;
	}
	a->tcp_arg(s->listen, s);
	a->tcp_accept(s->listen, on_accept);
	return 0;
fail:
	mc_store_free(s->store);
	s->store = NULL;
	return -1;
}

void
mc_server_stop(struct mc_server *s)
{
	while (s->conns != NULL)
		conn_close(s->conns);
	if (s->listen != NULL)
		s->ns->api->tcp_close(s->listen);
	s->listen = NULL;
	mc_store_free(s->store);
	s->store = NULL;
}

size_t
mc_server_memory(const struct mc_server *s)
{
	struct mc_stats st;
	size_t n = 0;

	for (const struct mcs_conn *c = s->conns; c != NULL; c = c->next)
		n += sizeof *c + c->incap + mc_conn_memory(c->mc);
	if (s->store != NULL) {
		mc_store_stats(s->store, &st);
		n += (size_t)(st.bytes + st.inflight_bytes);
	}
	return n;
}

size_t
mc_server_conn_bound(const struct mc_settings *set)
{
	return sizeof(struct mcs_conn) + IN_MAX +
	    mc_conn_memory_bound(set->item_size_max);
}

size_t
mc_server_bound(const struct mc_settings *set)
{
	/* The store counts items and sets still arriving together. */
	return set->memory_limit +
	    (size_t)set->max_connections * mc_server_conn_bound(set);
}
