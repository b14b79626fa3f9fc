/*
 * nvme_attack_report.c — the verdicts over a run of the NVMe tenant
 * attacks, and the table or JSON document `capio attack --nvme` prints
 * (nvme_attack_report.h).
 */
#include "eval/nvme_attack_report.h"

#include <stdio.h>
#include <string.h>

#include "eval/bench_report.h"	/* bench_json_str */

static const char *const grant[NARM_COUNT] = {
	"4 KiB pages of BAR0 around each slice",
	"byte-exact slices",
	"byte-exact slices, queue isolation (model extension)",
};

static bool
unchanged(const struct natk_result *r)
{
	return r->ctrl_ok && r->victim_ok && r->kmem_ok && !r->leaked;
}

static int
slot(struct natk_tally *t, const struct nvme_attack *a)
{
	for (int i = 0; i < t->nattacks; i++)
		if (t->attack[i] == a)
			return i;
	if (t->nattacks == NATK_MAX)
		return -1;
	t->attack[t->nattacks] = a;
	return t->nattacks++;
}

void
natk_tally_add(struct natk_tally *t, const struct nvme_attack *a,
    enum nvme_arm arm, const struct natk_result *r)
{
	bool stopped = (r->outcome == OUT_TRAPPED ||
	    r->outcome == OUT_REFUSED) && unchanged(r);
	int i = slot(t, a);

	t->ran[arm]++;
	if (r->outcome == OUT_ERROR)
		t->errors++;
	else if (r->outcome == OUT_SUCCEEDED)
		t->succeeded[arm]++;
	if (stopped)
		t->stopped[arm]++;
	if (r->outcome != OUT_ERROR && nvme_attack_must_stop(a, arm) &&
	    !stopped)
		t->failures++;
	if (r->outcome != OUT_ERROR && !nvme_attack_must_stop(a, arm) &&
	    r->outcome != OUT_SUCCEEDED)
		t->unexpected++;
	if (i >= 0) {
		t->have[i][arm] = true;
		t->outcome[i][arm] = r->outcome;
	}
}

bool
natk_tally_ok(const struct natk_tally *t)
{
	return t->failures == 0 && t->errors == 0;
}

void
nvme_attack_list(bool json)
{
	if (json)
		printf("{\"attacks\":[");
	for (size_t i = 0; i < nvme_attack_count; i++) {
		const struct nvme_attack *a = &nvme_attack_catalogue[i];

		if (!json) {
			printf("%-4s %-18s %-15s %s\n", a->id, a->name,
			    nvme_stopper_name(a->stopper), a->what);
			continue;
		}
		printf("%s{\"id\":\"%s\",\"class\":%d,\"name\":\"%s\","
		    "\"stopped_by\":\"%s\",\"what\":", i == 0 ? "" : ",", a->id,
		    a->cls, a->name, nvme_stopper_name(a->stopper));
		bench_json_str(stdout, a->what);
		putchar('}');
	}
	if (json)
		printf("]}\n");
}

void
nvme_attack_report_begin(bool json, const struct natk_opts *o,
    const bool arms[NARM_COUNT])
{
	if (json) {
		printf("{\"device\":\"nvme\",\"arms\":{");
		for (int a = 0, n = 0; a < NARM_COUNT; a++) {
			if (!arms[a])
				continue;
			printf("%s\"%s\":{\"grant\":\"%s\",\"iommu\":%s,"
			    "\"queue_isolation\":%s}", n++ ? "," : "",
			    nvme_arm_name(a), grant[a], o->iommu ? "true" :
			    "false", a == NARM_ISOLATED ? "true" : "false");
		}
		printf("},\"attacks\":[");
		fflush(stdout);
		return;
	}
	printf("capio attack --nvme: tenants of one NVMe controller (8 queue "
	    "pairs, a namespace each);\neach attack is tenant 1's own "
	    "unprivileged process on a fresh machine, against tenant 2\n");
	printf("  page arm:     4 KiB pages of BAR0 around each slice (the "
	    "doorbell page, page 0), IOMMU %s\n", o->iommu ? "on" : "OFF");
	printf("  capio arm:    byte-exact slices (SQT, CQH; CSTS read-only), "
	    "IOMMU %s: one context for the\n                controller (one "
	    "requester ID)\n", o->iommu ? "on" : "OFF");
	printf("  isolated arm: capio + --nvme-queue-isolation, a model "
	    "extension beyond NVMe 1.4:\n                DMA tagged by queue "
	    "into per-queue IOMMU windows, each queue bound to its namespace\n");
	printf("  CTRL, VICTIM, KERNEL: the controller's registers and admin "
	    "queue, tenant 2's queue,\n  buffer, namespace and next I/O, the "
	    "kernel's memory: \"same\" or \"CHANGED\" as the harness\n  found "
	    "them; LEAK: tenant 2's data or the kernel's secret in the "
	    "attacker's reach\n\n");
	printf("%-4s %-18s %-8s  %-7s %-7s %-7s %-4s %s\n", "ID", "ATTACK", "ARM",
	    "CTRL", "VICTIM", "KERNEL", "LEAK", "OUTCOME");
	fflush(stdout);
}

