/*
 * growbuf.h — a growable, always NUL-terminated byte buffer for tests
 * that collect a server's answers (test_memcached, test_memcached_ref).
 */
#ifndef CAPIO_TESTS_GROWBUF_H
#define CAPIO_TESTS_GROWBUF_H

#include <stdlib.h>
#include <string.h>

struct buf {
	char *p;
	size_t len, cap;
};

/* Append n bytes of p; aborts when out of memory (a test harness). */
static inline void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;

		while (cap < b->len + n + 1)
			cap *= 2;
		if ((b->p = realloc(b->p, cap)) == NULL)
			abort();
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

#endif
