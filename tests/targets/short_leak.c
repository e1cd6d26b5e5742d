/* A short run for --fail-on-leak's survival judge: for MS milliseconds, keeps (keep) or frees
 * (free) one BLOCK-byte block from leak_block() every PERIOD_US, while churn_block() allocates
 * and frees; then exits without freeing what it kept. Prints "kept N" (the ground truth).
 * Usage: short_leak MS BLOCK PERIOD_US keep|free */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void *volatile churned;
void **kept;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

__attribute__((noinline)) void *leak_block(size_t size)
{
	void *p = malloc(size);

	if (p)
		memset(p, 1, size);
	return p;
}

__attribute__((noinline)) void churn_block(size_t size)
{
	churned = malloc(size);
	free(churned);
}

int main(int argc, char **argv)
{
	uint64_t ms, period, start, end, made = 0, held = 0;
	size_t block;
	int keep;

	if (argc != 5)
		return 2;
	ms = strtoull(argv[1], NULL, 10);
	block = strtoull(argv[2], NULL, 10);
	period = strtoull(argv[3], NULL, 10);
	keep = !strcmp(argv[4], "keep");
	kept = calloc(ms * 1000 / period + 1, sizeof(*kept));
	if (!kept || !period)
		return 1;
	start = now_us();
	end = start + ms * 1000;
	for (uint64_t t = start; t < end; t = now_us()) {
		while (made < (t - start) / period) {
			void *p = leak_block(block);

			made++;
			if (keep)
				kept[held++] = p;
			else
				free(p);
		}
		churn_block(block);
		usleep(1000);
	}
	printf("kept %llu\n", (unsigned long long)held);
	return 0;
}
