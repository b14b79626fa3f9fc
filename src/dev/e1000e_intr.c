/*
 * e1000e_intr.c — interrupts (82574L datasheet §7.4): causes gather in
 * ICR (§10.2.4.1) under the mask IMS (§10.2.4.5) and leave as the INTx
 * line, one MSI message, or MSI-X messages on the vectors IVAR assigns
 * (§10.2.4.10), with the auto-clear (EIAC) and auto-mask (IAM, IAME,
 * EIAME) rules. Interrupt moderation (§7.4.4): ITR and EITR hold a
 * minimum interval between interrupts; the delay timers hold back the
 * transmit causes of descriptors with IDE (TIDV, restarted per frame;
 * TADV, absolute) and the receive causes (RDTR, RADV; RAID for ACK
 * frames). Any interrupt that goes out takes the held causes with it.
 *
 * Timers run on the machine clock; without one every delay is zero.
 * The delay timers apply without MSI-X only, as in QEMU's model.
 */
#include "dev/e1000e_core.h"

#define MSIX_CAUSES	(E1000E_ICR_RXQ0 | E1000E_ICR_RXQ1 | \
    E1000E_ICR_TXQ0 | E1000E_ICR_TXQ1 | E1000E_ICR_OTHER)

static void
set_line(struct e1000e *d, bool level)
{
	if (level == d->intr.line)
		return;
	d->intr.line = level;
	if (level) {
		d->cnt.irq_raised++;
		e1000e_stat_inc(d, E1000E_IAC, 1);
	}
	if (d->irq_fn != NULL)
		d->irq_fn(d->irq_owner, level);
}

static void
send(struct e1000e *d, unsigned vec)
{
	d->cnt.msgs_sent++;
	e1000e_stat_inc(d, E1000E_IAC, 1);
	if (d->intr.send != NULL)
		d->intr.send(d->intr.msg_owner, vec);
}

/* Start throttle T's interval (REG's 16 bits of 256 ns); false when
 * there is none (no clock, or 0: throttling off). */
static bool
throttle_start(struct e1000e *d, struct e1000e_throttle *t, uint32_t reg)
{
	int64_t ns = (int64_t)(e1000e_reg(d, reg) & 0xFFFF) *
	    E1000E_ITR_UNIT_NS;

	if (d->clk == NULL || ns == 0)
		return false;
	mtimer_mod(&t->t, ns);
	return true;
}

/* Start delay timer T for REG's 16 bits of 1.024 us; false: no delay. */
static bool
delay_start(struct e1000e *d, struct mtimer *t, uint32_t reg)
{
	int64_t ns = (int64_t)(e1000e_reg(d, reg) & 0xFFFF) *
	    E1000E_DELAY_UNIT_NS;

	if (d->clk == NULL || ns == 0)
		return false;
	mtimer_mod(t, ns);
	return true;
}

static void
delays_stop(struct e1000e *d)
{
	mtimer_del(&d->intr.tidv);
	mtimer_del(&d->intr.tadv);
	mtimer_del(&d->intr.rdtr);
	mtimer_del(&d->intr.radv);
	mtimer_del(&d->intr.raid);
}

/* The causes the delay timers held, released: every timer stops. */
static uint32_t
take_delayed(struct e1000e *d)
{
	uint32_t c = d->intr.delayed;

	d->intr.delayed = 0;
	delays_stop(d);
	return c;
}

static void
intx_update(struct e1000e *d, bool want)
{
	struct e1000e_intr *in = &d->intr;

	if (!want) {
		in->itr.pending = false;
		set_line(d, false);
		return;
	}
	if (in->line)
		return;
	if (mtimer_armed(&in->itr.t)) {
		in->itr.pending = true;
		return;
	}
	(void)throttle_start(d, &in->itr, E1000E_ITR);
	set_line(d, true);
}

