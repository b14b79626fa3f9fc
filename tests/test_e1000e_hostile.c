/*
 * test_e1000e_hostile.c — what a hostile or broken driver can make the
 * model do: heads, tails and lengths outside the ring, descriptors and
 * buffers outside the DMA windows (DMA faults: counted, reported,
 * nothing outside the windows touched), zero and oversized
 * lengths, callbacks that re-enter the device, and random programs.
 */
#include "test_e1000e_world.h"

static const uint8_t peer[6] = { 0x02, 0, 0, 0, 0, 0x01 };

static bool
deliver(struct world *w, const uint8_t *f, size_t len)
{
	return (e1000e_port(w->dev)->deliver(w->dev, f, len));
}

static struct e1000e_counters
counters(struct world *w)
{
	struct e1000e_counters c;

	e1000e_get_counters(w->dev, &c);
	return (c);
}

static void
test_tx_ring_bounds(void)
{
	struct world w;
	uint8_t f[64];

	world_init(&w);
	world_up(&w, 8, 8);
	make_frame(f, sizeof(f), peer, w.mac, 0);
	ram_write(&w, W_TXBUF, f, sizeof(f));
	tx_desc(&w, W_TXRING, 0, W_TXBUF, 64, E1000E_TXD_CMD_EOP);
	/* Tail past the end of the ring: nothing fetched. */
	wr(&w, E1000E_TDT, 8);
	CHECK_EQ(w.nframes, 0);
	CHECK_EQ(rd(&w, E1000E_TDH), 0);
	CHECK_EQ(counters(&w).ring_errors, 1);
	/* Head past the end. */
	wr(&w, E1000E_TDH, 200);
	wr(&w, E1000E_TDT, 1);
	CHECK_EQ(w.nframes, 0);
	CHECK_EQ(rd(&w, E1000E_TDH), 200);
	CHECK_EQ(counters(&w).ring_errors, 2);
	/* No ring at all (TDLEN 0): a doorbell is a no-op. */
	wr(&w, E1000E_TDH, 0);
	wr(&w, E1000E_TDLEN, 0);
	wr(&w, E1000E_TDT, 1);
	CHECK_EQ(w.nframes, 0);
	CHECK_EQ(counters(&w).ring_errors, 2);
	/* A ring that would wrap the 64-bit device address space. */
	wr(&w, E1000E_TDLEN, 128);
	wr(&w, E1000E_TDBAH, 0xFFFFFFFF);
	wr(&w, E1000E_TDBAL, 0xFFFFFF90);
	wr(&w, E1000E_TDT, 1);
	CHECK_EQ(counters(&w).ring_errors, 3);
	CHECK_EQ(counters(&w).dma_faults, 0);
	/* Just below the top: fetched, and a DMA fault. */
	wr(&w, E1000E_TDBAL, 0xFFFFFF00);
	wr(&w, E1000E_TDT, 1);
	CHECK_EQ(counters(&w).dma_faults, 1);
	CHECK_EQ(rd(&w, E1000E_TDH), 0);
	/* Back to a sane ring, the queue works again. */
	wr(&w, E1000E_TDBAH, 0);
	wr(&w, E1000E_TDBAL, W_TXRING);
	wr(&w, E1000E_TDT, 1);
	CHECK_EQ(w.nframes, 1);
	CHECK(canary_intact(&w));
	world_free(&w);
}

