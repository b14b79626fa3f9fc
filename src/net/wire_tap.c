/*
 * wire_tap.c — one port joined to a Linux TAP interface: frames the NIC
 * sends go to the host kernel, frames the kernel sends to the interface
 * come back through wire_poll. Plain Ethernet frames (IFF_NO_PI), a
 * non-blocking descriptor, so a poll is bounded work. The carrier follows
 * the host side: a TAP that is not up (ip link set IFNAME up) is a cable
 * nobody plugged in at the far end, and one that is up but not yet
 * running is one whose far end is still starting: until the kernel's link
 * watcher has seen our attach (up to a second later), the kernel throws
 * away whatever it sends out of the interface.
 *
 * Frames carry a virtio-net header both ways (IFF_VNET_HDR), so that a
 * burst of TCP segments the NIC sends can go to the host merged, as its
 * GRO would merge them (tap_gro.h): one write and one wake-up of the
 * receiving process per burst instead of per segment. The wire's
 * counters and its pcap file see every frame as the NIC sent it; only
 * the host's view (tcpdump on the TAP) shows the merged frames. No
 * offloads are asked of the host, so what it sends us is plain frames.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "net/tap_gro.h"
#include "net/wire_backend.h"

#define TUN_PATH	"/dev/net/tun"
/* Read whatever the kernel hands over, even past the wire's limit, so an
 * oversize frame is read whole and dropped rather than split. */
#define TAP_BUF		(TAP_VNET_HDR + 65536 + 256)
#define TAP_EINTR_TRIES	8
/* How often a poll asks the kernel whether the host side is up: a system
 * call each time would cost more than the poll itself. */
#define TAP_CARRIER_NS	(20 * 1000000LL)

struct tap {
	int	 fd;
	int	 ctl;			/* socket for SIOCGIFFLAGS, or -1 */
	char	 ifname[IFNAMSIZ];
	int	 busy;			/* delivering out of buf */
	uint8_t	*buf;
	struct tap_gro gro;		/* segments held to go merged */
	int64_t	 carrier_at;		/* when the carrier was last read */
};

static int64_t
now_coarse_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Is the host's side of the interface up and running (able to send to
 * us)? Unknown counts as up. */
static bool
tap_host_up(const struct tap *t)
{
	struct ifreq ifr;

	if (t->ctl < 0)
		return true;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, t->ifname, sizeof(ifr.ifr_name));
	if (ioctl(t->ctl, SIOCGIFFLAGS, &ifr) != 0)
		return errno != ENODEV;	/* gone: no link */
	return (ifr.ifr_flags & (IFF_UP | IFF_RUNNING)) ==
	    (IFF_UP | IFF_RUNNING);
}

/* The kernel's own rule for interface names (dev_valid_name); one "%d"
 * asks the kernel to pick the next free number, any other '%' is bad. */
static bool
tap_name_ok(const char *name)
{
	const char *c, *pct;

	if (name[0] == '\0' || strlen(name) >= IFNAMSIZ)
		return false;
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	for (c = name; *c != '\0'; c++)
		if (*c == '/' || *c == ':' || *c == ' ' ||
		    (*c >= '\t' && *c <= '\r'))
			return false;
	pct = strchr(name, '%');
	if (pct != NULL && (pct[1] != 'd' || strchr(pct + 1, '%') != NULL))
		return false;
	return true;
}

static const char *
tap_open_hint(int e)
{
	switch (e) {
	case EACCES:
	case EPERM:
		return " (needs CAP_NET_ADMIN)";
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return " (no TUN/TAP support: modprobe tun)";
	default:
		return "";
	}
}

static const char *
tap_attach_hint(int e)
{
	switch (e) {
	case EPERM:
	case EACCES:
		return " (needs CAP_NET_ADMIN, or a TAP made for this user:"
		    " ip tuntap add dev IFNAME mode tap user $USER)";
	case EBUSY:
		return " (another program has it open)";
	case EINVAL:
		return " (an interface of that name exists and is not a"
		    " TAP)";
	default:
		return "";
	}
}

