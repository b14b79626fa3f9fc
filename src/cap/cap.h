/*
 * cap.h — Arm Morello 128-bit capabilities: the value, its in-memory form,
 * and the operations that derive one capability from another.
 *
 * Pure functions, no machine state. Names follow CHERI's C intrinsics
 * (cheri_bounds_set, cheri_perms_and, cheri_seal, ...). Every operation is
 * monotonic: nothing raises bounds or permissions, and nothing turns an
 * integer into a tagged capability. The only sources of tagged values are
 * cap_root() (the machine's reset state) and cap_from_mem() fed by tagged
 * memory (the machine's capability-load path).
 */
#ifndef CAPIO_CAP_H
#define CAPIO_CAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cap/cap_fields.h"

/* 65-bit quantities: lengths and tops (2^64 is a valid top). */
__extension__ typedef unsigned __int128 cap_len_t;

/*
 * A capability as a register holds it: the 128 data bits (pesbt:cursor),
 * the validity tag, and its bounds decoded once so that a check costs two
 * compares. base/top are derived from pesbt and cursor; never set them.
 */
typedef struct cap {
	uint64_t cursor;	/* bits 63..0: address; 63..56 Morello flags */
	uint64_t pesbt;		/* bits 127..64: perms, otype, bounds */
	uint64_t base;		/* decoded lower bound */
	cap_len_t top;		/* decoded upper bound (exclusive, 65 bits) */
	bool tag;
	bool bounds_valid;	/* false for exponents 51..62 */
} cap_t;

/* The 18 architectural permissions: the PERMS field, bit by bit. */
enum {
	CAP_PERM_GLOBAL		= 1u << 0,
	CAP_PERM_EXECUTIVE	= 1u << 1,
	CAP_PERM_USER0		= 1u << 2,
	CAP_PERM_USER1		= 1u << 3,
	CAP_PERM_USER2		= 1u << 4,
	CAP_PERM_USER3		= 1u << 5,
	CAP_PERM_MUTABLE_LOAD	= 1u << 6,
	CAP_PERM_COMPARTMENT_ID	= 1u << 7,
	CAP_PERM_BRANCH_SEALED_PAIR = 1u << 8,
	CAP_PERM_SYSTEM		= 1u << 9,
	CAP_PERM_UNSEAL		= 1u << 10,
	CAP_PERM_SEAL		= 1u << 11,
	CAP_PERM_STORE_LOCAL_CAP = 1u << 12,
	CAP_PERM_STORE_CAP	= 1u << 13,
	CAP_PERM_LOAD_CAP	= 1u << 14,
	CAP_PERM_EXECUTE	= 1u << 15,
	CAP_PERM_STORE		= 1u << 16,
	CAP_PERM_LOAD		= 1u << 17,
	CAP_PERMS_ALL		= (1u << CAP_F_PERMS_WIDTH) - 1,
};
_Static_assert(CAP_PERM_LOAD == 1u << (CAP_F_PERMS_WIDTH - 1),
    "the permissions fill the PERMS field");

#define CAP_OTYPE_UNSEALED	0u
#define CAP_OTYPE_MAX		((1u << CAP_F_OTYPE_WIDTH) - 1)
#define CAP_MANTISSA_WIDTH	CAP_F_B_WIDTH
/* Morello's CAP_MAX_EXPONENT; larger ones decode to the whole space. */
#define CAP_MAX_EXPONENT	(64 - CAP_MANTISSA_WIDTH + 2)
#define CAP_ROOT_PESBT		0xffffc00000010005ull

/* --- construction ------------------------------------------------------ */

/* The almighty capability: all permissions, bounds [0, 2^64), tagged. */
cap_t cap_root(void);
/* The null capability: all bits zero, untagged. */
cap_t cap_null(void);
/*
 * Decode the in-memory form. The tag must come from tagged memory (or be
 * false); this is how the machine loads a capability, not a way to make one.
 */
cap_t cap_from_mem(uint64_t pesbt, uint64_t cursor, bool tag);

