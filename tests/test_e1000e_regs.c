/*
 * test_e1000e_regs.c — the 82574L register file at the datasheet level:
 * reset values, register types (read-only, write-only, read-to-clear),
 * EEPROM reads through EERD, link and LSC, interrupt causes and masking,
 * statistics, access sizes and register names.
 */
#include "machine/clock.h"
#include "test_e1000e_world.h"

static void
test_reset_values(void)
{
	struct world w;

	world_init(&w);
	CHECK_EQ(rd(&w, E1000E_CTRL), 0x00140201);
	CHECK_EQ(rd(&w, E1000E_CTRL) & E1000E_CTRL_SLU, 0);
	/* No wire, no SLU: link down; full duplex, 1000 Mb/s, GIO master. */
	CHECK_EQ(rd(&w, E1000E_STATUS), 0x00080281);
	CHECK_EQ(rd(&w, E1000E_EECD), 0x300);
	CHECK_EQ(rd(&w, E1000E_EERD), E1000E_EERD_DONE);
	CHECK_EQ(rd(&w, E1000E_CTRL_EXT), 0);
	CHECK_EQ(rd(&w, E1000E_ICR), 0);
	CHECK_EQ(rd(&w, E1000E_IMS), 0);
	CHECK_EQ(rd(&w, E1000E_ITR), 0);
	CHECK_EQ(rd(&w, E1000E_RCTL), 0);
	CHECK_EQ(rd(&w, E1000E_TCTL), 0);
	CHECK_EQ(rd(&w, E1000E_TIPG), 0x00602008);
	CHECK_EQ(rd(&w, E1000E_PBA), 0x00140014);
	CHECK_EQ(rd(&w, E1000E_RXDCTL), 0x00010000);
	CHECK_EQ(rd(&w, E1000E_RXDCTL1), 0x00010000);
	CHECK_EQ(rd(&w, E1000E_TARC0), 0x403);
	CHECK_EQ(rd(&w, E1000E_TARC1), 0x403);
	CHECK_EQ(rd(&w, E1000E_RXCSUM), 0x300);
	CHECK_EQ(rd(&w, E1000E_TDLEN), 0);
	CHECK_EQ(rd(&w, E1000E_RDLEN), 0);
	CHECK_EQ(rd(&w, E1000E_TDH), 0);
	CHECK_EQ(rd(&w, E1000E_RDT), 0);
	CHECK_EQ(rd(&w, E1000E_SWSM), 1);
	CHECK_EQ(rd(&w, E1000E_VET), 0x8100);
	CHECK_EQ(rd(&w, E1000E_GCR), 0x06800200);
	/* RAL0/RAH0 hold the MAC from the EEPROM, marked valid. */
	CHECK_EQ(rd(&w, E1000E_RAL(0)), 0x12005452);
	CHECK_EQ(rd(&w, E1000E_RAH(0)), 0x80005634);
	CHECK_EQ(rd(&w, E1000E_RAL(1)), 0);
	CHECK_EQ(rd(&w, E1000E_RAH(1)), 0);
	CHECK_EQ(rd(&w, E1000E_MTA), 0);
	CHECK(!e1000e_irq_level(w.dev));
	world_free(&w);
}

