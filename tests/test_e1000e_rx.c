/*
 * test_e1000e_rx.c — the receive path: address filtering (unicast
 * match/mismatch, receive address table, broadcast, promiscuous,
 * multicast and the MTA hash), the RX ring (wrap, write-back, buffer
 * sizes, multi-descriptor frames, null descriptors), FCS, padding,
 * missed frames and the receive interrupts.
 */
#include "test_e1000e_world.h"

static const uint8_t peer[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
static const uint8_t bcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

static bool
deliver(struct world *w, const uint8_t *f, size_t len)
{
	struct netport *p = e1000e_port(w->dev);

	return (p->deliver(p->nic, f, len));
}

/* Send one frame to DST and report whether the NIC kept it. */
static bool
accepts(struct world *w, const uint8_t dst[6])
{
	uint8_t f[64];

	make_frame(f, sizeof(f), dst, peer, 0);
	return (deliver(w, f, sizeof(f)));
}

static void
test_unicast(void)
{
	struct world w;
	struct e1000e_counters c;
	struct rxwb r;
	uint8_t f[200], got[200];

	world_init(&w);
	world_up(&w, 8, 8);
	make_frame(f, sizeof(f), w.mac, peer, 4);
	CHECK(deliver(&w, f, sizeof(f)));
	r = rx_wb(&w, W_RXRING, 0);
	CHECK_EQ(r.len, 200);
	CHECK_EQ(r.sta, E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP);
	CHECK_EQ(r.err, 0);
	ram_read(&w, W_RXBUF, got, sizeof(got));
	CHECK(memcmp(got, f, sizeof(f)) == 0);
	CHECK_EQ(rd(&w, E1000E_RDH), 1);
	/* Another station's address: refused, nothing written. */
	make_frame(f, sizeof(f), other, peer, 4);
	CHECK(!deliver(&w, f, sizeof(f)));
	CHECK_EQ(rx_wb(&w, W_RXRING, 1).sta, 0);
	CHECK_EQ(rd(&w, E1000E_RDH), 1);
	CHECK_EQ(rd(&w, E1000E_GPRC), 1);
	CHECK_EQ(rd(&w, E1000E_TPR), 2);
	e1000e_get_counters(w.dev, &c);
	CHECK_EQ(c.rx_filtered, 1);
	CHECK_EQ(c.rx_frames, 1);
	/* Other entries of the receive address table, when valid. */
	wr(&w, E1000E_RAL(5), 0x00000002);
	wr(&w, E1000E_RAH(5), 0x9900);
	CHECK(!accepts(&w, other));
	wr(&w, E1000E_RAH(5), 0x9900 | E1000E_RAH_AV);
	CHECK(accepts(&w, other));
	/* ASEL 01 matches source addresses, not the destination. */
	wr(&w, E1000E_RAH(5), 0x19900 | E1000E_RAH_AV);
	CHECK(!accepts(&w, other));
	/* Clearing AV on entry 0 refuses our own address too. */
	wr(&w, E1000E_RAH(0), rd(&w, E1000E_RAH(0)) & ~E1000E_RAH_AV);
	CHECK(!accepts(&w, w.mac));
	/* Unicast promiscuous takes everything unicast. */
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | E1000E_RCTL_UPE);
	CHECK(accepts(&w, other));
	CHECK(accepts(&w, w.mac));
	world_free(&w);
}

static void
test_broadcast(void)
{
	struct world w;

	world_init(&w);
	world_up(&w, 8, 8);
	CHECK(accepts(&w, bcast));
	CHECK_EQ(rd(&w, E1000E_BPRC), 1);
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) & ~E1000E_RCTL_BAM);
	CHECK(!accepts(&w, bcast));
	/* Neither promiscuous mode takes broadcasts without BAM. */
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | E1000E_RCTL_UPE);
	CHECK(!accepts(&w, bcast));
	world_free(&w);
}

/* The hash the datasheet describes: 12 bits of the 48-bit destination
 * (first byte least significant) starting at bit 36, 35, 34 or 32. */
static unsigned
mta_hash(const uint8_t *da, unsigned mo)
{
	static const unsigned lsb[4] = { 36, 35, 34, 32 };
	uint64_t v = 0;
	int i;

	for (i = 5; i >= 0; i--)
		v = v << 8 | da[i];
	return ((unsigned)(v >> lsb[mo]) & 0xFFF);
}