static void
test_tx_dma_faults(void)
{
	struct world w;
	uint8_t f[100];
	unsigned before;

	world_init(&w);
	world_up(&w, 8, 8);
	make_frame(f, sizeof(f), peer, w.mac, 1);
	ram_write(&w, W_TXBUF, f, sizeof(f));
	/* The descriptor ring outside the windows: the fetch faults, the
	 * queue stays where it is, the owner hears of it. */
	wr(&w, E1000E_TDBAL, W_CANARY);
	wr(&w, E1000E_TDT, 1);
	CHECK_EQ(w.nframes, 0);
	CHECK_EQ(rd(&w, E1000E_TDH), 0);
	CHECK_EQ(counters(&w).dma_faults, 1);
	CHECK_EQ(w.faults, 1);
	CHECK_EQ(iommu_fault_count(w.io), 1);
	CHECK_EQ(iommu_last_fault(w.io)->iova, W_CANARY);
	CHECK(!iommu_last_fault(w.io)->write);
	/* Each doorbell tries once more, no more. */
	wr(&w, E1000E_TDT, 1);
	CHECK_EQ(counters(&w).dma_faults, 2);
	wr(&w, E1000E_TDBAL, W_TXRING);
	wr(&w, E1000E_TDT, 0);
	/* A buffer outside the windows: the frame is dropped, the
	 * descriptor still completes. */
	tx_desc(&w, W_TXRING, 0, W_CANARY + 0x100, 100,
	    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS);
	tx_desc(&w, W_TXRING, 1, W_TXBUF, 100,
	    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS);
	wr(&w, E1000E_TDT, 2);
	CHECK_EQ(w.nframes, 1);
	CHECK(memcmp(w.frame[0], f, 100) == 0);
	CHECK_EQ(tx_sta(&w, W_TXRING, 0), E1000E_TXD_STA_DD);
	CHECK_EQ(tx_sta(&w, W_TXRING, 1), E1000E_TXD_STA_DD);
	CHECK_EQ(counters(&w).dma_faults, 3);
	/* A buffer straddling the end of the window. */
	tx_desc(&w, W_TXRING, 2, W_RW + W_RW_SIZE - 50, 100,
	    E1000E_TXD_CMD_EOP);
	wr(&w, E1000E_TDT, 3);
	CHECK_EQ(w.nframes, 1);
	CHECK_EQ(counters(&w).dma_faults, 4);
	/* A bad buffer in the middle of a frame drops the whole frame. */
	tx_desc(&w, W_TXRING, 3, W_TXBUF, 50, 0);
	tx_desc(&w, W_TXRING, 4, 0xDEAD0000, 50, 0);
	tx_desc(&w, W_TXRING, 5, W_TXBUF, 50, E1000E_TXD_CMD_EOP);
	wr(&w, E1000E_TDT, 6);
	CHECK_EQ(w.nframes, 1);
	CHECK_EQ(rd(&w, E1000E_TDH), 6);
	/* Buffers in the read-only window are fine to send from. */
	ram_write(&w, W_RO, f, sizeof(f));
	tx_desc(&w, W_TXRING, 6, W_RO, 100, E1000E_TXD_CMD_EOP);
	wr(&w, E1000E_TDT, 7);
	CHECK_EQ(w.nframes, 2);
	/* A ring in the read-only window: sent, but DD cannot be written. */
	before = (unsigned)counters(&w).dma_faults;
	wr(&w, E1000E_TDLEN, 0);
	wr(&w, E1000E_TDH, 0);
	wr(&w, E1000E_TDT, 0);
	wr(&w, E1000E_TDBAL, W_RO + 0x1000);
	wr(&w, E1000E_TDLEN, 128);
	tx_desc(&w, W_RO + 0x1000, 0, W_TXBUF, 100,
	    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS);
	wr(&w, E1000E_TDT, 1);
	CHECK_EQ(w.nframes, 3);
	CHECK_EQ(tx_sta(&w, W_RO + 0x1000, 0), 0);
	CHECK_EQ(counters(&w).dma_faults, before + 1);
	CHECK(iommu_last_fault(w.io)->write);
	CHECK(canary_intact(&w));
	world_free(&w);
}

