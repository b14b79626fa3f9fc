/*
 * qtest.c — see qtest.h. Command words are split on single spaces, as
 * QEMU does (two spaces make an empty word); numbers are C integers in
 * any base strtoull accepts, a minus sign wrapping as it does there.
 */
#include "qtest/qtest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/clock.h"
#include "machine/pci.h"
#include "machine/phys.h"

#define MAX_WORDS	8

struct qtest {
	struct phys	*phys;
	struct pci_bus	*bus;
	qtest_out_fn	 out;
	void		*out_arg;
	char		*line;		/* partial input line */
	size_t		 len, cap;
	bool		 discarding;	/* inside an over-long line */
	bool		 intercepting;	/* irq_intercept_* done */
	bool		 intercept_in;	/* ... on the IOAPIC inputs */
	int		 irq_level[QTEST_IRQS];
	int64_t		 clock_ns;	/* without a machine clock */
	struct mclock	*clk;		/* the machine's, or NULL */
	struct qtest_counters cnt;
};

struct qtest *
qtest_new(struct phys *phys, struct pci_bus *bus, qtest_out_fn out,
    void *arg)
{
	struct qtest *q;

	if (phys == NULL || out == NULL)
		return NULL;
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return NULL;
	q->phys = phys;
	q->bus = bus;
	q->out = out;
	q->out_arg = arg;
	return q;
}

void
qtest_free(struct qtest *q)
{
	if (q == NULL)
		return;
	free(q->line);
	free(q);
}

static void
reply(struct qtest *q, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (strncmp(buf, "FAIL", 4) == 0 || strncmp(buf, "ERR", 3) == 0)
		q->cnt.failed++;
	q->out(q->out_arg, buf, (size_t)n);
}

/* ---- numbers -------------------------------------------------------- */

static bool
parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno == 0 && end != s && *end == '\0';
}

static bool
parse_i64(const char *s, int64_t *v)
{
	char *end;

	if (s == NULL || *s == '\0')
		return false;
	errno = 0;
	*v = strtoll(s, &end, 0);
	return errno == 0 && end != s && *end == '\0';
}

/* ---- the memory bus ------------------------------------------------- */

/* Start of the first region above ADDR, or 0 when there is none. */
static uint64_t
next_region(const struct phys *p, uint64_t addr)
{
	const struct phys_region *r;
	unsigned i;

	for (i = 0; (r = phys_region_at(p, i)) != NULL; i++)
		if (r->base > addr)
			return r->base;
	return 0;
}

/* MMIO the way QEMU's memory core issues it: naturally aligned pieces
 * of at most 4 bytes, in address order. */
static void
mmio_rw(struct qtest *q, uint64_t addr, uint8_t *buf, uint64_t len,
    bool write)
{
	uint64_t v;
	unsigned size, i;

	while (len > 0) {
		size = 4;
		while (size > len || (addr & (size - 1)) != 0)
			size >>= 1;
		v = 0;
		if (write) {
			for (i = 0; i < size; i++)
				v |= (uint64_t)buf[i] << (8 * i);
			(void)phys_bus_write(q->phys, addr, size, v);
		} else {
			if (phys_bus_read(q->phys, addr, size, &v) != 0)
				v = 0;
			for (i = 0; i < size; i++)
				buf[i] = (uint8_t)(v >> (8 * i));
		}
		addr += size;
		buf += size;
		len -= size;
	}
}

/*
 * A CPU access of LEN bytes at ADDR (LEN bounded by the caller): split
 * among RAM, MMIO and holes; holes read 0 and drop writes. An access
 * that would run past the top of the address space stops there.
 */
static void
bus_rw(struct qtest *q, uint64_t addr, uint8_t *buf, uint64_t len,
    bool write)
{
	const struct phys_region *r;
	uint64_t n, next, room = 0 - addr;	/* bytes up to the top */

	if (addr != 0 && len > room) {
		if (!write)
			memset(buf + room, 0, len - room);
		len = room;
	}
	while (len > 0) {
		r = phys_find(q->phys, addr);
		if (r == NULL) {
			next = next_region(q->phys, addr);
			n = (next == 0 || next - addr > len) ? len :
			    next - addr;
			if (!write)
				memset(buf, 0, n);
		} else {
			n = r->base + r->size - addr;
			if (n > len)
				n = len;
			if (r->ram != NULL && write)
				(void)phys_write(q->phys, addr, buf, n);
			else if (r->ram != NULL)
				(void)phys_read(q->phys, addr, buf, n);
			else
				mmio_rw(q, addr, buf, n, write);
		}
		addr += n;
		buf += n;
		len -= n;
	}
}