static int
tap_open(struct wire *w, const char *arg, char *err, size_t errlen)
{
	struct ifreq ifr;
	struct tap *t;
	char *name;
	int fd, e;

	if (arg == NULL || arg[0] == '\0') {
		snprintf(err, errlen,
		    "%s: missing interface name (expected tap:IFNAME)",
		    w->name);
		return -1;
	}
	if (!tap_name_ok(arg)) {
		snprintf(err, errlen, "%s: bad interface name (1 to %d bytes,"
		    " no '/', ':', spaces, or '%%' but one %%d)", w->name,
		    IFNAMSIZ - 1);
		return -1;
	}
	fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "%s: cannot open %s: %s%s", w->name,
		    TUN_PATH, strerror(e), tap_open_hint(e));
		return -1;
	}
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, arg, strlen(arg));
	if (ioctl(fd, TUNSETIFF, &ifr) != 0) {
		e = errno;
		close(fd);
		snprintf(err, errlen, "%s: cannot attach to the interface:"
		    " %s%s", w->name, strerror(e), tap_attach_hint(e));
		return -1;
	}
	t = calloc(1, sizeof(*t));
	if (t != NULL && tap_gro_init(&t->gro) == 0)
		t->buf = malloc(TAP_BUF);
	/* The kernel's name, once a "%d" in the request is filled in. */
	ifr.ifr_name[IFNAMSIZ - 1] = '\0';
	name = t != NULL ? malloc(sizeof("tap:") + IFNAMSIZ) : NULL;
	if (name != NULL)
		snprintf(name, sizeof("tap:") + IFNAMSIZ, "tap:%s",
		    ifr.ifr_name);
	if (t == NULL || t->buf == NULL || name == NULL) {
		free(name);
		if (t != NULL) {
			tap_gro_free(&t->gro);
			free(t->buf);
			free(t);
		}
		close(fd);
		snprintf(err, errlen, "%s: out of memory", w->name);
		return -1;
	}
	free(w->name);
	w->name = name;
	t->fd = fd;
	memcpy(t->ifname, ifr.ifr_name, sizeof(t->ifname));
	t->ctl = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	w->port[0]->carrier = tap_host_up(t);
	t->carrier_at = now_coarse_ns();
	w->be = t;
	return 0;
}

/* Write one frame, virtio-net header first. True when the host took it;
 * otherwise its SEGS frames of the NIC are counted lost. */
static bool
tap_write(struct wire *w, const struct iovec *iov, int iovcnt, size_t len,
    unsigned segs)
{
	struct tap *t = w->be;
	ssize_t n = -1;
	int i;

	for (i = 0; i < TAP_EINTR_TRIES; i++) {
		n = writev(t->fd, iov, iovcnt);
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n == (ssize_t)len)
		return true;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == ENOBUFS))
		w->st.dir[WIRE_AB].dropped += segs;	/* host queue full */
	else if (n < 0 && errno == EIO) {
		/* The kernel refuses frames while the interface is down. */
		w->st.dir[WIRE_AB].dropped += segs;
		w->port[0]->carrier = false;
	} else
		w->st.dir[WIRE_AB].errors += segs;
	return false;
}

/* Write one frame as it is. */
static void
tap_write_plain(struct wire *w, const uint8_t *frame, size_t len)
{
	struct iovec iov[2] = {
		{ (void *)tap_vnet_plain, TAP_VNET_HDR },
		{ (void *)frame, len },
	};

	if (tap_write(w, iov, 2, TAP_VNET_HDR + len, 1))
		wire_crossed(w, WIRE_AB, frame, len);
}

/* Send what is held, merged when it is more than one segment. Each
 * segment counts as the NIC sent it, and goes so into the pcap file. */
