/*
 * e1000e_filter.c — receive address filtering: the exact-match receive
 * address table (RAL/RAH with AV, 82574L datasheet §10.2.5.22-§10.2.5.23),
 * broadcast (RCTL.BAM), unicast and multicast promiscuous modes (UPE, MPE;
 * RCTL is §10.2.5.1) and the 4096-bit multicast table (MTA, §10.2.5.21)
 * hashed on the destination address bits RCTL.MO selects; and the VLAN
 * filter (RCTL.VFE, the 4096-bit VLAN table VFTA, §10.2.5.24).
 */
#include <string.h>

#include "dev/e1000e_core.h"

static bool
ra_match(const struct e1000e *d, const uint8_t *da)
{
	uint32_t lo, hi;
	uint8_t a[6];
	unsigned i;

	for (i = 0; i < E1000E_RA_ENTRIES; i++) {
		hi = e1000e_reg(d, E1000E_RAH(i));
		/* Only valid entries that match the destination (ASEL 00). */
		if (!(hi & E1000E_RAH_AV) || (hi & E1000E_RAH_ASEL_MASK))
			continue;
		lo = e1000e_reg(d, E1000E_RAL(i));
		a[0] = (uint8_t)lo;
		a[1] = (uint8_t)(lo >> 8);
		a[2] = (uint8_t)(lo >> 16);
		a[3] = (uint8_t)(lo >> 24);
		a[4] = (uint8_t)hi;
		a[5] = (uint8_t)(hi >> 8);
		if (memcmp(a, da, 6) == 0)
			return true;
	}
	return false;
}

/* MO 00..11 take address bits 47:36, 46:35, 45:34, 43:32. */
static bool
mta_match(const struct e1000e *d, const uint8_t *da)
{
	static const unsigned shift[4] = { 4, 3, 2, 0 };
	uint32_t mo = (e1000e_reg(d, E1000E_RCTL) & E1000E_RCTL_MO_MASK) >>
	    E1000E_RCTL_MO_SHIFT;
	uint32_t h = (((uint32_t)da[5] << 8 | da[4]) >> shift[mo]) & 0xFFF;

	return (e1000e_reg(d, E1000E_MTA + 4 * (h >> 5)) >> (h & 31)) & 1;
}

bool
e1000e_filter_accept(const struct e1000e *d, const uint8_t *frame)
{
	static const uint8_t bcast[6] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
	uint32_t rctl = e1000e_reg(d, E1000E_RCTL);

	/* With BAM clear a broadcast passes only through the exact or the
	 * imperfect (multicast table) filter (§10.2.5.1), MPE or not. */
	if (memcmp(frame, bcast, 6) == 0)
		return (rctl & E1000E_RCTL_BAM) || ra_match(d, frame) ||
		    mta_match(d, frame);
	if (frame[0] & 1) {
		if (rctl & E1000E_RCTL_MPE)
			return true;
		return ra_match(d, frame) || mta_match(d, frame);
	}
	if (rctl & E1000E_RCTL_UPE)
		return true;
	return ra_match(d, frame);
}

bool
e1000e_vlan_accept(const struct e1000e *d, const struct e1000e_pkt *p)
{
	uint32_t rctl = e1000e_reg(d, E1000E_RCTL);
	unsigned vid;

	if (!p->vlan || !(rctl & E1000E_RCTL_VFE))
		return true;
	/* CFIEN: the tag's CFI bit must be RCTL.CFI. */
	if ((rctl & E1000E_RCTL_CFIEN) &&
	    ((p->tci >> 12) & 1u) != ((rctl & E1000E_RCTL_CFI) != 0))
		return false;
	vid = p->tci & 0xFFFu;
	return (e1000e_reg(d, E1000E_VFTA + 4 * (vid >> 5)) >> (vid & 31)) & 1;
}
