/*
 * netstack.c — one private lwIP per process, glued to a netdev.
 */
#include "user/netstack.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lwip/etharp.h"
#include "lwip/timeouts.h"
#include "machine/cpu.h"
#include "user/inet.h"
#include "user/netdev.h"

#ifndef CAPIO_LWIP_SO
#define CAPIO_LWIP_SO "liblwip.so.0"
#endif

#define RX_BURST	32
#define FRAME_ROOM	2048
#define ETH_HLEN	14
#define TX_RETRIES	256

/*
 * Copy the shared object into FD and load it from there. Each copy must
 * have a name no loaded object has (dlopen hands back an object already
 * loaded under the same name, globals and all), so a memfd stays open for
 * the life of its copy: its /proc/self/fd/N name is never reused.
 */
static void *
load_copy(int fd, const char *name, char *err, size_t errlen)
{
	char buf[65536];
	ssize_t n;
	int in;
	void *h;

	if ((in = open(CAPIO_LWIP_SO, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot open %s: %s (install liblwip-dev)",
		    CAPIO_LWIP_SO, strerror(errno));
		return NULL;
	}
	while ((n = read(in, buf, sizeof buf)) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	close(in);
	if (n < 0) {
		snprintf(err, errlen, "cannot copy %s to %s: %s", CAPIO_LWIP_SO,
		    name, strerror(errno));
		return NULL;
	}
	if ((h = dlopen(name, RTLD_NOW | RTLD_LOCAL)) == NULL)
		snprintf(err, errlen, "cannot load lwIP from %s: %s", name,
		    dlerror());
	return h;
}

/*
 * A fresh copy of lwIP, so that this process has globals of its own. The
 * copy lives in anonymous memory (memfd); where the host refuses that
 * (no memfd, or memfd mappings not executable), in $TMPDIR (default
 * /tmp), unlinked once loaded.
 */
static void *
load_private_copy(char *err, size_t errlen)
{
	char path[4096], merr[512];
	const char *dir;
	int fd;
	void *h;

	merr[0] = '\0';
	if ((fd = memfd_create("capio-lwip", MFD_CLOEXEC)) >= 0) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		if ((h = load_copy(fd, path, merr, sizeof merr)) != NULL)
			return h;	/* fd stays open: see load_copy */
		close(fd);
	} else
		snprintf(merr, sizeof merr, "memfd_create: %s", strerror(errno));
	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	if ((size_t)snprintf(path, sizeof path, "%s/capio-lwip-XXXXXX", dir) >=
	    sizeof path) {
		snprintf(err, errlen, "TMPDIR is too long");
		return NULL;
	}
	if ((fd = mkstemp(path)) < 0) {
		snprintf(err, errlen, "cannot load a private lwIP (%s), nor "
		    "create %s: %s; set TMPDIR to a writable directory on a "
		    "filesystem mounted with exec", merr, path, strerror(errno));
		return NULL;
	}
	h = load_copy(fd, path, err, errlen);
	close(fd);
	unlink(path);	/* the mapping stays; the name is not needed */
	if (h == NULL) {
		char why[512];

		snprintf(why, sizeof why, "%s", err);
		snprintf(err, errlen, "cannot load a private lwIP (%s; %s); set "
		    "TMPDIR to a writable directory on a filesystem mounted with "
		    "exec", merr, why);
	}
	return h;
}

/*
 * --- copies used again ----------------------------------------------------
 *
 * A copy costs a memfd, about 250 KB of mappings and a dlopen, and is
 * never unloaded (see netstack_close), so a machine booted per fuzzer
 * input, or a server started again and again, would pile copies up. A
 * stack closed cleanly gives its copy back instead: netstack_close frees
 * what lwIP still holds, and the next netstack_open puts the copy's
 * writable data (every global lwIP has) back to the bytes dlopen left,
 * so it starts as a fresh copy does. A killed process's copy is never
 * given back: its lwIP may have stopped anywhere.
 */
#define POOL_MAX	16

struct lwip_copy {
	void *handle;
	uint8_t *data;			/* lwIP's writable data, after RELRO */
	uint8_t *fresh;			/* its bytes as dlopen left them */
	size_t len;
	struct sys_timeo **timeouts;	/* lwIP's list of timers, once found */
};

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lwip_copy *pool[POOL_MAX];
static int npool;

struct find_data {
	uintptr_t base, start, end;
};

static int
find_data_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct find_data *fd = arg;
	uintptr_t relro = 0;

	(void)size;
	if (info->dlpi_addr != fd->base)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_W) != 0) {
			fd->start = fd->base + ph->p_vaddr;
			fd->end = fd->start + ph->p_memsz;
		} else if (ph->p_type == PT_GNU_RELRO)
			relro = fd->base + ph->p_vaddr + ph->p_memsz;
	}
	/* RELRO is read-only once relocated, and never changes after. */
	relro = (relro + 4095) & ~(uintptr_t)4095;
	if (relro > fd->start)
		fd->start = relro < fd->end ? relro : fd->end;
	return 1;
}

