/*
 * cmd_attack.c — `capio attack`: run the attack catalogue under the page
 * arm and the capio arm, each attack its own unprivileged process on a
 * fresh machine, and print what happened and whether the harness found
 * device state, kernel memory and the other processes unchanged.
 *
 * Exit status: 1 if any attack succeeds under the capio arm, or any
 * check of "nothing changed" fails there, or the harness itself failed;
 * 0 otherwise (page-arm successes are the point of the comparison).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/attack_nvme.h"
#include "apps/cli.h"
#include "eval/attack.h"
#include "eval/attack_report.h"

#define USAGE "capio attack [--nvme] [--arm page|capio|both] " \
	"[--only ID[,ID...]] [--json] [--pcap FILE] [--iommu on|off] [--list]"

static void
help(void)
{
	printf("usage: %s\n\n"
	    "Run the security evaluation: every attack of the catalogue as its own\n"
	    "unprivileged process on a fresh machine, under the page arm (4 KiB pages\n"
	    "of BAR0 around each slice, IOMMU off: DPDK/ixy without an IOMMU) and the\n"
	    "capio arm (byte-exact slices, IOMMU on). The harness plants a secret in\n"
	    "kernel memory and watches the wire, and checks after each attack that\n"
	    "NIC 0's configuration, the kernel's memory and a bystander process are\n"
	    "unchanged.\n\n"
	    "  --arm ARM      page, capio or both (default both)\n"
	    "  --only IDS     only these attacks, by id (1a) or name (tdt-tdbal)\n"
	    "  --json         one JSON object on one line\n"
	    "  --pcap FILE    record the wire of the exfiltration attack (" ATTACK_EXFIL_ID ");\n"
	    "                 with both arms, FILE gets .page / .capio before its\n"
	    "                 extension (leak.pcap: leak.page.pcap, leak.capio.pcap)\n"
	    "  --iommu on|off force the IOMMU on or off under both arms (off under\n"
	    "                 capio shows that capabilities do not bound DMA)\n"
	    "  --list         list the catalogue and exit (with --json: one JSON\n"
	    "                 object, {\"attacks\":[{\"id\",\"class\",\"name\",\"what\"}]};\n"
	    "                 the options that choose runs do not apply to it)\n\n"
	    "Options take their value as --arm capio or --arm=capio.\n\n"
	    "Exit status: 1 if an attack succeeds under the capio arm, a capio-arm\n"
	    "check finds something changed, the harness failed, or FILE cannot be\n"
	    "written; 2 for a bad argument (including --pcap with an --only that\n"
	    "leaves " ATTACK_EXFIL_ID " out, and run options with --list); 0 otherwise.\n\n"
	    "--nvme runs the NVMe tenant attacks instead: tenants of one NVMe\n"
	    "controller, each with its own queue pair and namespace, one attacking\n"
	    "another (its doorbells, the admin queue's, CC/AQA/ASQ, DMA into its\n"
	    "buffers, its namespace), under three arms: page, capio, and isolated\n"
	    "(capio with --nvme-queue-isolation, a model extension beyond NVMe 1.4:\n"
	    "DMA tagged by queue into per-queue IOMMU windows, each queue bound to\n"
	    "its namespace). The IOMMU is on under all three (--iommu off: off).\n"
	    "  --arm ARM      page, capio, isolated or all (default all)\n"
	    "  --only, --json, --iommu, --list as above; --pcap does not apply\n"
	    "Exit status with --nvme: 1 if an attack gets through an arm that\n"
	    "must stop it (the slices under capio and isolated, queue isolation\n"
	    "under isolated, the IOMMU under all) or the harness failed; 2 for a\n"
	    "bad argument; 0 otherwise. The cross-tenant DMA and namespace attacks\n"
	    "succeed under page and capio: one PCI function has one requester ID,\n"
	    "and an NVMe command names its namespace itself.\n\n"
	    "examples:\n"
	    "  capio attack\n"
	    "  capio attack --only 11d --pcap leak.pcap\n"
	    "  capio attack --arm=capio --json\n"
	    "  capio attack --list --json\n"
	    "  capio attack --nvme\n"
	    "  capio attack --nvme --arm isolated --only n3a,n4b --json\n", USAGE);
}

/* FILE with ".ARM" before its extension (or at its end). */
static char *
arm_path(const char *file, const char *arm)
{
	const char *slash = strrchr(file, '/');
	const char *dot = strrchr(slash ? slash + 1 : file, '.');
	size_t at = dot && dot != (slash ? slash + 1 : file) ?
	    (size_t)(dot - file) : strlen(file);
	size_t n = strlen(file) + strlen(arm) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%.*s.%s%s", (int)at, file, arm, file + at);
	return p;
}

static bool
names(const char *t, const void *arg)
{
	const struct attack *a = arg;

	return strcmp(t, a->id) == 0 || strcmp(t, a->name) == 0;
}

static bool
selected(const struct attack *a, char *only)
{
	return only == NULL || cli_list_has(only, names, a);
}

static bool
known(const char *t)
{
	for (size_t i = 0; i < attack_count; i++)
		if (names(t, &attack_catalogue[i]))
			return true;
	return false;
}

/* Every item of --only names an attack: NULL, or the first that does not. */
static const char *
bad_only(const char *only, char *buf, size_t n)
{
	return cli_list_unknown(only, known, buf, n);
}

