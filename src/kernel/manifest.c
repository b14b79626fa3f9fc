/* manifest.c — see manifest.h. */
#include "kernel/manifest.h"

#include <string.h>

#include "cap/cap.h"

/* Exactly representable when placed at an address aligned like off. */
static bool
representable(uint64_t off, uint64_t len)
{
	return cheri_representable_length(len) == len &&
	    (off & ~cheri_representable_alignment_mask(len)) == 0;
}

static bool
overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/* Slice s of region r for every unit: inside, representable. */
static int
check_slice(const struct manifest *m, const struct region *r,
    const struct slice *s, unsigned nunits, char *err, size_t errlen)
{
	uint64_t last;

	if (s->name == NULL || s->length == 0) {
		snprintf(err, errlen, "%s: %s: slice %s empty or unnamed",
		    m->device, r->name, s->name ? s->name : "?");
		return -1;
	}
	/* The last unit's offset, without overflow: the others lie below. */
	if (s->unit_stride != 0 &&
	    (nunits - 1) > (UINT64_MAX - s->offset) / s->unit_stride) {
		snprintf(err, errlen, "%s: %s: slice %s: unit stride overflows",
		    m->device, r->name, s->name);
		return -1;
	}
	last = slice_offset(s, nunits - 1);
	if (last >= r->size || s->length > r->size - last) {
		snprintf(err, errlen, "%s: %s: slice %s outside its region",
		    m->device, r->name, s->name);
		return -1;
	}
	for (unsigned u = 0; u < nunits; u++)
		if (!representable(slice_offset(s, u), s->length)) {
			snprintf(err, errlen, "%s: %s: slice %s is not exactly "
			    "representable (unit %u)", m->device, r->name,
			    s->name, u);
			return -1;
		}
	if (nunits > 1 && s->unit_stride == 0 && s->access != SLICE_RO) {
		snprintf(err, errlen, "%s: %s: slice %s is shared by every "
		    "unit and writable", m->device, r->name, s->name);
		return -1;
	}
	return 0;
}

/* Some unit's o meets some unit's s: the same unit's unless same_unit
 * is false, then two different units'. */
static bool
units_meet(const struct slice *o, const struct slice *s, unsigned nunits,
    bool same_unit)
{
	for (unsigned u = 0; u < nunits; u++)
		for (unsigned v = same_unit ? u : 0;
		    v < (same_unit ? u + 1 : nunits); v++) {
			if (!same_unit && u == v)
				continue;
			if (overlap(slice_offset(o, u), o->length,
			    slice_offset(s, v), s->length))
				return true;
		}
	return false;
}

/*
 * No two slices of one unit overlap, nor a unit's own slice another
 * unit's (a shared slice is every unit's, so the first test covers it
 * against the per-unit ones). Names are unique in the region.
 */
static int
check_overlaps(const struct manifest *m, const struct region *r,
    unsigned nunits, char *err, size_t errlen)
{
	for (size_t j = 0; j < r->nslices; j++) {
		const struct slice *s = &r->slices[j];

		for (size_t i = 0; i <= j; i++) {
			const struct slice *o = &r->slices[i];

			if (i != j && (strcmp(o->name, s->name) == 0 ||
			    units_meet(o, s, nunits, true))) {
				snprintf(err, errlen, "%s: %s: slices %s and %s "
				    "overlap or share a name", m->device, r->name,
				    o->name, s->name);
				return -1;
			}
			if (o->unit_stride != 0 && s->unit_stride != 0 &&
			    units_meet(o, s, nunits, false)) {
				snprintf(err, errlen, "%s: %s: slices %s and %s of "
				    "two units overlap", m->device, r->name, o->name,
				    s->name);
				return -1;
			}
		}
	}
	return 0;
}