static void
test_multicast(void)
{
	struct world w;
	uint8_t m[6] = { 0x01, 0x00, 0x5E, 0x7F, 0xA3, 0xC5 };
	unsigned mo, h, i;

	world_init(&w);
	world_up(&w, 64, 64);
	wr(&w, E1000E_RDT, 63);
	CHECK(!accepts(&w, m));
	/* MPE takes every multicast. */
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | E1000E_RCTL_MPE);
	CHECK(accepts(&w, m));
	CHECK_EQ(rd(&w, E1000E_MPRC), 1);
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) & ~E1000E_RCTL_MPE);
	/* The MTA bit the hash selects, for each RCTL.MO. */
	for (mo = 0; mo < 4; mo++) {
		wr(&w, E1000E_RCTL, (rd(&w, E1000E_RCTL) &
		    ~E1000E_RCTL_MO_MASK) | mo << E1000E_RCTL_MO_SHIFT);
		h = mta_hash(m, mo);
		for (i = 0; i < 128; i++)
			wr(&w, E1000E_MTA + 4 * i, 0);
		CHECK(!accepts(&w, m));
		wr(&w, E1000E_MTA + 4 * (h >> 5), 1u << (h & 31));
		CHECK(accepts(&w, m));
		/* Every other bit set, ours clear: refused. */
		for (i = 0; i < 128; i++)
			wr(&w, E1000E_MTA + 4 * i, 0xFFFFFFFF);
		wr(&w, E1000E_MTA + 4 * (h >> 5),
		    ~(1u << (h & 31)));
		CHECK(!accepts(&w, m));
	}
	/* An exact RA entry takes a multicast address too. */
	for (i = 0; i < 128; i++)
		wr(&w, E1000E_MTA + 4 * i, 0);
	wr(&w, E1000E_RAL(1), 0x7F5E0001);
	wr(&w, E1000E_RAH(1), 0xC5A3 | E1000E_RAH_AV);
	CHECK(accepts(&w, m));
	/* The MTA does not apply to unicast. */
	for (i = 0; i < 128; i++)
		wr(&w, E1000E_MTA + 4 * i, 0xFFFFFFFF);
	CHECK(!accepts(&w, other));
	world_free(&w);
}

/* Software's side: take the frame at slot i, recycle the buffer. */
static void
recycle(struct world *w, unsigned i, unsigned n)
{
	rx_desc(w, W_RXRING, i, W_RXBUF + 2048u * i);
	wr(w, E1000E_RDT, i);
	(void)n;
}

static void
test_ring_wrap(void)
{
	struct world w;
	struct rxwb r;
	uint8_t f[128], got[128];
	unsigned i, slot;

	world_init(&w);
	world_up(&w, 8, 8);
	for (i = 0; i < 30; i++) {
		slot = i % 8;
		make_frame(f, sizeof(f), w.mac, peer, (uint8_t)i);
		CHECK(deliver(&w, f, sizeof(f)));
		r = rx_wb(&w, W_RXRING, slot);
		CHECK_EQ(r.sta, E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP);
		CHECK_EQ(r.len, sizeof(f));
		ram_read(&w, W_RXBUF + 2048u * slot, got, sizeof(got));
		CHECK(memcmp(got, f, sizeof(f)) == 0);
		CHECK_EQ(rd(&w, E1000E_RDH), (i + 1) % 8);
		recycle(&w, slot, 8);
	}
	CHECK_EQ(rd(&w, E1000E_GPRC), 30);
	CHECK_EQ(rd(&w, E1000E_MPC), 0);
	world_free(&w);
}

static void
test_no_buffer(void)
{
	struct world w;
	struct e1000e_counters c;
	unsigned i;

	world_init(&w);
	world_up(&w, 8, 8);
	wr(&w, E1000E_IMS, E1000E_ICR_RXO | E1000E_ICR_RXT0);
	/* Seven free descriptors (RDT = 7): seven frames, then misses. */
	for (i = 0; i < 7; i++)
		CHECK(accepts(&w, w.mac));
	CHECK_EQ(rd(&w, E1000E_RDH), 7);
	(void)rd(&w, E1000E_ICR);
	CHECK(!accepts(&w, w.mac));
	CHECK(!accepts(&w, w.mac));
	CHECK_EQ(rd(&w, E1000E_MPC), 2);
	CHECK_EQ(rd(&w, E1000E_RNBC), 2);
	CHECK_EQ(rd(&w, E1000E_MPC), 0);
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_RXO | E1000E_ICR_INT_ASSERTED);
	CHECK_EQ(rd(&w, E1000E_RDH), 7);
	e1000e_get_counters(w.dev, &c);
	CHECK_EQ(c.rx_no_buffer, 2);
	/* Giving a buffer back makes room again. */
	recycle(&w, 7, 8);
	recycle(&w, 0, 8);
	CHECK(accepts(&w, w.mac));
	CHECK_EQ(rd(&w, E1000E_RDH), 0);
	world_free(&w);
}

