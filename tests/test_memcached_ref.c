/*
 * test_memcached_ref.c — the engine against the real memcached: start
 * /usr/bin/memcached on a free 127.0.0.1 port, replay
 * tests/memcached_corpus.txt to it over TCP and to a fresh engine
 * connection, and ask for byte-identical answers, entry by entry. Only
 * the VERSION text and the STAT values not named are let differ.
 * Skipped (and passing) when memcached is not installed.
 *
 *   test_memcached_ref [--target HOST:PORT [--split]]
 *       [--reference-listen ADDR] [CORPUS]
 *
 * With --target the corpus goes over TCP to that server (`capio run
 * memcached`) instead of the in-process engine, and to the reference,
 * which listens on ADDR (default 127.0.0.1). The target may have served
 * others before: both servers first get a probe (flush_all, set, gets,
 * delete, stats reset), the target's cas uniques are compared as offsets
 * from the probe's, and named STAT values as changes since it. The
 * reference answers first; the target is read until it has said as many
 * bytes. An answer either gives beyond that shows in the next entry.
 * --split sends the target each request in pieces of 1 to 13 bytes
 * (requests over 10000 bytes: up to 4000), one write each, so that it
 * arrives in many small segments; memcached still gets one write.
 *
 * Corpus lines: a request, sent in one write, with escapes \r \n \t \\
 * \0 \xHH and {c*N} (N times c), {now+N} / {now-N} (unix time), {cas}
 * (the last cas that server answered). Or a directive:
 *   @version [request]  version (or request): any text after "VERSION "
 *   @stats f1 f2 ...    stats: same form, fields f1.. equal
 *   @stats:SUB f1 ...   stats SUB: the same, and (but with --target,
 *                       whose store has a past) the same names in the
 *                       same order
 *   @nodates <request>  answers equal but for the numbers after la= and
 *                       exp= (dates on the two servers' clocks)
 *   @close <request>    both must answer alike and then hang up
 * Lines starting with # are comments.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "growbuf.h"
#include "user/memcached.h"

#define MEMCACHED	"/usr/bin/memcached"
#define CORPUS		"tests/memcached_corpus.txt"
#define USAGE		"usage: test_memcached_ref [--target HOST:PORT " \
			"[--split]] [--reference-listen ADDR] [CORPUS]"

/* Reading a network answer of unknown length (--target). */
#define QUIET_MS	50	/* no byte by then: there is no answer */
#define GRACE_MS	5	/* a complete answer that stays complete */
#define WAIT_MS		3000	/* a server that stops mid-answer */
#define PROBE_KEY	"test_memcached_ref_probe"

static int64_t
wall_clock(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

static struct addrinfo *
resolve(const char *host, const char *port, int flags)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM, .ai_flags = flags }, *ai = NULL;

	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return NULL;
	return ai;
}

/* A port nobody listens on right now at host. */
static int
free_port(const char *host)
{
	struct sockaddr_storage a;
	socklen_t alen = sizeof a;
	struct addrinfo *ai = resolve(host, "0", AI_NUMERICHOST);
	int fd, port = -1;

	if (ai == NULL)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd >= 0 && bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
		port = ntohs(a.ss_family == AF_INET6 ?
		    ((struct sockaddr_in6 *)&a)->sin6_port :
		    ((struct sockaddr_in *)&a)->sin_port);
	if (fd >= 0)
		close(fd);
	freeaddrinfo(ai);
	return port;
}

static int
dial(const char *host, const char *port)
{
	struct addrinfo *ai = resolve(host, port, 0);
	int fd, one = 1;

	if (ai == NULL)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd >= 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static pid_t server_pid = -1;
static char server_port[16];
static const char *server_host = "127.0.0.1";

static void
stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
		server_pid = -1;
	}
}