static uint64_t
load_le(const uint8_t *b, unsigned n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | b[n];
	return v;
}

static void
store_le(uint8_t *b, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++, v >>= 8)
		b[i] = (uint8_t)v;
}

/* ---- base64 (RFC 4648, as GLib writes and reads it) ----------------- */

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *
b64_encode(const uint8_t *in, size_t len)
{
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;
	uint32_t v;

	if (out == NULL)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];
		*o++ = b64chars[v >> 18];
		*o++ = b64chars[(v >> 12) & 63];
		*o++ = b64chars[(v >> 6) & 63];
		*o++ = b64chars[v & 63];
	}
	if (i < len) {
		v = (uint32_t)in[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)in[i + 1] << 8;
		*o++ = b64chars[v >> 18];
		*o++ = b64chars[(v >> 12) & 63];
		*o++ = i + 1 < len ? b64chars[(v >> 6) & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* Decode S into OUT (at most MAX bytes); characters outside the
 * alphabet are skipped, '=' ends the data. Returns the byte count. */
static size_t
b64_decode(const char *s, uint8_t *out, size_t max)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;
	const char *c;

	for (; *s != '\0' && *s != '='; s++) {
		if ((c = strchr(b64chars, *s)) == NULL)
			continue;
		acc = acc << 6 | (uint32_t)(c - b64chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < max)
				out[n] = (uint8_t)(acc >> bits);
			n++;
			acc &= (1u << bits) - 1;
		}
	}
	return n < max ? n : max;
}

/* QEMU's nibble decoding: a bad digit reads as all ones. */
static int
hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* ---- commands ------------------------------------------------------- */

static bool
ioapic_path(const char *p)
{
	return strcmp(p, "ioapic") == 0 || strcmp(p, "q35/ioapic") == 0 ||
	    strcmp(p, "machine/q35/ioapic") == 0 ||
	    strcmp(p, "/machine/q35/ioapic") == 0;
}

static void
cmd_out(struct qtest *q, char **w)
{
	uint64_t port, val;
	unsigned size = w[0][3] == 'b' ? 1 : w[0][3] == 'w' ? 2 : 4;

	if (!parse_u64(w[1], &port) || !parse_u64(w[2], &val)) {
		reply(q, "FAIL %s: bad or missing argument\n", w[0]);
		return;
	}
	if (port > 0xFFFF) {
		reply(q, "FAIL %s: port 0x%" PRIx64 " out of range\n", w[0],
		    port);
		return;
	}
	if (q->bus != NULL)
		pci_io_write(q->bus, (uint16_t)port, (uint32_t)val, size);
	reply(q, "OK\n");
}

static void
cmd_in(struct qtest *q, char **w)
{
	uint64_t port;
	unsigned size = w[0][2] == 'b' ? 1 : w[0][2] == 'w' ? 2 : 4;
	uint32_t v;

	if (!parse_u64(w[1], &port)) {
		reply(q, "FAIL %s: bad or missing argument\n", w[0]);
		return;
	}
	if (port > 0xFFFF) {
		reply(q, "FAIL %s: port 0x%" PRIx64 " out of range\n", w[0],
		    port);
		return;
	}
	v = q->bus != NULL ? pci_io_read(q->bus, (uint16_t)port, size) :
	    (size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1);
	reply(q, "OK 0x%04x\n", v);
}

static unsigned
access_size(char c)
{
	return c == 'b' ? 1 : c == 'w' ? 2 : c == 'l' ? 4 : 8;
}

