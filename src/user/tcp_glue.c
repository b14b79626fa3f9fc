/* tcp_glue.c — see tcp_glue.h. */
#include "user/tcp_glue.h"

#include "user/netstack.h"

void
tcp_glue_detach(const struct lwip_api *a, struct tcp_pcb *pcb)
{
	a->tcp_arg(pcb, NULL);
	a->tcp_recv(pcb, NULL);
	a->tcp_sent(pcb, NULL);
	a->tcp_err(pcb, NULL);
	a->tcp_poll(pcb, NULL, 0);
}

void
tcp_glue_recved(const struct lwip_api *a, struct tcp_pcb *pcb, size_t n)
{
	while (n > 0) {
		u16_t k = n > 0xffff ? 0xffff : (u16_t)n;

		a->tcp_recved(pcb, k);
		n -= k;
	}
}