static bool
start_server(void)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		int fd, port = free_port(server_host);

		if (port < 0)
			return false;
		snprintf(server_port, sizeof server_port, "%d", port);
		if ((server_pid = fork()) == 0) {
			int devnull = open("/dev/null", O_RDWR);

			/* If this test dies, so does its server. */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			dup2(devnull, 1);
			dup2(devnull, 2);
			execl(MEMCACHED, "memcached", "-U", "0", "-p",
			    server_port, "-l", server_host, "-m", "64",
			    "-t", "1", "-u", "root", (char *)NULL);
			_exit(127);
		}
		for (int i = 0; i < 300; i++) {
			if ((fd = dial(server_host, server_port)) >= 0) {
				close(fd);
				return true;
			}
			if (waitpid(server_pid, NULL, WNOHANG) == server_pid)
				break;
			usleep(10 * 1000);
		}
		stop_server();
	}
	return false;
}

/* One read into b; true at EOF or reset. */
static bool
read_some(int fd, struct buf *b)
{
	char tmp[65536];
	ssize_t n = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);

	if (n > 0)
		buf_add(b, tmp, (size_t)n);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

/* Read until want bytes, or text ending in end, or EOF, or a timeout. */
static bool
recv_until(int fd, struct buf *b, size_t want, const char *end, int ms)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (want != 0 && b->len >= want)
			return false;
		if (end != NULL && b->len >= strlen(end) &&
		    strcmp(b->p + b->len - strlen(end), end) == 0)
			return false;
		if (poll(&p, 1, ms) <= 0)
			return false;
		if (read_some(fd, b))
			return true;
	}
}

static void
send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/*
 * Send a request, reading the answer meanwhile: a server may answer
 * while it still receives, and stop receiving until it is read.
 * True when the peer hung up.
 */
static bool
send_recv(int fd, const char *p, size_t n, struct buf *b)
{
	while (n > 0) {
		struct pollfd pf = { .fd = fd, .events = POLLIN | POLLOUT };
		ssize_t w;

		if (poll(&pf, 1, WAIT_MS) <= 0)
			return false;	/* stuck: the answer shows it */
		if ((pf.revents & (POLLIN | POLLHUP | POLLERR)) != 0 &&
		    read_some(fd, b))
			return true;
		if ((pf.revents & POLLOUT) != 0) {
			w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w < 0 && errno != EAGAIN && errno != EINTR)
				return true;
			if (w > 0) {
				p += w;
				n -= (size_t)w;
			}
		}
	}
	return false;
}

/*
 * Whether line (ll bytes, without CRLF) is "VALUE key flags bytes [cas]":
 * then *nb is its data length, and *cas_at where its cas starts (0 if it
 * has none). Keys have no spaces but may hold any other byte.
 */
static bool
value_line(const char *line, size_t ll, size_t *nb, size_t *cas_at)
{
	size_t tok[6], tl[6], n = 0, i = 0;

	if (ll < 6 || memcmp(line, "VALUE ", 6) != 0)
		return false;
	while (i < ll && n < 6) {
		tok[n] = i;
		while (i < ll && line[i] != ' ')
			i++;
		tl[n] = i - tok[n];
		n++;
		if (i < ll)
			i++;
	}
	if (i < ll || (n != 4 && n != 5))
		return false;
	for (size_t t = 2; t < n; t++) {
		if (tl[t] == 0 || tl[t] > 20)
			return false;
		for (size_t j = 0; j < tl[t]; j++)
			if (!isdigit((unsigned char)line[tok[t] + j]))
				return false;
	}
	*nb = (size_t)strtoull(line + tok[3], NULL, 10);
	*cas_at = n == 5 ? tok[4] : 0;
	return true;
}

/*
 * Whether b is whole answers: full lines, each VALUE line followed by
 * its whole data block.
 */
static bool
answers_complete(const struct buf *b)
{
	size_t i = 0;

	while (i < b->len) {
		const char *eol = memmem(b->p + i, b->len - i, "\r\n", 2);
		size_t ll, nb, cas_at;

		if (eol == NULL)
			return false;
		ll = (size_t)(eol - (b->p + i));
		if (value_line(b->p + i, ll, &nb, &cas_at)) {
			if (nb > b->len || i + ll + 2 + nb + 2 > b->len)
				return false;
			i += nb + 2;
		}
		i += ll + 2;
	}
	return true;
}

/*
 * An answer of unknown length from the reference: until it is complete
 * and stays so briefly, or nothing comes at all. True at EOF.
 */
