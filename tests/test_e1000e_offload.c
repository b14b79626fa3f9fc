/*
 * test_e1000e_offload.c — the 82574L's offloads: transmit checksums
 * (context and data descriptors, legacy IC), TCP segmentation, VLAN tag
 * insertion; receive checksum status, VLAN stripping and filtering,
 * extended descriptors and RSS (Toeplitz, checked against the published
 * verification vectors), queue 1.
 */
#include "dev/e1000e_core.h"
#include "net/inet_csum.h"
#include "test_e1000e_world.h"

static const uint8_t ip_a[4] = { 10, 0, 0, 1 };
static const uint8_t ip_b[4] = { 10, 0, 0, 2 };
static const uint8_t peer[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* An IPv4 frame to the device's MAC: PROTO with L4 bytes of header and
 * payload after a 20-byte IP header; checksum fields as drivers leave
 * them for offload (IP 0, TCP/UDP the pseudo-header sum). */
static size_t
ip4_frame(uint8_t *f, const uint8_t *dst, uint8_t proto, size_t l4,
    uint16_t tot, uint16_t psum_len)
{
	size_t i, l4off = 34;
	uint16_t psum;

	memcpy(f, dst, 6);
	memcpy(f + 6, peer, 6);
	put16(f + 12, 0x0800);
	memset(f + 14, 0, 20);
	f[14] = 0x45;
	put16(f + 16, tot);
	put16(f + 18, 0x1000);
	f[20] = 0x40;
	f[22] = 64;
	f[23] = proto;
	memcpy(f + 26, ip_a, 4);
	memcpy(f + 30, ip_b, 4);
	for (i = l4off; i < l4off + l4; i++)
		f[i] = (uint8_t)(i * 3);
	psum = inet_csum_fold(inet_csum_pseudo4(ip_a, ip_b, proto, psum_len));
	if (proto == 6) {
		put16(f + l4off, 1234);
		put16(f + l4off + 2, 80);
		f[l4off + 12] = 0x50;
		f[l4off + 13] = 0x19;	/* FIN, PSH, ACK */
		put16(f + l4off + 16, psum);
	} else {
		put16(f + l4off, 1111);
		put16(f + l4off + 2, 2222);
		put16(f + l4off + 4, (uint16_t)l4);
		put16(f + l4off + 6, psum);
	}
	return l4off + l4;
}

static bool
ip4_csum_ok(const uint8_t *f)
{
	return inet_csum_fold(inet_csum_add(0, f + 14, 20)) == 0xFFFF;
}

static bool
l4_csum_ok(const uint8_t *f, size_t len)
{
	uint64_t s = inet_csum_pseudo4(f + 26, f + 30, f[23],
	    (uint32_t)(len - 34));

	return inet_csum_fold(inet_csum_add(s, f + 34, len - 34)) == 0xFFFF;
}

static void
desc_raw(struct world *w, unsigned i, uint64_t q0, uint64_t q1)
{
	uint8_t d[16];

	e1000e_desc_put64(d, q0);
	e1000e_desc_put64(d + 8, q1);
	ram_write(w, W_TXRING + 16u * i, d, sizeof(d));
}

static void
ctx_desc(struct world *w, unsigned i, unsigned ipcss, unsigned ipcso,
    unsigned ipcse, unsigned tucss, unsigned tucso, unsigned tucmd,
    unsigned paylen, unsigned hdrlen, unsigned mss)
{
	desc_raw(w, i, (uint64_t)ipcss | (uint64_t)ipcso << 8 |
	    (uint64_t)ipcse << 16 | (uint64_t)tucss << 32 |
	    (uint64_t)tucso << 40, paylen |
	    (uint64_t)(tucmd | E1000E_TXD_CMD_DEXT) << 24 |
	    (uint64_t)hdrlen << 40 | (uint64_t)mss << 48);
}

static void
data_desc(struct world *w, unsigned i, uint64_t buf, unsigned len,
    unsigned dcmd, unsigned popts, unsigned special)
{
	desc_raw(w, i, buf, len | 1ull << 20 |
	    (uint64_t)(dcmd | E1000E_TXD_CMD_DEXT) << 24 |
	    (uint64_t)popts << 40 | (uint64_t)special << 48);
}

#define DCMD	(E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_IFCS | E1000E_TXD_CMD_RS)

static void
test_tx_checksums(void)
{
	struct world w;
	uint8_t f[256];
	size_t n;

	world_init(&w);
	world_up(&w, 8, 8);
	/* UDP, both checksums. */
	n = ip4_frame(f, peer, 17, 108, 128, 108);
	ram_write(&w, W_TXBUF, f, n);
	ctx_desc(&w, 0, 14, 24, 33, 34, 40, E1000E_TXD_TUCMD_IP, 0, 0, 0);
	data_desc(&w, 1, W_TXBUF, (unsigned)n, DCMD, 3, 0);
	/* TCP, the TCP checksum alone, in two buffers. */
	n = ip4_frame(f, peer, 6, 120, 140, 120);
	put16(f + 24, (uint16_t)~inet_csum_fold(inet_csum_add(0, f + 14, 20)));
	ram_write(&w, W_TXBUF + 2048, f, 60);
	ram_write(&w, W_TXBUF + 4096, f + 60, n - 60);
	ctx_desc(&w, 2, 14, 24, 33, 34, 50, 3, 0, 0, 0);
	data_desc(&w, 3, W_TXBUF + 2048, 60, DCMD & ~E1000E_TXD_CMD_EOP, 2, 0);
	data_desc(&w, 4, W_TXBUF + 4096, (unsigned)(n - 60), DCMD, 0, 0);
	/* Legacy IC: TCP sum from CSS 34 at CSO 50. */
	ram_write(&w, W_TXBUF + 6144, f, n);
	desc_raw(&w, 5, W_TXBUF + 6144, n | 50ull << 16 |
	    (uint64_t)(DCMD | E1000E_TXD_CMD_IC) << 24 | 34ull << 40);
	wr(&w, E1000E_TDT, 6);
	CHECK_EQ(w.nframes, 3);
	CHECK_EQ(w.flen[0], 142);
	CHECK(ip4_csum_ok(w.frame[0]));
	CHECK(l4_csum_ok(w.frame[0], w.flen[0]));
	CHECK(ip4_csum_ok(w.frame[1]));
	CHECK(l4_csum_ok(w.frame[1], w.flen[1]));
	CHECK(l4_csum_ok(w.frame[2], w.flen[2]));
	CHECK_EQ(tx_sta(&w, W_TXRING, 0) & E1000E_TXD_STA_DD, 0);
	CHECK_EQ(tx_sta(&w, W_TXRING, 1) & E1000E_TXD_STA_DD, 1);
	CHECK_EQ(rd(&w, E1000E_TSCTC), 0);
	/* Offsets past the frame: nothing inserted, the frame still goes. */
	w_clear_frames(&w);
	ram_write(&w, W_TXBUF, f, 60);
	ctx_desc(&w, 6, 14, 250, 0, 34, 240, 3, 0, 0, 0);
	data_desc(&w, 7, W_TXBUF, 60, DCMD, 3, 0);
	wr(&w, E1000E_TDT, 0);
	CHECK_EQ(w.nframes, 1);
	CHECK(w.nframes == 1 && memcmp(w.frame[0], f, 60) == 0);
	world_free(&w);
}

static void
test_tso(void)
{
	static uint8_t f[4096];
	struct world w;
	size_t n, i;
	uint8_t *s;

	world_init(&w);
	world_up(&w, 8, 8);
	/* 54-byte header, 2,500 bytes of payload, MSS 1000; as Linux
	 * prepares it: total length 0, IP checksum 0, TCP checksum the
	 * pseudo-header sum without the length. */
	n = ip4_frame(f, peer, 6, 2520, 0, 0);
	ram_write(&w, W_TXBUF, f, n);
	ctx_desc(&w, 0, 14, 24, 33, 34, 50, 7, 2500, 54, 1000);
	data_desc(&w, 1, W_TXBUF, 1054, (DCMD & ~E1000E_TXD_CMD_EOP) |
	    E1000E_TXD_CMD_TSE, 3, 0);
	data_desc(&w, 2, W_TXBUF + 1054, (unsigned)(n - 1054),
	    DCMD | E1000E_TXD_CMD_TSE, 3, 0);
	wr(&w, E1000E_TDT, 3);
	CHECK_EQ(w.nframes, 3);
	for (i = 0; i < 3 && i < w.nframes; i++) {
		s = w.frame[i];
		CHECK_EQ(w.flen[i], i < 2 ? 1054 : 554);
		CHECK_EQ(get16(s + 16), w.flen[i] - 14);
		CHECK_EQ(get16(s + 18), 0x1000 + i);
		CHECK(ip4_csum_ok(s));
		CHECK(l4_csum_ok(s, w.flen[i]));
		CHECK_EQ(get32(s + 38), get32(f + 38) + 1000 * i);
		CHECK_EQ(s[47], i < 2 ? 0x10 : 0x19);
		CHECK(memcmp(s + 54, f + 54 + 1000 * i, w.flen[i] - 54) == 0);
	}
	CHECK_EQ(rd(&w, E1000E_TSCTC), 1);
	CHECK_EQ(rd(&w, E1000E_GPTC), 3);
	/* A context it cannot use (MSS 0): counted in TSCTFC, nothing sent. */
	w_clear_frames(&w);
	ctx_desc(&w, 3, 14, 24, 33, 34, 50, 7, 2500, 54, 0);
	data_desc(&w, 4, W_TXBUF, (unsigned)n, DCMD | E1000E_TXD_CMD_TSE,
	    3, 0);
	wr(&w, E1000E_TDT, 5);
	CHECK_EQ(w.nframes, 0);
	CHECK_EQ(rd(&w, E1000E_TSCTFC), 1);
	/* More than 1,024 segments (MSS 2 for 2,520 bytes): refused. */
	ctx_desc(&w, 5, 14, 24, 33, 34, 50, 7, 2500, 54, 2);
	data_desc(&w, 6, W_TXBUF, (unsigned)n, DCMD | E1000E_TXD_CMD_TSE,
	    3, 0);
	wr(&w, E1000E_TDT, 7);
	CHECK_EQ(w.nframes, 0);
	CHECK_EQ(rd(&w, E1000E_TSCTFC), 1);
	/* A segmentation payload past the model's limit (17 x 4,000
	 * bytes): dropped whole, nothing sent. */
	wr(&w, E1000E_TDLEN, 32 * 16);
	wr(&w, E1000E_TDH, 0);
	wr(&w, E1000E_TDT, 0);
	ctx_desc(&w, 0, 14, 24, 33, 34, 50, 7, 2500, 54, 1000);
	for (i = 1; i <= 17; i++)
		data_desc(&w, (unsigned)i, W_TXBUF, 4000, i < 17 ?
		    E1000E_TXD_CMD_TSE : DCMD | E1000E_TXD_CMD_TSE, 3, 0);
	wr(&w, E1000E_TDT, 18);
	CHECK_EQ(rd(&w, E1000E_TDH), 18);
	CHECK_EQ(w.nframes, 0);
	world_free(&w);
}

static void
test_tx_vlan(void)
{
	struct world w;
	uint8_t f[64];

	world_init(&w);
	world_up(&w, 8, 8);
	make_frame(f, 60, peer, w.mac, 1);
	ram_write(&w, W_TXBUF, f, 60);
	/* VLE without CTRL.VME: no tag. */
	tx_desc(&w, W_TXRING, 0, W_TXBUF, 60, DCMD | E1000E_TXD_CMD_VLE);
	wr(&w, E1000E_TDT, 1);
	CHECK_EQ(w.flen[0], 60);
	wr(&w, E1000E_CTRL, rd(&w, E1000E_CTRL) | E1000E_CTRL_VME);
	data_desc(&w, 1, W_TXBUF, 60, DCMD | E1000E_TXD_CMD_VLE, 0, 0xE123);
	wr(&w, E1000E_TDT, 2);
	CHECK_EQ(w.nframes, 2);
	CHECK_EQ(w.flen[1], 64);
	CHECK_EQ(get16(w.frame[1] + 12), 0x8100);
	CHECK_EQ(get16(w.frame[1] + 14), 0xE123);
	CHECK(memcmp(w.frame[1] + 16, f + 12, 48) == 0);
	world_free(&w);
}

/* Deliver F and return the legacy write-back of descriptor I. */
static struct rxwb
deliver(struct world *w, const uint8_t *f, size_t len, unsigned i)
{
	e1000e_port(w->dev)->deliver(w->dev, f, len);
	return rx_wb(w, W_RXRING, i);
}

static void
test_rx_checksums(void)
{
	struct world w;
	uint8_t f[256];
	size_t n;
	struct rxwb r;

	world_init(&w);
	world_up(&w, 8, 8);
	n = ip4_frame(f, w.mac, 17, 40, 60, 40);
	put16(f + 24, (uint16_t)~inet_csum_fold(inet_csum_add(0, f + 14, 20)));
	put16(f + 40, 0);
	put16(f + 40, (uint16_t)~inet_csum_fold(inet_csum_add(
	    inet_csum_pseudo4(ip_a, ip_b, 17, 40), f + 34, 40)));
	r = deliver(&w, f, n, 0);
	CHECK_EQ(r.sta, E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP |
	    E1000E_RXD_STA_IPCS | E1000E_RXD_STA_TCPCS | E1000E_RXD_STA_UDPCS);
	CHECK_EQ(r.err, 0);
	f[60] ^= 1;
	r = deliver(&w, f, n, 1);
	CHECK_EQ(r.err, E1000E_RXD_ERR_TCPE);
	f[60] ^= 1;
	f[24] ^= 1;
	r = deliver(&w, f, n, 2);
	CHECK_EQ(r.err, E1000E_RXD_ERR_IPE);
	f[24] ^= 1;
	/* Offloads off: status DD|EOP only. */
	wr(&w, E1000E_RXCSUM, 0);
	r = deliver(&w, f, n, 3);
	CHECK_EQ(r.sta, E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP);
	world_free(&w);
}

static void
test_rx_vlan(void)
{
	struct world w;
	uint8_t f[80], d[16], b[64];
	struct rxwb r;

	world_init(&w);
	world_up(&w, 8, 8);
	make_frame(f, 64, w.mac, peer, 3);
	put16(f + 12, 0x8100);
	put16(f + 14, 0x2042);		/* VID 0x42 */
	/* No VME: the tag stays. */
	r = deliver(&w, f, 64, 0);
	CHECK_EQ(r.len, 64);
	CHECK_EQ(r.sta & E1000E_RXD_STA_VP, 0);
	/* VME: stripped, VP, the tag in special. */
	wr(&w, E1000E_CTRL, rd(&w, E1000E_CTRL) | E1000E_CTRL_VME);
	r = deliver(&w, f, 64, 1);
	CHECK_EQ(r.len, 60);
	CHECK(r.sta & E1000E_RXD_STA_VP);
	ram_read(&w, W_RXRING + 16 + 8, d, 8);
	CHECK_EQ(d[6] | d[7] << 8, 0x2042);
	ram_read(&w, W_RXBUF + 2048, b, 16);
	CHECK(memcmp(b + 12, f + 16, 4) == 0);
	/* VFE: VLAN 0x42 not in the table: dropped; in it: taken. */
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | E1000E_RCTL_VFE);
	CHECK(!e1000e_port(w.dev)->deliver(w.dev, f, 64));
	wr(&w, E1000E_VFTA + 4 * (0x42 >> 5), 1u << (0x42 & 31));
	CHECK(e1000e_port(w.dev)->deliver(w.dev, f, 64));
	world_free(&w);
}

