/*
 * nvme_ns.c — namespace backing: host RAM, or a host file the model opens
 * by path and owns. Flush is durable for files: fsync returns before the
 * completion is posted.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev/nvme_core.h"

/* RAM namespaces live in host memory: keep them modest. */
#define NS_RAM_MAX	(1ull << 30)

int
nvme_ns_open(struct nvme_ns *ns, const struct nvme_ns_config *cfg,
    char *err, size_t errlen)
{
	uint32_t bs = cfg->block_size == 0 ? 512 : cfg->block_size;
	struct stat st;

	memset(ns, 0, sizeof(*ns));
	ns->fd = -1;
	if (bs != 512 && bs != 4096) {
		snprintf(err, errlen, "nvme: block size %u (512 or 4096)", bs);
		return -1;
	}
	ns->bs = bs;
	ns->lbads = bs == 512 ? 9 : 12;
	ns->nblocks = cfg->size_bytes / bs;
	if (ns->nblocks == 0) {
		snprintf(err, errlen, "nvme: namespace smaller than a block");
		return -1;
	}
	if (cfg->path == NULL) {
		if (cfg->size_bytes > NS_RAM_MAX) {
			snprintf(err, errlen, "nvme: RAM namespace over 1 GiB");
			return -1;
		}
		ns->ram = calloc(1, ns->nblocks * bs);
		if (ns->ram == NULL) {
			snprintf(err, errlen, "nvme: out of memory");
			return -1;
		}
		ns->ready = true;
		return 0;
	}
	if ((ns->path = strdup(cfg->path)) == NULL) {
		snprintf(err, errlen, "nvme: out of memory");
		return -1;
	}
	ns->fd = open(cfg->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (ns->fd < 0 || fstat(ns->fd, &st) != 0) {
		snprintf(err, errlen, "nvme: %s: %s", cfg->path,
		    strerror(errno));
		nvme_ns_close(ns);
		return -1;
	}
	/* A shorter file grows (sparse); a longer one keeps its tail. */
	if ((uint64_t)st.st_size < ns->nblocks * bs &&
	    ftruncate(ns->fd, (off_t)(ns->nblocks * bs)) != 0) {
		snprintf(err, errlen, "nvme: %s: %s", cfg->path,
		    strerror(errno));
		nvme_ns_close(ns);
		return -1;
	}
	ns->ready = true;
	return 0;
}

void
nvme_ns_close(struct nvme_ns *ns)
{
	if (ns->fd >= 0) {
		(void)fsync(ns->fd);
		close(ns->fd);
	}
	ns->fd = -1;
	free(ns->ram);
	ns->ram = NULL;
	free(ns->path);
	ns->path = NULL;
}

int
nvme_ns_read(struct nvme_ns *ns, uint64_t off, void *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;

	if (ns->ram != NULL) {
		memcpy(buf, ns->ram + off, len);
		return 0;
	}
	while (done < len) {
		r = pread(ns->fd, (uint8_t *)buf + done, len - done,
		    (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			/* Past the end of a file shortened behind our back. */
			memset((uint8_t *)buf + done, 0, len - done);
			break;
		}
		done += (size_t)r;
	}
	return 0;
}

int
nvme_ns_write(struct nvme_ns *ns, uint64_t off, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t r;

	if (ns->ram != NULL) {
		memcpy(ns->ram + off, buf, len);
		return 0;
	}
	while (done < len) {
		r = pwrite(ns->fd, (const uint8_t *)buf + done, len - done,
		    (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		done += (size_t)r;
	}
	return 0;
}

int
nvme_ns_zero(struct nvme_ns *ns, uint64_t off, uint64_t len)
{
	static const uint8_t zero[65536];
	uint64_t done;

	if (ns->ram != NULL) {
		memset(ns->ram + off, 0, len);
		return 0;
	}
	/* Holes read as zeroes; where punching is refused, write them. */
	if (fallocate(ns->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	    (off_t)off, (off_t)len) == 0)
		return 0;
	for (done = 0; done < len; done += sizeof(zero)) {
		size_t n = len - done < sizeof(zero) ? (size_t)(len - done) :
		    sizeof(zero);

		if (nvme_ns_write(ns, off + done, zero, n) != 0)
			return -1;
	}
	return 0;
}

int
nvme_ns_flush(struct nvme_ns *ns)
{
	if (ns->ram != NULL)
		return 0;
	return fsync(ns->fd) == 0 ? 0 : -1;
}

int
nvme_ns_peek(struct nvme *n, uint32_t nsid, uint64_t off, void *buf,
    size_t len)
{
	struct nvme_ns *ns;

	if (n == NULL || nsid < 1 || nsid > n->nns)
		return -1;
	ns = &n->ns[nsid - 1];
	if (off > ns->nblocks * ns->bs || len > ns->nblocks * ns->bs - off)
		return -1;
	return nvme_ns_read(ns, off, buf, len);
}