static bool
recv_answer(int fd, struct buf *b)
{
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = b->len == 0 ? QUIET_MS :
		    answers_complete(b) ? GRACE_MS : WAIT_MS;

		if (poll(&p, 1, ms) <= 0)
			return false;
		if (read_some(fd, b))
			return true;
	}
}

/* A cas number at p[0..n) (its digits), less shift, into out. */
static size_t
shift_num(const char *p, size_t n, struct buf *out, uint64_t shift)
{
	size_t d = 0;
	unsigned long long v;
	char num[32];

	while (d < n && isdigit((unsigned char)p[d]))
		d++;
	v = strtoull(p, NULL, 10);
	if (d == 0 || v < shift) {
		buf_add(out, p, d);
		return d;
	}
	snprintf(num, sizeof num, "%llu", v - (unsigned long long)shift);
	buf_add(out, num, strlen(num));
	return d;
}

/*
 * The cas in a meta answer line (" c<N>"), an me answer or metadump
 * lines ("cas=<N>"), less shift.
 */
static void
shift_meta(const char *p, size_t n, struct buf *out, uint64_t shift)
{
	size_t i = 0;

	while (i < n) {
		if (p[i] == ' ' && i + 2 < n && p[i + 1] == 'c' &&
		    isdigit((unsigned char)p[i + 2])) {
			buf_add(out, " c", 2);
			i += 2;
			i += shift_num(p + i, n - i, out, shift);
		} else if (i + 4 < n && memcmp(p + i, "cas=", 4) == 0) {
			buf_add(out, "cas=", 4);
			i += 4;
			i += shift_num(p + i, n - i, out, shift);
		} else
			buf_add(out, p + i++, 1);
	}
}

static bool
meta_line(const char *p, size_t n)
{
	static const char *const codes[] = { "HD", "NS", "EX", "NF", "EN",
	    "VA ", "ME ", "key=" };

	for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++)
		if (n >= strlen(codes[k]) &&
		    memcmp(p, codes[k], strlen(codes[k])) == 0 &&
		    (n == 2 || strlen(codes[k]) > 2 || p[2] == ' '))
			return true;
	return false;
}

/*
 * Rewrite the cas of each VALUE line in b, and in meta answers, to
 * cas - shift: the target's counter may have run ahead of the fresh
 * reference's.
 */
static void
shift_cas(struct buf *b, uint64_t shift)
{
	struct buf out = { 0 };
	size_t i = 0;

	if (shift == 0 || b->len == 0)
		return;
	while (i < b->len) {
		const char *eol = memmem(b->p + i, b->len - i, "\r\n", 2);
		size_t ll = eol != NULL ? (size_t)(eol - (b->p + i)) : 0;
		size_t nb, cas_at;
		unsigned long long cas;

		if (eol == NULL) {
			buf_add(&out, b->p + i, b->len - i);
			break;
		}
		if (value_line(b->p + i, ll, &nb, &cas_at) && cas_at != 0 &&
		    (cas = strtoull(b->p + i + cas_at, NULL, 10)) >= shift &&
		    nb <= b->len && i + ll + 2 + nb + 2 <= b->len) {
			char num[32];

			buf_add(&out, b->p + i, cas_at);
			snprintf(num, sizeof num, "%llu",
			    cas - (unsigned long long)shift);
			buf_add(&out, num, strlen(num));
			buf_add(&out, b->p + i + ll, 2 + nb + 2);
			i += ll + 2 + nb + 2;
			continue;
		}
		if (meta_line(b->p + i, ll)) {
			shift_meta(b->p + i, ll, &out, shift);
			buf_add(&out, "\r\n", 2);
			if (ll > 3 && memcmp(b->p + i, "VA ", 3) == 0) {
				/* Its data block, as it is. */
				nb = (size_t)strtoull(b->p + i + 3, NULL, 10) + 2;
				if (i + ll + 2 + nb <= b->len) {
					buf_add(&out, b->p + i + ll + 2, nb);
					i += nb;
				}
			}
			i += ll + 2;
			continue;
		}
		buf_add(&out, b->p + i, ll + 2);
		i += ll + 2;
	}
	free(b->p);
	*b = out;
}

