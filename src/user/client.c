/*
 * client.c — see client.h. One request in flight at a time; latency is
 * the host's monotonic clock around each exchange.
 */
#include "user/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "machine/cpu.h"
#include "user/e1000e_driver.h"
#include "user/libcapio.h"
#include "user/netdev.h"
#include "user/netstack.h"

#define WAIT_POLLS	2000000		/* per exchange, then a timeout */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct link {
	struct udrv d;
	struct netdev nd;
	struct netstack ns;
};

static int
link_open(struct client_cfg *c, struct link *l)
{
	int err;

	if (c->kernel_path)
		err = netdev_from_kernel(&l->nd, c->dev, c->mac);
	else if ((err = udrv_open(&l->d, c->dev)) == 0)
		netdev_from_udrv(&l->nd, &l->d);
	if (err != 0) {
		snprintf(c->err, sizeof c->err, "cannot open NIC %d: %s", c->dev,
		    capio_strerror(err));
		return -1;
	}
	if (netstack_open(&l->ns, &l->nd, c->cidr, c->err, sizeof c->err) != 0) {
		/* All or nothing: the caller closes only what opened. */
		if (!c->kernel_path)
			udrv_close(&l->d);
		return -1;
	}
	l->ns.csum_offload = c->csum_offload;
	return 0;
}

/* The workload is over: let the harness read the counters first. */
static void
finish(struct client_cfg *c)
{
	c->finished = true;
	while (c->hold)
		wfe();
}

static void
link_close(struct client_cfg *c, struct link *l)
{
	netstack_close(&l->ns);
	if (!c->kernel_path)
		udrv_close(&l->d);
}

/* --- UDP ping-pong --------------------------------------------------- */

struct udp_state {
	struct netstack *ns;
	uint8_t *want;
	uint32_t size;
	bool answered, matched;
};

static void
udp_answer(void *arg, struct udp_pcb *pcb, struct pbuf *p,
    const ip_addr_t *addr, u16_t port)
{
	struct udp_state *u = arg;
	uint8_t buf[2048];
	uint16_t n;

	(void)pcb; (void)addr; (void)port;
	n = u->ns->api->pbuf_copy_partial(p, buf, sizeof buf, 0);
	u->answered = true;
	u->matched = n == u->size && memcmp(buf, u->want, n) == 0;
	u->ns->api->pbuf_free(p);
}

void
udp_client_main(void *arg)
{
	struct client_cfg *c = arg;
	struct link *l = calloc(1, sizeof *l);
	struct udp_state u = { 0 };
	ip_addr_t dst;
	uint8_t *payload;

	/* sys_exit does not return: each failure frees what it holds first. */
	if (l == NULL || c->size == 0 || c->size > 1472 ||
	    (payload = malloc(c->size)) == NULL) {
		snprintf(c->err, sizeof c->err, "bad payload size or no memory");
		free(l);
		sys_exit(1);
	}
	if (link_open(c, l) != 0) {
		free(payload);
		free(l);
		sys_exit(1);
	}
	if (l->ns.api->ip4addr_aton(c->server, ip_2_ip4(&dst)) == 0) {
		snprintf(c->err, sizeof c->err, "bad server address");
		link_close(c, l);
		free(payload);
		free(l);
		sys_exit(1);
	}
	const struct lwip_api *a = l->ns.api;
	struct udp_pcb *pcb = a->udp_new();
	u.ns = &l->ns;
	u.want = payload;
	u.size = c->size;
	a->udp_recv(pcb, udp_answer, &u);
	c->ready = true;
	sys_yield();
	while (c->start_hold)
		wfe();
	for (uint32_t i = 0; i < c->ops; i++) {
		struct pbuf *p = a->pbuf_alloc(PBUF_TRANSPORT, (u16_t)c->size, PBUF_RAM);
		uint64_t t0;

		for (uint32_t j = 0; j < c->size; j++)
			payload[j] = (uint8_t)(i * 31 + j);
		if (p == NULL) {
			c->failed++;
			continue;
		}
		a->pbuf_take(p, payload, (u16_t)c->size);
		u.answered = false;
		t0 = now_ns();
		netstack_udp_csum(&l->ns, pcb, c->size);
		a->udp_sendto(pcb, p, &dst, c->port);
		a->pbuf_free(p);
		netstack_flush(&l->ns);
		for (int w = 0; w < WAIT_POLLS && !u.answered; w++)
			if (netstack_poll(&l->ns) == 0)
				wfe();
		if (c->lat_ns != NULL)
			c->lat_ns[i] = now_ns() - t0;
		c->done++;
		if (!u.answered)
			c->timeouts++;
		else if (u.matched)
			c->verified++;
		else
			c->failed++;
	}
	finish(c);
	a->udp_remove(pcb);
	link_close(c, l);
	free(payload);
	free(l);
}

