/*
 * fuzz_wire.c — libFuzzer target: whatever arrives from the wire must not
 * stop a service. Each input is a script of frames that a hostile
 * simulated process, owning NIC 1 of a pair wire, sends through its own
 * user-level driver to a server process on NIC 0 (UDP echo or memcached,
 * by the first byte), on a fresh machine per input, beside a victim
 * process that keeps working.
 *
 * The script is made to reach deep states: TCP segments are numbered
 * relative to what the hostile process last sent and to what the server
 * last sent on that connection, so handshakes complete and data lands
 * in sequence unless the script says otherwise; frames come from
 * templates (ARP, SYN with any options, data segments with any flags,
 * window and options, UDP with any fragment field) or raw; payloads are
 * raw bytes, memcached commands from a dictionary or fill; any op can be
 * repeated. The hostile process answers the server's ARP requests.
 *
 * Oracles, after the script:
 * - the server process still runs, and still answers a new client (a
 *   fresh connection gets VERSION, or memcached's refusal over -c; a
 *   datagram is echoed). A server killed by a contained fault is a
 *   finding all the same: a remote peer stopped the service. Its status
 *   is printed and the target aborts.
 * - the victim process still runs and went on working;
 * - memcached: mc_server_memory() never passed mc_server_bound() (checked
 *   after every op of the script);
 * - ASan/UBSan catch the rest.
 *
 * Input (every field optional: a short input ends the script):
 *   mode    bit 0: memcached (else UDP echo); bit 1: small limits;
 *           bit 2: UDP checksums by the NIC (netstack_udp_csum)
 *           (-m 512k -I 16k -c 4)
 *   ops     one byte op, then its fields; up to MAX_OPS ops:
 *   0 ARP   flags: bit 0 reply (else request), bit 1 claim the server's
 *           address, bit 2 to the server's MAC (else broadcast)
 *   1 SYN   slot, window (2, big-endian), optlen, options (optlen % 41)
 *   2 SEG   slot, flags, seq delta (int8, to what it sent), ack delta
 *           (int8, to what the server sent), window (2), optlen,
 *           options, payload
 *   3 UDP   port (0: the echo port, 1: 11211, else the next 2 bytes),
 *           IPv4 flags+offset (2), payload
 *   4 RAW   length (2, % 1515), fix-ups (bit 0: Ethernet addresses, bit
 *           1: IPv4 header checksum, bit 2: TCP/UDP checksum), bytes
 *   5 PUMP  rounds: let the server run rounds + 1 rounds (MAX_ROUNDS in all)
 *   6 REPEAT n: the previous op n more times (its fields read again)
 *   payload: one byte p; p >> 6 == 0: p & 63 bytes of the input follow;
 *           1: memcached command (p & 63) of the dictionary below;
 *           2: (p & 63) * 32 bytes of 'x'; 3: (p & 63) * 64 bytes of '\r'
 *           and 'x' alternating.
 * Slots are 8 TCP connections (client ports 40000 + slot).
 * fuzz/gen_wire_seeds.sh writes the seeds in fuzz/corpus/fuzz_wire/.
 * CAPIO_FUZZ_WIRE_VERBOSE=1 prints what the server sent back.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board/board.h"
#include "eval/attack_tcp.h"
#include "kernel/kernel.h"
#include "machine/cpu.h"
#include "user/e1000e_driver.h"
#include "user/inet.h"
#include "user/libcapio.h"
#include "user/memcached_server.h"
#include "user/netdev.h"
#include "user/netstack.h"
#include "user/udp_echo.h"

#define MAX_OPS		128
#define MAX_FRAMES	4096		/* per input: bound its time */
#define MAX_ROUNDS	20000		/* PUMP's rounds, per input */
#define NSLOTS		8
#define SERVER_IP	0x0a000001u
#define PEER_IP		0x0a000002u
#define MC_PORT		11211
#define ECHO_PORT	11111
#define PEER_PORT	40000
#define PROBE_PORT	50000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/*
 * lwIP's own allocations, made from its private copy (loaded as
 * /proc/self/fd/N): netstack_close frees its pcbs, buffers and timers
 * and gives the copy to the next input, but what lwIP holds where no
 * exported list reaches it is lost when the copy is reset (seen: a few
 * KB after refused connections that sent data). The memcached server's
 * and the kernel's allocations are still checked.
 */
