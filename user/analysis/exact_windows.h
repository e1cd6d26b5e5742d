/* The default mode's exact windows: when to attach the allocator probes for a few seconds
 * and when to detach them, so that the share of wall time with probes attached stays within
 * --overhead-budget. Plain C over synthetic time (no libbpf): the session feeds it the clock
 * and the process's footprint, and does what it answers.
 *
 * A token balance earns budget x elapsed time and pays for attached time; it holds at most
 * two windows. The schedule opens a window when the balance is full (one every
 * window/budget on average); growth of the footprint (RSS, brk and mappings) since the last
 * window opens one as soon as one window is paid for. Over any run the attached share is at
 * most budget + 2 windows / elapsed. */
#ifndef MEMTRACE_EXACT_WINDOWS_H
#define MEMTRACE_EXACT_WINDOWS_H

#include <stdbool.h>
#include <stdint.h>

struct exact_window_opts {
	double budget;               /* share of wall time with probes attached, 0 to 1 */
	uint64_t window_ns;          /* how long a window stays open (closed at the first tick
				      * past nine tenths of it) */
	uint64_t growth_bytes;       /* footprint growth since the last window that opens one */
};

enum exact_window_action { WINDOW_NONE, WINDOW_OPEN, WINDOW_CLOSE };

struct exact_windows {
	struct exact_window_opts opts;
	uint64_t start_ns, last_ns;
	double balance_ns;           /* earned minus spent, at most 2 windows */
	bool open;
	uint64_t opened_ns;
	uint64_t attached_ns;        /* closed windows' time */
	unsigned int count;          /* windows opened */
	uint64_t footprint_ref;      /* footprint when the last window closed (or at start) */
	bool footprint_known;
};

void exact_windows__init(struct exact_windows *w, const struct exact_window_opts *opts,
			 uint64_t now_ns);
/* What to do now, given the process's footprint (bytes: RSS or heap + mappings); the
 * caller opens or closes the window when told (and must: the state has moved). */
enum exact_window_action exact_windows__tick(struct exact_windows *w, uint64_t now_ns,
					     uint64_t footprint);
/* The footprint when a window closed: the growth trigger counts from there. */
void exact_windows__closed_at(struct exact_windows *w, uint64_t footprint);
/* Attached time so far (the open window's up to now), and its share of the elapsed time. */
uint64_t exact_windows__attached_ns(const struct exact_windows *w, uint64_t now_ns);
double exact_windows__share(const struct exact_windows *w, uint64_t now_ns);

#endif
