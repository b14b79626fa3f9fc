/*
 * serve_nbd.c — `capio run nbd`: NBD exports served to real clients
 * through TAP interfaces, each by an unprivileged process that holds one
 * NIC (its CAPIO slices, lwIP TCP) and one queue pair of a shared NVMe
 * controller (its doorbell slices, rings and buffers). The namespace is
 * a host file (Flush fsyncs it) or RAM; the processes split it in equal
 * windows, one export each (serve.h).
 */
#include "eval/serve.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "board/board.h"
#include "dev/e1000e.h"
#include "eval/hostif.h"
#include "kernel/kernel.h"
#include "net/wire.h"
#include "user/server.h"

#define NBD_BLOCK	512u		/* the board's namespace block size */
#define WINDOW_ALIGN	8u		/* blocks: windows start on 4 KiB */

void
serve_nbd_tap(const struct serve_opts *o, unsigned i, char *buf, size_t len)
{
	if (o->tenants <= 1)
		snprintf(buf, len, "%s", o->tap);
	else
		snprintf(buf, len, "%s%u", o->tap, i);
}

void
serve_nbd_cidr(const char *cidr, unsigned i, char *buf, size_t len)
{
	unsigned a, b, c, d, l;

	if (sscanf(cidr, "%u.%u.%u.%u/%u", &a, &b, &c, &d, &l) != 5 ||
	    l == 0 || l > 32) {
		snprintf(buf, len, "%s", cidr);
		return;
	}
	uint32_t v = (uint32_t)(a << 24 | b << 16 | c << 8 | d);
	v += (uint32_t)i << (32 - l);
	snprintf(buf, len, "%u.%u.%u.%u/%u", v >> 24, (v >> 16) & 255,
	    (v >> 8) & 255, v & 255, l);
}

struct tenant {
	struct server_cfg *sc;
	int pid;
	unsigned restarts;
	char tap[16], ip[32], host[32];
};

static int
spawn(struct kernel *k, const struct serve_opts *o, struct tenant *t,
    unsigned i, uint64_t per)
{
	struct server_cfg *sc;
	char name[16];
	int pid;

	if ((sc = calloc(1, sizeof *sc)) == NULL)
		return -ENOMEM;
	sc->app = APP_NBD;
	sc->dev = (int)i;
	sc->kernel_path = o->kernel_path;
	board_nic_mac(kernel_board(k), (int)i, sc->mac);
	snprintf(sc->cidr, sizeof sc->cidr, "%s", t->ip);
	sc->port = (uint16_t)o->port;
	sc->unfiltered = o->unfiltered;
	sc->nvme_dev = (int)o->tenants;		/* after the NICs */
	sc->nvme_unit = i;
	sc->first_lba = (uint64_t)i * per;
	sc->nblocks = per;
	snprintf(sc->export_name, sizeof sc->export_name, "%s",
	    o->export_name);
	snprintf(name, sizeof name, "nbd%u", i);
	if ((pid = kernel_spawn(k, name, server_main, sc)) < 0) {
		free(sc);
		return pid;
	}
	free(t->sc);
	t->sc = sc;
	t->pid = pid;
	return 0;
}

/* The namespace's size: an existing file's own (o->size must agree),
 * else o->size. 0 and a message when neither works. */
static uint64_t
disk_size(const struct serve_opts *o, char *err, size_t errlen)
{
	struct stat st;
	uint64_t size = o->size;

	if (o->disk != NULL && stat(o->disk, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "--disk %s is not a regular file",
			    o->disk);
			return 0;
		}
		if (o->size != 0 && o->size != (uint64_t)st.st_size) {
			snprintf(err, errlen, "--disk %s exists with %llu bytes, "
			    "not --size %llu (leave --size out to serve it as "
			    "it is)", o->disk, (unsigned long long)st.st_size,
			    (unsigned long long)o->size);
			return 0;
		}
		size = (uint64_t)st.st_size;
	} else if (o->disk != NULL && errno != ENOENT) {
		snprintf(err, errlen, "--disk %s: %s", o->disk, strerror(errno));
		return 0;
	}
	size -= size % (NBD_BLOCK * WINDOW_ALIGN);
	if (size < (uint64_t)o->tenants * NBD_BLOCK * WINDOW_ALIGN) {
		snprintf(err, errlen, "the disk needs at least %u bytes (4 KiB "
		    "a tenant)%s", o->tenants * NBD_BLOCK * WINDOW_ALIGN,
		    o->disk != NULL && o->size == 0 ?
		    "; a new --disk needs --size" : "");
		return 0;
	}
	return size;
}

