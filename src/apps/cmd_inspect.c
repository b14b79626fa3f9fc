/*
 * cmd_inspect.c — `capio inspect DEVICE`: the device manifest a kernel
 * stub registers, for people or as JSON; and, with --exposure, what a
 * page-granular grant of the registers a data plane needs would expose
 * (text, JSON, or an SVG map with --svg).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cli.h"
#include "eval/exposure_svg.h"
#include "dev/e1000e.h"
#include "dev/nvme.h"
#include "kernel/e1000e_manifest.h"
#include "kernel/nvme_manifest.h"
#include "eval/exposure.h"

#define USAGE "capio inspect DEVICE [--json] [--exposure SLICES [--pages SIZES] " \
	"[--svg FILE]]   (devices: e1000e, nvme)"
#define MAX_PAGES 8

/* What inspect knows of a device: its manifest, its register names, how
 * many units its stub offers at most (an NVMe queue pair each), and the
 * page sizes --exposure shows unless told (none past the region: the
 * NVMe BAR0 is 8 KiB). */
static const struct {
	const char *name;
	const struct manifest *m;
	exposure_reg_name_fn regs;
	unsigned units;
	const char *pages;
} devices[] = {
	{ "e1000e", &e1000e_manifest, e1000e_reg_name, 1, "4K,16K,64K" },
	{ "nvme", &nvme_manifest, nvme_reg_name, NVME_STUB_MAX_UNITS, "4K" },
};

/* Split a comma list in place; false if empty items or too many. */
static bool
split(char *s, const char **out, size_t max, size_t *n)
{
	*n = 0;
	for (char *tok = s;; ) {
		char *c = strchr(tok, ',');

		if (c != NULL)
			*c = '\0';
		if (*tok == '\0' || *n == max)
			return false;
		out[(*n)++] = tok;
		if (c == NULL)
			return true;
		tok = c + 1;
	}
}

/* "4K", "16KiB", "64k", "4096", "2M" */
static bool
parse_size(const char *s, uint64_t *out)
{
	char num[32];
	size_t i = 0;
	uint64_t v, mul = 1;

	while (s[i] >= '0' && s[i] <= '9' && i < sizeof num - 1) {
		num[i] = s[i];
		i++;
	}
	num[i] = '\0';
	if (i == 0 || !cli_parse_u64(num, &v))
		return false;
	if (strcmp(s + i, "") == 0)
		mul = 1;
	else if (strcmp(s + i, "K") == 0 || strcmp(s + i, "k") == 0 ||
	    strcmp(s + i, "KiB") == 0)
		mul = 1024;
	else if (strcmp(s + i, "M") == 0 || strcmp(s + i, "MiB") == 0)
		mul = 1024 * 1024;
	else
		return false;
	if (v > UINT64_MAX / mul)
		return false;
	*out = v * mul;
	return true;
}

/* The register region holding slice NAME, or NULL. */
static const char *
region_of(const struct manifest *m, const char *name)
{
	for (size_t i = 0; i < m->nregions; i++)
		if (m->regions[i].kind == REGION_MMIO &&
		    region_slice(&m->regions[i], name) != NULL)
			return m->regions[i].name;
	return NULL;
}

static int
exposure(const struct cli_args *a, int dev, char *list, char *pages,
    const char *svg, bool json)
{
	const struct manifest *m = devices[dev].m;
	const char *want[EXPOSURE_MAX_WANT], *region = NULL;
	const char *plist[MAX_PAGES];
	struct exposure e[MAX_PAGES];
	size_t nwant, np;
	char err[256], defpages[32];
	int rc = 0;

	if (!split(list, want, EXPOSURE_MAX_WANT, &nwant))
		return cli_fail(a, "--exposure wants 1 to %d slice names "
		    "separated by commas", EXPOSURE_MAX_WANT);
	for (size_t i = 0; i < nwant; i++) {
		const char *r = region_of(m, want[i]);

		if (r == NULL)
			return cli_fail(a, "%s has no register slice '%s'",
			    devices[dev].name, want[i]);
		if (region != NULL && strcmp(r, region) != 0)
			return cli_fail(a, "slices '%s' and '%s' are in "
			    "different regions", want[0], want[i]);
		region = r;
	}
	snprintf(defpages, sizeof defpages, "%s", devices[dev].pages);
	if (pages == NULL)
		(void)split(defpages, plist, MAX_PAGES, &np);
	else if (!split(pages, plist, MAX_PAGES, &np))
		return cli_fail(a, "--pages wants 1 to %d sizes separated "
		    "by commas", MAX_PAGES);
	for (size_t i = 0; i < np; i++) {
		uint64_t ps;

		if (!parse_size(plist[i], &ps)) {
			for (size_t j = 0; j < i; j++)
				exposure_free(&e[j]);
			return cli_fail(a, "bad page size '%s' (bytes, or with "
			    "K, KiB, M or MiB: 4K, 2M)", plist[i]);
		}
		if (exposure_compute_units(m, region, want, nwant, ps,
		    devices[dev].regs, devices[dev].units, &e[i], err,
		    sizeof err) != 0) {
			for (size_t j = 0; j < i; j++)
				exposure_free(&e[j]);
			return cli_fail(a, "%s", err);
		}
	}
	if (json) {
		exposure_print_json(stdout, devices[dev].name, e, np);
		putchar('\n');
	} else
		exposure_print(stdout, devices[dev].name, e, np);
	if (svg != NULL) {
		if (exposure_svg_write(svg, devices[dev].name, e, np, err,
		    sizeof err) != 0) {
			fprintf(stderr, "capio inspect: %s\n", err);
			rc = 1;
		} else if (!json)
			printf("\nmap drawn in %s\n", svg);
	}
	for (size_t i = 0; i < np; i++)
		exposure_free(&e[i]);
	return rc;
}

