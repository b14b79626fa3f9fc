/*
 * test_eval_attack.c — catalogue entries through the harness on both
 * arms (eval/attack.h), and the verdicts counted over them
 * (eval/attack_report.h): the page arm lets TDT-to-TDBAL through and
 * the NIC's TDBAL changes; the capio arm traps it, nothing changed.
 */
#include <string.h>

#include "check.h"
#include "eval/attack.h"
#include "eval/attack_report.h"

static const struct attack *
find(const char *name)
{
	for (size_t i = 0; i < attack_count; i++)
		if (strcmp(attack_catalogue[i].name, name) == 0 ||
		    strcmp(attack_catalogue[i].id, name) == 0)
			return &attack_catalogue[i];
	return NULL;
}

static void
test_tdbal(struct attack_tally *t, const struct atk_opts *o)
{
	const struct attack *a = find("tdt-tdbal");
	struct atk_result r;

	CHECK(a != NULL);
	if (a == NULL)
		return;
	attack_run(a, ARM_PAGE, o, &r);
	attack_tally_add(t, a, ARM_PAGE, &r);
	CHECK_EQ(r.outcome, OUT_SUCCEEDED);
	CHECK(!r.dev_ok);
	CHECK(strstr(r.changed, "TDBAL") != NULL);
	CHECK(r.kmem_ok && r.procs_ok);

	attack_run(a, ARM_CAPIO, o, &r);
	attack_tally_add(t, a, ARM_CAPIO, &r);
	CHECK_EQ(r.outcome, OUT_TRAPPED);
	CHECK(strstr(r.cause, "bounds") != NULL &&
	    strstr(r.cause, "TDBAL") != NULL);
	CHECK(r.dev_ok && r.kmem_ok && r.procs_ok);
	CHECK(r.changed[0] == '\0');
}

/* The exfiltration: the kernel's secret on the page arm's wire only. */
static void
test_exfil(struct attack_tally *t, const struct atk_opts *o)
{
	const struct attack *a = find(ATTACK_EXFIL_ID);
	struct atk_result r;

	CHECK(a != NULL && (a->flags & ATK_EXFIL));
	if (a == NULL)
		return;
	attack_run(a, ARM_PAGE, o, &r);
	attack_tally_add(t, a, ARM_PAGE, &r);
	CHECK_EQ(r.outcome, OUT_SUCCEEDED);
	CHECK(r.leaked && r.leak_len > 0 &&
	    memcmp(r.leak, attack_secret, r.leak_len) == 0);
	attack_run(a, ARM_CAPIO, o, &r);
	attack_tally_add(t, a, ARM_CAPIO, &r);
	CHECK(r.outcome == OUT_TRAPPED || r.outcome == OUT_REFUSED);
	CHECK(!r.leaked);
	CHECK(r.dev_ok && r.kmem_ok && r.procs_ok);
}

/* The tally counts a capio-arm success, or a change, as a failure. */
static void
test_tally(void)
{
	struct attack_tally t = { 0 };
	const struct attack *a = &attack_catalogue[0];
	struct atk_result r = { .outcome = OUT_TRAPPED, .dev_ok = true,
	    .kmem_ok = true, .procs_ok = true };

	attack_tally_add(&t, a, ARM_CAPIO, &r);
	CHECK(attack_tally_ok(&t));
	CHECK_EQ(t.capio_stopped, 1);
	r.dev_ok = false;
	attack_tally_add(&t, a, ARM_CAPIO, &r);
	CHECK(!attack_tally_ok(&t));
	CHECK_EQ(t.capio_bad, 1);
	CHECK_EQ(t.capio_stopped, 1);
	t = (struct attack_tally){ 0 };
	r.outcome = OUT_ERROR;
	attack_tally_add(&t, a, ARM_PAGE, &r);
	CHECK(!attack_tally_ok(&t));
	CHECK_EQ(t.errors, 1);
	CHECK_EQ(t.page_succeeded, 0);
}

int
main(void)
{
	struct atk_opts o = { .iommu_page = false, .iommu_capio = true };
	struct attack_tally t = { 0 };

	test_tdbal(&t, &o);
	test_exfil(&t, &o);
	CHECK_EQ(t.ran[0], 2);
	CHECK_EQ(t.ran[1], 2);
	CHECK_EQ(t.page_succeeded, 2);
	CHECK_EQ(t.capio_stopped, 2);
	CHECK(attack_tally_ok(&t));
	CHECK(t.have_exfil[0] && t.exfil[0].leaked);
	test_tally();
	return check_done("eval_attack");
}
