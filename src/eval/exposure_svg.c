/*
 * exposure_svg.c — see exposure_svg.h.
 *
 * Layout: the region is cut into 4 KiB blocks, eight to a row; a block is
 * 32 x 32 cells, one cell per 32-bit word. Runs of equal cells along a
 * row become one rectangle, so the file stays small and every cell
 * still carries its name.
 */
#include "eval/exposure_svg.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define BLOCK		4096u		/* bytes drawn as one square */
#define COLS		32u		/* words per cell row */
#define CELL		4u		/* pixels per word */
#define PER_ROW		8u		/* blocks per row */
#define GAP		12u		/* between blocks */
#define LABEL		14u		/* block offset label above it */
#define MARGIN		20u
#define LEGEND		84u
#define TITLE		30u
#define BLOCK_PX	(COLS * CELL)

#define FILL_GRANTED	"#1a9641"
#define FILL_PRIVILEGED	"#d7191c"
#define FILL_RESERVED	"#fdd5ae"
#define FILL_UNMAPPED_REG "#c4c4c4"
#define FILL_UNMAPPED	"#ececec"

struct layout {
	unsigned blocks, block_rows;
	unsigned width, panel_h;
};

static void
layout_of(const struct exposure *e, struct layout *l)
{
	l->blocks = (unsigned)((e->region->size + BLOCK - 1) / BLOCK);
	l->block_rows = (l->blocks + PER_ROW - 1) / PER_ROW;
	l->width = 2 * MARGIN + PER_ROW * (BLOCK_PX + GAP);
	l->panel_h = TITLE + l->block_rows * (BLOCK_PX + LABEL + GAP);
}

/* Top-left pixel of the cell of the word at OFF, in a panel at y0. */
static void
cell_xy(uint64_t off, unsigned y0, unsigned *x, unsigned *y)
{
	uint64_t b = off / BLOCK, w = (off % BLOCK) / 4;

	*x = MARGIN + (unsigned)(b % PER_ROW) * (BLOCK_PX + GAP) +
	    (unsigned)(w % COLS) * CELL;
	*y = y0 + TITLE + (unsigned)(b / PER_ROW) * (BLOCK_PX + LABEL + GAP) +
	    LABEL + (unsigned)(w / COLS) * CELL;
}

static const char *
fill_of(const struct exposure *e, uint64_t off, enum exposure_class c)
{
	switch (c) {
	case EXPOSE_GRANTED:	return FILL_GRANTED;
	case EXPOSE_PRIVILEGED:	return FILL_PRIVILEGED;
	case EXPOSE_RESERVED:	return FILL_RESERVED;
	case EXPOSE_UNMAPPED:	break;
	}
	return e->names(off) != NULL ? FILL_UNMAPPED_REG : FILL_UNMAPPED;
}

static const char *
slice_at(const struct exposure *e, uint64_t off)
{
	for (size_t i = 0; i < e->nwant; i++)
		if (off + 4 > e->want[i]->offset &&
		    off < e->want[i]->offset + e->want[i]->length)
			return e->want[i]->name;
	return NULL;
}

/* The name a cell's tooltip gives it. */
static const char *
cell_name(const struct exposure *e, uint64_t off)
{
	const char *s = slice_at(e, off);

	return s != NULL ? s : e->names(off);
}

static bool
same_cell(const struct exposure *e, uint64_t a, uint64_t b)
{
	/* Registers stay cells of their own, even two of one name. */
	return exposure_class_at(e, a) == exposure_class_at(e, b) &&
	    cell_name(e, a) == NULL && cell_name(e, b) == NULL;
}

static void
run_rect(FILE *f, const struct exposure *e, uint64_t off, unsigned n,
    unsigned y0)
{
	enum exposure_class c = exposure_class_at(e, off);
	const char *name = cell_name(e, off);
	unsigned x, y;

	cell_xy(off, y0, &x, &y);
	fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
	    "fill=\"%s\"><title>", x, y, n * CELL, CELL, fill_of(e, off, c));
	if (name != NULL)
		fprintf(f, "%s @ 0x%05llx: %s", name, (unsigned long long)off,
		    c == EXPOSE_GRANTED ? "granted (CAPIO slice)" :
		    c == EXPOSE_PRIVILEGED ? "privileged, exposed by the page" :
		    "not mapped");
	else
		fprintf(f, "0x%05llx-0x%05llx: %s", (unsigned long long)off,
		    (unsigned long long)(off + 4ull * n - 1),
		    c == EXPOSE_RESERVED ? "no register, exposed by the page" :
		    "no register, not mapped");
	fprintf(f, "</title></rect>\n");
}

static bool
block_unmapped(const struct exposure *e, uint64_t start, uint64_t end)
{
	for (uint64_t p = start / e->page_size; p * e->page_size < end; p++)
		if (p < e->npages && e->mapped[p])
			return false;
	return true;
}

