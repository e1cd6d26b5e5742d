// SPDX-License-Identifier: GPL-2.0
#include "analysis/event_rate.h"

void event_rate__init(struct event_rate *r, double per_s, double burst)
{
	r->per_s = per_s > 0 ? per_s : 1;
	r->burst = burst >= 1 ? burst : 1;
	r->tokens = r->burst;
	r->last_ns = 0;
	r->suppressed = 0;
}

bool event_rate__allow(struct event_rate *r, uint64_t now_ns)
{
	if (r->last_ns && now_ns > r->last_ns) {
		r->tokens += (now_ns - r->last_ns) / 1e9 * r->per_s;
		if (r->tokens > r->burst)
			r->tokens = r->burst;
	}
	if (!r->last_ns || now_ns > r->last_ns)
		r->last_ns = now_ns;
	if (r->tokens >= 1) {
		r->tokens -= 1;
		return true;
	}
	r->suppressed++;
	return false;
}