static void
cmd_write_n(struct qtest *q, char **w)
{
	uint64_t addr, val;
	uint8_t b[8];
	unsigned size = access_size(w[0][5]);

	if (!parse_u64(w[1], &addr) || !parse_u64(w[2], &val)) {
		reply(q, "FAIL %s: bad or missing argument\n", w[0]);
		return;
	}
	store_le(b, val, size);
	bus_rw(q, addr, b, size, true);
	reply(q, "OK\n");
}

static void
cmd_read_n(struct qtest *q, char **w)
{
	uint64_t addr;
	uint8_t b[8];
	unsigned size = access_size(w[0][4]);

	if (!parse_u64(w[1], &addr)) {
		reply(q, "FAIL %s: bad or missing argument\n", w[0]);
		return;
	}
	bus_rw(q, addr, b, size, false);
	reply(q, "OK 0x%016" PRIx64 "\n", load_le(b, size));
}

/* ADDR and LEN of read/write/b64read/b64write/memset; false: replied. */
static bool
addr_len(struct qtest *q, char **w, uint64_t max, uint64_t *addr,
    uint64_t *len)
{
	if (!parse_u64(w[1], addr) || !parse_u64(w[2], len)) {
		reply(q, "FAIL %s: bad or missing argument\n", w[0]);
		return false;
	}
	if (*len > max) {
		reply(q, "FAIL %s: length %" PRIu64 " over the limit of %"
		    PRIu64 "\n", w[0], *len, max);
		return false;
	}
	return true;
}

static void
cmd_read(struct qtest *q, char **w, bool b64)
{
	static const char hex[] = "0123456789abcdef";
	uint64_t addr, len, i;
	uint8_t *data;
	char *enc;

	if (!addr_len(q, w, QTEST_DATA_MAX, &addr, &len))
		return;
	if (len == 0 && !b64) {
		reply(q, "FAIL read: length 0\n");
		return;
	}
	if ((data = malloc(len + 1)) == NULL) {
		reply(q, "FAIL %s: out of memory\n", w[0]);
		return;
	}
	bus_rw(q, addr, data, len, false);
	if (b64) {
		enc = b64_encode(data, len);
	} else if ((enc = malloc(2 * len + 1)) != NULL) {
		for (i = 0; i < len; i++) {
			enc[2 * i] = hex[data[i] >> 4];
			enc[2 * i + 1] = hex[data[i] & 15];
		}
		enc[2 * len] = '\0';
	}
	free(data);
	if (enc == NULL) {
		reply(q, "FAIL %s: out of memory\n", w[0]);
		return;
	}
	q->out(q->out_arg, b64 ? "OK " : "OK 0x", b64 ? 3 : 5);
	q->out(q->out_arg, enc, strlen(enc));
	q->out(q->out_arg, "\n", 1);
	free(enc);
}

static void
cmd_write(struct qtest *q, char **w, bool b64)
{
	uint64_t addr, len, i;
	size_t dlen;
	uint8_t *data;
	int hi, lo;

	if (!addr_len(q, w, QTEST_DATA_MAX, &addr, &len))
		return;
	if (w[3] == NULL) {
		reply(q, "FAIL %s: missing data\n", w[0]);
		return;
	}
	dlen = strlen(w[3]);
	if (dlen < 3) {
		/* QEMU's words, without its usual prefix. */
		q->cnt.failed++;
		q->out(q->out_arg, "ERR invalid argument size\n", 26);
		return;
	}
	if ((data = calloc(1, len + 1)) == NULL) {
		reply(q, "FAIL %s: out of memory\n", w[0]);
		return;
	}
	if (b64) {
		(void)b64_decode(w[3], data, len);
	} else {
		/* Skip the "0x"; missing digits write zeros. */
		for (i = 0; i < len && i * 2 + 4 <= dlen; i++) {
			hi = hex_nibble(w[3][i * 2 + 2]);
			lo = hex_nibble(w[3][i * 2 + 3]);
			data[i] = (uint8_t)((hi < 0 ? 0xF0 : hi << 4) |
			    (lo < 0 ? 0xFF : lo));
		}
	}
	bus_rw(q, addr, data, len, true);
	free(data);
	reply(q, "OK\n");
}

