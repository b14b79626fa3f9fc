/*
 * cap_bounds.c — Morello bounds compression: decoding base/top from the
 * 31-bit bounds field and the address, and encoding requested bounds.
 *
 * Layout of pesbt (capability bits 127..64):
 *   63..46 permissions, 45..31 object type, 30 IE (0 = internal exponent),
 *   29..16 T[13:0], 15..0 B[15:0].
 * With an internal exponent, T[2:0] and B[2:0] hold the exponent inverted
 * (so that all-zero bits decode to the maximum exponent: the null
 * capability spans the whole address space).
 */
#include "cap/cap.h"
#include "cap/cap_encoding.h"

#define MW		CAP_MANTISSA_WIDTH
#define MAX_ENCODABLE_E	63
#define LEN_MASK	(((cap_len_t)1 << 65) - 1)

void
cap_decode_fields(uint64_t pesbt, struct cap_fields *f)
{
	uint32_t tfield = (uint32_t)(pesbt >> 16) & 0x3fff;
	uint32_t b = (uint32_t)pesbt & 0xffff;
	uint32_t t, lmsb, carry;

	f->ie = ((pesbt >> 30) & 1) == 0;
	if (f->ie) {
		f->exponent = ~(((tfield & 7) << 3) | (b & 7)) & 0x3f;
		tfield &= ~7u;
		b &= ~7u;
		lmsb = 1;
	} else {
		f->exponent = 0;
		lmsb = 0;
	}
	/* T's two top bits are implied by B, the length's top bit, and
	 * whether T's lower bits wrapped below B's. */
	carry = tfield < (b & 0x3fff) ? 1 : 0;
	t = ((((b >> 14) + carry + lmsb) & 3) << 14) | tfield;
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
	uint32_t bbits, tbits;

	/* Choose e so that the length's top bit lands second from the top of
	 * the mantissa, as decoding assumes. */
	e = CAP_MAX_EXPONENT - clz_width((len & LEN_MASK) >> (MW - 1), 65 - (MW - 1));
	ie = e != 0 || ((len >> (MW - 2)) & 1);
	if (!ie) {
		bbits = (uint32_t)base & 0xffff;
		tbits = (uint32_t)top & 0xffff;
	} else {
		cap_len_t lomask = ((cap_len_t)1 << (e + 3)) - 1;
		uint32_t bie = (uint32_t)((cap_len_t)base >> (e + 3)) & 0x1fff;
		uint32_t tie = (uint32_t)(top >> (e + 3)) & 0x1fff;

		lost_base = ((cap_len_t)base & lomask) != 0;
		lost_top = (top & lomask) != 0;
		if (lost_top)
			tie = (tie + 1) & 0x1fff;
		/* Rounding may have grown the length past the mantissa:
		 * take one more exponent step. */
		if ((((tie - bie) & 0x1fff) >> (MW - 4)) & 1) {
			e++;
			lost_base = lost_base || (bie & 1);
			lost_top = lost_top || (tie & 1);
			bie = (uint32_t)((cap_len_t)base >> (e + 3)) & 0x1fff;
			tie = ((uint32_t)(top >> (e + 3)) + (lost_top ? 1 : 0)) & 0x1fff;
		}
		bbits = (bie << 3) | (~e & 7);
		tbits = (tie << 3) | ((~e >> 3) & 7);
	}
	*exactp = !(lost_base || lost_top);
	if (ep != NULL)
		*ep = ie ? e : 0;
	return ((uint64_t)(ie ? 0 : 1) << 30) |
	    ((uint64_t)(tbits & 0x3fff) << 16) | (bbits & 0xffff);
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
	if ((field >> 30) & 1)
		return UINT64_MAX;
	return UINT64_MAX << (e + 3);
}

uint64_t
cheri_representable_length(uint64_t len)
{
	uint64_t mask = cheri_representable_alignment_mask(len);

	return (len + ~mask) & mask;
}
