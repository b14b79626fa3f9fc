/* udp_echo.c — see udp_echo.h. */
#include "user/udp_echo.h"

#include "user/netstack.h"

static void
echo(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr,
    u16_t port)
{
	struct udp_echo *e = arg;

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