static void
panel(FILE *f, const char *device, const struct exposure *e, unsigned y0)
{
	struct layout l;
	char psz[32];

	layout_of(e, &l);
	if (e->page_size >= 1024)
		snprintf(psz, sizeof psz, "%llu KiB",
		    (unsigned long long)(e->page_size >> 10));
	else
		snprintf(psz, sizeof psz, "%llu B",
		    (unsigned long long)e->page_size);
	fprintf(f, "<text x=\"%u\" y=\"%u\" font-size=\"15\" font-weight=\"bold\">"
	    "%s %s with %s pages: %llu page%s mapped, %llu bytes exposed for "
	    "%llu granted; %zu privileged registers come along</text>\n",
	    MARGIN, y0 + 18, device, e->region->name, psz,
	    (unsigned long long)e->mapped_pages, e->mapped_pages == 1 ? "" : "s",
	    (unsigned long long)e->exposed_bytes,
	    (unsigned long long)e->granted_bytes, e->nregs);
	for (unsigned b = 0; b < l.blocks; b++) {
		uint64_t start = (uint64_t)b * BLOCK;
		uint64_t end = start + BLOCK < e->region->size ? start + BLOCK :
		    e->region->size;
		unsigned x, y;

		cell_xy(start, y0, &x, &y);
		fprintf(f, "<text x=\"%u\" y=\"%u\" font-size=\"10\" "
		    "fill=\"#444\">0x%05llx</text>\n", x, y - 3,
		    (unsigned long long)start);
		if (end - start == BLOCK && block_unmapped(e, start, end)) {
			fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"%u\" "
			    "height=\"%u\" fill=\"%s\"><title>0x%05llx-0x%05llx: "
			    "not mapped</title></rect>\n", x, y, BLOCK_PX,
			    BLOCK_PX, FILL_UNMAPPED, (unsigned long long)start,
			    (unsigned long long)(end - 1));
			/* Registers still shown, so the map reads the same. */
			for (uint64_t off = start; off < end; off += 4)
				if (e->names(off) != NULL)
					run_rect(f, e, off, 1, y0);
			continue;
		}
		for (uint64_t row = start; row < end; row += COLS * 4) {
			uint64_t rend = row + COLS * 4 < end ? row + COLS * 4 : end;

			for (uint64_t off = row; off < rend;) {
				unsigned n = 1;

				while (off + 4ull * n < rend &&
				    same_cell(e, off, off + 4ull * n))
					n++;
				run_rect(f, e, off, n, y0);
				off += 4ull * n;
			}
		}
	}
	/* Mapped pages outlined; granted slices named. */
	for (uint64_t p = 0; p < e->npages; p++) {
		uint64_t first = p * e->page_size;
		uint64_t last = first + e->page_size < e->region->size ?
		    first + e->page_size - 4 : e->region->size - 4;
		unsigned x0, y1, x1, y2;

		if (!e->mapped[p])
			continue;
		cell_xy(first, y0, &x0, &y1);
		cell_xy(last, y0, &x1, &y2);
		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
		    "fill=\"none\" stroke=\"#000\" stroke-width=\"2\"/>\n",
		    x0 - 1, y1 - 1, x1 + CELL - x0 + 2, y2 + CELL - y1 + 2);
	}
	for (size_t i = 0; i < e->nwant; i++) {
		unsigned x, y;

		cell_xy(e->want[i]->offset, y0, &x, &y);
		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"%u\" height=\"%u\" "
		    "fill=\"none\" stroke=\"#000\" stroke-width=\"1\"/>\n",
		    x - 1, y - 1, CELL + 2, CELL + 2);
		fprintf(f, "<text x=\"%u\" y=\"%u\" font-size=\"11\" "
		    "font-weight=\"bold\" fill=\"#0b4d22\" stroke=\"#fff\" "
		    "stroke-width=\"3\" paint-order=\"stroke\">%s</text>\n",
		    x + CELL + 3, y + CELL + 1, e->want[i]->name);
	}
}

static void
legend(FILE *f, unsigned y)
{
	static const struct { const char *fill, *what; } items[] = {
		{ FILL_GRANTED, "granted: the slice the data plane needs" },
		{ FILL_PRIVILEGED, "privileged register, exposed by the page" },
		{ FILL_RESERVED, "no register, exposed by the page" },
		{ FILL_UNMAPPED_REG, "register, not mapped" },
		{ FILL_UNMAPPED, "nothing, not mapped" },
	};

	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
		unsigned x = MARGIN + (unsigned)(i % 3) * 360;
		unsigned yy = y + (unsigned)(i / 3) * 22;

		fprintf(f, "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"14\" "
		    "fill=\"%s\" stroke=\"#666\"/>\n<text x=\"%u\" y=\"%u\" "
		    "font-size=\"12\">%s</text>\n", x, yy, items[i].fill,
		    x + 20, yy + 12, items[i].what);
	}
}

int
exposure_svg_write(const char *path, const char *device,
    const struct exposure *e, size_t n, char *err, size_t errlen)
{
	struct layout l;
	unsigned h;
	FILE *f;
	bool bad;

	if (n == 0) {
		snprintf(err, errlen, "nothing to draw");
		return -1;
	}
	layout_of(&e[0], &l);
	h = 2 * MARGIN + LEGEND + (unsigned)n * (l.panel_h + MARGIN);
	if ((f = fopen(path, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
	    "height=\"%u\" viewBox=\"0 0 %u %u\" font-family=\"sans-serif\">\n"
	    "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
	    l.width, h, l.width, h);
	fprintf(f, "<text x=\"%u\" y=\"%u\" font-size=\"18\" font-weight=\"bold\">"
	    "What page-granular kernel bypass exposes of %s %s</text>\n"
	    "<text x=\"%u\" y=\"%u\" font-size=\"12\" fill=\"#444\">one cell: "
	    "one 32-bit word; one square: 4 KiB; outlined: the pages mapped; "
	    "hover a cell for its name</text>\n",
	    MARGIN, MARGIN + 8, device, e[0].region->name, MARGIN, MARGIN + 26);
	legend(f, MARGIN + 36);
	for (size_t i = 0; i < n; i++)
		panel(f, device, &e[i], MARGIN + LEGEND +
		    (unsigned)i * (l.panel_h + MARGIN));
	fprintf(f, "</svg>\n");
	bad = ferror(f) != 0;
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "%s: write failed", path);
		return -1;
	}
	return 0;
}
