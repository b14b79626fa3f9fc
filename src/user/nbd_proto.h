/*
 * nbd_proto.h — the NBD protocol's wire constants (the NBD project's
 * doc/proto.md: fixed newstyle handshake, options and their replies, the
 * INFO extension, transmission requests and simple replies) and the
 * limits this server holds every client to. All integers on the wire
 * are big-endian.
 */
#ifndef CAPIO_USER_NBD_PROTO_H
#define CAPIO_USER_NBD_PROTO_H

#include <stdint.h>

#define NBD_PORT		10809		/* IANA */

/* Handshake: "NBDMAGIC", "IHAVEOPT", 16-bit handshake flags. */
#define NBD_MAGIC		0x4e42444d41474943ull
#define NBD_OPT_MAGIC		0x49484156454f5054ull
#define NBD_FLAG_FIXED_NEWSTYLE	(1u << 0)
#define NBD_FLAG_NO_ZEROES	(1u << 1)
/* Client flags (32 bits): the same two bits; any other closes. */
#define NBD_FLAG_C_FIXED_NEWSTYLE NBD_FLAG_FIXED_NEWSTYLE
#define NBD_FLAG_C_NO_ZEROES	NBD_FLAG_NO_ZEROES
#define NBD_ZERO_PAD		124	/* after EXPORT_NAME's reply */

/* Options: IHAVEOPT, 32-bit option, 32-bit length, data. */
#define NBD_OPT_HDR		16
#define NBD_OPT_EXPORT_NAME	1
#define NBD_OPT_ABORT		2
#define NBD_OPT_LIST		3
#define NBD_OPT_STARTTLS	5
#define NBD_OPT_INFO		6
#define NBD_OPT_GO		7
#define NBD_OPT_STRUCTURED_REPLY 8

/* Option replies: magic, option, 32-bit type, 32-bit length, data. */
#define NBD_REP_MAGIC		0x0003e889045565a9ull
#define NBD_REP_HDR		20
#define NBD_REP_ACK		1u
#define NBD_REP_SERVER		2u
#define NBD_REP_INFO		3u
#define NBD_REP_ERR(n)		(0x80000000u | (n))
#define NBD_REP_ERR_UNSUP	NBD_REP_ERR(1)
#define NBD_REP_ERR_POLICY	NBD_REP_ERR(2)
#define NBD_REP_ERR_INVALID	NBD_REP_ERR(3)
#define NBD_REP_ERR_UNKNOWN	NBD_REP_ERR(6)
#define NBD_REP_ERR_TOO_BIG	NBD_REP_ERR(9)

/* NBD_REP_INFO payloads: a 16-bit type, then the item. */
#define NBD_INFO_EXPORT		0	/* 64-bit size, 16-bit flags */
#define NBD_INFO_NAME		1
#define NBD_INFO_DESCRIPTION	2
#define NBD_INFO_BLOCK_SIZE	3	/* minimum, preferred, maximum */

/* Transmission flags (16 bits). */
#define NBD_FLAG_HAS_FLAGS	(1u << 0)
#define NBD_FLAG_READ_ONLY	(1u << 1)
#define NBD_FLAG_SEND_FLUSH	(1u << 2)
#define NBD_FLAG_SEND_FUA	(1u << 3)
#define NBD_FLAG_ROTATIONAL	(1u << 4)
#define NBD_FLAG_SEND_TRIM	(1u << 5)
#define NBD_FLAG_SEND_WRITE_ZEROES (1u << 6)
#define NBD_FLAG_CAN_MULTI_CONN	(1u << 8)

/* Requests: magic, 16-bit flags, 16-bit type, cookie, offset, length. */
#define NBD_REQUEST_MAGIC	0x25609513u
#define NBD_REQ_HDR		28
#define NBD_CMD_READ		0
#define NBD_CMD_WRITE		1
#define NBD_CMD_DISC		2
#define NBD_CMD_FLUSH		3
#define NBD_CMD_TRIM		4
#define NBD_CMD_WRITE_ZEROES	6
#define NBD_CMD_FLAG_FUA	(1u << 0)
#define NBD_CMD_FLAG_NO_HOLE	(1u << 1)

/* Simple replies: magic, 32-bit error, cookie, data for a READ. */
#define NBD_SIMPLE_REPLY_MAGIC	0x67446698u
#define NBD_REPLY_HDR		16

/* Error values (not the host's errno: the protocol fixes them). */
#define NBD_EPERM		1
#define NBD_EIO			5
#define NBD_ENOMEM		12
#define NBD_EINVAL		22
#define NBD_ENOSPC		28
#define NBD_EOVERFLOW		75
#define NBD_ESHUTDOWN		108

/*
 * This server's limits (docs/nbd.md). The block sizes are what
 * NBD_INFO_BLOCK_SIZE advertises; unaligned requests are served all the
 * same (read-modify-write). A READ or WRITE longer than NBD_MAX_PAYLOAD
 * is refused (EINVAL for a READ; a WRITE's payload cannot be trusted to
 * follow, so it closes the connection); TRIM and WRITE_ZEROES may cover
 * the whole export. Option data over NBD_MAX_OPTION is skipped unread and
 * answered NBD_REP_ERR_TOO_BIG; a client gets NBD_MAX_OPTIONS options
 * before it must choose an export, else it is disconnected.
 */
#define NBD_MIN_BLOCK		512u
#define NBD_PREF_BLOCK		4096u
#define NBD_MAX_PAYLOAD		(32u << 20)
#define NBD_MAX_NAME		4096u	/* a string, as the protocol caps it */
#define NBD_MAX_OPTION		(NBD_MAX_NAME + 4 + 2 + 2 * 16)
#define NBD_MAX_OPTIONS		64u

#endif
