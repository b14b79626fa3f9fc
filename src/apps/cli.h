/*
 * cli.h — what every `capio` subcommand shares: the command table, the
 * one-line error + usage convention (exit 2), and number parsing.
 */
#ifndef CAPIO_APPS_CLI_H
#define CAPIO_APPS_CLI_H

#include <stdbool.h>
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

/* Print "capio CMD: MSG" and the command's usage line to stderr; returns 2. */
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

#endif
