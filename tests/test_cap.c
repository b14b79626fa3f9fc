/*
 * test_cap.c — the capability rules: unit tests and randomized property
 * tests (monotonicity, round trips, sealing, representability).
 */
#include "cap/cap.h"
#include "check.h"

static cap_len_t
two64(void)
{
	return (cap_len_t)1 << 64;
}

static void
test_root_and_null(void)
{
	cap_t r = cap_root(), n = cap_null();

	CHECK(r.tag);
	CHECK_EQ(r.pesbt, CAP_ROOT_PESBT);
	CHECK_EQ(cheri_base_get(r), 0);
	CHECK(cheri_top_get(r) == two64());
	CHECK_EQ(cheri_perms_get(r), CAP_PERMS_ALL);
	CHECK_EQ(cheri_type_get(r), 0);
	CHECK(!cheri_is_sealed(r));
	CHECK_EQ(cheri_length_get(r), UINT64_MAX);	/* 2^64 saturates */
	CHECK(!n.tag);
	CHECK_EQ(n.pesbt, 0);
	CHECK(n.top == two64());
	CHECK_EQ(cheri_perms_get(n), 0);
}

static void
test_small_slice(void)
{
	cap_t r = cheri_address_set(cap_root(), 0x40003818);
	cap_t s = cheri_bounds_set_exact(r, 4);

	CHECK(s.tag);
	CHECK_EQ(cheri_base_get(s), 0x40003818);
	CHECK(cheri_top_get(s) == 0x4000381c);
	CHECK_EQ(cheri_length_get(s), 4);
	CHECK_EQ(cheri_offset_get(s), 0);
	/* A slice cannot grow back. */
	CHECK(!cheri_bounds_set(s, 8).tag);
	CHECK(!cheri_bounds_set(cheri_address_set(s, 0x40003814), 4).tag);
	/* Inside it, narrower is fine. */
	CHECK(cheri_bounds_set(cheri_address_set(s, 0x4000381a), 2).tag);
	/* Read-only view keeps only Load. */
	cap_t ro = cheri_perms_and(s, CAP_PERM_LOAD);
	CHECK(ro.tag);
	CHECK_EQ(cheri_perms_get(ro), CAP_PERM_LOAD);
	/* perms_and cannot add permissions back. */
	CHECK_EQ(cheri_perms_get(cheri_perms_and(ro, CAP_PERMS_ALL)), CAP_PERM_LOAD);
}

static void
test_inexact_and_exact(void)
{
	/* 0x100001 bytes needs rounding: inexact keeps the tag, exact loses it. */
	cap_t r = cheri_address_set(cap_root(), 0x320000000000ull);
	bool exact;
	cap_t in = cap_setbounds(r, 0x100001, &exact);

	CHECK(!exact);
	CHECK(in.tag);
	CHECK(cheri_base_get(in) <= 0x320000000000ull);
	CHECK(cheri_top_get(in) >= (cap_len_t)0x320000000000ull + 0x100001);
	CHECK(!cheri_bounds_set_exact(r, 0x100001).tag);
	/* A top past 2^64 is never tagged. */
	CHECK(!cheri_bounds_set(cheri_address_set(cap_root(), UINT64_MAX - 15), 32).tag);
	/* Untagged in, untagged out. */
	CHECK(!cheri_bounds_set(cheri_tag_clear(r), 16).tag);
}

static void
test_address_representability(void)
{
	cap_t r = cheri_address_set(cap_root(), 0x10000);
	cap_t s = cheri_bounds_set_exact(r, 0x100);

	CHECK(s.tag);
	/* Moving within (and a little beyond) the bounds keeps the tag:
	 * being out of bounds is the access check's business. */
	CHECK(cheri_offset_increment(s, 0x80).tag);
	CHECK(cheri_offset_increment(s, 0x100).tag);
	/* Far outside the representable region: tag lost, for good. */
	cap_t far = cheri_offset_increment(s, 0x1000000);
	CHECK(!far.tag);
	CHECK(!cheri_offset_increment(far, -0x1000000).tag);
	CHECK_EQ(cheri_address_get(cheri_offset_increment(far, -0x1000000)), 0x10000);
	/* offset_set is relative to the base. */
	CHECK_EQ(cheri_address_get(cheri_offset_set(s, 8)), 0x10008);
	/* Flags (top byte) do not affect bounds. */
	cap_t fl = cheri_address_set(s, 0x5a00000000010010ull);
	CHECK(fl.tag);
	CHECK_EQ(cheri_base_get(fl), 0x10000);
}