const char *
__lsan_default_suppressions(void)
{
	return "leak:/proc/self/fd/\n";
}

static bool verbose;

static void
die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_wire: oracle failed: %s%s%s\n", what,
	    detail != NULL ? ": " : "", detail != NULL ? detail : "");
	abort();
}

/* --- the server: server_main's loop, with its memcached in view ---------- */

struct srv {
	bool memcached;
	bool csum_offload;
	struct mc_settings set;
	volatile bool ready, stop;
	struct mc_server mc;		/* valid while ready */
	struct udp_echo echo;
	char err[200];
};

static void
server_proc(void *arg)
{
	struct srv *s = arg;
	struct udrv d;
	struct netdev nd;
	struct netstack ns;
	int err;

	if (udrv_open(&d, 0) != 0) {
		snprintf(s->err, sizeof(s->err), "cannot open NIC 0");
		sys_exit(1);
	}
	netdev_from_udrv(&nd, &d);
	if (netstack_open(&ns, &nd, "10.0.0.1/24", s->err,
	    sizeof(s->err)) != 0)
		sys_exit(1);
	ns.csum_offload = s->csum_offload;
	if (s->memcached)
		err = mc_server_open(&s->mc, &ns, MC_PORT, &s->set, NULL, NULL);
	else
		err = udp_echo_start(&s->echo, &ns, ECHO_PORT);
	if (err != 0) {
		snprintf(s->err, sizeof(s->err), "cannot listen");
		sys_exit(1);
	}
	s->ready = true;
	while (!s->stop)
		if (netstack_poll(&ns) == 0)
			wfe();
	s->ready = false;
	if (s->memcached)
		mc_server_stop(&s->mc);
	else
		udp_echo_stop(&s->echo);
	netstack_close(&ns);
	udrv_close(&d);
}

/* --- the victim: works on its own page, round after round --------------- */

static volatile uint64_t victim_rounds;
static volatile bool victim_bad;

static void
victim_proc(void *arg)
{
	cap_t page;

	(void)arg;
	if (sys_mmap(4096, &page) != 0) {
		victim_bad = true;
		return;
	}
	for (uint64_t i = 0;; i++) {
		st64(page, (int64_t)(i % 512) * 8, i);
		if (ld64(page, (int64_t)(i % 512) * 8) != i)
			victim_bad = true;
		victim_rounds++;
		wfe();
	}
}

/* --- frames --------------------------------------------------------------- */

/* The IPv4 header checksum of ip, and its TCP or UDP checksum when the
 * whole segment is in the frame; each only if asked. */
static void
fix_sums(uint8_t *f, size_t len, bool ipsum, bool l4sum)
{
	uint8_t *ip = f + 14, *l4;
	size_t ihl, tot;

	if (len < 34 || inet_get16(f + 12) != 0x0800)
		return;
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ihl < 20 || 14 + ihl > len)
		return;
	if (ipsum) {
		inet_put16(ip + 10, 0);
		inet_put16(ip + 10, inet_cksum(inet_sum(ip, ihl, 0)));
	}
	tot = inet_get16(ip + 2);
	if (!l4sum || tot < ihl || 14 + tot > len)
		return;
	l4 = ip + ihl;
	if (ip[9] == 6 && tot - ihl >= 20) {
		inet_put16(l4 + 16, 0);
		inet_put16(l4 + 16, inet_cksum(inet_sum(l4, tot - ihl, inet_sum(ip + 12, 8, 6 +
		    (uint32_t)(tot - ihl)))));
	} else if (ip[9] == 17 && tot - ihl >= 8) {
		inet_put16(l4 + 6, 0);
		inet_put16(l4 + 6, inet_cksum(inet_sum(l4, tot - ihl, inet_sum(ip + 12, 8, 17 +
		    (uint32_t)(tot - ihl)))));
	}
}

