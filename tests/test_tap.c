/*
 * test_tap.c — the TAP wire against the real host kernel, inside a
 * private network namespace (10.77.0.0/24 exists only there; nothing
 * leaves it). A fake NIC at 10.77.0.2 asks the kernel (10.77.0.1) for its
 * MAC by ARP and gets the answer; the kernel sends it a UDP datagram and
 * receives one from it; the pcap of the run holds those frames.
 *
 *   test_tap                    needs root: makes its own namespace and
 *                               TAP; exits 77 (skip) when it cannot
 *   test_tap --existing IFNAME  use a TAP the caller set up (e2e_tap.sh),
 *                               already holding 10.77.0.1/24 and up
 */
#include <pcap/pcap.h>

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "net/wire.h"

#define SKIP		77
#define HOST_IP		"10.77.0.1"
#define NIC_IP		"10.77.0.2"
#define UDP_TO_NIC	7777
#define UDP_FROM_NIC	7778
#define UDP_HOST_PORT	7779
#define WAIT_MS		3000

static const uint8_t nic_mac[6] = { 0x02, 0x00, 0x00, 0x77, 0x00, 0x02 };
static const char to_nic_msg[] = "capio: host to NIC over TAP";
static const char to_host_msg[] = "capio: NIC to host over TAP";

struct fake_nic {
	struct netport	port;
	uint32_t	host_ip, nic_ip;
	bool		arp_reply;	/* the kernel answered our request */
	size_t		arp_reply_len;
	uint8_t		host_mac[6];
	bool		udp_in;		/* the kernel's datagram arrived */
	uint64_t	got;
	int		arp_answered;	/* kernel's requests we answered */
};

static uint16_t
get16(const uint8_t *p)
{
	return ((uint16_t)(p[0] << 8 | p[1]));
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An ARP packet (60 bytes with padding) in F. */
static size_t
make_arp(uint8_t *f, int op, const uint8_t *dst_mac, const uint8_t *sha,
    uint32_t spa, const uint8_t *tha, uint32_t tpa)
{
	memset(f, 0, 60);
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, sha, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);		/* Ethernet */
	put16(f + 16, 0x0800);		/* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, (uint16_t)op);
	memcpy(f + 22, sha, 6);
	memcpy(f + 28, &spa, 4);
	memcpy(f + 32, tha, 6);
	memcpy(f + 38, &tpa, 4);
	return (60);
}

static uint16_t
ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ((uint16_t)~sum);
}

/* A UDP/IPv4 frame from the NIC to the host; UDP checksum 0 (none). */
static size_t
make_udp(uint8_t *f, const uint8_t *host_mac, uint32_t src, uint32_t dst,
    const char *msg)
{
	size_t n = strlen(msg), len = 14 + 20 + 8 + n;

	memset(f, 0, len < 60 ? 60 : len);
	memcpy(f, host_mac, 6);
	memcpy(f + 6, nic_mac, 6);
	put16(f + 12, 0x0800);
	f[14] = 0x45;
	put16(f + 16, (uint16_t)(20 + 8 + n));
	f[22] = 64;			/* TTL */
	f[23] = 17;			/* UDP */
	memcpy(f + 26, &src, 4);
	memcpy(f + 30, &dst, 4);
	put16(f + 24, ip_checksum(f + 14, 20));
	put16(f + 34, UDP_FROM_NIC);
	put16(f + 36, UDP_HOST_PORT);
	put16(f + 38, (uint16_t)(8 + n));
	memcpy(f + 42, msg, n);
	return (len < 60 ? 60 : len);
}

static bool
nic_deliver(void *arg, const uint8_t *f, size_t len)
{
	struct fake_nic *n = arg;
	uint8_t reply[60];
	uint32_t spa, tpa;

	n->got++;
	if (len >= 42 && get16(f + 12) == 0x0806 && get16(f + 14) == 1 &&
	    get16(f + 16) == 0x0800) {
		memcpy(&spa, f + 28, 4);
		memcpy(&tpa, f + 38, 4);
		if (get16(f + 20) == 2 && spa == n->host_ip &&
		    tpa == n->nic_ip && memcmp(f, nic_mac, 6) == 0 &&
		    memcmp(f + 32, nic_mac, 6) == 0) {
			n->arp_reply = true;
			n->arp_reply_len = len;
			memcpy(n->host_mac, f + 22, 6);
		}
		/* The kernel asking for us: answer from inside deliver. */
		if (get16(f + 20) == 1 && tpa == n->nic_ip) {
			make_arp(reply, 2, f + 22, nic_mac, n->nic_ip, f + 22,
			    spa);
			n->port.xmit(n->port.wire, reply, sizeof(reply));
			n->arp_answered++;
		}
		return (true);
	}
	if (len >= 42 && get16(f + 12) == 0x0800 && f[14] == 0x45 &&
	    f[23] == 17 && memcmp(f, nic_mac, 6) == 0 &&
	    get16(f + 36) == UDP_TO_NIC &&
	    len >= 42 + sizeof(to_nic_msg) - 1 &&
	    memcmp(f + 42, to_nic_msg, sizeof(to_nic_msg) - 1) == 0)
		n->udp_in = true;
	return (true);
}

static int
elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((int)((t.tv_sec - t0->tv_sec) * 1000 +
	    (t.tv_nsec - t0->tv_nsec) / 1000000));
}