/* The attack --pcap records. */
static const struct attack *
exfil_attack(void)
{
	for (size_t i = 0; i < attack_count; i++)
		if (attack_catalogue[i].flags & ATK_EXFIL)
			return &attack_catalogue[i];
	return NULL;
}

/* Where --pcap records each arm (FILE.page.pcap, FILE.capio.pcap when
 * both run), each checked writable now, not after the catalogue ran.
 * 0, or -1 with a message. */
static int
pcap_paths(const char *pcap, const bool arms[2], char *paths[2])
{
	for (int a = 0; a < 2; a++) {
		FILE *f;

		if (!arms[a])
			continue;
		paths[a] = arms[0] && arms[1] ?
		    arm_path(pcap, a == 0 ? "page" : "capio") : strdup(pcap);
		if (paths[a] == NULL) {
			fprintf(stderr, "capio attack: out of memory\n");
			free(paths[0]);
			return -1;
		}
		/* Fail now, not after the catalogue ran. */
		if ((f = fopen(paths[a], "w")) == NULL) {
			fprintf(stderr, "capio attack: cannot write %s: %s\n",
			    paths[a], strerror(errno));
			free(paths[0]);
			free(paths[1]);
			return -1;
		}
		fclose(f);
	}
	return 0;
}

/* The selected attacks under the selected arms, a row each. */
static void
run_catalogue(bool json, const bool arms[2], char *only, struct atk_opts *opts,
    char *const paths[2], struct attack_tally *t)
{
	bool first = true;

	for (size_t i = 0; i < attack_count; i++) {
		const struct attack *a = &attack_catalogue[i];

		if (!selected(a, only))
			continue;
		for (int arm = 0; arm < 2; arm++) {
			enum grant_arm g = arm == 0 ? ARM_PAGE : ARM_CAPIO;
			struct atk_result r;

			if (!arms[arm])
				continue;
			opts->pcap = paths[arm];
			attack_run(a, g, opts, &r);
			attack_tally_add(t, a, g, &r);
			attack_report_row(json, first, a, g, &r,
			    (a->flags & ATK_EXFIL) ? paths[arm] : NULL);
			first = false;
		}
	}
}

int
cmd_attack(int argc, char **argv)
{
	bool json = false, list = false, arms[2] = { true, true };
	char *only = NULL;
	const char *pcap = NULL, *iommu = NULL;
	char buf[512];
	struct atk_opts opts = { .iommu_page = false, .iommu_capio = true };
	char *paths[2] = { NULL, NULL };
	struct attack_tally t = { 0 };
	const char *run_only = NULL;	/* an option --list has no use for */
	struct cli_args ca = { "attack", USAGE, argc, argv, 0 };

	if (cli_wants_help(argc, argv)) {
		help();
		return 0;
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--nvme") == 0 && !cli_split_value(argv[i]))
			return cmd_attack_nvme(argc, argv);
	for (ca.i = 1; ca.i < argc; ca.i++) {
		const char *a = argv[ca.i];

		if (strcmp(a, "--json") == 0)
			json = true;
		else if (strcmp(a, "--list") == 0)
			list = true;
		else if (strcmp(a, "--arm") == 0) {
			const char *v;

			if ((v = cli_value(&ca)) == NULL)
				return EXIT_USAGE;
			arms[0] = strcmp(v, "page") == 0 || strcmp(v, "both") == 0;
			arms[1] = strcmp(v, "capio") == 0 || strcmp(v, "both") == 0;
			if (!arms[0] && !arms[1])
				return cli_fail(&ca, "unknown arm '%s' (page, capio "
				    "or both)", v);
			run_only = a;
		} else if (strcmp(a, "--only") == 0) {
			if ((only = cli_value(&ca)) == NULL)
				return EXIT_USAGE;
			run_only = a;
		} else if (strcmp(a, "--pcap") == 0) {
			if ((pcap = cli_value(&ca)) == NULL)
				return EXIT_USAGE;
			run_only = a;
		} else if (strcmp(a, "--iommu") == 0) {
			if ((iommu = cli_value(&ca)) == NULL)
				return EXIT_USAGE;
			if (strcmp(iommu, "on") != 0 && strcmp(iommu, "off") != 0)
				return cli_fail(&ca, "--iommu takes on or off, not "
				    "'%s'", iommu);
			opts.iommu_page = opts.iommu_capio =
			    strcmp(iommu, "on") == 0;
			run_only = a;
		} else
			return cli_unknown(&ca);
	}
	if (list && run_only != NULL)
		return cli_fail(&ca, "%s does not apply to --list", run_only);
	if (only != NULL) {
		const char *bad = bad_only(only, buf, sizeof buf);

		if (bad != NULL)
			return cli_fail(&ca, "no attack '%s' (see capio attack "
			    "--list)", bad);
	}
	if (pcap != NULL && only != NULL && exfil_attack() != NULL &&
	    !selected(exfil_attack(), only))
		return cli_fail(&ca, "--pcap records attack " ATTACK_EXFIL_ID ", which "
		    "--only leaves out");
	if (list) {
		attack_list(json);
		return 0;
	}
	if (pcap != NULL && pcap_paths(pcap, arms, paths) != 0)
		return 1;

	attack_report_begin(json, &opts);
	fflush(stdout);
	run_catalogue(json, arms, only, &opts, paths, &t);
	attack_report_end(json, &t, arms, paths);
	free(paths[0]);
	free(paths[1]);
	return attack_tally_ok(&t) ? 0 : 1;
}