/* Ethernet and IPv4 headers for proto and l4len bytes after them. */
static size_t
ip_head(uint8_t *f, const uint8_t dst[6], const uint8_t src[6],
    uint8_t proto, size_t l4len, uint16_t frag)
{
	uint8_t *ip = f + 14;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	inet_put16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	inet_put16(ip + 2, (uint16_t)(20 + l4len));
	inet_put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	inet_put32(ip + 12, PEER_IP);
	inet_put32(ip + 16, SERVER_IP);
	return 34;
}

/* --- the hostile process ------------------------------------------------- */

struct slot {
	uint32_t snd_nxt;		/* ours */
	uint32_t srv_nxt;		/* the server's: after what it sent */
	bool synack;
};

struct hostile {
	const uint8_t *p;
	size_t n;
	struct srv *srv;
	uint8_t smac[6];		/* the server's NIC */
	struct udrv d;
	struct slot slot[NSLOTS + 1];	/* + the probe's */
	unsigned frames;
	uint64_t tx_waits;		/* rounds NIC 1's ring was full */
	unsigned rounds;		/* of PUMP */
	bool probe_answered;
	char probe_got[256];
	size_t nprobe;
	size_t peak;			/* mc_server_memory, the most seen */
};

static uint64_t
take(struct hostile *h, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v <<= 8;
		if (h->n > 0) {
			v |= h->p[0];
			h->p++;
			h->n--;
		}
	}
	return v;
}

static const char *const dict[] = {
	"set k 0 0 5\r\nhello\r\n", "get k\r\n", "gets k\r\n",
	"set k 0 0 5\r\n", "hello\r\n", "stats\r\n", "version\r\n",
	"delete k\r\n", "incr n 1\r\n", "set n 0 0 1\r\n1\r\n",
	"append k 0 0 3\r\nabc\r\n", "cas k 0 0 1 1\r\nx\r\n",
	"touch k 10\r\n", "gat 10 k\r\n", "flush_all\r\n", "quit\r\n",
	"set big 0 0 1048576\r\n", "set big 0 0 15000\r\n",
	"set big 0 0 400000\r\n", "get k k k k k k k k k k k k k k k k\r\n",
	"stats settings\r\n", "verbosity 1\r\n", "stats reset\r\n",
	"\x80\x01\x00\x00", "GET / HTTP/1.1\r\n", "mg k v\r\n",
	"set k 0 -1 1\r\nx\r\n", "decr n 5\r\n", "add a 1 0 1\r\na\r\n",
	"prepend k 0 0 1\r\nz\r\n", "set k 0 0 4294967297\r\nx\r\n",
	"get ", "k", "\r\n", " ", "shutdown\r\n",
};

/* A payload as the script describes it, into buf; its length. */
static size_t
payload(struct hostile *h, uint8_t *buf, size_t room)
{
	unsigned p = (unsigned)take(h, 1), arg = p & 63;
	size_t len = 0;

	switch (p >> 6) {
	case 0:
		for (; len < arg && len < room && h->n > 0; len++)
			buf[len] = (uint8_t)take(h, 1);
		break;
	case 1: {
		const char *s = dict[arg % (sizeof(dict) / sizeof(dict[0]))];

		len = strlen(s);
		if (len > room)
			len = room;
		memcpy(buf, s, len);
		break;
	}
	case 2:
		len = (size_t)arg * 32 < room ? (size_t)arg * 32 : room;
		memset(buf, 'x', len);
		break;
	default:
		len = (size_t)arg * 64 < room ? (size_t)arg * 64 : room;
		for (size_t i = 0; i < len; i++)
			buf[i] = i % 2 ? 'x' : '\r';
		break;
	}
	return len;
}

static void
send_frame(struct hostile *h, const uint8_t *f, size_t len)
{
	struct udrv_frame fr = { .data = (void *)(uintptr_t)f,
	    .len = (uint16_t)len };

	h->frames++;
	for (int i = 0; i < 1000 && udrv_tx_burst(&h->d, &fr, 1) != 1; i++) {
		h->tx_waits++;
		wfe();
	}
}

static void
arp(struct hostile *h, uint16_t op, const uint8_t *dst, uint32_t sip,
    const uint8_t *tha, uint32_t tip)
{
	uint8_t f[ATK_ARP_LEN];

	atk_arp_frame(f, op, dst, h->d.mac, sip, tha, tip);
	send_frame(h, f, sizeof(f));
}