static void
test_tx_lengths(void)
{
	struct world w;
	unsigned i;
	uint8_t f[64];

	world_init(&w);
	world_up(&w, 64, 8);
	ram_fill(&w, W_TXBUF, 0x11, 2048);
	/* A lone zero-length EOP descriptor: nothing to send. */
	tx_desc(&w, W_TXRING, 0, W_TXBUF, 0,
	    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS);
	wr(&w, E1000E_TDT, 1);
	CHECK_EQ(w.nframes, 0);
	CHECK_EQ(tx_sta(&w, W_TXRING, 0), E1000E_TXD_STA_DD);
	CHECK_EQ(counters(&w).tx_malformed, 1);
	/* Zero-length descriptors inside a frame are harmless. */
	make_frame(f, sizeof(f), peer, w.mac, 2);
	ram_write(&w, W_TXBUF, f, sizeof(f));
	tx_desc(&w, W_TXRING, 1, W_TXBUF, 0, 0);
	tx_desc(&w, W_TXRING, 2, W_TXBUF, 64, 0);
	tx_desc(&w, W_TXRING, 3, 0, 0, E1000E_TXD_CMD_EOP);
	wr(&w, E1000E_TDT, 4);
	CHECK_EQ(w.nframes, 1);
	CHECK_EQ(w.flen[0], 64);
	/* 9 x 2 KiB = 18 KiB in one frame: too long, dropped whole. */
	for (i = 0; i < 9; i++)
		tx_desc(&w, W_TXRING, 4 + i, W_TXBUF, 2048,
		    i == 8 ? E1000E_TXD_CMD_EOP : 0);
	wr(&w, E1000E_TDT, 13);
	CHECK_EQ(w.nframes, 1);
	CHECK_EQ(counters(&w).tx_malformed, 2);
	/* Exactly 16 KiB is still a frame. */
	for (i = 0; i < 8; i++)
		tx_desc(&w, W_TXRING, 13 + i, W_TXBUF, 2048,
		    i == 7 ? E1000E_TXD_CMD_EOP : 0);
	wr(&w, E1000E_TDT, 21);
	CHECK_EQ(w.nframes, 2);
	CHECK_EQ(w.flen[1], 16384);
	/* 65535 bytes in one descriptor: dropped, no overrun. */
	tx_desc(&w, W_TXRING, 21, W_TXBUF, 0xFFFF, E1000E_TXD_CMD_EOP);
	wr(&w, E1000E_TDT, 22);
	CHECK_EQ(w.nframes, 2);
	CHECK_EQ(counters(&w).tx_malformed, 3);
	/* Without PSP, fewer than 14 bytes is no frame. */
	wr(&w, E1000E_TCTL, E1000E_TCTL_EN);
	tx_desc(&w, W_TXRING, 22, W_TXBUF, 10, E1000E_TXD_CMD_EOP);
	wr(&w, E1000E_TDT, 23);
	CHECK_EQ(w.nframes, 2);
	CHECK_EQ(counters(&w).tx_malformed, 4);
	/* A frame that never ends: bounded by the ring; the next EOP
	 * closes it (too long: dropped). */
	for (i = 0; i < 63; i++)
		tx_desc(&w, W_TXRING, (23 + i) % 64, W_TXBUF, 2048, 0);
	wr(&w, E1000E_TDT, (23 + 63) % 64);
	CHECK_EQ(rd(&w, E1000E_TDH), (23 + 63) % 64);
	CHECK_EQ(w.nframes, 2);
	CHECK(canary_intact(&w));
	world_free(&w);
}

