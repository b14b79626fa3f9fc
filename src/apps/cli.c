/* cli.c — see cli.h. */
#include "apps/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/* The values cli_split_equals split off: "--json=1" is a flag with a value. */
static char **split_values;
static size_t nsplit;

char **
cli_split_equals(int *argc, char **argv)
{
	size_t room = 2 * (size_t)*argc + 1;
	char **av = malloc(sizeof *av * (room + (size_t)*argc));
	int n = 0;

	if (av == NULL)
		return NULL;
	split_values = av + room;
	nsplit = 0;
	for (int i = 0; i < *argc; i++) {
		char *eq = strchr(argv[i], '=');

		av[n++] = argv[i];
		if (i > 0 && strncmp(argv[i], "--", 2) == 0 && eq != NULL &&
		    eq > argv[i] + 2) {
			*eq = '\0';
			av[n++] = split_values[nsplit++] = eq + 1;
		}
	}
	av[n] = NULL;
	*argc = n;
	return av;
}

void
cli_split_free(char **av)
{
	free(av);
	split_values = NULL;
	nsplit = 0;
}

bool
cli_split_value(const char *arg)
{
	for (size_t k = 0; k < nsplit; k++)
		if (split_values[k] == arg)
			return true;
	return false;
}

int
cli_unknown(const struct cli_args *a)
{
	const char *arg = a->argv[a->i];

	if (a->i > 0 && cli_split_value(arg))
		return cli_fail(a, "%s takes no value", a->argv[a->i - 1]);
	if (arg[0] == '-')
		return cli_fail(a, "unknown option '%s'", arg);
	return cli_fail(a, "unknown argument '%s'", arg);
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

bool
cli_list_has(const char *list, bool (*match)(const char *, const void *),
    const void *arg)
{
	char buf[512], *save = NULL;

	snprintf(buf, sizeof buf, "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",",
	    &save))
		if (match(t, arg))
			return true;
	return false;
}

const char *
cli_list_unknown(const char *list, bool (*known)(const char *), char *buf,
    size_t n)
{
	char *rest = buf, *t;

	snprintf(buf, n, "%s", list);
	while ((t = strsep(&rest, ",")) != NULL)
		if (!known(t))
			return t;
	return NULL;
}
