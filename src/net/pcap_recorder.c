/*
 * pcap_recorder.c — frames to a pcap file through libpcap's dump API on
 * a "dead" handle (no capture device involved).
 */
#include "net/pcap_recorder.h"

#include <pcap/pcap.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

/* Frames on a wire are at most 16 KiB; the snap length covers any
 * Ethernet frame so nothing is ever cut short. */
#define PCAP_SNAPLEN	65535

struct pcap_recorder {
	pcap_t		*dead;
	pcap_dumper_t	*dump;
	uint64_t	 frames;
	struct timeval	 last;		/* timestamps never go backwards */
	bool		 failed;	/* sticky: some write did not reach the file */
};

struct pcap_recorder *
pcap_recorder_open(const char *path, char *err, size_t errlen)
{
	struct pcap_recorder *rec;

	if (path == NULL || path[0] == '\0') {
		snprintf(err, errlen, "pcap: empty file name");
		return NULL;
	}
	rec = calloc(1, sizeof(*rec));
	if (rec == NULL) {
		snprintf(err, errlen, "pcap: out of memory");
		return NULL;
	}
	rec->dead = pcap_open_dead(DLT_EN10MB, PCAP_SNAPLEN);
	if (rec->dead == NULL) {
		snprintf(err, errlen, "pcap: libpcap cannot create a handle");
		free(rec);
		return NULL;
	}
	errno = 0;
	rec->dump = pcap_dump_open(rec->dead, path);
	if (rec->dump == NULL) {
		/* libpcap's message already names the file and the reason. */
		snprintf(err, errlen, "pcap: cannot write %s",
		    pcap_geterr(rec->dead));
		pcap_close(rec->dead);
		free(rec);
		return NULL;
	}
	return rec;
}

int
pcap_recorder_write(struct pcap_recorder *rec, const uint8_t *frame,
    size_t len)
{
	struct pcap_pkthdr h;
	struct timeval now;

	if (rec->failed)
		return -1;
	if (frame == NULL || len == 0 || len > PCAP_SNAPLEN)
		return -1;
	gettimeofday(&now, NULL);
	if (timercmp(&now, &rec->last, <))
		now = rec->last;
	rec->last = now;
	memset(&h, 0, sizeof(h));
	h.ts = now;
	h.caplen = (bpf_u_int32)len;
	h.len = (bpf_u_int32)len;
	pcap_dump((u_char *)rec->dump, &h, frame);
	if (ferror(pcap_dump_file(rec->dump))) {
		rec->failed = true;
		return -1;
	}
	rec->frames++;
	return 0;
}

int
pcap_recorder_flush(struct pcap_recorder *rec)
{
	if (pcap_dump_flush(rec->dump) != 0)
		rec->failed = true;
	return rec->failed ? -1 : 0;
}

uint64_t
pcap_recorder_frames(const struct pcap_recorder *rec)
{
	return rec->frames;
}

int
pcap_recorder_close(struct pcap_recorder *rec)
{
	int rc;

	if (rec == NULL)
		return 0;
	rc = pcap_recorder_flush(rec);
	pcap_dump_close(rec->dump);
	pcap_close(rec->dead);
	free(rec);
	return rc;
}
