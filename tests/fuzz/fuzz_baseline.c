// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: the --baseline NDJSON summary parser. */
#include "analysis/baseline.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fuzz_string(data, size);
	struct metric_set set = { 0 };

	if (!line)
		return 0;
	baseline__parse_line(line, &set);
	metric_set__free(&set);
	free(line);
	return 0;
}