/*
 * RSS with the key and flows of the published Toeplitz verification
 * suite: 66.9.149.187:2794 -> 161.142.100.80:1766 hashes to 0x323e8fc2
 * (addresses) and 0x51ccc178 (addresses and ports).
 */
static void
test_rss(void)
{
	static const uint8_t key[40] = {
		0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
		0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
		0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
		0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
		0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
	};
	static const uint8_t src[4] = { 66, 9, 149, 187 };
	static const uint8_t dst[4] = { 161, 142, 100, 80 };
	struct world w;
	uint8_t f[128], d[16];
	unsigned i;
	size_t n;

	world_init(&w);
	world_up(&w, 8, 8);
	for (i = 0; i < 10; i++)
		wr(&w, E1000E_RSSRK + 4 * i, (uint32_t)key[4 * i] |
		    (uint32_t)key[4 * i + 1] << 8 |
		    (uint32_t)key[4 * i + 2] << 16 |
		    (uint32_t)key[4 * i + 3] << 24);
	/* Queue 1's ring. */
	wr(&w, E1000E_RDBAL1, W_RXRING + 0x400);
	wr(&w, E1000E_RDLEN1, 8 * 16);
	for (i = 0; i < 8; i++)
		rx_desc(&w, W_RXRING + 0x400, i, W_RXBUF + 0x4000 + 2048u * i);
	wr(&w, E1000E_RDT1, 7);
	wr(&w, E1000E_RFCTL, E1000E_RFCTL_EXTEN);
	wr(&w, E1000E_RXCSUM, E1000E_RXCSUM_PCSD);
	wr(&w, E1000E_MRQC, E1000E_MRQC_RSS | E1000E_MRQC_IPV4 |
	    E1000E_MRQC_TCPIPV4);
	/* RETA entry 0x78 (0x51ccc178 & 0x7F) sends to queue 1. */
	wr(&w, E1000E_RETA + 0x78, 0x80);
	n = ip4_frame(f, w.mac, 6, 40, 60, 40);
	memcpy(f + 26, src, 4);
	memcpy(f + 30, dst, 4);
	put16(f + 34, 2794);
	put16(f + 36, 1766);
	e1000e_port(w.dev)->deliver(w.dev, f, n);
	CHECK_EQ(rd(&w, E1000E_RDH1), 1);
	CHECK_EQ(rd(&w, E1000E_RDH), 0);
	ram_read(&w, W_RXRING + 0x400, d, 16);
	CHECK_EQ(d[0] | d[1] << 8, 1 | 1 << 8);		/* IPv4 TCP, queue 1 */
	CHECK_EQ(e1000e_desc_get64(d) >> 32, 0x51ccc178);
	CHECK_EQ(d[12] | d[13] << 8, n);
	CHECK_EQ(d[8] & 3, 3);
	/* Addresses only: 0x323e8fc2, entry 0x42: queue 0. */
	wr(&w, E1000E_MRQC, E1000E_MRQC_RSS | E1000E_MRQC_IPV4);
	e1000e_port(w.dev)->deliver(w.dev, f, n);
	CHECK_EQ(rd(&w, E1000E_RDH), 1);
	ram_read(&w, W_RXRING, d, 16);
	CHECK_EQ(e1000e_desc_get64(d) >> 32, 0x323e8fc2);
	CHECK_EQ(d[0] | d[1] << 8, 2);
	/* Legacy descriptors: no RSS, queue 0. */
	wr(&w, E1000E_RFCTL, 0);
	e1000e_port(w.dev)->deliver(w.dev, f, n);
	CHECK_EQ(rd(&w, E1000E_RDH), 2);
	world_free(&w);
}