static bool
wait_for_ms(struct wire *w, const bool *flag, int limit)
{
	struct pollfd pfd = { .fd = wire_fd(w), .events = POLLIN };
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!*flag && elapsed_ms(&t0) < limit) {
		if (poll(&pfd, 1, 100) > 0)
			wire_poll(w, 64);
	}
	return (*flag);
}

/* Poll the wire until *FLAG is set or WAIT_MS is up. */
static bool
wait_for(struct wire *w, const bool *flag)
{
	return (wait_for_ms(w, flag, WAIT_MS));
}

/*
 * Wait for the carrier, as a driver waits for link-up before sending: on
 * a TAP that was already up, the kernel starts sending out of it only
 * once its link watcher has seen us attach (up to a second later, longer
 * when other interfaces changed just before), and the wire's carrier
 * follows that. Returns how long it took, or -1.
 */
static int
wait_carrier(struct wire *w, const struct netport *p)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ms(&t0) < WAIT_MS) {
		wire_poll(w, 64);
		if (p->carrier)
			return (elapsed_ms(&t0));
		poll(NULL, 0, 10);
	}
	return (-1);
}

static int
set_addr(int s, const char *ifname, unsigned long req, const char *ip)
{
	struct sockaddr_in *sin;
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	sin = (struct sockaddr_in *)(void *)&ifr.ifr_addr;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, ip, &sin->sin_addr);
	return (ioctl(s, req, &ifr));
}

/* What `ip addr add 10.77.0.1/24 dev IF; ip link set IF up` does. */
static bool
configure_host_side(const char *ifname)
{
	struct ifreq ifr;
	int s, ok;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return (false);
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ok = set_addr(s, ifname, SIOCSIFADDR, HOST_IP) == 0 &&
	    set_addr(s, ifname, SIOCSIFNETMASK, "255.255.255.0") == 0 &&
	    ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
	if (ok) {
		ifr.ifr_flags |= IFF_UP;
		ok = ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
	}
	if (!ok)
		perror("test_tap: configuring the TAP");
	close(s);
	return (ok);
}

static int
udp_socket(uint16_t port)
{
	struct sockaddr_in sin;
	struct timeval tv = { .tv_sec = WAIT_MS / 1000 };
	int s;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return (-1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	inet_pton(AF_INET, HOST_IP, &sin.sin_addr);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(s, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		perror("test_tap: bind");
		close(s);
		return (-1);
	}
	return (s);
}

/* The pcap of the run holds our ARP request and the kernel's reply. */
static void
check_pcap(const char *path, const struct wire_stats *st)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	pcap_t *p;
	int n = 0, req = 0, rep = 0, udp = 0;

	p = pcap_open_offline(path, errbuf);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	while (pcap_next_ex(p, &h, &d) == 1) {
		n++;
		if (h->caplen < 42)
			continue;
		if (get16(d + 12) == 0x0806 && get16(d + 20) == 1 &&
		    memcmp(d + 6, nic_mac, 6) == 0)
			req++;
		if (get16(d + 12) == 0x0806 && get16(d + 20) == 2 &&
		    memcmp(d, nic_mac, 6) == 0)
			rep++;
		if (get16(d + 12) == 0x0800 && d[23] == 17)
			udp++;
	}
	pcap_close(p);
	CHECK_EQ((uint64_t)n, st->dir[WIRE_AB].frames + st->dir[WIRE_BA].frames);
	CHECK(req >= 1);
	CHECK(rep >= 1);
	CHECK(udp >= 2);
}