static void
test_eerd(void)
{
	struct world w;
	uint32_t v, sum = 0;
	unsigned a;

	world_init(&w);
	/* Words 0-2: the MAC, low byte first. */
	wr(&w, E1000E_EERD, (0u << 2) | E1000E_EERD_START);
	v = rd(&w, E1000E_EERD);
	CHECK(v & E1000E_EERD_DONE);
	CHECK_EQ(v >> 16, 0x5452);
	CHECK_EQ((v >> 2) & 0x3FFF, 0);
	wr(&w, E1000E_EERD, (1u << 2) | E1000E_EERD_START);
	CHECK_EQ(rd(&w, E1000E_EERD) >> 16, 0x1200);
	wr(&w, E1000E_EERD, (2u << 2) | E1000E_EERD_START);
	CHECK_EQ(rd(&w, E1000E_EERD), (0x5634u << 16) | (2u << 2) |
	    E1000E_EERD_DONE);
	/* The NVM image: init control words, subsystem and device IDs,
	 * and the 0xBABA checksum. */
	{
		static const struct { uint32_t a; uint16_t v; } ee[] = {
			{ 0x03, 0x0420 }, { 0x0A, 0x026B },
			{ 0x0B, E1000E_DEVICE_ID }, { 0x0C, E1000E_VENDOR_ID },
			{ 0x0D, E1000E_DEVICE_ID }, { 0x0E, 0 },
			{ 0x0F, 0x8058 }, { 0x3E, 0xFFFF },
		};

		for (a = 0; a < sizeof(ee) / sizeof(ee[0]); a++) {
			wr(&w, E1000E_EERD, (ee[a].a << 2) | E1000E_EERD_START);
			CHECK_EQ(rd(&w, E1000E_EERD) >> 16, ee[a].v);
		}
	}
	for (a = 0; a < 64; a++) {
		wr(&w, E1000E_EERD, (a << 2) | E1000E_EERD_START);
		v = rd(&w, E1000E_EERD);
		CHECK(v & E1000E_EERD_DONE);
		sum += v >> 16;
	}
	CHECK_EQ(sum & 0xFFFF, 0xBABA);
	/* Past the EEPROM, or without START: no DONE, no data. */
	wr(&w, E1000E_EERD, (64u << 2) | E1000E_EERD_START);
	CHECK_EQ(rd(&w, E1000E_EERD), 64u << 2);
	wr(&w, E1000E_EERD, 1u << 2);
	CHECK_EQ(rd(&w, E1000E_EERD), 1u << 2);
	wr(&w, E1000E_EERD, 0xFFFFFFFF);
	CHECK_EQ(rd(&w, E1000E_EERD) & E1000E_EERD_DONE, 0);
	/* A second device has its own MAC. */
	{
		static const uint8_t m2[6] = { 2, 0, 0, 0, 0, 0x77 };
		struct e1000e *d2 = e1000e_new("e1000e1", m2, w.io);

		e1000e_mmio_ops.write(d2, E1000E_EERD, (2u << 2) | 1, 4);
		CHECK_EQ(e1000e_mmio_ops.read(d2, E1000E_EERD, 4) >> 16, 0x7700);
		CHECK_EQ(e1000e_mmio_ops.read(d2, E1000E_RAL(0), 4), 2);
		e1000e_free(d2);
	}
	CHECK(e1000e_new(NULL, w.mac, w.io) == NULL);
	CHECK(e1000e_new("x", NULL, w.io) == NULL);
	CHECK(e1000e_new("x", w.mac, NULL) == NULL);
	world_free(&w);
}

