/*
 * cmd_attack_nvme.c — `capio attack --nvme`: the NVMe tenant attacks
 * (eval/nvme_attack.h) under the page arm, the capio arm and the capio
 * arm with the controller's queue isolation (a model extension), each
 * attack its own process on a fresh machine; a row per attack and arm,
 * then the three arms side by side.
 *
 * Exit status: 1 if an attack gets through an arm that must stop it
 * (slices under capio and isolated, queue isolation under isolated, the
 * IOMMU under all), or the harness failed; 2 for a bad argument; 0
 * otherwise. What succeeds where the hardware as it stands lets it
 * through is the point of the comparison and does not fail the run.
 */
#include <stdio.h>
#include <string.h>

#include "apps/attack_nvme.h"
#include "apps/cli.h"
#include "eval/nvme_attack_report.h"

static bool
named(const char *t, const void *arg)
{
	const struct nvme_attack *a = arg;

	return strcmp(t, a->id) == 0 || strcmp(t, a->name) == 0;
}

static bool
known(const char *t)
{
	for (size_t i = 0; i < nvme_attack_count; i++)
		if (named(t, &nvme_attack_catalogue[i]))
			return true;
	return false;
}

int
cmd_attack_nvme(int argc, char **argv)
{
	struct cli_args ca = { "attack", ATTACK_NVME_USAGE, argc, argv, 0 };
	bool json = false, list = false, arms[NARM_COUNT] = { true, true, true };
	struct natk_opts opts = { .iommu = true };
	struct natk_tally t;
	const char *only = NULL, *run_only = NULL, *bad;
	char buf[512];
	bool first = true;

	memset(&t, 0, sizeof t);
	for (ca.i = 1; ca.i < argc; ca.i++) {
		const char *a = argv[ca.i], *v;

		if (strcmp(a, "--nvme") == 0)
			continue;
		if (strcmp(a, "--json") == 0)
			json = true;
		else if (strcmp(a, "--list") == 0)
			list = true;
		else if (strcmp(a, "--arm") == 0) {
			if ((v = cli_value(&ca)) == NULL)
				return EXIT_USAGE;
			for (int i = 0; i < NARM_COUNT; i++)
				arms[i] = strcmp(v, "all") == 0 ||
				    strcmp(v, nvme_arm_name(i)) == 0;
			if (!arms[0] && !arms[1] && !arms[2])
				return cli_fail(&ca, "unknown arm '%s' (page, "
				    "capio, isolated or all)", v);
			run_only = a;
		} else if (strcmp(a, "--only") == 0) {
			if ((only = cli_value(&ca)) == NULL)
				return EXIT_USAGE;
			run_only = a;
		} else if (strcmp(a, "--iommu") == 0) {
			if ((v = cli_value(&ca)) == NULL)
				return EXIT_USAGE;
			if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0)
				return cli_fail(&ca, "--iommu takes on or off, "
				    "not '%s'", v);
			opts.iommu = strcmp(v, "on") == 0;
			run_only = a;
		} else if (strcmp(a, "--pcap") == 0)
			return cli_fail(&ca, "--pcap does not apply to --nvme "
			    "(no attack of it uses the wire)");
		else
			return cli_unknown(&ca);
	}
	if (list && run_only != NULL)
		return cli_fail(&ca, "%s does not apply to --list", run_only);
	if (only != NULL && (bad = cli_list_unknown(only, known, buf,
	    sizeof buf)) != NULL)
		return cli_fail(&ca, "no NVMe attack '%s' (see capio attack "
		    "--nvme --list)", bad);
	if (list) {
		nvme_attack_list(json);
		return 0;
	}
	nvme_attack_report_begin(json, &opts, arms);
	for (size_t i = 0; i < nvme_attack_count; i++) {
		const struct nvme_attack *a = &nvme_attack_catalogue[i];

		if (only != NULL && !cli_list_has(only, named, a))
			continue;
		for (int arm = 0; arm < NARM_COUNT; arm++) {
			struct natk_result r;

			if (!arms[arm])
				continue;
			nvme_attack_run(a, arm, &opts, &r);
			natk_tally_add(&t, a, arm, &r);
			nvme_attack_report_row(json, first, a, arm, &r);
			first = false;
		}
	}
	nvme_attack_report_end(json, &t, arms);
	return natk_tally_ok(&t) ? 0 : 1;
}
