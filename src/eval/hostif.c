/* hostif.c — see hostif.h. Plain ioctls, no external tools. */
#include "eval/hostif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "user/netstack.h"

static int
set_addr(int s, const char *ifname, unsigned long req, uint32_t be,
    char *err, size_t errlen)
{
	struct ifreq ifr;
	struct sockaddr_in sin;

	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = be;
	memcpy(&ifr.ifr_addr, &sin, sizeof sin);
	if (ioctl(s, req, &ifr) != 0) {
		snprintf(err, errlen, "%s: cannot set address: %s%s", ifname,
		    strerror(errno), errno == EPERM ?
		    " (needs CAP_NET_ADMIN: run as root)" : "");
		return -1;
	}
	return 0;
}

int
hostif_configure(const char *ifname, const char *cidr, char *err, size_t errlen)
{
	uint32_t addr, mask;
	struct ifreq ifr;
	int s, rc = -1;

	if (netstack_parse_cidr(cidr, &addr, &mask) != 0) {
		snprintf(err, errlen, "bad host address '%s' (expected a.b.c.d/len)", cidr);
		return -1;
	}
	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (set_addr(s, ifname, SIOCSIFADDR, addr, err, errlen) != 0 ||
	    set_addr(s, ifname, SIOCSIFNETMASK, mask, err, errlen) != 0)
		goto out;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0) {
		snprintf(err, errlen, "%s: %s", ifname, strerror(errno));
		goto out;
	}
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) != 0) {
		snprintf(err, errlen, "%s: cannot bring it up: %s", ifname,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(s);
	return rc;
}
