/* A saved --json run (NDJSON, docs/json.md) read back into the reports it was written from,
 * and fed to output writers line by line, as a live session feeds them. */
#ifndef MEMTRACE_NDJSON_REPLAY_H
#define MEMTRACE_NDJSON_REPLAY_H

#include <stddef.h>
#include <stdio.h>

struct output;

enum replay_result {
	REPLAY_OK,
	REPLAY_NOT_NDJSON,           /* a line is not a JSON object with a "type" */
	REPLAY_NO_SUMMARY,           /* no summary line: the run was cut short */
	REPLAY_NO_MEMORY,
};

struct replay_stats {
	size_t lines, intervals, summaries, frames, events, gc_runs;
	size_t bad_line;             /* REPLAY_NOT_NDJSON: its number (1-based) */
	size_t stacks_without_parts; /* summary stacks with no native_frames (not --json-all-stacks) */
};

/* Reads every line of in and feeds each report to the count outputs (none destroyed). */
enum replay_result ndjson_replay(FILE *in, struct output *const *outputs, size_t count,
				 struct replay_stats *stats);

#endif
