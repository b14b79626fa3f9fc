/*
 * exposure.h — what a page-granular grant of a register region hands a
 * data plane beyond the bytes it needs.
 *
 * Given a device manifest, the slices a data plane needs (e.g. TDT and
 * RDT) and a page size, map every page that holds one of those slices,
 * as page-granular kernel bypass must, and list every other register
 * that comes along, by name, with the bytes exposed against the bytes
 * CAPIO's slices grant. Device-generic: the device only supplies its
 * register-name function.
 */
#ifndef CAPIO_EVAL_EXPOSURE_H
#define CAPIO_EVAL_EXPOSURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kernel/manifest.h"

/* Name of the 32-bit register at OFF (a multiple of 4), or NULL. */
typedef const char *(*exposure_reg_name_fn)(uint64_t off);

/* What one 32-bit word of the region is, under one page size. */
enum exposure_class {
	EXPOSE_UNMAPPED,	/* in no mapped page */
	EXPOSE_GRANTED,		/* (part of) a slice the data plane needs */
	EXPOSE_PRIVILEGED,	/* a register that comes along */
	EXPOSE_RESERVED,	/* mapped, but no register there */
};

/* A register that comes along: every word of that name in mapped pages. */
struct exposure_reg {
	const char *name;
	uint64_t first;		/* offset of its first exposed word */
	uint64_t bytes;		/* exposed bytes under this name */
	unsigned words;		/* exposed words (arrays: more than one) */
	bool other_slice;	/* the manifest grants it, but it was not
				   asked for (e.g. a read-only slice) */
	bool other_unit;	/* the manifest grants it to another unit
				   (another tenant's doorbell) */
};

#define EXPOSURE_MAX_WANT	16

struct exposure {
	const struct region *region;
	uint64_t page_size;
	const struct slice *want[EXPOSURE_MAX_WANT];
	size_t nwant;
	uint64_t granted_bytes;		/* what CAPIO's slices grant */
	uint64_t npages;		/* pages of the region */
	uint64_t mapped_pages;
	uint64_t exposed_bytes;		/* every byte of the mapped pages */
	uint64_t privileged_bytes;	/* of registers that came along */
	uint64_t reserved_bytes;	/* mapped bytes with no register */
	bool *mapped;			/* [npages] */
	struct exposure_reg *regs;	/* by first offset */
	size_t nregs;
	exposure_reg_name_fn names;
	unsigned nunits;		/* units of the device (1: one) */
};

/*
 * Compute the exposure of REGION (a register region of M) when the slices
 * named in WANT are granted with pages of PAGE_SIZE bytes (a power of two,
 * at least 4). 0, or -1 and a one-line message in ERR (unknown region or
 * slice, bad page size, no memory). Free with exposure_free.
 */
int exposure_compute(const struct manifest *m, const char *region,
    const char *const *want, size_t nwant, uint64_t page_size,
    exposure_reg_name_fn names, struct exposure *e, char *err,
    size_t errlen);
/* The same for a device of NUNITS units (1..MANIFEST_MAX_UNITS) whose
 * slices repeat at their unit_stride: WANT names unit 0's, and the
 * other units' are marked other_unit. */
int exposure_compute_units(const struct manifest *m, const char *region,
    const char *const *want, size_t nwant, uint64_t page_size,
    exposure_reg_name_fn names, unsigned nunits, struct exposure *e,
    char *err, size_t errlen);
void exposure_free(struct exposure *e);

/* The class of the word holding OFF; EXPOSE_UNMAPPED outside the region. */
enum exposure_class exposure_class_at(const struct exposure *e,
    uint64_t off);
/* "unmapped", "granted", "privileged", "reserved". */
const char *exposure_class_name(enum exposure_class c);

/* For people, and as one JSON object (no newline) for a set of page
 * sizes computed for the same slices. */
void exposure_print(FILE *f, const char *device, const struct exposure *e,
    size_t n);
void exposure_print_json(FILE *f, const char *device,
    const struct exposure *e, size_t n);

#endif
