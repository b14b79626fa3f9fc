/*
 * clock.h — a machine's virtual clock and the timers devices arm on it.
 *
 * Time is nanoseconds and moves only when the clock's owner advances it
 * (the qtest server's clock_step and clock_set, as on QEMU's qtest
 * accelerator): nothing here reads the host's time, so a run is the same
 * on a fast machine and a slow one. Advancing runs every timer whose
 * deadline is reached, earliest first, each seeing the clock at its own
 * deadline.
 *
 * A timer is a small struct its device embeds: mtimer_init once, then
 * mtimer_mod to (re)arm and mtimer_del to disarm. A timer on no clock
 * (init with NULL) never fires: its device treats every delay as zero.
 */
#ifndef CAPIO_MACHINE_CLOCK_H
#define CAPIO_MACHINE_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct mclock;

struct mtimer {
	struct mclock	*clk;
	int64_t		 deadline;	/* ns, while armed */
	bool		 armed;
	void		(*fn)(void *arg);
	void		*arg;
	struct mtimer	*next;		/* the clock's list, by deadline */
};

/* A clock at 0 ns with no timers. NULL if out of memory. */
struct mclock *mclock_new(void);
/* Disarms whatever is still armed. NULL is accepted. */
void mclock_free(struct mclock *c);
int64_t mclock_now(const struct mclock *c);
/* The earliest armed deadline, or -1 when no timer is armed. */
int64_t mclock_deadline(const struct mclock *c);
/*
 * Move the clock to TO (never backwards), running the timers whose
 * deadline is at or before TO in deadline order. A callback may arm and
 * disarm timers; one it arms at or before TO runs in the same advance.
 */
void mclock_advance(struct mclock *c, int64_t to);

/* T on clock C (NULL: a clock that never ticks), calling FN(ARG). */
void mtimer_init(struct mtimer *t, struct mclock *c, void (*fn)(void *),
    void *arg);
/* Arm T for DELAY ns from now (re-arming moves it); a delay below 1 ns
 * is 1 ns, so a timer never fires inside the call that arms it. */
void mtimer_mod(struct mtimer *t, int64_t delay);
void mtimer_del(struct mtimer *t);
bool mtimer_armed(const struct mtimer *t);

#endif