static void
test_register_types(void)
{
	struct world w;

	world_init(&w);
	/* Unknown offsets read 0 and keep nothing. */
	wr(&w, 0x0000C, 0xDEADBEEF);
	CHECK_EQ(rd(&w, 0x0000C), 0);
	wr(&w, 0x1FFFC, 0xDEADBEEF);
	CHECK_EQ(rd(&w, 0x1FFFC), 0);
	wr(&w, 0x04084, 0x1234);
	CHECK_EQ(rd(&w, 0x04084), 0);
	/* Read-only: STATUS (except clearing PHYRA), statistics. */
	wr(&w, E1000E_STATUS, 0xFFFFFFFF);
	CHECK_EQ(rd(&w, E1000E_STATUS), 0x00080281);
	wr(&w, E1000E_GPRC, 55);
	CHECK_EQ(rd(&w, E1000E_GPRC), 0);
	wr(&w, E1000E_TPT, 55);
	CHECK_EQ(rd(&w, E1000E_TPT), 0);
	/* Write-only IMC reads 0; ICS reads as ICR without clearing it. */
	wr(&w, E1000E_IMS, E1000E_ICR_RXT0);
	CHECK_EQ(rd(&w, E1000E_IMC), 0);
	wr(&w, E1000E_ICS, E1000E_ICR_TXDW);
	CHECK_EQ(rd(&w, E1000E_ICS), E1000E_ICR_TXDW | E1000E_ICR_INT_ASSERTED);
	CHECK_EQ(rd(&w, E1000E_ICS), E1000E_ICR_TXDW | E1000E_ICR_INT_ASSERTED);
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_TXDW | E1000E_ICR_INT_ASSERTED);
	CHECK_EQ(rd(&w, E1000E_ICS), 0);
	/* Masks: ring lengths in 128-byte units, bases 16-byte aligned,
	 * heads and tails 16 bits, 16-bit timers. */
	wr(&w, E1000E_TDLEN, 0xFFFFFFFF);
	CHECK_EQ(rd(&w, E1000E_TDLEN), 0x000FFF80);
	wr(&w, E1000E_RDLEN, 200);
	CHECK_EQ(rd(&w, E1000E_RDLEN), 128);
	wr(&w, E1000E_TDBAL, 0x12345679);
	CHECK_EQ(rd(&w, E1000E_TDBAL), 0x12345670);
	wr(&w, E1000E_RDBAL, 0xFFFFFFFF);
	CHECK_EQ(rd(&w, E1000E_RDBAL), 0xFFFFFFF0);
	wr(&w, E1000E_TDBAH, 0xFFFFFFFF);
	CHECK_EQ(rd(&w, E1000E_TDBAH), 0xFFFFFFFF);
	wr(&w, E1000E_TDH, 0x12345);
	CHECK_EQ(rd(&w, E1000E_TDH), 0x2345);
	wr(&w, E1000E_RDT, 0xABCDE);
	CHECK_EQ(rd(&w, E1000E_RDT), 0xBCDE);
	wr(&w, E1000E_ITR, 0x12345678);
	CHECK_EQ(rd(&w, E1000E_ITR), 0x5678);
	wr(&w, E1000E_RDTR, 0x80000010);
	CHECK_EQ(rd(&w, E1000E_RDTR), 0x10);
	/* Read/write registers keep what they are given. */
	wr(&w, E1000E_MTA + 4 * 127, 0xCAFEF00D);
	CHECK_EQ(rd(&w, E1000E_MTA + 4 * 127), 0xCAFEF00D);
	wr(&w, E1000E_RAL(15), 0x11223344);
	wr(&w, E1000E_RAH(15), 0xFFFFFFFF);
	CHECK_EQ(rd(&w, E1000E_RAL(15)), 0x11223344);
	CHECK_EQ(rd(&w, E1000E_RAH(15)), 0x8003FFFF);
	wr(&w, E1000E_RCTL, 0x04008022);
	CHECK_EQ(rd(&w, E1000E_RCTL), 0x04008022);
	/* CTRL_EXT self-clearing bits; EECD's read-only bits. */
	wr(&w, E1000E_CTRL_EXT, 0xFFFFFFFF);
	CHECK_EQ(rd(&w, E1000E_CTRL_EXT), 0xFFFFCFFF);
	wr(&w, E1000E_CTRL_EXT, 0);
	wr(&w, E1000E_EECD, 0);
	CHECK_EQ(rd(&w, E1000E_EECD), 0x300);
	wr(&w, E1000E_EECD, 0x3);
	CHECK_EQ(rd(&w, E1000E_EECD), 0x303);
	/* VET keeps 16 bits; GCR's L1 entry latency bits stay set. */
	wr(&w, E1000E_VET, 0xFFFFFFFF);
	CHECK_EQ(rd(&w, E1000E_VET), 0xFFFF);
	wr(&w, E1000E_GCR, 0);
	CHECK_EQ(rd(&w, E1000E_GCR), 0x06800000);
	wr(&w, E1000E_GCR, 0xFFFFFFFF);
	CHECK_EQ(rd(&w, E1000E_GCR), 0xFFFFFFFF);
	CHECK(strcmp(e1000e_reg_name(E1000E_GCR), "GCR") == 0);
	/* SWSM: reading takes the semaphore. */
	wr(&w, E1000E_SWSM, 0);
	CHECK_EQ(rd(&w, E1000E_SWSM), 0);
	CHECK_EQ(rd(&w, E1000E_SWSM), 1);
	/* Queue 1's registers exist at +0x100 and behave like queue 0's. */
	wr(&w, E1000E_TDBAL1, 0x1000F);
	wr(&w, E1000E_TDLEN1, 0x1FF);
	wr(&w, E1000E_TDH1, 0x10003);
	wr(&w, E1000E_RDBAL1, 0x2000F);
	wr(&w, E1000E_RDBAH1, 7);
	wr(&w, E1000E_RDLEN1, 0x280);
	wr(&w, E1000E_RDT1, 0x10005);
	wr(&w, E1000E_TXDCTL1, 0x01010000);
	CHECK_EQ(rd(&w, E1000E_TDBAL1), 0x10000);
	CHECK_EQ(rd(&w, E1000E_TDLEN1), 0x180);
	CHECK_EQ(rd(&w, E1000E_TDH1), 3);
	CHECK_EQ(rd(&w, E1000E_RDBAL1), 0x20000);
	CHECK_EQ(rd(&w, E1000E_RDBAH1), 7);
	CHECK_EQ(rd(&w, E1000E_RDLEN1), 0x280);
	CHECK_EQ(rd(&w, E1000E_RDT1), 5);
	CHECK_EQ(rd(&w, E1000E_TXDCTL1), 0x01010000);
	CHECK_EQ(rd(&w, E1000E_TDBAL), 0x12345670);	/* untouched */
	world_free(&w);
}

