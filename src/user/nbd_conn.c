/*
 * nbd_conn.c — see nbd_conn.h. Input is parsed by phase: each fixed-size
 * header is gathered into hdr[] before it is looked at, option data into
 * opt[] (at most NBD_MAX_OPTION bytes), and a WRITE's payload goes to the
 * disk one chunk at a time, so nothing a client sends makes the engine
 * hold more than one chunk of it.
 */
#include "user/nbd_conn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "user/nbd_proto.h"

/* Room past NBD_OUT_HIGH: a chunk of READ data with its header, or the
 * largest run of option replies (GO: export, name, description, block
 * sizes, ack). */
#define OUT_CAP		(NBD_OUT_HIGH + NBD_CHUNK + 3 * (NBD_MAX_NAME + 64))

enum phase {
	PH_CFLAGS,		/* the client's 32-bit flags */
	PH_OPT_HDR,		/* IHAVEOPT, option, length */
	PH_OPT_DATA,		/* its data, into opt[] */
	PH_OPT_SKIP,		/* data too long to keep: dropped */
	PH_REQ_HDR,		/* a transmission request */
	PH_WRITE_DATA,		/* a WRITE's payload, to the disk */
	PH_WRITE_SKIP,		/* a refused WRITE's payload, dropped */
	PH_END,			/* nothing more is read */
};

enum job { J_NONE, J_READ, J_TRIM, J_ZERO };

struct nbd_conn {
	const struct nbd_export *ex;
	enum phase ph;
	uint8_t hdr[NBD_REQ_HDR];
	size_t nhdr;
	/* the option being received */
	uint32_t opt, optlen;
	size_t nopt;
	unsigned nopts;			/* options received, for the limit */
	uint8_t optbuf[NBD_MAX_OPTION];
	bool no_zeroes;
	/* the request being carried out */
	uint16_t flags, type;
	uint64_t cookie, off;
	uint32_t len;
	uint64_t done;			/* bytes of it done */
	int err;			/* its error so far */
	enum job job;
	bool replied;			/* READ: the header is out */
	uint8_t chunk[NBD_CHUNK];	/* WRITE: the piece being gathered */
	uint32_t nchunk;
	/* output */
	uint8_t *out;
	size_t ooff, olen;		/* unsent bytes are out[ooff, olen) */
	bool closing, dead;
	char why[96];
	struct nbd_conn_stats st;
};

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* Read nothing more; close once the replies already made are sent. */
static void
violation(struct nbd_conn *c, const char *why)
{
	if (c->ph == PH_END)
		return;
	c->closing = true;
	c->ph = PH_END;
	c->job = J_NONE;
	snprintf(c->why, sizeof c->why, "%s", why);
	c->st.violations++;
}

/* Reset, and send nothing more: what is queued may end in a READ's
 * data that cannot be vouched for. */
static void
abort_conn(struct nbd_conn *c, const char *why)
{
	c->dead = true;
	c->ph = PH_END;
	c->job = J_NONE;
	snprintf(c->why, sizeof c->why, "%s", why);
}

static size_t
pending(const struct nbd_conn *c)
{
	return c->olen - c->ooff;
}

/* Room for n more output bytes, or NULL (then the connection dies:
 * OUT_CAP covers everything the engine appends below its checks). */
static uint8_t *
room(struct nbd_conn *c, size_t n)
{
	if (c->olen + n > OUT_CAP && c->ooff > 0) {
		memmove(c->out, c->out + c->ooff, pending(c));
		c->olen -= c->ooff;
		c->ooff = 0;
	}
	if (c->olen + n > OUT_CAP) {
		abort_conn(c, "output overflow");
		return NULL;
	}
	return c->out + c->olen;
}

static void
emit(struct nbd_conn *c, const void *p, size_t n)
{
	uint8_t *o = room(c, n);

	if (o == NULL)
		return;
	memcpy(o, p, n);
	c->olen += n;
}

/* An option reply header and its data. */
static void
opt_reply(struct nbd_conn *c, uint32_t type, const void *data, uint32_t len)
{
	uint8_t h[NBD_REP_HDR];

	put64(h, NBD_REP_MAGIC);
	put32(h + 8, c->opt);
	put32(h + 12, type);
	put32(h + 16, len);
	emit(c, h, sizeof h);
	if (len > 0)
		emit(c, data, len);
}

/* An error reply with a message for the human behind the client. */
static void
opt_error(struct nbd_conn *c, uint32_t type, const char *msg)
{
	opt_reply(c, type, msg, (uint32_t)strlen(msg));
}

