// SPDX-License-Identifier: GPL-2.0
#include "output/output_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int output_file__open(struct output_file *of, const char *path)
{
	of->path = strdup(path);
	if (!of->path) {
		errno = ENOMEM;
		return -1;
	}
	of->f = fopen(path, "we");
	if (!of->f) {
		int saved = errno;

		free(of->path);
		of->path = NULL;
		errno = saved;
		return -1;
	}
	return 0;
}

void output_file__close(struct output_file *of, int err)
{
	if (ferror(of->f) && !err)
		err = EIO;
	if (fclose(of->f) && !err)
		err = errno;
	if (err)
		fprintf(stderr, "memtrace-bpf: cannot write %s: %s\n", of->path, strerror(err));
	free(of->path);
	*of = (struct output_file){ 0 };
}
