/* Starting the command given after "--" so that probes are attached before its main(). */
#ifndef MEMTRACE_LAUNCH_H
#define MEMTRACE_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct launched {
	pid_t pid;
	int go_fd;                   /* write end: the child execs when it reads from it */
	int exec_error_fd;           /* read end: carries the child's exec errno, EOF on success */
};

/* Forks a child that waits for launch__go before it execs argv. Returns 0 or -errno. */
int launch__start(char **argv, struct launched *child);
/* Lets the child exec; returns 0 once the exec succeeded, or -errno of the failed exec. */
int launch__go(struct launched *child);
/* Where the command's executable is (a PATH search like execvp's); false if not found. */
bool launch__resolve(const char *command, char *path, size_t size);
/* The C library this program maps: a dynamically linked command will map the same one. */
bool launch__own_libc(char *path, size_t size);

#endif
