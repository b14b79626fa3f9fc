/*
 * nbd_server.c — see nbd_server.h. Bytes the engine did not take wait in
 * the connection's stash (at most a receive window: what is stashed is
 * not acknowledged to TCP); the engine's output goes to tcp_write as
 * there is room. lwIP calls back on_recv, on_sent, on_poll and on_err;
 * whoever frees a connection detaches its callbacks first, so it is
 * freed once.
 */
#include "user/nbd_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "user/netstack.h"
#include "user/tcp_glue.h"

#define STASH_MAX	TCP_WND
#define POLL_TICKS	2		/* lwIP's 500 ms timer: every second */

struct nbds_conn {
	struct nbd_server *s;
	struct tcp_pcb *pcb;
	struct nbd_conn *nc;
	struct nbds_conn *next;
	uint8_t *in;			/* stashed input */
	size_t nin;
	int64_t born;			/* monotonic second it was accepted */
};

static int64_t
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec;
}

static void
add_stats(struct nbd_conn_stats *t, const struct nbd_conn_stats *c)
{
	t->options += c->options;
	t->requests += c->requests;
	t->reads += c->reads;
	t->writes += c->writes;
	t->flushes += c->flushes;
	t->trims += c->trims;
	t->zeroes += c->zeroes;
	t->bytes_read += c->bytes_read;
	t->bytes_written += c->bytes_written;
	t->errors += c->errors;
	t->violations += c->violations;
}

static void
conn_free(struct nbds_conn *c)
{
	struct nbd_server *s = c->s;
	const char *why = nbd_conn_why(c->nc);

	for (struct nbds_conn **pp = &s->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	if (nbd_conn_stats(c->nc)->violations > 0) {
		s->violations++;
		snprintf(s->last_why, sizeof s->last_why, "%s", why);
	}
	add_stats(&s->closed, nbd_conn_stats(c->nc));
	nbd_conn_free(c->nc);
	free(c->in);
	free(c);
	s->nconns--;
}

static void
conn_close(struct nbds_conn *c)
{
	const struct lwip_api *a = c->s->ns->api;

	tcp_glue_detach(a, c->pcb);
	if (a->tcp_close(c->pcb) != ERR_OK)
		a->tcp_abort(c->pcb);
	conn_free(c);
}

/* A reset. From inside an lwIP callback, that callback returns
 * ERR_ABRT. */
static void
conn_abort(struct nbds_conn *c)
{
	const struct lwip_api *a = c->s->ns->api;

	tcp_glue_detach(a, c->pcb);
	a->tcp_abort(c->pcb);
	c->s->resets++;
	conn_free(c);
}

/* Hand lwIP as much output as its send buffer takes. */
static void
flush(struct nbds_conn *c)
{
	const struct lwip_api *a = c->s->ns->api;
	const void *out;
	size_t len;

	while ((out = nbd_conn_output(c->nc, &len)) != NULL) {
		size_t room = tcp_sndbuf(c->pcb);

		if (room == 0)
			break;
		if (len > room)
			len = room;
		if (len > 0xffff)
			len = 0xffff;
		if (a->tcp_write(c->pcb, out, (u16_t)len,
		    TCP_WRITE_FLAG_COPY) != ERR_OK)
			break;
		nbd_conn_consume_output(c->nc, len);
		/* Room in the output lets a long READ go on. */
		nbd_conn_work(c->nc);
	}
	a->tcp_output(c->pcb);
}

/*
 * Feed the stash, carry work on, send: what every callback ends with.
 * -1 when the connection is gone (reset: an lwIP callback that called
 * this returns ERR_ABRT), 1 when closed, 0 when it lives on.
 */
static int
pump(struct nbds_conn *c)
{
	size_t taken, len;

	taken = nbd_conn_feed(c->nc, c->in, c->nin);
	if (taken > 0) {
		memmove(c->in, c->in + taken, c->nin - taken);
		c->nin -= taken;
		tcp_glue_recved(c->s->ns->api, c->pcb, taken);
	}
	nbd_conn_work(c->nc);
	if (nbd_conn_dead(c->nc)) {
		conn_abort(c);
		return -1;
	}
	flush(c);
	if (nbd_conn_closing(c->nc) && nbd_conn_output(c->nc, &len) == NULL) {
		conn_close(c);
		return 1;
	}
	return 0;
}

static err_t
on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct nbds_conn *c = arg;
	const struct lwip_api *a = c->s->ns->api;

	(void)pcb;
	(void)err;
	if (p == NULL) {		/* the client closed */
		conn_close(c);
		return ERR_OK;
	}
	if (nbd_conn_closing(c->nc)) {	/* nothing more is read */
		a->tcp_recved(c->pcb, p->tot_len);
		a->pbuf_free(p);
		return pump(c) < 0 ? ERR_ABRT : ERR_OK;
	}
	if (c->nin + p->tot_len > STASH_MAX) {
		/* More than the window we offered: not a TCP peer. */
		a->pbuf_free(p);
		conn_abort(c);
		return ERR_ABRT;
	}
	if (c->in == NULL && (c->in = malloc(STASH_MAX)) == NULL) {
		a->pbuf_free(p);
		conn_abort(c);
		return ERR_ABRT;
	}
	a->pbuf_copy_partial(p, c->in + c->nin, p->tot_len, 0);
	c->nin += p->tot_len;
	a->pbuf_free(p);
	if (pump(c) < 0)
		return ERR_ABRT;
	return ERR_OK;
}

