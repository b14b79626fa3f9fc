/* exposure.c — see exposure.h. */
#include "eval/exposure.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PAGE_SIZE	(1ull << 30)

static uint64_t
overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	uint64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;

	return hi > lo ? hi - lo : 0;
}

/* Bytes of the word at OFF that the wanted slices cover. */
static uint64_t
granted_in_word(const struct exposure *e, uint64_t off)
{
	uint64_t g = 0;

	for (size_t i = 0; i < e->nwant; i++)
		g += overlap(off, off + 4, e->want[i]->offset,
		    e->want[i]->offset + e->want[i]->length);
	return g > 4 ? 4 : g;
}

/* The word at OFF is in a slice the data plane did not ask for: another
 * of unit 0's (*unit false), or any unit's but 0 (*unit true). */
static bool
in_other_slice(const struct exposure *e, uint64_t off, bool *unit)
{
	const struct region *r = e->region;

	*unit = false;
	for (size_t i = 0; i < r->nslices; i++) {
		const struct slice *s = &r->slices[i];
		bool wanted = false;

		for (size_t j = 0; j < e->nwant; j++)
			if (e->want[j] == s)
				wanted = true;
		for (unsigned u = 0; u < (s->unit_stride ? e->nunits : 1); u++) {
			uint64_t at = slice_offset(s, u);

			if ((u == 0 && wanted) || overlap(off, off + 4, at,
			    at + s->length) == 0)
				continue;
			*unit = u > 0;
			return true;
		}
	}
	return false;
}

static int
add_reg(struct exposure *e, const char *name, uint64_t off, uint64_t bytes,
    bool other, bool unit, size_t *cap)
{
	for (size_t i = 0; i < e->nregs; i++) {
		if (strcmp(e->regs[i].name, name) == 0) {
			e->regs[i].bytes += bytes;
			e->regs[i].words++;
			e->regs[i].other_slice |= other && !unit;
			e->regs[i].other_unit |= unit;
			return 0;
		}
	}
	if (e->nregs == *cap) {
		size_t n = *cap ? *cap * 2 : 32;
		struct exposure_reg *r = realloc(e->regs, n * sizeof *r);

		if (r == NULL)
			return -1;
		e->regs = r;
		*cap = n;
	}
	e->regs[e->nregs++] = (struct exposure_reg){ name, off, bytes, 1,
	    other && !unit, unit };
	return 0;
}

static int
fail(struct exposure *e, char *err, size_t errlen, const char *what,
    const char *arg)
{
	exposure_free(e);
	snprintf(err, errlen, "%s%s%s", what, arg ? " " : "", arg ? arg : "");
	return -1;
}

int
exposure_compute(const struct manifest *m, const char *region,
    const char *const *want, size_t nwant, uint64_t page_size,
    exposure_reg_name_fn names, struct exposure *e, char *err,
    size_t errlen)
{
	return exposure_compute_units(m, region, want, nwant, page_size,
	    names, 1, e, err, errlen);
}