static void
test_sealing(void)
{
	cap_t data = cheri_bounds_set_exact(cheri_address_set(cap_root(), 0x2000), 0x1000);
	cap_t sealer = cheri_bounds_set_exact(cheri_address_set(cap_root(), 0x40), 0x10);
	sealer = cheri_perms_and(sealer, CAP_PERM_SEAL | CAP_PERM_UNSEAL | CAP_PERM_GLOBAL);
	sealer = cheri_address_set(sealer, 0x42);
	cap_t sealed = cheri_seal(data, sealer);

	CHECK(sealed.tag);
	CHECK(cheri_is_sealed(sealed));
	CHECK_EQ(cheri_type_get(sealed), 0x42);
	/* A sealed capability cannot be modified. */
	CHECK(!cheri_address_set(sealed, 0x2004).tag);
	CHECK(!cheri_offset_increment(sealed, 4).tag);
	CHECK(!cheri_bounds_set(sealed, 16).tag);
	CHECK(!cheri_perms_and(sealed, CAP_PERM_LOAD).tag);
	CHECK(!cheri_seal(sealed, sealer).tag);
	/* Unseal needs the same type and Unseal. */
	cap_t wrong = cheri_address_set(sealer, 0x43);
	CHECK(!cheri_unseal(sealed, wrong).tag);
	CHECK(!cheri_unseal(sealed, cheri_perms_and(sealer, CAP_PERM_SEAL)).tag);
	cap_t back = cheri_unseal(sealed, sealer);
	CHECK(back.tag);
	CHECK(cheri_is_equal_exact(back, data));
	/* Seal authority: Seal permission, address in bounds, type <= 0x7fff. */
	CHECK(!cheri_seal(data, cheri_perms_and(sealer, CAP_PERM_UNSEAL)).tag);
	CHECK(!cheri_seal(data, cheri_address_set(sealer, 0x50)).tag);
	cap_t big = cheri_address_set(cap_root(), 0x8000);
	CHECK(!cheri_seal(data, big).tag);
	CHECK(!cheri_seal(data, cheri_tag_clear(sealer)).tag);
	CHECK(!cheri_unseal(data, sealer).tag);	/* not sealed */
	/* A local authority yields a local result. */
	cap_t local = cheri_perms_and(sealer, CAP_PERM_UNSEAL | CAP_PERM_SEAL);
	cap_t ul = cheri_unseal(cheri_seal(data, local), local);
	CHECK(ul.tag);
	CHECK(!(cheri_perms_get(ul) & CAP_PERM_GLOBAL));
}

static void
test_build(void)
{
	cap_t auth = cheri_bounds_set_exact(cheri_address_set(cap_root(), 0x1000), 0x1000);
	cap_t kept = cheri_bounds_set_exact(cheri_address_set(auth, 0x1800), 0x100);
	cap_t lost = cheri_tag_clear(kept);

	CHECK(cheri_cap_build(auth, lost).tag);
	CHECK(cheri_is_subset(auth, kept));
	/* Bits from outside the authority stay untagged. */
	cap_t outside = cheri_tag_clear(cheri_bounds_set_exact(
	    cheri_address_set(cap_root(), 0x3000), 0x10));
	CHECK(!cheri_cap_build(auth, outside).tag);
	/* A forged word pair (integers) never gains a tag without authority. */
	cap_t forged = cap_from_mem(CAP_ROOT_PESBT, 0, false);
	CHECK(!cheri_cap_build(cheri_tag_clear(auth), forged).tag);
	CHECK(!cheri_cap_build(auth, forged).tag);
}