static void
test_ctrl_reset(void)
{
	struct world w;
	struct e1000e_counters c;

	world_init(&w);
	world_up(&w, 8, 8);
	wr(&w, E1000E_RAL(0), 0x01020304);
	wr(&w, E1000E_IMS, E1000E_ICR_LSC);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	wr(&w, E1000E_VET, 0x88A8);
	wr(&w, E1000E_GCR, 0);
	CHECK(e1000e_irq_level(w.dev));
	wr(&w, E1000E_CTRL, rd(&w, E1000E_CTRL) | E1000E_CTRL_RST);
	/* RST self-clears; everything is back to its reset value, the MAC
	 * reloaded from the EEPROM, the interrupt line down. */
	CHECK_EQ(rd(&w, E1000E_CTRL), 0x00140201);
	CHECK_EQ(rd(&w, E1000E_RAL(0)), 0x12005452);
	CHECK_EQ(rd(&w, E1000E_TDLEN), 0);
	CHECK_EQ(rd(&w, E1000E_RCTL), 0);
	CHECK_EQ(rd(&w, E1000E_IMS), 0);
	CHECK_EQ(rd(&w, E1000E_ICR), 0);
	CHECK_EQ(rd(&w, E1000E_VET), 0x8100);
	CHECK_EQ(rd(&w, E1000E_GCR), 0x06800200);
	CHECK(!e1000e_irq_level(w.dev));
	CHECK(!w.irq_level);
	CHECK_EQ(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU, 0);
	e1000e_get_counters(w.dev, &c);
	CHECK_EQ(c.resets, 2);
	/* PHY reset through CTRL raises STATUS.PHYRA, cleared by a 0. */
	wr(&w, E1000E_CTRL, 0x00140201 | E1000E_CTRL_PHY_RST);
	CHECK(rd(&w, E1000E_STATUS) & E1000E_STATUS_PHYRA);
	wr(&w, E1000E_STATUS, E1000E_STATUS_PHYRA);
	CHECK(rd(&w, E1000E_STATUS) & E1000E_STATUS_PHYRA);
	wr(&w, E1000E_STATUS, 0);
	CHECK_EQ(rd(&w, E1000E_STATUS) & E1000E_STATUS_PHYRA, 0);
	/* CTRL_DUP is CTRL. */
	wr(&w, E1000E_CTRL_DUP, 0x00140241);
	CHECK_EQ(rd(&w, E1000E_CTRL), 0x00140241);
	CHECK_EQ(rd(&w, E1000E_CTRL_DUP), 0x00140241);
	world_free(&w);
}

static void
test_link(void)
{
	struct world w;
	struct netport *p;

	world_init(&w);
	p = e1000e_port(w.dev);
	wr(&w, E1000E_IMS, E1000E_ICR_LSC);
	/* Carrier without SLU: no link. */
	world_wire(&w);
	CHECK_EQ(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU, 0);
	CHECK_EQ(rd(&w, E1000E_ICR), 0);
	/* SLU with carrier: link up, LSC raised. */
	wr(&w, E1000E_CTRL, rd(&w, E1000E_CTRL) | E1000E_CTRL_SLU);
	CHECK(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU);
	CHECK(w.irq_level);
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_LSC | E1000E_ICR_INT_ASSERTED);
	CHECK(!w.irq_level);
	/* The wire drops carrier and says so. */
	p->carrier = false;
	e1000e_link_changed(w.dev);
	CHECK_EQ(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU, 0);
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_LSC | E1000E_ICR_INT_ASSERTED);
	/* A wire that does not call link_changed: STATUS polls carrier. */
	p->carrier = true;
	CHECK(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU);
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_LSC | E1000E_ICR_INT_ASSERTED);
	/* Clearing SLU takes the link down. */
	wr(&w, E1000E_CTRL, rd(&w, E1000E_CTRL) & ~E1000E_CTRL_SLU);
	CHECK_EQ(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU, 0);
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_LSC | E1000E_ICR_INT_ASSERTED);
	world_free(&w);
}

