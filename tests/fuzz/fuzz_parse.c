// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the command-line value parsers (PIDs, durations, bounded integers). */
#include "fuzz_common.h"
#include "cli/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size);
	uint64_t ns;
	uint32_t v;
	pid_t pid;

	if (!s)
		return 0;
	if (parse_pid(s, &pid) && pid <= 0)
		__builtin_trap();
	if (parse_duration_ns(s, &ns) && ns == 0)
		__builtin_trap();
	if (parse_uint32_range(s, 16, 1u << 20, &v) && (v < 16 || v > 1u << 20))
		__builtin_trap();
	free(s);
	return 0;
}
