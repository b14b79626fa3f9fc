/*
 * e1000e_phy.c — the 82574L's internal PHY as MDIC (§10.2.2.7) reaches
 * it, per the datasheet's PHY register chapter: the IEEE registers 0-15,
 * which every page shows, and the paged vendor registers
 * behind the page select register (22): page 0's copper control and
 * status, interrupt enable, receive error counter, OEM bits and bias
 * registers; page 2's MAC interface; page 3's LEDs; pages 5 and 6's
 * read-only cable and CRC registers.
 *
 * Auto-negotiation restarts on PHY control bit 9 (with bit 12 on) or OEM
 * bits bit 10: the link drops, and comes back after about 500 ms on the
 * machine clock with the partner's acknowledgement (LPACK) and flow
 * control resolved, raising LSC each way.
 */
#include <string.h>

#include "dev/e1000e_core.h"

#define PHY_CTRL	0
#define PHY_STATUS	1
#define PHY_ID1		2
#define PHY_ID2		3
#define PHY_ANAR	4
#define PHY_LPAR	5
#define PHY_ANER	6
#define PHY_NPTX	7
#define PHY_LPNP	8
#define PHY_GCTRL	9
#define PHY_GSTATUS	10
#define PHY_EXT_STATUS	15
#define PHY_COPPER_CTRL	16
#define PHY_COPPER_STAT	17
#define PHY_COPPER_INT_EN 18
#define PHY_COPPER_STAT2 19
#define PHY_COPPER_CTRL3 20
#define PHY_RX_ERR_CNTR	21
#define PHY_PAGE	22
#define PHY_OEM_BITS	25
#define PHY_COPPER_CTRL2 26
#define PHY_BIAS_1	29
#define PHY_BIAS_2	30

#define PHY_CTRL_RESET	(1u << 15)
#define PHY_CTRL_LOOPBACK (1u << 14)
#define PHY_CTRL_AN_EN	(1u << 12)
#define PHY_CTRL_RESTART_AN (1u << 9)
#define PHY_STATUS_LINK	(1u << 2)
#define PHY_STATUS_AN_DONE (1u << 5)
#define PHY_LPAR_LPACK	(1u << 14)
#define PHY_OEM_RESTART_AN (1u << 10)
#define PHY_PAGE_MASK	0x7Fu

#define AUTONEG_NS	500000000	/* about half a second */

/* Which registers answer on which page, and which take writes. */
#define PHY_R	1
#define PHY_W	2
#define PHY_ANY	4	/* the same register on every page (page 0's) */
static const uint8_t phy_access[E1000E_PHY_PAGES][E1000E_PHY_REGS] = {
	[0] = {
		[PHY_CTRL] = PHY_ANY | PHY_R | PHY_W,
		[PHY_STATUS] = PHY_ANY | PHY_R,
		[PHY_ID1] = PHY_ANY | PHY_R,
		[PHY_ID2] = PHY_ANY | PHY_R,
		[PHY_ANAR] = PHY_ANY | PHY_R | PHY_W,
		[PHY_LPAR] = PHY_ANY | PHY_R,
		[PHY_ANER] = PHY_ANY | PHY_R,
		[PHY_NPTX] = PHY_ANY | PHY_R | PHY_W,
		[PHY_LPNP] = PHY_ANY | PHY_R,
		[PHY_GCTRL] = PHY_ANY | PHY_R | PHY_W,
		[PHY_GSTATUS] = PHY_ANY | PHY_R,
		[PHY_EXT_STATUS] = PHY_ANY | PHY_R,
		[PHY_PAGE] = PHY_ANY | PHY_R | PHY_W,
		[PHY_COPPER_CTRL] = PHY_R | PHY_W,
		[PHY_COPPER_STAT] = PHY_R,
		[PHY_COPPER_INT_EN] = PHY_R | PHY_W,
		[PHY_COPPER_STAT2] = PHY_R,
		[PHY_COPPER_CTRL3] = PHY_R | PHY_W,
		[PHY_RX_ERR_CNTR] = PHY_R,
		[PHY_OEM_BITS] = PHY_R | PHY_W,
		[PHY_COPPER_CTRL2] = PHY_R | PHY_W,
		[PHY_BIAS_1] = PHY_R | PHY_W,
		[PHY_BIAS_2] = PHY_R | PHY_W,
	},
	[2] = {	/* MAC interface: control 1, interrupts, status, control 2 */
		[16] = PHY_R | PHY_W, [18] = PHY_R | PHY_W, [19] = PHY_R,
		[21] = PHY_R | PHY_W,
	},
	[3] = {		/* LED function, polarity, timer, LED 4-5 control */
		[16] = PHY_R | PHY_W, [17] = PHY_R | PHY_W,
		[18] = PHY_R | PHY_W, [19] = PHY_R | PHY_W,
	},
	[5] = {		/* 1000BASE-T pair skew and swap */
		[20] = PHY_R, [21] = PHY_R,
	},
	[6] = {		/* CRC counters */
		[17] = PHY_R,
	},
};

