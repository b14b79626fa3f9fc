/*
 * cmd_cap.c — `capio cap`: the capability rules from the command line,
 * one JSON object per answer, so that an independent Morello reference
 * can check them input by input (--batch reads many inputs at once).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cli.h"
#include "cap/cap.h"

#define USAGE "capio cap {decode PESBT CURSOR [--untagged] | setbounds " \
	"PESBT CURSOR LENGTH [--exact] | root | replen LENGTH} [--batch]"

#define MAX_WORDS 8

struct cap_args {
	const char *words[MAX_WORDS];	/* positional words */
	int nwords;
	bool untagged, exact;
};

/* All numbers here are bit patterns: hexadecimal, 0x optional. */
static bool
parse_hex65(const char *s, cap_len_t *out)
{
	char buf[64];

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return cli_parse_u65(s, out);
	if (strlen(s) > 40)
		return false;
	snprintf(buf, sizeof buf, "0x%s", s);
	return cli_parse_u65(buf, out);
}

static bool
parse_hex64(const char *s, uint64_t *out)
{
	cap_len_t v;

	if (!parse_hex65(s, &v) || v > UINT64_MAX)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* Minimal 0x-prefixed hex of a value up to 65 bits. */
static const char *
hex(cap_len_t v, char *buf)
{
	if (v >> 64)
		snprintf(buf, 40, "0x%x%016llx", (unsigned)(v >> 64),
		    (unsigned long long)(uint64_t)v);
	else
		snprintf(buf, 40, "0x%llx", (unsigned long long)(uint64_t)v);
	return buf;
}

static void
print_decoded(cap_t c, bool with_bits)
{
	char b[6][40];

	printf("{\"tag\":%s,\"address\":\"%s\",\"base\":\"%s\",\"top\":\"%s\","
	    "\"length\":\"%s\",\"perms\":\"%s\",\"otype\":\"%s\",\"sealed\":%s",
	    c.tag ? "true" : "false", hex(c.cursor, b[0]), hex(c.base, b[1]),
	    hex(c.top, b[2]), hex(cap_length65(c), b[3]),
	    hex(cheri_perms_get(c), b[4]), hex(cheri_type_get(c), b[5]),
	    cheri_is_sealed(c) ? "true" : "false");
	if (with_bits)
		printf(",\"pesbt\":\"%s\",\"cursor\":\"%s\"", hex(c.pesbt, b[0]),
		    hex(c.cursor, b[1]));
	printf("}\n");
}

/* Run one request; on bad input, fill err and return false. */
static bool
run_one(const char *op, const struct cap_args *a, char *err, size_t errlen)
{
	uint64_t pesbt, cursor, len64;
	cap_len_t len;
	char b[5][40];

	if (a->untagged && strcmp(op, "decode") != 0) {
		snprintf(err, errlen, "--untagged applies to decode only");
		return false;
	}
	if (a->exact && strcmp(op, "setbounds") != 0) {
		snprintf(err, errlen, "--exact applies to setbounds only");
		return false;
	}
	if (strcmp(op, "root") == 0) {
		if (a->nwords != 0) {
			snprintf(err, errlen, "takes no arguments");
			return false;
		}
		print_decoded(cap_root(), true);
	} else if (strcmp(op, "decode") == 0) {
		if (a->nwords != 2) {
			snprintf(err, errlen, "needs PESBT CURSOR");
			return false;
		}
		if (!parse_hex64(a->words[0], &pesbt) ||
		    !parse_hex64(a->words[1], &cursor)) {
			snprintf(err, errlen, "bad 64-bit hex value in '%s %s'",
			    a->words[0], a->words[1]);
			return false;
		}
		print_decoded(cap_from_mem(pesbt, cursor, !a->untagged), false);
	} else if (strcmp(op, "setbounds") == 0) {
		bool exact;
		cap_t c;

		if (a->nwords != 3) {
			snprintf(err, errlen, "needs PESBT CURSOR LENGTH");
			return false;
		}
		if (!parse_hex64(a->words[0], &pesbt) ||
		    !parse_hex64(a->words[1], &cursor) ||
		    !parse_hex65(a->words[2], &len)) {
			snprintf(err, errlen, "bad hex value in '%s %s %s' "
			    "(LENGTH is at most 0x10000000000000000)",
			    a->words[0], a->words[1], a->words[2]);
			return false;
		}
		c = cap_setbounds(cap_from_mem(pesbt, cursor, true), len, &exact);
		if (a->exact && !exact)
			c = cheri_tag_clear(c);
		printf("{\"pesbt\":\"%s\",\"cursor\":\"%s\",\"tag\":%s,"
		    "\"base\":\"%s\",\"top\":\"%s\",\"exact\":%s}\n",
		    hex(c.pesbt, b[0]), hex(c.cursor, b[1]),
		    c.tag ? "true" : "false", hex(c.base, b[2]), hex(c.top, b[3]),
		    exact ? "true" : "false");
	} else if (strcmp(op, "replen") == 0) {
		if (a->nwords != 1) {
			snprintf(err, errlen, "needs LENGTH");
			return false;
		}
		if (!parse_hex64(a->words[0], &len64)) {
			snprintf(err, errlen, "bad 64-bit hex length '%s'", a->words[0]);
			return false;
		}
		printf("{\"length\":\"%s\",\"representable_length\":\"%s\","
		    "\"alignment_mask\":\"%s\"}\n", hex(len64, b[0]),
		    hex(cheri_representable_length(len64), b[1]),
		    hex(cheri_representable_alignment_mask(len64), b[2]));
	} else {
		snprintf(err, errlen, "unknown cap operation '%s'", op);
		return false;
	}
	return true;
}

/* Split words into positional arguments and flags. */
static bool
collect(struct cap_args *a, char **w, int n, bool *batch, char *err,
    size_t errlen)
{
	memset(a, 0, sizeof *a);
	for (int i = 0; i < n; i++) {
		if (strcmp(w[i], "--untagged") == 0)
			a->untagged = true;
		else if (strcmp(w[i], "--exact") == 0)
			a->exact = true;
		else if (strcmp(w[i], "--batch") == 0 && batch != NULL)
			*batch = true;
		else if (w[i][0] == '-' && w[i][1] == '-') {
			snprintf(err, errlen, "unknown option '%s'", w[i]);
			return false;
		} else if (i > 0 && cli_split_value(w[i])) {
			snprintf(err, errlen, "%s takes no value", w[i - 1]);
			return false;
		} else if (a->nwords == MAX_WORDS) {
			snprintf(err, errlen, "too many arguments");
			return false;
		} else
			a->words[a->nwords++] = w[i];
	}
	return true;
}

static int
run_batch(const char *op, const struct cap_args *flags)
{
	char line[512], err[256], *w[MAX_WORDS + 1];
	unsigned long lineno = 0, bad = 0;

	while (fgets(line, sizeof line, stdin) != NULL) {
		struct cap_args a;
		int n = 0;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(stdin)) {
			int ch;
			while ((ch = getchar()) != EOF && ch != '\n')
				;
			snprintf(err, sizeof err, "line too long");
			goto badline;
		}
		for (char *t = strtok(line, " \t\r\n"); t != NULL;
		    t = strtok(NULL, " \t\r\n")) {
			if (n == MAX_WORDS + 1)
				break;
			w[n++] = t;
		}
		if (n == 0 && strcmp(op, "root") != 0)
			continue;	/* blank line */
		if (!collect(&a, w, n, NULL, err, sizeof err))
			goto badline;
		a.untagged |= flags->untagged;
		a.exact |= flags->exact;
		if (run_one(op, &a, err, sizeof err))
			continue;
badline:
		bad++;
		printf("{\"error\":\"line %lu: %s\"}\n", lineno, err);
		fprintf(stderr, "capio cap %s: line %lu: %s\n", op, lineno, err);
	}
	fflush(stdout);
	return bad ? 1 : 0;
}

