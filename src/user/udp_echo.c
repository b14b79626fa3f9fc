/* udp_echo.c — see udp_echo.h. */
#include "user/udp_echo.h"

#include "user/netstack.h"

/*
 * sockperf's messages start with a 14-byte header: sequence (8), flags (2),
 * length (4), big-endian. Its own server answers a ping by sending the
 * message back with the client flag (bit 0 of the flags) cleared; so do
 * we. Any other datagram goes back byte for byte.
 *
 * A datagram larger than one frame arrives as IP fragments that lwIP
 * reassembles into a chain of pbufs, one per fragment; the header is read
 * and the flag cleared through the chain, wherever its bytes lie.
 */
static uint8_t *
byte_at(struct pbuf *p, size_t off)
{
	for (; p != NULL; p = p->next) {
		if (off < p->len)
			return (uint8_t *)p->payload + off;
		off -= p->len;
	}
	return NULL;
}

static void
sockperf_reply(struct pbuf *p)
{
	uint8_t *h[14];

	if (p->tot_len < 14)
		return;
	for (size_t i = 0; i < 14; i++)
		if ((h[i] = byte_at(p, i)) == NULL)
			return;
	uint32_t len = (uint32_t)*h[10] << 24 | (uint32_t)*h[11] << 16 |
	    (uint32_t)*h[12] << 8 | *h[13];
	if (len == p->tot_len && (*h[9] & 1))
		*h[9] &= (uint8_t)~1u;
}

static void
echo(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
    u16_t port)
{
	struct udp_echo *e = arg;

	sockperf_reply(p);
	e->datagrams++;
	e->bytes += p->tot_len;
	netstack_udp_csum(e->ns, pcb, p->tot_len);
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