static void
print_line(struct kernel *k, const struct serve_opts *o,
    const struct tenant *t, double at)
{
	struct kernel_stats ks;

	kernel_get_stats(k, &ks);
	for (unsigned i = 0; i < o->tenants; i++) {
		const struct server_stats *st = &t[i].sc->st;
		bool lu = (e1000e_peek(board_nic(kernel_board(k), (int)i),
		    E1000E_STATUS) & E1000E_STATUS_LU) != 0;

		printf("[%6.1fs] %s: link %s, rx %llu tx %llu frames, "
		    "connections %llu, requests %llu, read %llu written %llu "
		    "bytes, errors %llu, syscalls %llu, restarts %u\n", at,
		    t[i].tap, lu ? "up" : "down",
		    (unsigned long long)st->rx_frames,
		    (unsigned long long)st->tx_frames,
		    (unsigned long long)st->connections,
		    (unsigned long long)st->nbd.requests,
		    (unsigned long long)st->nbd.bytes_read,
		    (unsigned long long)st->nbd.bytes_written,
		    (unsigned long long)st->nbd.errors,
		    (unsigned long long)ks.syscalls, t[i].restarts);
	}
	fflush(stdout);
}

int
serve_nbd(const struct serve_opts *o)
{
	struct board_desc bd;
	struct kernel_opts ko;
	struct tenant t[BOARD_MAX_DEVS];
	struct pollfd pfd[BOARD_MAX_DEVS];
	struct kernel *k;
	char spec[BOARD_MAX_DEVS][32], err[256];
	uint64_t size, per;
	double start, last;
	unsigned n = o->tenants;
	int rc = 0;

	memset(t, 0, sizeof t);
	if (n == 0 || n >= BOARD_MAX_DEVS) {
		fprintf(stderr, "capio run: --tenants must be 1..%d\n",
		    BOARD_MAX_DEVS - 1);
		return 2;
	}
	if ((size = disk_size(o, err, sizeof err)) == 0) {
		fprintf(stderr, "capio run: %s\n", err);
		return 1;
	}
	per = size / NBD_BLOCK / n;
	per -= per % WINDOW_ALIGN;
	board_desc_default(&bd);
	bd.nics = (int)n;
	bd.nvmes = 1;
	bd.nvme[0].queues = n;
	bd.nvme[0].ns_bytes = size;
	bd.nvme[0].path = o->disk;
	bd.pcap = o->pcap;
	for (unsigned i = 0; i < n; i++) {
		serve_nbd_tap(o, i, t[i].tap, sizeof t[i].tap);
		serve_nbd_cidr(o->ip, i, t[i].ip, sizeof t[i].ip);
		if (o->host_ip != NULL)
			serve_nbd_cidr(o->host_ip, i, t[i].host,
			    sizeof t[i].host);
		snprintf(spec[i], sizeof spec[i], "tap:%s", t[i].tap);
		if (i == 0)
			bd.wire = spec[0];
		else
			bd.nic_wire[i] = spec[i];
	}
	kernel_opts_default(&ko);
	if ((k = kernel_boot(board_new(&bd, err, sizeof err), &ko, err,
	    sizeof err)) == NULL) {
		fprintf(stderr, "capio run: %s\n", err);
		return 1;
	}
	for (unsigned i = 0; i < n && o->host_ip != NULL; i++)
		if (hostif_configure(t[i].tap, t[i].host, err, sizeof err) != 0) {
			fprintf(stderr, "capio run: %s\n", err);
			kernel_halt(k);
			return 1;
		}
	for (unsigned i = 0; i < n; i++) {
		int e = spawn(k, o, &t[i], i, per);

		if (e < 0) {
			fprintf(stderr, "capio run: cannot start tenant %u: %s\n",
			    i, strerror(-e));
			kernel_halt(k);
			for (unsigned j = 0; j < n; j++)
				free(t[j].sc);
			return 1;
		}
		pfd[i].fd = wire_fd(board_nic_wire(kernel_board(k), (int)i));
		pfd[i].events = POLLIN;
	}
	serve_catch_stop();
	for (unsigned i = 0; i < n; i++)
		printf("capio run: nbd export '%s' (%llu bytes, blocks %llu.. of "
		    "%s) on %s (%s path), address %s port %u\n",
		    o->export_name, (unsigned long long)(per * NBD_BLOCK),
		    (unsigned long long)(i * per), o->disk != NULL ? o->disk :
		    "a RAM namespace", t[i].tap, o->kernel_path ? "kernel" :
		    "CAPIO", t[i].ip, o->port);
	printf("capio run: Ctrl-C stops\n");
	fflush(stdout);
	start = last = serve_now();
	while (!serve_stopping() && rc == 0) {
		uint64_t before = 0, after = 0;

		for (unsigned i = 0; i < n; i++)
			before += t[i].sc->st.rx_frames + t[i].sc->st.tx_frames +
			    t[i].sc->st.nbd.bytes_read;
		kernel_run(k, 64);
		for (unsigned i = 0; i < n && rc == 0; i++) {
			struct proc_info pi;

			kernel_proc_info(k, t[i].pid, &pi);
			if (pi.state == PROC_RUNNABLE)
				continue;
			if (pi.state == PROC_KILLED && t[i].restarts < o->restarts) {
				/* A crash costs its clients a reconnect; the
				 * other tenants run on. */
				t[i].restarts++;
				fprintf(stderr, "capio run: tenant %u died: %s; "
				    "restarting it (%u of %u)\n", i, pi.status,
				    t[i].restarts, o->restarts);
				if (spawn(k, o, &t[i], i, per) != 0)
					rc = 1;
				continue;
			}
			fprintf(stderr, "capio run: tenant %u ended: %s%s%s\n", i,
			    pi.status, t[i].sc->err[0] ? ": " : "",
			    t[i].sc->err);
			rc = 1;
		}
		for (unsigned i = 0; i < n; i++)
			after += t[i].sc->st.rx_frames + t[i].sc->st.tx_frames +
			    t[i].sc->st.nbd.bytes_read;
		if (after == before)
			poll(pfd, n, 1);	/* idle: until the host sends */
		double at = serve_now();
		if (at - last >= 1.0) {
			print_line(k, o, t, at - start);
			last = at;
		}
		if (o->seconds != 0 && at - start >= o->seconds)
			break;
	}
	for (unsigned i = 0; i < n; i++)
		t[i].sc->stop = true;
	kernel_run(k, 100000);
	for (unsigned i = 0; i < n; i++) {
		struct proc_info pi;

		kernel_proc_info(k, t[i].pid, &pi);
		printf("capio run: stopped; tenant %u %s; restarted %u times; "
		    "%llu requests, %llu errors, %llu closed for protocol "
		    "violations\n", i, pi.status, t[i].restarts,
		    (unsigned long long)t[i].sc->st.nbd.requests,
		    (unsigned long long)t[i].sc->st.nbd.errors,
		    (unsigned long long)t[i].sc->st.nbd.violations);
		if (pi.state != PROC_EXITED || pi.exit_code != 0)
			rc = 1;
	}
	/* Halting the board fsyncs and closes the disk. */
	kernel_halt(k);
	for (unsigned i = 0; i < n; i++)
		free(t[i].sc);
	return rc;
}
