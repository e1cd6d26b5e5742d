// SPDX-License-Identifier: GPL-2.0
/* libFuzzer: memtrace-bpf report's NDJSON reader, feeding every writer it can feed. Their
 * files go to a scratch directory of this run (never /dev/null: the pprof writer removes a
 * file it wrote no profile into), the database is in memory. */
#include <stdio.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "output/output.h"
#include "report/ndjson_replay.h"

static char dir[] = "/tmp/memtrace-fuzz-report.XXXXXX";

static const char *scratch(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/%s", dir, name);
	return path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool made;
	char json_path[64], html[64], folded[64], pprof[64];
	FILE *in, *json;
	struct replay_stats stats;

	if (!made && !(made = mkdtemp(dir) != NULL))
		abort();
	if (!size || !(in = fmemopen((void *)data, size, "r")))
		return 0;
	json = fopen(scratch(json_path, sizeof(json_path), "run.ndjson"), "we");
	struct output *outputs[] = {
		json ? json_output__new(json, true, JSON_TYPES_ALL, true) : NULL,
		html_output__new(scratch(html, sizeof(html), "run.html")),
		folded_output__new(scratch(folded, sizeof(folded), "run.folded")),
		pprof_output__new(scratch(pprof, sizeof(pprof), "run.pb.gz"), false),
		sqlite_output__new(":memory:"),
	};
	size_t count = sizeof(outputs) / sizeof(outputs[0]);

	for (size_t i = 0; i < count; i++)
		if (!outputs[i])
			abort();
	ndjson_replay(in, outputs, count, &stats);
	for (size_t i = 0; i < count; i++)
		output__destroy(outputs[i]);
	fclose(in);
	return 0;
}
