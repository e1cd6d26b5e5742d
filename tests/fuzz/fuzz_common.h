/* Shared by the libFuzzer targets: the input as a NUL-terminated string. */
#ifndef MEMTRACE_FUZZ_COMMON_H
#define MEMTRACE_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

#endif