/* A segment of slot s (the probe's past NSLOTS); options past 40 bytes
 * and data past the frame are cut off. */
static void
tcp_send(struct hostile *h, unsigned s, uint8_t flags, uint32_t seq,
    uint32_t ack, uint16_t wnd, const uint8_t *opt, size_t optlen,
    const uint8_t *data, size_t len)
{
	static uint8_t f[ATK_FRAME_MAX];
	struct atk_seg sg = {
		.dmac = h->smac, .smac = h->d.mac, .sip = PEER_IP,
		.dip = SERVER_IP,
		.sport = (uint16_t)((s < NSLOTS ? PEER_PORT : PROBE_PORT) + s),
		.dport = MC_PORT, .seq = seq, .ack = ack, .flags = flags,
		.wnd = wnd, .opt = opt, .optlen = optlen < 40 ? optlen : 40,
		.data = data, .len = len, .frag = ATK_IP_DF,
	};
	size_t hlen = 20 + ((sg.optlen + 3) & ~(size_t)3);

	if (34 + hlen + len > sizeof(f))
		sg.len = sizeof(f) - 34 - hlen;
	send_frame(h, f, atk_tcp_frame(f, sizeof(f), &sg));
}

/* What the server sent: ARP requests answered, TCP numbers noted. */
static void
input(struct hostile *h, const uint8_t *f, size_t n)
{
	const uint8_t *ip = f + 14, *tcp;
	size_t ihl, hlen, plen;
	unsigned port, s;
	struct slot *sl;
	uint32_t end;

	if (n >= 42 && inet_get16(f + 12) == 0x0806) {
		if (inet_get16(f + 20) == 1 && inet_get32(f + 38) == PEER_IP)
			arp(h, 2, f + 22, PEER_IP, f + 22, inet_get32(f + 28));
		return;
	}
	if (n < 54 || inet_get16(f + 12) != 0x0800)
		return;
	ihl = (size_t)(ip[0] & 15) * 4;
	if (ip[9] == 17 && verbose)
		fprintf(stderr, "fuzz_wire: datagram of %u bytes back\n",
		    inet_get16(ip + 2) - (unsigned)ihl - 8);
	if (ip[9] == 17 && inet_get16(ip + ihl + 2) == PROBE_PORT)
		h->probe_answered = true;
	if (ip[9] != 6 || 14 + ihl + 20 > n)
		return;
	tcp = ip + ihl;
	hlen = (size_t)(tcp[12] >> 4) * 4;
	if (inet_get16(ip + 2) < ihl + hlen || 14 + inet_get16(ip + 2) > n)
		return;
	plen = inet_get16(ip + 2) - ihl - hlen;
	port = inet_get16(tcp + 2);
	if (port >= PEER_PORT && port < PEER_PORT + NSLOTS)
		s = port - PEER_PORT;
	else if (port == PROBE_PORT + NSLOTS)
		s = NSLOTS;
	else
		return;
	sl = &h->slot[s];
	if (verbose && (plen > 0 || (tcp[13] & (ATK_TCP_RST | ATK_TCP_FIN))))
		fprintf(stderr, "fuzz_wire: slot %u: flags %02x seq %u, %zu "
		    "bytes: %.*s\n", s, tcp[13], inet_get32(tcp + 4), plen,
		    (int)(plen < 200 ? plen : 200), tcp + hlen);
	if (tcp[13] & ATK_TCP_SYN) {
		sl->srv_nxt = inet_get32(tcp + 4) + 1;
		sl->synack = true;
		return;
	}
	end = inet_get32(tcp + 4) + (uint32_t)plen + ((tcp[13] & ATK_TCP_FIN) != 0);
	if ((int32_t)(end - sl->srv_nxt) > 0)
		sl->srv_nxt = end;
	if (s == NSLOTS && plen > 0 && h->nprobe + plen < sizeof(h->probe_got)) {
		memcpy(h->probe_got + h->nprobe, tcp + hlen, plen);
		h->nprobe += plen;
		h->probe_got[h->nprobe] = '\0';
	}
}

