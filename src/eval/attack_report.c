/*
 * attack_report.c — the verdicts over a run of the catalogue, and the
 * table or JSON document `capio attack` prints (attack_report.h).
 */
#include "eval/attack_report.h"

#include <stdio.h>
#include <string.h>

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

void
attack_list(bool json)
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

void
attack_tally_add(struct attack_tally *t, const struct attack *a,
    enum grant_arm g, const struct atk_result *r)
{
	int arm = g == ARM_PAGE ? 0 : 1;
	bool same = r->dev_ok && r->kmem_ok && r->procs_ok;

	t->ran[arm]++;
	if (r->outcome == OUT_ERROR)
		t->errors++;
	if (g == ARM_CAPIO && (r->outcome == OUT_SUCCEEDED || !same))
		t->capio_bad++;
	if (g == ARM_CAPIO && (r->outcome == OUT_TRAPPED ||
	    r->outcome == OUT_REFUSED) && same)
		t->capio_stopped++;
	if (g == ARM_PAGE && r->outcome == OUT_SUCCEEDED)
		t->page_succeeded++;
	if (a->flags & ATK_EXFIL) {
		t->exfil[arm] = *r;
		t->have_exfil[arm] = true;
	}
}

bool
attack_tally_ok(const struct attack_tally *t)
{
	return t->capio_bad == 0 && t->errors == 0;
}

void
attack_report_begin(bool json, const struct atk_opts *o)
{
	if (json)
		printf("{\"arms\":{\"page\":{\"grant\":\"4 KiB pages\",\"iommu\":%s},"
		    "\"capio\":{\"grant\":\"byte-exact slices\",\"iommu\":%s}},"
		    "\"attacks\":[", o->iommu_page ? "true" : "false",
		    o->iommu_capio ? "true" : "false");
	else {
		printf("capio attack: each attack is its own unprivileged process on a "
		    "fresh machine\n");
		printf("  page arm:  4 KiB pages of BAR0 around each slice, IOMMU %s\n",
		    o->iommu_page ? "on" : "off (DPDK/ixy without an IOMMU)");
		printf("  capio arm: byte-exact slices, IOMMU %s\n",
		    o->iommu_capio ? "on" : "OFF (capabilities alone)");
		printf("  DEVICE, KERNEL, PROCS: NIC 0's configuration, the kernel's "
		    "memory and events,\n  the other processes: \"same\" or "
		    "\"CHANGED\" as the harness found them after the\n  attack "
		    "(LEAKED: the kernel's secret went out on the wire)\n\n");
		printf("%-4s %-20s %-5s  %-7s %-7s %-7s %s\n", "ID", "ATTACK", "ARM",
		    "DEVICE", "KERNEL", "PROCS", "OUTCOME");
	}
	fflush(stdout);
}

void
attack_report_row(bool json, bool first, const struct attack *a,
    enum grant_arm arm, const struct atk_result *r, const char *pcap)
{
	if (json)
		json_row(first, a, arm, r, pcap);
	else
		print_row(a, arm, r);
	fflush(stdout);
}

void
attack_report_end(bool json, const struct attack_tally *t,
    const bool arms[2], char *const paths[2])
{
	if (json) {
		printf("],\"summary\":{\"page_runs\":%d,\"page_succeeded\":%d,"
		    "\"capio_runs\":%d,\"capio_stopped\":%d,\"capio_failures\":%d,"
		    "\"errors\":%d,\"ok\":%s}}\n", t->ran[0], t->page_succeeded, t->ran[1],
		    t->capio_stopped, t->capio_bad, t->errors,
		    t->capio_bad == 0 && t->errors == 0 ? "true" : "false");
	} else {
		if (t->have_exfil[0] || t->have_exfil[1]) {
			printf("\nexfiltration (%s): the kernel keeps a %d-byte secret in "
			    "its private page;\nthe attacker points the TX ring at one of "
			    "its own whose descriptor\naims at the secret\n", ATTACK_EXFIL_ID,
			    ATK_SECRET_LEN);
			for (int arm = 0; arm < 2; arm++) {
				const struct atk_result *r = &t->exfil[arm];

				if (!t->have_exfil[arm])
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
			printf("page arm:  %d of %d attacks succeeded\n", t->page_succeeded,
			    t->ran[0]);
		if (arms[1])
			printf("capio arm: %d of %d attacks trapped or refused with "
			    "nothing changed%s\n", t->capio_stopped, t->ran[1],
			    t->capio_bad == 0 ? "" : " -- FAILED");
		if (t->errors > 0)
			printf("harness t->errors: %d\n", t->errors);
	}
}
