/* clock.c — see clock.h. */
#include "machine/clock.h"

#include <stdlib.h>

struct mclock {
	int64_t		 now;
	struct mtimer	*head;		/* armed timers, earliest first */
};

struct mclock *
mclock_new(void)
{
	return calloc(1, sizeof(struct mclock));
}

void
mclock_free(struct mclock *c)
{
	struct mtimer *t, *n;

	if (c == NULL)
		return;
	for (t = c->head; t != NULL; t = n) {
		n = t->next;
		t->armed = false;
		t->next = NULL;
	}
	free(c);
}

int64_t
mclock_now(const struct mclock *c)
{
	return c == NULL ? 0 : c->now;
}

int64_t
mclock_deadline(const struct mclock *c)
{
	return c == NULL || c->head == NULL ? -1 : c->head->deadline;
}

static void
unlink_timer(struct mtimer *t)
{
	struct mtimer **p;

	for (p = &t->clk->head; *p != NULL; p = &(*p)->next)
		if (*p == t) {
			*p = t->next;
			break;
		}
	t->next = NULL;
	t->armed = false;
}

void
mclock_advance(struct mclock *c, int64_t to)
{
	struct mtimer *t;

	if (c == NULL)
		return;
	while ((t = c->head) != NULL && t->deadline <= to) {
		c->head = t->next;
		t->next = NULL;
		t->armed = false;
		if (t->deadline > c->now)
			c->now = t->deadline;
		t->fn(t->arg);
	}
	if (to > c->now)
		c->now = to;
}

void
mtimer_init(struct mtimer *t, struct mclock *c, void (*fn)(void *),
    void *arg)
{
	t->clk = c;
	t->deadline = 0;
	t->armed = false;
	t->fn = fn;
	t->arg = arg;
	t->next = NULL;
}

void
mtimer_mod(struct mtimer *t, int64_t delay)
{
	struct mtimer **p;

	if (t->clk == NULL)
		return;
	if (t->armed)
		unlink_timer(t);
	if (delay < 1)
		delay = 1;
	t->deadline = t->clk->now > INT64_MAX - delay ? INT64_MAX :
	    t->clk->now + delay;
	/* After every timer due no later: equal deadlines run in the
	 * order they were armed. */
	for (p = &t->clk->head; *p != NULL && (*p)->deadline <= t->deadline;
	    p = &(*p)->next)
		;
	t->next = *p;
	*p = t;
	t->armed = true;
}

void
mtimer_del(struct mtimer *t)
{
	if (t->clk != NULL && t->armed)
		unlink_timer(t);
}

bool
mtimer_armed(const struct mtimer *t)
{
	return t->armed;
}