/* NBD_REP_INFO: a 16-bit item type and its payload. */
static void
info_reply(struct nbd_conn *c, uint16_t item, const void *data, uint32_t len)
{
	uint8_t h[NBD_REP_HDR + 2];

	put64(h, NBD_REP_MAGIC);
	put32(h + 8, c->opt);
	put32(h + 12, NBD_REP_INFO);
	put32(h + 16, len + 2);
	put16(h + 20, item);
	emit(c, h, sizeof h);
	if (len > 0)
		emit(c, data, len);
}

static void
simple_reply(struct nbd_conn *c, int err)
{
	uint8_t h[NBD_REPLY_HDR];

	put32(h, NBD_SIMPLE_REPLY_MAGIC);
	put32(h + 4, (uint32_t)err);
	put64(h + 8, c->cookie);
	emit(c, h, sizeof h);
	if (err != 0)
		c->st.errors++;
}

static uint16_t
tflags(void)
{
	/* One process serves every connection from one queue, and a flush
	 * is the namespace's: what one connection flushed is durable for
	 * all (CAN_MULTI_CONN). */
	return NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH | NBD_FLAG_SEND_FUA |
	    NBD_FLAG_SEND_TRIM | NBD_FLAG_SEND_WRITE_ZEROES |
	    NBD_FLAG_CAN_MULTI_CONN;
}

static bool
name_matches(const struct nbd_conn *c, const uint8_t *name, uint32_t len)
{
	return len == 0 || (len == strlen(c->ex->name) &&
	    memcmp(name, c->ex->name, len) == 0);
}

/* --- options -------------------------------------------------------------- */

static void
opt_export_name(struct nbd_conn *c)
{
	uint8_t r[10 + NBD_ZERO_PAD];

	if (!name_matches(c, c->optbuf, c->optlen)) {
		/* No error reply exists for EXPORT_NAME (proto.md). */
		violation(c, "EXPORT_NAME of an unknown export");
		return;
	}
	memset(r, 0, sizeof r);
	put64(r, c->ex->size);
	put16(r + 8, tflags());
	emit(c, r, c->no_zeroes ? 10 : sizeof r);
	c->ph = PH_REQ_HDR;
}

static void
opt_list(struct nbd_conn *c)
{
	uint32_t n = (uint32_t)strlen(c->ex->name);
	uint8_t h[4];

	if (c->optlen != 0) {
		opt_error(c, NBD_REP_ERR_INVALID, "LIST takes no data");
		return;
	}
	put32(h, n);
	{
		uint8_t r[NBD_REP_HDR];

		put64(r, NBD_REP_MAGIC);
		put32(r + 8, c->opt);
		put32(r + 12, NBD_REP_SERVER);
		put32(r + 16, 4 + n);
		emit(c, r, sizeof r);
		emit(c, h, 4);
		emit(c, c->ex->name, n);
	}
	opt_reply(c, NBD_REP_ACK, NULL, 0);
}

/* INFO and GO: 32-bit name length, name, 16-bit count, 16-bit items. */
static void
opt_info(struct nbd_conn *c, bool go)
{
	const uint8_t *d = c->optbuf;
	uint32_t namelen, nreq;
	bool want_name = false, want_desc = false;
	uint8_t b[12];

	if (c->optlen < 6 || (namelen = get32(d)) > c->optlen - 6 ||
	    namelen > NBD_MAX_NAME) {
		opt_error(c, NBD_REP_ERR_INVALID, "malformed INFO/GO data");
		return;
	}
	nreq = get16(d + 4 + namelen);
	if (c->optlen != 4 + namelen + 2 + 2 * nreq) {
		opt_error(c, NBD_REP_ERR_INVALID,
		    "INFO/GO length does not match its request count");
		return;
	}
	if (!name_matches(c, d + 4, namelen)) {
		opt_error(c, NBD_REP_ERR_UNKNOWN, "no such export");
		return;
	}
	for (uint32_t i = 0; i < nreq; i++) {
		uint16_t item = get16(d + 4 + namelen + 2 + 2 * i);

		/* Items we do not know are ignored, as proto.md says. */
		want_name |= item == NBD_INFO_NAME;
		want_desc |= item == NBD_INFO_DESCRIPTION;
	}
	put64(b, c->ex->size);
	put16(b + 8, tflags());
	info_reply(c, NBD_INFO_EXPORT, b, 10);
	if (want_name)
		info_reply(c, NBD_INFO_NAME, c->ex->name,
		    (uint32_t)strlen(c->ex->name));
	if (want_desc && c->ex->description != NULL)
		info_reply(c, NBD_INFO_DESCRIPTION, c->ex->description,
		    (uint32_t)strnlen(c->ex->description, NBD_MAX_NAME));
	/* Sent whether asked or not: unaligned requests are served anyway
	 * (read-modify-write), so a client that ignores it loses nothing. */
	put32(b, NBD_MIN_BLOCK);
	put32(b + 4, NBD_PREF_BLOCK);
	put32(b + 8, NBD_MAX_PAYLOAD);
	info_reply(c, NBD_INFO_BLOCK_SIZE, b, 12);
	opt_reply(c, NBD_REP_ACK, NULL, 0);
	if (go)
		c->ph = PH_REQ_HDR;
}

