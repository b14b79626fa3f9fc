/*
 * cap_bounds.c — Morello bounds compression: decoding base/top from the
 * bounds field (IE, T, B; cap_fields.h) and the address, and encoding
 * requested bounds. The exponent is stored inverted so that all-zero bits
 * decode to the maximum exponent: the null capability spans the whole
 * address space.
 */
#include "cap/cap.h"
#include "cap/cap_encoding.h"

#define MW		CAP_MANTISSA_WIDTH
#define MAX_ENCODABLE_E	((unsigned)CAP_BITS_MASK(CAP_EXP_WIDTH))
#define LEN_MASK	(((cap_len_t)1 << 65) - 1)
/* Mantissa bits an internal exponent takes from the bottom of T and B. */
#define IE_LOW		CAP_F_EXP_LO_WIDTH
/* T's top bits, not stored: decoding infers them from B. */
#define T_IMPLIED	(CAP_F_B_WIDTH - CAP_F_T_WIDTH)

_Static_assert(CAP_F_EXP_HI_WIDTH == IE_LOW,
    "E takes as many bits of T as of B");

void
cap_decode_fields(uint64_t pesbt, struct cap_fields *f)
{
	uint32_t tfield, b, t, lmsb, carry;

	f->ie = cap_field_get(pesbt, IE) == 0;
	if (f->ie) {
		f->exponent = (unsigned)cap_bits_get(
		    ~((cap_field_get(pesbt, EXP_HI) << CAP_F_EXP_LO_WIDTH) |
		    cap_field_get(pesbt, EXP_LO)), 0, CAP_EXP_WIDTH);
		/* The exponent's bits count as zeros of the mantissas. */
		pesbt = cap_field_set(pesbt, EXP_HI, 0);
		pesbt = cap_field_set(pesbt, EXP_LO, 0);
		lmsb = 1;
	} else {
		f->exponent = 0;
		lmsb = 0;
	}
	tfield = (uint32_t)cap_field_get(pesbt, T);
	b = (uint32_t)cap_field_get(pesbt, B);
	/* T's implied top bits follow from B, the length's top bit, and
	 * whether T's stored bits wrapped below B's. */
	carry = tfield < cap_bits_get(b, 0, CAP_F_T_WIDTH) ? 1 : 0;
	t = (uint32_t)cap_bits_set(tfield, CAP_F_T_WIDTH, T_IMPLIED,
	    (b >> CAP_F_T_WIDTH) + carry + lmsb);
	f->bottom = b;
	f->top = t;
}

bool
cap_compute_bounds(uint64_t pesbt, uint64_t cursor, uint64_t *basep,
    cap_len_t *topp)
{
	struct cap_fields f;
	uint64_t a = cap_bounds_address(cursor);
	unsigned e;
	uint32_t a3, b3, t3, r3;
	int cbase, ctop;
	uint64_t atop;
	cap_len_t base, top;

	cap_decode_fields(pesbt, &f);
	e = f.exponent;
	if (e > CAP_MAX_EXPONENT) {
		/* Only the maximum encodable exponent is a valid encoding. */
		*basep = 0;
		*topp = (cap_len_t)1 << 64;
		return e == MAX_ENCODABLE_E;
	}
	/* Place a, B and T in the same 2^(e+MW) region (CHERI Concentrate). */
	a3 = (uint32_t)(a >> (e + MW - 3)) & 7;
	b3 = f.bottom >> (MW - 3);
	t3 = f.top >> (MW - 3);
	r3 = (b3 - 1) & 7;
	cbase = (b3 < r3) - (a3 < r3);
	ctop = (t3 < r3) - (a3 < r3);
	atop = e + MW >= 64 ? 0 : a >> (e + MW);

	base = (((cap_len_t)(atop + (uint64_t)(int64_t)cbase) << MW) |
	    f.bottom) << e;
	top = (((cap_len_t)(atop + (uint64_t)(int64_t)ctop) << MW) |
	    f.top) << e;
	base &= LEN_MASK;
	top &= LEN_MASK;
	/* Bounds more than an address space apart wrapped: fix top's MSB. */
	if (e < CAP_MAX_EXPONENT - 1) {
		unsigned b2 = (unsigned)(base >> 63) & 1;
		unsigned t2 = (unsigned)(top >> 63) & 3;
		if (((t2 - b2) & 3) > 1)
			top ^= (cap_len_t)1 << 64;
	}
	*basep = (uint64_t)base;
	*topp = top;
	return true;
}

