/* memtrace-bpf report RUN.ndjson [--html F] [--sqlite F] [--pprof F] [--folded F]: the
 * output files of a saved --json run, written from it (docs/outputs.md). */
#ifndef MEMTRACE_REPORT_COMMAND_H
#define MEMTRACE_REPORT_COMMAND_H

/* argv[0] is "report". Returns the exit status (model/exit_codes.h). */
int report_command__main(int argc, char **argv);

#endif
