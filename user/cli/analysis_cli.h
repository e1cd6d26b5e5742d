/* The argp child that parses the flags of analysis/options.h; cli.c includes it. */
#ifndef MEMTRACE_ANALYSIS_CLI_H
#define MEMTRACE_ANALYSIS_CLI_H

#include <argp.h>

#include "analysis/options.h"

/* Its input is a struct analysis_options (set through state->child_inputs). */
extern const struct argp analysis_argp;

/* "name:lib" -> name and lib; a "::" of a C++ name never splits. Returns a malloc'ed name. */
char *split_symbol_lib(const char *spec, const char **lib);

/* Frees what the parser allocated in O (--frame, --stage and --budget names). */
void analysis_options__free(struct analysis_options *o);

#endif