/* MSI: one message whenever a cause becomes pending, throttled by ITR. */
static void
msi_update(struct e1000e *d, uint32_t pend)
{
	struct e1000e_intr *in = &d->intr;
	uint32_t fresh = pend & ~in->msg_sent;

	if (fresh == 0)
		return;
	if (mtimer_armed(&in->itr.t)) {
		in->itr.pending = true;
		return;
	}
	in->msg_sent |= fresh;
	(void)throttle_start(d, &in->itr, E1000E_ITR);
	send(d, 0);
}

static void
vector_fire(struct e1000e *d, unsigned v)
{
	struct e1000e_throttle *t = &d->intr.eitr[v];

	if (mtimer_armed(&t->t)) {
		t->pending = true;
		return;
	}
	(void)throttle_start(d, t, E1000E_EITR(v));
	send(d, v);
}

/* IVAR's 4-bit entry for an MSI-X cause. */
static uint32_t
ivar_entry(const struct e1000e *d, uint32_t cause)
{
	static const struct {
		uint32_t cause;
		unsigned shift;
	} map[] = {
		{ E1000E_ICR_RXQ0, 0 }, { E1000E_ICR_RXQ1, 4 },
		{ E1000E_ICR_TXQ0, 8 }, { E1000E_ICR_TXQ1, 12 },
		{ E1000E_ICR_OTHER, 16 },
	};
	unsigned i;

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (map[i].cause == cause)
			return (e1000e_reg(d, E1000E_IVAR) >> map[i].shift) &
			    0xFu;
	return 0;
}

/* One MSI-X cause fires: its vector, then auto-clear and auto-mask. */
static void
msix_notify(struct e1000e *d, uint32_t cause)
{
	uint32_t ent = ivar_entry(d, cause);
	uint32_t ext = e1000e_reg(d, E1000E_CTRL_EXT);
	uint32_t eff = e1000e_reg(d, E1000E_EIAC) & cause;
	uint32_t ims = e1000e_reg(d, E1000E_IMS);

	if ((ent & E1000E_IVAR_VALID) &&
	    (ent & E1000E_IVAR_VEC_MASK) < E1000E_MSIX_VECTORS)
		vector_fire(d, ent & E1000E_IVAR_VEC_MASK);
	/* EIAME: the message masks the IAM bits it carries (§10.2.2.5). */
	if (ext & E1000E_CTRL_EXT_EIAME)
		ims &= ~(e1000e_reg(d, E1000E_IAM) & cause);
	/* EIAC: the message clears the cause (§10.2.4.9), and masks it
	 * unless IAME asks for masking by IAM alone. */
	if (!(ext & E1000E_CTRL_EXT_IAME))
		ims &= ~eff;
	e1000e_reg_set(d, E1000E_IMS, ims);
	e1000e_reg_set(d, E1000E_ICR, e1000e_reg(d, E1000E_ICR) & ~eff);
	d->intr.msg_sent &= ~eff;
}

static void
msix_update(struct e1000e *d, uint32_t pend)
{
	static const uint32_t order[] = { E1000E_ICR_RXQ0, E1000E_ICR_RXQ1,
	    E1000E_ICR_TXQ0, E1000E_ICR_TXQ1, E1000E_ICR_OTHER };
	struct e1000e_intr *in = &d->intr;
	uint32_t fresh = pend & ~in->msg_sent & MSIX_CAUSES, icr;
	unsigned i;

	if (fresh == 0)
		return;
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (fresh & order[i]) {
			in->msg_sent |= order[i];
			msix_notify(d, order[i]);
		}
	icr = e1000e_reg(d, E1000E_ICR) & ~E1000E_ICR_INT_ASSERTED;
	e1000e_reg_set(d, E1000E_ICR,
	    icr != 0 ? (icr | E1000E_ICR_INT_ASSERTED) : 0);
}

