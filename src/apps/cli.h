/*
 * cli.h — what every `capio` subcommand shares: the command table, the
 * one-line error + usage convention (exit 2), option values and number
 * parsing.
 */
#ifndef CAPIO_APPS_CLI_H
#define CAPIO_APPS_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXIT_USAGE 2

struct cli_cmd {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);	/* argv[0] is the command name */
};

/* Subcommands (one file each: cmd_<name>.c). */
int cmd_cap(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_qtest(int argc, char **argv);
int cmd_attack(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* Print "capio: MSG" and the usage line to stderr; returns 2. */
int cli_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Parse an unsigned number (decimal or 0x-hex), whole string; false if bad. */
bool cli_parse_u64(const char *s, uint64_t *out);
/* Same, up to 2^64 inclusive (for lengths and tops). */
bool cli_parse_u65(const char *s, unsigned __int128 *out);
/* True if argv[i] is -h or --help somewhere in argv[1..argc-1]. */
bool cli_wants_help(int argc, char **argv);
/* True when stdout is a terminal (progress output allowed). */
bool cli_is_tty(void);

/*
 * A subcommand's walk over its arguments, so that every message says
 * "capio CMD: ..." and ends with the usage line. `capio` has already
 * split "--opt=value" into "--opt" "value" (capio.c).
 */
struct cli_args {
	const char *cmd;	/* "run", "cap setbounds": what messages name */
	const char *usage;
	int argc;
	char **argv;
	int i;			/* the argument being looked at */
};

/*
 * ARGV with every "--name=value" (a name of one character or more) split
 * into "--name" "value", in place; *ARGC becomes the new count. NULL if
 * out of memory. Free the result with cli_split_free.
 */
char **cli_split_equals(int *argc, char **argv);
void cli_split_free(char **av);
/* True if ARG is a value cli_split_equals split off an option. */
bool cli_split_value(const char *arg);

/*
 * A comma list of names, as --only takes them. cli_list_has: some item
 * of LIST is one that MATCH(item, ARG) accepts. cli_list_unknown: NULL
 * when KNOWN(item) holds for every item (an empty one included), else
 * the first that is not, copied into BUF (N bytes).
 */
bool cli_list_has(const char *list,
    bool (*match)(const char *item, const void *arg), const void *arg);
const char *cli_list_unknown(const char *list, bool (*known)(const char *item),
    char *buf, size_t n);

/* Print "capio CMD: MSG" and the usage line to stderr; returns 2. */
int cli_fail(const struct cli_args *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * The value of option argv[i]: advances i to it. NULL, with "OPT needs a
 * value" printed, when argv ends there or the next word is empty or
 * another option ("--..."); the caller returns EXIT_USAGE.
 */
char *cli_value(struct cli_args *a);
/*
 * The value of option argv[i] as a number in [MIN, MAX] (decimal or
 * 0x-hex): false, with "OPT needs a value" or "OPT must be MIN..MAX, not
 * 'V'" printed, if it is not one; the caller returns EXIT_USAGE.
 */
bool cli_number(struct cli_args *a, uint64_t min, uint64_t max,
    uint64_t *out);
/*
 * Refuse argv[i], which no option of the command takes: "unknown option
 * '--x'" or "unknown argument 'x'", or, when it came from "--flag=x",
 * "--flag takes no value". Returns 2.
 */
int cli_unknown(const struct cli_args *a);

#endif
