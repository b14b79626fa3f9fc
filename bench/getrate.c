/*
 * getrate.c — how many `get`s of one value a memcached server answers
 * per second on one connection, each answer checked byte for byte: the
 * client of bench/large_get.sh, the same for capio and the real
 * memcached. TCP_NODELAY, one request in flight, as a simple client
 * waits for each answer.
 *
 *   getrate HOST PORT SIZE SECONDS   -> "gets_per_s N" on stdout
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
send_all(int s, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(s, p, n, 0);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read exactly n bytes. */
static int
recv_all(int s, char *p, size_t n)
{
	while (n > 0) {
		ssize_t r = recv(s, p, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char *end, *req, *want, *got, hdr[64];
	long size, secs;
	int s, one = 1;

	if (argc != 5) {
		fprintf(stderr, "usage: getrate HOST PORT SIZE SECONDS\n");
		return 2;
	}
	size = strtol(argv[3], &end, 10);
	secs = strtol(argv[4], &end, 10);
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1 ||
	    atoi(argv[2]) <= 0 || atoi(argv[2]) > 65535 || size < 1 ||
	    size > 1000000 || secs < 1 || secs > 3600) {
		fprintf(stderr, "getrate: bad arguments (an IPv4 address, a "
		    "port, 1..1000000 bytes, 1..3600 seconds)\n");
		return 2;
	}
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(s, (struct sockaddr *)&sa, sizeof sa) != 0) {
		fprintf(stderr, "getrate: connect %s:%s: %s\n", argv[1],
		    argv[2], strerror(errno));
		return 1;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	int hl = snprintf(hdr, sizeof hdr, "VALUE getrate 0 %ld\r\n", size);
	size_t wl = (size_t)hl + (size_t)size + 7;	/* \r\nEND\r\n */
	req = malloc((size_t)size + 64);
	want = malloc(wl);
	got = malloc(wl);
	int rc = 1;
	if (req == NULL || want == NULL || got == NULL)
		goto out;
	int rl = snprintf(req, 64, "set getrate 0 0 %ld\r\n", size);
	for (long i = 0; i < size; i++)
		req[rl + i] = (char)('a' + i % 26);
	memcpy(req + rl + size, "\r\n", 2);
	memcpy(want, hdr, (size_t)hl);
	memcpy(want + hl, req + rl, (size_t)size);
	memcpy(want + hl + size, "\r\nEND\r\n", 7);
	char stored[8];
	if (send_all(s, req, (size_t)rl + (size_t)size + 2) != 0 ||
	    recv_all(s, stored, 8) != 0 || memcmp(stored, "STORED\r\n", 8) != 0) {
		fprintf(stderr, "getrate: the set failed\n");
		goto out;
	}
	long n = 0;
	double t0 = now_s(), t;
	do {
		if (send_all(s, "get getrate\r\n", 13) != 0 ||
		    recv_all(s, got, wl) != 0) {
			fprintf(stderr, "getrate: connection lost after %ld gets\n", n);
			goto out;
		}
		if (memcmp(got, want, wl) != 0) {
			fprintf(stderr, "getrate: reply %ld differs\n", n);
			goto out;
		}
		n++;
	} while ((t = now_s()) - t0 < (double)secs);
	printf("gets_per_s %.0f\n", (double)n / (t - t0));
	rc = 0;
out:
	close(s);
	free(req);
	free(want);
	free(got);
	return rc;
}