int
exposure_compute_units(const struct manifest *m, const char *region,
    const char *const *want, size_t nwant, uint64_t page_size,
    exposure_reg_name_fn names, unsigned nunits, struct exposure *e,
    char *err, size_t errlen)
{
	const struct region *r;
	size_t cap = 0;

	memset(e, 0, sizeof *e);
	if (m == NULL || names == NULL)
		return fail(e, err, errlen, "no manifest or register names", NULL);
	if (nunits < 1 || nunits > MANIFEST_MAX_UNITS)
		return fail(e, err, errlen, "units must be 1..64", NULL);
	e->nunits = nunits;
	if ((r = manifest_region(m, region)) == NULL)
		return fail(e, err, errlen, "no such region:", region);
	if (r->kind != REGION_MMIO || r->size == 0 || (r->size & 3) != 0)
		return fail(e, err, errlen, "not a register region:", region);
	if (page_size < 4 || page_size > MAX_PAGE_SIZE ||
	    (page_size & (page_size - 1)) != 0)
		return fail(e, err, errlen,
		    "page size must be a power of two from 4 bytes to 1 GiB", NULL);
	if (nwant == 0 || nwant > EXPOSURE_MAX_WANT)
		return fail(e, err, errlen, "name 1 to 16 slices", NULL);
	e->region = r;
	e->page_size = page_size;
	e->names = names;
	for (size_t i = 0; i < nwant; i++) {
		const struct slice *s = region_slice(r, want[i]);

		if (s == NULL)
			return fail(e, err, errlen, "no such slice:", want[i]);
		for (size_t j = 0; j < e->nwant; j++)
			if (e->want[j] == s)
				return fail(e, err, errlen, "slice named twice:",
				    want[i]);
		e->want[e->nwant++] = s;
		e->granted_bytes += s->length;
	}
	e->npages = (r->size + page_size - 1) / page_size;
	if ((e->mapped = calloc(e->npages, sizeof *e->mapped)) == NULL)
		return fail(e, err, errlen, "out of memory", NULL);
	/* Page-granular: every page a wanted slice touches is mapped whole. */
	for (size_t i = 0; i < e->nwant; i++) {
		uint64_t first = e->want[i]->offset / page_size;
		uint64_t last = (e->want[i]->offset + e->want[i]->length - 1) /
		    page_size;

		for (uint64_t p = first; p <= last && p < e->npages; p++)
			e->mapped[p] = true;
	}
	for (uint64_t p = 0; p < e->npages; p++) {
		uint64_t start = p * page_size;
		uint64_t end = start + page_size < r->size ? start + page_size :
		    r->size;

		if (!e->mapped[p])
			continue;
		e->mapped_pages++;
		e->exposed_bytes += end - start;
		for (uint64_t off = start; off < end; off += 4) {
			uint64_t rest = 4 - granted_in_word(e, off);
			const char *name = names(off);
			bool other, unit;

			if (rest == 0)
				continue;
			if (name == NULL) {
				e->reserved_bytes += rest;
				continue;
			}
			e->privileged_bytes += rest;
			other = in_other_slice(e, off, &unit);
			if (add_reg(e, name, off, rest, other, unit, &cap) != 0)
				return fail(e, err, errlen, "out of memory", NULL);
		}
	}
	return 0;
}

void
exposure_free(struct exposure *e)
{
	if (e == NULL)
		return;
	free(e->mapped);
	free(e->regs);
	memset(e, 0, sizeof *e);
}

enum exposure_class
exposure_class_at(const struct exposure *e, uint64_t off)
{
	if (e->region == NULL || off >= e->region->size ||
	    !e->mapped[off / e->page_size])
		return EXPOSE_UNMAPPED;
	off &= ~3ull;
	if (granted_in_word(e, off) > 0)
		return EXPOSE_GRANTED;
	return e->names(off) != NULL ? EXPOSE_PRIVILEGED : EXPOSE_RESERVED;
}

const char *
exposure_class_name(enum exposure_class c)
{
	switch (c) {
	case EXPOSE_UNMAPPED:	return "unmapped";
	case EXPOSE_GRANTED:	return "granted";
	case EXPOSE_PRIVILEGED:	return "privileged";
	case EXPOSE_RESERVED:	return "reserved";
	}
	return "?";
}

/* "4 KiB", "64 KiB", "2 MiB", "16 B" */
static void
size_name(uint64_t n, char *buf, size_t len)
{
	if (n >= (1ull << 20) && n % (1ull << 20) == 0)
		snprintf(buf, len, "%llu MiB", (unsigned long long)(n >> 20));
	else if (n >= 1024 && n % 1024 == 0)
		snprintf(buf, len, "%llu KiB", (unsigned long long)(n >> 10));
	else
		snprintf(buf, len, "%llu B", (unsigned long long)n);
}

static void
print_pages(FILE *f, const struct exposure *e)
{
	const char *sep = "";

	for (uint64_t p = 0; p < e->npages; p++) {
		uint64_t q = p;

		if (!e->mapped[p])
			continue;
		while (q + 1 < e->npages && e->mapped[q + 1])
			q++;
		fprintf(f, "%s0x%05llx-0x%05llx", sep,
		    (unsigned long long)(p * e->page_size),
		    (unsigned long long)((q + 1) * e->page_size - 1));
		sep = ", ";
		p = q;
	}
}