/* Number of leading zeros of x within a field of `width` bits. */
static unsigned
clz_width(cap_len_t x, unsigned width)
{
	unsigned n = 0;

	for (int i = (int)width - 1; i >= 0; i--) {
		if ((x >> i) & 1)
			break;
		n++;
	}
	return n;
}

uint64_t
cap_encode_bounds(uint64_t base, cap_len_t len, bool *exactp, unsigned *ep)
{
	cap_len_t top = (cap_len_t)base + len;
	unsigned e;
	bool ie, lost_base = false, lost_top = false;
	uint64_t field;

	/* Choose e so that the length's top bit lands second from the top of
	 * the mantissa, as decoding assumes. */
	e = CAP_MAX_EXPONENT - clz_width((len & LEN_MASK) >> (MW - 1), 65 - (MW - 1));
	ie = e != 0 || ((len >> (MW - 2)) & 1);
	field = cap_field_set(0, IE, ie ? 0 : 1);
	if (!ie) {
		field = cap_field_set(field, B, base);
		field = cap_field_set(field, T, (uint64_t)top);
	} else {
		/* The mantissas keep MW-IE_LOW bits from bit e+IE_LOW up. */
		cap_len_t lomask = ((cap_len_t)1 << (e + IE_LOW)) - 1;
		uint64_t mmask = CAP_BITS_MASK(MW - IE_LOW), bie, tie;

		bie = (uint64_t)((cap_len_t)base >> (e + IE_LOW)) & mmask;
		tie = (uint64_t)(top >> (e + IE_LOW)) & mmask;

		lost_base = ((cap_len_t)base & lomask) != 0;
		lost_top = (top & lomask) != 0;
		if (lost_top)
			tie = (tie + 1) & mmask;
		/* Rounding may have grown the length past the mantissa:
		 * take one more exponent step. */
		if (cap_bits_get(tie - bie, MW - IE_LOW - 1, 1)) {
			e++;
			lost_base = lost_base || (bie & 1);
			lost_top = lost_top || (tie & 1);
			bie = (uint64_t)((cap_len_t)base >> (e + IE_LOW)) &
			    mmask;
			tie = ((uint64_t)(top >> (e + IE_LOW)) +
			    (lost_top ? 1 : 0)) & mmask;
		}
		field = cap_field_set(field, B, bie << IE_LOW);
		field = cap_field_set(field, T, tie << IE_LOW);
		field = cap_field_set(field, EXP_LO, ~e);
		field = cap_field_set(field, EXP_HI, ~e >> CAP_F_EXP_LO_WIDTH);
	}
	*exactp = !(lost_base || lost_top);
	if (ep != NULL)
		*ep = ie ? e : 0;
	return field;
}

uint64_t
cheri_representable_alignment_mask(uint64_t len)
{
	bool exact;
	unsigned e;
	uint64_t field;

	/*
	 * The architecture asks what exponent set-bounds would pick for this
	 * length from a worst-case base: one that loses a low bit, which can
	 * push a length of the form 0xfff << s up one exponent. Base 1 is
	 * that case; it matches the architecture's mask on every reference
	 * row (tests/test_cap_conformance.c).
	 */
	field = cap_encode_bounds(1, len, &exact, &e);
	if (cap_field_get(field, IE) != 0)
		return UINT64_MAX;
	return UINT64_MAX << (e + IE_LOW);
}

uint64_t
cheri_representable_length(uint64_t len)
{
	uint64_t mask = cheri_representable_alignment_mask(len);

	return (len + ~mask) & mask;
}