static void
cmd_memset(struct qtest *q, char **w)
{
	uint64_t addr, len, pat, n;
	uint8_t chunk[4096];

	if (!addr_len(q, w, QTEST_MEMSET_MAX, &addr, &len))
		return;
	if (!parse_u64(w[3], &pat)) {
		reply(q, "FAIL memset: bad or missing argument\n");
		return;
	}
	memset(chunk, (int)(pat & 0xFF), sizeof(chunk));
	while (len > 0) {
		n = len < sizeof(chunk) ? len : sizeof(chunk);
		bus_rw(q, addr, chunk, n, true);
		if (addr + n < addr)
			break;
		addr += n;
		len -= n;
	}
	reply(q, "OK\n");
}

/* Move the clock to TO (never back): the machine's timers run on the way. */
static void
clock_to(struct qtest *q, int64_t to)
{
	if (q->clk != NULL)
		mclock_advance(q->clk, to);
	else if (to > q->clock_ns)
		q->clock_ns = to;
}

static void
cmd_clock(struct qtest *q, char **w)
{
	int64_t ns = 0, now = qtest_clock(q), next;

	if (w[1] != NULL && !parse_i64(w[1], &ns)) {
		reply(q, "FAIL %s: bad argument\n", w[0]);
		return;
	}
	if (strcmp(w[0], "clock_set") == 0) {
		if (w[1] == NULL) {
			reply(q, "FAIL clock_set: missing argument\n");
			return;
		}
		clock_to(q, ns);
	} else if (w[1] == NULL) {
		/* A bare clock_step goes to the next timer's deadline; with
		 * no timer armed it leaves the clock where it is. */
		if ((next = mclock_deadline(q->clk)) >= 0)
			clock_to(q, next);
	} else if (ns > 0) {
		clock_to(q, ns > INT64_MAX - now ? INT64_MAX : now + ns);
	}
	reply(q, "OK %" PRIi64 "\n", qtest_clock(q));
}

static void
cmd_intercept(struct qtest *q, char **w)
{
	if (w[1] == NULL) {
		reply(q, "FAIL %s: missing argument\n", w[0]);
		return;
	}
	if (!ioapic_path(w[1])) {
		reply(q, "FAIL Unknown device\n");
		return;
	}
	if (!q->intercepting) {
		q->intercepting = true;
		/* The IOAPIC has inputs only: intercepting its outputs
		 * catches nothing, ever. */
		q->intercept_in = strcmp(w[0], "irq_intercept_in") == 0;
	}
	reply(q, "OK\n");
}

static void
cmd_set_irq_in(struct qtest *q, char **w)
{
	int64_t num, level;

	if (w[1] == NULL || w[2] == NULL || !parse_i64(w[3], &num) ||
	    !parse_i64(w[4], &level) || level < INT32_MIN ||
	    level > INT32_MAX) {
		reply(q, "FAIL set_irq_in: bad or missing argument\n");
		return;
	}
	if (!ioapic_path(w[1])) {
		reply(q, "FAIL Unknown device\n");
		return;
	}
	if (strcmp(w[2], "unnamed-gpio-in") != 0 || num < 0 ||
	    num >= QTEST_IRQS) {
		reply(q, "FAIL set_irq_in: no such input\n");
		return;
	}
	qtest_set_irq(q, (unsigned)num, (int)level);
	reply(q, "OK\n");
}

/* Split LINE (modified) on single spaces; returns the word count. */
static int
split(char *line, char **w)
{
	int n = 0;
	char *p = line, *sp;

	for (;;) {
		if (n == MAX_WORDS)
			break;
		w[n++] = p;
		if ((sp = strchr(p, ' ')) == NULL)
			break;
		*sp = '\0';
		p = sp + 1;
	}
	return n;
}

static bool
is(const char *w, const char *a, const char *b, const char *c,
    const char *d)
{
	return strcmp(w, a) == 0 || strcmp(w, b) == 0 ||
	    (c != NULL && strcmp(w, c) == 0) ||
	    (d != NULL && strcmp(w, d) == 0);
}

