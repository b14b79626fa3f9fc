/*
 * memcached_server.c — the protocol engine on lwIP TCP: bytes in from
 * tcp_recv, answers out with tcp_write as the send window allows, the
 * connection closed after `quit`.
 */
#include "user/memcached_server.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "user/memcached.h"
#include "user/netstack.h"

/* Input TCP has delivered and the engine has not taken yet: bounded by
 * the receive window, since only what the engine takes is acknowledged
 * to TCP (tcp_recved). */
#define PENDING_MAX	(256 * 1024)

struct mcs_conn {
	struct mc_server *s;
	struct tcp_pcb *pcb;
	struct mc_conn *mc;
	struct mcs_conn *next;
	uint8_t *in;
	size_t nin;
};

static int64_t
clock_s(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec;
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
	s->closed++;
}

static void
conn_close(struct mcs_conn *c)
{
	const struct lwip_api *a = c->s->ns->api;
	struct tcp_pcb *pcb = c->pcb;

	a->tcp_arg(pcb, NULL);
	a->tcp_recv(pcb, NULL);
	a->tcp_sent(pcb, NULL);
	a->tcp_err(pcb, NULL);
	if (a->tcp_close(pcb) != ERR_OK)
		a->tcp_abort(pcb);
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

/* Give the engine what it takes; acknowledge exactly that to TCP. */
static void
pump(struct mcs_conn *c)
{
	const struct lwip_api *a = c->s->ns->api;
	size_t taken = 0;

	while (taken < c->nin && !mc_conn_closing(c->mc)) {
		size_t n = mc_conn_feed(c->mc, c->in + taken, c->nin - taken);
		if (n == 0)
			break;	/* output backed up: wait for the peer to read */
		taken += n;
		flush(c);
	}
	if (taken > 0) {
		memmove(c->in, c->in + taken, c->nin - taken);
		c->nin -= taken;
		for (size_t left = taken; left > 0; ) {
			u16_t n = left > 0xffff ? 0xffff : (u16_t)left;
			a->tcp_recved(c->pcb, n);
			left -= n;
		}
	}
	flush(c);
}

static err_t
on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct mcs_conn *c = arg;
	const struct lwip_api *a;

	/* Never NULL: conn_close clears the callbacks before closing. */
	(void)err;
	(void)pcb;
	a = c->s->ns->api;
	if (p == NULL) {	/* the client closed */
		conn_close(c);
		return ERR_OK;
	}
	if (c->nin + p->tot_len > PENDING_MAX) {
		/* More than the window allows: not a TCP peer we can serve. */
		a->pbuf_free(p);
		a->tcp_abort(c->pcb);
		conn_free(c);
		return ERR_ABRT;
	}
	a->pbuf_copy_partial(p, c->in + c->nin, p->tot_len, 0);
	c->nin += p->tot_len;
	c->s->deliveries++;
	a->pbuf_free(p);
	pump(c);
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

static err_t
on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct mc_server *s = arg;
	const struct lwip_api *a = s->ns->api;
	struct mcs_conn *c;

	if (err != ERR_OK || pcb == NULL)
		return ERR_VAL;
	if ((c = calloc(1, sizeof *c)) == NULL ||
	    (c->in = malloc(PENDING_MAX)) == NULL ||
	    (c->mc = mc_conn_new(s->store)) == NULL) {
		if (c != NULL)
			free(c->in);
		free(c);
		a->tcp_abort(pcb);
		return ERR_ABRT;
	}
	c->s = s;
	c->pcb = pcb;
	c->next = s->conns;
	s->conns = c;
	s->connections++;
	a->tcp_arg(pcb, c);
	a->tcp_recv(pcb, on_recv);
	a->tcp_sent(pcb, on_sent);
	a->tcp_err(pcb, on_err);
	return ERR_OK;
}

int
mc_server_start(struct mc_server *s, struct netstack *ns, uint16_t port,
    size_t memory)
{
	const struct lwip_api *a = ns->api;
	const ip_addr_t any = IPADDR4_INIT(0);
	struct tcp_pcb *pcb;

	memset(s, 0, sizeof *s);
	s->ns = ns;
	if ((s->store = mc_store_new(memory, clock_s, NULL)) == NULL)
		return -1;
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
