// SPDX-License-Identifier: GPL-2.0
#include "output/on_event/on_event.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "output/json/json_sections.h"
#include "output/json_writer.h"

void on_event__run(const char *command, const struct analysis_event *ev)
{
	char *json = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&json, &len);
	struct json_writer *w;
	int fds[2];
	pid_t child;

	if (!mem)
		return;
	w = jsonw_new(mem);
	if (w) {
		json_write_event(w, ev);
		jsonw_destroy(&w);
	}
	fclose(mem);
	if (!json || pipe2(fds, O_CLOEXEC)) {
		free(json);
		return;
	}
	/* Double fork: the command is nobody's child of ours to reap, and never blocks us. */
	child = fork();
	if (child == 0) {
		if (fork() == 0) {
			dup2(fds[0], STDIN_FILENO);
			execl("/bin/sh", "sh", "-c", command, (char *)NULL);
			_exit(127);
		}
		_exit(0);
	}
	close(fds[0]);
	if (child > 0) {
		if (write(fds[1], json, len) < 0)
			fprintf(stderr, "memtrace-bpf: --on-event: cannot write the event\n");
		waitpid(child, NULL, 0);
	}
	close(fds[1]);
	free(json);
}
