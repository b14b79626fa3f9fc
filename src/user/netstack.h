/*
 * netstack.h — a TCP/IP stack inside an unprivileged process: Debian's
 * lwIP (2.1.3) over a netdev (netdev.h). ARP, ICMP echo, UDP and TCP,
 * static addressing.
 *
 * lwIP keeps its state in globals, and every simulated process needs a
 * stack of its own, so each netstack loads a private copy of liblwip
 * (dlopen of a fresh copy of the shared object, RTLD_LOCAL) and calls it
 * through the function table below. Only frames leave the process.
 */
#ifndef CAPIO_USER_NETSTACK_H
#define CAPIO_USER_NETSTACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lwip/err.h"
#include "lwip/ip_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

struct lwip_copy;
struct netdev;

/* The lwIP calls applications make, bound to this stack's copy. */
struct lwip_api {
	struct pbuf *(*pbuf_alloc)(pbuf_layer, u16_t, pbuf_type);
	u8_t (*pbuf_free)(struct pbuf *);
	u16_t (*pbuf_copy_partial)(const struct pbuf *, void *, u16_t, u16_t);
	err_t (*pbuf_take)(struct pbuf *, const void *, u16_t);
	struct udp_pcb *(*udp_new)(void);
	err_t (*udp_bind)(struct udp_pcb *, const ip_addr_t *, u16_t);
	void (*udp_recv)(struct udp_pcb *, udp_recv_fn, void *);
	err_t (*udp_sendto)(struct udp_pcb *, struct pbuf *, const ip_addr_t *, u16_t);
	void (*udp_remove)(struct udp_pcb *);
	struct tcp_pcb *(*tcp_new)(void);
	err_t (*tcp_bind)(struct tcp_pcb *, const ip_addr_t *, u16_t);
	struct tcp_pcb *(*tcp_listen_with_backlog)(struct tcp_pcb *, u8_t);
	void (*tcp_accept)(struct tcp_pcb *, tcp_accept_fn);
	err_t (*tcp_connect)(struct tcp_pcb *, const ip_addr_t *, u16_t, tcp_connected_fn);
	void (*tcp_arg)(struct tcp_pcb *, void *);
	void (*tcp_recv)(struct tcp_pcb *, tcp_recv_fn);
	void (*tcp_sent)(struct tcp_pcb *, tcp_sent_fn);
	void (*tcp_err)(struct tcp_pcb *, tcp_err_fn);
	void (*tcp_poll)(struct tcp_pcb *, tcp_poll_fn, u8_t);
	err_t (*tcp_write)(struct tcp_pcb *, const void *, u16_t, u8_t);
	err_t (*tcp_output)(struct tcp_pcb *);
	void (*tcp_recved)(struct tcp_pcb *, u16_t);
	err_t (*tcp_close)(struct tcp_pcb *);
	void (*tcp_abort)(struct tcp_pcb *);
	int (*ip4addr_aton)(const char *, ip4_addr_t *);
	/* private to netstack.c */
	void (*lwip_init)(void);
	void (*sys_check_timeouts)(void);
	struct netif *(*netif_add)(struct netif *, const ip4_addr_t *,
	    const ip4_addr_t *, const ip4_addr_t *, void *, netif_init_fn,
	    netif_input_fn);
	void (*netif_set_default)(struct netif *);
	void (*netif_set_up)(struct netif *);
	void (*netif_set_link_up)(struct netif *);
	err_t (*ethernet_input)(struct pbuf *, struct netif *);
	err_t (*etharp_output)(struct netif *, struct pbuf *, const ip4_addr_t *);
	/* lwIP's lists of connections (variables, not functions): counted
	 * to bound them (NETSTACK_MAX_PCBS). */
	struct tcp_pcb **tcp_active_pcbs, **tcp_tw_pcbs;
};

