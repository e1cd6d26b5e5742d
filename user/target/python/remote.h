/* Reads another process's memory with process_vm_readv, without stopping it. Reads go
 * through a cache of 64 KiB chunks so that walking many small objects costs few system
 * calls; remote_mem__reset drops the cache before the next snapshot. */
#ifndef MEMTRACE_REMOTE_H
#define MEMTRACE_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct remote_mem;

/* max_bytes bounds the cache; reads beyond it fail (the caller reports a partial census). */
struct remote_mem *remote_mem__new(pid_t pid, size_t max_bytes);
void remote_mem__free(struct remote_mem *m);
void remote_mem__reset(struct remote_mem *m);
/* Copies size bytes at addr into buf; false if any byte is unreadable. */
bool remote_mem__read(struct remote_mem *m, uint64_t addr, void *buf, size_t size);
/* Reads a NUL-terminated string of at most size-1 bytes; false if unreadable or unterminated. */
bool remote_mem__read_string(struct remote_mem *m, uint64_t addr, char *buf, size_t size);
bool remote_mem__read_u64(struct remote_mem *m, uint64_t addr, uint64_t *out);
/* One uncached read, for values that must be fresh. */
bool remote_read_direct(pid_t pid, uint64_t addr, void *buf, size_t size);
/* Cache use: chunks read and bytes copied since the last reset. */
size_t remote_mem__syscalls(const struct remote_mem *m);

#endif
