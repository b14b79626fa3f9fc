/*
 * nvme_attack_report.h — what a run of the NVMe tenant attacks concluded
 * under each arm, and how `capio attack --nvme` shows it: a row per
 * attack and arm, then a table of the three arms side by side (or one
 * JSON document), on stdout.
 */
#ifndef CAPIO_EVAL_NVME_ATTACK_REPORT_H
#define CAPIO_EVAL_NVME_ATTACK_REPORT_H

#include <stdbool.h>

#include "eval/nvme_attack.h"

#define NATK_MAX	32	/* attacks in one report */

struct natk_tally {
	int ran[NARM_COUNT];
	int succeeded[NARM_COUNT];
	int stopped[NARM_COUNT];	/* trapped or refused, nothing changed */
	int failures;	/* succeeded, or changed something, where the arm
			   must stop it */
	int unexpected;	/* stopped where the hardware as it stands lets
			   it through (the demonstration is lost) */
	int errors;	/* the harness failed */
	int nattacks;
	const struct nvme_attack *attack[NATK_MAX];
	bool have[NATK_MAX][NARM_COUNT];
	enum atk_outcome outcome[NATK_MAX][NARM_COUNT];
};

/* Count attack A's result R under ARM. */
void natk_tally_add(struct natk_tally *t, const struct nvme_attack *a,
    enum nvme_arm arm, const struct natk_result *r);
/* No failure and no harness error. */
bool natk_tally_ok(const struct natk_tally *t);

/* `capio attack --nvme --list`. */
void nvme_attack_list(bool json);
void nvme_attack_report_begin(bool json, const struct natk_opts *o,
    const bool arms[NARM_COUNT]);
void nvme_attack_report_row(bool json, bool first,
    const struct nvme_attack *a, enum nvme_arm arm,
    const struct natk_result *r);
/* The side-by-side table and the totals (or the document's summary). */
void nvme_attack_report_end(bool json, const struct natk_tally *t,
    const bool arms[NARM_COUNT]);

#endif