static const uint16_t phy_reset_val[E1000E_PHY_PAGES][E1000E_PHY_REGS] = {
	[0] = {
		[PHY_CTRL] = 0x1140,	/* 1000 Mb/s, full duplex, AN on */
		[PHY_STATUS] = 0x7949,	/* abilities; link bits added live */
		[PHY_ID1] = 0x0141,
		[PHY_ID2] = 0x0CB1,
		[PHY_ANAR] = 0x0DE1,
		[PHY_LPAR] = 0x07E0,
		[PHY_ANER] = 0x0004,
		[PHY_NPTX] = 0x2001,
		[PHY_GCTRL] = 0x0F00,
		[PHY_GSTATUS] = 0x3C00,
		[PHY_EXT_STATUS] = 0x3000,
		[PHY_COPPER_CTRL] = 0x3360,
		[PHY_COPPER_STAT] = 0xAC08,
	},
	[2] = { [16] = 0x0088, [21] = 0x1046 },
	[3] = { [18] = 0x4005 },
};

static bool
autoneg_on(const struct e1000e *d)
{
	return (d->phy[0][PHY_CTRL] & PHY_CTRL_AN_EN) != 0;
}

bool
e1000e_phy_loopback(const struct e1000e *d)
{
	return (d->phy[0][PHY_CTRL] & PHY_CTRL_LOOPBACK) != 0;
}

bool
e1000e_phy_negotiating(const struct e1000e *d)
{
	return mtimer_armed(&d->autoneg);
}

/* Negotiation done with the cable in: link, partner acknowledged, and
 * pause resolved into CTRL.TFCE/RFCE (the partner advertises it). */
static void
autoneg_done(struct e1000e *d)
{
	d->phy[0][PHY_LPAR] |= PHY_LPAR_LPACK;
	e1000e_phy_set_link(d, true);
	e1000e_reg_set(d, E1000E_CTRL, e1000e_reg(d, E1000E_CTRL) |
	    E1000E_CTRL_TFCE | E1000E_CTRL_RFCE);
}

static void
autoneg_fired(void *arg)
{
	struct e1000e *d = arg;

	if (d->carrier)
		autoneg_done(d);
	e1000e_update_link(d);
}

/* Restart auto-negotiation: the link is down until it ends. */
static void
autoneg_restart(struct e1000e *d)
{
	if (d->clk == NULL) {
		if (d->carrier)
			autoneg_done(d);
		return;
	}
	d->phy[0][PHY_STATUS] &= (uint16_t)~(PHY_STATUS_LINK |
	    PHY_STATUS_AN_DONE);
	d->phy[0][PHY_LPAR] &= (uint16_t)~PHY_LPAR_LPACK;
	mtimer_mod(&d->autoneg, AUTONEG_NS);
	e1000e_update_link(d);
}

void
e1000e_phy_init(struct e1000e *d)
{
	mtimer_init(&d->autoneg, d->clk, autoneg_fired, d);
}

