/*
 * test_cap_monotonic.c — capability monotonicity over millions of random
 * derivations: random chains from the root and from random capabilities
 * held in a pool (tagged or not), through every derivation cap.h offers,
 * each step checked against its parent.
 *
 * After every step: a tagged result decodes (from its bits alone) to
 * valid bounds inside its parent's and to permissions its parent has; it
 * leaves a sealed parent only through an unseal whose authority is
 * tagged, unsealed, has Unseal and names the object type; it is sealed
 * only by an authority with Seal over that type; an untagged value never
 * becomes tagged (only CBuildCap re-tags, and only within its tagged
 * authority).
 *
 * The seed is printed; CAPIO_SEED=N reproduces a run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap/cap.h"
#include "check.h"

/*
 * Four million take about 0.5 s in Release and 2.5 s under ASan+UBSan, so
 * the sanitizer build runs them all too (no scaling down).
 */
#define DERIVATIONS	4000000

#define POOL		256
#define CHAIN_MAX	24
#define SEALERS		64
#define DEFAULT_SEED	0x6d6f6e6f746f6e65ull

enum op {
	OP_TAG_CLEAR,
	OP_ADDRESS_SET,
	OP_OFFSET_SET,
	OP_OFFSET_INCREMENT,
	OP_BOUNDS_SET,
	OP_BOUNDS_SET_EXACT,
	OP_SETBOUNDS,		/* cap_setbounds, with its exact flag */
	OP_PERMS_AND,
	OP_SEAL,
	OP_UNSEAL,
	OP_BUILD,		/* CBuildCap: auth re-tags the parent's bits */
	OP_FROM_MEM,		/* the parent's bits loaded from untagged memory */
	OP_COUNT
};

static const char *const op_names[OP_COUNT] = {
	"tag_clear", "address_set", "offset_set", "offset_increment",
	"bounds_set", "bounds_set_exact", "setbounds", "perms_and", "seal",
	"unseal", "build", "from_mem",
};

static cap_t pool[POOL];
static unsigned long derivations, tagged_results, seals, unseals, builds;
static unsigned long op_tagged[OP_COUNT];

static uint64_t
rnd(uint64_t n)
{
	return n == 0 ? check_rand() : check_rand() % n;
}

/*
 * A value of random magnitude. Random calls are sequenced one per
 * statement, so that a seed means the same run whatever the compiler
 * (the order operands are evaluated in is unspecified).
 */
static uint64_t
rnd_scaled(void)
{
	unsigned s = (unsigned)rnd(64);

	return check_rand() >> s;
}

static uint64_t
rnd_sign(void)
{
	return (check_rand() & 1) ? 1 : (uint64_t)-1;
}

/*
 * An address worth trying against c: its bounds' edges and just past
 * them, a small value (an object type), anywhere, or near the cursor.
 */
static uint64_t
pick_address(cap_t c)
{
	uint64_t len = cheri_length_get(c);
	uint64_t mag;

	switch (rnd(8)) {
	case 0:
		return c.base;
	case 1:
		return (uint64_t)c.top - 1 - rnd(4);
	case 2:
		return (uint64_t)c.top + rnd(4);
	case 3:
		return c.base - 1 - rnd(4);
	case 4:
		return rnd(CAP_OTYPE_MAX + 2);
	case 5:
		return check_rand();
	case 6:
		mag = rnd_scaled();
		return c.cursor + mag * rnd_sign();
	default:
		return c.base + (len ? rnd(len) : 0);
	}
}

/* A length worth trying from c's cursor: to its top, a little past, any. */
static cap_len_t
pick_length(cap_t c)
{
	cap_len_t left = c.top > c.cursor ? c.top - c.cursor : 0;
	uint64_t mag;

	switch (rnd(6)) {
	case 0:
		return left;
	case 1:
		return left + 1 + rnd(16);
	case 2:
		return rnd(64);
	case 3:
		return ((cap_len_t)1 << 64) - rnd(3);
	default:
		mag = rnd_scaled();
		return left > 1 ? mag % left : mag;
	}
}

/* A capability from the pool, or now and then the root itself. */
static cap_t
pick(void)
{
	return rnd(16) == 0 ? cap_root() : pool[rnd(POOL)];
}

