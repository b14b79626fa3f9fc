/*
 * test_e1000e_tx.c — the transmit rings: head/tail semantics and wrap,
 * frames gathered across descriptors until EOP, DD write-back only when
 * RS asks, TXDW/TXQE, short-frame padding (PSP), the enables, statistics,
 * and queue 1.
 */
#include "test_e1000e_world.h"

static const uint8_t peer[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t bcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
static const uint8_t mcast[6] = { 0x01, 0x00, 0x5E, 0, 0, 1 };

static void
test_one_frame(void)
{
	struct world w;
	uint8_t f[100];

	world_init(&w);
	world_up(&w, 8, 8);
	wr(&w, E1000E_IMS, E1000E_ICR_TXDW);
	make_frame(f, sizeof(f), peer, w.mac, 7);
	ram_write(&w, W_TXBUF, f, sizeof(f));
	tx_desc(&w, W_TXRING, 0, W_TXBUF, sizeof(f),
	    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_IFCS | E1000E_TXD_CMD_RS);
	CHECK_EQ(tx_sta(&w, W_TXRING, 0), 0);
	wr(&w, E1000E_TDT, 1);
	/* Sent before the doorbell write returns. */
	CHECK_EQ(w.nframes, 1);
	CHECK_EQ(w.flen[0], sizeof(f));
	CHECK(memcmp(w.frame[0], f, sizeof(f)) == 0);
	CHECK_EQ(rd(&w, E1000E_TDH), 1);
	CHECK_EQ(tx_sta(&w, W_TXRING, 0), E1000E_TXD_STA_DD);
	CHECK(e1000e_irq_level(w.dev));
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_TXDW | E1000E_ICR_TXQE |
	    E1000E_ICR_INT_ASSERTED);
	/* Statistics, counting the FCS. */
	CHECK_EQ(rd(&w, E1000E_TPT), 1);
	CHECK_EQ(rd(&w, E1000E_GPTC), 1);
	CHECK_EQ(rd(&w, E1000E_GOTCL), 104);
	CHECK_EQ(rd(&w, E1000E_GOTCH), 0);
	CHECK_EQ(rd(&w, E1000E_TOTL), 104);
	CHECK_EQ(rd(&w, E1000E_PTC127), 1);
	CHECK_EQ(rd(&w, E1000E_BPTC), 0);
	CHECK_EQ(rd(&w, E1000E_TPT), 0);
	world_free(&w);
}

static void
test_gather_and_rs(void)
{
	struct world w;
	uint8_t f[3000];

	world_init(&w);
	world_up(&w, 8, 8);
	make_frame(f, sizeof(f), bcast, w.mac, 3);
	ram_write(&w, W_TXBUF, f, 1000);
	ram_write(&w, W_TXBUF + 0x2000, f + 1000, 1500);
	ram_write(&w, W_TXBUF + 0x4000, f + 2500, 500);
	/* Three buffers, one frame; RS only on the last. */
	tx_desc(&w, W_TXRING, 0, W_TXBUF, 1000, 0);
	tx_desc(&w, W_TXRING, 1, W_TXBUF + 0x2000, 1500, 0);
	tx_desc(&w, W_TXRING, 2, W_TXBUF + 0x4000, 500,
	    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS);
	/* Tail short of EOP: the frame waits for the rest. */
	wr(&w, E1000E_TDT, 2);
	CHECK_EQ(w.nframes, 0);
	CHECK_EQ(rd(&w, E1000E_TDH), 2);
	wr(&w, E1000E_TDT, 3);
	CHECK_EQ(w.nframes, 1);
	CHECK_EQ(w.flen[0], 3000);
	CHECK(memcmp(w.frame[0], f, 3000) == 0);
	CHECK_EQ(tx_sta(&w, W_TXRING, 0), 0);
	CHECK_EQ(tx_sta(&w, W_TXRING, 1), 0);
	CHECK_EQ(tx_sta(&w, W_TXRING, 2), E1000E_TXD_STA_DD);
	CHECK_EQ(rd(&w, E1000E_BPTC), 1);
	CHECK_EQ(rd(&w, E1000E_PTC1522), 1);
	/* Without RS nothing is written back and TXDW stays clear. */
	(void)rd(&w, E1000E_ICR);
	ram_write(&w, W_TXBUF, f, 60);
	tx_desc(&w, W_TXRING, 3, W_TXBUF, 60, E1000E_TXD_CMD_EOP);
	wr(&w, E1000E_TDT, 4);
	CHECK_EQ(w.nframes, 2);
	CHECK_EQ(tx_sta(&w, W_TXRING, 3), 0);
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_TXQE | E1000E_ICR_INT_ASSERTED);
	world_free(&w);
}

