/* cli.c — see cli.h. */
#include "apps/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("capio: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", usage);
	return EXIT_USAGE;
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
