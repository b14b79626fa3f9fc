/* cli.c — see cli.h. */
#include "apps/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
vusage_error(const char *usage, const char *cmd, const char *fmt, va_list ap)
{
	if (cmd != NULL)
		fprintf(stderr, "capio %s: ", cmd);
	else
		fputs("capio: ", stderr);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nusage: %s\n", usage);
	return EXIT_USAGE;
}

int
cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vusage_error(usage, NULL, fmt, ap);
	va_end(ap);
	return rc;
}

int
cli_fail(const struct cli_args *a, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vusage_error(a->usage, a->cmd, fmt, ap);
	va_end(ap);
	return rc;
}

char *
cli_value(struct cli_args *a)
{
	const char *opt = a->argv[a->i];
	char *v = a->i + 1 < a->argc ? a->argv[a->i + 1] : NULL;

	/* "--pcap --quiet" forgot the file: do not write one named --quiet. */
	if (v == NULL || v[0] == '\0' || strncmp(v, "--", 2) == 0) {
		cli_fail(a, "%s needs a value", opt);
		return NULL;
	}
	a->i++;
	return v;
}

bool
cli_number(struct cli_args *a, uint64_t min, uint64_t max, uint64_t *out)
{
	const char *opt = a->argv[a->i], *v;

	if ((v = cli_value(a)) == NULL)
		return false;
	if (!cli_parse_u64(v, out) || *out < min || *out > max) {
		cli_fail(a, "%s must be %llu..%llu, not '%s'", opt,
		    (unsigned long long)min, (unsigned long long)max, v);
		return false;
	}
	return true;
}

bool
cli_parse_u65(const char *s, unsigned __int128 *out)
{
	unsigned __int128 v = 0, lim = (unsigned __int128)1 << 64;
	unsigned base = 10;

	if (s == NULL || *s == '\0')
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (*s == '\0')
			return false;
	}
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		v = v * base + d;
		if (v > lim)
			return false;
	}
	*out = v;
	return true;
}

bool
cli_parse_u64(const char *s, uint64_t *out)
{
	unsigned __int128 v;

	if (!cli_parse_u65(s, &v) || v > UINT64_MAX)
		return false;
	*out = (uint64_t)v;
	return true;
}

bool
cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

bool
cli_is_tty(void)
{
	return isatty(STDOUT_FILENO) == 1;
}