static void
option(struct nbd_conn *c)
{
	c->st.options++;
	switch (c->opt) {
	case NBD_OPT_EXPORT_NAME:
		opt_export_name(c);
		break;
	case NBD_OPT_ABORT:
		opt_reply(c, NBD_REP_ACK, NULL, 0);
		c->closing = true;
		c->ph = PH_END;
		break;
	case NBD_OPT_LIST:
		opt_list(c);
		break;
	case NBD_OPT_INFO:
	case NBD_OPT_GO:
		opt_info(c, c->opt == NBD_OPT_GO);
		break;
	default:
		/* STARTTLS, STRUCTURED_REPLY, meta contexts, the rest. */
		opt_error(c, NBD_REP_ERR_UNSUP, "option not supported");
		break;
	}
	if (c->ph == PH_OPT_DATA)
		c->ph = PH_OPT_HDR;
}

static void
option_header(struct nbd_conn *c)
{
	if (get64(c->hdr) != NBD_OPT_MAGIC) {
		violation(c, "bad option magic");
		return;
	}
	if (++c->nopts > NBD_MAX_OPTIONS) {
		violation(c, "too many options");
		return;
	}
	c->opt = get32(c->hdr + 8);
	c->optlen = get32(c->hdr + 12);
	c->nopt = 0;
	if (c->optlen > NBD_MAX_OPTION) {
		if (c->opt == NBD_OPT_EXPORT_NAME) {
			violation(c, "EXPORT_NAME longer than a name");
			return;
		}
		c->ph = PH_OPT_SKIP;
		return;
	}
	c->ph = PH_OPT_DATA;
	if (c->optlen == 0)
		option(c);
}

/* --- requests ------------------------------------------------------------- */

static bool
in_export(const struct nbd_conn *c)
{
	return c->off <= c->ex->size && c->len <= c->ex->size - c->off;
}

/* A write-like request is done: FUA asks for durability first. */
static void
finish_write(struct nbd_conn *c)
{
	if (c->err == 0 && (c->flags & NBD_CMD_FLAG_FUA))
		c->err = c->ex->ops->flush(c->ex->disk);
	simple_reply(c, c->err);
	c->job = J_NONE;
	c->ph = PH_REQ_HDR;
}

static void
request(struct nbd_conn *c)
{
	const uint8_t *h = c->hdr;
	uint16_t allowed = NBD_CMD_FLAG_FUA;

	if (get32(h) != NBD_REQUEST_MAGIC) {
		violation(c, "bad request magic");
		return;
	}
	c->flags = get16(h + 4);
	c->type = get16(h + 6);
	c->cookie = get64(h + 8);
	c->off = get64(h + 16);
	c->len = get32(h + 24);
	c->done = 0;
	c->err = 0;
	c->nchunk = 0;
	c->replied = false;
	c->st.requests++;
	if (c->type == NBD_CMD_WRITE_ZEROES)
		allowed |= NBD_CMD_FLAG_NO_HOLE;
	if (c->flags & ~allowed)
		c->err = NBD_EINVAL;	/* a flag this command has not */
	switch (c->type) {
	case NBD_CMD_READ:
		c->st.reads++;
		if (c->err == 0 && (c->len > NBD_MAX_PAYLOAD || !in_export(c)))
			c->err = NBD_EINVAL;
		if (c->err != 0 || c->len == 0)
			simple_reply(c, c->err);
		else
			c->job = J_READ;
		return;
	case NBD_CMD_WRITE:
		c->st.writes++;
		if (c->len > NBD_MAX_PAYLOAD) {
			/* Its payload may be gigabytes that were never meant
			 * as one: no way to resynchronise but a reset. */
			violation(c, "WRITE longer than the maximum payload");
			return;
		}
		if (c->err == 0 && !in_export(c))
			c->err = NBD_ENOSPC;
		if (c->len == 0) {
			simple_reply(c, c->err);
			return;
		}
		c->ph = c->err == 0 ? PH_WRITE_DATA : PH_WRITE_SKIP;
		return;
	case NBD_CMD_DISC:
		/* No reply; what was asked before is answered first. */
		c->closing = true;
		c->ph = PH_END;
		return;
	case NBD_CMD_FLUSH:
		c->st.flushes++;
		if (c->err == 0)
			c->err = c->ex->ops->flush(c->ex->disk);
		simple_reply(c, c->err);
		return;
	case NBD_CMD_TRIM:
	case NBD_CMD_WRITE_ZEROES:
		if (c->type == NBD_CMD_TRIM)
			c->st.trims++;
		else
			c->st.zeroes++;
		if (c->err == 0 && !in_export(c))
			c->err = NBD_ENOSPC;
		if (c->err != 0 || c->len == 0) {
			simple_reply(c, c->err);
			return;
		}
		c->job = c->type == NBD_CMD_TRIM ? J_TRIM : J_ZERO;
		return;
	default:
		/* CACHE, BLOCK_STATUS (never advertised), anything else. */
		simple_reply(c, NBD_EINVAL);
		return;
	}
}