static void
test_interrupts(void)
{
	struct world w;

	world_init(&w);
	/* A masked cause sets ICR (with INT_ASSERTED) but not the line. */
	wr(&w, E1000E_ICS, E1000E_ICR_RXT0);
	CHECK(!e1000e_irq_level(w.dev));
	CHECK_EQ(w.irq_changes, 0);
	CHECK_EQ(e1000e_peek(w.dev, E1000E_ICR),
	    E1000E_ICR_RXT0 | E1000E_ICR_INT_ASSERTED);
	/* Unmasking raises the line. */
	wr(&w, E1000E_IMS, E1000E_ICR_RXT0 | E1000E_ICR_TXDW);
	CHECK_EQ(rd(&w, E1000E_IMS), E1000E_ICR_RXT0 | E1000E_ICR_TXDW);
	CHECK(e1000e_irq_level(w.dev));
	CHECK_EQ(w.irq_changes, 1);
	CHECK(w.irq_level);
	/* Masking it again (IMC) lowers it; ICR still holds the cause. */
	wr(&w, E1000E_IMC, E1000E_ICR_RXT0);
	CHECK_EQ(rd(&w, E1000E_IMS), E1000E_ICR_TXDW);
	CHECK(!e1000e_irq_level(w.dev));
	CHECK_EQ(w.irq_changes, 2);
	wr(&w, E1000E_IMS, E1000E_ICR_RXT0);
	CHECK(e1000e_irq_level(w.dev));
	/* Reading ICR returns the causes and clears them all. */
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_RXT0 | E1000E_ICR_INT_ASSERTED);
	CHECK(!e1000e_irq_level(w.dev));
	CHECK_EQ(rd(&w, E1000E_ICR), 0);
	/* IMS ignores bits that are no cause. */
	wr(&w, E1000E_IMC, 0xFFFFFFFF);
	wr(&w, E1000E_IMS, 0xFFFFFFFF);
	CHECK_EQ(rd(&w, E1000E_IMS), E1000E_IMS_VALID);
	wr(&w, E1000E_IMC, 0xFFFFFFFF);
	CHECK_EQ(rd(&w, E1000E_IMS), 0);
	/* Writing 1s to ICR clears just those causes. */
	wr(&w, E1000E_IMS, E1000E_ICR_LSC);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC | E1000E_ICR_TXQE);
	CHECK(e1000e_irq_level(w.dev));
	wr(&w, E1000E_ICR, E1000E_ICR_LSC);
	CHECK(!e1000e_irq_level(w.dev));
	CHECK_EQ(e1000e_peek(w.dev, E1000E_ICR),
	    E1000E_ICR_TXQE | E1000E_ICR_INT_ASSERTED);
	wr(&w, E1000E_ICR, E1000E_ICR_TXQE);
	CHECK_EQ(e1000e_peek(w.dev, E1000E_ICR), 0);
	/* CTRL_EXT.IAME: an asserted ICR read also clears IMS bits in IAM. */
	wr(&w, E1000E_CTRL_EXT, E1000E_CTRL_EXT_IAME);
	wr(&w, E1000E_IAM, E1000E_ICR_LSC);
	wr(&w, E1000E_IMS, E1000E_ICR_LSC | E1000E_ICR_RXT0);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	(void)rd(&w, E1000E_ICR);
	CHECK_EQ(rd(&w, E1000E_IMS), E1000E_ICR_RXT0);
	/* IAC counts assertions of the line, and clears on read. */
	CHECK(rd(&w, E1000E_IAC) >= 3);
	CHECK_EQ(rd(&w, E1000E_IAC), 0);
	/* MDIC with the I bit raises MDAC. */
	wr(&w, E1000E_IMS, E1000E_ICR_MDAC);
	wr(&w, E1000E_MDIC, E1000E_MDIC_OP_READ | (1u << 21) | (2u << 16) |
	    E1000E_MDIC_INT_EN);
	CHECK(e1000e_irq_level(w.dev));
	CHECK(rd(&w, E1000E_ICR) & E1000E_ICR_MDAC);
	world_free(&w);
}

static uint32_t
mdic(struct world *w, uint32_t op, uint32_t phy, uint32_t reg, uint32_t data)
{
	wr(w, E1000E_MDIC, op | phy << 21 | reg << 16 | data);
	return (rd(w, E1000E_MDIC));
}

static void
test_phy(void)
{
	struct world w;
	uint32_t v;

	world_init(&w);
	v = mdic(&w, E1000E_MDIC_OP_READ, 1, 2, 0);
	CHECK(v & E1000E_MDIC_READY);
	CHECK_EQ(v & E1000E_MDIC_ERROR, 0);
	CHECK_EQ(v & 0xFFFF, 0x0141);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 3, 0) & 0xFFFF, 0x0CB1);
	/* PHY status follows the cable, SLU or not. */
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 1, 0) & 0x4, 0);
	world_wire(&w);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 1, 0) & 0x24, 0x24);
	/* Writes land in writable registers only. */
	mdic(&w, E1000E_MDIC_OP_WRITE, 1, 4, 0x01E1);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 4, 0) & 0xFFFF, 0x01E1);
	v = mdic(&w, E1000E_MDIC_OP_WRITE, 1, 2, 0x1234);
	CHECK(v & E1000E_MDIC_ERROR);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 2, 0) & 0xFFFF, 0x0141);
	/* Another PHY address or an unknown register: error. */
	CHECK(mdic(&w, E1000E_MDIC_OP_READ, 2, 2, 0) & E1000E_MDIC_ERROR);
	CHECK(mdic(&w, E1000E_MDIC_OP_READ, 1, 31, 0) & E1000E_MDIC_ERROR);
	/* PHY reset restores ANAR and self-clears. */
	mdic(&w, E1000E_MDIC_OP_WRITE, 1, 0, 0x9140);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 0, 0) & 0xFFFF, 0x1140);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 4, 0) & 0xFFFF, 0x0DE1);
	world_free(&w);
}

/* The 82542 aliases reach the registers both ways; the alias offsets have
 * no name of their own. */
static void
test_aliases(void)
{
	struct world w;

	world_init(&w);
	CHECK_EQ(rd(&w, 0x0040), rd(&w, E1000E_RAL(0)));
	CHECK_EQ(rd(&w, 0x0044), rd(&w, E1000E_RAH(0)));
	wr(&w, 0x0438, 5);
	CHECK_EQ(rd(&w, E1000E_TDT), 5);
	wr(&w, E1000E_RDBAL, 0x12340);
	CHECK_EQ(rd(&w, 0x0110), 0x12340);
	wr(&w, 0x0600 + 4 * 127, 0xA5);
	CHECK_EQ(rd(&w, E1000E_VFTA + 4 * 127), 0xA5);
	wr(&w, 0x8018, 0xFFFF);
	CHECK_EQ(rd(&w, E1000E_TDFT), 0x1FFF);
	CHECK_EQ(e1000e_peek(w.dev, 0x0438), 5);
	CHECK(e1000e_reg_name(0x0438) == NULL);
	/* A 64-bit access resolves each half on its own. */
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, 0x0040, 8),
	    (uint64_t)rd(&w, E1000E_RAH(0)) << 32 | rd(&w, E1000E_RAL(0)));
	world_free(&w);
}

