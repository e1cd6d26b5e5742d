/* A statically linked target (built twice: with symbols, and stripped). After "go" it makes
 * 1000 x malloc(100) that it keeps, prints "done" and waits for stdin to close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *volatile kept[1000];

static void wait_line(void)
{
	char c;

	while (read(STDIN_FILENO, &c, 1) == 1 && c != '\n')
		;
}

int main(void)
{
	char line[64];

	free(malloc(1));
	snprintf(line, sizeof(line), "ready %d\n", (int)getpid());
	if (write(STDOUT_FILENO, line, strlen(line)) < 0)
		return 1;
	wait_line();
	for (int i = 0; i < 1000; i++)
		kept[i] = malloc(100);
	if (write(STDOUT_FILENO, "done\n", 5) < 0)
		return 1;
	wait_line();
	return 0;
}