static err_t
on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct nbds_conn *c = arg;

	(void)pcb;
	(void)len;
	if (c == NULL)
		return ERR_OK;
	return pump(c) < 0 ? ERR_ABRT : ERR_OK;
}

static err_t
on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct nbds_conn *c = arg;

	(void)pcb;
	if (c == NULL)
		return ERR_OK;
	if (nbd_conn_negotiating(c->nc) && now_s() - c->born > NBD_NEGOTIATE_S) {
		c->s->timeouts++;
		conn_abort(c);
		return ERR_ABRT;
	}
	return pump(c) < 0 ? ERR_ABRT : ERR_OK;
}

static void
on_err(void *arg, err_t err)
{
	struct nbds_conn *c = arg;

	(void)err;
	if (c != NULL)
		conn_free(c);	/* lwIP has freed the pcb */
}

static err_t
on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct nbd_server *s = arg;
	const struct lwip_api *a = s->ns->api;
	struct nbds_conn *c;

	if (err != ERR_OK || pcb == NULL)
		return ERR_VAL;
	if (s->nconns >= NBD_SERVER_MAX_CONNS ||
	    (c = calloc(1, sizeof *c)) == NULL) {
		s->refused++;
		a->tcp_abort(pcb);
		return ERR_ABRT;
	}
	if ((c->nc = nbd_conn_new(s->ex)) == NULL) {
		free(c);
		s->refused++;
		a->tcp_abort(pcb);
		return ERR_ABRT;
	}
	c->s = s;
	c->pcb = pcb;
	c->born = now_s();
	c->next = s->conns;
	s->conns = c;
	s->nconns++;
	s->connections++;
	/* Replies are small and latency-bound: no Nagle. */
	tcp_nagle_disable(pcb);
	a->tcp_arg(pcb, c);
	a->tcp_recv(pcb, on_recv);
	a->tcp_sent(pcb, on_sent);
	a->tcp_err(pcb, on_err);
	a->tcp_poll(pcb, on_poll, POLL_TICKS);
	flush(c);		/* the greeting */
	return ERR_OK;
}

int
nbd_server_open(struct nbd_server *s, struct netstack *ns, uint16_t port,
    const struct nbd_export *ex)
{
	const struct lwip_api *a = ns->api;
	const ip_addr_t any = IPADDR4_INIT(0);
	struct tcp_pcb *pcb;

	memset(s, 0, sizeof *s);
	s->ns = ns;
	s->ex = ex;
	if ((pcb = a->tcp_new()) == NULL)
		return -1;
	if (a->tcp_bind(pcb, &any, port) != ERR_OK) {
		a->tcp_abort(pcb);
		return -1;
	}
	if ((s->listen = a->tcp_listen_with_backlog(pcb, 8)) == NULL) {
		a->tcp_abort(pcb);
		return -1;
	}
	a->tcp_arg(s->listen, s);
	a->tcp_accept(s->listen, on_accept);
	return 0;
}

bool
nbd_server_poll(struct nbd_server *s)
{
	bool did = false;
	struct nbds_conn *c, *next;

	for (c = s->conns; c != NULL; c = next) {
		size_t before = c->nin;
		bool worked;
		int r;

		next = c->next;
		if (!nbd_conn_busy(c->nc) && c->nin == 0)
			continue;
		/* Progress is what the engine did, not that it is busy: a
		 * READ waiting for the client's acknowledgements is idle. */
		worked = nbd_conn_work(c->nc);
		if ((r = pump(c)) != 0 || worked || c->nin != before)
			did = true;
	}
	return did;
}

void
nbd_server_stop(struct nbd_server *s)
{
	while (s->conns != NULL)
		conn_close(s->conns);
	if (s->listen != NULL)
		s->ns->api->tcp_close(s->listen);
	s->listen = NULL;
}

void
nbd_server_stats(const struct nbd_server *s, struct nbd_conn_stats *t)
{
	*t = s->closed;
	for (const struct nbds_conn *c = s->conns; c != NULL; c = c->next)
		add_stats(t, nbd_conn_stats(c->nc));
}
