/* check.c — see check.h. */
#include "check.h"

#include <stdlib.h>

int check_failures;
int check_count;
static int check_skips;
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

void
check_fail(const char *file, int line, const char *what)
{
	check_failures++;
	if (check_failures <= 50)
		fprintf(stderr, "%s:%d: FAILED: %s\n", file, line, what);
}

void
check_skip(const char *why)
{
	check_skips++;
	printf("SKIPPED: %s\n", why);
}

int
check_done(const char *suite)
{
	printf("%s: %d checks, %d failed", suite, check_count, check_failures);
	if (check_skips > 0)
		printf(", %d skipped (see SKIPPED above)", check_skips);
	printf("\n");
	if (check_failures)
		return 1;
	return check_skips ? 77 : 0;	/* CTest's SKIP_RETURN_CODE */
}

void
check_seed(uint64_t seed)
{
	rng_state = seed;
}

uint64_t
check_rand(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}