static void
test_wrap(void)
{
	struct world w;
	uint8_t f[64];
	unsigned i, slot;

	world_init(&w);
	world_up(&w, 8, 8);
	/* 20 frames through an 8-descriptor ring, 3 at a time. */
	for (i = 0; i < 20; i++) {
		slot = i % 8;
		make_frame(f, sizeof(f), peer, w.mac, (uint8_t)i);
		ram_write(&w, W_TXBUF + 2048u * slot, f, sizeof(f));
		tx_desc(&w, W_TXRING, slot, W_TXBUF + 2048u * slot,
		    sizeof(f), E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS);
		if (i % 3 == 2 || i == 19)
			wr(&w, E1000E_TDT, (i + 1) % 8);
	}
	CHECK_EQ(w.nframes, 20);
	CHECK_EQ(rd(&w, E1000E_TDH), 20 % 8);
	for (i = 0; i < W_MAXFRAMES; i++)
		CHECK_EQ(w.frame[i][20], (uint8_t)(i + 20));
	CHECK_EQ(rd(&w, E1000E_TPT), 20);
	/* Head equal to tail: an empty ring, a doorbell sends nothing. */
	wr(&w, E1000E_TDT, rd(&w, E1000E_TDT));
	CHECK_EQ(w.nframes, 20);
	world_free(&w);
}

static void
test_padding(void)
{
	struct world w;
	uint8_t f[60];

	world_init(&w);
	world_up(&w, 8, 8);
	make_frame(f, 42, peer, w.mac, 9);
	ram_write(&w, W_TXBUF, f, 42);
	ram_fill(&w, W_TXBUF + 42, 0xEE, 100);
	tx_desc(&w, W_TXRING, 0, W_TXBUF, 42, E1000E_TXD_CMD_EOP);
	wr(&w, E1000E_TDT, 1);
	/* PSP: padded with zeros to 60 bytes. */
	CHECK_EQ(w.nframes, 1);
	CHECK_EQ(w.flen[0], 60);
	CHECK(memcmp(w.frame[0], f, 42) == 0);
	memset(f, 0, sizeof(f));
	CHECK(memcmp(w.frame[0] + 42, f, 18) == 0);
	CHECK_EQ(rd(&w, E1000E_PTC64), 1);
	/* Without PSP the short frame goes out as it is. */
	wr(&w, E1000E_TCTL, E1000E_TCTL_EN);
	tx_desc(&w, W_TXRING, 1, W_TXBUF, 42, E1000E_TXD_CMD_EOP);
	wr(&w, E1000E_TDT, 2);
	CHECK_EQ(w.nframes, 2);
	CHECK_EQ(w.flen[1], 42);
	world_free(&w);
}