static void
test_interrupt_causes(void)
{
	struct world w;
	uint32_t icr;
	unsigned i;

	world_init(&w);
	world_up(&w, 8, 8);
	wr(&w, E1000E_IMS, E1000E_ICR_RXT0);
	/* RDMTS 00: RXDMT0 when free descriptors fall to half the ring. */
	for (i = 0; i < 5; i++) {
		CHECK(accepts(&w, w.mac));
		CHECK(e1000e_irq_level(w.dev));
		icr = rd(&w, E1000E_ICR);
		CHECK(icr & E1000E_ICR_RXT0);
		/* free: 7 -> 6, 5, 4 (hit), 3, 2 */
		CHECK_EQ((icr & E1000E_ICR_RXDMT0) != 0, i == 2);
		CHECK(!e1000e_irq_level(w.dev));
	}
	world_free(&w);
}

static void
test_buffer_sizes(void)
{
	struct world w;
	struct rxwb r;
	uint8_t f[1000], got[1000];
	unsigned i;

	world_init(&w);
	world_up(&w, 8, 8);
	/* BSIZE 11 without BSEX: 256-byte buffers; 1000 bytes take four. */
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | (3u << 16));
	make_frame(f, sizeof(f), w.mac, peer, 6);
	CHECK(deliver(&w, f, sizeof(f)));
	for (i = 0; i < 4; i++) {
		r = rx_wb(&w, W_RXRING, i);
		CHECK_EQ(r.len, i < 3 ? 256 : 232);
		CHECK_EQ(r.sta, E1000E_RXD_STA_DD |
		    (i == 3 ? E1000E_RXD_STA_EOP : 0));
		ram_read(&w, W_RXBUF + 2048u * i, got, r.len);
		CHECK(memcmp(got, f + 256 * i, r.len) == 0);
	}
	CHECK_EQ(rd(&w, E1000E_RDH), 4);
	/* Not enough descriptors for the whole frame: missed, not split. */
	CHECK(!deliver(&w, f, sizeof(f)));
	CHECK_EQ(rd(&w, E1000E_RDH), 4);
	CHECK_EQ(rd(&w, E1000E_MPC), 1);
	world_free(&w);

	/* BSEX with BSIZE 11: 4096 bytes; a 3000-byte frame (LPE) fits. */
	world_init(&w);
	world_up(&w, 8, 8);
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | E1000E_RCTL_BSEX |
	    (3u << 16) | E1000E_RCTL_LPE);
	{
		static uint8_t big[3000];

		make_frame(big, sizeof(big), w.mac, peer, 8);
		CHECK(deliver(&w, big, sizeof(big)));
		r = rx_wb(&w, W_RXRING, 0);
		CHECK_EQ(r.len, 3000);
		CHECK_EQ(r.sta, E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP);
		CHECK_EQ(rd(&w, E1000E_RDH), 1);
	}
	world_free(&w);
}

/* Bitwise reference CRC-32 (IEEE 802.3). */
static uint32_t
ref_crc(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFF;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		c ^= p[i];
		for (b = 0; b < 8; b++)
			c = (c & 1) ? (c >> 1) ^ 0xEDB88320 : c >> 1;
	}
	return (~c);
}