/* The piece of [off + done, off + len) up to the next chunk boundary. */
static uint32_t
piece(const struct nbd_conn *c)
{
	uint64_t pos = c->off + c->done;
	uint64_t left = c->len - c->done;
	uint64_t to_edge = NBD_CHUNK - pos % NBD_CHUNK;

	return (uint32_t)(left < to_edge ? left : to_edge);
}

/* One step of a READ: a chunk from the disk straight into the output. */
static void
read_step(struct nbd_conn *c)
{
	uint32_t n = piece(c);
	uint8_t *o;
	int err;

	if ((o = room(c, NBD_REPLY_HDR + n)) == NULL)
		return;
	/* The first chunk is read before the header goes out, so that a
	 * failure there is an ordinary error reply. */
	if ((err = c->ex->ops->read(c->ex->disk, c->off + c->done,
	    o + (c->replied ? 0 : NBD_REPLY_HDR), n)) != 0) {
		if (c->replied) {
			/* proto.md: after a success header, only a hard
			 * disconnect can say it. */
			abort_conn(c, "READ failed after its reply began");
			return;
		}
		c->job = J_NONE;
		simple_reply(c, err);
		return;
	}
	if (!c->replied) {
		put32(o, NBD_SIMPLE_REPLY_MAGIC);
		put32(o + 4, 0);
		put64(o + 8, c->cookie);
		c->olen += NBD_REPLY_HDR;
		c->replied = true;
	}
	c->olen += n;
	c->done += n;
	c->st.bytes_read += n;
	if (c->done == c->len)
		c->job = J_NONE;
}

/* One step of a TRIM or WRITE_ZEROES: at most NBD_ZERO_STEP bytes. */
static void
zero_step(struct nbd_conn *c)
{
	uint64_t left = c->len - c->done;
	uint64_t n = left < NBD_ZERO_STEP ? left : NBD_ZERO_STEP;

	if (c->err == 0) {
		if (c->job == J_TRIM)
			c->err = c->ex->ops->trim(c->ex->disk, c->off + c->done,
			    n);
		else
			c->err = c->ex->ops->zero(c->ex->disk, c->off + c->done,
			    n, (c->flags & NBD_CMD_FLAG_NO_HOLE) != 0);
	}
	c->done += n;
	if (c->done == c->len || c->err != 0)
		finish_write(c);
}

bool
nbd_conn_work(struct nbd_conn *c)
{
	unsigned steps = 0;

	while (c->job != J_NONE && !c->dead && steps < NBD_WORK_STEPS &&
	    pending(c) < NBD_OUT_HIGH) {
		if (c->job == J_READ)
			read_step(c);
		else
			zero_step(c);
		steps++;
	}
	return steps > 0;
}

/* WRITE payload bytes: gathered a chunk at a time, then written. */
static size_t
write_data(struct nbd_conn *c, const uint8_t *p, size_t n)
{
	uint32_t want = piece(c) - c->nchunk;
	size_t k = n < want ? n : want;

	memcpy(c->chunk + c->nchunk, p, k);
	c->nchunk += (uint32_t)k;
	if (c->nchunk == piece(c)) {
		if (c->err == 0) {
			c->err = c->ex->ops->write(c->ex->disk, c->off + c->done,
			    c->chunk, c->nchunk);
			if (c->err == 0)
				c->st.bytes_written += c->nchunk;
		}
		c->done += c->nchunk;
		c->nchunk = 0;
		if (c->done == c->len)
			finish_write(c);
	}
	return k;
}

