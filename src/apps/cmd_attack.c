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

#include "eval/attack.h"
#include "apps/cli.h"

#define USAGE "capio attack [--arm page|capio|both] [--only ID[,ID...]] " \
	"[--json] [--pcap FILE] [--iommu on|off] [--list]"
#define EXFIL_ID "11d"

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
	    "  --pcap FILE    record the wire of the exfiltration attack (" EXFIL_ID ");\n"
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
	    "leaves " EXFIL_ID " out, and run options with --list); 0 otherwise.\n\n"
	    "examples:\n"
	    "  capio attack\n"
	    "  capio attack --only 11d --pcap leak.pcap\n"
	    "  capio attack --arm=capio --json\n"
	    "  capio attack --list --json\n", USAGE);
}

static void
json_str(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
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
selected(const struct attack *a, char *only)
{
	char buf[512], *save = NULL;

	if (only == NULL)
		return true;
	snprintf(buf, sizeof buf, "%s", only);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (strcmp(t, a->id) == 0 || strcmp(t, a->name) == 0)
			return true;
	return false;
}

/* Every item of --only names an attack: NULL, or the first that does not. */
static const char *
bad_only(const char *only, char *buf, size_t n)
{
	char *rest = buf, *t;

	snprintf(buf, n, "%s", only);
	while ((t = strsep(&rest, ",")) != NULL) {
		bool found = false;

		for (size_t i = 0; i < attack_count; i++)
			if (strcmp(t, attack_catalogue[i].id) == 0 ||
			    strcmp(t, attack_catalogue[i].name) == 0)
				found = true;
		if (!found)
			return t;
	}
	return NULL;
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

static void
list_catalogue(bool json)
{
	if (json)
		printf("{\"attacks\":[");
	for (size_t i = 0; i < attack_count; i++) {
		const struct attack *a = &attack_catalogue[i];

		if (!json) {
			printf("%-4s %-20s %s\n", a->id, a->name, a->what);
			continue;
		}
		printf("%s{\"id\":\"%s\",\"class\":%d,\"name\":\"%s\",\"what\":",
		    i == 0 ? "" : ",", a->id, a->cls, a->name);
		json_str(stdout, a->what, strlen(a->what));
		putchar('}');
	}
	if (json)
		printf("]}\n");
}

static const char *
arm_name(enum grant_arm arm)
{
	return arm == ARM_PAGE ? "page" : "capio";
}

static void
print_leak(FILE *f, const struct atk_result *r)
{
	fputc('"', f);
	for (size_t i = 0; i < r->leak_len; i++)
		fputc(r->leak[i] >= 0x20 && r->leak[i] < 0x7f ? r->leak[i] : '.', f);
	fputc('"', f);
}

static void
print_row(const struct attack *a, enum grant_arm arm, const struct atk_result *r)
{
	static const char *const out[] = { "trapped", "refused", "SUCCEEDED",
	    "ERROR" };

	printf("%-4s %-20s %-5s  %-7s %-7s %-7s %s: %s\n", a->id, a->name,
	    arm_name(arm), r->dev_ok ? "same" : "CHANGED",
	    !r->kmem_ok ? "CHANGED" : r->leaked ? "LEAKED" : "same",
	    r->procs_ok ? "same" : "CHANGED", out[r->outcome], r->cause);
	if (r->changed[0] != '\0')
		printf("%-34s changed: %s\n", "", r->changed);
	if (r->leaked) {
		printf("%-34s on the wire: ", "");
		print_leak(stdout, r);
		putchar('\n');
	}
}

static void
json_row(bool first, const struct attack *a, enum grant_arm arm,
    const struct atk_result *r, const char *pcap)
{
	printf("%s{\"id\":\"%s\",\"class\":%d,\"name\":\"%s\",\"what\":", first ?
	    "" : ",", a->id, a->cls, a->name);
	json_str(stdout, a->what, strlen(a->what));
	printf(",\"arm\":\"%s\",\"outcome\":\"%s\",\"cause\":", arm_name(arm),
	    attack_outcome_name(r->outcome));
	json_str(stdout, r->cause, strlen(r->cause));
	printf(",\"unchanged\":%s,\"device_unchanged\":%s,\"kernel_unchanged\":%s,"
	    "\"procs_unchanged\":%s,\"changed\":",
	    r->dev_ok && r->kmem_ok && r->procs_ok ? "true" : "false",
	    r->dev_ok ? "true" : "false", r->kmem_ok ? "true" : "false",
	    r->procs_ok ? "true" : "false");
	json_str(stdout, r->changed, strlen(r->changed));
	printf(",\"frames_on_wire\":%llu,\"secret_on_wire\":%s",
	    (unsigned long long)r->frames_seen, r->leaked ? "true" : "false");
	if (r->leaked) {
		printf(",\"leaked\":");
		json_str(stdout, (const char *)r->leak, r->leak_len);
	}
	if (pcap != NULL) {
		printf(",\"pcap\":");
		json_str(stdout, pcap, strlen(pcap));
	}
	putchar('}');
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
	int capio_bad = 0, errors = 0, ran[2] = { 0, 0 };
	int page_succeeded = 0, capio_stopped = 0;
	bool first = true;
	const char *run_only = NULL;	/* an option --list has no use for */
	struct cli_args ca = { "attack", USAGE, argc, argv, 0 };
	struct atk_result exfil[2];
	bool have_exfil[2] = { false, false };

	if (cli_wants_help(argc, argv)) {
		help();
		return 0;
	}
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
		return cli_fail(&ca, "--pcap records attack " EXFIL_ID ", which "
		    "--only leaves out");
	if (list) {
		list_catalogue(json);
		return 0;
	}
	if (pcap != NULL) {
		for (int a = 0; a < 2; a++) {
			FILE *f;

			if (!arms[a])
				continue;
			paths[a] = arms[0] && arms[1] ?
			    arm_path(pcap, a == 0 ? "page" : "capio") : strdup(pcap);
			if (paths[a] == NULL) {
				fprintf(stderr, "capio attack: out of memory\n");
				free(paths[0]);
				return 1;
			}
			/* Fail now, not after the catalogue ran. */
			if ((f = fopen(paths[a], "w")) == NULL) {
				fprintf(stderr, "capio attack: cannot write %s: %s\n",
				    paths[a], strerror(errno));
				free(paths[0]);
				free(paths[1]);
				return 1;
			}
			fclose(f);
		}
	}

	if (json)
		printf("{\"arms\":{\"page\":{\"grant\":\"4 KiB pages\",\"iommu\":%s},"
		    "\"capio\":{\"grant\":\"byte-exact slices\",\"iommu\":%s}},"
		    "\"attacks\":[", opts.iommu_page ? "true" : "false",
		    opts.iommu_capio ? "true" : "false");
	else {
		printf("capio attack: each attack is its own unprivileged process on a "
		    "fresh machine\n");
		printf("  page arm:  4 KiB pages of BAR0 around each slice, IOMMU %s\n",
		    opts.iommu_page ? "on" : "off (DPDK/ixy without an IOMMU)");
		printf("  capio arm: byte-exact slices, IOMMU %s\n",
		    opts.iommu_capio ? "on" : "OFF (capabilities alone)");
		printf("  DEVICE, KERNEL, PROCS: NIC 0's configuration, the kernel's "
		    "memory and events,\n  the other processes: \"same\" or "
		    "\"CHANGED\" as the harness found them after the\n  attack "
		    "(LEAKED: the kernel's secret went out on the wire)\n\n");
		printf("%-4s %-20s %-5s  %-7s %-7s %-7s %s\n", "ID", "ATTACK", "ARM",
		    "DEVICE", "KERNEL", "PROCS", "OUTCOME");
	}
	fflush(stdout);
	for (size_t i = 0; i < attack_count; i++) {
		const struct attack *a = &attack_catalogue[i];

		if (!selected(a, only))
			continue;
		for (int arm = 0; arm < 2; arm++) {
			enum grant_arm g = arm == 0 ? ARM_PAGE : ARM_CAPIO;
			struct atk_result r;
			bool same;

			if (!arms[arm])
				continue;
			opts.pcap = paths[arm];
			attack_run(a, g, &opts, &r);
			ran[arm]++;
			same = r.dev_ok && r.kmem_ok && r.procs_ok;
			if (r.outcome == OUT_ERROR)
				errors++;
			if (g == ARM_CAPIO && (r.outcome == OUT_SUCCEEDED || !same))
				capio_bad++;
			if (g == ARM_CAPIO && (r.outcome == OUT_TRAPPED ||
			    r.outcome == OUT_REFUSED) && same)
				capio_stopped++;
			if (g == ARM_PAGE && r.outcome == OUT_SUCCEEDED)
				page_succeeded++;
			if (a->flags & ATK_EXFIL) {
				exfil[arm] = r;
				have_exfil[arm] = true;
			}
			if (json)
				json_row(first, a, g, &r, (a->flags & ATK_EXFIL) ?
				    paths[arm] : NULL);
			else
				print_row(a, g, &r);
			first = false;
			fflush(stdout);
		}
	}
	if (json) {
		printf("],\"summary\":{\"page_runs\":%d,\"page_succeeded\":%d,"
		    "\"capio_runs\":%d,\"capio_stopped\":%d,\"capio_failures\":%d,"
		    "\"errors\":%d,\"ok\":%s}}\n", ran[0], page_succeeded, ran[1],
		    capio_stopped, capio_bad, errors,
		    capio_bad == 0 && errors == 0 ? "true" : "false");
	} else {
		if (have_exfil[0] || have_exfil[1]) {
			printf("\nexfiltration (%s): the kernel keeps a %d-byte secret in "
			    "its private page;\nthe attacker points the TX ring at one of "
			    "its own whose descriptor\naims at the secret\n", EXFIL_ID,
			    ATK_SECRET_LEN);
			for (int arm = 0; arm < 2; arm++) {
				const struct atk_result *r = &exfil[arm];

				if (!have_exfil[arm])
					continue;
				printf("  %-7s", arm == 0 ? "page:" : "capio:");
				if (r->leaked) {
					printf("the wire carried %zu bytes of it: ", r->leak_len);
					print_leak(stdout, r);
				} else
					printf("the secret never appeared on the wire: "
					    "%llu frames seen",
					    (unsigned long long)r->frames_seen);
				if (paths[arm] != NULL)
					printf(" (pcap: %s)", paths[arm]);
				putchar('\n');
			}
		}
		printf("\n");
		if (arms[0])
			printf("page arm:  %d of %d attacks succeeded\n", page_succeeded,
			    ran[0]);
		if (arms[1])
			printf("capio arm: %d of %d attacks trapped or refused with "
			    "nothing changed%s\n", capio_stopped, ran[1],
			    capio_bad == 0 ? "" : " -- FAILED");
		if (errors > 0)
			printf("harness errors: %d\n", errors);
	}
	free(paths[0]);
	free(paths[1]);
	return capio_bad == 0 && errors == 0 ? 0 : 1;
}