static void
traffic(const char *spec, bool configure)
{
	struct fake_nic n;
	struct wire_stats st;
	struct sockaddr_in to;
	struct wire *w, *w2;
	uint8_t f[128];
	char err[256], path[64], buf[128], dir[] = "/tmp/capio-tap-XXXXXX";
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t zero[6];
	size_t len;
	ssize_t got;
	int s_in, s_out, ms, tries;

	memset(&n, 0, sizeof(n));
	n.port.deliver = nic_deliver;
	n.port.nic = &n;
	inet_pton(AF_INET, HOST_IP, &n.host_ip);
	inet_pton(AF_INET, NIC_IP, &n.nic_ip);
	w = wire_open(spec, &n.port, NULL, err, sizeof(err));
	CHECK(w != NULL);
	if (w == NULL) {
		fprintf(stderr, "test_tap: %s\n", err);
		return;
	}
	printf("test_tap: on %s\n", wire_name(w));
	/* The carrier follows the host side: a fresh TAP is down. */
	if (configure)
		CHECK(!n.port.carrier);
	CHECK(wire_fd(w) >= 0);
	/* One TAP, one owner. */
	w2 = wire_open(wire_name(w), &(struct netport){ 0 }, NULL, err,
	    sizeof(err));
	CHECK(w2 == NULL);
	CHECK(strstr(err, "another program has it open") != NULL);
	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		wire_close(w);
		return;
	}
	snprintf(path, sizeof(path), "%s/tap.pcap", dir);
	CHECK_EQ(wire_record(w, path, err, sizeof(err)), 0);
	if (configure) {
		/* Down: the kernel takes nothing; the frame is lost. */
		memset(f, 0xff, 60);
		n.port.xmit(n.port.wire, f, 60);
		wire_get_stats(w, &st);
		CHECK_EQ(st.dir[WIRE_AB].dropped, 1);
		CHECK_EQ(st.dir[WIRE_AB].frames, 0);
		CHECK(!n.port.carrier);
		CHECK(configure_host_side(wire_name(w) + 4));
	}
	ms = wait_carrier(w, &n.port);
	CHECK(ms >= 0);
	printf("test_tap: carrier up after %d ms\n", ms);

	/* NIC -> kernel -> NIC: ARP who-has 10.77.0.1 tell 10.77.0.2. */
	/* Asked again each second, as a resolver does: a link that has
	 * just come up may still lose the kernel's first answer. */
	len = make_arp(f, 1, bcast, nic_mac, n.nic_ip, zero, n.host_ip);
	for (tries = 0; tries < 3 && !n.arp_reply; tries++) {
		n.port.xmit(n.port.wire, f, len);
		wait_for_ms(w, &n.arp_reply, WAIT_MS / 3);
	}
	CHECK(n.arp_reply);
	printf("test_tap: ARP answered after %d request(s)\n", tries);
	/* The kernel's 42-byte reply reaches the NIC unpadded. */
	CHECK_EQ(n.arp_reply_len, 42);

	/* Kernel -> NIC: a datagram to 10.77.0.2. */
	s_in = udp_socket(UDP_HOST_PORT);
	s_out = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHECK(s_in >= 0 && s_out >= 0);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_port = htons(UDP_TO_NIC);
	to.sin_addr.s_addr = n.nic_ip;
	CHECK(sendto(s_out, to_nic_msg, sizeof(to_nic_msg) - 1, 0,
	    (struct sockaddr *)&to, sizeof(to)) > 0);
	CHECK(wait_for(w, &n.udp_in));

	/* NIC -> kernel: a datagram to 10.77.0.1, read by a host socket. */
	if (n.arp_reply && s_in >= 0) {
		len = make_udp(f, n.host_mac, n.nic_ip, n.host_ip,
		    to_host_msg);
		n.port.xmit(n.port.wire, f, len);
		got = recv(s_in, buf, sizeof(buf), 0);
		CHECK_EQ(got, sizeof(to_host_msg) - 1);
		CHECK(got > 0 && memcmp(buf, to_host_msg, (size_t)got) == 0);
	}
	if (s_in >= 0)
		close(s_in);
	if (s_out >= 0)
		close(s_out);

	/* Oversize and undersize frames stay on this side. */
	n.port.xmit(n.port.wire, f, 13);
	wire_get_stats(w, &st);
	CHECK(st.dir[WIRE_AB].frames >= 2);
	CHECK(st.dir[WIRE_BA].frames >= 2);
	CHECK_EQ(st.dir[WIRE_AB].dropped, configure ? 2 : 1);
	CHECK_EQ(st.dir[WIRE_AB].errors + st.dir[WIRE_BA].errors, 0);
	CHECK_EQ(st.dir[WIRE_BA].frames, n.got);
	CHECK_EQ(st.pcap_frames,
	    st.dir[WIRE_AB].frames + st.dir[WIRE_BA].frames);
	printf("test_tap: to host %" PRIu64 " frames, from host %" PRIu64
	    " frames, answered %d ARP requests\n", st.dir[WIRE_AB].frames,
	    st.dir[WIRE_BA].frames, n.arp_answered);
	CHECK_EQ(wire_close(w), 0);
	CHECK(!n.port.carrier && n.port.xmit == NULL);
	check_pcap(path, &st);
	unlink(path);
	rmdir(dir);
}