/* EEWR writes a word (START, address below 64) and reports DONE. */
static void
test_eewr(void)
{
	struct world w;

	world_init(&w);
	CHECK_EQ(rd(&w, E1000E_EEWR), E1000E_EEWR_DONE);
	wr(&w, E1000E_EEWR, 0xBEEF0000u | (0x21 << 2) | E1000E_EEWR_START);
	CHECK_EQ(rd(&w, E1000E_EEWR), 0xBEEF0000u | (0x21 << 2) |
	    E1000E_EEWR_DONE);
	wr(&w, E1000E_EERD, (0x21 << 2) | E1000E_EERD_START);
	CHECK_EQ(rd(&w, E1000E_EERD) >> 16, 0xBEEF);
	/* Past the end or without START: nothing written, no DONE. */
	wr(&w, E1000E_EEWR, 0x11110000u | (0x40 << 2) | E1000E_EEWR_START);
	CHECK_EQ(rd(&w, E1000E_EEWR) & E1000E_EEWR_DONE, 0);
	wr(&w, E1000E_EEWR, 0x22220000u | (0x21 << 2));
	wr(&w, E1000E_EERD, (0x21 << 2) | E1000E_EERD_START);
	CHECK_EQ(rd(&w, E1000E_EERD) >> 16, 0xBEEF);
	/* Words 0-2 are the MAC: a software reset loads what was written. */
	wr(&w, E1000E_EEWR, 0x77660000u | (0 << 2) | E1000E_EEWR_START);
	wr(&w, E1000E_CTRL, E1000E_CTRL_RST);
	CHECK_EQ(rd(&w, E1000E_RAL(0)) & 0xFFFF, 0x7766);
	world_free(&w);
}

/* Paged PHY registers and the page select register. */
static void
test_phy_pages(void)
{
	struct world w;

	world_init(&w);
	/* Page 0 vendor registers: 18 and 30 writable, 19 read-only. */
	mdic(&w, E1000E_MDIC_OP_WRITE, 1, 18, 0x1234);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 18, 0) & 0xFFFF, 0x1234);
	mdic(&w, E1000E_MDIC_OP_WRITE, 1, 30, 0x2222);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 30, 0) & 0xFFFF, 0x2222);
	CHECK(mdic(&w, E1000E_MDIC_OP_WRITE, 1, 19, 1) & E1000E_MDIC_ERROR);
	/* Page 2: its own register 16; register 17 does not exist there;
	 * the IEEE registers answer on every page. */
	mdic(&w, E1000E_MDIC_OP_WRITE, 1, 22, 2);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 16, 0) & 0xFFFF, 0x0088);
	CHECK(mdic(&w, E1000E_MDIC_OP_READ, 1, 17, 0) & E1000E_MDIC_ERROR);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 2, 0) & 0xFFFF, 0x0141);
	/* Pages past 6 have no paged registers; the select keeps 7 bits. */
	mdic(&w, E1000E_MDIC_OP_WRITE, 1, 22, 0xFFFF);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 22, 0) & 0xFFFF, 0x7F);
	CHECK(mdic(&w, E1000E_MDIC_OP_READ, 1, 16, 0) & E1000E_MDIC_ERROR);
	mdic(&w, E1000E_MDIC_OP_WRITE, 1, 22, 0);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 18, 0) & 0xFFFF, 0x1234);
	world_free(&w);
}

/* Restarting auto-negotiation: the link is down for about 500 ms of the
 * machine clock, then up with LPACK, flow control and LSC each way. */