/* Gather a fixed-size header; true once it is whole. */
static bool
gather(struct nbd_conn *c, size_t need, const uint8_t *p, size_t n,
    size_t *k)
{
	size_t m = need - c->nhdr;

	*k = n < m ? n : m;
	memcpy(c->hdr + c->nhdr, p, *k);
	c->nhdr += *k;
	if (c->nhdr < need)
		return false;
	c->nhdr = 0;
	return true;
}

size_t
nbd_conn_feed(struct nbd_conn *c, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	size_t taken = 0;

	while (taken < n && c->ph != PH_END) {
		const uint8_t *q = p + taken;
		size_t avail = n - taken, k = 0;

		nbd_conn_work(c);
		if (c->job != J_NONE || pending(c) >= NBD_OUT_HIGH)
			break;
		switch (c->ph) {
		case PH_CFLAGS:
			if (gather(c, 4, q, avail, &k)) {
				uint32_t f = get32(c->hdr);

				if (f & ~(NBD_FLAG_C_FIXED_NEWSTYLE |
				    NBD_FLAG_C_NO_ZEROES))
					violation(c, "unknown client flags");
				c->no_zeroes = (f & NBD_FLAG_C_NO_ZEROES) != 0;
				if (c->ph == PH_CFLAGS)
					c->ph = PH_OPT_HDR;
			}
			break;
		case PH_OPT_HDR:
			if (gather(c, NBD_OPT_HDR, q, avail, &k))
				option_header(c);
			break;
		case PH_OPT_DATA:
			k = c->optlen - c->nopt;
			k = avail < k ? avail : k;
			memcpy(c->optbuf + c->nopt, q, k);
			c->nopt += k;
			if (c->nopt == c->optlen)
				option(c);
			break;
		case PH_OPT_SKIP:
			k = c->optlen - c->nopt;
			k = avail < k ? avail : k;
			c->nopt += k;
			if (c->nopt == c->optlen) {
				opt_error(c, NBD_REP_ERR_TOO_BIG,
				    "option data too long");
				c->ph = PH_OPT_HDR;
			}
			break;
		case PH_REQ_HDR:
			if (gather(c, NBD_REQ_HDR, q, avail, &k))
				request(c);
			break;
		case PH_WRITE_DATA:
			k = write_data(c, q, avail);
			break;
		case PH_WRITE_SKIP:
			k = c->len - c->done;
			k = avail < k ? avail : k;
			c->done += k;
			if (c->done == c->len) {
				simple_reply(c, c->err);
				c->ph = PH_REQ_HDR;
			}
			break;
		case PH_END:
			break;
		}
		taken += k;
	}
	nbd_conn_work(c);	/* a request the last bytes began */
	return taken;
}

struct nbd_conn *
nbd_conn_new(const struct nbd_export *ex)
{
	struct nbd_conn *c = calloc(1, sizeof *c);
	uint8_t g[18];

	if (c == NULL || (c->out = malloc(OUT_CAP)) == NULL) {
		free(c);
		return NULL;
	}
	c->ex = ex;
	c->ph = PH_CFLAGS;
	put64(g, NBD_MAGIC);
	put64(g + 8, NBD_OPT_MAGIC);
	put16(g + 16, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
	emit(c, g, sizeof g);
	return c;
}

void
nbd_conn_free(struct nbd_conn *c)
{
	if (c == NULL)
		return;
	free(c->out);
	free(c);
}

const void *
nbd_conn_output(const struct nbd_conn *c, size_t *len)
{
	*len = c->dead ? 0 : pending(c);
	return *len > 0 ? c->out + c->ooff : NULL;
}

void
nbd_conn_consume_output(struct nbd_conn *c, size_t n)
{
	if (n > pending(c))
		n = pending(c);
	c->ooff += n;
	if (c->ooff == c->olen)
		c->ooff = c->olen = 0;
}

bool
nbd_conn_closing(const struct nbd_conn *c)
{
	return c->closing;
}

bool
nbd_conn_dead(const struct nbd_conn *c)
{
	return c->dead;
}

bool
nbd_conn_negotiating(const struct nbd_conn *c)
{
	return c->ph == PH_CFLAGS || c->ph == PH_OPT_HDR ||
	    c->ph == PH_OPT_DATA || c->ph == PH_OPT_SKIP;
}

bool
nbd_conn_busy(const struct nbd_conn *c)
{
	return c->job != J_NONE;
}

const struct nbd_conn_stats *
nbd_conn_stats(const struct nbd_conn *c)
{
	return &c->st;
}

const char *
nbd_conn_why(const struct nbd_conn *c)
{
	return c->why;
}

size_t
nbd_conn_memory_bound(void)
{
	return sizeof(struct nbd_conn) + OUT_CAP;
}
