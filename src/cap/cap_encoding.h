/*
 * cap_encoding.h — the Morello bounds compression used inside src/cap/.
 */
#ifndef CAPIO_CAP_ENCODING_H
#define CAPIO_CAP_ENCODING_H

#include "cap/cap.h"

/* Decode base and top; false when the encoding is not a valid one. */
bool cap_compute_bounds(uint64_t pesbt, uint64_t cursor, uint64_t *base,
    cap_len_t *top);
/*
 * Encode bounds [base, base+len) rounded outward: returns the 31-bit bounds
 * field (pesbt bits 30..0); *exact says no bit was lost, *e (may be NULL)
 * the exponent chosen (0 without an internal exponent).
 */
uint64_t cap_encode_bounds(uint64_t base, cap_len_t len, bool *exact,
    unsigned *e);

#endif
