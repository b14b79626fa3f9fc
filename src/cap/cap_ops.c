/*
 * cap_ops.c — the operations that derive capabilities, as the Morello
 * instructions behind CHERI's C intrinsics define them. Each either
 * narrows what its input allows or returns an untagged value.
 */
#include "cap/cap.h"
#include "cap/cap_encoding.h"

/* The reset value has every permission and is unsealed. */
_Static_assert((CAP_ROOT_PESBT & CAP_FIELD_MASK(PERMS)) ==
    (uint64_t)CAP_PERMS_ALL << CAP_F_PERMS_LSB &&
    (CAP_ROOT_PESBT & CAP_FIELD_MASK(OTYPE)) == 0, "root permissions");

cap_t
cap_from_mem(uint64_t pesbt, uint64_t cursor, bool tag)
{
	cap_t c;

	c.pesbt = pesbt;
	c.cursor = cursor;
	c.bounds_valid = cap_compute_bounds(pesbt, cursor, &c.base, &c.top);
	c.tag = tag;
	return c;
}

cap_t
cap_root(void)
{
	return cap_from_mem(CAP_ROOT_PESBT, 0, true);
}

cap_t
cap_null(void)
{
	return cap_from_mem(0, 0, false);
}

cap_len_t
cap_length65(cap_t c)
{
	return (c.top - c.base) & (((cap_len_t)1 << 65) - 1);
}

uint64_t
cheri_length_get(cap_t c)
{
	cap_len_t len = cap_length65(c);

	return len > UINT64_MAX ? UINT64_MAX : (uint64_t)len;
}

uint64_t
cheri_offset_get(cap_t c)
{
	return c.cursor - c.base;
}

cap_t
cheri_tag_clear(cap_t c)
{
	c.tag = false;
	return c;
}

/* A sealed capability's bits cannot change while it stays tagged. */
static cap_t
with_pesbt(cap_t c, uint64_t pesbt, bool keep_tag)
{
	bool tag = c.tag && keep_tag;

	c = cap_from_mem(pesbt, c.cursor, false);
	c.tag = tag;
	return c;
}

cap_t
cheri_address_set(cap_t c, uint64_t addr)
{
	cap_t n = cap_from_mem(c.pesbt, addr, false);

	/* Representable: the new address decodes to the same bounds. */
	n.tag = c.tag && !cheri_is_sealed(c) && n.base == c.base &&
	    n.top == c.top && n.bounds_valid == c.bounds_valid;
	return n;
}

cap_t
cheri_offset_set(cap_t c, uint64_t off)
{
	return cheri_address_set(c, c.base + off);
}

cap_t
cheri_offset_increment(cap_t c, int64_t inc)
{
	return cheri_address_set(c, c.cursor + (uint64_t)inc);
}

cap_t
cap_setbounds(cap_t c, cap_len_t len, bool *exactp)
{
	/* Morello bounds from the whole value, flags included. */
	uint64_t base = c.cursor;
	cap_len_t top = (cap_len_t)base + len;
	uint64_t field, flags, ext;
	unsigned e;
	bool exact, tag;
	cap_t n;

	field = cap_encode_bounds(base, len, &exact, &e);
	n = cap_from_mem(cap_field_set(c.pesbt, BOUNDS, field), c.cursor,
	    false);
	/*
	 * Below exponent 48 the address's top bits take part in decoding, so
	 * Morello requires the flags to be the sign extension of the address.
	 */
	flags = cap_field_get(c.cursor, FLAGS);
	ext = cap_bits_get(c.cursor, CAP_F_ADDR_WIDTH - 1, 1) ?
	    CAP_BITS_MASK(CAP_F_FLAGS_WIDTH) : 0;
	tag = c.tag && !cheri_is_sealed(c) && c.bounds_valid &&
	    base >= c.base && top <= c.top &&
	    top <= ((cap_len_t)1 << 64) && !(e < 48 && flags != ext);
	n.tag = tag;
	if (exactp != NULL)
		*exactp = exact;
	return n;
}

cap_t
cheri_bounds_set(cap_t c, cap_len_t len)
{
	return cap_setbounds(c, len, NULL);
}

cap_t
cheri_bounds_set_exact(cap_t c, cap_len_t len)
{
	bool exact;
	cap_t n = cap_setbounds(c, len, &exact);

	n.tag = n.tag && exact;
	return n;
}

cap_t
cheri_perms_and(cap_t c, uint32_t mask)
{
	uint64_t perms = cap_field_get(c.pesbt, PERMS) & mask;

	return with_pesbt(c, cap_field_set(c.pesbt, PERMS, perms),
	    !cheri_is_sealed(c));
}

/* The authorising capability's address lies within its bounds. */
static bool
addr_in_bounds(cap_t c)
{
	uint64_t a = cap_bounds_address(c.cursor);

	return c.bounds_valid && a >= c.base && (cap_len_t)a < c.top;
}

cap_t
cheri_seal(cap_t c, cap_t auth)
{
	uint64_t ot = auth.cursor;
	bool ok;

	ok = c.tag && auth.tag && !cheri_is_sealed(c) &&
	    !cheri_is_sealed(auth) && (cheri_perms_get(auth) & CAP_PERM_SEAL) &&
	    addr_in_bounds(auth) && ot <= CAP_OTYPE_MAX;
	return with_pesbt(c, cap_field_set(c.pesbt, OTYPE, ot), ok);
}

cap_t
cheri_unseal(cap_t c, cap_t auth)
{
	uint64_t pesbt;
	bool ok;

	ok = c.tag && auth.tag && cheri_is_sealed(c) &&
	    !cheri_is_sealed(auth) &&
	    (cheri_perms_get(auth) & CAP_PERM_UNSEAL) &&
	    addr_in_bounds(auth) && auth.cursor == cheri_type_get(c);
	pesbt = cap_field_set(c.pesbt, OTYPE, CAP_OTYPE_UNSEALED);
	/* Unsealing with a local authority yields a local capability. */
	if (!(cheri_perms_get(auth) & CAP_PERM_GLOBAL))
		pesbt = cap_field_set(pesbt, PERMS,
		    cap_field_get(pesbt, PERMS) & ~(uint64_t)CAP_PERM_GLOBAL);
	return with_pesbt(c, pesbt, ok);
}

bool
cheri_is_subset(cap_t a, cap_t b)
{
	return a.tag == b.tag && a.bounds_valid && b.bounds_valid &&
	    b.base >= a.base && b.top <= a.top && b.base <= b.top &&
	    (cheri_perms_get(b) & ~cheri_perms_get(a)) == 0;
}

cap_t
cheri_cap_build(cap_t auth, cap_t bits)
{
	cap_t n = cap_from_mem(bits.pesbt, bits.cursor, false);

	n.tag = auth.tag && !cheri_is_sealed(auth) && !cheri_is_sealed(n) &&
	    auth.bounds_valid && n.bounds_valid && n.base >= auth.base &&
	    n.top <= auth.top && n.base <= n.top &&
	    (cheri_perms_get(n) & ~cheri_perms_get(auth)) == 0;
	return n;
}

bool
cheri_is_equal_exact(cap_t a, cap_t b)
{
	return a.tag == b.tag && a.pesbt == b.pesbt && a.cursor == b.cursor;
}