/* Random subset of a parent: random base, length, permissions. */
static cap_t
random_child(cap_t p)
{
	uint64_t len64 = cheri_length_get(p);
	uint64_t off, len;
	int shift = (int)(check_rand() % 64);

	len = len64 ? check_rand() >> shift : 0;
	if (len64 && len > len64)
		len %= len64 + (len64 == UINT64_MAX ? 0 : 1);
	off = len64 ? check_rand() % (len64 - len + (len64 == UINT64_MAX ? 0 : 1)) : 0;
	cap_t c = cheri_address_set(p, p.base + off);
	c = (check_rand() & 1) ? cheri_bounds_set(c, len) : cheri_bounds_set_exact(c, len);
	return cheri_perms_and(c, (uint32_t)check_rand());
}

static void
test_property_monotonic(void)
{
	for (int chain = 0; chain < 2000; chain++) {
		cap_t p = cap_root();
		for (int depth = 0; depth < 8 && p.tag; depth++) {
			cap_t c = random_child(p);
			if (!c.tag)
				continue;
			check_count++;
			if (c.base < p.base || c.top > p.top ||
			    (cheri_perms_get(c) & ~cheri_perms_get(p)) != 0 ||
			    !cheri_is_subset(p, c))
				check_fail(__FILE__, __LINE__, "child exceeds parent");
			/* Any attempt to widen it again fails. */
			cap_t w = cheri_address_set(c, c.base);
			if (cap_length65(c) < ((cap_len_t)1 << 64) && c.base > 0) {
				cap_t wider = cheri_bounds_set(cheri_address_set(c, c.base - 1),
				    cap_length65(c) + 1);
				CHECK(!wider.tag);
			}
			CHECK(!cheri_bounds_set(w, cap_length65(c) + 4096).tag ||
			    (cap_len_t)c.base + cap_length65(c) + 4096 <= c.top);
			p = c;
		}
	}
}

static void
test_property_round_trip(void)
{
	for (int i = 0; i < 20000; i++) {
		cap_t c = random_child(cap_root());
		cap_t m = cap_from_mem(c.pesbt, c.cursor, c.tag);
		check_count++;
		if (m.base != c.base || m.top != c.top || m.tag != c.tag)
			check_fail(__FILE__, __LINE__, "decode(encode(x)) != x");
		if (!c.tag)
			continue;
		/* Re-deriving the decoded bounds exactly gives the same bits. */
		bool exact;
		cap_t again = cap_setbounds(cheri_address_set(cap_root(), c.base),
		    cap_length65(c), &exact);
		check_count++;
		if (!exact || again.base != c.base || again.top != c.top ||
		    (again.pesbt & 0x7fffffff) != (c.pesbt & 0x7fffffff))
			check_fail(__FILE__, __LINE__, "decoded bounds not exactly re-encodable");
	}
}

static void
test_property_replen(void)
{
	for (int i = 0; i < 20000; i++) {
		uint64_t len = check_rand() >> (check_rand() % 64);
		uint64_t rl = cheri_representable_length(len);
		uint64_t mask = cheri_representable_alignment_mask(len);
		uint64_t base = (check_rand() >> 16) & mask;

		if (rl < len)	/* wrapped: only for lengths near 2^64 */
			continue;
		CHECK((rl & ~mask) == 0);
		if ((cap_len_t)base + rl > ((cap_len_t)1 << 64))
			continue;
		/* An aligned base with the representable length is exact. */
		bool exact;
		cap_t c = cap_setbounds(cheri_address_set(cap_root(), base), rl, &exact);
		check_count++;
		if (!exact || !c.tag)
			check_fail(__FILE__, __LINE__, "aligned representable bounds inexact");
	}
}

int
main(void)
{
	check_seed(0xc4a910);
	test_root_and_null();
	test_small_slice();
	test_inexact_and_exact();
	test_address_representability();
	test_sealing();
	test_build();
	test_property_monotonic();
	test_property_round_trip();
	test_property_replen();
	return check_done("cap");
}
