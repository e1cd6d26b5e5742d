// SPDX-License-Identifier: GPL-2.0
#include "session/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/procmaps.h"

int launch__start(char **argv, struct launched *child)
{
	int go[2], exec_error[2];

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(exec_error, O_CLOEXEC)) {
		int err = -errno;

		close(go[0]);
		close(go[1]);
		return err;
	}
	child->pid = fork();
	if (child->pid < 0) {
		int err = -errno;

		close(go[0]);
		close(go[1]);
		close(exec_error[0]);
		close(exec_error[1]);
		return err;
	}
	if (child->pid == 0) {
		char byte;
		int err;

		close(go[1]);
		close(exec_error[0]);
		/* EOF (the tracer gave up) means: do not run the command. */
		if (read(go[0], &byte, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		err = errno;
		if (write(exec_error[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(exec_error[1]);
	child->go_fd = go[1];
	child->exec_error_fd = exec_error[0];
	return 0;
}

int launch__go(struct launched *child)
{
	char byte = 1;
	int exec_errno = 0;
	ssize_t n;

	if (write(child->go_fd, &byte, 1) != 1)
		return -errno;
	close(child->go_fd);
	child->go_fd = -1;
	do {
		n = read(child->exec_error_fd, &exec_errno, sizeof(exec_errno));
	} while (n < 0 && errno == EINTR);
	close(child->exec_error_fd);
	child->exec_error_fd = -1;
	return n == sizeof(exec_errno) ? -exec_errno : 0;
}

bool launch__resolve(const char *command, char *path, size_t size)
{
	const char *dirs = getenv("PATH");

	if (strchr(command, '/')) {
		snprintf(path, size, "%s", command);
		return access(path, X_OK) == 0;
	}
	if (!dirs)
		dirs = "/usr/local/bin:/usr/bin:/bin";
	while (*dirs) {
		size_t len = strcspn(dirs, ":");

		snprintf(path, size, "%.*s/%s", (int)len, len ? dirs : ".", command);
		if (access(path, X_OK) == 0)
			return true;
		dirs += len + (dirs[len] == ':');
	}
	return false;
}

bool launch__own_libc(char *path, size_t size)
{
	struct procmaps maps;
	bool found = false;

	if (procmaps__read(getpid(), &maps))
		return false;
	for (size_t i = 0; i < maps.count && !found; i++) {
		const char *name = strrchr(maps.mappings[i].path, '/');

		if (name && (!strncmp(name, "/libc.so", 8) || !strncmp(name, "/libc-", 6))) {
			snprintf(path, size, "%s", maps.mappings[i].path);
			found = true;
		}
	}
	procmaps__free(&maps);
	return found;
}