/* The authority's address inside its bounds (as seal and unseal need). */
static bool
auth_addr_ok(cap_t a)
{
	uint64_t v = cap_bounds_address(a.cursor);

	return a.bounds_valid && v >= a.base && (cap_len_t)v < a.top;
}

static void
report(enum op op, cap_t p, cap_t a, cap_t c, const char *why)
{
	char m[512];

	snprintf(m, sizeof m, "derivation %lu (%s): %s\n"
	    "  parent tag %d pesbt %016" PRIx64 " cursor %016" PRIx64 "\n"
	    "  auth   tag %d pesbt %016" PRIx64 " cursor %016" PRIx64 "\n"
	    "  result tag %d pesbt %016" PRIx64 " cursor %016" PRIx64,
	    derivations, op_names[op], why, p.tag, p.pesbt, p.cursor, a.tag,
	    a.pesbt, a.cursor, c.tag, c.pesbt, c.cursor);
	check_fail(__FILE__, __LINE__, m);
}

/*
 * The rules, for result c of op on parent p (with authority a for seal,
 * unseal and build). Bounds are decoded again from c's bits, so that
 * the decoded fields a check relies on cannot disagree with the bits
 * that go to memory.
 */
static void
check_step(enum op op, cap_t p, cap_t a, cap_t c)
{
	cap_t d = cap_from_mem(c.pesbt, c.cursor, c.tag);
	/* Whose bounds and permissions bound c: build's are its authority's. */
	cap_t bound = op == OP_BUILD ? a : p;

	check_count++;
	derivations++;
	if (d.base != c.base || d.top != c.top ||
	    d.bounds_valid != c.bounds_valid) {
		report(op, p, a, c, "decoded bounds differ from the bits'");
		return;
	}
	if (!c.tag)
		return;
	tagged_results++;
	op_tagged[op]++;
	if (op == OP_FROM_MEM || op == OP_TAG_CLEAR)
		report(op, p, a, c, "tag made from untagged memory");
	if (!bound.tag)
		report(op, p, a, c, "untagged value became tagged");
	if (op == OP_BUILD && p.tag)
		report(op, p, a, c, "build fed tagged bits (harness error)");
	if (!c.bounds_valid || c.base > c.top)
		report(op, p, a, c, "tagged result with invalid bounds");
	if (c.base < bound.base || c.top > bound.top)
		report(op, p, a, c, "bounds outside the parent's");
	if ((cheri_perms_get(c) & ~cheri_perms_get(bound)) != 0)
		report(op, p, a, c, "permission the parent lacks");
	if (!cheri_is_subset(bound, c))
		report(op, p, a, c, "cheri_is_subset(parent, result) false");

	/* Leaving or entering a seal. */
	if (cheri_is_sealed(p) && op != OP_BUILD) {
		if (op != OP_UNSEAL)
			report(op, p, a, c, "sealed capability modified");
		else if (!a.tag || cheri_is_sealed(a) ||
		    !(cheri_perms_get(a) & CAP_PERM_UNSEAL) ||
		    !auth_addr_ok(a) || a.cursor != cheri_type_get(p))
			report(op, p, a, c, "unsealed without authority");
		else if (cheri_is_sealed(c) || c.base != p.base ||
		    c.top != p.top || c.cursor != p.cursor)
			report(op, p, a, c, "unseal changed more than the type");
		else if (!(cheri_perms_get(a) & CAP_PERM_GLOBAL) &&
		    (cheri_perms_get(c) & CAP_PERM_GLOBAL))
			report(op, p, a, c, "local authority gave a global result");
		unseals++;
	}
	if (cheri_is_sealed(c)) {
		if (op == OP_BUILD)
			report(op, p, a, c, "build made a sealed capability");
		else if (op == OP_SEAL) {
			if (!a.tag || cheri_is_sealed(a) ||
			    !(cheri_perms_get(a) & CAP_PERM_SEAL) ||
			    !auth_addr_ok(a) || a.cursor > CAP_OTYPE_MAX ||
			    cheri_type_get(c) != a.cursor)
				report(op, p, a, c, "sealed without authority");
			seals++;
		} else if (!cheri_is_sealed(p))
			report(op, p, a, c, "became sealed without seal");
	}
	/*
	 * Object type 0 is "unsealed": sealing with an authority at address 0
	 * is architecturally a no-op, which changes nothing.
	 */
	if (op == OP_SEAL && !cheri_is_sealed(c) &&
	    (a.cursor != 0 || !cheri_is_equal_exact(c, p)))
		report(op, p, a, c, "seal left the result unsealed");
	if (op == OP_UNSEAL && !cheri_is_sealed(p))
		report(op, p, a, c, "unseal of an unsealed capability");

	/* What each operation may not change. */
	switch (op) {
	case OP_ADDRESS_SET:
	case OP_OFFSET_SET:
	case OP_OFFSET_INCREMENT:
		if (c.base != p.base || c.top != p.top || c.pesbt != p.pesbt)
			report(op, p, a, c, "address change moved the bounds");
		break;
	case OP_BOUNDS_SET_EXACT:
		if (c.base != p.cursor)
			report(op, p, a, c, "exact bounds not at the cursor");
		/* FALLTHROUGH */
	case OP_BOUNDS_SET:
	case OP_SETBOUNDS:
		if (cheri_perms_get(c) != cheri_perms_get(p) ||
		    c.cursor != p.cursor)
			report(op, p, a, c, "set bounds changed more than bounds");
		break;
	case OP_PERMS_AND:
		if (c.base != p.base || c.top != p.top || c.cursor != p.cursor)
			report(op, p, a, c, "perms_and moved the bounds");
		break;
	case OP_SEAL:
		if (c.base != p.base || c.top != p.top ||
		    cheri_perms_get(c) != cheri_perms_get(p))
			report(op, p, a, c, "seal changed more than the type");
		break;
	case OP_BUILD:
		builds++;
		break;
	default:
		break;
	}
}