void
qtest_command(struct qtest *q, const char *text, size_t len)
{
	char *line, *w[MAX_WORDS + 1] = { NULL };

	q->cnt.commands++;
	if (memchr(text, '\0', len) != NULL) {
		reply(q, "FAIL NUL byte in command\n");
		return;
	}
	if ((line = malloc(len + 1)) == NULL) {
		reply(q, "FAIL out of memory\n");
		return;
	}
	memcpy(line, text, len);
	line[len] = '\0';
	(void)split(line, w);
	if (is(w[0], "outb", "outw", "outl", NULL))
		cmd_out(q, w);
	else if (is(w[0], "inb", "inw", "inl", NULL))
		cmd_in(q, w);
	else if (is(w[0], "writeb", "writew", "writel", "writeq"))
		cmd_write_n(q, w);
	else if (is(w[0], "readb", "readw", "readl", "readq"))
		cmd_read_n(q, w);
	else if (strcmp(w[0], "read") == 0 || strcmp(w[0], "b64read") == 0)
		cmd_read(q, w, w[0][0] == 'b');
	else if (strcmp(w[0], "write") == 0 || strcmp(w[0], "b64write") == 0)
		cmd_write(q, w, w[0][0] == 'b');
	else if (strcmp(w[0], "memset") == 0)
		cmd_memset(q, w);
	else if (strcmp(w[0], "endianness") == 0)
		reply(q, "OK little\n");
	else if (is(w[0], "clock_step", "clock_set", NULL, NULL))
		cmd_clock(q, w);
	else if (is(w[0], "irq_intercept_in", "irq_intercept_out", NULL, NULL))
		cmd_intercept(q, w);
	else if (strcmp(w[0], "set_irq_in") == 0)
		cmd_set_irq_in(q, w);
	else if (strcmp(w[0], "module_load") == 0)
		reply(q, "FAIL\n");	/* no loadable modules here */
	else
		reply(q, "FAIL Unknown command '%.200s'\n", w[0]);
	free(line);
}

void
qtest_input(struct qtest *q, const char *buf, size_t len)
{
	const char *nl;
	size_t n, need;
	char *nb;

	while (len > 0) {
		nl = memchr(buf, '\n', len);
		n = nl != NULL ? (size_t)(nl - buf) : len;
		if (q->discarding) {
			/* The rest of an over-long line: drop it. */
		} else if (q->len + n > QTEST_LINE_MAX) {
			q->discarding = true;
			q->len = 0;
		} else {
			need = q->len + n;
			if (need > q->cap) {
				size_t cap = q->cap == 0 ? 256 : q->cap;

				while (cap < need)
					cap *= 2;
				if ((nb = realloc(q->line, cap)) == NULL) {
					q->discarding = true;
					q->len = 0;
				} else {
					q->line = nb;
					q->cap = cap;
				}
			}
			if (!q->discarding && n > 0) {
				memcpy(q->line + q->len, buf, n);
				q->len += n;
			}
		}
		if (nl == NULL)
			return;
		if (q->discarding) {
			q->discarding = false;
			q->cnt.commands++;
			q->cnt.long_lines++;
			reply(q, "FAIL line longer than %u bytes\n",
			    (unsigned)QTEST_LINE_MAX);
		} else {
			qtest_command(q, q->line != NULL ? q->line : "",
			    q->len);
		}
		q->len = 0;
		buf += n + 1;
		len -= n + 1;
	}
}

void
qtest_set_irq(struct qtest *q, unsigned irq, int level)
{
	char buf[32];
	int n;

	if (q == NULL || !q->intercept_in || irq >= QTEST_IRQS ||
	    q->irq_level[irq] == level)
		return;
	q->irq_level[irq] = level;
	n = snprintf(buf, sizeof(buf), "IRQ %s %u\n", level ? "raise" :
	    "lower", irq);
	q->out(q->out_arg, buf, (size_t)n);
}

int64_t
qtest_clock(const struct qtest *q)
{
	return q->clk != NULL ? mclock_now(q->clk) : q->clock_ns;
}

void
qtest_set_clock(struct qtest *q, struct mclock *clk)
{
	if (q != NULL)
		q->clk = clk;
}

void
qtest_get_counters(const struct qtest *q, struct qtest_counters *c)
{
	*c = q->cnt;
}