/* Without CAP_NET_ADMIN the error says so (in a child that drops root). */
static void
permission_error(void)
{
	struct netport p;
	char err[256];
	pid_t pid;
	int status;

	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		memset(&p, 0, sizeof(p));
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 ||
		    setuid(65534) != 0)
			_exit(3);
		if (wire_open("tap:capio-perm", &p, NULL, err,
		    sizeof(err)) != NULL)
			_exit(4);
		printf("test_tap: as nobody: %s\n", err);
		fflush(stdout);
		_exit(strncmp(err, "tap:capio-perm: ", 16) == 0 &&
		    strstr(err, "needs CAP_NET_ADMIN") != NULL ? 0 : 5);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
}

/* Only lo and (optionally) the TAP IFNAME: a namespace with no way out. */
static bool
netns_is_sealed(const char *ifname)
{
	struct if_nameindex *ifs, *i;
	bool ok = true;

	ifs = if_nameindex();
	if (ifs == NULL)
		return (false);
	for (i = ifs; i->if_index != 0; i++)
		if (strcmp(i->if_name, "lo") != 0 &&
		    (ifname == NULL || strcmp(i->if_name, ifname) != 0))
			ok = false;
	if_freenameindex(ifs);
	return (ok);
}

static ino_t
netns_inode(void)
{
	struct stat st;

	return (stat("/proc/self/ns/net", &st) == 0 ? st.st_ino : 0);
}

int
main(int argc, char **argv)
{
	char spec[64];
	struct netport p = { 0 };
	ino_t host_ns;
	char err[256];

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && strcmp(argv[1], "--existing") == 0) {
		/* Never touch the host's own interfaces. */
		if (!netns_is_sealed(argv[2])) {
			fprintf(stderr, "test_tap: --existing must run inside"
			    " a network namespace holding only lo and %s"
			    " (ip netns exec)\n", argv[2]);
			return (1);
		}
		snprintf(spec, sizeof(spec), "tap:%s", argv[2]);
		traffic(spec, false);
		return (check_done("test_tap"));
	}
	if (argc != 1) {
		fprintf(stderr, "usage: test_tap [--existing IFNAME]\n");
		return (2);
	}
	if (geteuid() != 0) {
		printf("test_tap: SKIP: needs root (a private network"
		    " namespace and a TAP)\n");
		return (SKIP);
	}
	if (access("/dev/net/tun", R_OK | W_OK) != 0) {
		printf("test_tap: SKIP: no /dev/net/tun\n");
		return (SKIP);
	}
	host_ns = netns_inode();
	if (unshare(CLONE_NEWNET) != 0) {
		printf("test_tap: SKIP: cannot make a network namespace:"
		    " %s\n", strerror(errno));
		return (SKIP);
	}
	/* From here on everything lives and dies in our own namespace. */
	if (host_ns == 0 || netns_inode() == host_ns ||
	    !netns_is_sealed(NULL)) {
		fprintf(stderr, "test_tap: not in a private namespace\n");
		return (1);
	}
	permission_error();
	/* A name that exists and is not a TAP. */
	CHECK(wire_open("tap:lo", &p, NULL, err, sizeof(err)) == NULL);
	CHECK(strstr(err, "tap:lo: cannot attach to the interface") != NULL);
	CHECK(strstr(err, "is not a TAP") != NULL);
	CHECK(p.xmit == NULL && !p.carrier);
	traffic("tap:capio-t%d", true);
	return (check_done("test_tap"));
}
