/*
 * test_nvme_attack.c — the NVMe tenant attacks (eval/nvme_attack.h) under
 * each arm, asserted from the state the harness read: every attack's
 * outcome per arm, and the evidence behind it (the victim's queue, data
 * and checks; the controller's registers; the victim's data or the
 * kernel's secret in the attacker's reach). With the IOMMU off the DMA
 * attacks get through even queue isolation, and the tally fails the
 * run; the catalogue's "what stops it" matches the arms.
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "eval/nvme_attack_report.h"

#define T	OUT_TRAPPED
#define R	OUT_REFUSED
#define S	OUT_SUCCEEDED

static const struct {
	const char *id;
	enum atk_outcome o[NARM_COUNT];	/* page, capio, isolated */
} expect[] = {
	{ "n1a", { S, T, T } }, { "n1b", { S, T, T } }, { "n1c", { S, T, T } },
	{ "n1d", { S, T, T } }, { "n2a", { S, T, T } }, { "n2b", { S, T, T } },
	{ "n2c", { S, T, T } }, { "n3a", { S, S, R } }, { "n3b", { S, S, R } },
	{ "n3c", { R, R, R } }, { "n4a", { S, S, R } }, { "n4b", { S, S, R } },
};

static const struct nvme_attack *
find(const char *id)
{
	for (size_t i = 0; i < nvme_attack_count; i++)
		if (strcmp(nvme_attack_catalogue[i].id, id) == 0)
			return &nvme_attack_catalogue[i];
	return NULL;
}

static bool
has(const char *s, const char *sub)
{
	return strstr(s, sub) != NULL;
}

/* The evidence an outcome must rest on, per attack. */
static void
evidence(const char *id, enum nvme_arm arm, const struct natk_result *r)
{
	bool quiet = r->ctrl_ok && r->victim_ok && r->kmem_ok && !r->leaked;

	CHECK(r->kmem_ok);
	if (r->outcome == T) {
		CHECK(quiet);
		/* The fault names the register the attacker aimed at. */
		if (strcmp(id, "n1a") == 0)
			CHECK(has(r->cause, "bounds, nvme0 BAR0+0x1010 (SQ2TDBL)"));
		if (strcmp(id, "n1c") == 0)
			CHECK(has(r->cause, "BAR0+0x1000 (SQ0TDBL)"));
		if (strcmp(id, "n2a") == 0 || strcmp(id, "n2c") == 0)
			CHECK(has(r->cause, "nvme0 BAR0+0x14 (CC)"));
		return;
	}
	if (r->outcome == R) {
		CHECK(quiet);
		if (id[1] == '3')
			CHECK(has(r->cause, "Data Transfer Error"));
		else
			CHECK(has(r->cause, "Invalid Namespace or Format"));
		if (arm == NARM_ISOLATED && id[1] == '3')
			CHECK(has(r->cause, "queue's own IOMMU context"));
		return;
	}
	CHECK(!quiet);
	if (strcmp(id, "n1a") == 0)
		CHECK(!r->victim_ok && has(r->changed, "queue 2 SQ tail"));
	if (strcmp(id, "n1b") == 0 || strcmp(id, "n1d") == 0)
		CHECK(!r->ctrl_ok && has(r->changed, "invalid doorbell writes"));
	if (strcmp(id, "n1c") == 0)
		CHECK(!r->ctrl_ok && has(r->changed, "admin queue SQ tail"));
	if (strcmp(id, "n2a") == 0)
		CHECK(!r->ctrl_ok && !r->victim_ok && has(r->changed, "CC ") &&
		    has(r->changed, "queue 2 deleted"));
	if (strcmp(id, "n2b") == 0)
		CHECK(has(r->changed, "AQA 0x000f000f->0x00010001"));
	if (strcmp(id, "n2c") == 0)
		CHECK(has(r->changed, "ASQ 0x") && has(r->cause, "capio NVMe"));
	if (strcmp(id, "n3a") == 0)
		CHECK(r->leaked && has(r->leak, "the victim's buffer page, in "
		    "its own namespace"));
	if (strcmp(id, "n3b") == 0)
		CHECK(!r->victim_ok && has(r->changed,
		    "the victim's buffer page overwritten"));
	if (strcmp(id, "n4a") == 0)
		CHECK(r->leaked && has(r->leak, "the victim's namespace data"));
	if (strcmp(id, "n4b") == 0)
		CHECK(!r->victim_ok && has(r->changed,
		    "the victim's namespace blocks overwritten"));
}