/*
 * TCP connections one stack keeps, in any state but LISTEN (half-open,
 * open, closing, TIME_WAIT): past this, a new SYN is dropped before lwIP
 * sees it. Debian's lwIP allocates pcbs with malloc and enforces no
 * count of its own, so without this a SYN flood grows the process
 * without bound. The application's own cap (memcached's -c) is below it.
 */
#define NETSTACK_MAX_PCBS	256

struct netstack_stats {
	uint64_t rx_frames, tx_frames, tx_dropped, rx_dropped;
	/* Before lwIP (netstack_rx_filter): TCP MSS options overwritten or
	 * raised, and frames refused (IPv6, TCP in IPv4 fragments). */
	uint64_t rx_mss_rewrites, rx_refused;
	uint64_t rx_syn_refused;	/* SYNs dropped at NETSTACK_MAX_PCBS */
	uint64_t rx_tw_reused;		/* TIME_WAIT pcbs a new SYN replaced */
	/* UDP checksums left to the NIC (netstack_udp_csum): inserted on
	 * the way out, and received good so that lwIP skips its check. */
	uint64_t tx_csum_offloaded, rx_csum_trusted;
};

struct netstack {
	const struct lwip_api *api;
	struct netif netif;
	struct netdev *nd;
	ip4_addr_t addr, mask;
	struct netstack_stats st;
	void *handle;			/* the private copy of liblwip */
	struct lwip_copy *copy;		/* to give it back (netstack.c) */
	uint8_t *room;			/* received frames, before lwIP */
	bool unfiltered;		/* frames reach lwIP as they came, no
					   netstack_rx_filter: only to show
					   what the filter stops */
	bool csum_offload;		/* UDP over IPv4 checksums by the NIC,
					   where the netdev passes them:
					   netstack_udp_csum */
	struct lwip_api table;
};

/*
 * A stack on nd with address CIDR ("10.0.0.1/24"). 0, or -1 with a
 * message in err.
 */
int netstack_open(struct netstack *ns, struct netdev *nd, const char *cidr,
    char *err, size_t errlen);
/* Move received frames into lwIP and run its timers; send what that
 * made lwIP send, as one burst. Returns the number of frames taken.
 * Never blocks. */
int netstack_poll(struct netstack *ns);
/* Send what lwIP queued outside netstack_poll (a send from the
 * application's own code); netstack_poll does it too, first thing. */
void netstack_flush(struct netstack *ns);
/*
 * Before a UDP send of LEN payload bytes on PCB: with csum_offload and a
 * datagram that fits one frame, lwIP leaves the UDP checksum to the NIC
 * (the frame goes with the pseudo-header sum in the field and a request
 * to finish it); otherwise lwIP computes it. Received UDP datagrams the
 * NIC found good reach lwIP with the checksum field 0 ("none", RFC 768),
 * which is how lwIP, whose checksum checks Debian builds in, is told not
 * to check them again. TCP checksums stay lwIP's either way.
 */
void netstack_udp_csum(struct netstack *ns, struct udp_pcb *pcb, size_t len);
/* Drop every connection and pcb without a frame sent; the private lwIP
 * goes to the next netstack_open, as fresh. */
void netstack_close(struct netstack *ns);
/*
 * What every received frame goes through before lwIP sees it
 * (docs/memcached.md): a TCP MSS option on a segment without SYN is
 * overwritten with NOPs, a SYN's MSS below NETSTACK_MSS_MIN is raised to
 * it (the TCP checksum updated to match), IPv6 and TCP in IPv4
 * fragments are refused. 0: hand it to lwIP; -1: drop it. Counts in st.
 */
#define NETSTACK_MSS_MIN	536
int netstack_rx_filter(struct netstack_stats *st, uint8_t *frame,
    uint16_t len);
/* Parse "a.b.c.d/len" (len 1..32). 0 or -1. */
int netstack_parse_cidr(const char *s, uint32_t *addr_be, uint32_t *mask_be);

#endif
