// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: one /proc/PID/maps line, and a whole maps file. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "target/procmaps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_string(data, size), path[64];
	struct procmaps maps;
	struct mapping m;
	FILE *f;

	if (!line)
		return 0;
	if (procmaps__parse_line(line, &m)) {
		if (m.start > m.end)
			__builtin_trap();   /* a parsed mapping must be a valid range */
		free(m.path);
	}
	free(line);
	snprintf(path, sizeof(path), "/tmp/memtrace-fuzz-maps.%d", (int)getpid());
	f = fopen(path, "w");
	if (f) {
		fwrite(data, 1, size, f);
		fclose(f);
		if (!procmaps__read_file(path, &maps)) {
			for (size_t i = 0; i < maps.count; i++)
				procmaps__find(&maps, maps.mappings[i].start);
			procmaps__free(&maps);
		}
		unlink(path);
	}
	return 0;
}
