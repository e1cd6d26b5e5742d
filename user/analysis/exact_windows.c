#include "analysis/exact_windows.h"

#define WINDOWS_HELD 2

static double capacity_ns(const struct exact_windows *w)
{
	return (double)WINDOWS_HELD * (double)w->opts.window_ns;
}

void exact_windows__init(struct exact_windows *w, const struct exact_window_opts *opts,
			 uint64_t now_ns)
{
	*w = (struct exact_windows){ .opts = *opts, .start_ns = now_ns, .last_ns = now_ns };
}

/* Earns budget x dt, pays dt while open. */
static void advance(struct exact_windows *w, uint64_t now_ns)
{
	double dt = now_ns > w->last_ns ? (double)(now_ns - w->last_ns) : 0;

	w->balance_ns += w->opts.budget * dt - (w->open ? dt : 0);
	if (w->balance_ns > capacity_ns(w))
		w->balance_ns = capacity_ns(w);
	if (now_ns > w->last_ns)
		w->last_ns = now_ns;
}

enum exact_window_action exact_windows__tick(struct exact_windows *w, uint64_t now_ns,
					     uint64_t footprint)
{
	bool grown;

	advance(w, now_ns);
	if (!w->footprint_known) {
		w->footprint_ref = footprint;
		w->footprint_known = true;
	}
	if (w->open) {
		/* Ticks come at report intervals, a little late or early: closing at the one
		 * within a tenth of the window of its end keeps a 2 s window from taking 3. */
		if (now_ns - w->opened_ns < w->opts.window_ns - w->opts.window_ns / 10)
			return WINDOW_NONE;
		w->open = false;
		w->attached_ns += now_ns - w->opened_ns;
		return WINDOW_CLOSE;
	}
	if (w->opts.budget <= 0 || !w->opts.window_ns)
		return WINDOW_NONE;
	grown = footprint > w->footprint_ref && footprint - w->footprint_ref >= w->opts.growth_bytes;
	if (w->balance_ns >= capacity_ns(w) ||
	    (grown && w->balance_ns >= (double)w->opts.window_ns)) {
		w->open = true;
		w->opened_ns = now_ns;
		w->count++;
		return WINDOW_OPEN;
	}
	return WINDOW_NONE;
}

void exact_windows__closed_at(struct exact_windows *w, uint64_t footprint)
{
	w->footprint_ref = footprint;
	w->footprint_known = true;
}

uint64_t exact_windows__attached_ns(const struct exact_windows *w, uint64_t now_ns)
{
	return w->attached_ns + (w->open && now_ns > w->opened_ns ? now_ns - w->opened_ns : 0);
}

double exact_windows__share(const struct exact_windows *w, uint64_t now_ns)
{
	uint64_t elapsed = now_ns > w->start_ns ? now_ns - w->start_ns : 0;

	return elapsed ? (double)exact_windows__attached_ns(w, now_ns) / (double)elapsed : 0;
}