int
cmd_inspect(int argc, char **argv)
{
	struct cli_args a = { "inspect", USAGE, argc, argv, 0 };
	int dev = -1;
	bool json = false;
	char *list = NULL, *pages = NULL;
	const char *svg = NULL;
	char err[256];

	if (cli_wants_help(argc, argv)) {
		printf("usage: %s\n\n"
		    "Print the device manifest: the regions its kernel stub can share\n"
		    "and the byte slices of its registers a user-level driver gets.\n"
		    "--json prints one JSON object on one line. Devices: e1000e (the\n"
		    "82574L NIC) and nvme (an NVMe controller, whose units are its I/O\n"
		    "queue pairs: the slices named are unit 0's).\n\n"
		    "--exposure SLICES (e.g. TDT,RDT) computes what a page-granular\n"
		    "grant of those slices' registers hands out instead: for pages of\n"
		    "4, 16 and 64 KiB (nvme: 4 KiB, its BAR0 being 8 KiB; or --pages,\n"
		    "e.g. 4K,2M), the pages mapped, every\n"
		    "privileged register that comes along, and the bytes exposed\n"
		    "against the bytes CAPIO's slices grant. --svg FILE draws the\n"
		    "register region as pages of cells: granted, exposed-but-privileged,\n"
		    "not mapped. On a device of several units a \"+\" marks another\n"
		    "unit's slice (for nvme: another tenant's doorbell). Options take\n"
		    "their value as --svg F or --svg=F.\n\n"
		    "Exit status: 0; 1 when FILE cannot be written; 2 for a bad\n"
		    "argument (an unknown device or slice, slices of two regions, a\n"
		    "bad page size, --svg or --pages without --exposure).\n\n"
		    "examples:\n"
		    "  capio inspect e1000e --json\n"
		    "  capio inspect e1000e --exposure TDT,RDT --svg bar0.svg\n"
		    "  capio inspect e1000e --exposure=TDT --pages=4K,2M --json\n"
		    "  capio inspect nvme --exposure SQT,CQH,CSTS --svg nvme.svg\n", USAGE);
		return 0;
	}
	for (a.i = 1; a.i < argc; a.i++) {
		const char *arg = argv[a.i];

		if (strcmp(arg, "--json") == 0)
			json = true;
		else if (strcmp(arg, "--exposure") == 0) {
			if ((list = cli_value(&a)) == NULL)
				return EXIT_USAGE;
		} else if (strcmp(arg, "--svg") == 0) {
			if ((svg = cli_value(&a)) == NULL)
				return EXIT_USAGE;
		} else if (strcmp(arg, "--pages") == 0) {
			if ((pages = cli_value(&a)) == NULL)
				return EXIT_USAGE;
		} else if (arg[0] == '-' || cli_split_value(arg))
			return cli_unknown(&a);
		else if (dev >= 0)
			return cli_fail(&a, "one device at a time");
		else {
			for (size_t d = 0; d < sizeof devices / sizeof devices[0]; d++)
				if (strcmp(arg, devices[d].name) == 0)
					dev = (int)d;
			if (dev < 0)
				return cli_fail(&a, "unknown device '%s' (devices: "
				    "e1000e, nvme)", arg);
		}
	}
	if (dev < 0)
		return cli_fail(&a, "missing DEVICE (devices: e1000e, nvme)");
	if ((svg != NULL || pages != NULL) && list == NULL)
		return cli_fail(&a, "%s needs --exposure",
		    svg != NULL ? "--svg" : "--pages");
	if (manifest_validate_units(devices[dev].m, devices[dev].units, err,
	    sizeof err) != 0) {
		fprintf(stderr, "capio inspect: invalid manifest: %s\n", err);
		return 1;
	}
	if (list != NULL)
		return exposure(&a, dev, list, pages, svg, json);
	if (json)
		manifest_print_json(stdout, devices[dev].m);
	else
		manifest_print(stdout, devices[dev].m);
	return 0;
}
