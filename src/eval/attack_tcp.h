/*
 * attack_tcp.h — TCP by hand (attack_tcp.c): frames whose every field is
 * the caller's, built into a buffer, and a peer on a NIC of its own
 * (through its user-level driver) that sends them to a memcached and
 * takes what comes back. Class 15 attacks with it; the harness's seeder
 * and checker are its well-behaved clients; tests and fuzzers craft
 * their segments with the same builders.
 */
#ifndef CAPIO_EVAL_ATTACK_TCP_H
#define CAPIO_EVAL_ATTACK_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "user/e1000e_driver.h"

#define ATK_MC_IP	0x0a000001u	/* the victim, 10.0.0.1 */
#define ATK_PEER_IP	0x0a000002u	/* whoever holds NIC 1 */
#define ATK_MC_PORT	11211
#define ATK_TCP_FIN	0x01
#define ATK_TCP_SYN	0x02
#define ATK_TCP_RST	0x04
#define ATK_TCP_PSH	0x08
#define ATK_TCP_ACK	0x10
#define ATK_IP_DF	0x4000		/* IPv4 flags and offset: don't fragment */
#define ATK_FRAME_MAX	1514		/* without the FCS */
#define ATK_ARP_LEN	60

/* --- frames ---------------------------------------------------------- */

/* One TCP segment in IPv4 in Ethernet, as the fields say. */
struct atk_seg {
	const uint8_t *dmac, *smac;
	uint32_t sip, dip;
	uint16_t sport, dport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t wnd;
	const uint8_t *opt;	/* at most 40 bytes, padded to a word with EOL */
	size_t optlen;
	const void *data;
	size_t len;
	uint16_t frag;		/* IPv4 flags and offset (ATK_IP_DF) */
};

/*
 * Write s into f (room bytes): its length, or 0 when it does not fit.
 * Both checksums are right for the frame as it is; a fragment's TCP
 * checksum, over this piece alone, is wrong for the datagram (on
 * purpose: the receiver must not reassemble).
 */
size_t atk_tcp_frame(uint8_t *f, size_t room, const struct atk_seg *s);
/* An ARP request (op 1) or reply (2) to Ethernet address dst, ATK_ARP_LEN
 * bytes into f: from sha/sip, about tha (NULL: zeros)/tip. */
void atk_arp_frame(uint8_t *f, uint16_t op, const uint8_t dst[6],
    const uint8_t sha[6], uint32_t sip, const uint8_t *tha, uint32_t tip);

/* --- a peer on NIC dev, to a memcached at ATK_MC_IP:ATK_MC_PORT -------- */

#define ATK_TCP_CONNS	16
#define ATK_TCP_ROOM	16

struct atk_conn {
	uint16_t port;
	uint32_t snd, rcv;		/* next to send; next expected */
	bool synack, reset, fin;
	char got[4096];			/* in-order data, NUL-terminated */
	size_t ngot;
};

struct atk_tcp {
	struct udrv d;
	uint8_t dmac[6];		/* the victim's */
	struct atk_conn c[ATK_TCP_CONNS];
	uint8_t room[ATK_TCP_ROOM][2048];
};

int atk_tcp_open(struct atk_tcp *t, int dev, const uint8_t victim_mac[6]);
/* Every connection reset, the NIC given back. */
void atk_tcp_close(struct atk_tcp *t);
void atk_tcp_raw(struct atk_tcp *t, const uint8_t *f, size_t n);
/* A segment of c from ATK_PEER_IP as the fields say; frag: IPv4 flags
 * and offset (ATK_IP_DF). */
void atk_tcp_seg(struct atk_tcp *t, struct atk_conn *c, uint32_t seq,
    uint8_t flags, uint16_t wnd, const uint8_t *opt, size_t optlen,
    const char *data, size_t len, uint16_t frag);
/* In sequence, DF set. */
void atk_tcp_send(struct atk_tcp *t, struct atk_conn *c, uint8_t flags,
    uint16_t wnd, const uint8_t *opt, size_t optlen, const char *data);
/* Take what arrives for rounds rounds, acknowledging with window wnd, or
 * until c has got want. */
bool atk_tcp_pump(struct atk_tcp *t, int rounds, uint16_t wnd,
    struct atk_conn *c, const char *want);
bool atk_tcp_connect(struct atk_tcp *t, struct atk_conn *c, uint16_t port,
    const uint8_t mss[4]);
/* Send req on c (with options opt) and wait for want (c's data so far
 * forgotten first). */
bool atk_tcp_ask(struct atk_tcp *t, struct atk_conn *c, const uint8_t *opt,
    size_t optlen, const char *req, const char *want);
/* "STAT name N" in a stats reply: N, or UINT64_MAX. */
uint64_t atk_stat(const char *stats, const char *name);

#endif
