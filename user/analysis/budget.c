#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "analysis/budget.h"

void budget_watch__init(struct budget_watch *w, const char *name, double limit,
			double recover_at)
{
	*w = (struct budget_watch){
		.name = name,
		.limit = limit,
		.recover_at = recover_at < limit ? recover_at : limit,
	};
}

enum budget_event budget_watch__feed(struct budget_watch *w, double t, double value,
				     struct budget_report *rep)
{
	enum budget_event event;

	if (!w->over && value > w->limit) {
		w->over = true;
		w->since = t;
		w->peak = value;
		event = BUDGET_EXCEEDED;
	} else if (w->over && value <= w->recover_at) {
		w->over = false;
		event = BUDGET_RECOVERED;
	} else if (w->over) {
		if (value > w->peak)
			w->peak = value;
		event = BUDGET_STILL_OVER;
	} else {
		event = BUDGET_OK;
	}

	if (rep) {
		bool in_episode = w->over || event == BUDGET_RECOVERED;

		*rep = (struct budget_report){
			.name = w->name,
			.value = value,
			.limit = w->limit,
			.excess = value - w->limit,
			.since = in_episode ? w->since : 0,
			.duration = in_episode ? t - w->since : 0,
			.peak = in_episode ? w->peak : value,
		};
	}
	return event;
}

const char *budget_event_name(enum budget_event event)
{
	switch (event) {
	case BUDGET_OK:
		return "ok";
	case BUDGET_EXCEEDED:
		return "exceeded";
	case BUDGET_STILL_OVER:
		return "over";
	case BUDGET_RECOVERED:
		return "recovered";
	}
	return "unknown";
}

/* log2 of the multiplier for a suffix letter, or -1 */
static int suffix_shift(char c)
{
	static const char letters[] = "KMGT";
	const char *hit = c ? strchr(letters, toupper((unsigned char)c)) : NULL;

	return hit ? 10 * (int)(hit - letters + 1) : -1;
}

bool parse_size(const char *s, uint64_t *bytes)
{
	unsigned long long v;
	char *end;
	int shift;

	/* strtoull would take a sign or leading spaces: "-1" must not wrap */
	if (!s || !isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return false;

	shift = suffix_shift(*end);
	if (shift > 0) {
		end++;
		if (!strcasecmp(end, "iB") || !strcasecmp(end, "B"))
			end += strlen(end);
	} else {
		shift = 0;
		if (!strcasecmp(end, "B"))
			end++;
	}
	if (*end || v > (UINT64_MAX >> shift))
		return false;
	*bytes = (uint64_t)v << shift;
	return true;
}

int parse_budget_spec(const char *spec, struct budget_spec *out)
{
	const char *eq;
	uint64_t limit;

	if (!spec)
		return -EINVAL;
	eq = strchr(spec, '=');
	if (eq == spec || !parse_size(eq ? eq + 1 : spec, &limit))
		return -EINVAL;

	out->limit = limit;
	out->name = NULL;
	if (eq) {
		size_t len = (size_t)(eq - spec);

		out->name = malloc(len + 1);
		if (!out->name)
			return -ENOMEM;
		memcpy(out->name, spec, len);
		out->name[len] = '\0';
	}
	return 0;
}