static void
tap_flush(struct wire *w)
{
	struct tap *t = w->be;
	const uint8_t *f;
	struct iovec iov;
	unsigned i, segs = t->gro.segs;
	size_t len;

	if (segs == 0)
		return;
	iov.iov_base = (void *)tap_gro_merged(&t->gro, &len);
	iov.iov_len = len;
	if (tap_write(w, &iov, 1, len, segs)) {
		if (segs > 1)
			w->st.dir[WIRE_AB].merged += segs;
		for (i = 0; i < segs; i++) {
			if ((f = tap_gro_seg(&t->gro, i, &len)) != NULL)
				wire_crossed(w, WIRE_AB, f, len);
			else {	/* held before a pcap file was asked for */
				w->st.dir[WIRE_AB].frames++;
				w->st.dir[WIRE_AB].bytes += len;
			}
		}
	}
	tap_gro_clear(&t->gro);
}

static void
tap_carry(struct wire *w, int from, const uint8_t *frame, size_t len)
{
	struct tap *t = w->be;
	enum tap_gro_verdict v;

	(void)from;	/* only port a is on a TAP */
	/* Segments are copied as sent only for a pcap file. */
	if (t->gro.keep != (w->rec != NULL)) {
		tap_flush(w);
		t->gro.keep = w->rec != NULL;
	}
	if ((v = tap_gro_offer(&t->gro, frame, len)) == TAP_GRO_HELD)
		return;
	tap_flush(w);
	if (v == TAP_GRO_FLUSH &&
	    tap_gro_offer(&t->gro, frame, len) == TAP_GRO_HELD)
		return;
	tap_write_plain(w, frame, len);
}

static int
tap_poll(struct wire *w, int max)
{
	struct tap *t = w->be;
	ssize_t n;
	int taken = 0, tries = 0;

	/* A poll from inside deliver would overwrite the frame in buf. */
	if (t->busy)
		return 0;
	tap_flush(w);	/* a burst never waits longer than the next poll */
	int64_t now = now_coarse_ns();
	if (now - t->carrier_at >= TAP_CARRIER_NS || !w->port[0]->carrier) {
		w->port[0]->carrier = tap_host_up(t);
		t->carrier_at = now;
	}
	t->busy = 1;
	while (taken < max) {
		n = read(t->fd, t->buf, TAP_BUF);
		if (n < 0) {
			if (errno == EINTR && ++tries < TAP_EINTR_TRIES)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				w->st.dir[WIRE_BA].errors++;
			break;
		}
		if (n == 0)
			break;
		taken++;
		/* No offloads were asked for: a header that says anything
		 * but "plain frame" (or "checksum known good") is a frame
		 * the NIC could not have received as such. */
		n -= TAP_VNET_HDR;
		if (n < 0 || t->buf[1] != 0 || (t->buf[0] & 1) != 0)
			w->st.dir[WIRE_BA].dropped++;
		/* Short frames (under 60) go to the NIC as they are. */
		else if (n < WIRE_FRAME_MIN || n > WIRE_FRAME_MAX)
			w->st.dir[WIRE_BA].dropped++;
		else
			wire_arrive(w, 0, t->buf + TAP_VNET_HDR, (size_t)n);
	}
	t->busy = 0;
	return taken;
}

static int
tap_fd(const struct wire *w)
{
	const struct tap *t = w->be;

	return t->fd;
}

static void
tap_close(struct wire *w)
{
	struct tap *t = w->be;

	tap_flush(w);
	close(t->fd);
	if (t->ctl >= 0)
		close(t->ctl);
	tap_gro_free(&t->gro);
	free(t->buf);
	free(t);
}

const struct wire_ops wire_tap_ops = {
	.kind = "tap",
	.nports = 1,
	.open = tap_open,
	.carry = tap_carry,
	.flush = tap_flush,
	.poll = tap_poll,
	.fd = tap_fd,
	.close = tap_close,
};