/* Feed a request to the engine; its whole answer into out. */
static void
engine_run(struct mc_conn *c, const char *p, size_t n, struct buf *out)
{
	const void *o;
	size_t olen;

	for (;;) {
		size_t took = mc_conn_feed(c, p, n);

		p += took;
		n -= took;
		while ((o = mc_conn_output(c, &olen)) != NULL) {
			buf_add(out, o, olen);
			mc_conn_consume_output(c, olen);
		}
		if (n == 0 || (took == 0 && mc_conn_closing(c)))
			break;
	}
}

/* Remember the cas of the last gets answer, for {cas}. */
static void
note_cas(const struct buf *b, uint64_t *last)
{
	const char *p = b->p;

	while (p != NULL && (p = strstr(p, "VALUE ")) != NULL) {
		char key[300];
		unsigned long long cas;
		unsigned fl, nb;

		if (sscanf(p, "VALUE %299s %u %u %llu\r", key, &fl, &nb,
		    &cas) == 4)
			*last = cas;
		p += 6;
	}
}

/* A corpus line to bytes. */
static void
expand(const char *s, struct buf *b, time_t now, uint64_t cas)
{
	while (*s != '\0') {
		char ch = *s++;

		if (ch == '\\' && *s != '\0') {
			char e = *s++;

			switch (e) {
			case 'r': ch = '\r'; break;
			case 'n': ch = '\n'; break;
			case 't': ch = '\t'; break;
			case '0': ch = '\0'; break;
			case 'x':
				ch = (char)strtol((char[]){ s[0], s[1], 0 },
				    NULL, 16);
				s += 2;
				break;
			default: ch = e; break;
			}
		} else if (ch == '{' && strchr(s, '}') != NULL) {
			char tmp[32];
			long n;

			if (s[1] == '*') {
				n = strtol(s + 2, NULL, 10);
				for (long i = 0; i < n; i++)
					buf_add(b, s, 1);
			} else if (strncmp(s, "now", 3) == 0) {
				n = strtol(s + 3, NULL, 10);
				snprintf(tmp, sizeof tmp, "%lld",
				    (long long)now + n);
				buf_add(b, tmp, strlen(tmp));
			} else if (strncmp(s, "cas}", 4) == 0) {
				snprintf(tmp, sizeof tmp, "%llu",
				    (unsigned long long)cas);
				buf_add(b, tmp, strlen(tmp));
			}
			s = strchr(s, '}') + 1;
			continue;
		}
		buf_add(b, &ch, 1);
	}
}

static void
show(const char *who, const struct buf *b)
{
	fprintf(stderr, "  %s (%zu bytes): \"", who, b->len);
	for (size_t i = 0; i < b->len && i < 400; i++) {
		unsigned char ch = (unsigned char)b->p[i];

		if (ch == '\r')
			fputs("\\r", stderr);
		else if (ch == '\n')
			fputs("\\n", stderr);
		else if (isprint(ch))
			fputc(ch, stderr);
		else
			fprintf(stderr, "\\x%02x", ch);
	}
	fprintf(stderr, "%s\"\n", b->len > 400 ? "..." : "");
}

static int mismatches;
static const char *corpus = CORPUS;
static const char *other = "engine";	/* or "target" */

static void
mismatch(int lineno, const char *req, const struct buf *eng,
    const struct buf *ref, const char *why)
{
	mismatches++;
	fprintf(stderr, "%s:%d: %s: %.120s\n", corpus, lineno, why, req);
	show(other, eng);
	show("memcached", ref);
}

/* The value of STAT name in a stats answer, or NULL; checks the form. */
static bool
stats_form(const struct buf *b)
{
	const char *p = b->p;

	if (b->len < 5 || strcmp(b->p + b->len - 5, "END\r\n") != 0)
		return false;
	while (strncmp(p, "END\r\n", 5) != 0) {
		const char *eol = strstr(p, "\r\n");
		const char *sp;

		if (strncmp(p, "STAT ", 5) != 0 || eol == NULL)
			return false;
		sp = memchr(p + 5, ' ', (size_t)(eol - p - 5));
		if (sp == NULL || sp == p + 5 || sp + 1 == eol)
			return false;
		p = eol + 2;
	}
	return true;
}