/* Packet split: the header alone in buffer 0, the payload after it; a
 * frame that is not IP fills the buffers in order; head in 16-byte units. */
static void
test_packet_split(void)
{
	struct world w;
	uint8_t f[600], d[32], b[64];
	unsigned i, k;
	size_t n;

	world_init(&w);
	world_up(&w, 8, 8);
	wr(&w, E1000E_RCTL, 0);
	wr(&w, E1000E_PSRCTL, 0x00010102);	/* 256, 1 KiB, 1 KiB, none */
	for (i = 0; i < 4; i++) {
		memset(d, 0, sizeof(d));
		for (k = 0; k < 4; k++)
			e1000e_desc_put64(d + 8 * k, W_RXBUF + 0x1000u * i +
			    0x400u * k);
		ram_write(&w, W_RXRING + 32u * i, d, sizeof(d));
	}
	wr(&w, E1000E_RDH, 0);
	wr(&w, E1000E_RDT, 6);
	wr(&w, E1000E_RFCTL, E1000E_RFCTL_EXTEN);
	wr(&w, E1000E_RCTL, E1000E_RCTL_EN | E1000E_RCTL_SECRC |
	    E1000E_RCTL_DTYP_PS);
	n = ip4_frame(f, w.mac, 17, 208, 228, 208);
	CHECK(e1000e_port(w.dev)->deliver(w.dev, f, n));
	CHECK_EQ(rd(&w, E1000E_RDH), 2);
	ram_read(&w, W_RXRING, d, sizeof(d));
	CHECK_EQ(d[12] | d[13] << 8, 42);			/* buffer 0 */
	CHECK_EQ(d[16] | d[17] << 8, 42 | 0x8000);		/* split */
	CHECK_EQ(d[18] | d[19] << 8, n - 42);			/* buffer 1 */
	CHECK_EQ(d[8] & 3, 3);
	ram_read(&w, W_RXBUF + 0x400, b, 16);
	CHECK(memcmp(b, f + 42, 16) == 0);
	/* Not IP: buffer 0 full, then buffer 1. */
	make_frame(f, 300, w.mac, peer, 5);
	CHECK(e1000e_port(w.dev)->deliver(w.dev, f, 300));
	ram_read(&w, W_RXRING + 32, d, sizeof(d));
	CHECK_EQ(d[12] | d[13] << 8, 256);
	CHECK_EQ(d[16] | d[17] << 8, 0);
	CHECK_EQ(d[18] | d[19] << 8, 44);
	/* Too little room (one descriptor of 2.25 KiB left): missed. */
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | E1000E_RCTL_LPE);
	make_frame(f, 600, w.mac, peer, 6);
	CHECK(e1000e_port(w.dev)->deliver(w.dev, f, 600));
	CHECK_EQ(rd(&w, E1000E_RDH), 6);
	CHECK(!e1000e_port(w.dev)->deliver(w.dev, f, 600));
	CHECK_EQ(rd(&w, E1000E_RNBC), 1);
	world_free(&w);
}