static void
test_rx_hostile(void)
{
	struct world w;
	struct rxwb r;
	uint8_t f[600];

	world_init(&w);
	world_up(&w, 8, 8);
	make_frame(f, sizeof(f), w.mac, peer, 3);
	/* RX ring outside the windows: fault, frame dropped, head kept. */
	wr(&w, E1000E_RDBAL, W_CANARY);
	CHECK(!deliver(&w, f, sizeof(f)));
	CHECK_EQ(rd(&w, E1000E_RDH), 0);
	CHECK_EQ(counters(&w).dma_faults, 1);
	CHECK_EQ(w.faults, 1);
	/* A buffer outside the windows: the write is posted, the part
	 * never learns it failed. Nothing lands, the fault is counted and
	 * reported, and the descriptor completes as if the data had. */
	wr(&w, E1000E_RDBAL, W_RXRING);
	rx_desc(&w, W_RXRING, 0, W_CANARY + 64);
	CHECK(!deliver(&w, f, sizeof(f)));
	CHECK_EQ(rd(&w, E1000E_RDH), 1);
	r = rx_wb(&w, W_RXRING, 0);
	CHECK_EQ(r.sta, E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP);
	CHECK_EQ(r.err, 0);
	CHECK_EQ(r.len, sizeof(f));
	CHECK_EQ(counters(&w).dma_faults, 2);
	CHECK_EQ(w.faults, 2);
	CHECK(iommu_last_fault(w.io)->write);
	CHECK_EQ(iommu_last_fault(w.io)->iova, W_CANARY + 64);
	CHECK_EQ(rd(&w, E1000E_GPRC), 1);
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_RXT0 | E1000E_ICR_INT_ASSERTED);
	CHECK_EQ(counters(&w).rx_frames, 0);
	CHECK_EQ(counters(&w).rx_descs, 1);
	CHECK(canary_intact(&w));
	/* A buffer in the read-only window cannot be written either. */
	{
		uint8_t before[sizeof(f)], after[sizeof(f)];

		ram_read(&w, W_RO, before, sizeof(before));
		wr(&w, E1000E_RDH, 0);
		rx_desc(&w, W_RXRING, 0, W_RO);
		CHECK(!deliver(&w, f, sizeof(f)));
		ram_read(&w, W_RO, after, sizeof(after));
		CHECK(memcmp(before, after, sizeof(f)) == 0);
		CHECK_EQ(rx_wb(&w, W_RXRING, 0).sta,
		    E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP);
		CHECK_EQ(rd(&w, E1000E_RDH), 1);
		CHECK_EQ(counters(&w).dma_faults, 3);
	}
	/* 256-byte buffers, the second one bad: all three complete, the
	 * good ones hold their part of the frame. */
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | (3u << 16));
	wr(&w, E1000E_RDH, 0);
	ram_fill(&w, W_RXBUF, 0, 4096);
	rx_desc(&w, W_RXRING, 0, W_RXBUF);
	rx_desc(&w, W_RXRING, 1, 0xFFFFFFFFFFFFF000ull);
	rx_desc(&w, W_RXRING, 2, W_RXBUF + 2048);
	CHECK(!deliver(&w, f, sizeof(f)));
	r = rx_wb(&w, W_RXRING, 0);
	CHECK_EQ(r.sta, E1000E_RXD_STA_DD);
	CHECK_EQ(r.len, 256);
	r = rx_wb(&w, W_RXRING, 1);
	CHECK_EQ(r.sta, E1000E_RXD_STA_DD);
	CHECK_EQ(r.len, 256);
	r = rx_wb(&w, W_RXRING, 2);
	CHECK_EQ(r.sta, E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP);
	CHECK_EQ(r.err, 0);
	CHECK_EQ(r.len, sizeof(f) - 512);
	{
		uint8_t got[256];

		ram_read(&w, W_RXBUF, got, 256);
		CHECK(memcmp(got, f, 256) == 0);
		ram_read(&w, W_RXBUF + 2048, got, sizeof(f) - 512);
		CHECK(memcmp(got, f + 512, sizeof(f) - 512) == 0);
	}
	CHECK_EQ(rd(&w, E1000E_RDH), 3);
	CHECK_EQ(counters(&w).dma_faults, 4);
	/* A descriptor read that faults stops the frame: the buffer filled
	 * before it is closed with EOP and RXE, and the head stays on the
	 * unreadable descriptor. The ring wraps from index 7 (at the start
	 * of the window) to index 0 (below it, no RAM). */
	wr(&w, E1000E_RDBAL, W_RW - 0x70);
	wr(&w, E1000E_RDH, 7);
	wr(&w, E1000E_RDT, 3);
	rx_desc(&w, W_RW - 0x70, 7, W_RXBUF);
	CHECK(!deliver(&w, f, sizeof(f)));
	r = rx_wb(&w, W_RW - 0x70, 7);
	CHECK_EQ(r.sta, E1000E_RXD_STA_DD | E1000E_RXD_STA_EOP);
	CHECK_EQ(r.err, E1000E_RXD_ERR_RXE);
	CHECK_EQ(r.len, 256);
	CHECK_EQ(rd(&w, E1000E_RDH), 0);
	CHECK_EQ(counters(&w).dma_faults, 5);
	CHECK(!iommu_last_fault(w.io)->write);
	/* A ring in the read-only window: data lands, write-back faults. */
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) & ~(3u << 16));
	wr(&w, E1000E_RDBAL, W_RO);
	wr(&w, E1000E_RDH, 0);
	ram_write(&w, W_RO, (uint8_t[16]){ 0, 0, 0x15 }, 16);
	CHECK(!deliver(&w, f, sizeof(f)));
	CHECK_EQ(counters(&w).dma_faults, 6);
	/* Head and tail outside the ring: counted, frame missed. */
	wr(&w, E1000E_RDBAL, W_RXRING);
	wr(&w, E1000E_RDH, 9);
	CHECK(!deliver(&w, f, sizeof(f)));
	CHECK_EQ(counters(&w).ring_errors, 1);
	wr(&w, E1000E_RDH, 0);
	wr(&w, E1000E_RDT, 0xFFFF);
	CHECK(!deliver(&w, f, sizeof(f)));
	CHECK_EQ(counters(&w).ring_errors, 2);
	CHECK_EQ(rd(&w, E1000E_MPC), 2);
	/* No ring at all. */
	wr(&w, E1000E_RDLEN, 0);
	CHECK(!deliver(&w, f, sizeof(f)));
	CHECK_EQ(counters(&w).ring_errors, 2);
	CHECK(canary_intact(&w));
	world_free(&w);
}

