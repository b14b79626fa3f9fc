/*
 * memcached_num.c — memcached's number parsing (util.c's safe_strto*),
 * redone over an explicit length so item values, which have no NUL,
 * can be read in place. Base 10, C locale, as glibc's strtoull/strtol.
 */
#include "user/memcached_store.h"

struct num {
	uint64_t mag;		/* magnitude, saturated */
	bool neg;		/* a '-' sign was taken */
	bool range;		/* ERANGE for strtoull */
	size_t end;		/* index of the first byte not taken */
	bool digits;		/* at least one digit */
};

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\v' ||
	    ch == '\f' || ch == '\r';
}

static void
scan(const char *p, size_t len, struct num *n)
{
	size_t i = 0, d;

	n->mag = 0;
	n->neg = n->range = false;
	while (i < len && p[i] != '\0' && is_space(p[i]))
		i++;
	if (i < len && (p[i] == '+' || p[i] == '-'))
		n->neg = p[i++] == '-';
	for (d = i; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		uint64_t dig = (uint64_t)(p[i] - '0');

		if (n->mag > (UINT64_MAX - dig) / 10) {
			n->range = true;
			n->mag = UINT64_MAX;
		} else if (!n->range)
			n->mag = n->mag * 10 + dig;
	}
	n->digits = i > d;
	n->end = i;
}

/* The number ends the text, or white space follows it. */
static bool
ends_well(const char *p, size_t len, const struct num *n)
{
	return n->end == len || p[n->end] == '\0' || is_space(p[n->end]);
}

bool
mc_parse_u64(const char *p, size_t len, uint64_t *out)
{
	struct num n;
	uint64_t v;

	*out = 0;
	scan(p, len, &n);
	if (!n.digits || n.range || !ends_well(p, len, &n))
		return false;
	v = n.neg ? -n.mag : n.mag;
	/* strtoull takes "-5" as 2^64-5; memcached refuses that. */
	if ((int64_t)v < 0 && n.neg)
		return false;
	*out = v;
	return true;
}

bool
mc_parse_u32(const char *p, uint32_t *out)
{
	uint64_t v;

	*out = 0;
	if (!mc_parse_u64(p, SIZE_MAX, &v))
		return false;
	/* unsigned long is 64 bits: memcached keeps the low 32. */
	*out = (uint32_t)v;
	return true;
}

bool
mc_parse_i32(const char *p, int32_t *out)
{
	struct num n;
	uint64_t v;

	*out = 0;
	scan(p, SIZE_MAX, &n);
	if (!n.digits || n.range || !ends_well(p, SIZE_MAX, &n))
		return false;
	/* strtol's range is that of a 64-bit long. */
	if ((!n.neg && n.mag > (uint64_t)INT64_MAX) ||
	    (n.neg && n.mag > (uint64_t)INT64_MAX + 1))
		return false;
	v = n.neg ? -n.mag : n.mag;
	/* Then memcached stores the long into an int32_t. */
	*out = (int32_t)(uint32_t)v;
	return true;
}