static void
test_fcs_and_padding(void)
{
	struct world w;
	struct rxwb r;
	uint8_t f[100], got[104], z[18];
	uint32_t crc;

	world_init(&w);
	world_up(&w, 8, 8);
	CHECK_EQ(ref_crc((const uint8_t *)"123456789", 9), 0xCBF43926);
	/* SECRC clear: the FCS is stored and counted in the length. */
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) & ~E1000E_RCTL_SECRC);
	make_frame(f, sizeof(f), w.mac, peer, 2);
	CHECK(deliver(&w, f, sizeof(f)));
	r = rx_wb(&w, W_RXRING, 0);
	CHECK_EQ(r.len, 104);
	ram_read(&w, W_RXBUF, got, 104);
	CHECK(memcmp(got, f, 100) == 0);
	crc = ref_crc(f, 100);
	CHECK_EQ(got[100] | got[101] << 8 | got[102] << 16 |
	    (uint32_t)got[103] << 24, crc);
	/* A 42-byte frame arrives padded to 60. */
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | E1000E_RCTL_SECRC);
	make_frame(f, 42, w.mac, peer, 2);
	ram_fill(&w, W_RXBUF + 2048, 0xEE, 64);
	CHECK(deliver(&w, f, 42));
	r = rx_wb(&w, W_RXRING, 1);
	CHECK_EQ(r.len, 60);
	ram_read(&w, W_RXBUF + 2048, got, 60);
	memset(z, 0, sizeof(z));
	CHECK(memcmp(got, f, 42) == 0);
	CHECK(memcmp(got + 42, z, 18) == 0);
	CHECK_EQ(rd(&w, E1000E_PRC64), 1);
	/* Under 14 bytes is no Ethernet frame. */
	CHECK(!deliver(&w, f, 13));
	CHECK(!deliver(&w, f, 0));
	CHECK(!e1000e_port(w.dev)->deliver(w.dev, NULL, 60));
	world_free(&w);
}

static void
test_long_frames(void)
{
	static uint8_t f[16385];
	struct world w;

	world_init(&w);
	world_up(&w, 16, 16);
	wr(&w, E1000E_RDT, 15);
	make_frame(f, sizeof(f), w.mac, peer, 1);
	/* 1522 bytes is the limit without LPE (a VLAN-tagged frame). */
	CHECK(deliver(&w, f, 1522));
	CHECK(!deliver(&w, f, 1523));
	CHECK_EQ(rd(&w, E1000E_ROC), 1);
	/* LPE: up to 16384. */
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | E1000E_RCTL_LPE);
	CHECK(deliver(&w, f, 9000));
	CHECK(!deliver(&w, f, 16385));
	/* SBP stores oversized frames even without LPE. */
	wr(&w, E1000E_RCTL, (rd(&w, E1000E_RCTL) & ~E1000E_RCTL_LPE) |
	    E1000E_RCTL_SBP);
	CHECK(deliver(&w, f, 2000));
	world_free(&w);
}

static void
test_null_descriptor(void)
{
	struct world w;
	struct rxwb r;
	uint8_t d[16];

	world_init(&w);
	world_up(&w, 8, 8);
	/* Descriptor 0 has no buffer: DD only, the frame goes to 1. */
	memset(d, 0, sizeof(d));
	d[8] = 0x34;
	d[9] = 0x12;
	ram_write(&w, W_RXRING, d, sizeof(d));
	CHECK(accepts(&w, w.mac));
	r = rx_wb(&w, W_RXRING, 0);
	CHECK_EQ(r.sta, E1000E_RXD_STA_DD);
	CHECK_EQ(r.len, 0x1234);
	r = rx_wb(&w, W_RXRING, 1);
	CHECK_EQ(r.sta, E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP);
	CHECK_EQ(r.len, 64);
	CHECK_EQ(rd(&w, E1000E_RDH), 2);
	world_free(&w);
}

static void
test_disabled(void)
{
	struct world w;
	struct e1000e_counters c;

	world_init(&w);
	world_up(&w, 8, 8);
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) & ~E1000E_RCTL_EN);
	CHECK(!accepts(&w, w.mac));
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | E1000E_RCTL_EN);
	e1000e_port(w.dev)->carrier = false;
	CHECK(!accepts(&w, w.mac));
	CHECK_EQ(rd(&w, E1000E_RDH), 0);
	CHECK_EQ(rd(&w, E1000E_TPR), 0);
	e1000e_get_counters(w.dev, &c);
	CHECK_EQ(c.rx_disabled, 2);
	e1000e_port(w.dev)->carrier = true;
	CHECK(accepts(&w, w.mac));
	world_free(&w);
}

int
main(void)
{
	test_unicast();
	test_broadcast();
	test_multicast();
	test_ring_wrap();
	test_no_buffer();
	test_interrupt_causes();
	test_buffer_sizes();
	test_fcs_and_padding();
	test_long_frames();
	test_null_descriptor();
	test_disabled();
	return (check_done("test_e1000e_rx"));
}
