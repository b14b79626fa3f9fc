/* udp_echo.c — see udp_echo.h. */
#include "user/udp_echo.h"

#include "user/netstack.h"

/*
 * sockperf's messages start with a 14-byte header: sequence (8), flags (2),
 * length (4), big-endian. Its own server answers a ping by sending the
 * message back with the client flag (bit 0 of the flags) cleared; so do
 * we. Any other datagram goes back byte for byte.
 */
static void
sockperf_reply(struct pbuf *p)
{
	uint8_t *m = p->payload;

	if (p->len < 14 || p->len != p->tot_len)
		return;
	uint32_t len = (uint32_t)m[10] << 24 | (uint32_t)m[11] << 16 |
	    (uint32_t)m[12] << 8 | m[13];
	if (len == p->tot_len && (m[9] & 1))
		m[9] &= (uint8_t)~1u;
}

static void
echo(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
    u16_t port)
{
	struct udp_echo *e = arg;

	sockperf_reply(p);
	e->datagrams++;
	e->bytes += p->tot_len;
	if (e->ns->api->udp_sendto(pcb, p, addr, port) != ERR_OK)
		e->failures++;
	e->ns->api->pbuf_free(p);
}

int
udp_echo_start(struct udp_echo *e, struct netstack *ns, uint16_t port)
{
	const struct lwip_api *l = ns->api;
	/* Not IP4_ADDR_ANY: that names a global of lwIP's, and each process
	 * has its own copy of lwIP. */
	const ip_addr_t any = IPADDR4_INIT(0);

	e->ns = ns;
	e->datagrams = e->bytes = e->failures = 0;
	if ((e->pcb = l->udp_new()) == NULL)
		return -1;
	if (l->udp_bind(e->pcb, &any, port) != ERR_OK) {
		l->udp_remove(e->pcb);
		e->pcb = NULL;
		return -1;
	}
	l->udp_recv(e->pcb, echo, e);
	return 0;
}

void
udp_echo_stop(struct udp_echo *e)
{
	if (e->pcb != NULL)
		e->ns->api->udp_remove(e->pcb);
	e->pcb = NULL;
}
