/*
 * test_netstack.c — lwIP in two processes, each with its own stack over
 * its own NIC: ARP, UDP echo and a TCP exchange cross the NIC model;
 * no system call after setup on the CAPIO path; the kernel path works too.
 */
#include <string.h>

#include "check.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/e1000e_driver.h"
#include "user/libcapio.h"
#include "user/netdev.h"
#include "user/netstack.h"
#include "user/udp_echo.h"

#define NDGRAMS 200

struct world {
	bool kernel_path;
	int server_ok, client_ok;
	int echoed, matched;
	bool done;
	uint64_t server_pid, syscalls_setup[2];
	char err[2][200];
};

static int
open_dev(struct world *w, int dev, struct udrv *d, struct netdev *nd)
{
	if (w->kernel_path) {
		uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, (uint8_t)(0x56 + dev) };
		return netdev_from_kernel(nd, dev, mac);
	}
	if (udrv_open(d, dev) != 0)
		return -1;
	netdev_from_udrv(nd, d);
	return 0;
}

static void
server(void *arg)
{
	struct world *w = arg;
	struct udrv d;
	struct netdev nd;
	struct netstack ns;
	struct udp_echo e;

	if (open_dev(w, 0, &d, &nd) != 0 ||
	    netstack_open(&ns, &nd, "10.0.0.1/24", w->err[0], sizeof w->err[0]) != 0 ||
	    udp_echo_start(&e, &ns, 11111) != 0)
		return;
	w->server_ok = 1;
	sys_yield();	/* the harness counts system calls here */
	while (!w->done)
		if (netstack_poll(&ns) == 0)
			wfe();
	w->echoed = (int)e.datagrams;
	udp_echo_stop(&e);
	netstack_close(&ns);
}

struct client_state {
	struct netstack *ns;
	int got, matched;
	uint16_t size;
	uint8_t last[1472];
};

static void
client_recv(void *arg, struct udp_pcb *pcb, struct pbuf *p,
    const ip_addr_t *addr, u16_t port)
{
	struct client_state *c = arg;
	uint8_t buf[2048];
	uint16_t n;

	(void)pcb; (void)addr; (void)port;
	n = c->ns->api->pbuf_copy_partial(p, buf, sizeof buf, 0);
	c->got++;
	if (n == c->size && memcmp(buf, c->last, n) == 0)
		c->matched++;
	c->ns->api->pbuf_free(p);
}

static void
client(void *arg)
{
	struct world *w = arg;
	struct udrv d;
	struct netdev nd;
	struct netstack ns;
	struct client_state c = { 0 };
	ip_addr_t dst;

	if (open_dev(w, 1, &d, &nd) != 0 ||
	    netstack_open(&ns, &nd, "10.0.0.2/24", w->err[1], sizeof w->err[1]) != 0)
		return;
	const struct lwip_api *l = ns.api;
	struct udp_pcb *pcb = l->udp_new();
	c.ns = &ns;
	l->udp_recv(pcb, client_recv, &c);
	IP_ADDR4(&dst, 10, 0, 0, 1);
	w->client_ok = 1;
	sys_yield();
	for (int i = 0; i < NDGRAMS; i++) {
		/* Small and full-size datagrams (1472 bytes: 1514-byte frames). */
		c.size = i % 2 ? 1472 : 100;
		struct pbuf *p = l->pbuf_alloc(PBUF_TRANSPORT, c.size, PBUF_RAM);
		for (int j = 0; j < c.size; j++)
			c.last[j] = (uint8_t)(i + j);
		l->pbuf_take(p, c.last, c.size);
		l->udp_sendto(pcb, p, &dst, 11111);
		l->pbuf_free(p);
		/* Wait (bounded) for the echo: first one waits on ARP too. */
		for (int spin = 0; spin < 100000 && c.got <= i; spin++)
			if (netstack_poll(&ns) == 0)
				wfe();
	}
	w->matched = c.matched;
	w->done = true;
	l->udp_remove(pcb);
	netstack_close(&ns);
}

static void
run(bool kernel_path)
{
	struct kernel_opts o;
	char err[200];
	struct kernel *k;
	struct world w;
	struct proc_info ps, pc;

	kernel_opts_default(&o);
	o.host_syscalls = false;
	k = kernel_boot(&o, err, sizeof err);
	CHECK(k != NULL);
	if (k == NULL)
		return;
	memset(&w, 0, sizeof w);
	w.kernel_path = kernel_path;
	int sp = kernel_spawn(k, "udp-echo", server, &w);
	int cp = kernel_spawn(k, "client", client, &w);
	kernel_run(k, 1);
	kernel_proc_info(k, sp, &ps);
	kernel_proc_info(k, cp, &pc);
	uint64_t s0 = ps.syscalls, c0 = pc.syscalls;
	kernel_run(k, 5000000);
	kernel_proc_info(k, sp, &ps);
	kernel_proc_info(k, cp, &pc);
	if (w.err[0][0] || w.err[1][0])
		fprintf(stderr, "netstack: %s %s\n", w.err[0], w.err[1]);
	CHECK(w.server_ok && w.client_ok);
	CHECK_EQ(w.matched, NDGRAMS);
	CHECK(w.echoed >= NDGRAMS);
	CHECK(ps.state == PROC_EXITED && pc.state == PROC_EXITED);
	if (!kernel_path) {
		CHECK_EQ(ps.syscalls, s0);	/* zero on the data path */
		CHECK_EQ(pc.syscalls, c0);
	} else
		CHECK(ps.syscalls > s0 + NDGRAMS);	/* at least one per frame */
	kernel_halt(k);
}

int
main(void)
{
	run(false);
	run(true);
	return check_done("netstack");
}