static void
test_autoneg(void)
{
	struct world w;
	struct mclock *c = mclock_new();

	world_init(&w);
	e1000e_set_clock(w.dev, c);
	world_wire(&w);
	wr(&w, E1000E_CTRL, rd(&w, E1000E_CTRL) | E1000E_CTRL_SLU);
	(void)rd(&w, E1000E_ICR);
	mdic(&w, E1000E_MDIC_OP_WRITE, 1, 0, 0x1340);
	CHECK_EQ(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU, 0);
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_INT_ASSERTED | E1000E_ICR_LSC);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 1, 0) & 0x24, 0);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 5, 0) & 0x4000, 0);
	mclock_advance(c, 499000000);
	CHECK_EQ(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU, 0);
	mclock_advance(c, 501000000);
	CHECK(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU);
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_INT_ASSERTED | E1000E_ICR_LSC);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 1, 0) & 0x24, 0x24);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 5, 0) & 0xFFFF, 0x47E0);
	CHECK_EQ(rd(&w, E1000E_CTRL) & (E1000E_CTRL_TFCE | E1000E_CTRL_RFCE),
	    E1000E_CTRL_TFCE | E1000E_CTRL_RFCE);
	/* OEM bits bit 10 restarts too, and self-clears. */
	mdic(&w, E1000E_MDIC_OP_WRITE, 1, 25, 0x0400);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 25, 0) & 0xFFFF, 0);
	CHECK_EQ(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU, 0);
	/* Pulled cable: negotiation ends without a link. */
	e1000e_port(w.dev)->carrier = false;
	mclock_advance(c, 2000000000);
	CHECK_EQ(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU, 0);
	/* A reset ends a negotiation in progress. */
	e1000e_port(w.dev)->carrier = true;
	mdic(&w, E1000E_MDIC_OP_WRITE, 1, 0, 0x1340);
	wr(&w, E1000E_CTRL, E1000E_CTRL_RST);
	CHECK_EQ(mclock_deadline(c), (uint64_t)-1);
	world_free(&w);
	mclock_free(c);
	/* Without a clock the restart ends at once, the link never drops. */
	world_init(&w);
	world_wire(&w);
	wr(&w, E1000E_CTRL, rd(&w, E1000E_CTRL) | E1000E_CTRL_SLU);
	(void)rd(&w, E1000E_ICR);
	mdic(&w, E1000E_MDIC_OP_WRITE, 1, 0, 0x1340);
	CHECK(rd(&w, E1000E_STATUS) & E1000E_STATUS_LU);
	CHECK_EQ(rd(&w, E1000E_ICR), 0);
	CHECK_EQ(mdic(&w, E1000E_MDIC_OP_READ, 1, 5, 0) & 0x4000, 0x4000);
	world_free(&w);
}

/* CTRL_EXT.SPD_BYPS: STATUS takes the speed from CTRL. */
static void
test_spd_byps(void)
{
	struct world w;

	world_init(&w);
	wr(&w, E1000E_CTRL, (rd(&w, E1000E_CTRL) & ~E1000E_CTRL_SPEED_MASK) |
	    (1u << 8));
	CHECK_EQ(rd(&w, E1000E_STATUS) & E1000E_STATUS_SPEED_MASK,
	    E1000E_STATUS_SPEED_1000);
	wr(&w, E1000E_CTRL_EXT, E1000E_CTRL_EXT_SPD_BYPS);
	CHECK_EQ(rd(&w, E1000E_STATUS) & E1000E_STATUS_SPEED_MASK, 1u << 6);
	world_free(&w);
}

static void
test_stats_clear(void)
{
	struct world w;
	uint8_t f[1000];
	static const uint8_t peer[6] = { 2, 0, 0, 0, 0, 9 };

	world_init(&w);
	world_up(&w, 8, 8);
	make_frame(f, sizeof(f), w.mac, peer, 1);
	CHECK(e1000e_port(w.dev)->deliver(w.dev, f, sizeof(f)));
	CHECK(e1000e_port(w.dev)->deliver(w.dev, f, 100));
	/* peek shows the counters without clearing them. */
	CHECK_EQ(e1000e_peek(w.dev, E1000E_GPRC), 2);
	CHECK_EQ(e1000e_peek(w.dev, E1000E_GPRC), 2);
	CHECK_EQ(e1000e_peek(w.dev, E1000E_GORCL), 1004 + 104);
	CHECK_EQ(rd(&w, E1000E_GPRC), 2);
	CHECK_EQ(rd(&w, E1000E_GPRC), 0);
	CHECK_EQ(rd(&w, E1000E_TPR), 2);
	CHECK_EQ(rd(&w, E1000E_TPR), 0);
	CHECK_EQ(rd(&w, E1000E_PRC1023), 1);
	CHECK_EQ(rd(&w, E1000E_PRC127), 1);
	CHECK_EQ(rd(&w, E1000E_PRC127), 0);
	/* 64-bit octet counters: the low half reads without clearing, the
	 * high half read clears both. */
	CHECK_EQ(rd(&w, E1000E_GORCL), 1108);
	CHECK_EQ(rd(&w, E1000E_GORCL), 1108);
	CHECK_EQ(rd(&w, E1000E_GORCH), 0);
	CHECK_EQ(rd(&w, E1000E_GORCL), 0);
	CHECK_EQ(rd(&w, E1000E_TORL), 1108);
	CHECK_EQ(rd(&w, E1000E_TORH), 0);
	CHECK_EQ(rd(&w, E1000E_TORL), 0);
	/* 8-byte read of a 64-bit counter: both halves, then cleared. */
	CHECK(e1000e_port(w.dev)->deliver(w.dev, f, 200));
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, E1000E_GORCL, 8), 204);
	CHECK_EQ(rd(&w, E1000E_GORCL), 0);
	world_free(&w);
}