static void
test_catalogue(void)
{
	struct natk_opts o = { .iommu = true };
	struct natk_tally t;

	memset(&t, 0, sizeof t);
	CHECK_EQ(nvme_attack_count, sizeof expect / sizeof expect[0]);
	for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
		const struct nvme_attack *a = find(expect[i].id);

		CHECK(a != NULL);
		if (a == NULL)
			continue;
		for (int arm = 0; arm < NARM_COUNT; arm++) {
			struct natk_result r;

			nvme_attack_run(a, arm, &o, &r);
			if (r.outcome != expect[i].o[arm])
				fprintf(stderr, "%s/%s: %s (%s) [%s]\n", a->id,
				    nvme_arm_name(arm),
				    attack_outcome_name(r.outcome), r.cause,
				    r.changed);
			CHECK_EQ(r.outcome, expect[i].o[arm]);
			evidence(a->id, arm, &r);
			/* The catalogue says what stops it; the arms agree. */
			CHECK_EQ(nvme_attack_must_stop(a, arm),
			    expect[i].o[arm] != S);
			natk_tally_add(&t, a, arm, &r);
		}
	}
	CHECK_EQ(t.failures, 0);
	CHECK_EQ(t.unexpected, 0);
	CHECK_EQ(t.errors, 0);
	CHECK(natk_tally_ok(&t));
	CHECK_EQ(t.succeeded[NARM_PAGE], 11);
	CHECK_EQ(t.succeeded[NARM_CAPIO], 4);
	CHECK_EQ(t.succeeded[NARM_ISOLATED], 0);
	CHECK_EQ(t.stopped[NARM_ISOLATED], 12);
}

/* Without an IOMMU the controller's DMA reaches all of RAM: the kernel's
 * secret and the victim's buffer, whatever the arm. */
static void
test_iommu_off(void)
{
	struct natk_opts o = { .iommu = false };
	struct natk_tally t;
	struct natk_result r;

	memset(&t, 0, sizeof t);
	nvme_attack_run(find("n3c"), NARM_CAPIO, &o, &r);
	CHECK_EQ(r.outcome, S);
	CHECK(r.leaked && has(r.leak, "the kernel's secret"));
	natk_tally_add(&t, find("n3c"), NARM_CAPIO, &r);
	nvme_attack_run(find("n3a"), NARM_ISOLATED, &o, &r);
	CHECK_EQ(r.outcome, S);
	CHECK(r.leaked);
	natk_tally_add(&t, find("n3a"), NARM_ISOLATED, &r);
	/* Namespaces are the controller's to check: still refused. */
	nvme_attack_run(find("n4a"), NARM_ISOLATED, &o, &r);
	CHECK_EQ(r.outcome, R);
	natk_tally_add(&t, find("n4a"), NARM_ISOLATED, &r);
	CHECK_EQ(t.failures, 2);
	CHECK(!natk_tally_ok(&t));
}

/* The tally's bookkeeping on made-up results. */
static void
test_tally(void)
{
	struct natk_tally t;
	struct natk_result r;

	memset(&t, 0, sizeof t);
	memset(&r, 0, sizeof r);
	r.ctrl_ok = r.victim_ok = r.kmem_ok = true;
	/* Trapped, but the victim changed: not "stopped". */
	r.outcome = T;
	r.victim_ok = false;
	natk_tally_add(&t, find("n1a"), NARM_CAPIO, &r);
	CHECK_EQ(t.failures, 1);
	CHECK_EQ(t.stopped[NARM_CAPIO], 0);
	/* Stopped where the hardware lets it through: unexpected. */
	r.victim_ok = true;
	r.outcome = R;
	natk_tally_add(&t, find("n4a"), NARM_CAPIO, &r);
	CHECK_EQ(t.unexpected, 1);
	CHECK_EQ(t.failures, 1);
	r.outcome = OUT_ERROR;
	natk_tally_add(&t, find("n4a"), NARM_PAGE, &r);
	CHECK_EQ(t.errors, 1);
	CHECK_EQ(t.nattacks, 2);
	CHECK_EQ(t.outcome[1][NARM_PAGE], OUT_ERROR);
}

int
main(void)
{
	test_catalogue();
	test_iommu_off();
	test_tally();
	return check_done("nvme_attack");
}