static void
check_memory(struct hostile *h)
{
	size_t m, bound;
	char why[120];

	if (!h->srv->memcached || !h->srv->ready)
		return;
	m = mc_server_memory(&h->srv->mc);
	bound = mc_server_bound(&h->srv->set);
	if (m > h->peak)
		h->peak = m;
	if (m > bound) {
		snprintf(why, sizeof(why), "%zu bytes, bound %zu", m, bound);
		die("the server holds more than mc_server_bound()", why);
	}
}

/* Take what the server sent, let it run; rounds times. */
static void
pump(struct hostile *h, unsigned rounds)
{
	static uint8_t room[16][2048];
	struct udrv_frame fr[16];

	for (unsigned r = 0; r < rounds; r++) {
		int n;

		for (int i = 0; i < 16; i++)
			fr[i] = (struct udrv_frame){ .data = room[i],
			    .size = sizeof(room[i]) };
		n = udrv_rx_burst(&h->d, fr, 16);
		for (int i = 0; i < n; i++)
			input(h, fr[i].data, fr[i].len);
		wfe();
	}
	check_memory(h);
}

static void
op_seg(struct hostile *h)
{
	static uint8_t data[1460];
	uint8_t opt[40];
	unsigned s = (unsigned)take(h, 1) % NSLOTS;
	uint8_t flags = (uint8_t)take(h, 1);
	int8_t seqd = (int8_t)take(h, 1), ackd = (int8_t)take(h, 1);
	uint16_t wnd = (uint16_t)take(h, 2);
	size_t optlen = (size_t)take(h, 1) % 41, len;
	struct slot *sl = &h->slot[s];

	for (size_t i = 0; i < optlen; i++)
		opt[i] = (uint8_t)take(h, 1);
	len = payload(h, data, sizeof(data));
	tcp_send(h, s, flags, sl->snd_nxt + (uint32_t)seqd,
	    sl->srv_nxt + (uint32_t)ackd, wnd, opt, optlen, data, len);
	/* In sequence: the next one follows it. */
	if (seqd == 0)
		sl->snd_nxt += (uint32_t)len + ((flags & ATK_TCP_SYN) != 0) +
		    ((flags & ATK_TCP_FIN) != 0);
}

static void
op_syn(struct hostile *h)
{
	uint8_t opt[40];
	unsigned s = (unsigned)take(h, 1) % NSLOTS;
	uint16_t wnd = (uint16_t)take(h, 2);
	size_t optlen = (size_t)take(h, 1) % 41;
	struct slot *sl = &h->slot[s];

	for (size_t i = 0; i < optlen; i++)
		opt[i] = (uint8_t)take(h, 1);
	/* A fresh number per SYN: a new connection, not a duplicate. */
	sl->snd_nxt = 0x10000000u * (s + 1) + h->frames * 0x10000u;
	sl->srv_nxt = 0;
	sl->synack = false;
	tcp_send(h, s, ATK_TCP_SYN, sl->snd_nxt, 0, wnd, opt, optlen, NULL, 0);
	sl->snd_nxt++;
}

static void
op_udp(struct hostile *h)
{
	static uint8_t f[1514];
	unsigned sel = (unsigned)take(h, 1);
	uint16_t port = sel == 0 ? ECHO_PORT : sel == 1 ? MC_PORT :
	    (uint16_t)take(h, 2);
	uint16_t frag = (uint16_t)take(h, 2);
	size_t len = payload(h, f + 42, sizeof(f) - 42);

	ip_head(f, h->smac, h->d.mac, 17, 8 + len, frag);
	inet_put16(f + 34, PEER_PORT);
	inet_put16(f + 36, port);
	inet_put16(f + 38, (uint16_t)(8 + len));
	inet_put16(f + 40, 0);
	fix_sums(f, 42 + len, true, true);
	send_frame(h, f, 42 + len);
}

static void
op_raw(struct hostile *h)
{
	static uint8_t f[1514];
	size_t len = (size_t)take(h, 2) % (sizeof(f) + 1);
	unsigned fix = (unsigned)take(h, 1);

	for (size_t i = 0; i < len; i++)
		f[i] = (uint8_t)take(h, 1);
	if ((fix & 1) && len >= 12) {
		memcpy(f, h->smac, 6);
		memcpy(f + 6, h->d.mac, 6);
	}
	fix_sums(f, len, (fix & 2) != 0, (fix & 4) != 0);
	send_frame(h, f, len);
}