/*
 * Sealing capabilities, themselves derived: a pool that starts as the
 * root bounded to the object types, from which each use derives further
 * (narrower bounds, fewer permissions, another address), every step
 * checked like any other. Now and then the authority is instead any
 * capability at all, which should rarely be one.
 */
static cap_t sealers[SEALERS];
static cap_t types;		/* the root, bounded to the object types */

static cap_t
sealer(uint64_t want_type)
{
	cap_t a = rnd(8) == 0 ? types : sealers[rnd(SEALERS)], c;
	cap_len_t left;
	uint64_t ot;
	uint32_t mask;

	if (rnd(8) == 0)
		return pick();
	switch (rnd(4)) {
	case 0:
		ot = a.base + (cap_length65(a) ? rnd((uint64_t)cap_length65(a))
		    : 0);
		c = cheri_address_set(a, ot);
		check_step(OP_ADDRESS_SET, a, cap_null(), c);
		if (!c.tag)
			break;
		a = c;
		left = a.top - a.cursor;
		c = cheri_bounds_set(a, 1 + (left > 1 ? rnd((uint64_t)left) : 0));
		check_step(OP_BOUNDS_SET, a, cap_null(), c);
		break;
	case 1:
		mask = (uint32_t)check_rand();
		if (rnd(4) != 0)
			mask |= CAP_PERM_SEAL | CAP_PERM_UNSEAL;
		c = cheri_perms_and(a, mask);
		check_step(OP_PERMS_AND, a, cap_null(), c);
		break;
	default:
		c = a;
		break;
	}
	if (c.tag && rnd(2) == 0)
		sealers[rnd(SEALERS)] = c;
	if (c.tag)
		a = c;
	/* The type to seal with or unseal: the one wanted, or any inside. */
	if (want_type != 0 && rnd(4) != 0)
		ot = want_type;
	else
		ot = a.base + (cap_length65(a) ? rnd((uint64_t)cap_length65(a))
		    : 0);
	c = cheri_address_set(a, ot);
	check_step(OP_ADDRESS_SET, a, cap_null(), c);
	return c;
}