/* Callbacks that re-enter the device. */
static struct world *cb_w;
static unsigned cb_calls;

static void
xmit_resets(void *arg, const uint8_t *f, size_t len)
{
	(void)arg;
	(void)f;
	(void)len;
	cb_calls++;
	wr(cb_w, E1000E_CTRL, E1000E_CTRL_RST);
}

static void
xmit_loops_back(void *arg, const uint8_t *f, size_t len)
{
	(void)arg;
	cb_calls++;
	(void)deliver(cb_w, f, len);
}

static void
irq_rings_doorbell(void *arg, bool level)
{
	(void)arg;
	if (!level)
		return;
	cb_calls++;
	/* An interrupt handler: read ICR, post one more frame. */
	(void)rd(cb_w, E1000E_ICR);
	if (cb_calls < 50)
		wr(cb_w, E1000E_TDT, (rd(cb_w, E1000E_TDT) + 1) % 8);
}

static void
fault_resets(void *arg, const char *dev, const struct dma_fault *f)
{
	(void)arg;
	(void)dev;
	(void)f;
	cb_calls++;
	wr(cb_w, E1000E_CTRL, E1000E_CTRL_RST);
}

static void
test_reentry(void)
{
	struct world w;
	uint8_t f[64];
	unsigned i;

	world_init(&w);
	world_up(&w, 8, 8);
	cb_w = &w;
	make_frame(f, sizeof(f), peer, w.mac, 5);
	ram_write(&w, W_TXBUF, f, sizeof(f));
	for (i = 0; i < 8; i++)
		tx_desc(&w, W_TXRING, i, W_TXBUF, 64,
		    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS);
	/* The wire resets the device while it transmits. */
	e1000e_port(w.dev)->xmit = xmit_resets;
	cb_calls = 0;
	wr(&w, E1000E_TDT, 3);
	CHECK_EQ(cb_calls, 1);
	CHECK_EQ(rd(&w, E1000E_TDLEN), 0);
	CHECK_EQ(rd(&w, E1000E_TDH), 0);
	CHECK_EQ(rd(&w, E1000E_CTRL), 0x00140201);
	world_free(&w);

	/* The IOMMU's owner resets the device from its fault report while
	 * a frame is being stored: nothing more is written. */
	world_init(&w);
	world_up(&w, 8, 8);
	cb_w = &w;
	iommu_set_fault_handler(w.io, fault_resets, &w);
	wr(&w, E1000E_RCTL, rd(&w, E1000E_RCTL) | (3u << 16));
	rx_desc(&w, W_RXRING, 1, W_CANARY);
	{
		uint8_t big[600];

		make_frame(big, sizeof(big), w.mac, peer, 7);
		cb_calls = 0;
		CHECK(!deliver(&w, big, sizeof(big)));
	}
	CHECK_EQ(cb_calls, 1);
	CHECK_EQ(rx_wb(&w, W_RXRING, 0).sta, 0);
	CHECK_EQ(rx_wb(&w, W_RXRING, 1).sta, 0);
	CHECK_EQ(rd(&w, E1000E_RDH), 0);
	CHECK_EQ(rd(&w, E1000E_RDLEN), 0);
	CHECK(canary_intact(&w));
	world_free(&w);

	/* The wire loops the frame back into the same NIC (to its own
	 * address): received while transmitting. */
	world_init(&w);
	world_up(&w, 8, 8);
	cb_w = &w;
	make_frame(f, sizeof(f), w.mac, w.mac, 6);
	ram_write(&w, W_TXBUF, f, sizeof(f));
	for (i = 0; i < 8; i++)
		tx_desc(&w, W_TXRING, i, W_TXBUF, 64,
		    E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_RS);
	e1000e_port(w.dev)->xmit = xmit_loops_back;
	cb_calls = 0;
	wr(&w, E1000E_TDT, 5);
	CHECK_EQ(cb_calls, 5);
	CHECK_EQ(rd(&w, E1000E_RDH), 5);
	CHECK_EQ(rd(&w, E1000E_GPRC), 5);
	CHECK_EQ(rd(&w, E1000E_GPTC), 5);
	/* An interrupt handler that rings the doorbell from inside the
	 * device's own interrupt: bounded, and the ring keeps moving. */
	e1000e_port(w.dev)->xmit = w_xmit;
	e1000e_set_irq_handler(w.dev, irq_rings_doorbell, &w);
	wr(&w, E1000E_IMS, E1000E_ICR_TXDW);
	cb_calls = 0;
	wr(&w, E1000E_TDT, 6);
	CHECK(cb_calls >= 1 && cb_calls <= 50);
	CHECK(w.nframes >= 1);
	CHECK_EQ(rd(&w, E1000E_TDH), rd(&w, E1000E_TDT));
	world_free(&w);
}