void
e1000e_phy_reset(struct e1000e *d)
{
	mtimer_del(&d->autoneg);
	memcpy(d->phy, phy_reset_val, sizeof(d->phy));
	e1000e_phy_set_link(d, d->carrier);
}

void
e1000e_phy_set_link(struct e1000e *d, bool up)
{
	/* While negotiating, only its end brings the link up. */
	if (up && !e1000e_phy_negotiating(d))
		d->phy[0][PHY_STATUS] |= PHY_STATUS_LINK | PHY_STATUS_AN_DONE;
	else if (!up)
		d->phy[0][PHY_STATUS] &= (uint16_t)~(PHY_STATUS_LINK |
		    PHY_STATUS_AN_DONE);
}

/* The page REG is on: page 0 for the registers every page shows; false
 * when the selected page has no such register or no ACCESS to it. */
static bool
phy_page_of(const struct e1000e *d, uint32_t reg, uint8_t access,
    unsigned *page)
{
	unsigned p = (phy_access[0][reg] & PHY_ANY) ? 0 :
	    d->phy[0][PHY_PAGE];

	if (p >= E1000E_PHY_PAGES)
		return false;
	*page = p;
	return (phy_access[p][reg] & access) != 0;
}

static void
phy_write(struct e1000e *d, unsigned page, uint32_t reg, uint16_t data)
{
	if (page == 0 && reg == PHY_CTRL) {
		/* Reset and restart self-clear; bits 5:0 are reserved. */
		if (data & PHY_CTRL_RESET) {
			e1000e_phy_reset(d);
			e1000e_update_link(d);
		}
		d->phy[0][PHY_CTRL] = data & (uint16_t)~(PHY_CTRL_RESET |
		    PHY_CTRL_RESTART_AN | 0x3F);
		if ((data & PHY_CTRL_RESTART_AN) && autoneg_on(d))
			autoneg_restart(d);
		return;
	}
	if (page == 0 && reg == PHY_PAGE) {
		d->phy[0][PHY_PAGE] = data & PHY_PAGE_MASK;
		return;
	}
	if (page == 0 && reg == PHY_OEM_BITS) {
		/* Bit 10 restarts auto-negotiation and self-clears. */
		d->phy[0][PHY_OEM_BITS] = data & (uint16_t)~PHY_OEM_RESTART_AN;
		if (data & PHY_OEM_RESTART_AN)
			autoneg_restart(d);
		return;
	}
	d->phy[page][reg] = data;
}

/* One MDIC write; returns the value MDIC then reads (READY set). */
uint32_t
e1000e_mdic_write(struct e1000e *d, uint32_t val)
{
	uint32_t reg = (val & E1000E_MDIC_REG_MASK) >> E1000E_MDIC_REG_SHIFT;
	uint32_t phy = (val & E1000E_MDIC_PHY_MASK) >> E1000E_MDIC_PHY_SHIFT;
	uint32_t op = val & (E1000E_MDIC_OP_READ | E1000E_MDIC_OP_WRITE);
	uint16_t data = (uint16_t)(val & E1000E_MDIC_DATA_MASK);
	unsigned page;

	val &= ~(E1000E_MDIC_READY | E1000E_MDIC_ERROR);
	if (phy != E1000E_PHY_ADDR)
		return val | E1000E_MDIC_READY | E1000E_MDIC_ERROR;
	if (op == E1000E_MDIC_OP_READ) {
		if (!phy_page_of(d, reg, PHY_R, &page))
			return val | E1000E_MDIC_READY | E1000E_MDIC_ERROR;
		return (val & ~E1000E_MDIC_DATA_MASK) | d->phy[page][reg] |
		    E1000E_MDIC_READY;
	}
	if (op == E1000E_MDIC_OP_WRITE) {
		if (!phy_page_of(d, reg, PHY_W, &page))
			return val | E1000E_MDIC_READY | E1000E_MDIC_ERROR;
		phy_write(d, page, reg, data);
	}
	return val | E1000E_MDIC_READY;
}
