/* test_clock.c — the machine clock: timers run in deadline order when the
 * owner advances it, re-arming and disarming from callbacks, nothing on a
 * clockless timer. */
#include <stdlib.h>

#include "check.h"
#include "machine/clock.h"

struct probe {
	struct mtimer	 t;
	struct mclock	*c;
	int		 fired;
	int64_t		 at;		/* the clock when it fired */
	int		 order;
	int		*seq;
	int64_t		 rearm;		/* > 0: re-arm this far ahead once */
	struct mtimer	*kill;		/* disarm this one when fired */
};

static void
fire(void *arg)
{
	struct probe *p = arg;

	p->fired++;
	p->at = mclock_now(p->c);
	p->order = ++*p->seq;
	if (p->rearm > 0) {
		int64_t d = p->rearm;

		p->rearm = 0;
		mtimer_mod(&p->t, d);
	}
	if (p->kill != NULL)
		mtimer_del(p->kill);
}

static void
probe_init(struct probe *p, struct mclock *c, int *seq)
{
	*p = (struct probe){ .c = c, .seq = seq };
	mtimer_init(&p->t, c, fire, p);
}

static void
test_order(void)
{
	struct mclock *c = mclock_new();
	struct probe a, b, d;
	int seq = 0;

	CHECK(c != NULL);
	CHECK_EQ(mclock_now(c), 0);
	CHECK_EQ(mclock_deadline(c), (uint64_t)-1);
	probe_init(&a, c, &seq);
	probe_init(&b, c, &seq);
	probe_init(&d, c, &seq);
	mtimer_mod(&a.t, 300);
	mtimer_mod(&b.t, 100);
	mtimer_mod(&d.t, 300);
	CHECK(mtimer_armed(&a.t));
	CHECK_EQ(mclock_deadline(c), 100);
	mclock_advance(c, 99);
	CHECK_EQ(b.fired, 0);
	CHECK_EQ(mclock_now(c), 99);
	mclock_advance(c, 1000);
	CHECK_EQ(b.fired, 1);
	CHECK_EQ(b.at, 100);
	CHECK_EQ(a.at, 300);
	/* Equal deadlines run in the order they were armed. */
	CHECK_EQ(b.order, 1);
	CHECK_EQ(a.order, 2);
	CHECK_EQ(d.order, 3);
	CHECK_EQ(mclock_now(c), 1000);
	CHECK(!mtimer_armed(&a.t));
	/* Never backwards. */
	mclock_advance(c, 10);
	CHECK_EQ(mclock_now(c), 1000);
	mclock_free(c);
}

static void
test_callbacks(void)
{
	struct mclock *c = mclock_new();
	struct probe a, b;
	int seq = 0;

	probe_init(&a, c, &seq);
	probe_init(&b, c, &seq);
	/* A re-arm inside the advance window runs in the same advance. */
	a.rearm = 50;
	mtimer_mod(&a.t, 10);
	mclock_advance(c, 100);
	CHECK_EQ(a.fired, 2);
	CHECK_EQ(a.at, 60);
	/* A callback disarming another timer. */
	a.kill = &b.t;
	mtimer_mod(&a.t, 10);
	mtimer_mod(&b.t, 20);
	mclock_advance(c, 200);
	CHECK_EQ(b.fired, 0);
	/* Re-arming moves, disarming cancels, a zero delay is 1 ns. */
	a.kill = NULL;
	mtimer_mod(&a.t, 0);
	CHECK_EQ(mclock_deadline(c), 201);
	mtimer_mod(&a.t, 500);
	CHECK_EQ(mclock_deadline(c), 700);
	mtimer_del(&a.t);
	CHECK_EQ(mclock_deadline(c), (uint64_t)-1);
	mtimer_del(&a.t);
	/* Freeing the clock leaves its timers disarmed. */
	mtimer_mod(&a.t, 5);
	mclock_free(c);
	CHECK(!mtimer_armed(&a.t));
}

static void
test_no_clock(void)
{
	struct probe a;
	int seq = 0;

	probe_init(&a, NULL, &seq);
	mtimer_mod(&a.t, 10);
	CHECK(!mtimer_armed(&a.t));
	mclock_advance(NULL, 100);
	CHECK_EQ(a.fired, 0);
	CHECK_EQ(mclock_now(NULL), 0);
	mtimer_del(&a.t);
}

int
main(void)
{
	test_order();
	test_callbacks();
	test_no_clock();
	return (check_done("test_clock"));
}