/* One derivation from p; the result, checked. */
static cap_t
derive(cap_t p)
{
	/* A sealed parent is mostly offered for unsealing: all else fails. */
	enum op op = cheri_is_sealed(p) && rnd(2) == 0 ? OP_UNSEAL :
	    (enum op)rnd(OP_COUNT);
	cap_t a = cap_null(), c;
	cap_len_t len;
	uint64_t addr;
	bool exact;
	uint32_t mask;

	switch (op) {
	case OP_TAG_CLEAR:
		c = cheri_tag_clear(p);
		break;
	case OP_ADDRESS_SET:
		c = cheri_address_set(p, pick_address(p));
		break;
	case OP_OFFSET_SET:
		addr = pick_address(p);
		c = cheri_offset_set(p, addr - p.base);
		break;
	case OP_OFFSET_INCREMENT:
		addr = pick_address(p);
		c = cheri_offset_increment(p, (int64_t)(addr - p.cursor));
		break;
	case OP_BOUNDS_SET:
		c = cheri_bounds_set(p, pick_length(p));
		break;
	case OP_BOUNDS_SET_EXACT:
		c = cheri_bounds_set_exact(p, pick_length(p));
		break;
	case OP_SETBOUNDS:
		len = pick_length(p);
		c = cap_setbounds(p, len, &exact);
		/* Exact means the requested bounds, to the byte. */
		if (c.tag && exact && (c.base != p.cursor ||
		    c.top != (cap_len_t)p.cursor + len))
			report(op, p, a, c, "exact flag on rounded bounds");
		break;
	case OP_PERMS_AND:
		mask = (uint32_t)rnd_scaled();
		c = cheri_perms_and(p, mask);
		break;
	case OP_SEAL:
		a = sealer(0);
		c = cheri_seal(p, a);
		break;
	case OP_UNSEAL:
		/* Mostly the right type, so that unseals do happen. */
		a = sealer(cheri_type_get(p));
		c = cheri_unseal(p, a);
		break;
	case OP_BUILD: {
		/* Bits: the parent's, perhaps with a field flipped, or none. */
		cap_t bits = cheri_tag_clear(p);
		switch (rnd(4)) {
		case 0:
			bits = cap_from_mem(bits.pesbt ^ (1ull << rnd(64)),
			    bits.cursor, false);
			break;
		case 1:
			addr = check_rand();
			bits = cap_from_mem(check_rand(), addr, false);
			break;
		case 2:
			bits = cap_from_mem(CAP_ROOT_PESBT, pick_address(p),
			    false);
			break;
		default:
			break;
		}
		a = pick();
		p = bits;
		c = cheri_cap_build(a, bits);
		break;
	}
	default:	/* OP_FROM_MEM */
		c = cap_from_mem(p.pesbt, p.cursor, false);
		break;
	}
	check_step(op, p, a, c);
	return c;
}

/* Chains of derivations, each result the next parent, kept in the pool. */
static void
test_random_chains(unsigned long n)
{
	types = cheri_bounds_set(cheri_address_set(cap_root(), 0),
	    CAP_OTYPE_MAX + 1);
	CHECK(types.tag);
	for (unsigned i = 0; i < SEALERS; i++)
		sealers[i] = types;
	for (unsigned i = 0; i < POOL; i++)
		pool[i] = cap_root();
	while (derivations < n) {
		cap_t p = rnd(4) == 0 ? cap_root() : pick();
		unsigned depth = 1 + (unsigned)rnd(CHAIN_MAX);

		for (unsigned d = 0; d < depth; d++) {
			p = derive(p);
			/*
			 * Tagged results are kept, to derive from later;
			 * untagged ones too, less often (they must stay so).
			 * A chain goes on past a lost tag only briefly.
			 */
			if (rnd(p.tag ? 3 : 24) == 0)
				pool[rnd(POOL)] = p;
			if (!p.tag && rnd(2) == 0)
				break;
		}
	}
}

int
main(void)
{
	uint64_t seed = DEFAULT_SEED;
	const char *s = getenv("CAPIO_SEED");

	if (s != NULL && *s != '\0')
		seed = strtoull(s, NULL, 0);
	printf("cap_monotonic: seed 0x%" PRIx64 " (CAPIO_SEED=0x%" PRIx64
	    " reproduces this run)\n", seed, seed);
	check_seed(seed);
	test_random_chains(DERIVATIONS);
	printf("cap_monotonic: %lu derivations, %lu tagged results "
	    "(%lu seals, %lu unseals, %lu builds)\n", derivations,
	    tagged_results, seals, unseals, builds);
	for (int i = 0; i < OP_COUNT; i++)
		printf("  %-17s %lu tagged\n", op_names[i], op_tagged[i]);
	/* A run whose operations never succeed proves nothing. */
	for (int i = 0; i < OP_COUNT; i++)
		if (i != OP_TAG_CLEAR && i != OP_FROM_MEM)
			CHECK(op_tagged[i] > 0);
	CHECK(seals > 1000 && unseals > 1000 && builds > 1000);
	return check_done("cap_monotonic");
}
