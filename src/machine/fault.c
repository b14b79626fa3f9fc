/* fault.c — see fault.h. */
#include "machine/fault.h"

#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "machine/context.h"

static const struct {
	const char *name;
	const char *id;
} causes[FAULT_NCAUSES] = {
	[FAULT_NONE] =		{ "none", "none" },
	[FAULT_TAG] =		{ "tag", "tag" },
	[FAULT_SEAL] =		{ "seal", "seal" },
	[FAULT_PERM_LOAD] =	{ "permission", "perm_load" },
	[FAULT_PERM_STORE] =	{ "permission", "perm_store" },
	[FAULT_PERM_STORE_CAP] = { "permission", "perm_store_cap" },
	[FAULT_PERM_STORE_LOCAL_CAP] = { "permission",
	    "perm_store_local_cap" },
	[FAULT_BOUNDS] =	{ "bounds", "bounds" },
	[FAULT_ALIGNMENT] =	{ "alignment", "alignment" },
	[FAULT_PAGE_UNMAPPED] =	{ "page", "page_unmapped" },
	[FAULT_PAGE_PERM] =	{ "page", "page_perm" },
	[FAULT_CAP_TO_DEVICE] =	{ "device", "cap_to_device" },
	[FAULT_BUS] =		{ "bus", "bus" },
	[FAULT_HOST_SIGNAL] =	{ "host signal", "host_signal" },
	[FAULT_SLICE] =		{ "watchdog", "slice" },
};

const char *
fault_cause_name(enum fault_cause c)
{
	return (unsigned)c < FAULT_NCAUSES ? causes[c].name : "?";
}

const char *
fault_cause_id(enum fault_cause c)
{
	return (unsigned)c < FAULT_NCAUSES ? causes[c].id : "?";
}

const char *
fault_op_name(enum fault_op op)
{
	switch (op) {
	case FAULT_OP_LOAD:	return "load";
	case FAULT_OP_STORE:	return "store";
	case FAULT_OP_LOAD_CAP:	return "capability load";
	case FAULT_OP_STORE_CAP: return "capability store";
	case FAULT_OP_COPYIN:	return "copy in";
	case FAULT_OP_COPYOUT:	return "copy out";
	}
	return "?";
}

/* snprintf that appends at *len and keeps counting past the end. */
static void
put(char *buf, size_t n, int *len, const char *fmt, ...)
{
	va_list ap;
	int r;
	size_t at = (size_t)*len;

	va_start(ap, fmt);
	r = vsnprintf(at < n ? buf + at : NULL, at < n ? n - at : 0, fmt, ap);
	va_end(ap);
	if (r > 0)
		*len += r;
}

static void
put_target(const struct fault *f, char *buf, size_t n, int *len)
{
	if (f->mapped && f->reg != NULL && f->region != NULL) {
		put(buf, n, len, "%s+0x%" PRIx64, f->region, f->offset);
		if (f->reg[0] != '\0')
			put(buf, n, len, " (%s)", f->reg);
	} else
		put(buf, n, len, "va 0x%" PRIx64, f->vaddr);
}

const char *
fault_signal_name(int signo)
{
	switch (signo) {
	case SIGABRT:	return "SIGABRT";
	case SIGBUS:	return "SIGBUS";
	case SIGFPE:	return "SIGFPE";
	case SIGILL:	return "SIGILL";
	case SIGSEGV:	return "SIGSEGV";
	case SIGTRAP:	return "SIGTRAP";
	case SIGSYS:	return "SIGSYS";
	}
	return "SIG?";
}

/* What si_code adds, for the signals contexts are stopped by. */
static const char *
signal_detail(int signo, int code)
{
	switch (signo) {
	case SIGSEGV:
		if (code == SEGV_MAPERR)
			return "nothing mapped there";
		if (code == SEGV_ACCERR)
			return "mapped, access refused";
		break;
	case SIGBUS:
		if (code == BUS_ADRALN)
			return "misaligned";
		if (code == BUS_ADRERR)
			return "no such physical address";
		if (code == BUS_OBJERR)
			return "object error";
		break;
	case SIGFPE:
		if (code == FPE_INTDIV)
			return "integer divide by zero";
		if (code == FPE_INTOVF)
			return "integer overflow";
		if (code == FPE_FLTDIV)
			return "floating-point divide by zero";
		return "arithmetic";
	case SIGILL:
		return "illegal instruction: a compiler trap?";
	}
	return NULL;
}