void
e1000e_update_irq(struct e1000e *d)
{
	struct e1000e_intr *in = &d->intr;
	uint32_t icr = e1000e_reg(d, E1000E_ICR) & ~E1000E_ICR_INT_ASSERTED;
	uint32_t pend;

	/* With MSI-X the causes no queue owns raise OTHER. */
	if (in->mode == E1000E_INTR_MSIX && (icr & E1000E_ICR_OTHER_CAUSES))
		icr |= E1000E_ICR_OTHER;
	/* INT_ASSERTED mirrors "some cause is pending", masked or not. */
	e1000e_reg_set(d, E1000E_ICR,
	    icr != 0 ? (icr | E1000E_ICR_INT_ASSERTED) : 0);
	pend = icr & e1000e_reg(d, E1000E_IMS);
	in->msg_sent &= pend;
	switch (in->mode) {
	case E1000E_INTR_INTX:
		intx_update(d, pend != 0);
		break;
	case E1000E_INTR_MSI:
		msi_update(d, pend);
		break;
	case E1000E_INTR_MSIX:
		msix_update(d, pend);
		break;
	}
}

void
e1000e_set_cause(struct e1000e *d, uint32_t causes)
{
	causes |= take_delayed(d);
	e1000e_reg_set(d, E1000E_ICR, e1000e_reg(d, E1000E_ICR) | causes);
	e1000e_update_irq(d);
}

/* A delay timer ran out: everything held goes now. */
static void
delay_fired(void *arg)
{
	e1000e_set_cause(arg, 0);
}

static void
throttle_fired(void *arg)
{
	struct e1000e_throttle *t = arg;

	if (!t->pending)
		return;
	t->pending = false;
	if (t == &t->d->intr.itr)
		e1000e_update_irq(t->d);
	else
		vector_fire(t->d, t->vec);
}

void
e1000e_intr_tx(struct e1000e *d, unsigned q, bool wrote, bool empty,
    bool ide)
{
	struct e1000e_intr *in = &d->intr;
	uint32_t c = 0;

	if (wrote)
		c |= in->mode != E1000E_INTR_MSIX ? E1000E_ICR_TXDW :
		    q == 0 ? E1000E_ICR_TXQ0 : E1000E_ICR_TXQ1;
	if (empty)
		c |= E1000E_ICR_TXQE;
	if (c == 0)
		return;
	/* IDE: TIDV restarts with every such frame, TADV runs from the
	 * first (§10.2.6.9, §10.2.6.11). */
	if (ide && in->mode != E1000E_INTR_MSIX &&
	    delay_start(d, &in->tidv, E1000E_TIDV)) {
		in->delayed |= c;
		if (!mtimer_armed(&in->tadv))
			(void)delay_start(d, &in->tadv, E1000E_TADV);
		return;
	}
	e1000e_set_cause(d, c);
}

void
e1000e_intr_rx(struct e1000e *d, unsigned q, bool landed, uint32_t extra)
{
	struct e1000e_intr *in = &d->intr;
	uint32_t c = extra, delayable, rest;

	if (in->mode == E1000E_INTR_MSIX) {
		/* Queue causes replace RXT0, and RXDMT0 has no vector. */
		c &= ~E1000E_ICR_RXDMT0;
		if (landed)
			c |= q == 0 ? E1000E_ICR_RXQ0 : E1000E_ICR_RXQ1;
		e1000e_set_cause(d, c);
		return;
	}
	if (landed)
		c |= E1000E_ICR_RXT0;
	delayable = E1000E_ICR_RXT0;
	if (!(e1000e_reg(d, E1000E_RFCTL) & E1000E_RFCTL_ACK_DIS))
		delayable |= E1000E_ICR_ACK;
	rest = c & ~delayable;
	/* RDTR holds the frame causes unless something urgent came with
	 * them (§10.2.5.10); an ACK needs RAID to be held. */
	if (rest == 0 && (c & delayable) != 0 && d->clk != NULL &&
	    (e1000e_reg(d, E1000E_RDTR) & 0xFFFF) != 0 &&
	    !((c & E1000E_ICR_ACK) &&
	    (e1000e_reg(d, E1000E_RAID) & 0xFFFF) == 0)) {
		in->delayed |= c;
		(void)delay_start(d, &in->rdtr, E1000E_RDTR);
		if (!mtimer_armed(&in->radv))
			(void)delay_start(d, &in->radv, E1000E_RADV);
		if ((in->delayed & E1000E_ICR_ACK) && !mtimer_armed(&in->raid))
			(void)delay_start(d, &in->raid, E1000E_RAID);
		return;
	}
	e1000e_set_cause(d, c);
}

