/* Ground truth for frame-pointer walks through code built without frame pointers: one call
 * site, garbage_fp_malloc's call to malloc, reached GARBAGE_ALLOCS times with a different
 * kind of garbage in rbp each time, as -fomit-frame-pointer code leaves whatever it computed
 * there. Every walk must end right after the call site's own frame, so all the allocations
 * land in one stack of one frame:
 * - a value that points nowhere (0xf66df65ef0dea6d0, as seen in git);
 * - a fake frame record on this thread's stack whose return address is executable but
 *   follows no call (not_a_return_site: eight nops before it);
 * - one whose return address lies in data (looks_like_call: not executable, though the
 *   bytes before it read as a call);
 * - one in the bytes of argv[0]: inside the stack's mapping but above mm->start_stack, where
 *   no frame lies, with a return address that follows a call (after_a_call);
 * - from a second thread, a record on the main thread's stack (outside the second thread's
 *   stack) whose return address does follow a call (after_a_call).
 * Each allocation is GARBAGE_SIZE bytes, every block kept live.
 * Protocol as alloc_exact.c: "ready <pid>", reads "go", allocates, prints "done". */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "handshake.h"

#define PER_KIND 100
#define GARBAGE_ALLOCS (5 * PER_KIND)
#define GARBAGE_SIZE 256

void *volatile kept[GARBAGE_ALLOCS];
static int nkept;

struct frame_record {
	uint64_t next_fp;
	uint64_t return_address;
};

/* malloc(size) with fp in rbp: no frame of its own, rbp restored before it returns. */
void *garbage_fp_malloc(size_t size, uint64_t fp);
extern const char not_a_return_site[], after_a_call[];
__asm__(".text\n"
	".globl garbage_fp_malloc\n"
	".type garbage_fp_malloc, @function\n"
	"garbage_fp_malloc:\n"
	"	push %rbp\n"
	"	mov %rsi, %rbp\n"
	"	call malloc@PLT\n"
	"	pop %rbp\n"
	"	ret\n"
	".size garbage_fp_malloc, .-garbage_fp_malloc\n"
	".globl not_a_return_site\n"
	"	nop; nop; nop; nop; nop; nop; nop; nop\n"
	"not_a_return_site:\n"
	"	ret\n"
	".globl decoy_caller\n"
	".type decoy_caller, @function\n"
	"decoy_caller:\n"
	"	call not_a_return_site\n"
	"after_a_call:\n"
	"	ret\n"
	".size decoy_caller, .-decoy_caller\n");

/* Data whose last five bytes before offset 8 encode "call rel32". */
static unsigned char looks_like_call[16] = { 0x90, 0x90, 0x90, 0xe8, 0, 0, 0, 0 };

static void allocate(uint64_t fp)
{
	kept[nkept++] = garbage_fp_malloc(GARBAGE_SIZE, fp);
}

static void *from_other_thread(void *main_stack_record)
{
	for (int i = 0; i < PER_KIND; i++)
		allocate((uint64_t)main_stack_record);
	return NULL;
}

/* A frame record written over the bytes of argv[0], as setproctitle would overwrite them. */
static struct frame_record *record_in_argv0(char *argv0, struct frame_record record)
{
	uintptr_t at = ((uintptr_t)argv0 + 7) & ~(uintptr_t)7;

	if (at + sizeof(record) > (uintptr_t)argv0 + strlen(argv0))
		return NULL;
	memcpy((void *)at, &record, sizeof(record));
	return (struct frame_record *)at;
}

int main(int argc, char **argv)
{
	struct frame_record no_call = { 0, (uint64_t)not_a_return_site };
	struct frame_record in_data = { 0, (uint64_t)&looks_like_call[8] };
	struct frame_record other_stack = { 0, (uint64_t)after_a_call };
	struct frame_record *above_start_stack =
		argc > 0 ? record_in_argv0(argv[0], other_stack) : NULL;
	pthread_t thread;

	if (!above_start_stack) {
		fprintf(stderr, "garbage_frames: argv[0] too short for a frame record\n");
		return 1;
	}
	say_ready();
	wait_line();
	for (int i = 0; i < PER_KIND; i++) {
		allocate(0xf66df65ef0dea6d0ull);
		allocate((uint64_t)&no_call);
		allocate((uint64_t)&in_data);
		allocate((uint64_t)above_start_stack);
	}
	if (pthread_create(&thread, NULL, from_other_thread, &other_stack) ||
	    pthread_join(thread, NULL))
		return 1;
	say("done\n");
	wait_line();
	return 0;
}