static void
test_random_programs(void)
{
	static const uint32_t regs[] = {
		E1000E_TDBAL, E1000E_TDBAH, E1000E_TDLEN, E1000E_TDH,
		E1000E_TDT, E1000E_RDBAL, E1000E_RDBAH, E1000E_RDLEN,
		E1000E_RDH, E1000E_RDT, E1000E_RCTL, E1000E_TCTL, E1000E_IMS,
		E1000E_ICS, E1000E_TDBAL1, E1000E_TDLEN1, E1000E_TDT1,
		E1000E_TDH1, E1000E_CTRL,
	};
	struct world w;
	uint8_t f[2048];
	uint64_t r, v;
	unsigned i, k;

	check_seed(0xE1000E);
	world_init(&w);
	world_up(&w, 16, 16);
	for (i = 0; i < 20000; i++) {
		r = check_rand();
		v = check_rand();
		switch (r % 6) {
		case 0:
			/* A ring register: mostly plausible values. */
			k = (unsigned)((r >> 8) % (sizeof(regs) /
			    sizeof(regs[0])));
			if (regs[k] == E1000E_CTRL)
				v = (v & 7) == 0 ? E1000E_CTRL_RST :
				    0x00150241;
			else if (regs[k] == E1000E_RCTL)
				v = (v & ~E1000E_RCTL_LBM_MASK) |
				    E1000E_RCTL_EN;
			else if ((r >> 16) & 1)
				v %= 64;
			else if ((r >> 17) & 1)
				v = W_RAM + (v % W_RAM_SIZE);
			wr(&w, regs[k], (uint32_t)v);
			break;
		case 1:
			/* Any register at all. */
			wr(&w, (uint32_t)(v % E1000E_BAR0_SIZE) & ~3u,
			    (uint32_t)(v >> 32));
			(void)rd(&w, (uint32_t)((v >> 20) %
			    E1000E_BAR0_SIZE) & ~3u);
			break;
		case 2:
		case 3:
			/* A descriptor anywhere in the read/write window,
			 * pointing anywhere in RAM or beyond. */
			tx_desc(&w, W_RW + 16 * ((r >> 8) % (W_RW_SIZE / 16)),
			    0, (v & 1) ? W_RAM + (v >> 1) % W_RAM_SIZE : v,
			    (uint16_t)(r >> 32), (uint8_t)(r >> 48));
			break;
		case 4:
			make_frame(f, 14 + (r >> 8) % 2000, w.mac, peer,
			    (uint8_t)r);
			(void)deliver(&w, f, 14 + (r >> 8) % 2000);
			break;
		case 5:
			e1000e_port(w.dev)->carrier = (r >> 8) & 1;
			e1000e_link_changed(w.dev);
			break;
		}
		if (w.nframes > 8)
			w_clear_frames(&w);
	}
	CHECK(canary_intact(&w));
	CHECK(counters(&w).resets > 1);
	CHECK(counters(&w).tx_descs > 0);
	world_free(&w);
}

int
main(void)
{
	test_tx_ring_bounds();
	test_tx_dma_faults();
	test_tx_lengths();
	test_rx_hostile();
	test_reentry();
	test_random_programs();
	e1000e_free(NULL);
	return (check_done("test_e1000e_hostile"));
}
