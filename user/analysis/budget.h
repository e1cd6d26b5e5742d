/* Budgets: a limit per metric, watched snapshot by snapshot. */
#ifndef MEMTRACE_ANALYSIS_BUDGET_H
#define MEMTRACE_ANALYSIS_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

enum budget_event {
	BUDGET_OK,		/* within the budget, and was */
	BUDGET_EXCEEDED,	/* went over the limit at this sample */
	BUDGET_STILL_OVER,
	BUDGET_RECOVERED,	/* dropped back to recover_at or below */
};

/* One budget and its state; set up with budget_watch__init. */
struct budget_watch {
	const char *name;
	double limit;		/* over when value > limit */
	double recover_at;	/* back when value <= recover_at (<= limit: hysteresis) */
	bool over;
	double since;		/* t of the sample that went over */
	double peak;		/* highest value while over */
};

struct budget_report {
	const char *name;
	double value;
	double limit;
	double excess;		/* value - limit; <= 0 when within */
	double since;		/* while over, and at recovery: when it went over */
	double duration;	/* t - since; 0 when within */
	double peak;
};

/* recover_at above limit is taken as limit. */
void budget_watch__init(struct budget_watch *w, const char *name, double limit,
			double recover_at);

/* Feed the value at time t (seconds); rep, if not NULL, describes the state. */
enum budget_event budget_watch__feed(struct budget_watch *w, double t, double value,
				     struct budget_report *rep);

const char *budget_event_name(enum budget_event event);

/*
 * "64M" -> 67108864. Integer with an optional binary suffix K, M, G or T
 * (any case, optionally followed by "B" or "iB"), or a bare "B". False on
 * anything else: empty, sign, spaces, fractions, overflow.
 */
bool parse_size(const char *s, uint64_t *bytes);

struct budget_spec {
	char *name;		/* NULL for a bare size (the total budget); free() it */
	uint64_t limit;
};

/* "dict=1000", "type:dict=10K", "512M". Returns 0, -EINVAL or -ENOMEM. */
int parse_budget_spec(const char *spec, struct budget_spec *out);

#endif /* MEMTRACE_ANALYSIS_BUDGET_H */
