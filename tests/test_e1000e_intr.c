/*
 * test_e1000e_intr.c — the 82574L's interrupt delivery: INTx, MSI and
 * MSI-X messages (IVAR vectors, EIAC auto-clear, EIAME/IAM auto-mask,
 * pending bits cleared by PBACLR), ITR/EITR throttling and the TIDV/TADV
 * and RDTR/RADV delays on a machine clock, FPD, and the clockless board
 * where every delay is zero.
 */
#include "machine/clock.h"
#include "test_e1000e_world.h"

struct msgs {
	unsigned n;
	unsigned vec[32];
	unsigned cleared;	/* bit per vector */
};

static void
on_msg(void *arg, unsigned v)
{
	struct msgs *m = arg;

	if (m->n < 32)
		m->vec[m->n] = v;
	m->n++;
}

static void
on_clear(void *arg, unsigned v)
{
	struct msgs *m = arg;

	m->cleared |= 1u << v;
}

static void
send_frame(struct world *w, unsigned slot, uint8_t cmd)
{
	uint8_t f[60];

	make_frame(f, 60, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, w->mac, 0);
	ram_write(w, W_TXBUF, f, 60);
	tx_desc(w, W_TXRING, slot, W_TXBUF, 60, cmd);
	wr(w, E1000E_TDT, slot + 1);
}

#define CMD	(E1000E_TXD_CMD_EOP | E1000E_TXD_CMD_IFCS | E1000E_TXD_CMD_RS)

static void
test_msi(void)
{
	struct world w;
	struct msgs m = { 0 };

	world_init(&w);
	e1000e_set_msg_handler(w.dev, on_msg, on_clear, &m);
	world_up(&w, 8, 8);
	e1000e_set_intr_mode(w.dev, E1000E_INTR_MSI);
	wr(&w, E1000E_IMS, E1000E_ICR_LSC | E1000E_ICR_TXDW);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	CHECK_EQ(m.n, 1);
	CHECK_EQ(m.vec[0], 0);
	CHECK(!w.irq_level);
	/* Pending and announced: no second message until a new cause. */
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	CHECK_EQ(m.n, 1);
	send_frame(&w, 0, CMD);
	CHECK_EQ(m.n, 2);
	(void)rd(&w, E1000E_ICR);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	CHECK_EQ(m.n, 3);
	CHECK_EQ(rd(&w, E1000E_IAC), 3);
	/* Back to INTx: the line. */
	(void)rd(&w, E1000E_ICR);
	e1000e_set_intr_mode(w.dev, E1000E_INTR_INTX);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	CHECK(w.irq_level);
	CHECK_EQ(m.n, 3);
	world_free(&w);
}

static void
test_msix(void)
{
	struct world w;
	struct msgs m = { 0 };

	world_init(&w);
	e1000e_set_msg_handler(w.dev, on_msg, on_clear, &m);
	world_up(&w, 8, 8);
	e1000e_set_intr_mode(w.dev, E1000E_INTR_MSIX);
	/* RXQ0 -> 0, TXQ0 -> 3, OTHER -> 4; RXQ1 not valid. */
	wr(&w, E1000E_IVAR, 0x8 | 0xB << 8 | 0xC << 16);
	wr(&w, E1000E_IMS, E1000E_ICR_RXQ0 | E1000E_ICR_RXQ1 |
	    E1000E_ICR_TXQ0 | E1000E_ICR_OTHER | E1000E_ICR_LSC);
	/* LSC raises OTHER. */
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	CHECK_EQ(m.n, 1);
	CHECK_EQ(m.vec[0], 4);
	CHECK(rd(&w, E1000E_ICR) & E1000E_ICR_OTHER);
	/* A frame sent: TXQ0, not TXDW, on vector 3. */
	send_frame(&w, 0, CMD);
	CHECK_EQ(m.n, 2);
	CHECK_EQ(m.vec[1], 3);
	CHECK_EQ(rd(&w, E1000E_ICR) & (E1000E_ICR_TXQ0 | E1000E_ICR_TXDW),
	    E1000E_ICR_TXQ0);
	/* A cause without a valid vector sends nothing. */
	wr(&w, E1000E_ICS, E1000E_ICR_RXQ1);
	CHECK_EQ(m.n, 2);
	(void)rd(&w, E1000E_ICR);
	/* EIAC: the cause and its mask clear as the message goes. */
	wr(&w, E1000E_EIAC, E1000E_ICR_RXQ0);
	wr(&w, E1000E_ICS, E1000E_ICR_RXQ0);
	CHECK_EQ(m.n, 3);
	CHECK_EQ(m.vec[2], 0);
	CHECK_EQ(rd(&w, E1000E_ICS) & E1000E_ICR_RXQ0, 0);
	CHECK_EQ(rd(&w, E1000E_IMS) & E1000E_ICR_RXQ0, 0);
	/* EIAME: the message masks the IAM bits it carries. */
	wr(&w, E1000E_CTRL_EXT, E1000E_CTRL_EXT_EIAME);
	wr(&w, E1000E_IAM, E1000E_ICR_OTHER);
	(void)rd(&w, E1000E_ICR);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	CHECK_EQ(m.n, 4);
	CHECK_EQ(rd(&w, E1000E_IMS) & E1000E_ICR_OTHER, 0);
	/* PBACLR and IMS with PBA_CLR clear pending bits. */
	wr(&w, E1000E_PBACLR, 0xFF);
	CHECK_EQ(rd(&w, E1000E_PBACLR), 0x1F);
	CHECK_EQ(m.cleared, 0x1F);
	m.cleared = 0;
	wr(&w, E1000E_CTRL_EXT, E1000E_CTRL_EXT_PBA_CLR);
	wr(&w, E1000E_IMS, E1000E_ICR_TXQ0);
	CHECK_EQ(m.cleared, 1u << 3);
	world_free(&w);
}

