// SPDX-License-Identifier: GPL-2.0
#include "target/needed_libraries.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/grow.h"

extern char **environ;

bool needed_libraries__parse_line(const char *line, char *path, size_t size)
{
	const char *arrow = strstr(line, " => "), *start, *end;

	start = arrow ? arrow + 4 : line;
	while (*start == ' ' || *start == '\t')
		start++;
	if (*start != '/')
		return false;            /* the vDSO, "not found", a message */
	end = strstr(start, " (0x");
	if (!end)
		end = start + strcspn(start, "\n");
	if ((size_t)(end - start) >= size)
		return false;
	memcpy(path, start, (size_t)(end - start));
	path[end - start] = '\0';
	return true;
}

/* The executable's PT_INTERP: its dynamic loader. false for a static executable. */
static bool read_interpreter(const char *executable, char *interp, size_t size)
{
	bool found = false;
	size_t count;
	Elf *elf;
	int fd;

	if (elf_version(EV_CURRENT) == EV_NONE || (fd = open(executable, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && elf_kind(elf) == ELF_K_ELF && !elf_getphdrnum(elf, &count)) {
		for (size_t i = 0; i < count && !found; i++) {
			GElf_Phdr phdr;

			if (!gelf_getphdr(elf, (int)i, &phdr) || phdr.p_type != PT_INTERP ||
			    !phdr.p_filesz || phdr.p_filesz >= size)
				continue;
			found = pread(fd, interp, phdr.p_filesz, (off_t)phdr.p_offset) ==
				(ssize_t)phdr.p_filesz;
			interp[phdr.p_filesz] = '\0';
		}
	}
	elf_end(elf);
	close(fd);
	return found && interp[0] == '/';
}

/* Runs INTERP --list EXECUTABLE; its output (malloc'ed) or NULL. */
static char *loader_list(const char *interp, const char *executable)
{
	char *argv[] = { (char *)interp, "--list", (char *)executable, NULL };
	posix_spawn_file_actions_t actions;
	size_t len = 0, cap = 0;
	char *out = NULL;
	int pipefd[2], status;
	pid_t pid;
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC))
		return NULL;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	if (posix_spawn(&pid, interp, &actions, NULL, argv, environ))
		pid = -1;
	posix_spawn_file_actions_destroy(&actions);
	close(pipefd[1]);
	while (pid > 0) {
		if (cap - len < 4096) {
			char *more = realloc(out, cap + 65536);

			if (!more)
				break;
			out = more;
			cap += 65536;
		}
		n = read(pipefd[0], out + len, cap - len - 1);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(pipefd[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (pid <= 0 || !out || !WIFEXITED(status) || WEXITSTATUS(status)) {
		free(out);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

int needed_libraries__list(const char *executable, char ***paths, size_t *count)
{
	char interp[PATH_MAX], path[PATH_MAX], real[PATH_MAX], exe[PATH_MAX];
	char *out, *line, *save = NULL;
	size_t cap = 0;

	*paths = NULL;
	*count = 0;
	/* Resolved here: the loader's /proc/self/exe would be the loader. */
	if (!realpath(executable, exe) || !read_interpreter(exe, interp, sizeof(interp)) ||
	    !(out = loader_list(interp, exe)))
		return 0;
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *copy;

		if (!needed_libraries__parse_line(line, path, sizeof(path)) || !realpath(path, real))
			continue;
		if (grow_for_one((void **)paths, &cap, *count, sizeof(**paths)) ||
		    !(copy = strdup(real))) {
			free(out);
			return -ENOMEM;
		}
		(*paths)[(*count)++] = copy;
	}
	free(out);
	return 0;
}