/* Note where h's writable data is and what it holds now; NULL if not
 * found (the copy is then simply never given back). */
static struct lwip_copy *
copy_note(void *h)
{
	struct link_map *lm;
	struct find_data fd = { 0, 0, 0 };
	struct lwip_copy *c;

	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0)
		return NULL;
	fd.base = lm->l_addr;
	if (dl_iterate_phdr(find_data_cb, &fd) == 0 || fd.end <= fd.start)
		return NULL;
	if ((c = calloc(1, sizeof *c)) == NULL)
		return NULL;
	c->handle = h;
	c->data = (uint8_t *)fd.start;
	c->len = fd.end - fd.start;
	if ((c->fresh = malloc(c->len)) == NULL) {
		free(c);
		return NULL;
	}
	memcpy(c->fresh, c->data, c->len);
	return c;
}

static void
timeout_marker(void *arg)
{
	(void)arg;
}

/*
 * lwIP's list of timers is a static of timeouts.c, so its entries would
 * be lost when the data is put back. Where it is: the one word of the
 * data that a timer due at once (so first in the list) changes. Not
 * found (more than one word changed): the copy is never given back.
 */
static void
copy_find_timeouts(struct lwip_copy *c)
{
	void (*add)(u32_t, sys_timeout_handler, void *);
	void (*del)(sys_timeout_handler, void *);
	uint8_t *before;
	size_t found = 0, at = 0;

	*(void **)&add = dlsym(c->handle, "sys_timeout");
	*(void **)&del = dlsym(c->handle, "sys_untimeout");
	if (add == NULL || del == NULL || (before = malloc(c->len)) == NULL)
		return;
	memcpy(before, c->data, c->len);
	add(0, timeout_marker, c);
	for (size_t off = 0; off + sizeof(void *) <= c->len;
	    off += sizeof(void *))
		if (memcmp(before + off, c->data + off, sizeof(void *)) != 0) {
			found++;
			at = off;
		}
	del(timeout_marker, c);
	if (found == 1 && memcmp(before, c->data, c->len) == 0)
		c->timeouts = (struct sys_timeo **)(void *)(c->data + at);
	free(before);
}

/* A copy given back, its globals as new; or NULL. */
static struct lwip_copy *
copy_take(void)
{
	struct lwip_copy *c = NULL;

	pthread_mutex_lock(&pool_lock);
	if (npool > 0)
		c = pool[--npool];
	pthread_mutex_unlock(&pool_lock);
	if (c != NULL)
		memcpy(c->data, c->fresh, c->len);
	return c;
}

static bool
copy_give(struct lwip_copy *c)
{
	bool kept = false;

	pthread_mutex_lock(&pool_lock);
	if (npool < POOL_MAX) {
		pool[npool++] = c;
		kept = true;
	}
	pthread_mutex_unlock(&pool_lock);
	return kept;
}