static bool
stat_value(const struct buf *b, const char *name, char *out, size_t n)
{
	char pat[96];
	const char *p;
	size_t len;

	if (b->p == NULL)
		return false;
	snprintf(pat, sizeof pat, "STAT %s ", name);
	for (p = b->p; (p = strstr(p, pat)) != NULL; p++)
		if (p == b->p || p[-1] == '\n') {
			p += strlen(pat);
			len = (size_t)(strstr(p, "\r\n") - p);
			if (len >= n)
				len = n - 1;
			memcpy(out, p, len);
			out[len] = '\0';
			return true;
		}
	return false;
}

/* STAT name in b, as a change since base when base has it too. */
static bool
stat_since(const struct buf *b, const struct buf *base, const char *name,
    char *out, size_t n)
{
	char bv[64], *e1, *e2;
	long long v, v0;

	if (!stat_value(b, name, out, n))
		return false;
	if (base == NULL || !stat_value(base, name, bv, sizeof bv))
		return true;
	v = strtoll(out, &e1, 10);
	v0 = strtoll(bv, &e2, 10);
	if (*out != '\0' && *e1 == '\0' && *bv != '\0' && *e2 == '\0')
		snprintf(out, n, "%lld", v - v0);
	return true;
}

/*
 * Bring a server to a known point: drop every item, store, read back
 * and delete a probe key (its cas tells where the server's counter is),
 * reset the counters, and keep a stats answer to measure from.
 */
static bool
probe(int fd, uint64_t *cas, struct buf *stats)
{
	static const char req[] =
	    "flush_all\r\nset " PROBE_KEY " 0 0 1\r\nx\r\n"
	    "gets " PROBE_KEY "\r\n"
	    "delete " PROBE_KEY "\r\nstats reset\r\n";
	struct buf b = { 0 };
	unsigned long long c = 0;
	char want[256];
	bool ok;

	send_recv(fd, req, sizeof req - 1, &b);
	recv_until(fd, &b, 0, "RESET\r\n", WAIT_MS);
	ok = b.len > 0 && sscanf(b.p, "OK\r\nSTORED\r\nVALUE " PROBE_KEY
	    " 0 1 %llu\r", &c) == 1;
	snprintf(want, sizeof want, "OK\r\nSTORED\r\nVALUE " PROBE_KEY
	    " 0 1 %llu\r\nx\r\nEND\r\nDELETED\r\nRESET\r\n", c);
	ok = ok && strcmp(b.p, want) == 0;
	if (!ok)
		show("probe answer", &b);
	*cas = c;
	free(b.p);
	send_recv(fd, "stats\r\n", 7, stats);
	recv_until(fd, stats, 0, "END\r\n", WAIT_MS);
	return ok && stats_form(stats);
}

/*
 * Wait (up to 5 s) until memcached's LRU crawler is idle: a crawl or
 * metadump it runs in a thread of its own answers the next lru_crawler
 * command BUSY until it ends, and on a loaded host it can outlast the
 * corpus's pace. Its own stats say when (lru_crawler_running).
 */
static void
crawler_wait(int fd)
{
	for (int i = 0; i < 200; i++) {
		struct buf b = { 0 };
		const char *r;
		bool idle;

		send_recv(fd, "stats\r\n", 7, &b);
		recv_until(fd, &b, 0, "END\r\n", WAIT_MS);
		r = b.p != NULL ? strstr(b.p, "STAT lru_crawler_running ") : NULL;
		idle = r == NULL || r[25] == '0';
		free(b.p);
		if (idle)
			return;
		poll(NULL, 0, 25);
	}
}

enum kind { PLAIN, VERSION, STATS, CLOSE };

/* The names of a stats answer, in order, one line each. */
static void
stat_names(const struct buf *b, struct buf *out)
{
	const char *p = b->p, *end = b->p + b->len;

	while (p != NULL && p < end && strncmp(p, "STAT ", 5) == 0) {
		const char *sp = memchr(p + 5, ' ', (size_t)(end - p - 5));
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);

		if (sp == NULL || eol == NULL)
			break;
		buf_add(out, p + 5, (size_t)(sp - p - 5));
		buf_add(out, "\n", 1);
		p = eol + 2;
	}
	buf_add(out, "", 1);
}

