/*
 * e1000e_phy.c — the 82574L's internal PHY as MDIC reaches it: the IEEE
 * page-0 registers a driver reads to learn link state and abilities.
 * Paging and the vendor registers beyond those listed are not modelled.
 */
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
#define PHY_PAGE	22

#define PHY_CTRL_RESET	(1u << 15)
#define PHY_CTRL_RESTART_AN (1u << 9)
#define PHY_STATUS_LINK	(1u << 2)
#define PHY_STATUS_AN_DONE (1u << 5)

/* Which registers answer, and which take writes. */
#define PHY_R	1
#define PHY_W	2
static const uint8_t phy_access[E1000E_PHY_REGS] = {
	[PHY_CTRL] = PHY_R | PHY_W,	[PHY_STATUS] = PHY_R,
	[PHY_ID1] = PHY_R,		[PHY_ID2] = PHY_R,
	[PHY_ANAR] = PHY_R | PHY_W,	[PHY_LPAR] = PHY_R,
	[PHY_ANER] = PHY_R,		[PHY_NPTX] = PHY_R | PHY_W,
	[PHY_LPNP] = PHY_R,		[PHY_GCTRL] = PHY_R | PHY_W,
	[PHY_GSTATUS] = PHY_R,		[PHY_EXT_STATUS] = PHY_R,
	[PHY_COPPER_CTRL] = PHY_R | PHY_W, [PHY_COPPER_STAT] = PHY_R,
	[PHY_PAGE] = PHY_R | PHY_W,
};

static const uint16_t phy_reset_val[E1000E_PHY_REGS] = {
	[PHY_CTRL] = 0x1140,		/* 1000 Mb/s, full duplex, AN on */
	[PHY_STATUS] = 0x7949,		/* abilities; link bits added live */
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
};

void
e1000e_phy_reset(struct e1000e *d)
{
	unsigned i;

	for (i = 0; i < E1000E_PHY_REGS; i++)
		d->phy[i] = phy_reset_val[i];
	e1000e_phy_set_link(d, d->carrier);
}

void
e1000e_phy_set_link(struct e1000e *d, bool up)
{
	if (up)
		d->phy[PHY_STATUS] |= PHY_STATUS_LINK | PHY_STATUS_AN_DONE;
	else
		d->phy[PHY_STATUS] &= (uint16_t)~(PHY_STATUS_LINK |
		    PHY_STATUS_AN_DONE);
}

/* One MDIC write; returns the value MDIC then reads (READY set). */
uint32_t
e1000e_mdic_write(struct e1000e *d, uint32_t val)
{
	uint32_t reg = (val & E1000E_MDIC_REG_MASK) >> E1000E_MDIC_REG_SHIFT;
	uint32_t phy = (val & E1000E_MDIC_PHY_MASK) >> E1000E_MDIC_PHY_SHIFT;
	uint32_t op = val & (E1000E_MDIC_OP_READ | E1000E_MDIC_OP_WRITE);
	uint16_t data = (uint16_t)(val & E1000E_MDIC_DATA_MASK);

	val &= ~(E1000E_MDIC_READY | E1000E_MDIC_ERROR);
	if (phy != E1000E_PHY_ADDR)
		return val | E1000E_MDIC_READY | E1000E_MDIC_ERROR;
	if (op == E1000E_MDIC_OP_READ) {
		if (!(phy_access[reg] & PHY_R))
			return val | E1000E_MDIC_READY | E1000E_MDIC_ERROR;
		return (val & ~E1000E_MDIC_DATA_MASK) | d->phy[reg] |
		    E1000E_MDIC_READY;
	}
	if (op == E1000E_MDIC_OP_WRITE) {
		if (!(phy_access[reg] & PHY_W))
			return val | E1000E_MDIC_READY | E1000E_MDIC_ERROR;
		if (reg == PHY_CTRL) {
			/* Reset and restart-autonegotiation self-clear; the
			 * link is instant, so there is nothing to wait for. */
			if (data & PHY_CTRL_RESET)
				e1000e_phy_reset(d);
			data &= (uint16_t)~(PHY_CTRL_RESET |
			    PHY_CTRL_RESTART_AN | 0x3F);
		}
		d->phy[reg] = data;
	}
	return val | E1000E_MDIC_READY;
}
