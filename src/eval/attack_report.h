/*
 * attack_report.h — what a run of the attack catalogue concluded (the
 * verdicts per arm) and how `capio attack` shows it: a table, or one
 * JSON document, on stdout.
 */
#ifndef CAPIO_EVAL_ATTACK_REPORT_H
#define CAPIO_EVAL_ATTACK_REPORT_H

#include <stdbool.h>

#include "eval/attack.h"

/* The exfiltration demo's id: what --pcap records. */
#define ATTACK_EXFIL_ID	"11d"

/* Index 0: the page arm, 1: the capio arm. */
struct attack_tally {
	int ran[2];
	int page_succeeded;	/* page arm: attacks that succeeded */
	int capio_stopped;	/* capio arm: trapped or refused, nothing
				   changed */
	int capio_bad;		/* capio arm: succeeded, or changed something */
	int errors;		/* the harness failed */
	struct atk_result exfil[2];
	bool have_exfil[2];
};

/* Count attack A's result R under arm G. */
void attack_tally_add(struct attack_tally *t, const struct attack *a,
    enum grant_arm g, const struct atk_result *r);
/* Nothing got through the capio arm, and the harness never failed. */
bool attack_tally_ok(const struct attack_tally *t);

/* `capio attack --list`: the catalogue. */
void attack_list(bool json);
/* The arms and the table's head (or the document's opening). */
void attack_report_begin(bool json, const struct atk_opts *o);
/* One attack under one arm; PCAP: where its frames were recorded. */
void attack_report_row(bool json, bool first, const struct attack *a,
    enum grant_arm arm, const struct atk_result *r, const char *pcap);
/* The exfiltration and the totals (or the document's summary). */
void attack_report_end(bool json, const struct attack_tally *t,
    const bool arms[2], char *const paths[2]);

#endif