static void
test_enables(void)
{
	struct world w;
	struct e1000e_counters c;
	uint8_t f[80];

	world_init(&w);
	world_up(&w, 8, 8);
	wr(&w, E1000E_TCTL, 0);
	make_frame(f, sizeof(f), mcast, w.mac, 1);
	ram_write(&w, W_TXBUF, f, sizeof(f));
	tx_desc(&w, W_TXRING, 0, W_TXBUF, sizeof(f),
	    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS);
	/* TCTL.EN clear: the tail moves, nothing is fetched. */
	wr(&w, E1000E_TDT, 1);
	CHECK_EQ(w.nframes, 0);
	CHECK_EQ(rd(&w, E1000E_TDH), 0);
	CHECK_EQ(tx_sta(&w, W_TXRING, 0), 0);
	/* Enabling the transmitter sends what is pending. */
	wr(&w, E1000E_TCTL, E1000E_TCTL_EN);
	CHECK_EQ(w.nframes, 1);
	CHECK_EQ(rd(&w, E1000E_TDH), 1);
	CHECK_EQ(rd(&w, E1000E_MPTC), 1);
	CHECK_EQ(rd(&w, E1000E_TPT), 1);
	/* Link down (SLU clear): descriptors complete, frame lost. */
	wr(&w, E1000E_CTRL, rd(&w, E1000E_CTRL) & ~E1000E_CTRL_SLU);
	tx_desc(&w, W_TXRING, 1, W_TXBUF, sizeof(f),
	    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS);
	wr(&w, E1000E_TDT, 2);
	CHECK_EQ(w.nframes, 1);
	CHECK_EQ(tx_sta(&w, W_TXRING, 1), E1000E_TXD_STA_DD);
	CHECK_EQ(rd(&w, E1000E_TPT), 0);
	e1000e_get_counters(w.dev, &c);
	CHECK_EQ(c.tx_no_wire, 1);
	CHECK_EQ(c.tx_frames, 1);
	CHECK_EQ(c.tx_descs, 2);
	/* TARC0.ENABLE clear: queue 0 does not run. */
	wr(&w, E1000E_CTRL, rd(&w, E1000E_CTRL) | E1000E_CTRL_SLU);
	wr(&w, E1000E_TARC0, 3);
	tx_desc(&w, W_TXRING, 2, W_TXBUF, sizeof(f), E1000E_TXD_CMD_EOP);
	wr(&w, E1000E_TDT, 3);
	CHECK_EQ(rd(&w, E1000E_TDH), 2);
	wr(&w, E1000E_TARC0, 0x403);
	wr(&w, E1000E_TDT, 3);
	CHECK_EQ(rd(&w, E1000E_TDH), 3);
	CHECK_EQ(w.nframes, 2);
	world_free(&w);
}

static void
test_queue1_and_context(void)
{
	struct world w;
	uint8_t f[70], d[16];

	world_init(&w);
	world_up(&w, 8, 8);
	make_frame(f, sizeof(f), peer, w.mac, 5);
	ram_write(&w, W_TXBUF, f, sizeof(f));
	/* Queue 1 has its own ring and moves traffic too. */
	wr(&w, E1000E_TDBAL1, W_TXRING + 0x1000);
	wr(&w, E1000E_TDLEN1, 128);
	tx_desc(&w, W_TXRING + 0x1000, 0, W_TXBUF, sizeof(f),
	    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS);
	wr(&w, E1000E_TDT1, 1);
	CHECK_EQ(w.nframes, 1);
	CHECK_EQ(rd(&w, E1000E_TDH1), 1);
	CHECK_EQ(rd(&w, E1000E_TDH), 0);
	CHECK_EQ(tx_sta(&w, W_TXRING + 0x1000, 0), E1000E_TXD_STA_DD);
	/* A context descriptor (DEXT, DTYP 0) carries no data; an extended
	 * data descriptor (DTYP 1) carries its buffer. */
	memset(d, 0, sizeof(d));
	d[11] = E1000E_TXD_CMD_DEXT | E1000E_TXD_CMD_RS;
	ram_write(&w, W_TXRING, d, 16);
	memset(d, 0, sizeof(d));
	d[0] = (uint8_t)W_TXBUF;
	d[1] = (uint8_t)(W_TXBUF >> 8);
	d[2] = (uint8_t)(W_TXBUF >> 16);
	d[8] = sizeof(f);
	d[10] = 0x10;		/* DTYP = 1 */
	d[11] = E1000E_TXD_CMD_DEXT | E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS;
	ram_write(&w, W_TXRING + 16, d, 16);
	wr(&w, E1000E_TDT, 2);
	CHECK_EQ(w.nframes, 2);
	CHECK_EQ(w.flen[1], sizeof(f));
	CHECK(memcmp(w.frame[1], f, sizeof(f)) == 0);
	CHECK_EQ(tx_sta(&w, W_TXRING, 0), E1000E_TXD_STA_DD);
	CHECK_EQ(tx_sta(&w, W_TXRING, 1), E1000E_TXD_STA_DD);
	world_free(&w);
}

int
main(void)
{
	test_one_frame();
	test_gather_and_rs();
	test_wrap();
	test_padding();
	test_enables();
	test_queue1_and_context();
	return (check_done("test_e1000e_tx"));
}
