/* netdev.c — the two frame paths behind one interface (netdev.h). */
#include "user/netdev.h"

#include <errno.h>
#include <string.h>

#include "machine/cpu.h"
#include "user/libcapio.h"

static int
udrv_tx(struct netdev *nd, const struct udrv_frame *f)
{
	return udrv_tx_queue(nd->drv, f, 1);
}

static void
udrv_flush(struct netdev *nd)
{
	udrv_tx_flush(nd->drv);
}

static int
udrv_rx(struct netdev *nd, struct udrv_frame *f, int n)
{
	return udrv_rx_burst(nd->drv, f, n);
}

void
netdev_from_udrv(struct netdev *nd, struct udrv *d)
{
	memset(nd, 0, sizeof *nd);
	memcpy(nd->mac, d->mac, 6);
	nd->drv = d;
	nd->dev = d->dev;
	nd->tx = udrv_tx;
	nd->flush = udrv_flush;
	nd->csum_offload = true;
	nd->rx = udrv_rx;
}

/* One system call per frame each way, and a copy through the kernel. */
static int
kern_tx(struct netdev *nd, const struct udrv_frame *f)
{
	stbytes(nd->txbuf, 0, f->data, f->len);
	return sys_send(nd->dev, nd->token, nd->txbuf, f->len) == f->len;
}

static int
kern_rx(struct netdev *nd, struct udrv_frame *f, int n)
{
	int got = 0;

	while (got < n) {
		uint64_t flen;
		int64_t r = sys_recv(nd->dev, nd->token, nd->rxbuf, 2048,
		    &flen);

		if (r < 0)
			break;
		f[got].len = (uint16_t)(r < f[got].size ? r : f[got].size);
		f[got].l4_csum_good = false;	/* no status comes through */
		ldbytes(nd->rxbuf, 0, f[got].data, f[got].len);
		got++;
	}
	return got;
}

int
netdev_from_kernel(struct netdev *nd, int dev, const uint8_t mac[6])
{
	cap_t identity;
	int err;

	memset(nd, 0, sizeof *nd);
	memcpy(nd->mac, mac, 6);
	nd->dev = dev;
	nd->tx = kern_tx;
	nd->rx = kern_rx;
	if ((err = sys_mmap(4096, &identity)) != 0 ||
	    (err = capio_attach_kernel_path(dev, identity, &nd->token)) != 0 ||
	    (err = sys_mmap(2048, &nd->txbuf)) != 0 ||
	    (err = sys_mmap(2048, &nd->rxbuf)) != 0)
		return err;
	return 0;
}
