/*
 * cap_fields.h — where each field of a Morello 128-bit capability sits.
 *
 * Positions are within one 64-bit half: pesbt is capability bits 127..64
 * (Morello's CAP_*_BIT numbers less 64), cursor bits 63..0. Names follow
 * the Morello pseudocode and CHERI Concentrate: T and B are Morello's
 * Limit and Base mantissa fields.
 */
#ifndef CAPIO_CAP_FIELDS_H
#define CAPIO_CAP_FIELDS_H

#include <stdint.h>

enum {
	/* pesbt, from the top: 18 + 15 + 1 + 14 + 16 = 64, no reserved bits. */
	CAP_F_PERMS_LSB = 46,	CAP_F_PERMS_WIDTH = 18,
	CAP_F_OTYPE_LSB = 31,	CAP_F_OTYPE_WIDTH = 15,
	CAP_F_IE_LSB = 30,	CAP_F_IE_WIDTH = 1,	/* 0: internal E */
	CAP_F_T_LSB = 16,	CAP_F_T_WIDTH = 14,	/* T[15:14] implied */
	CAP_F_B_LSB = 0,	CAP_F_B_WIDTH = 16,
	/*
	 * With an internal exponent, the mantissas' low bits hold it,
	 * inverted so that all-zero bits mean the largest exponent.
	 */
	CAP_F_EXP_HI_LSB = 16,	CAP_F_EXP_HI_WIDTH = 3,	/* T[2:0] = ~E[5:3] */
	CAP_F_EXP_LO_LSB = 0,	CAP_F_EXP_LO_WIDTH = 3,	/* B[2:0] = ~E[2:0] */
	/* IE, T and B together: what set-bounds rewrites. */
	CAP_F_BOUNDS_LSB = CAP_F_B_LSB,
	CAP_F_BOUNDS_WIDTH = CAP_F_IE_LSB + CAP_F_IE_WIDTH - CAP_F_B_LSB,

	/* cursor: bounds apply to bits 55..0 sign-extended; 63..56 flags. */
	CAP_F_FLAGS_LSB = 56,	CAP_F_FLAGS_WIDTH = 8,
	CAP_F_ADDR_LSB = 0,	CAP_F_ADDR_WIDTH = 56,

	CAP_EXP_WIDTH = CAP_F_EXP_HI_WIDTH + CAP_F_EXP_LO_WIDTH,
};

/* Each half is tiled exactly, and the exponent lies inside T and B. */
_Static_assert(CAP_F_B_LSB == 0 &&
    CAP_F_T_LSB == CAP_F_B_LSB + CAP_F_B_WIDTH &&
    CAP_F_IE_LSB == CAP_F_T_LSB + CAP_F_T_WIDTH &&
    CAP_F_OTYPE_LSB == CAP_F_IE_LSB + CAP_F_IE_WIDTH &&
    CAP_F_PERMS_LSB == CAP_F_OTYPE_LSB + CAP_F_OTYPE_WIDTH &&
    CAP_F_PERMS_LSB + CAP_F_PERMS_WIDTH == 64, "pesbt fields");
_Static_assert(CAP_F_ADDR_LSB == 0 && CAP_F_FLAGS_LSB == CAP_F_ADDR_WIDTH &&
    CAP_F_FLAGS_LSB + CAP_F_FLAGS_WIDTH == 64, "cursor fields");
_Static_assert(CAP_F_EXP_HI_LSB == CAP_F_T_LSB &&
    CAP_F_EXP_LO_LSB == CAP_F_B_LSB &&
    CAP_F_EXP_HI_WIDTH < CAP_F_T_WIDTH &&
    CAP_F_EXP_LO_WIDTH < CAP_F_B_WIDTH, "exponent fields");

/* The low w bits set (1 <= w <= 64); constant when w is. */
#define CAP_BITS_MASK(w)	(~0ull >> (64 - (w)))
/* Field F's bits in place, e.g. CAP_FIELD_MASK(OTYPE). */
#define CAP_FIELD_MASK(F) \
	(CAP_BITS_MASK(CAP_F_##F##_WIDTH) << CAP_F_##F##_LSB)

static inline uint64_t
cap_bits_get(uint64_t w, unsigned lsb, unsigned width)
{
	return (w >> lsb) & CAP_BITS_MASK(width);
}

/* w with bits lsb.. replaced by v's low width bits. */
static inline uint64_t
cap_bits_set(uint64_t w, unsigned lsb, unsigned width, uint64_t v)
{
	uint64_t m = CAP_BITS_MASK(width) << lsb;

	return (w & ~m) | ((v << lsb) & m);
}

/* cap_field_get(c.pesbt, OTYPE), cap_field_set(c.cursor, FLAGS, 0), ... */
#define cap_field_get(w, F) \
	cap_bits_get((w), CAP_F_##F##_LSB, CAP_F_##F##_WIDTH)
#define cap_field_set(w, F, v) \
	cap_bits_set((w), CAP_F_##F##_LSB, CAP_F_##F##_WIDTH, (v))

#endif
