/*
 * server.c — see server.h. The loop polls the stack; when there is
 * nothing to do it waits for an event (wfe), which is no system call.
 */
#include "user/server.h"

#include <stdio.h>
#include <string.h>

#include "machine/cpu.h"
#include "user/e1000e_driver.h"
#include "user/libcapio.h"
#include "user/memcached_server.h"
#include "user/netdev.h"
#include "user/netstack.h"
#include "user/udp_echo.h"

void
server_main(void *arg)
{
	struct server_cfg *c = arg;
	struct udrv d;
	struct netdev nd;
	struct netstack ns;
	struct udp_echo echo;
	struct mc_server mc;
	int err;

	if (c->kernel_path)
		err = netdev_from_kernel(&nd, c->dev, c->mac);
	else if ((err = udrv_open(&d, c->dev)) == 0)
		netdev_from_udrv(&nd, &d);
	if (err != 0) {
		snprintf(c->err, sizeof c->err, "cannot open NIC %d: %s", c->dev,
		    capio_strerror(err));
		sys_exit(1);
	}
	/* sys_exit does not return: a failure closes what it opened first. */
	if (netstack_open(&ns, &nd, c->cidr, c->err, sizeof c->err) != 0) {
		if (!c->kernel_path)
			udrv_close(&d);
		sys_exit(1);
	}
	ns.unfiltered = c->unfiltered;
	if (c->app == APP_UDP_ECHO)
		err = udp_echo_start(&echo, &ns, c->port);
	else {
		struct mc_settings set = c->mc_set;

		if (set.memory_limit == 0) {	/* not filled in: defaults */
			mc_settings_default(&set);
			if (c->mc_memory != 0)
				set.memory_limit = c->mc_memory;
		}
		err = mc_server_open(&mc, &ns, c->port, &set, NULL, NULL);
	}
	if (err != 0) {
		snprintf(c->err, sizeof c->err, "cannot listen on port %u", c->port);
		netstack_close(&ns);
		if (!c->kernel_path)
			udrv_close(&d);
		sys_exit(1);
	}
	c->ready = true;
	sys_yield();	/* the last system call before serving */
	while (!c->stop) {
		int n = netstack_poll(&ns);

		c->st.rx_frames = ns.st.rx_frames;
		c->st.tx_frames = ns.st.tx_frames;
		c->st.syn_refused = ns.st.rx_syn_refused;
		if (c->app == APP_UDP_ECHO)
			c->st.datagrams = echo.datagrams;
		else {
			c->st.connections = mc.connections;
			c->st.deliveries = mc.deliveries;
			c->st.rejected = mc.rejected;
			c->st.idle_kicks = mc.idle_kicks;
		}
		if (n == 0)
			wfe();
	}
	if (c->app == APP_UDP_ECHO)
		udp_echo_stop(&echo);
	else
		mc_server_stop(&mc);
	netstack_close(&ns);
	if (!c->kernel_path)
		udrv_close(&d);
}