static void
op_arp(struct hostile *h)
{
	static const uint8_t bcast[6] = { 255, 255, 255, 255, 255, 255 };
	unsigned fl = (unsigned)take(h, 1);

	arp(h, fl & 1 ? 2 : 1, fl & 4 ? h->smac : bcast,
	    fl & 2 ? SERVER_IP : PEER_IP, fl & 1 ? h->smac : NULL, SERVER_IP);
}

/* One op of the script. */
static void
step(struct hostile *h, unsigned op)
{
	switch (op) {
	case 0:
		op_arp(h);
		break;
	case 1:
		op_syn(h);
		break;
	case 2:
		op_seg(h);
		break;
	case 3:
		op_udp(h);
		break;
	case 4:
		op_raw(h);
		break;
	default: {
		unsigned r = (unsigned)take(h, 1) + 1;

		if (h->rounds + r > MAX_ROUNDS)
			r = MAX_ROUNDS - h->rounds;
		h->rounds += r;
		pump(h, r);
		return;
	}
	}
	pump(h, 2);
}

/*
 * A new client after the script: the server must still answer. The
 * peer's address is announced again first (the script may have lied
 * about it), and the connection has a port of its own.
 */
static void
probe(struct hostile *h)
{
	static const uint8_t bcast[6] = { 255, 255, 255, 255, 255, 255 };
	static const uint8_t mss[4] = { 2, 4, 0x05, 0xb4 };
	struct slot *sl = &h->slot[NSLOTS];
	const char *ask = "version\r\n";

	arp(h, 1, bcast, PEER_IP, NULL, SERVER_IP);
	pump(h, 20);
	if (!h->srv->memcached) {
		static uint8_t f[64];

		ip_head(f, h->smac, h->d.mac, 17, 8 + 4, 0);
		inet_put16(f + 34, PROBE_PORT);
		inet_put16(f + 36, ECHO_PORT);
		inet_put16(f + 38, 12);
		memcpy(f + 42, "ping", 4);
		fix_sums(f, 46, true, true);
		for (int i = 0; i < 5 && !h->probe_answered; i++) {
			send_frame(h, f, 46);
			pump(h, 200);
		}
		return;
	}
	sl->snd_nxt = 0x7a000000u;
	for (int i = 0; i < 5 && !sl->synack; i++) {
		tcp_send(h, NSLOTS, ATK_TCP_SYN, sl->snd_nxt, 0, 65535, mss, 4,
		    NULL, 0);
		pump(h, 200);
	}
	if (!sl->synack)
		return;
	sl->snd_nxt++;
	tcp_send(h, NSLOTS, ATK_TCP_ACK | ATK_TCP_PSH, sl->snd_nxt, sl->srv_nxt,
	    65535, NULL, 0, (const uint8_t *)ask, strlen(ask));
	sl->snd_nxt += (uint32_t)strlen(ask);
	for (int i = 0; i < 2000 && !h->probe_answered; i++) {
		pump(h, 1);
		h->probe_answered = strstr(h->probe_got, "VERSION ") != NULL ||
		    strstr(h->probe_got, "ERROR Too many open") != NULL;
		if (i % 200 == 199)	/* lost: ask again */
			tcp_send(h, NSLOTS, ATK_TCP_ACK, sl->snd_nxt, sl->srv_nxt,
			    65535, NULL, 0, NULL, 0);
	}
	tcp_send(h, NSLOTS, ATK_TCP_RST | ATK_TCP_ACK, sl->snd_nxt, sl->srv_nxt, 0,
	    NULL, 0, NULL, 0);
}

