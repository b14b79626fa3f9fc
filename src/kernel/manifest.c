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

int
manifest_validate(const struct manifest *m, char *err, size_t errlen)
{
	if (m == NULL || m->device == NULL || m->nregions == 0) {
		snprintf(err, errlen, "manifest without device name or regions");
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
		for (size_t j = 0; j < r->nslices; j++) {
			const struct slice *s = &r->slices[j];

			if (s->name == NULL || s->length == 0 ||
			    s->offset >= r->size || s->length > r->size - s->offset) {
				snprintf(err, errlen, "%s: %s: slice %s outside its region",
				    m->device, r->name, s->name ? s->name : "?");
				return -1;
			}
			if (!representable(s->offset, s->length)) {
				snprintf(err, errlen, "%s: %s: slice %s is not exactly "
				    "representable", m->device, r->name, s->name);
				return -1;
			}
			for (size_t k = 0; k < j; k++) {
				const struct slice *o = &r->slices[k];
				if (strcmp(o->name, s->name) == 0 ||
				    (s->offset < o->offset + o->length &&
				    o->offset < s->offset + s->length)) {
					snprintf(err, errlen, "%s: %s: slices %s and %s "
					    "overlap or share a name", m->device, r->name,
					    o->name, s->name);
					return -1;
				}
			}
		}
	}
	return 0;
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
			fprintf(f, "    %-8s offset 0x%05llx  %llu bytes  %s\n", s->name,
			    (unsigned long long)s->offset,
			    (unsigned long long)s->length,
			    s->access == SLICE_RW ? "read-write" : "read-only");
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
			    "\"length\":%llu,\"access\":\"%s\"}", j ? "," : "",
			    s->name, (unsigned long long)s->offset,
			    (unsigned long long)s->length,
			    s->access == SLICE_RW ? "rw" : "ro");
		}
		fprintf(f, "]}");
	}
	fprintf(f, "]}\n");
}
