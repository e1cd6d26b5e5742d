/* A protocol-buffers writer for the few wire types a pprof profile uses: varints, packed
 * varints and length-delimited strings and messages (a nested message is written into its
 * own pb_message first, then appended: its length comes before it). */
#ifndef MEMTRACE_PROTOBUF_H
#define MEMTRACE_PROTOBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pb_message {
	uint8_t *data;
	size_t len, cap;
	bool failed;                 /* out of memory: every later write is dropped */
};

/* A varint field; left out when 0, as proto3 does (a reader takes 0 for a missing field). */
void pb_uint(struct pb_message *m, uint32_t field, uint64_t value);
/* Repeated varints, packed into one length-delimited field (written even when n is 0). */
void pb_packed(struct pb_message *m, uint32_t field, const uint64_t *values, size_t n);
void pb_bytes(struct pb_message *m, uint32_t field, const void *data, size_t len);
void pb_string(struct pb_message *m, uint32_t field, const char *s);
void pb_submessage(struct pb_message *m, uint32_t field, const struct pb_message *sub);
/* Empties m for the next message, keeping its memory. */
void pb_clear(struct pb_message *m);
void pb_free(struct pb_message *m);

#endif