uint32_t
e1000e_icr_read(struct e1000e *d)
{
	uint32_t v = e1000e_reg(d, E1000E_ICR);

	/* Reading ICR clears it (§10.2.4.1, §7.4.3); with CTRL_EXT.IAME an
	 * asserted read also masks IAM. */
	if ((v & E1000E_ICR_INT_ASSERTED) &&
	    (e1000e_reg(d, E1000E_CTRL_EXT) & E1000E_CTRL_EXT_IAME))
		e1000e_reg_set(d, E1000E_IMS, e1000e_reg(d, E1000E_IMS) &
		    ~e1000e_reg(d, E1000E_IAM));
	e1000e_reg_set(d, E1000E_ICR, 0);
	e1000e_update_irq(d);
	return v;
}

void
e1000e_icr_write(struct e1000e *d, uint32_t val)
{
	/* Writing 1s clears those causes; IAME masks as a read does. */
	if ((e1000e_reg(d, E1000E_ICR) & E1000E_ICR_INT_ASSERTED) &&
	    (e1000e_reg(d, E1000E_CTRL_EXT) & E1000E_CTRL_EXT_IAME))
		e1000e_reg_set(d, E1000E_IMS, e1000e_reg(d, E1000E_IMS) &
		    ~e1000e_reg(d, E1000E_IAM));
	e1000e_reg_set(d, E1000E_ICR, e1000e_reg(d, E1000E_ICR) & ~val);
	e1000e_update_irq(d);
}

/* Each MSI-X cause in CAUSES: clear its vector's pending bit. */
static void
clear_vectors(struct e1000e *d, uint32_t causes)
{
	static const uint32_t all[] = { E1000E_ICR_RXQ0, E1000E_ICR_RXQ1,
	    E1000E_ICR_TXQ0, E1000E_ICR_TXQ1, E1000E_ICR_OTHER };
	uint32_t ent;
	unsigned i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (!(causes & all[i]))
			continue;
		ent = ivar_entry(d, all[i]);
		if ((ent & E1000E_IVAR_VALID) &&
		    (ent & E1000E_IVAR_VEC_MASK) < E1000E_MSIX_VECTORS &&
		    d->intr.clear_pending != NULL)
			d->intr.clear_pending(d->intr.msg_owner,
			    ent & E1000E_IVAR_VEC_MASK);
	}
}

void
e1000e_ims_write(struct e1000e *d, uint32_t val)
{
	struct e1000e_intr *in = &d->intr;
	uint32_t ext = e1000e_reg(d, E1000E_CTRL_EXT);
	unsigned v;

	val &= E1000E_IMS_VALID;
	e1000e_reg_set(d, E1000E_IMS, e1000e_reg(d, E1000E_IMS) | val);
	if (in->mode == E1000E_INTR_MSIX && (ext & E1000E_CTRL_EXT_PBA_CLR))
		clear_vectors(d, val & MSIX_CAUSES);
	/* CTRL_EXT.INT_TIMERS_CLEAR_ENA: enabling every cause at once ends
	 * every delay and throttle interval (§10.2.2.5). */
	if (val == E1000E_IMS_VALID &&
	    (ext & E1000E_CTRL_EXT_INT_TIMERS_CLEAR_ENA)) {
		e1000e_reg_set(d, E1000E_ICR, e1000e_reg(d, E1000E_ICR) |
		    take_delayed(d));
		mtimer_del(&in->itr.t);
		in->itr.pending = false;
		for (v = 0; v < E1000E_MSIX_VECTORS; v++) {
			mtimer_del(&in->eitr[v].t);
			if (in->eitr[v].pending) {
				in->eitr[v].pending = false;
				send(d, v);
			}
		}
	}
	e1000e_update_irq(d);
}