/* --- memcached workload ---------------------------------------------- */

#define RX_MAX	(64 * 1024)

struct mc_state {
	struct netstack *ns;
	struct tcp_pcb *pcb;
	bool connected, failed;
	uint8_t rx[RX_MAX];
	size_t rxlen;
};

static err_t
mc_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct mc_state *m = arg;

	(void)err;
	if (p == NULL) {
		m->failed = true;	/* the server closed */
		return ERR_OK;
	}
	if (m->rxlen + p->tot_len > RX_MAX)
		m->failed = true;
	else {
		m->ns->api->pbuf_copy_partial(p, m->rx + m->rxlen, p->tot_len, 0);
		m->rxlen += p->tot_len;
	}
	m->ns->api->tcp_recved(pcb, p->tot_len);
	m->ns->api->pbuf_free(p);
	return ERR_OK;
}

static void
mc_err(void *arg, err_t err)
{
	struct mc_state *m = arg;

	(void)err;
	m->failed = true;
	m->pcb = NULL;	/* lwIP freed it */
}

static err_t
mc_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
	struct mc_state *m = arg;

	(void)pcb;
	m->connected = err == ERR_OK;
	return ERR_OK;
}

static void
fill_value(uint8_t *v, uint32_t size, uint32_t key, uint32_t version)
{
	for (uint32_t i = 0; i < size; i++)
		v[i] = (uint8_t)('a' + (key * 7 + version * 13 + i) % 26);
}

/* Length of one complete reply at the start of rx, or 0 if incomplete. */
static size_t
reply_len(const uint8_t *rx, size_t n, bool is_get)
{
	const uint8_t *end;

	if (!is_get) {
		end = memchr(rx, '\n', n);
		return end ? (size_t)(end - rx) + 1 : 0;
	}
	/* "END\r\n", or "VALUE k f b\r\n<b bytes>\r\nEND\r\n" */
	if (n >= 5 && memcmp(rx, "END\r\n", 5) == 0)
		return 5;
	end = memchr(rx, '\n', n);
	if (end == NULL)
		return 0;
	unsigned long bytes = 0;
	char hdr[128];
	size_t hl = (size_t)(end - rx);
	if (hl >= sizeof hdr)
		return hl + 1;	/* malformed: let the caller fail it */
	memcpy(hdr, rx, hl);
	hdr[hl] = '\0';
	if (sscanf(hdr, "VALUE %*s %*u %lu", &bytes) != 1)
		return hl + 1;
	size_t total = hl + 1 + bytes + 2 + 5;
	return n >= total ? total : 0;
}