/* --- field access (CHERI intrinsic names) -------------------------------- */

static inline bool cheri_tag_get(cap_t c) { return c.tag; }
static inline uint64_t cheri_address_get(cap_t c) { return c.cursor; }
static inline uint64_t cheri_base_get(cap_t c) { return c.base; }
static inline cap_len_t cheri_top_get(cap_t c) { return c.top; }
uint64_t cheri_length_get(cap_t c);	/* saturates 2^64 to UINT64_MAX */
cap_len_t cap_length65(cap_t c);	/* the exact 65-bit length */
uint64_t cheri_offset_get(cap_t c);	/* bounds address - base */
static inline uint32_t cheri_perms_get(cap_t c) { return (uint32_t)cap_field_get(c.pesbt, PERMS); }
static inline uint32_t cheri_type_get(cap_t c) { return (uint32_t)cap_field_get(c.pesbt, OTYPE); }
static inline bool cheri_is_sealed(cap_t c) { return cheri_type_get(c) != CAP_OTYPE_UNSEALED; }
static inline uint8_t cap_flags_get(cap_t c) { return (uint8_t)cap_field_get(c.cursor, FLAGS); }
/* The address bounds apply to: the ADDR field, sign-extended over FLAGS. */
static inline uint64_t cap_bounds_address(uint64_t cursor)
{
	return (uint64_t)((int64_t)(cursor << (64 - CAP_F_ADDR_WIDTH)) >>
	    (64 - CAP_F_ADDR_WIDTH));
}

/* --- derivation ---------------------------------------------------------- */

/* Clear the tag; every other bit stays. */
cap_t cheri_tag_clear(cap_t c);
/* New address; the tag is lost if sealed or the bounds would change. */
cap_t cheri_address_set(cap_t c, uint64_t addr);
cap_t cheri_offset_set(cap_t c, uint64_t off);
cap_t cheri_offset_increment(cap_t c, int64_t inc);
/*
 * Bounds [address, address + len), rounded outward to what is
 * representable. The tag is lost if the result would exceed c's bounds,
 * if c is sealed or untagged, or if the Morello flags rule forbids it.
 */
cap_t cheri_bounds_set(cap_t c, cap_len_t len);
/* As cheri_bounds_set, and the tag is also lost if rounding was needed. */
cap_t cheri_bounds_set_exact(cap_t c, cap_len_t len);
/* Full result of a set-bounds: *exact says whether no rounding happened. */
cap_t cap_setbounds(cap_t c, cap_len_t len, bool *exact);
/* Keep only the permissions in mask (the tag is lost if c is sealed). */
cap_t cheri_perms_and(cap_t c, uint32_t mask);
/*
 * Seal c with the object type auth's address names. Needs: both tagged,
 * both unsealed, auth has Seal, its address in its bounds and <= 0x7fff.
 * Otherwise the result is c untagged.
 */
cap_t cheri_seal(cap_t c, cap_t auth);
/* Unseal: c sealed, auth has Unseal and its address equals c's type. */
cap_t cheri_unseal(cap_t c, cap_t auth);
/*
 * Rebuild a tagged capability from the bits of an untagged one, if
 * those bits are a subset of auth (CHERI's CBuildCap).
 */
cap_t cheri_cap_build(cap_t auth, cap_t bits);
/* True when b's bounds and permissions lie within a's. */
bool cheri_is_subset(cap_t a, cap_t b);
/* True when both tag and all 128 bits are equal. */
bool cheri_is_equal_exact(cap_t a, cap_t b);

/* Smallest representable length >= len, and the base alignment it needs. */
uint64_t cheri_representable_length(uint64_t len);
uint64_t cheri_representable_alignment_mask(uint64_t len);

/* --- encoding details (for tests and the `capio cap` command) ------------ */

struct cap_fields {
	bool ie;		/* internal exponent present */
	unsigned exponent;
	uint32_t bottom, top;	/* 16-bit mantissas, T's top bits inferred */
};
void cap_decode_fields(uint64_t pesbt, struct cap_fields *f);

#endif