static const char *
outcome_word(enum atk_outcome o)
{
	static const char *const w[] = { "trapped", "refused", "SUCCEEDED",
	    "ERROR" };

	return w[o];
}

void
nvme_attack_report_row(bool json, bool first, const struct nvme_attack *a,
    enum nvme_arm arm, const struct natk_result *r)
{
	bool must = nvme_attack_must_stop(a, arm);

	if (!json) {
		printf("%-4s %-18s %-8s  %-7s %-7s %-7s %-4s %s: %s\n", a->id,
		    a->name, nvme_arm_name(arm), r->ctrl_ok ? "same" : "CHANGED",
		    r->victim_ok ? "same" : "CHANGED",
		    r->kmem_ok ? "same" : "CHANGED", r->leaked ? "YES" : "no",
		    outcome_word(r->outcome), r->cause);
		if (r->changed[0] != '\0')
			printf("%-33s changed: %s\n", "", r->changed);
		if (r->leaked)
			printf("%-33s leaked: %s\n", "", r->leak);
		fflush(stdout);
		return;
	}
	printf("%s{\"id\":\"%s\",\"class\":%d,\"name\":\"%s\",\"what\":",
	    first ? "" : ",", a->id, a->cls, a->name);
	bench_json_str(stdout, a->what);
	printf(",\"stopped_by\":\"%s\",\"arm\":\"%s\",\"expected\":\"%s\","
	    "\"outcome\":\"%s\",\"cause\":", nvme_stopper_name(a->stopper),
	    nvme_arm_name(arm), must ? "stopped" : "succeeds",
	    attack_outcome_name(r->outcome));
	bench_json_str(stdout, r->cause);
	printf(",\"unchanged\":%s,\"controller_unchanged\":%s,"
	    "\"victim_unchanged\":%s,\"kernel_unchanged\":%s,\"leaked\":%s",
	    unchanged(r) ? "true" : "false", r->ctrl_ok ? "true" : "false",
	    r->victim_ok ? "true" : "false", r->kmem_ok ? "true" : "false",
	    r->leaked ? "true" : "false");
	if (r->leaked) {
		printf(",\"leak\":");
		bench_json_str(stdout, r->leak);
	}
	printf(",\"changed\":");
	bench_json_str(stdout, r->changed);
	putchar('}');
	fflush(stdout);
}

static void
side_by_side(const struct natk_tally *t, const bool arms[NARM_COUNT])
{
	printf("\n%-4s %-18s", "ID", "ATTACK");
	for (int a = 0; a < NARM_COUNT; a++)
		if (arms[a])
			printf(" %-10s", nvme_arm_name(a));
	printf(" %s\n", "STOPPED BY");
	for (int i = 0; i < t->nattacks; i++) {
		const struct nvme_attack *at = t->attack[i];

		printf("%-4s %-18s", at->id, at->name);
		for (int a = 0; a < NARM_COUNT; a++)
			if (arms[a])
				printf(" %-10s", t->have[i][a] ?
				    outcome_word(t->outcome[i][a]) : "-");
		printf(" %s\n", nvme_stopper_name(at->stopper));
	}
}

void
nvme_attack_report_end(bool json, const struct natk_tally *t,
    const bool arms[NARM_COUNT])
{
	if (json) {
		printf("],\"summary\":{");
		for (int a = 0; a < NARM_COUNT; a++)
			printf("\"%s_runs\":%d,\"%s_succeeded\":%d,"
			    "\"%s_stopped\":%d,", nvme_arm_name(a), t->ran[a],
			    nvme_arm_name(a), t->succeeded[a], nvme_arm_name(a),
			    t->stopped[a]);
		printf("\"failures\":%d,\"unexpected\":%d,\"errors\":%d,"
		    "\"ok\":%s}}\n", t->failures, t->unexpected, t->errors,
		    natk_tally_ok(t) ? "true" : "false");
		return;
	}
	side_by_side(t, arms);
	printf("\n");
	for (int a = 0; a < NARM_COUNT; a++) {
		char label[16];

		if (!arms[a])
			continue;
		snprintf(label, sizeof label, "%s arm:", nvme_arm_name(a));
		printf("%-14s%d of %d succeeded, %d trapped or refused with "
		    "nothing changed\n", label, t->succeeded[a], t->ran[a],
		    t->stopped[a]);
	}
	if (t->failures > 0)
		printf("FAILED: %d run(s) got through an arm that must stop "
		    "them\n", t->failures);
	if (t->unexpected > 0)
		printf("note: %d run(s) were stopped where the hardware as it "
		    "stands lets them through\n", t->unexpected);
	if (t->errors > 0)
		printf("harness errors: %d\n", t->errors);
}