static bool
known_op(const char *op)
{
	return strcmp(op, "decode") == 0 || strcmp(op, "setbounds") == 0 ||
	    strcmp(op, "root") == 0 || strcmp(op, "replen") == 0;
}

int
cmd_cap(int argc, char **argv)
{
	struct cli_args ca = { "cap", USAGE, argc, argv, 0 };
	struct cap_args a;
	bool batch = false;
	char err[256], name[32];

	if (cli_wants_help(argc, argv)) {
		printf("usage: %s\n\n"
		    "Morello 128-bit capabilities. PESBT is the high 64 bits of the\n"
		    "in-memory form (permissions, object type, bounds), CURSOR the\n"
		    "low 64 (the address). All numbers are hexadecimal, 0x optional.\n"
		    "Each answer is one JSON object on one line.\n\n"
		    "  decode     decode bounds, permissions, object type\n"
		    "             (--untagged: the input's tag is clear)\n"
		    "  setbounds  set bounds [CURSOR, CURSOR+LENGTH) on a tagged input;\n"
		    "             --exact clears the tag when rounding was needed\n"
		    "  root       the root (almighty) capability\n"
		    "  replen     representable length and alignment mask\n"
		    "  --batch    read one input per line (the same words) from stdin\n\n"
		    "--untagged and --exact belong to their operation; any other is\n"
		    "refused.\n\n"
		    "Exit status: 0; 1 with --batch when a line was bad (its answer is\n"
		    "{\"error\":\"line N: ...\"}); 2 for a bad argument.\n\n"
		    "example: capio cap setbounds ffffc00000010005 0x1000 0x10\n",
		    USAGE);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-')
		return cli_fail(&ca, "missing operation (decode, setbounds, root "
		    "or replen)");
	if (!known_op(argv[1]))
		return cli_fail(&ca, "unknown operation '%s' (decode, setbounds, "
		    "root or replen)", argv[1]);
	/* Messages name the operation: "capio cap decode: ...". */
	snprintf(name, sizeof name, "cap %s", argv[1]);
	ca.cmd = name;
	if (!collect(&a, argv + 2, argc - 2, &batch, err, sizeof err))
		return cli_fail(&ca, "%s", err);
	if (batch) {
		if (a.nwords != 0)
			return cli_fail(&ca, "--batch reads its inputs from stdin, "
			    "not from the command line");
		if (a.untagged && strcmp(argv[1], "decode") != 0)
			return cli_fail(&ca, "--untagged applies to decode only");
		if (a.exact && strcmp(argv[1], "setbounds") != 0)
			return cli_fail(&ca, "--exact applies to setbounds only");
		return run_batch(argv[1], &a);
	}
	if (!run_one(argv[1], &a, err, sizeof err))
		return cli_fail(&ca, "%s", err);
	return 0;
}
