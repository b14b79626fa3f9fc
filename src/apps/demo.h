/*
 * demo.h — the two demonstrations behind `capio demo`.
 */
#ifndef CAPIO_APPS_DEMO_H
#define CAPIO_APPS_DEMO_H

/* The machine alone: a slice, a load, a trapping store. Exit status. */
int demo_machine(void);

#endif