void
exposure_print(FILE *f, const char *device, const struct exposure *e,
    size_t n)
{
	char sz[32], psz[32];

	if (n == 0)
		return;
	size_name(e[0].region->size, sz, sizeof sz);
	fprintf(f, "%s %s (%s): the data plane needs", device,
	    e[0].region->name, sz);
	for (size_t i = 0; i < e[0].nwant; i++)
		fprintf(f, "%s %s", i ? "," : "", e[0].want[i]->name);
	fprintf(f, ": %llu bytes as CAPIO slices\n\n",
	    (unsigned long long)e[0].granted_bytes);
	fprintf(f, "  %-9s %-12s %-16s %-10s %s\n", "page", "pages mapped",
	    "bytes exposed", "registers", "privileged bytes");
	for (size_t i = 0; i < n; i++) {
		char ex[40], mp[40];

		size_name(e[i].page_size, psz, sizeof psz);
		snprintf(ex, sizeof ex, "%llu (%llux)",
		    (unsigned long long)e[i].exposed_bytes,
		    (unsigned long long)(e[i].granted_bytes ?
		    e[i].exposed_bytes / e[i].granted_bytes : 0));
		snprintf(mp, sizeof mp, "%llu of %llu",
		    (unsigned long long)e[i].mapped_pages,
		    (unsigned long long)e[i].npages);
		fprintf(f, "  %-9s %-12s %-16s %-10zu %llu\n", psz, mp, ex,
		    e[i].nregs, (unsigned long long)e[i].privileged_bytes);
	}
	for (size_t i = 0; i < n; i++) {
		unsigned col = 4;
		bool star = false, plus = false;

		size_name(e[i].page_size, psz, sizeof psz);
		fprintf(f, "\n%s pages mapped: ", psz);
		print_pages(f, &e[i]);
		fprintf(f, "\n  %zu privileged registers come along:\n   ",
		    e[i].nregs);
		col = 3;
		for (size_t j = 0; j < e[i].nregs; j++) {
			const struct exposure_reg *r = &e[i].regs[j];
			char item[64];
			int len;

			const char *mark = r->other_slice ? "*" :
			    r->other_unit ? "+" : "";

			if (r->words > 1)
				len = snprintf(item, sizeof item, " %s[%u]@0x%05llx%s",
				    r->name, r->words, (unsigned long long)r->first,
				    mark);
			else
				len = snprintf(item, sizeof item, " %s@0x%05llx%s",
				    r->name, (unsigned long long)r->first, mark);
			star |= r->other_slice;
			plus |= r->other_unit;
			if (col + (unsigned)len > 78) {
				fprintf(f, "\n   ");
				col = 3;
			}
			fputs(item, f);
			col += (unsigned)len;
		}
		fputc('\n', f);
		if (star)
			fprintf(f, "  * the manifest grants it as a slice of its own"
			    " (read-only), but not to this data plane\n");
		if (plus)
			fprintf(f, "  + another unit's slice: the manifest grants it"
			    " to that unit's holder, another tenant\n");
	}
}

/* A JSON string: names come from manifests and tables, so escape them. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void
exposure_print_json(FILE *f, const char *device, const struct exposure *e,
    size_t n)
{
	fprintf(f, "{\"device\":");
	json_str(f, device);
	if (n > 0) {
		fprintf(f, ",\"region\":");
		json_str(f, e[0].region->name);
		fprintf(f, ",\"region_bytes\":%llu,\"want\":[",
		    (unsigned long long)e[0].region->size);
		for (size_t i = 0; i < e[0].nwant; i++) {
			fputs(i ? "," : "", f);
			json_str(f, e[0].want[i]->name);
		}
		fprintf(f, "],\"capio_bytes\":%llu",
		    (unsigned long long)e[0].granted_bytes);
	}
	fprintf(f, ",\"page_sizes\":[");
	for (size_t i = 0; i < n; i++) {
		const char *sep = "";

		fprintf(f, "%s{\"page_size\":%llu,\"mapped_pages\":[", i ? "," : "",
		    (unsigned long long)e[i].page_size);
		for (uint64_t p = 0; p < e[i].npages; p++) {
			if (!e[i].mapped[p])
				continue;
			fprintf(f, "%s%llu", sep,
			    (unsigned long long)(p * e[i].page_size));
			sep = ",";
		}
		fprintf(f, "],\"exposed_bytes\":%llu,\"privileged_bytes\":%llu,"
		    "\"reserved_bytes\":%llu,\"registers\":[",
		    (unsigned long long)e[i].exposed_bytes,
		    (unsigned long long)e[i].privileged_bytes,
		    (unsigned long long)e[i].reserved_bytes);
		for (size_t j = 0; j < e[i].nregs; j++) {
			const struct exposure_reg *r = &e[i].regs[j];

			fprintf(f, "%s{\"name\":", j ? "," : "");
			json_str(f, r->name);
			fprintf(f, ",\"offset\":%llu,\"bytes\":%llu,"
			    "\"words\":%u,\"manifest_slice\":%s,"
			    "\"other_unit\":%s}",
			    (unsigned long long)r->first,
			    (unsigned long long)r->bytes, r->words,
			    r->other_slice || r->other_unit ? "true" : "false",
			    r->other_unit ? "true" : "false");
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]}");
}
