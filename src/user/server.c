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
#include "user/nbd_disk.h"
#include "user/nbd_server.h"
#include "user/netdev.h"
#include "user/netstack.h"
#include "user/nvme_driver.h"
#include "user/udp_echo.h"

/* NBD's storage: the NVMe unit and the window on its namespace. */
/*
 * The export's storage: the NVMe unit through the user-level driver, or
 * with kernel_path through the kernel's block calls, as the NIC.
 */
static int
nbd_storage(struct server_cfg *c, struct nvdrv *nv, struct nbd_kpath *kp,
    struct nbd_disk *disk, struct nbd_export *ex)
{
	uint64_t nblocks, all;
	int err;

	err = c->kernel_path ? nbd_kpath_open(kp, c->nvme_dev, c->nvme_unit) :
	    nvdrv_open(nv, c->nvme_dev, c->nvme_unit);
	if (err != 0) {
		snprintf(c->err, sizeof c->err, "cannot open NVMe unit %u of "
		    "device %d%s: %s", c->nvme_unit, c->nvme_dev,
		    c->kernel_path ? " for the kernel path" : "",
		    capio_strerror(err));
		return -1;
	}
	all = c->kernel_path ? kp->nblocks : nv->nblocks;
	nblocks = c->nblocks != 0 ? c->nblocks :
	    all > c->first_lba ? all - c->first_lba : 0;
	if (nbd_disk_init(disk, c->kernel_path ? NULL : nv, kp, c->first_lba,
	    nblocks) != 0 || nblocks == 0) {
		snprintf(c->err, sizeof c->err, "blocks %llu..+%llu are not a "
		    "window of the namespace (%llu blocks)",
		    (unsigned long long)c->first_lba,
		    (unsigned long long)nblocks, (unsigned long long)all);
		if (c->kernel_path)
			nbd_kpath_close(kp);
		else
			nvdrv_close(nv);
		return -1;
	}
	memset(ex, 0, sizeof *ex);
	ex->name = c->export_name;
	ex->description = "CAPIO NVMe queue pair";
	ex->size = nbd_disk_size(disk);
	ex->ops = &nbd_disk_ops;
	ex->disk = disk;
	return 0;
}

void
server_main(void *arg)
{
	struct server_cfg *c = arg;
	struct udrv d;
	struct netdev nd;
	struct netstack ns;
	struct udp_echo echo;
	struct mc_server mc;
	struct nvdrv nv;
	struct nbd_kpath kp;
	struct nbd_disk disk;
	struct nbd_export ex;
	struct nbd_server nbd;
	int err;

	if (c->app == APP_NBD && nbd_storage(c, &nv, &kp, &disk, &ex) != 0)
		sys_exit(1);
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
	ns.csum_offload = c->csum_offload;
	if (c->app == APP_UDP_ECHO)
		err = udp_echo_start(&echo, &ns, c->port);
	else if (c->app == APP_NBD)
		err = nbd_server_open(&nbd, &ns, c->port, &ex);
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
		bool did = false;

		c->st.rx_frames = ns.st.rx_frames;
		c->st.tx_frames = ns.st.tx_frames;
		c->st.syn_refused = ns.st.rx_syn_refused;
		c->st.csum_offloaded = ns.st.tx_csum_offloaded;
		c->st.csum_trusted = ns.st.rx_csum_trusted;
		if (c->app == APP_UDP_ECHO)
			c->st.datagrams = echo.datagrams;
		else if (c->app == APP_NBD) {
			/* Bounded work per pass (nbd_conn.h); yield after it
			 * so the wire and the other processes run. */
			did = nbd_server_poll(&nbd);
			nbd_server_stats(&nbd, &c->st.nbd);
			c->st.connections = nbd.connections;
			c->st.nbd_refused = nbd.refused;
			c->st.nvme_errors = disk.nvme_errors;
		} else {
			c->st.connections = mc.connections;
			c->st.deliveries = mc.deliveries;
			c->st.rejected = mc.rejected;
			c->st.idle_kicks = mc.idle_kicks;
		}
		if (n == 0 || did)
			wfe();
	}
	if (c->app == APP_UDP_ECHO)
		udp_echo_stop(&echo);
	else if (c->app == APP_NBD)
		nbd_server_stop(&nbd);
	else
		mc_server_stop(&mc);
	netstack_close(&ns);
	if (!c->kernel_path)
		udrv_close(&d);
	if (c->app == APP_NBD) {
		/* What was written is in the file once the queue is gone:
		 * a last Flush, then goodbye. */
		(void)nbd_disk_ops.flush(&disk);
		if (c->kernel_path)
			nbd_kpath_close(&kp);
		else
			nvdrv_close(&nv);
	}
}
