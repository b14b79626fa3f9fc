/*
 * e1000e_ring.c — the model's view of a descriptor ring: where its
 * registers say it is, and the head moving over it. The arithmetic is
 * e1000e_ring.h's, which the drivers share.
 */
#include "dev/e1000e_core.h"

/*
 * Ring registers, at BAL + 0 (base low), + 4 (base high), + 8 (length in
 * bytes), + 0x10 (head), + 0x18 (tail): RDBAL..RDT (82574L datasheet
 * §10.2.5.5-§10.2.5.9) and TDBAL..TDT (§10.2.6.4-§10.2.6.8).
 */
bool
e1000e_ring_get(const struct e1000e *d, uint32_t bal_off,
    struct e1000e_ring *r)
{
	uint32_t len = e1000e_reg(d, bal_off + 8);

	r->base = (uint64_t)e1000e_reg(d, bal_off + 4) << 32 |
	    e1000e_reg(d, bal_off);
	r->n = len / E1000E_DESC_SIZE;
	r->off_h = bal_off + 0x10;
	r->off_t = bal_off + 0x18;
	r->head = e1000e_reg(d, r->off_h);
	r->tail = e1000e_reg(d, r->off_t);
	if (!e1000e_ring_valid(r->head, r->tail, r->n))
		return false;
	/* A ring that wraps the device address space is no ring. */
	if (r->base > UINT64_MAX - (uint64_t)len)
		return false;
	return true;
}

uint64_t
e1000e_ring_head_addr(const struct e1000e_ring *r)
{
	return r->base + (uint64_t)r->head * E1000E_DESC_SIZE;
}

void
e1000e_ring_advance(struct e1000e *d, const struct e1000e_ring *r)
{
	e1000e_reg_set(d, r->off_h, e1000e_ring_next(r->head, r->n));
}