static void
test_access_sizes(void)
{
	struct world w;
	struct e1000e_counters c;
	uint64_t v;

	world_init(&w);
	wr(&w, E1000E_FCAL, 0x11223344);
	/* Byte and half-word reads pick bytes out of the register. */
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, E1000E_FCAL, 1), 0x44);
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, E1000E_FCAL + 3, 1), 0x11);
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, E1000E_FCAL + 2, 2), 0x1122);
	/* ... with the register's read side effects. */
	wr(&w, E1000E_ICS, E1000E_ICR_TXDW);
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, E1000E_ICR, 1), 1);
	CHECK_EQ(rd(&w, E1000E_ICR), 0);
	/* Sub-word writes are ignored and counted. */
	e1000e_mmio_ops.write(w.dev, E1000E_FCAL, 0xFF, 1);
	e1000e_mmio_ops.write(w.dev, E1000E_FCAL + 2, 0xFFFF, 2);
	CHECK_EQ(rd(&w, E1000E_FCAL), 0x11223344);
	/* 8 bytes: two registers, low first. */
	e1000e_mmio_ops.write(w.dev, E1000E_TDBAL, 0x0000000500001000ull, 8);
	CHECK_EQ(rd(&w, E1000E_TDBAL), 0x1000);
	CHECK_EQ(rd(&w, E1000E_TDBAH), 5);
	v = e1000e_mmio_ops.read(w.dev, E1000E_TDBAL, 8);
	CHECK_EQ(v, 0x0000000500001000ull);
	/* Misaligned, oversized, odd-sized, outside the BAR: nothing. */
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, E1000E_FCAL + 1, 4), 0);
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, E1000E_FCAL + 3, 2), 0);
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, E1000E_FCAL, 3), 0);
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, E1000E_BAR0_SIZE, 4), 0);
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, E1000E_BAR0_SIZE - 4, 8), 0);
	CHECK_EQ(e1000e_mmio_ops.read(w.dev, UINT64_MAX - 1, 4), 0);
	e1000e_mmio_ops.write(w.dev, E1000E_FCAL + 1, 0, 4);
	e1000e_mmio_ops.write(w.dev, UINT64_MAX - 3, 0, 4);
	e1000e_mmio_ops.write(w.dev, E1000E_FCAL, 0, 16);
	CHECK_EQ(rd(&w, E1000E_FCAL), 0x11223344);
	e1000e_get_counters(w.dev, &c);
	CHECK_EQ(c.bad_mmio, 11);
	/* Through the machine's bus: the BAR at W_BAR. */
	CHECK(phys_bus_write(w.phys, W_BAR + E1000E_FCAH, 4, 0xABCD) == 0);
	CHECK(phys_bus_read(w.phys, W_BAR + E1000E_FCAH, 4, &v) == 0);
	CHECK_EQ(v, 0xABCD);
	CHECK(phys_bus_read(w.phys, W_BAR + E1000E_STATUS, 4, &v) == 0);
	CHECK_EQ(v, 0x00080281);
	world_free(&w);
}

static void
test_names(void)
{
	struct world w;
	const struct phys_region *r;

	CHECK(strcmp(e1000e_reg_name(0x3800), "TDBAL") == 0);
	CHECK(strcmp(e1000e_reg_name(0x3818), "TDT") == 0);
	CHECK(strcmp(e1000e_reg_name(0x381A), "TDT") == 0);
	CHECK(strcmp(e1000e_reg_name(0x3918), "TDT1") == 0);
	CHECK(strcmp(e1000e_reg_name(0x2818), "RDT") == 0);
	CHECK(strcmp(e1000e_reg_name(0x00C0), "ICR") == 0);
	CHECK(strcmp(e1000e_reg_name(0x4074), "GPRC") == 0);
	CHECK(strcmp(e1000e_reg_name(0x5400), "RAL") == 0);
	CHECK(strcmp(e1000e_reg_name(0x5404), "RAH") == 0);
	CHECK(strcmp(e1000e_reg_name(0x547C), "RAH") == 0);
	CHECK(strcmp(e1000e_reg_name(0x527C), "MTA") == 0);
	CHECK(e1000e_reg_name(0x0044) == NULL);
	CHECK(e1000e_reg_name(0x5480) == NULL);
	CHECK(e1000e_reg_name(E1000E_BAR0_SIZE) == NULL);
	world_init(&w);
	r = phys_find(w.phys, W_BAR);
	CHECK(r != NULL);
	CHECK(strcmp(phys_reg_name(r, 0x3808), "TDLEN") == 0);
	CHECK(strcmp(e1000e_name(w.dev), "e1000e0") == 0);
	world_free(&w);
}

int
main(void)
{
	test_reset_values();
	test_eerd();
	test_register_types();
	test_ctrl_reset();
	test_link();
	test_interrupts();
	test_phy();
	test_aliases();
	test_eewr();
	test_phy_pages();
	test_autoneg();
	test_spd_byps();
	test_stats_clear();
	test_access_sizes();
	test_names();
	return (check_done("test_e1000e_regs"));
}