static void
hostile_proc(void *arg)
{
	struct hostile *h = arg;
	const uint8_t *last = NULL;
	size_t lastn = 0;
	unsigned lastop = 0;

	if (udrv_open(&h->d, 1) != 0)
		die("the hostile process cannot open NIC 1", NULL);
	for (int op = 0; op < MAX_OPS && h->n > 0 && h->frames < MAX_FRAMES &&
	    h->rounds < MAX_ROUNDS; op++) {
		unsigned o = (unsigned)take(h, 1) % 7;

		if (o == 6) {
			unsigned times = (unsigned)take(h, 1);
			const uint8_t *next = h->p;
			size_t nextn = h->n;

			for (unsigned i = 0; last != NULL && i < times &&
			    h->frames < MAX_FRAMES && h->rounds < MAX_ROUNDS;
			    i++) {
				h->p = last;
				h->n = lastn;
				step(h, lastop);
			}
			h->p = next;
			h->n = nextn;
			continue;
		}
		last = h->p;
		lastn = h->n;
		lastop = o;
		step(h, o);
	}
	pump(h, 50);
	probe(h);
	udrv_close(&h->d);
}

/* --- the machine, per input ---------------------------------------------- */

static bool
runnable(struct kernel *k, int pid, struct proc_info *pi)
{
	return kernel_proc_info(k, pid, pi) == 0 && pi->state == PROC_RUNNABLE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct srv srv;
	static struct hostile h;
	struct board_desc bd;
	struct kernel_opts o;
	struct proc_info pi;
	struct kernel *k;
	char err[200], why[300];
	int sp, vp, hp;
	uint64_t v0;

	if (size < 1)
		return 0;
	verbose = getenv("CAPIO_FUZZ_WIRE_VERBOSE") != NULL;
	memset(&srv, 0, sizeof(srv));
	srv.memcached = (data[0] & 1) != 0;
	srv.csum_offload = (data[0] & 4) != 0;
	mc_settings_default(&srv.set);
	if (data[0] & 2) {
		srv.set.memory_limit = 512u << 10;
		srv.set.item_size_max = 16u << 10;
		srv.set.max_connections = 4;
	}
	board_desc_default(&bd);
	bd.ram_size = 64u << 20;
	kernel_opts_default(&o);
	o.host_syscalls = false;
	if ((k = kernel_boot(board_new(&bd, err, sizeof(err)), &o, err,
	    sizeof(err))) == NULL)
		die("boot", err);
	sp = kernel_spawn(k, "server", server_proc, &srv);
	for (int i = 0; i < 1000 && !srv.ready; i++)
		kernel_run(k, 1);
	if (!srv.ready)
		die("the server did not start", srv.err);
	victim_rounds = 0;
	victim_bad = false;
	vp = kernel_spawn(k, "victim", victim_proc, NULL);
	kernel_run(k, 2);
	v0 = victim_rounds;
	memset(&h, 0, sizeof(h));
	h.p = data + 1;
	h.n = size - 1;
	h.srv = &srv;
	board_nic_mac(kernel_board(k), 0, h.smac);
	hp = kernel_spawn(k, "hostile", hostile_proc, &h);
	if (sp < 0 || vp < 0 || hp < 0)
		die("spawn", NULL);
	for (int i = 0; i < 10000000 && runnable(k, hp, &pi); i++)
		kernel_run(k, 1);
	if (pi.state != PROC_EXITED)
		die("the hostile process did not end well", pi.status);
	if (!runnable(k, sp, &pi)) {
		snprintf(why, sizeof(why), "%s%s%s", pi.status,
		    srv.err[0] ? "; " : "", srv.err);
		die("a peer on the wire stopped the server", why);
	}
	if (!h.probe_answered)
		die("the server no longer answers a new client",
		    srv.memcached ? h.probe_got : "no echo");
	if (!runnable(k, vp, &pi) || victim_bad || victim_rounds == v0)
		die("the victim stopped working", pi.status);
	srv.stop = true;
	for (int i = 0; i < 100000 && runnable(k, sp, &pi); i++)
		kernel_run(k, 1);
	if (pi.state != PROC_EXITED || pi.exit_code != 0)
		die("the server did not stop cleanly", pi.status);
	if (verbose)
		fprintf(stderr, "fuzz_wire: %u frames sent (%llu waits), server "
		    "memory peak %zu of %zu, victim rounds %llu\n", h.frames,
		    (unsigned long long)h.tx_waits, h.peak,
		    srv.memcached ? mc_server_bound(&srv.set) : 0,
		    (unsigned long long)(victim_rounds - v0));
	kernel_halt(k);
	return 0;
}
