/* Parsers for command-line values: strict, no silent truncation. Each returns false for
 * anything that is not entirely a valid value in range. */
#ifndef MEMTRACE_PARSE_H
#define MEMTRACE_PARSE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

bool parse_pid(const char *s, pid_t *pid);
/* "2", "0.5", "250ms", "10s", "5m", "1h"; a bare number is seconds. Must be > 0. */
bool parse_duration_ns(const char *s, uint64_t *ns);
bool parse_uint32_range(const char *s, uint32_t min, uint32_t max, uint32_t *value);

#endif