void
e1000e_intr_flush(struct e1000e *d, uint32_t timer_reg)
{
	struct mtimer *t = timer_reg == E1000E_RDTR ? &d->intr.rdtr :
	    &d->intr.tidv;

	if (mtimer_armed(t))
		e1000e_set_cause(d, 0);
}

void
e1000e_pbaclr_write(struct e1000e *d, uint32_t val)
{
	unsigned v;

	val &= (1u << E1000E_MSIX_VECTORS) - 1;
	e1000e_reg_set(d, E1000E_PBACLR, val);
	if (d->intr.mode != E1000E_INTR_MSIX || d->intr.clear_pending == NULL)
		return;
	for (v = 0; v < E1000E_MSIX_VECTORS; v++)
		if (val & (1u << v))
			d->intr.clear_pending(d->intr.msg_owner, v);
}

void
e1000e_intr_init(struct e1000e *d)
{
	struct e1000e_intr *in = &d->intr;
	unsigned v;

	mtimer_init(&in->itr.t, d->clk, throttle_fired, &in->itr);
	in->itr.d = d;
	in->itr.vec = 0;
	for (v = 0; v < E1000E_MSIX_VECTORS; v++) {
		mtimer_init(&in->eitr[v].t, d->clk, throttle_fired,
		    &in->eitr[v]);
		in->eitr[v].d = d;
		in->eitr[v].vec = v;
	}
	mtimer_init(&in->tidv, d->clk, delay_fired, d);
	mtimer_init(&in->tadv, d->clk, delay_fired, d);
	mtimer_init(&in->rdtr, d->clk, delay_fired, d);
	mtimer_init(&in->radv, d->clk, delay_fired, d);
	mtimer_init(&in->raid, d->clk, delay_fired, d);
}

void
e1000e_intr_stop(struct e1000e *d)
{
	struct e1000e_intr *in = &d->intr;
	unsigned v;

	delays_stop(d);
	in->delayed = 0;
	mtimer_del(&in->itr.t);
	in->itr.pending = false;
	for (v = 0; v < E1000E_MSIX_VECTORS; v++) {
		mtimer_del(&in->eitr[v].t);
		in->eitr[v].pending = false;
	}
}

void
e1000e_intr_reset(struct e1000e *d)
{
	e1000e_intr_stop(d);
	d->intr.msg_sent = 0;
}

void
e1000e_set_intr_mode(struct e1000e *d, enum e1000e_intr_mode mode)
{
	if (d == NULL || d->intr.mode == mode)
		return;
	/* Leaving INTx lowers the pin; a message mode starts afresh. */
	if (mode != E1000E_INTR_INTX)
		set_line(d, false);
	e1000e_intr_stop(d);
	d->intr.mode = mode;
	d->intr.msg_sent = 0;
	e1000e_update_irq(d);
}

void
e1000e_set_msg_handler(struct e1000e *d,
    void (*fn)(void *owner, unsigned vector),
    void (*clear_pending)(void *owner, unsigned vector), void *owner)
{
	d->intr.send = fn;
	d->intr.clear_pending = clear_pending;
	d->intr.msg_owner = owner;
}

bool
e1000e_irq_level(const struct e1000e *d)
{
	return d->intr.line;
}

void
e1000e_set_irq_handler(struct e1000e *d, void (*fn)(void *, bool),
    void *owner)
{
	d->irq_fn = fn;
	d->irq_owner = owner;
}
