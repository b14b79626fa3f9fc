/*
 * test_memcached_binary_ref.c — the engine's binary protocol against the
 * real memcached: start /usr/bin/memcached on a free 127.0.0.1 port, send
 * each case (binary requests, well formed or not) on a fresh connection
 * to it and to the engine, and ask for byte-identical answers and the
 * same hang-up. Only cas fields and stat values may differ (and the
 * engine's stat names must be among memcached's, which is given capio's
 * idle_timeout for that). Skipped (and passing) when memcached is not
 * installed.
 *
 *   test_memcached_binary_ref [--target HOST:PORT]
 *
 * With --target the cases go over TCP to that server (`capio run
 * memcached`) instead of the in-process engine.
 */
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
#include "mcbin_req.h"
#include "user/memcached.h"

#define MEMCACHED	"/usr/bin/memcached"
#define QUIET_MS	300	/* no more bytes by then: the answer ended */
#define WAIT_MS		3000
#define MARK		0x4d41524bu	/* the closing noop's opaque */
#define NO_CREATE	0xffffffffu

static const char *ref_host = "127.0.0.1";
static char ref_port[16];
static pid_t ref_pid = -1;
static char *target_host, *target_port;
static int mismatches;

static int64_t
wall_clock(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

static int
dial(const char *host, const char *port)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
	    .ai_socktype = SOCK_STREAM }, *ai = NULL;
	int fd = -1, one = 1;

	if (getaddrinfo(host, port, &hints, &ai) != 0)
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

static void
stop_ref(void)
{
	if (ref_pid > 0) {
		kill(ref_pid, SIGTERM);
		waitpid(ref_pid, NULL, 0);
		ref_pid = -1;
	}
}

static bool
start_ref(void)
{
	for (int attempt = 0; attempt < 5; attempt++) {
		int fd, port = free_port();

		if (port < 0)
			return false;
		snprintf(ref_port, sizeof ref_port, "%d", port);
		if ((ref_pid = fork()) == 0) {
			int devnull = open("/dev/null", O_RDWR);

			prctl(PR_SET_PDEATHSIG, SIGTERM);
			dup2(devnull, 1);
			dup2(devnull, 2);
			execl(MEMCACHED, "memcached", "-U", "0", "-p", ref_port,
			    "-l", ref_host, "-m", "64", "-t", "1", "-u", "root",
			    "-o", "idle_timeout=300", (char *)NULL);
			_exit(127);
		}
		for (int i = 0; i < 300; i++) {
			if ((fd = dial(ref_host, ref_port)) >= 0) {
				close(fd);
				return true;
			}
			if (waitpid(ref_pid, NULL, WNOHANG) == ref_pid)
				break;
			usleep(10 * 1000);
		}
		stop_ref();
	}
	return false;
}

/* Building requests: mcbin_req.h, with opaques counting from 0x1000. */
static void
simple(struct buf *b, uint8_t op, const char *key)
{
	req(b, op, key, NULL, 0, NULL, 0, 0);
}

static void
noop_mark(struct buf *b)
{
	hdr(b, 0x80, 0x0a, 0, 0, 0, MARK, 0);
}

