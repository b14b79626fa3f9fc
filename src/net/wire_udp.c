/*
 * wire_udp.c — one port joined to a peer through UDP datagrams, one raw
 * Ethernet frame (no FCS, no header) per datagram: the format of QEMU's
 * `-netdev dgram` and `-netdev socket,udp=...`, so a capio NIC and a QEMU
 * NIC (or another capio) can share a cable on the loopback interface.
 *
 * Spec: udp:LOCAL,REMOTE, each HOST:PORT with a numeric host (IPv6 in
 * brackets). The socket is bound to LOCAL and sends to REMOTE; only
 * datagrams from REMOTE are taken (anything else is dropped and
 * counted). The carrier is always up: a datagram cable has no far end
 * to lose.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/wire_backend.h"

/* Room for any datagram, so an oversize one is read whole and dropped. */
#define UDP_BUF		65536
#define UDP_EINTR_TRIES	8
#define UDP_ADDR_MAX	128

struct udp {
	int			 fd;
	int			 busy;	/* delivering out of buf */
	struct sockaddr_storage	 remote;
	socklen_t		 remote_len;
	uint8_t			*buf;
};

/* HOST:PORT or [HOST]:PORT, numeric, into SS. 0, or -1 with ERR set. */
static int
udp_addr(const char *spec, const char *what, const char *text, size_t len,
    struct sockaddr_storage *ss, socklen_t *sslen, char *err, size_t errlen)
{
	char buf[UDP_ADDR_MAX], *host, *port, *colon;
	struct addrinfo hints, *res;
	int rc;

	if (len == 0 || len >= sizeof(buf)) {
		snprintf(err, errlen, "%s: bad %s address (expected"
		    " udp:HOST:PORT,HOST:PORT)", spec, what);
		return -1;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	if ((colon = strrchr(buf, ':')) == NULL || colon[1] == '\0') {
		snprintf(err, errlen, "%s: %s address '%s' has no port", spec,
		    what, buf);
		return -1;
	}
	*colon = '\0';
	port = colon + 1;
	host = buf;
	if (host[0] == '[') {
		size_t hl = strlen(host);

		if (hl < 2 || host[hl - 1] != ']') {
			snprintf(err, errlen, "%s: bad %s host '%s'", spec,
			    what, host);
			return -1;
		}
		host[hl - 1] = '\0';
		host++;
	}
	/* getaddrinfo takes any number as a port and wraps it. */
	if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 ||
	    atoi(port) < 1 || atoi(port) > 65535) {
		snprintf(err, errlen, "%s: bad %s port '%s' (1 to 65535)",
		    spec, what, port);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "%s: bad %s address '%s:%s' (numeric"
		    " host and port): %s", spec, what, host, port,
		    gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* Same family, host and port (IPv6 flow labels and scopes aside). */
static bool
same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4, *b4;
	const struct sockaddr_in6 *a6, *b6;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		return a6->sin6_port == b6->sin6_port &&
		    memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof(a6->sin6_addr)) == 0;
	}
	return false;
}

static int
udp_open(struct wire *w, const char *arg, char *err, size_t errlen)
{
	struct sockaddr_storage local;
	socklen_t local_len;
	struct udp *u;
	const char *comma;
	int e;

	if (arg == NULL || (comma = strchr(arg, ',')) == NULL) {
		snprintf(err, errlen, "%s: expected udp:LOCAL,REMOTE (each"
		    " HOST:PORT)", w->name);
		return -1;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL ||
	    (u->buf = malloc(UDP_BUF)) == NULL) {
		free(u);
		snprintf(err, errlen, "%s: out of memory", w->name);
		return -1;
	}
	u->fd = -1;
	if (udp_addr(w->name, "local", arg, (size_t)(comma - arg), &local,
	    &local_len, err, errlen) != 0 ||
	    udp_addr(w->name, "remote", comma + 1, strlen(comma + 1),
	    &u->remote, &u->remote_len, err, errlen) != 0)
		goto fail;
	if (local.ss_family != u->remote.ss_family) {
		snprintf(err, errlen, "%s: local and remote are not the same"
		    " address family", w->name);
		goto fail;
	}
	u->fd = socket(local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (u->fd < 0 || bind(u->fd, (struct sockaddr *)&local,
	    local_len) != 0) {
		e = errno;
		snprintf(err, errlen, "%s: cannot bind the local address: %s",
		    w->name, strerror(e));
		goto fail;
	}
	w->port[0]->carrier = true;
	w->be = u;
	return 0;
fail:
	if (u->fd >= 0)
		close(u->fd);
	free(u->buf);
	free(u);
	return -1;
}

static void
udp_carry(struct wire *w, int from, const uint8_t *frame, size_t len)
{
	struct udp *u = w->be;
	ssize_t n = -1;
	int i;

	(void)from;	/* only port a is on a datagram wire */
	for (i = 0; i < UDP_EINTR_TRIES; i++) {
		n = sendto(u->fd, frame, len, 0, (struct sockaddr *)&u->remote,
		    u->remote_len);
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n == (ssize_t)len)
		wire_crossed(w, WIRE_AB, frame, len);
	else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == ENOBUFS || errno == ECONNREFUSED))
		w->st.dir[WIRE_AB].dropped++;	/* full, or nobody there */
	else
		w->st.dir[WIRE_AB].errors++;
}

static int
udp_poll(struct wire *w, int max)
{
	struct udp *u = w->be;
	struct sockaddr_storage from;
	socklen_t fromlen;
	ssize_t n;
	int taken = 0, tries = 0;

	/* A poll from inside deliver would overwrite the frame in buf. */
	if (u->busy)
		return 0;
	u->busy = 1;
	while (taken < max) {
		fromlen = sizeof(from);
		n = recvfrom(u->fd, u->buf, UDP_BUF, MSG_TRUNC,
		    (struct sockaddr *)&from, &fromlen);
		if (n < 0) {
			if (errno == EINTR && ++tries < UDP_EINTR_TRIES)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != ECONNREFUSED)
				w->st.dir[WIRE_BA].errors++;
			break;
		}
		taken++;
		if (!same_addr(&from, &u->remote) ||
		    n < WIRE_FRAME_MIN || n > WIRE_FRAME_MAX)
			w->st.dir[WIRE_BA].dropped++;
		else
			wire_arrive(w, 0, u->buf, (size_t)n);
	}
	u->busy = 0;
	return taken;
}

static int
udp_fd(const struct wire *w)
{
	const struct udp *u = w->be;

	return u->fd;
}

static void
udp_close(struct wire *w)
{
	struct udp *u = w->be;

	close(u->fd);
	free(u->buf);
	free(u);
}

const struct wire_ops wire_udp_ops = {
	.kind = "udp",
	.nports = 1,
	.open = udp_open,
	.carry = udp_carry,
	.poll = udp_poll,
	.fd = udp_fd,
	.close = udp_close,
};