static void
put_host_signal(const struct fault *f, char *buf, size_t n, int *len)
{
	const char *d = signal_detail(f->signo, f->si_code);

	if (f->stack_overflow) {
		put(buf, n, len, "stack overflow (host fault at 0x%" PRIx64
		    " in the guard below the process's stack)", f->host_addr);
		return;
	}
	if (f->signo == SIGABRT) {
		put(buf, n, len, "host signal in process code (abort: an "
		    "assertion in a library it runs?)");
		return;
	}
	if (f->si_code <= 0) {	/* raise(), kill(): no faulting address */
		put(buf, n, len, "host signal in process code");
		return;
	}
	put(buf, n, len, "host fault at 0x%" PRIx64 " in process code",
	    f->host_addr);
	if (d != NULL)
		put(buf, n, len, " (%s)", d);
}

int
fault_format(const struct fault *f, char *buf, size_t n)
{
	int len = 0;

	if (n > 0)
		buf[0] = '\0';
	if (f->cause == FAULT_HOST_SIGNAL) {
		put_host_signal(f, buf, n, &len);
		return len;
	}
	if (f->cause == FAULT_SLICE) {
		put(buf, n, &len, "ran %.1f s without giving up the CPU",
		    (double)f->ran_ns / 1e9);
		return len;
	}
	put(buf, n, &len, "%s, ", fault_cause_name(f->cause));
	put_target(f, buf, n, &len);
	return len;
}

static const char *const perm_names[18] = {
	"Global", "Executive", "User0", "User1", "User2", "User3",
	"MutableLoad", "CompartmentID", "BranchSealedPair", "System",
	"Unseal", "Seal", "StoreLocalCap", "StoreCap", "LoadCap", "Execute",
	"Store", "Load",
};

int
fault_format_cap(cap_t c, char *buf, size_t n)
{
	uint32_t perms = cheri_perms_get(c);
	int len = 0;
	bool first = true;

	if (n > 0)
		buf[0] = '\0';
	put(buf, n, &len, "%s0x%" PRIx64 " [0x%" PRIx64 ", ",
	    c.tag ? "" : "untagged ", c.cursor, c.base);
	if (c.top >> 64)
		put(buf, n, &len, "2^64)");
	else
		put(buf, n, &len, "0x%" PRIx64 ")", (uint64_t)c.top);
	/* Load first: the permissions a reader looks for. */
	for (int i = 17; i >= 0; i--) {
		if ((perms >> i & 1) == 0)
			continue;
		put(buf, n, &len, "%s%s", first ? " " : ",", perm_names[i]);
		first = false;
	}
	if (first)
		put(buf, n, &len, " no-perms");
	if (cheri_is_sealed(c))
		put(buf, n, &len, " sealed(otype %u)", cheri_type_get(c));
	return len;
}

int
fault_describe(const struct fault *f, char *buf, size_t n)
{
	char cap[256];
	int len = 0;

	if (n > 0)
		buf[0] = '\0';
	if (f->cause == FAULT_HOST_SIGNAL || f->cause == FAULT_SLICE) {
		/* No access, no capability: the short form is the record. */
		put(buf, n, &len, "%s (%s): ", fault_cause_name(f->cause),
		    fault_cause_id(f->cause));
		if (f->cause == FAULT_HOST_SIGNAL)
			put(buf, n, &len, "%s, code %d: ",
			    fault_signal_name(f->signo), f->si_code);
		fault_format(f, buf + ((size_t)len < n ? (size_t)len : n),
		    (size_t)len < n ? n - (size_t)len : 0);
		return len + fault_format(f, NULL, 0);
	}
	fault_format_cap(f->cap, cap, sizeof cap);
	put(buf, n, &len, "%s fault (%s): %s of %" PRIu64 " byte%s at va 0x%"
	    PRIx64, fault_cause_name(f->cause), fault_cause_id(f->cause),
	    fault_op_name(f->op), f->size, f->size == 1 ? "" : "s", f->vaddr);
	if (f->mapped && f->region != NULL) {
		put(buf, n, &len, " -> %s+0x%" PRIx64, f->region, f->offset);
		if (f->reg != NULL && f->reg[0] != '\0')
			put(buf, n, &len, " (%s)", f->reg);
	}
	put(buf, n, &len, ", capability %s", cap);
	return len;
}

void
machine_panic(const struct fault *f)
{
	char line[512];

	fault_describe(f, line, sizeof line);
	fprintf(stderr, "capio: kernel panic: fault in kernel code: %s\n",
	    line);
	fflush(stderr);
	ctx_panic_abort();
}