/* Whether b's responses end with the marked noop's. */
static bool
marked(const struct buf *b)
{
	size_t i = 0;

	while (i + 24 <= b->len) {
		const uint8_t *h = (const uint8_t *)b->p + i;
		uint32_t body = (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 |
		    (uint32_t)h[10] << 8 | h[11];

		if (h[1] == 0x0a && memcmp(h + 12, "MARK", 4) == 0 &&
		    i + 24 == b->len)
			return true;
		i += 24 + (size_t)body;
	}
	return false;
}

/* Send p to fd, reading the answer meanwhile; true if it hung up. */
static bool
net_run(int fd, const char *p, size_t n, struct buf *out)
{
	char tmp[65536];

	for (;;) {
		struct pollfd pf = { .fd = fd,
		    .events = POLLIN | (n > 0 ? POLLOUT : 0) };
		int ms = n > 0 ? WAIT_MS : marked(out) ? 0 : QUIET_MS;
		ssize_t k;

		if (poll(&pf, 1, ms) <= 0)
			return false;
		if ((pf.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
			k = recv(fd, tmp, sizeof tmp, MSG_DONTWAIT);
			if (k == 0 || (k < 0 && errno != EAGAIN &&
			    errno != EINTR))
				return true;
			if (k > 0)
				buf_add(out, tmp, (size_t)k);
		}
		if (n > 0 && (pf.revents & POLLOUT) != 0) {
			k = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (k > 0) {
				p += k;
				n -= (size_t)k;
			}
		}
	}
}

static bool
engine_run(struct mc_store *s, const char *p, size_t n, struct buf *out)
{
	struct mc_conn *c = mc_conn_new(s);
	const void *o;
	size_t olen;
	bool closed;

	if (c == NULL)
		abort();
	for (;;) {
		size_t took = mc_conn_feed(c, p, n);

		p += took;
		n -= took;
		while ((o = mc_conn_output(c, &olen)) != NULL) {
			buf_add(out, o, olen);
			mc_conn_consume_output(c, olen);
		}
		if (n == 0)
			break;
	}
	closed = mc_conn_closing(c);
	mc_conn_free(c);
	return closed;
}

/*
 * The answers with cas zeroed and stats with a name taken out, their
 * names (NUL-separated) into names.
 */
static void
normalize(const struct buf *in, struct buf *out, struct buf *names)
{
	size_t i = 0;

	while (i + 24 <= in->len) {
		uint8_t h[24];
		uint32_t body;
		uint16_t key;

		memcpy(h, in->p + i, 24);
		key = (uint16_t)(h[2] << 8 | h[3]);
		body = (uint32_t)h[8] << 24 | (uint32_t)h[9] << 16 |
		    (uint32_t)h[10] << 8 | h[11];
		if (i + 24 + body > in->len)
			break;
		memset(h + 16, 0, 8);
		if (h[0] == 0x81 && h[1] == 0x10 && key != 0) {
			buf_add(names, in->p + i + 24, key);
			buf_add(names, "", 1);
		} else {
			buf_add(out, h, 24);
			if (body != 0)
				buf_add(out, in->p + i + 24, body);
		}
		i += 24 + body;
	}
	if (i < in->len)
		buf_add(out, in->p + i, in->len - i);
}

static void
hexdump(const char *who, const struct buf *b)
{
	printf("  %s (%zu bytes):", who, b->len);
	for (size_t i = 0; i < b->len && i < 256; i++)
		printf("%s%02x", i % 24 == 0 ? "\n    " : " ",
		    (uint8_t)b->p[i]);
	printf("\n");
}

static bool
has_name(const struct buf *names, const char *n)
{
	for (size_t i = 0; i < names->len; i += strlen(names->p + i) + 1)
		if (strcmp(names->p + i, n) == 0)
			return true;
	return false;
}

/* Run one case on both and compare. */
static void
run_case(struct mc_store *s, const char *name, struct buf *b)
{
	struct buf ra = { 0 }, ta = { 0 }, rn = { 0 }, tn = { 0 };
	struct buf rnames = { 0 }, tnames = { 0 };
	bool rclosed, tclosed, same;
	int fd;

	/* Never NULL, even empty: they are compared. */
	buf_add(b, "", 0);
	buf_add(&ra, "", 0);
	buf_add(&ta, "", 0);
	buf_add(&rn, "", 0);
	buf_add(&tn, "", 0);
	buf_add(&tnames, "", 0);
	tnames.len = 0;
	if ((fd = dial(ref_host, ref_port)) < 0) {
		check_fail(__FILE__, __LINE__, "dial memcached");
		return;
	}
	rclosed = net_run(fd, b->p, b->len, &ra);
	close(fd);
	if (target_host != NULL) {
		if ((fd = dial(target_host, target_port)) < 0) {
			check_fail(__FILE__, __LINE__, "dial target");
			return;
		}
		tclosed = net_run(fd, b->p, b->len, &ta);
		close(fd);
	} else
		tclosed = engine_run(s, b->p, b->len, &ta);
	normalize(&ra, &rn, &rnames);
	normalize(&ta, &tn, &tnames);
	same = rn.len == tn.len && memcmp(rn.p, tn.p, rn.len) == 0 &&
	    rclosed == tclosed;
	for (size_t i = 0; same && i < tnames.len;
	    i += strlen(tnames.p + i) + 1)
		if (!has_name(&rnames, tnames.p + i)) {
			printf("  stat %s: not memcached's\n", tnames.p + i);
			same = false;
		}
	check_count++;
	if (!same) {
		mismatches++;
		printf("MISMATCH %s: memcached%s, %s%s\n", name,
		    rclosed ? " closed" : "", target_host ? "target" : "engine",
		    tclosed ? " closed" : "");
		hexdump("memcached", &ra);
		hexdump(target_host ? "target" : "engine", &ta);
		check_fail(__FILE__, __LINE__, name);
	}
	free(ra.p);
	free(ta.p);
	free(rn.p);
	free(tn.p);
	free(rnames.p);
	free(tnames.p);
	b->len = 0;
}

#define CASE(name) for (int once_ = (flush(&b), 1); once_; \
	once_ = 0, noop_mark(&b), run_case(s, name, &b))

static void
flush(struct buf *b)
{
	hdr(b, 0x80, 0x18, 0, 0, 0, mcbin_opaque++, 0);	/* flushq */
}

static void
cases(struct mc_store *s)
{
	struct buf b = { 0 }, big = { 0 };

	CASE("version, noop") {
		simple(&b, 0x0b, NULL);
		simple(&b, 0x0a, NULL);
	}
	CASE("get misses, loud and quiet") {
		simple(&b, 0x00, "nokey");
		simple(&b, 0x0c, "nokey");
		simple(&b, 0x09, "nokey");
		simple(&b, 0x0d, "nokey");
	}
	CASE("set and the gets") {
		store(&b, 0x01, "k1", 0xdeadbeef, 0, "hello", 0);
		simple(&b, 0x00, "k1");
		simple(&b, 0x0c, "k1");
		simple(&b, 0x09, "k1");
		simple(&b, 0x0d, "k1");
		req(&b, 0x00, "k1", NULL, 0, NULL, 0, 12345);
	}
	CASE("empty value, binary bytes") {
		store(&b, 0x01, "e", 0, 0, "", 0);
		simple(&b, 0x00, "e");
		req(&b, 0x01, "bin", "\0\0\0\1\0\0\0\0", 8, "a\r\nb\0c", 6, 0);
		simple(&b, 0x0c, "bin");
	}
	CASE("add, replace") {
		store(&b, 0x02, "a", 1, 0, "x", 0);
		store(&b, 0x02, "a", 2, 0, "y", 0);
		store(&b, 0x03, "r", 1, 0, "x", 0);
		store(&b, 0x03, "a", 3, 0, "z", 0);
		simple(&b, 0x00, "a");
	}
	CASE("cas: mismatch, missing") {
		store(&b, 0x01, "c", 0, 0, "v", 0);
		store(&b, 0x01, "c", 0, 0, "w", 999999999);
		store(&b, 0x01, "nc", 0, 0, "w", 999999999);
		store(&b, 0x02, "nc", 0, 0, "w", 999999999);
		store(&b, 0x03, "c", 0, 0, "w", 999999999);
		simple(&b, 0x00, "c");
	}
	CASE("quiet stores") {
		store(&b, 0x11, "q", 0, 0, "1", 0);
		store(&b, 0x12, "q", 0, 0, "2", 0);
		store(&b, 0x12, "q2", 0, 0, "2", 0);
		store(&b, 0x13, "q3", 0, 0, "3", 0);
		store(&b, 0x13, "q", 0, 0, "3", 0);
		store(&b, 0x11, "q4", 0, 0, "4", 1);
		simple(&b, 0x0a, NULL);
		simple(&b, 0x00, "q");
	}
	CASE("delete") {
		store(&b, 0x01, "d", 0, 0, "v", 0);
		req(&b, 0x04, "d", NULL, 0, NULL, 0, 77777777);
		simple(&b, 0x04, "d");
		simple(&b, 0x04, "d");
		store(&b, 0x01, "d", 0, 0, "v", 0);
		simple(&b, 0x14, "d");
		simple(&b, 0x14, "d");
	}
	CASE("incr, decr") {
		delta(&b, 0x05, "n", 5, 10, 0, 0);
		delta(&b, 0x05, "n", 5, 10, 0, 0);
		delta(&b, 0x06, "n", 100, 10, 0, 0);
		delta(&b, 0x05, "m", 1, 0, NO_CREATE, 0);
		delta(&b, 0x06, "m", 1, 0, NO_CREATE, 0);
		delta(&b, 0x15, "n", 1, 0, 0, 0);
		delta(&b, 0x16, "n", 1, 0, 0, 0);
		delta(&b, 0x15, "m", 1, 0, NO_CREATE, 0);
		delta(&b, 0x05, "n", 1, 0, 0, 123456789);
		store(&b, 0x01, "t", 0, 0, "text", 0);
		delta(&b, 0x05, "t", 1, 0, 0, 0);
		store(&b, 0x01, "big", 0, 0, "18446744073709551615", 0);
		delta(&b, 0x05, "big", 2, 0, 0, 0);
		store(&b, 0x01, "pad", 0, 0, "100", 0);
		delta(&b, 0x06, "pad", 1, 0, 0, 0);
		simple(&b, 0x00, "pad");
		delta(&b, 0x05, "newq", 1, 42, 0, 0);
		delta(&b, 0x15, "newq2", 1, 42, 0, 0);
		simple(&b, 0x00, "newq2");
		store(&b, 0x01, "e", 0, 0, "", 0);
		delta(&b, 0x05, "e", 1, 0, 0, 1);
	}
	CASE("append, prepend") {
		store(&b, 0x01, "ap", 7, 0, "mid", 0);
		simple(&b, 0x0e, "ap");
		req(&b, 0x0e, "ap", NULL, 0, "-end", 4, 0);
		req(&b, 0x0f, "ap", NULL, 0, "start-", 6, 0);
		req(&b, 0x0e, "none", NULL, 0, "x", 1, 0);
		req(&b, 0x0f, "none", NULL, 0, "x", 1, 0);
		req(&b, 0x19, "ap", NULL, 0, "!", 1, 0);
		req(&b, 0x1a, "none", NULL, 0, "x", 1, 0);
		req(&b, 0x0e, "ap", NULL, 0, "x", 1, 424242);
		simple(&b, 0x00, "ap");
	}
	CASE("touch, gat, gatk") {
		store(&b, 0x01, "g", 5, 0, "val", 0);
		with_exptime(&b, 0x1c, "g", 100);
		with_exptime(&b, 0x1c, "nog", 100);
		with_exptime(&b, 0x1d, "g", 0);
		with_exptime(&b, 0x1d, "nog", 0);
		with_exptime(&b, 0x23, "g", 0);
		with_exptime(&b, 0x23, "nog", 0);
		with_exptime(&b, 0x1e, "nog", 0);
		with_exptime(&b, 0x24, "nog", 0);
		with_exptime(&b, 0x1e, "g", 0);
		with_exptime(&b, 0x24, "g", 0);
	}
	CASE("exptimes") {
		store(&b, 0x01, "past", 0, 1000000000, "v", 0);
		simple(&b, 0x00, "past");
		store(&b, 0x01, "far", 0, 0xfffffff0u, "v", 0);
		simple(&b, 0x00, "far");
		store(&b, 0x01, "soon", 0, 100, "v", 0);
		simple(&b, 0x00, "soon");
		with_exptime(&b, 0x1c, "soon", 1000000000);
		simple(&b, 0x00, "soon");
		delta(&b, 0x05, "cp", 1, 5, 1000000000, 0);
		simple(&b, 0x00, "cp");
	}
	CASE("flush") {
		store(&b, 0x01, "f", 0, 0, "v", 0);
		simple(&b, 0x08, NULL);
		simple(&b, 0x00, "f");
		store(&b, 0x01, "f", 0, 0, "v", 0);
		simple(&b, 0x18, NULL);
		simple(&b, 0x00, "f");
		store(&b, 0x01, "f", 0, 0, "v", 0);
		with_exptime(&b, 0x08, NULL, 100);
		simple(&b, 0x00, "f");
		with_exptime(&b, 0x08, NULL, 0);
		simple(&b, 0x00, "f");
	}
	CASE("stat") {
		simple(&b, 0x10, NULL);
	}
	CASE("stat settings, reset, unknown") {
		simple(&b, 0x10, "settings");
		simple(&b, 0x10, "reset");
		simple(&b, 0x10, "nosuchgroup");
		simple(&b, 0x10, "detail dump");
		simple(&b, 0x10, "detail bogus");
	}
	CASE("stat with a body longer than its key") {
		hdr(&b, 0x80, 0x10, 5, 0, 5 + 24, mcbin_opaque++, 0);
		buf_add(&b, "reset", 5);
		simple(&b, 0x0b, NULL);
	}
	CASE("quit") {
		simple(&b, 0x07, NULL);
		simple(&b, 0x0b, NULL);
	}
	CASE("quitq") {
		simple(&b, 0x0a, NULL);
		simple(&b, 0x17, NULL);
		simple(&b, 0x0b, NULL);
	}
	CASE("sasl, as memcached without it") {
		simple(&b, 0x20, NULL);
		req(&b, 0x21, "PLAIN", NULL, 0, "\0user\0pass", 10, 0);
		req(&b, 0x22, "PLAIN", NULL, 0, "x", 1, 0);
	}
	CASE("unknown opcodes: the body swallowed after extras and key") {
		simple(&b, 0x50, NULL);
		req(&b, 0xfe, "abc", NULL, 0, NULL, 0, 0);
		buf_add(&b, "xyz", 3);
		req(&b, 0x1b, NULL, "\0\0\0\1", 4, NULL, 0, 0);
		buf_add(&b, "1234", 4);
		simple(&b, 0x0b, NULL);
	}
	CASE("value too large: answered, swallowed, old value gone") {
		store(&b, 0x01, "tl", 0, 0, "old", 0);
		buf_add(&big, "", 0);
		for (int i = 0; i < 1024 * 1024; i++)
			buf_add(&big, "x", 1);
		store(&b, 0x01, "tl", 0, 0, big.p, 0);
		simple(&b, 0x00, "tl");
		store(&b, 0x12, "tl", 0, 0, big.p, 0);
		req(&b, 0x0e, "tl", NULL, 0, big.p, big.len, 0);
	}
	CASE("bad magic after binary") {
		simple(&b, 0x0a, NULL);
		buf_add(&b, "version\r\n", 9);
		buf_add(&b, "........................", 24);
	}
	CASE("response magic") {
		hdr(&b, 0x81, 0x0a, 0, 0, 0, mcbin_opaque++, 0);
	}
	CASE("get with extras") {
		req(&b, 0x00, "k", "\0\0\0\0", 4, NULL, 0, 0);
	}
	CASE("get with a value") {
		req(&b, 0x00, "k", NULL, 0, "v", 1, 0);
	}
	CASE("get without key") {
		simple(&b, 0x00, NULL);
	}
	CASE("key of 251 bytes") {
		char key[252];

		memset(key, 'k', 251);
		key[251] = '\0';
		simple(&b, 0x00, key);
	}
	CASE("key of 250 bytes") {
		char key[251];

		memset(key, 'k', 250);
		key[250] = '\0';
		store(&b, 0x01, key, 0, 0, "v", 0);
		simple(&b, 0x0c, key);
	}
	CASE("key longer than the body") {
		hdr(&b, 0x80, 0x00, 10, 0, 5, mcbin_opaque++, 0);
		buf_add(&b, "0123456789", 10);
	}
	CASE("extras longer than the body") {
		hdr(&b, 0x80, 0x01, 1, 8, 8, mcbin_opaque++, 0);
		buf_add(&b, "123456789", 9);
	}
	CASE("set without extras") {
		req(&b, 0x01, "k", NULL, 0, "v", 1, 0);
	}
	CASE("set without key") {
		req(&b, 0x01, NULL, "\0\0\0\0\0\0\0\0", 8, "v", 1, 0);
	}
	CASE("incr with short extras") {
		req(&b, 0x05, "k", "\0\0\0\0\0\0\0\1", 8, NULL, 0, 0);
	}
	CASE("incr with a value") {
		hdr(&b, 0x80, 0x05, 1, 20, 22, mcbin_opaque++, 0);
		buf_add(&b, "00000000000000000000kv", 22);
	}
	CASE("noop with a body") {
		req(&b, 0x0a, NULL, NULL, 0, "x", 1, 0);
	}
	CASE("version with a key") {
		simple(&b, 0x0b, "k");
	}
	CASE("flush with 8 bytes of extras") {
		req(&b, 0x08, NULL, "\0\0\0\0\0\0\0\0", 8, NULL, 0, 0);
	}
	CASE("touch without extras") {
		simple(&b, 0x1c, "k");
	}
	CASE("stat with extras") {
		req(&b, 0x10, NULL, "\0\0\0\0", 4, NULL, 0, 0);
	}
	CASE("delete with a value") {
		req(&b, 0x04, "k", NULL, 0, "v", 1, 0);
	}
	CASE("append without key") {
		req(&b, 0x0e, NULL, NULL, 0, "v", 1, 0);
	}
	CASE("quit with a body") {
		req(&b, 0x07, NULL, NULL, 0, "v", 1, 0);
	}
	CASE("sasl list with a body") {
		req(&b, 0x20, NULL, NULL, 0, "v", 1, 0);
	}
	CASE("a 4 GiB unknown command") {
		hdr(&b, 0x80, 0x60, 1, 0, 0xffffffffu, mcbin_opaque++, 0);
		buf_add(&b, "k", 1);
		simple(&b, 0x0b, NULL);
	}
	CASE("a pipeline of quiet gets") {
		store(&b, 0x11, "p1", 1, 0, "one", 0);
		store(&b, 0x11, "p3", 3, 0, "three", 0);
		simple(&b, 0x0d, "p1");
		simple(&b, 0x0d, "p2");
		simple(&b, 0x0d, "p3");
		simple(&b, 0x09, "p1");
		simple(&b, 0x09, "p2");
	}
	free(b.p);
	free(big.p);
}

int
main(int argc, char **argv)
{
	struct mc_settings set;
	struct mc_store *s = NULL;

	mcbin_opaque = 0x1000;
	mcbin_opaque_step = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--target") == 0 && i + 1 < argc) {
			char *colon;

			target_host = argv[++i];
			if ((colon = strrchr(target_host, ':')) == NULL) {
				fprintf(stderr, "--target HOST:PORT\n");
				return 2;
			}
			*colon = '\0';
			target_port = colon + 1;
		} else {
			fprintf(stderr, "usage: test_memcached_binary_ref "
			    "[--target HOST:PORT]\n");
			return 2;
		}
	}
	if (access(MEMCACHED, X_OK) != 0) {
		printf("SKIPPED: memcached not installed (%s)\n", MEMCACHED);
		return 0;
	}
	signal(SIGPIPE, SIG_IGN);
	if (!start_ref()) {
		check_fail(__FILE__, __LINE__, "start memcached");
		return check_done("memcached_binary_ref");
	}
	/* capio's defaults; memcached is given its idle_timeout. */
	mc_settings_default(&set);
	if (target_host == NULL &&
	    (s = mc_store_open(&set, wall_clock, NULL)) == NULL)
		abort();
	cases(s);
	stop_ref();
	mc_store_free(s);
	if (mismatches != 0)
		printf("%d cases differ\n", mismatches);
	return check_done("memcached_binary_ref");
}
