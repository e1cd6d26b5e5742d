/* A token bucket: at most `burst` events at once, refilled at `per_s`. Pure C. */
#ifndef MEMTRACE_EVENT_RATE_H
#define MEMTRACE_EVENT_RATE_H

#include <stdbool.h>
#include <stdint.h>

struct event_rate {
	double per_s, burst;
	double tokens;
	uint64_t last_ns;
	uint64_t suppressed;          /* events refused so far */
};

void event_rate__init(struct event_rate *r, double per_s, double burst);
/* True when an event at now_ns may run; counts it as suppressed otherwise. */
bool event_rate__allow(struct event_rate *r, uint64_t now_ns);

#endif
