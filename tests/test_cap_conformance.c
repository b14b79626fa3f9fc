/*
 * test_cap_conformance.c — the public Morello reference vectors in
 * tests/data/morello/ (decode, set-bounds, representable length), every
 * row checked bit for bit.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cap/cap.h"
#include "check.h"

static FILE *
open_vectors(const char *name)
{
	const char *dir = getenv("CAPIO_TEST_DATA");
	char path[1024];
	FILE *f;

	/* CTest runs unit tests from the source tree. */
	snprintf(path, sizeof path, "%s/morello/%s",
	    dir ? dir : "tests/data", name);
	f = fopen(path, "r");
	if (f == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		check_fail(__FILE__, __LINE__, "reference vectors present");
	}
	return f;
}

/* Parse a hex field of up to 17 digits (65-bit tops). */
static cap_len_t
hex65(const char *s)
{
	cap_len_t v = 0;

	for (; *s; s++) {
		int d = *s <= '9' ? *s - '0' : (*s | 0x20) - 'a' + 10;
		v = v * 16 + (cap_len_t)d;
	}
	return v;
}

static int
split(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	for (char *tok = strtok(line, "\t"); tok && n < max; tok = strtok(NULL, "\t"))
		f[n++] = tok;
	return n;
}

static void
row_fail(const char *file, int row, const char *what)
{
	char m[160];

	snprintf(m, sizeof m, "%s row %d: %s", file, row, what);
	check_fail(__FILE__, __LINE__, m);
}

static void
test_decode(void)
{
	FILE *f = open_vectors("morello_decode.tsv");
	char line[512], *fl[16];
	int row = 0;

	if (f == NULL)
		return;
	fgets(line, sizeof line, f);
	while (fgets(line, sizeof line, f)) {
		row++;
		if (split(line, fl, 16) < 13) {
			row_fail("decode", row, "short row");
			continue;
		}
		uint64_t pesbt = (uint64_t)hex65(fl[0]), cursor = (uint64_t)hex65(fl[1]);
		cap_t c = cap_from_mem(pesbt, cursor, fl[2][0] == '1');
		struct cap_fields cf;
		cap_decode_fields(pesbt, &cf);
		check_count++;
		if (c.base != (uint64_t)hex65(fl[3])) row_fail("decode", row, "base");
		if (c.top != hex65(fl[4])) row_fail("decode", row, "top");
		if (cheri_perms_get(c) != (uint32_t)hex65(fl[5])) row_fail("decode", row, "perms");
		if (cheri_type_get(c) != (uint32_t)hex65(fl[6])) row_fail("decode", row, "otype");
		if (cap_flags_get(c) != (uint8_t)hex65(fl[7])) row_fail("decode", row, "flags");
		if (cf.ie != (fl[8][0] == '1')) row_fail("decode", row, "ie");
		if (cf.exponent != (unsigned)hex65(fl[9])) row_fail("decode", row, "exponent");
		if (cf.bottom != (uint32_t)hex65(fl[10])) row_fail("decode", row, "B");
		if (cf.top != (uint32_t)hex65(fl[11])) row_fail("decode", row, "T");
		if (c.bounds_valid != (fl[12][0] == '1')) row_fail("decode", row, "bounds_valid");
		if (c.tag != (fl[2][0] == '1')) row_fail("decode", row, "tag");
	}
	CHECK(row >= 1000);
	fclose(f);
}

static void
test_setbounds(void)
{
	FILE *f = open_vectors("morello_setbounds.tsv");
	char line[512], *fl[16];
	int row = 0;

	if (f == NULL)
		return;
	fgets(line, sizeof line, f);
	while (fgets(line, sizeof line, f)) {
		row++;
		if (split(line, fl, 16) < 9) {
			row_fail("setbounds", row, "short row");
			continue;
		}
		cap_t in = cap_from_mem((uint64_t)hex65(fl[0]), (uint64_t)hex65(fl[1]), true);
		bool exact;
		cap_t out = cap_setbounds(in, hex65(fl[2]), &exact);
		check_count++;
		if (out.pesbt != (uint64_t)hex65(fl[3])) row_fail("setbounds", row, "pesbt");
		if (out.cursor != (uint64_t)hex65(fl[4])) row_fail("setbounds", row, "cursor");
		if (out.base != (uint64_t)hex65(fl[5])) row_fail("setbounds", row, "base");
		if (out.top != hex65(fl[6])) row_fail("setbounds", row, "top");
		if (exact != (fl[7][0] == '1')) row_fail("setbounds", row, "exact");
		if (out.tag != (fl[8][0] == '1')) row_fail("setbounds", row, "tag");
		/* The exact variant keeps the tag only when nothing was lost. */
		cap_t ex = cheri_bounds_set_exact(in, hex65(fl[2]));
		if (ex.tag != (out.tag && exact)) row_fail("setbounds", row, "exact tag");
	}
	CHECK(row >= 1000);
	fclose(f);
}

static void
test_replen(void)
{
	FILE *f = open_vectors("morello_replen.tsv");
	char line[512], *fl[8];
	int row = 0;

	if (f == NULL)
		return;
	fgets(line, sizeof line, f);
	while (fgets(line, sizeof line, f)) {
		row++;
		if (split(line, fl, 8) < 3) {
			row_fail("replen", row, "short row");
			continue;
		}
		uint64_t len = (uint64_t)hex65(fl[0]);
		check_count++;
		if (cheri_representable_length(len) != (uint64_t)hex65(fl[1])) {
			char m[128];
			snprintf(m, sizeof m, "len %" PRIx64 " replen %" PRIx64, len,
			    cheri_representable_length(len));
			row_fail("replen", row, m);
		}
		if (cheri_representable_alignment_mask(len) != (uint64_t)hex65(fl[2]))
			row_fail("replen", row, "mask");
	}
	CHECK(row >= 500);
	fclose(f);
}

int
main(void)
{
	test_decode();
	test_setbounds();
	test_replen();
	return check_done("cap_conformance");
}