/* Every la=N and exp=N (N > 0) as la=* and exp=*, for @nodates. */
static void
mask_dates(struct buf *b)
{
	struct buf out = { 0 };
	size_t i = 0;

	while (i < b->len) {
		size_t skip = 0;

		if (i + 3 <= b->len && memcmp(b->p + i, "la=", 3) == 0)
			skip = 3;
		else if (i + 4 <= b->len && memcmp(b->p + i, "exp=", 4) == 0 &&
		    (i + 4 >= b->len || b->p[i + 4] != '-'))
			skip = 4;
		if (skip != 0 && (i == 0 || b->p[i - 1] == ' ')) {
			buf_add(&out, b->p + i, skip);
			buf_add(&out, "*", 1);
			i += skip;
			while (i < b->len && isdigit((unsigned char)b->p[i]))
				i++;
			continue;
		}
		buf_add(&out, b->p + i, 1);
		i++;
	}
	free(b->p);
	*b = out;
}

int
main(int argc, char **argv)
{
	const char *target = NULL;
	bool split = false;
	char thost[256] = "", tport[16] = "";
	struct mc_store *s = NULL;
	struct mc_conn *c = NULL;
	struct buf rbase = { 0 }, tbase = { 0 };
	uint64_t rcas = 0, tcas = 0, shift = 0;
	FILE *f;
	char line[8192];
	int fd, tfd = -1, lineno = 0, entries = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--target") == 0 && i + 1 < argc)
			target = argv[++i];
		else if (strcmp(argv[i], "--reference-listen") == 0 &&
		    i + 1 < argc)
			server_host = argv[++i];
		else if (strcmp(argv[i], "--split") == 0)
			split = true;
		else if (strcmp(argv[i], "--help") == 0) {
			puts(USAGE);
			return 0;
		} else if (argv[i][0] != '-' && i == argc - 1)
			corpus = argv[i];
		else {
			fprintf(stderr, "test_memcached_ref: bad argument "
			    "%s\n%s\n", argv[i], USAGE);
			return 2;
		}
	}
	if (split && target == NULL) {
		fprintf(stderr, "test_memcached_ref: --split needs --target\n"
		    "%s\n", USAGE);
		return 2;
	}
	if (target != NULL) {
		const char *colon = strrchr(target, ':');
		size_t hl = colon != NULL ? (size_t)(colon - target) : 0;

		if (colon == NULL || hl == 0 || hl >= sizeof thost ||
		    colon[1] == '\0' || strlen(colon + 1) >= sizeof tport) {
			fprintf(stderr, "test_memcached_ref: --target wants "
			    "HOST:PORT, not %s\n%s\n", target, USAGE);
			return 2;
		}
		memcpy(thost, target, hl);
		snprintf(tport, sizeof tport, "%s", colon + 1);
		other = "target";
	}
	if (access(MEMCACHED, X_OK) != 0) {
		printf("SKIPPED: memcached not installed (%s)\n", MEMCACHED);
		return check_done("test_memcached_ref");
	}
	if ((f = fopen(corpus, "r")) == NULL) {
		fprintf(stderr, "cannot open %s\n", corpus);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	CHECK(start_server());
	if (server_pid < 0)
		return check_done("test_memcached_ref");
	atexit(stop_server);
	fd = dial(server_host, server_port);
	CHECK(fd >= 0);
	if (target != NULL) {
		uint64_t c0 = 0, c1 = 0;

		tfd = dial(thost, tport);
		if (tfd < 0) {
			fprintf(stderr, "cannot connect to %s\n", target);
			CHECK(tfd >= 0);
			return check_done("test_memcached_ref");
		}
		CHECK(probe(fd, &c0, &rbase));
		CHECK(probe(tfd, &c1, &tbase));
		CHECK(c1 >= c0);
		shift = c1 - c0;
	} else {
		s = mc_store_new(64u << 20, wall_clock, NULL);
		c = mc_conn_new(s);
	}
	while (fgets(line, sizeof line, f) != NULL) {
		struct buf req = { 0 }, treq = { 0 }, eng = { 0 }, ref = { 0 };
		const char *text = line;
		char stext[64];
		enum kind k = PLAIN;
		bool eof = false, teof = false, gone, same_names = false;
		bool nodates = false;
		time_t now = time(NULL);

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		entries++;
		if (strcmp(line, "@version") == 0) {
			text = "version\\r\\n";
			k = VERSION;
		} else if (strncmp(line, "@version ", 9) == 0) {
			text = line + 9;
			k = VERSION;
		} else if (strncmp(line, "@stats:", 7) == 0) {
			size_t sl = strcspn(line + 7, " ");

			snprintf(stext, sizeof stext, "stats %.*s\\r\\n",
			    (int)(sl < 40 ? sl : 40), line + 7);
			text = stext;
			k = STATS;
			same_names = true;
		} else if (strncmp(line, "@stats", 6) == 0) {
			text = "stats\\r\\n";
			k = STATS;
		} else if (strncmp(line, "@nodates ", 9) == 0) {
			text = line + 9;
			nodates = true;
		} else if (strncmp(line, "@close ", 7) == 0) {
			text = line + 7;
			k = CLOSE;
		}
		expand(text, &req, now, rcas);
		if (strncmp(text, "lru_crawler", 11) == 0)
			crawler_wait(fd);
		if (target == NULL) {
			/* The engine first; memcached for as many bytes. */
			engine_run(c, req.p, req.len, &eng);
			note_cas(&eng, &rcas);
			send_all(fd, req.p, req.len);
			if (k == CLOSE)
				eof = recv_until(fd, &ref, 0, NULL, WAIT_MS);
			else if (k == VERSION)
				recv_until(fd, &ref, 0, "\r\n", 2000);
			else if (k == STATS)
				recv_until(fd, &ref, 0, "END\r\n", 2000);
			else
				/* If memcached says more, the next entry
				 * shows it. */
				eof = recv_until(fd, &ref, eng.len, NULL,
				    eng.len != 0 ? 2000 : 20);
			gone = mc_conn_closing(c);
		} else {
			/* memcached first; the target for as many bytes. */
			eof = send_recv(fd, req.p, req.len, &ref);
			if (k == CLOSE)
				eof |= recv_until(fd, &ref, 0, NULL, WAIT_MS);
			else if (k == VERSION)
				eof |= recv_until(fd, &ref, 0, "\r\n", WAIT_MS);
			else if (k == STATS)
				eof |= recv_until(fd, &ref, 0, "END\r\n",
				    WAIT_MS);
			else
				eof |= recv_answer(fd, &ref);
			note_cas(&ref, &rcas);
			expand(text, &treq, now, tcas);
			for (size_t off = 0, piece; off < treq.len && !teof;
			    off += piece) {
				piece = !split ? treq.len :
				    1 + check_rand() % (treq.len > 10000 ?
				    4000 : 13);
				if (piece > treq.len - off)
					piece = treq.len - off;
				teof = send_recv(tfd, treq.p + off, piece,
				    &eng);
			}
			if (k == CLOSE)
				teof |= recv_until(tfd, &eng, 0, NULL, WAIT_MS);
			else if (k == VERSION)
				teof |= recv_until(tfd, &eng, 0, "\r\n",
				    WAIT_MS);
			else if (k == STATS)
				teof |= recv_until(tfd, &eng, 0, "END\r\n",
				    WAIT_MS);
			else
				/* Not longer than memcached was given: a late
				 * answer of its must not look like an extra
				 * one of the target. */
				teof |= recv_until(tfd, &eng, ref.len, NULL,
				    ref.len != 0 ? WAIT_MS : GRACE_MS);
			note_cas(&eng, &tcas);
			shift_cas(&eng, shift);
			gone = teof;
		}
		if (k == CLOSE) {
			if (!eof || !gone || eng.len != ref.len ||
			    (eng.len != 0 && memcmp(eng.p, ref.p, eng.len) != 0))
				mismatch(lineno, line, &eng, &ref,
				    eof ? (gone ? "answers differ" :
				    target ? "target stayed open" :
				    "engine stayed open") :
				    "memcached stayed open");
			CHECK(eof && gone);
		} else if (k == VERSION) {
			if (target == NULL)
				CHECK(strcmp(eng.p ? eng.p : "", "VERSION "
				    MC_VERSION "\r\n") == 0);
			if (strncmp(ref.p ? ref.p : "", "VERSION ", 8) != 0 ||
			    strncmp(eng.p ? eng.p : "", "VERSION ", 8) != 0)
				mismatch(lineno, line, &eng, &ref, "version");
		} else if (k == STATS) {
			char names[sizeof line], *name, *save = NULL;

			if (!stats_form(&eng) || !stats_form(&ref))
				mismatch(lineno, line, &eng, &ref, "stats form");
			/* A target's history shows in what it lists. */
			if (same_names && target == NULL) {
				struct buf en = { 0 }, rn = { 0 };

				stat_names(&eng, &en);
				stat_names(&ref, &rn);
				if (strcmp(en.p, rn.p) != 0)
					mismatch(lineno, line, &en, &rn,
					    "stat names differ");
				free(en.p);
				free(rn.p);
			}
			memcpy(names, line + 6 + strcspn(line + 6, " "),
			    strlen(line + 6 + strcspn(line + 6, " ")) + 1);
			for (name = strtok_r(names, " ", &save); name != NULL;
			    name = strtok_r(NULL, " ", &save)) {
				char ev[64] = "(none)", rv[64] = "(none)";
				bool e = stat_since(&eng, target ? &tbase :
				    NULL, name, ev, sizeof ev);
				bool r = stat_since(&ref, target ? &rbase :
				    NULL, name, rv, sizeof rv);

				if (!e || !r || strcmp(ev, rv) != 0) {
					mismatches++;
					fprintf(stderr, "%s:%d: STAT %s: %s "
					    "%s, memcached %s\n", corpus,
					    lineno, name, other, ev, rv);
				}
			}
		} else {
			if (nodates) {
				mask_dates(&eng);
				mask_dates(&ref);
			}
			if (eof || gone || eng.len != ref.len ||
			    (eng.len != 0 && memcmp(eng.p, ref.p, eng.len) != 0))
				mismatch(lineno, line, &eng, &ref,
				    eof ? "memcached hung up" : gone ?
				    "target hung up" : "answers differ");
			CHECK(!gone);
		}
		if (k == CLOSE || eof || gone) {
			/* Both hang up: go on over new connections. */
			close(fd);
			fd = dial(server_host, server_port);
			CHECK(fd >= 0);
			if (target != NULL) {
				close(tfd);
				tfd = dial(thost, tport);
				CHECK(tfd >= 0);
			} else {
				mc_conn_free(c);
				c = mc_conn_new(s);
				CHECK(c != NULL);
			}
		}
		free(req.p);
		free(treq.p);
		free(eng.p);
		free(ref.p);
	}
	fclose(f);
	if (target != NULL) {
		struct buf ref = { 0 }, eng = { 0 };

		/* Neither may have more to say. */
		recv_until(fd, &ref, 0, NULL, QUIET_MS);
		recv_until(tfd, &eng, 0, NULL, QUIET_MS);
		if (ref.len != 0 || eng.len != 0)
			mismatch(lineno, "(end of corpus)", &eng, &ref,
			    "output after the last answer");
		free(ref.p);
		free(eng.p);
		printf("%d corpus entries compared between %s and %s over "
		    "TCP (target cas %llu ahead), %d differ\n", entries,
		    MEMCACHED, target, (unsigned long long)shift, mismatches);
		close(tfd);
	} else
		printf("%d corpus entries compared with %s, %d differ\n",
		    entries, MEMCACHED, mismatches);
	CHECK(entries > 100);
	CHECK_EQ(mismatches, 0);
	close(fd);
	free(rbase.p);
	free(tbase.p);
	if (c != NULL)
		mc_conn_free(c);
	if (s != NULL)
		mc_store_free(s);
	stop_server();
	return check_done("test_memcached_ref");
}