static void
test_throttle(void)
{
	struct world w;
	struct msgs m = { 0 };
	struct mclock *c = mclock_new();

	world_init(&w);
	e1000e_set_clock(w.dev, c);
	e1000e_set_msg_handler(w.dev, on_msg, on_clear, &m);
	world_up(&w, 8, 8);
	/* ITR 1000 x 256 ns = 256 us between INTx assertions. */
	wr(&w, E1000E_ITR, 1000);
	wr(&w, E1000E_IMS, E1000E_ICR_LSC);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	CHECK(w.irq_level);
	(void)rd(&w, E1000E_ICR);
	CHECK(!w.irq_level);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	CHECK(!w.irq_level);
	mclock_advance(c, 255000);
	CHECK(!w.irq_level);
	mclock_advance(c, 256000);
	CHECK(w.irq_level);
	/* A cause read away while waiting: nothing at the end. */
	(void)rd(&w, E1000E_ICR);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	(void)rd(&w, E1000E_ICR);
	mclock_advance(c, 2000000);
	CHECK(!w.irq_level);
	/* MSI-X: EITR per vector. */
	e1000e_set_intr_mode(w.dev, E1000E_INTR_MSIX);
	wr(&w, E1000E_IVAR, 0x8 << 16);		/* OTHER -> 0 */
	wr(&w, E1000E_EITR(0), 4000);		/* 1.024 ms */
	wr(&w, E1000E_EIAC, E1000E_ICR_OTHER);
	wr(&w, E1000E_IMS, E1000E_ICR_OTHER);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	CHECK_EQ(m.n, 1);
	wr(&w, E1000E_IMS, E1000E_ICR_OTHER);
	wr(&w, E1000E_ICS, E1000E_ICR_LSC);
	CHECK_EQ(m.n, 1);
	mclock_advance(c, mclock_now(c) + 1024000);
	CHECK_EQ(m.n, 2);
	world_free(&w);
	mclock_free(c);
}

static void
test_delays(void)
{
	struct world w;
	struct mclock *c = mclock_new();
	uint8_t f[60];

	world_init(&w);
	e1000e_set_clock(w.dev, c);
	world_up(&w, 8, 8);
	wr(&w, E1000E_IMS, E1000E_ICR_TXDW | E1000E_ICR_RXT0);
	/* TIDV 100 (102.4 us), restarted per IDE frame; TADV 150 caps it. */
	wr(&w, E1000E_TIDV, 100);
	wr(&w, E1000E_TADV, 150);
	send_frame(&w, 0, CMD | E1000E_TXD_CMD_IDE);
	CHECK(!w.irq_level);
	CHECK_EQ(rd(&w, E1000E_ICS), 0);
	mclock_advance(c, 80000);
	send_frame(&w, 1, CMD | E1000E_TXD_CMD_IDE);
	mclock_advance(c, 150000);
	CHECK(!w.irq_level);
	mclock_advance(c, 153600);
	CHECK(w.irq_level);
	CHECK_EQ(rd(&w, E1000E_ICR), E1000E_ICR_INT_ASSERTED |
	    E1000E_ICR_TXDW | E1000E_ICR_TXQE);
	/* FPD ends a running TIDV at once. */
	send_frame(&w, 2, CMD | E1000E_TXD_CMD_IDE);
	CHECK(!w.irq_level);
	wr(&w, E1000E_TIDV, 100 | E1000E_DELAY_FPD);
	CHECK(w.irq_level);
	CHECK_EQ(rd(&w, E1000E_TIDV), 100);
	(void)rd(&w, E1000E_ICR);
	/* RDTR holds RXT0; RXO (urgent) would not be. */
	wr(&w, E1000E_RDTR, 50);
	make_frame(f, 60, w.mac, (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 }, 0);
	e1000e_port(w.dev)->deliver(w.dev, f, 60);
	CHECK(!w.irq_level);
	mclock_advance(c, mclock_now(c) + 51200);
	CHECK(w.irq_level);
	(void)rd(&w, E1000E_ICR);
	/* A reset drops what the timers held. */
	e1000e_port(w.dev)->deliver(w.dev, f, 60);
	wr(&w, E1000E_CTRL, E1000E_CTRL_RST);
	CHECK_EQ(mclock_deadline(c), (uint64_t)-1);
	world_free(&w);
	mclock_free(c);
	/* No clock: IDE and RDTR delay nothing. */
	world_init(&w);
	world_up(&w, 8, 8);
	wr(&w, E1000E_IMS, E1000E_ICR_TXDW);
	wr(&w, E1000E_TIDV, 100);
	wr(&w, E1000E_ITR, 0xFFFF);
	send_frame(&w, 0, CMD | E1000E_TXD_CMD_IDE);
	CHECK(w.irq_level);
	(void)rd(&w, E1000E_ICR);
	send_frame(&w, 1, CMD | E1000E_TXD_CMD_IDE);
	CHECK(w.irq_level);
	world_free(&w);
}

int
main(void)
{
	test_msi();
	test_msix();
	test_throttle();
	test_delays();
	return (check_done("test_e1000e_intr"));
}