#define BIND(name) do {							\
	*(void **)&t->name = dlsym(h, #name);				\
	if (t->name == NULL) {						\
		snprintf(err, errlen, "lwIP lacks %s", #name);		\
		return -1;						\
	}								\
} while (0)

static int
bind_api(void *h, struct lwip_api *t, char *err, size_t errlen)
{
	BIND(pbuf_alloc); BIND(pbuf_free); BIND(pbuf_copy_partial); BIND(pbuf_take);
	BIND(udp_new); BIND(udp_bind); BIND(udp_recv); BIND(udp_sendto);
	BIND(udp_remove); BIND(tcp_new); BIND(tcp_bind);
	BIND(tcp_listen_with_backlog); BIND(tcp_accept); BIND(tcp_connect);
	BIND(tcp_arg); BIND(tcp_recv); BIND(tcp_sent); BIND(tcp_err);
	BIND(tcp_poll); BIND(tcp_write); BIND(tcp_output); BIND(tcp_recved);
	BIND(tcp_close); BIND(tcp_abort); BIND(ip4addr_aton); BIND(lwip_init);
	BIND(sys_check_timeouts); BIND(netif_add); BIND(netif_set_default);
	BIND(netif_set_up); BIND(netif_set_link_up); BIND(ethernet_input);
	BIND(etharp_output);
	BIND(tcp_active_pcbs); BIND(tcp_tw_pcbs);
	return 0;
}

/*
 * The offset of the UDP header of an Ethernet frame carrying a whole
 * (unfragmented) UDP datagram over IPv4, or 0.
 */
static size_t
udp4_at(const uint8_t *f, size_t len)
{
	const uint8_t *ip = f + ETH_HLEN;
	size_t ihl, l4;

	if (len < ETH_HLEN + 20 + 8 || inet_get16(f + 12) != 0x0800 ||
	    (ip[0] >> 4) != 4 || ip[9] != 17 ||
	    (inet_get16(ip + 6) & 0x3fff) != 0)	/* MF, or an offset */
		return 0;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	l4 = ETH_HLEN + ihl;
	if (ihl < 20 || l4 + 8 > len ||
	    ETH_HLEN + (size_t)inet_get16(ip + 2) > len ||
	    inet_get16(f + l4 + 4) < 8 ||
	    l4 + (size_t)inet_get16(f + l4 + 4) > len)
		return 0;
	return l4;
}

/* UDP checksums go to the NIC: asked for, and the path passes them. */
static bool
offloading(const struct netstack *ns)
{
	return ns->csum_offload && ns->nd->csum_offload;
}

/*
 * A UDP datagram lwIP sent without a checksum (netstack_udp_csum asked
 * it to): put the pseudo-header sum in the field and ask the NIC to add
 * the header and payload to it (82574L datasheet §7.2.10.1), which is
 * how drivers hand a checksum to these NICs.
 */
static void
tx_csum_request(struct netstack *ns, uint8_t *f, struct udrv_frame *out)
{
	size_t l4;
	uint16_t ulen;

	if (!offloading(ns) || (l4 = udp4_at(f, out->len)) == 0 ||
	    l4 + 6 > 0xFF || inet_get16(f + l4 + 6) != 0)
		return;
	ulen = inet_get16(f + l4 + 4);
	/* The NIC sums to the end of the frame: no bytes past the datagram. */
	if (l4 + ulen != out->len)
		return;
	inet_put16(f + l4 + 6, inet_fold(inet_sum(f + ETH_HLEN + 12, 8,
	    17u + ulen)));
	out->csum_start = (uint8_t)l4;
	out->csum_at = (uint8_t)(l4 + 6);
	ns->st.tx_csum_offloaded++;
}

/*
 * A received UDP datagram over IPv4 whose checksum the NIC found good:
 * lwIP is told there is none to check (RFC 768: 0, "no checksum").
 */
static void
rx_csum_trust(struct netstack *ns, struct udrv_frame *f)
{
	size_t l4;

	if (!ns->csum_offload || !f->l4_csum_good ||
	    (l4 = udp4_at(f->data, f->len)) == 0)
		return;
	inet_put16((uint8_t *)f->data + l4 + 6, 0);
	ns->st.rx_csum_trusted++;
}

void
netstack_udp_csum(struct netstack *ns, struct udp_pcb *pcb, size_t len)
{
	/* One frame: the MTU less the IPv4 and UDP headers. */
	if (offloading(ns) && len <= ns->netif.mtu - 28u)
		pcb->flags |= UDP_FLAGS_NOCHKSUM;
	else
		pcb->flags &= (u8_t)~UDP_FLAGS_NOCHKSUM;
}

/* lwIP hands us a frame to put on the wire. */
static err_t
linkoutput(struct netif *netif, struct pbuf *p)
{
	struct netstack *ns = netif->state;
	uint8_t frame[FRAME_ROOM];
	struct udrv_frame f = { .data = frame, .len = p->tot_len };

	if (f.len > sizeof frame) {
		ns->st.tx_dropped++;
		return ERR_BUF;
	}
	ns->api->pbuf_copy_partial(p, frame, f.len, 0);
	tx_csum_request(ns, frame, &f);
	for (int i = 0; i < TX_RETRIES; i++) {
		if (ns->nd->tx(ns->nd, &f) == 1) {
			ns->st.tx_frames++;
			return ERR_OK;
		}
		netstack_flush(ns);
		wfe();	/* ring full: let the device's peer run */
	}
	ns->st.tx_dropped++;
	return ERR_MEM;
}

static err_t
netif_setup(struct netif *netif)
{
	struct netstack *ns = netif->state;

	netif->name[0] = 'c';
	netif->name[1] = 'e';
	netif->hwaddr_len = 6;
	memcpy(netif->hwaddr, ns->nd->mac, 6);
	netif->mtu = 1500;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP |
	    NETIF_FLAG_ETHERNET;
	netif->output = ns->api->etharp_output;
	netif->linkoutput = linkoutput;
	return ERR_OK;
}

int
netstack_parse_cidr(const char *s, uint32_t *addr_be, uint32_t *mask_be)
{
	unsigned a, b, c, d, len;
	char tail;

	if (sscanf(s, "%u.%u.%u.%u/%u%c", &a, &b, &c, &d, &len, &tail) != 5 ||
	    a > 255 || b > 255 || c > 255 || d > 255 || len < 1 || len > 32)
		return -1;
	uint32_t host = a << 24 | b << 16 | c << 8 | d;
	uint32_t mask = len == 32 ? 0xffffffffu : ~(0xffffffffu >> len);
	*addr_be = __builtin_bswap32(host);
	*mask_be = __builtin_bswap32(mask);
	return 0;
}

int
netstack_open(struct netstack *ns, struct netdev *nd, const char *cidr,
    char *err, size_t errlen)
{
	uint32_t a, m;
	ip4_addr_t gw;

	memset(ns, 0, sizeof *ns);
	if (netstack_parse_cidr(cidr, &a, &m) != 0) {
		snprintf(err, errlen, "bad address '%s' (expected a.b.c.d/len)", cidr);
		return -1;
	}
	if ((ns->room = malloc(RX_BURST * FRAME_ROOM)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if ((ns->copy = copy_take()) != NULL)
		ns->handle = ns->copy->handle;
	else if ((ns->handle = load_private_copy(err, errlen)) == NULL)
		goto fail;
	else
		ns->copy = copy_note(ns->handle);	/* before lwip_init */
	if (bind_api(ns->handle, &ns->table, err, errlen) != 0)
		goto fail;
	ns->api = &ns->table;
	ns->nd = nd;
	ns->addr.addr = a;
	ns->mask.addr = m;
	gw.addr = 0;
	ns->api->lwip_init();
	if (ns->copy != NULL && ns->copy->timeouts == NULL)
		copy_find_timeouts(ns->copy);
	if (ns->api->netif_add(&ns->netif, &ns->addr, &ns->mask, &gw, ns,
	    netif_setup, ns->api->ethernet_input) == NULL) {
		snprintf(err, errlen, "lwIP refused the interface");
		goto fail;
	}
	ns->api->netif_set_default(&ns->netif);
	ns->api->netif_set_up(&ns->netif);
	ns->api->netif_set_link_up(&ns->netif);
	return 0;
fail:
	free(ns->room);
	ns->room = NULL;
	return -1;
}

/*
 * --- what lwIP is not shown as it came -----------------------------------
 *
 * Debian's lwIP 2.1.3 reads the MSS option of every segment of a
 * connection (tcp_parseopt, from tcp_process), not only of its SYN. An
 * MSS that shrinks under data already queued (a zero window holds a
 * reply back) makes the next tcp_write fail its assertions ("mss_local
 * is too small", "inconsistent oversize vs. space"): abort(). MSS is a
 * SYN option (RFC 9293, 3.7.1), so elsewhere it is overwritten with NOPs
 * before lwIP parses it. A SYN's MSS is raised to 536 at least: lwIP's
 * active opens start from 536 (INITIAL_MSS), so no later MSS ever
 * shrinks what they queued, and a peer cannot make every byte of a
 * reply a segment of its own. The option could hide in a later IPv4
 * fragment, which lwIP would reassemble: TCP in fragments is refused
 * (TCP sizes its segments not to fragment). And the stack has no IPv6
 * address: IPv6 frames are refused before lwIP's IPv6 code sees them.
 */

#define TCP_HLEN	20
#define TCP_FLAG_SYN	0x02
#define TCPOPT_EOL	0
#define TCPOPT_NOP	1
#define TCPOPT_MSS	2

/* One's-complement sum of the 16-bit words of tcp[from, to). */
static uint16_t
sum16(const uint8_t *tcp, size_t from, size_t to)
{
	uint32_t s = 0;

	for (size_t i = from; i < to; i += 2)
		s += inet_get16(tcp + i);
	return inet_fold(s);
}

/*
 * Replace tcp[off, off + n) (inside the header) with b, and update the
 * checksum incrementally (RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m'),
 * over the words the bytes fall in).
 */
static void
tcp_patch(uint8_t *tcp, size_t off, const uint8_t *b, size_t n)
{
	size_t from = off & ~(size_t)1, to = (off + n + 1) & ~(size_t)1;
	uint16_t m = sum16(tcp, from, to), m2, hc;

	memcpy(tcp + off, b, n);
	m2 = sum16(tcp, from, to);
	hc = inet_get16(tcp + 16);
	hc = (uint16_t)~inet_fold((uint32_t)(uint16_t)~hc + (uint16_t)~m + m2);
	tcp[16] = (uint8_t)(hc >> 8);
	tcp[17] = (uint8_t)hc;
}

/* Walk the options as tcp_parseopt does, and defuse every MSS it would
 * take. Returns how many were rewritten. */
static int
tcp_filter_options(uint8_t *tcp, size_t hlen)
{
	static const uint8_t nops[4] = { TCPOPT_NOP, TCPOPT_NOP, TCPOPT_NOP,
	    TCPOPT_NOP };
	bool syn = (tcp[13] & TCP_FLAG_SYN) != 0;
	int n = 0;

	for (size_t i = TCP_HLEN; i < hlen; ) {
		uint8_t kind = tcp[i], len;

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= hlen || (len = tcp[i + 1]) < 2)
			break;		/* lwIP stops here too */
		if (kind == TCPOPT_MSS && len == 4 && i + 4 <= hlen) {
			if (!syn) {
				tcp_patch(tcp, i, nops, 4);
				n++;
			} else if (inet_get16(tcp + i + 2) < NETSTACK_MSS_MIN) {
				uint8_t v[2] = { NETSTACK_MSS_MIN >> 8,
				    NETSTACK_MSS_MIN & 0xff };

				tcp_patch(tcp, i + 2, v, 2);
				n++;
			}
		}
		i += len;
	}
	return n;
}

int
netstack_rx_filter(struct netstack_stats *st, uint8_t *frame, uint16_t len)
{
	uint8_t *ip, *tcp;
	size_t ihl, iplen, hlen;
	uint16_t type;

	if (len < ETH_HLEN)
		return 0;	/* lwIP drops runts itself */
	type = inet_get16(frame + 12);
	if (type == 0x86dd) {
		st->rx_refused++;
		return -1;
	}
	if (type != 0x0800 || len < ETH_HLEN + 20)
		return 0;
	ip = frame + ETH_HLEN;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	iplen = inet_get16(ip + 2);
	if ((ip[0] >> 4) != 4 || ihl < 20 || ip[9] != 6)
		return 0;	/* not IPv4 TCP: lwIP judges */
	if ((inet_get16(ip + 6) & 0x3fff) != 0) {	/* MF, or an offset */
		st->rx_refused++;
		return -1;
	}
	if (iplen > (size_t)len - ETH_HLEN)
		iplen = (size_t)len - ETH_HLEN;
	if (iplen < ihl + TCP_HLEN)
		return 0;
	tcp = ip + ihl;
	hlen = (size_t)(tcp[12] >> 4) * 4;
	if (hlen <= TCP_HLEN || hlen > iplen - ihl)
		return 0;	/* no options, or malformed: lwIP drops it */
	st->rx_mss_rewrites += (uint64_t)tcp_filter_options(tcp, hlen);
	return 0;
}

/* A TCP segment opening a connection (SYN without ACK), IPv4. */
static bool
is_syn(const uint8_t *frame, uint16_t len)
{
	const uint8_t *ip = frame + ETH_HLEN;
	size_t ihl;

	if (len < ETH_HLEN + 20 || inet_get16(frame + 12) != 0x0800 ||
	    (ip[0] >> 4) != 4 || ip[9] != 6)
		return false;
	ihl = (size_t)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || (size_t)len < ETH_HLEN + ihl + TCP_HLEN)
		return false;
	return (ip[ihl + 13] & 0x12) == 0x02;
}

/*
 * A SYN for the 4-tuple of a connection lwIP holds in TIME_WAIT, with a
 * sequence number beyond all the old connection received: the TIME_WAIT
 * pcb is dropped so the listener takes the SYN (RFC 1122, 4.2.2.13;
 * RFC 6191). lwIP 2.1.3 would answer it with an ACK for the old
 * connection and ignore the peer's RST to that, so a client reusing its
 * port (memcached clients closing with quit, at a high rate) hangs until
 * the 2 MSL are over. tcp_abort on a TIME_WAIT pcb frees it, sending
 * nothing and calling nothing. Returns whether one was dropped.
 */
static bool
tw_reuse(struct netstack *ns, const uint8_t *frame)
{
	const uint8_t *ip = frame + ETH_HLEN, *tcp;
	uint32_t src, dst, seq;
	uint16_t sport, dport;

	tcp = ip + (size_t)(ip[0] & 0x0f) * 4;	/* is_syn checked it */
	memcpy(&src, ip + 12, 4);
	memcpy(&dst, ip + 16, 4);
	sport = inet_get16(tcp);
	dport = inet_get16(tcp + 2);
	seq = (uint32_t)inet_get16(tcp + 4) << 16 | inet_get16(tcp + 6);
	for (struct tcp_pcb *p = *ns->api->tcp_tw_pcbs; p != NULL; p = p->next) {
		if (p->local_port != dport || p->remote_port != sport ||
		    !IP_IS_V4(&p->local_ip) ||
		    ip4_addr_get_u32(ip_2_ip4(&p->local_ip)) != dst ||
		    ip4_addr_get_u32(ip_2_ip4(&p->remote_ip)) != src)
			continue;
		if ((int32_t)(seq - p->rcv_nxt) <= 0)
			return false;	/* maybe old: lwIP answers it */
		ns->api->tcp_abort(p);
		return true;
	}
	return false;
}

/* Connections lwIP keeps, counted up to limit (bounded work). */
static unsigned
pcbs_held(const struct netstack *ns, unsigned limit)
{
	struct tcp_pcb *const *lists[2] = { ns->api->tcp_active_pcbs,
	    ns->api->tcp_tw_pcbs };
	unsigned n = 0;

	for (int l = 0; l < 2; l++)
		for (const struct tcp_pcb *p = *lists[l]; p != NULL && n < limit;
		    p = p->next)
			n++;
	return n;
}

void
netstack_flush(struct netstack *ns)
{
	if (ns->nd->flush != NULL)
		ns->nd->flush(ns->nd);
}

int
netstack_poll(struct netstack *ns)
{
	struct udrv_frame f[RX_BURST];
	int n;

	netstack_flush(ns);
	/* Per stack: a callback below may yield to another process. */
	for (int i = 0; i < RX_BURST; i++)
		f[i] = (struct udrv_frame){ .data = ns->room + i * FRAME_ROOM,
		    .size = FRAME_ROOM };
	n = ns->nd->rx(ns->nd, f, RX_BURST);
	for (int i = 0; i < n; i++) {
		struct pbuf *p;

		if (!ns->unfiltered &&
		    netstack_rx_filter(&ns->st, f[i].data, f[i].len) != 0)
			continue;
		rx_csum_trust(ns, &f[i]);
		if (is_syn(f[i].data, f[i].len)) {
			if (tw_reuse(ns, f[i].data))
				ns->st.rx_tw_reused++;
			if (pcbs_held(ns, NETSTACK_MAX_PCBS) >= NETSTACK_MAX_PCBS) {
				ns->st.rx_syn_refused++;
				continue;
			}
		}
		/*
		 * PBUF_RAM, not PBUF_POOL: Debian's liblwip 2.1.3 sizes its pool
		 * buffers for a 536-byte MSS but fills them as if for 1460, so a
		 * full-size frame in a pool pbuf overruns it (seen with ASan).
		 */
		if ((p = ns->api->pbuf_alloc(PBUF_RAW, f[i].len,
		    PBUF_RAM)) == NULL) {
			ns->st.rx_dropped++;
			continue;
		}
		ns->api->pbuf_take(p, f[i].data, f[i].len);
		if (ns->netif.input(p, &ns->netif) != ERR_OK) {
			ns->api->pbuf_free(p);
			ns->st.rx_dropped++;
		} else
			ns->st.rx_frames++;
	}
	ns->api->sys_check_timeouts();
	netstack_flush(ns);
	return n;
}

/*
 * Free what lwIP still holds, sending nothing (the application may be
 * gone, and a stack that stops polling never sent more anyway): every
 * pcb dropped with its callbacks detached first, the ARP queues, IP
 * fragments aged out, timers cancelled. false: the copy is not fit to
 * be given back.
 */
static bool
lwip_release(struct netstack *ns)
{
	const struct lwip_api *a = ns->api;
	void *h = ns->handle;
	struct tcp_pcb **lists[3], **lp;
	struct udp_pcb **up;
	void (*abandon)(struct tcp_pcb *, int);
	void (*arp_cleanup)(struct netif *);
	void (*reass_tmr)(void);
	void (*untimeout)(sys_timeout_handler, void *);

	lists[0] = dlsym(h, "tcp_active_pcbs");
	lists[1] = dlsym(h, "tcp_tw_pcbs");
	lists[2] = dlsym(h, "tcp_bound_pcbs");
	lp = dlsym(h, "tcp_listen_pcbs");	/* a union; .pcbs first */
	up = dlsym(h, "udp_pcbs");
	*(void **)&abandon = dlsym(h, "tcp_abandon");
	*(void **)&arp_cleanup = dlsym(h, "etharp_cleanup_netif");
	*(void **)&reass_tmr = dlsym(h, "ip_reass_tmr");
	*(void **)&untimeout = dlsym(h, "sys_untimeout");
	if (lists[0] == NULL || lists[1] == NULL || lists[2] == NULL ||
	    lp == NULL || up == NULL || abandon == NULL ||
	    arp_cleanup == NULL || reass_tmr == NULL || untimeout == NULL ||
	    ns->copy->timeouts == NULL)
		return false;
	for (int i = 0; i < 3; i++)
		while (*lists[i] != NULL) {
			struct tcp_pcb *p = *lists[i];

			a->tcp_arg(p, NULL);
			a->tcp_err(p, NULL);
			abandon(p, 0);
			if (*lists[i] == p)
				return false;	/* not where lwIP expects */
		}
	while (*lp != NULL) {
		struct tcp_pcb *p = *lp;

		if (a->tcp_close(p) != ERR_OK || *lp == p)
			return false;
	}
	while (*up != NULL) {
		struct udp_pcb *p = *up;

		a->udp_remove(p);
		if (*up == p)
			return false;
	}
	arp_cleanup(&ns->netif);
	/* IP_REASS_MAXAGE ticks at most (15 in lwIP 2.1.3). */
	for (int i = 0; i < 256; i++)
		reass_tmr();
	/* The timers last: nothing above may add one after. */
	while (*ns->copy->timeouts != NULL) {
		struct sys_timeo *t = *ns->copy->timeouts;

		untimeout(t->h, t->arg);
		if (*ns->copy->timeouts == t)
			return false;
	}
	return true;
}

void
netstack_close(struct netstack *ns)
{
	/*
	 * The private copy stays loaded: unloading would leave callbacks of
	 * lwIP's registered with nothing behind them. It is given back for
	 * the next stack when lwIP lets go of everything; if not, it is
	 * host memory of the process, not modelled, and small.
	 */
	if (ns->api != NULL && ns->copy != NULL && lwip_release(ns))
		(void)copy_give(ns->copy);
	ns->copy = NULL;
	ns->api = NULL;
	free(ns->room);
	ns->room = NULL;
}