void
mc_client_main(void *arg)
{
	struct client_cfg *c = arg;
	struct link *l = calloc(1, sizeof *l);
	struct mc_state *m = calloc(1, sizeof *m);
	uint32_t *version = calloc(c->keys ? c->keys : 1, sizeof *version);
	uint8_t *val = malloc(c->size + 1), *req = malloc(c->size + 256);
	ip_addr_t dst;

	/* sys_exit does not return: a failure frees what it holds first. */
	if (l == NULL || m == NULL || version == NULL || val == NULL ||
	    req == NULL || c->keys == 0 || c->size == 0 || c->size > 60000) {
		snprintf(c->err, sizeof c->err, "bad workload or no memory");
		goto fail;
	}
	if (link_open(c, l) != 0)
		goto fail;
	if (l->ns.api->ip4addr_aton(c->server, ip_2_ip4(&dst)) == 0) {
		snprintf(c->err, sizeof c->err, "bad server address");
		goto fail_link;
	}
	const struct lwip_api *a = l->ns.api;
	m->ns = &l->ns;
	if ((m->pcb = a->tcp_new()) == NULL) {
		snprintf(c->err, sizeof c->err, "lwIP has no memory for a connection");
		goto fail_link;
	}
	a->tcp_arg(m->pcb, m);
	a->tcp_recv(m->pcb, mc_recv);
	a->tcp_err(m->pcb, mc_err);
	a->tcp_connect(m->pcb, &dst, c->port, mc_connected);
	for (int w = 0; w < WAIT_POLLS && !m->connected && !m->failed; w++)
		if (netstack_poll(&l->ns) == 0)
			wfe();
	if (!m->connected) {
		snprintf(c->err, sizeof c->err, "cannot connect to %s:%u",
		    c->server, c->port);
		if (m->pcb != NULL)
			a->tcp_abort(m->pcb);	/* mc_err clears m->pcb */
		goto fail_link;
	}
	c->ready = true;
	sys_yield();
	while (c->start_hold)
		wfe();
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (uint32_t i = 0; i < c->ops && !m->failed; i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t key = (uint32_t)(seed >> 33) % c->keys;
		bool is_set = (uint32_t)(seed >> 20) % 100 < c->set_percent;
		int len;
		uint64_t t0;

		if (is_set) {
			version[key]++;
			fill_value(val, c->size, key, version[key]);
			len = snprintf((char *)req, 256, "set key:%u 0 0 %u\r\n", key, c->size);
			memcpy(req + len, val, c->size);
			memcpy(req + len + c->size, "\r\n", 2);
			len += (int)c->size + 2;
		} else
			len = snprintf((char *)req, 256, "get key:%u\r\n", key);
		m->rxlen = 0;
		t0 = now_ns();
		if (a->tcp_write(m->pcb, req, (u16_t)len, TCP_WRITE_FLAG_COPY) != ERR_OK) {
			c->failed++;
			break;
		}
		a->tcp_output(m->pcb);
		netstack_flush(&l->ns);
		size_t rl = 0;
		for (int w = 0; w < WAIT_POLLS && !m->failed; w++) {
			if ((rl = reply_len(m->rx, m->rxlen, !is_set)) != 0)
				break;
			if (netstack_poll(&l->ns) == 0)
				wfe();
		}
		if (c->lat_ns != NULL)
			c->lat_ns[i] = now_ns() - t0;
		if (c->is_set != NULL)
			c->is_set[i] = is_set;
		c->done++;
		if (rl == 0) {
			c->timeouts++;
			break;
		}
		/* Check the reply against the model. */
		bool ok;
		if (is_set)
			ok = rl == 8 && memcmp(m->rx, "STORED\r\n", 8) == 0;
		else if (version[key] == 0)
			ok = rl == 5 && memcmp(m->rx, "END\r\n", 5) == 0;
		else {
			char hdr[64];
			int hl = snprintf(hdr, sizeof hdr, "VALUE key:%u 0 %u\r\n", key, c->size);
			fill_value(val, c->size, key, version[key]);
			ok = rl == (size_t)hl + c->size + 7 &&
			    memcmp(m->rx, hdr, (size_t)hl) == 0 &&
			    memcmp(m->rx + hl, val, c->size) == 0 &&
			    memcmp(m->rx + hl + c->size, "\r\nEND\r\n", 7) == 0;
		}
		if (ok)
			c->verified++;
		else
			c->failed++;
	}
	finish(c);
	if (m->pcb != NULL)
		a->tcp_close(m->pcb);
	for (int w = 0; w < 1000; w++)
		if (netstack_poll(&l->ns) == 0)
			wfe();
	link_close(c, l);
	free(version);
	free(val);
	free(req);
	free(m);
	free(l);
	return;
fail_link:
	link_close(c, l);
fail:
	free(version);
	free(val);
	free(req);
	free(m);
	free(l);
	sys_exit(1);
}