int
manifest_validate_units(const struct manifest *m, unsigned nunits,
    char *err, size_t errlen)
{
	if (m == NULL || m->device == NULL || m->nregions == 0) {
		snprintf(err, errlen, "manifest without device name or regions");
		return -1;
	}
	if (nunits == 0 || nunits > MANIFEST_MAX_UNITS) {
		snprintf(err, errlen, "%s: %u units (1..%u)", m->device, nunits,
		    MANIFEST_MAX_UNITS);
		return -1;
	}
	for (size_t i = 0; i < m->nregions; i++) {
		const struct region *r = &m->regions[i];

		if (r->name == NULL || r->size == 0 || !representable(0, r->size)) {
			snprintf(err, errlen, "%s: region %zu: bad name or size "
			    "(size must be non-zero and exactly representable)",
			    m->device, i);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(m->regions[j].name, r->name) == 0) {
				snprintf(err, errlen, "%s: region %s declared twice",
				    m->device, r->name);
				return -1;
			}
		if (r->kind == REGION_DMA && r->nslices != 0) {
			snprintf(err, errlen, "%s: DMA region %s cannot have slices",
			    m->device, r->name);
			return -1;
		}
		for (size_t j = 0; j < r->nslices; j++)
			if (check_slice(m, r, &r->slices[j], nunits, err,
			    errlen) != 0)
				return -1;
		if (check_overlaps(m, r, nunits, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int
manifest_validate(const struct manifest *m, char *err, size_t errlen)
{
	return manifest_validate_units(m, 1, err, errlen);
}

const struct region *
manifest_region(const struct manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nregions; i++)
		if (strcmp(m->regions[i].name, name) == 0)
			return &m->regions[i];
	return NULL;
}

const struct slice *
region_slice(const struct region *r, const char *name)
{
	for (size_t i = 0; i < r->nslices; i++)
		if (strcmp(r->slices[i].name, name) == 0)
			return &r->slices[i];
	return NULL;
}

static const char *
kind_name(enum region_kind k)
{
	return k == REGION_MMIO ? "mmio" : "dma";
}

void
manifest_print(FILE *f, const struct manifest *m)
{
	fprintf(f, "device %s: %zu regions\n", m->device, m->nregions);
	for (size_t i = 0; i < m->nregions; i++) {
		const struct region *r = &m->regions[i];

		fprintf(f, "  %-11s %-4s %8llu bytes", r->name, kind_name(r->kind),
		    (unsigned long long)r->size);
		if (r->kind == REGION_DMA)
			fprintf(f, "  device %s%s", (r->dma_perm & 1) ? "reads" : "",
			    (r->dma_perm & 2) ? ((r->dma_perm & 1) ? "+writes" : "writes") : "");
		else
			fprintf(f, "  %zu slices granted, nothing else", r->nslices);
		fputc('\n', f);
		for (size_t j = 0; j < r->nslices; j++) {
			const struct slice *s = &r->slices[j];
			fprintf(f, "    %-8s offset 0x%05llx  %llu bytes  %s", s->name,
			    (unsigned long long)s->offset,
			    (unsigned long long)s->length,
			    s->access == SLICE_RW ? "read-write" : "read-only");
			if (s->unit_stride != 0)
				fprintf(f, "  per unit, +0x%llx each",
				    (unsigned long long)s->unit_stride);
			fputc('\n', f);
		}
	}
}

void
manifest_print_json(FILE *f, const struct manifest *m)
{
	fprintf(f, "{\"device\":\"%s\",\"regions\":[", m->device);
	for (size_t i = 0; i < m->nregions; i++) {
		const struct region *r = &m->regions[i];

		fprintf(f, "%s{\"name\":\"%s\",\"kind\":\"%s\",\"size\":%llu,"
		    "\"slices\":[", i ? "," : "", r->name, kind_name(r->kind),
		    (unsigned long long)r->size);
		for (size_t j = 0; j < r->nslices; j++) {
			const struct slice *s = &r->slices[j];
			fprintf(f, "%s{\"name\":\"%s\",\"offset\":\"0x%llx\","
			    "\"length\":%llu,\"access\":\"%s\"", j ? "," : "",
			    s->name, (unsigned long long)s->offset,
			    (unsigned long long)s->length,
			    s->access == SLICE_RW ? "rw" : "ro");
			/* Only when there is one: the NIC's line stays as it was. */
			if (s->unit_stride != 0)
				fprintf(f, ",\"unit_stride\":%llu",
				    (unsigned long long)s->unit_stride);
			fputc('}', f);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]}\n");
}
