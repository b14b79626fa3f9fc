/*
 * test_memcached_ref.c — the engine against the real memcached: start
 * /usr/bin/memcached on a free 127.0.0.1 port, replay
 * tests/memcached_corpus.txt to it over TCP and to a fresh engine
 * connection, and ask for byte-identical answers, entry by entry. Only
 * the VERSION text and the STAT values not named are let differ.
 * Skipped (and passing) when memcached is not installed.
 *
 * Corpus lines: a request, sent in one write, with escapes \r \n \t \\
 * \0 \xHH and {c*N} (N times c), {now+N} / {now-N} (unix time), {cas}
 * (the last cas the engine answered). Or a directive:
 *   @version [request]  version (or request): any text after "VERSION "
 *   @stats f1 f2 ...    stats: same form, fields f1.. equal
 *   @close <request>    both must answer alike and then hang up
 * Lines starting with # are comments.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
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
#include "user/memcached.h"

#define MEMCACHED	"/usr/bin/memcached"
#define CORPUS		"tests/memcached_corpus.txt"

struct buf {
	char *p;
	size_t len, cap;
};

static void
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

static int64_t
wall_clock(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

/* A port nobody listens on right now. */
static int
free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int
dial(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static pid_t server_pid = -1;
static int server_port;

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
		char port[16];
		int fd;

		server_port = free_port();
		snprintf(port, sizeof port, "%d", server_port);
		if ((server_pid = fork()) == 0) {
			int devnull = open("/dev/null", O_RDWR);

			/* If this test dies, so does its server. */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			dup2(devnull, 1);
			dup2(devnull, 2);
			execl(MEMCACHED, "memcached", "-U", "0", "-p", port,
			    "-l", "127.0.0.1", "-m", "64", "-t", "1",
			    "-u", "root", (char *)NULL);
			_exit(127);
		}
		for (int i = 0; i < 300; i++) {
			if ((fd = dial(server_port)) >= 0) {
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

/* Read until want bytes, or text ending in end, or EOF, or a timeout. */
static bool
recv_until(int fd, struct buf *b, size_t want, const char *end, int ms)
{
	char tmp[65536];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (want != 0 && b->len >= want)
			return false;
		if (end != NULL && b->len >= strlen(end) &&
		    strcmp(b->p + b->len - strlen(end), end) == 0)
			return false;
		if (poll(&p, 1, ms) <= 0)
			return false;
		n = read(fd, tmp, sizeof tmp);
		if (n <= 0)
			return true;	/* EOF or reset */
		buf_add(b, tmp, (size_t)n);
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

static uint64_t last_cas;

/* Remember the cas of the last gets answer, for {cas}. */
static void
note_cas(const struct buf *b)
{
	const char *p = b->p;

	while (p != NULL && (p = strstr(p, "VALUE ")) != NULL) {
		char key[300];
		unsigned long long cas;
		unsigned fl, nb;

		if (sscanf(p, "VALUE %299s %u %u %llu\r", key, &fl, &nb,
		    &cas) == 4)
			last_cas = cas;
		p += 6;
	}
}

/* A corpus line to bytes. */
static void
expand(const char *s, struct buf *b)
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
				    (long long)time(NULL) + n);
				buf_add(b, tmp, strlen(tmp));
			} else if (strncmp(s, "cas}", 4) == 0) {
				snprintf(tmp, sizeof tmp, "%llu",
				    (unsigned long long)last_cas);
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

static void
mismatch(int lineno, const char *req, const struct buf *eng,
    const struct buf *ref, const char *why)
{
	mismatches++;
	fprintf(stderr, "%s:%d: %s: %.120s\n", CORPUS, lineno, why, req);
	show("engine", eng);
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

int
main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : CORPUS;
	struct mc_store *s;
	struct mc_conn *c;
	FILE *f;
	char line[8192];
	int fd, lineno = 0, entries = 0;

	if (access(MEMCACHED, X_OK) != 0) {
		printf("SKIPPED: memcached not installed (%s)\n", MEMCACHED);
		return check_done("test_memcached_ref");
	}
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "cannot open %s\n", path);
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	CHECK(start_server());
	if (server_pid < 0)
		return check_done("test_memcached_ref");
	atexit(stop_server);
	fd = dial(server_port);
	CHECK(fd >= 0);
	s = mc_store_new(64u << 20, wall_clock, NULL);
	c = mc_conn_new(s);
	while (fgets(line, sizeof line, f) != NULL) {
		struct buf req = { 0 }, eng = { 0 }, ref = { 0 };
		const char *text = line;
		bool eof = false;

		lineno++;
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		entries++;
		if (strcmp(line, "@version") == 0)
			text = "version\\r\\n";
		else if (strncmp(line, "@version ", 9) == 0)
			text = line + 9;
		else if (strncmp(line, "@stats", 6) == 0)
			text = "stats\\r\\n";
		else if (strncmp(line, "@close ", 7) == 0)
			text = line + 7;
		expand(text, &req);
		engine_run(c, req.p, req.len, &eng);
		note_cas(&eng);
		send_all(fd, req.p, req.len);
		if (strncmp(line, "@close ", 7) == 0) {
			eof = recv_until(fd, &ref, 0, NULL, 3000);
			if (!eof || !mc_conn_closing(c) || eng.len != ref.len ||
			    (eng.len != 0 && memcmp(eng.p, ref.p, eng.len) != 0))
				mismatch(lineno, line, &eng, &ref,
				    eof ? (mc_conn_closing(c) ? "answers differ"
				    : "engine stayed open") :
				    "memcached stayed open");
			CHECK(eof && mc_conn_closing(c));
			/* Both hang up: go on over new connections. */
			close(fd);
			mc_conn_free(c);
			fd = dial(server_port);
			c = mc_conn_new(s);
			CHECK(fd >= 0 && c != NULL);
		} else if (strncmp(line, "@version", 8) == 0) {
			recv_until(fd, &ref, 0, "\r\n", 2000);
			CHECK(strcmp(eng.p, "VERSION " MC_VERSION "\r\n") == 0);
			if (strncmp(ref.p ? ref.p : "", "VERSION ", 8) != 0)
				mismatch(lineno, line, &eng, &ref, "version");
		} else if (strncmp(line, "@stats", 6) == 0) {
			char names[sizeof line], *name, *save = NULL;

			recv_until(fd, &ref, 0, "END\r\n", 2000);
			if (!stats_form(&eng) || !stats_form(&ref))
				mismatch(lineno, line, &eng, &ref, "stats form");
			memcpy(names, line + 6, strlen(line + 6) + 1);
			for (name = strtok_r(names, " ", &save); name != NULL;
			    name = strtok_r(NULL, " ", &save)) {
				char ev[64] = "(none)", rv[64] = "(none)";
				bool e = stat_value(&eng, name, ev, sizeof ev);
				bool r = stat_value(&ref, name, rv, sizeof rv);

				if (!e || !r || strcmp(ev, rv) != 0) {
					mismatches++;
					fprintf(stderr, "%s:%d: STAT %s: engine "
					    "%s, memcached %s\n", path, lineno,
					    name, ev, rv);
				}
			}
		} else {
			/*
			 * As many bytes as the engine gave; if memcached
			 * says more, the next entry shows it.
			 */
			eof = recv_until(fd, &ref, eng.len,
			    NULL, eng.len != 0 ? 2000 : 20);
			if (eof || eng.len != ref.len ||
			    (eng.len != 0 && memcmp(eng.p, ref.p, eng.len) != 0))
				mismatch(lineno, line, &eng, &ref,
				    eof ? "memcached hung up" : "answers differ");
			CHECK(!mc_conn_closing(c));
		}
		free(req.p);
		free(eng.p);
		free(ref.p);
	}
	fclose(f);
	printf("%d corpus entries compared with %s, %d differ\n", entries,
	    MEMCACHED, mismatches);
	CHECK(entries > 100);
	CHECK_EQ(mismatches, 0);
	close(fd);
	mc_conn_free(c);
	mc_store_free(s);
	stop_server();
	return check_done("test_memcached_ref");
}
