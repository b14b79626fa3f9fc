/*
 * pcap_recorder.h — write Ethernet frames into a classic pcap file
 * (libpcap, LINKTYPE_ETHERNET, microsecond timestamps) that tcpdump,
 * tshark and Wireshark read.
 */
#ifndef CAPIO_NET_PCAP_RECORDER_H
#define CAPIO_NET_PCAP_RECORDER_H

#include <stddef.h>
#include <stdint.h>

struct pcap_recorder;

/* Create (or truncate) PATH. NULL with a message in ERR on failure. */
struct pcap_recorder *pcap_recorder_open(const char *path, char *err,
    size_t errlen);
/* Append one frame stamped with the current time; 0, or -1 when the frame
 * cannot be recorded (empty or over 65535 bytes, or an earlier write
 * error). Frames are stored whole. */
int pcap_recorder_write(struct pcap_recorder *rec, const uint8_t *frame,
    size_t len);
/* Push buffered frames to the file; 0, or -1 after any write error. */
int pcap_recorder_flush(struct pcap_recorder *rec);
/* Frames written so far. */
uint64_t pcap_recorder_frames(const struct pcap_recorder *rec);
/* Flush and close; 0, or -1 when any frame could not be written. NULL is
 * accepted. */
int pcap_recorder_close(struct pcap_recorder *rec);

#endif
