/* trap.c — see trap.h. */
#include "machine/trap.h"

#include <errno.h>

/* Per host thread, as a core's vector base register is per core. */
static _Thread_local trap_vector_fn vector;

trap_vector_fn
trap_vector_set(trap_vector_fn v)
{
	trap_vector_fn old = vector;

	vector = v;
	return old;
}

int64_t
svc(struct trapframe *tf)
{
	trap_vector_fn v = vector;

	if (v == NULL)
		tf->x[0] = (uint64_t)(int64_t)-EPERM;
	else
		v(tf);
	return (int64_t)tf->x[0];
}
