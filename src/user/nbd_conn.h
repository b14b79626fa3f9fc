/*
 * nbd_conn.h — one NBD connection as a byte-stream engine, without any
 * network: bytes from the client go in (nbd_conn_feed), bytes for the
 * client come out (nbd_conn_output), and the export's storage is reached
 * only through struct nbd_disk_ops. Fixed newstyle negotiation
 * (EXPORT_NAME, ABORT, LIST, INFO, GO), then READ, WRITE, DISC, FLUSH,
 * TRIM and WRITE_ZEROES with simple replies (nbd_proto.h). Every
 * request is checked against the export before storage sees it: the
 * disk is never asked for a byte outside [0, size).
 *
 * Work is bounded: the engine takes no more input while its output is
 * over NBD_OUT_HIGH or a request is still being carried out, and one
 * nbd_conn_work call does at most NBD_WORK_STEPS storage calls.
 */
#ifndef CAPIO_USER_NBD_CONN_H
#define CAPIO_USER_NBD_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* READ and WRITE reach the disk in pieces that never cross an
 * NBD_CHUNK boundary of the export; TRIM and WRITE_ZEROES in pieces of
 * at most NBD_ZERO_STEP bytes. */
#define NBD_CHUNK	4096u
#define NBD_ZERO_STEP	(32u << 20)
#define NBD_OUT_HIGH	(64u * 1024)	/* output that pauses input */
#define NBD_WORK_STEPS	32u

/*
 * The export's storage. Offsets and lengths are in bytes of the export,
 * always inside it; read/write lengths are 1..NBD_CHUNK within one
 * chunk. Each returns 0 or an NBD error value (NBD_EIO, ...).
 */
struct nbd_disk_ops {
	int (*read)(void *disk, uint64_t off, void *buf, uint32_t len);
	int (*write)(void *disk, uint64_t off, const void *buf, uint32_t len);
	int (*flush)(void *disk);	/* durable when it returns 0 */
	int (*trim)(void *disk, uint64_t off, uint64_t len);
	int (*zero)(void *disk, uint64_t off, uint64_t len, bool no_hole);
};

struct nbd_export {
	const char *name;		/* "" matches too (the default export) */
	const char *description;	/* for NBD_INFO_DESCRIPTION, or NULL */
	uint64_t size;			/* bytes */
	const struct nbd_disk_ops *ops;
	void *disk;
};

struct nbd_conn_stats {
	uint64_t options, requests;
	uint64_t reads, writes, flushes, trims, zeroes;
	uint64_t bytes_read, bytes_written;
	uint64_t errors;		/* error replies sent */
	uint64_t violations;		/* closes the client's bytes caused */
};

struct nbd_conn;

/* A connection to ex (which must outlive it), its greeting already in
 * the output. NULL when out of memory. */
struct nbd_conn *nbd_conn_new(const struct nbd_export *ex);
void nbd_conn_free(struct nbd_conn *c);
/* Take bytes from the client; how many were taken (fewer when output
 * backs up or a request is in progress: feed the rest later). */
size_t nbd_conn_feed(struct nbd_conn *c, const void *p, size_t n);
/* Carry the request in progress further, within the bounds above. True
 * when something was done. */
bool nbd_conn_work(struct nbd_conn *c);
/* Output waiting to be sent (NULL when none), and what was sent. */
const void *nbd_conn_output(const struct nbd_conn *c, size_t *len);
void nbd_conn_consume_output(struct nbd_conn *c, size_t n);
/* Close once the output is sent: DISC, ABORT, or a client that broke
 * the protocol (nothing more is read from it; nbd_conn_why says why). */
bool nbd_conn_closing(const struct nbd_conn *c);
/* Reset now, sending nothing more: a READ failed after its reply header
 * went out. */
bool nbd_conn_dead(const struct nbd_conn *c);
/* Still in option haggling (the server bounds how long). */
bool nbd_conn_negotiating(const struct nbd_conn *c);
/* A request is in progress. */
bool nbd_conn_busy(const struct nbd_conn *c);
const struct nbd_conn_stats *nbd_conn_stats(const struct nbd_conn *c);
/* Why the connection died, for the log ("" while alive). */
const char *nbd_conn_why(const struct nbd_conn *c);
/* The most host memory one connection holds. */
size_t nbd_conn_memory_bound(void);

#endif