/* The offloads' parser: what it finds, and what it refuses. */
static void
test_parse(void)
{
	uint8_t f[256];
	struct e1000e_pkt p;
	size_t n;

	/* VLAN, IPv4, TCP. */
	n = ip4_frame(f + 4, peer, 6, 40, 60, 40) + 4;
	memmove(f, f + 4, 12);
	put16(f + 12, 0x8100);
	put16(f + 14, 0x0123);
	put16(f + 16, 0x0800);
	e1000e_pkt_parse(f, n, 0x8100, &p);
	CHECK(p.vlan && p.tci == 0x0123 && p.ip4 && p.tcp);
	CHECK_EQ(p.l3, 18);
	CHECK_EQ(p.l4, 38);
	CHECK_EQ(p.l5, 58);
	/* A header longer than the frame: not IP. */
	e1000e_pkt_parse(f, 30, 0x8100, &p);
	CHECK(!p.ip4 && !p.tcp);
	/* A fragment: IP, no TCP. */
	f[4 + 20] = 0x20;
	e1000e_pkt_parse(f, n, 0x8100, &p);
	CHECK(p.ip4 && p.frag && !p.tcp);
	/* IPv6: destination options with a home address, a type 2 routing
	 * header, UDP. */
	memset(f, 0, sizeof(f));
	put16(f + 12, 0x86DD);
	f[14] = 0x60;
	put16(f + 18, 24 + 24 + 8);
	f[20] = 60;
	f[54] = 43;			/* dest opts: next, len 2 (24 bytes) */
	f[55] = 2;
	f[56] = 201;
	f[57] = 16;
	f[58] = 0xAA;
	f[74] = 1;			/* PadN */
	f[75] = 2;
	f[78] = 17;		/* routing: next, len 2, type 2, left 1 */
	f[79] = 2;
	f[80] = 2;
	f[81] = 1;
	f[86] = 0xBB;
	e1000e_pkt_parse(f, 14 + 40 + 56, 0x8100, &p);
	CHECK(p.ip6 && p.ip6_ext && p.udp);
	CHECK_EQ(p.ex_src, 58);
	CHECK_EQ(p.ex_dst, 86);
	CHECK_EQ(p.l4, 102);
	/* Extension headers that run past the datagram: not parsed on. */
	put16(f + 18, 30);
	e1000e_pkt_parse(f, 14 + 40 + 56, 0x8100, &p);
	CHECK(!p.udp);
}

int
main(void)
{
	test_tx_checksums();
	test_tso();
	test_tx_vlan();
	test_rx_checksums();
	test_rx_vlan();
	test_rss();
	test_packet_split();
	test_parse();
	return (check_done("test_e1000e_offload"));
}
