/* A statically linked target (built twice: with symbols, and stripped). After "go" it makes
 * 1000 x malloc(100) that it keeps, prints "done" and waits for stdin to close. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handshake.h"
void *volatile kept[1000];

int main(void)
{
	free(malloc(1));
	say_ready();
	wait_line();
	for (int i = 0; i < 1000; i++)
		kept[i] = malloc(100);
	say("done\n");
	wait_line();
	return 0;
}
