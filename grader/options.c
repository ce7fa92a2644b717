/* How a grading runs: its time limits. */
#include "options.h"

#include "util.h"

double grade_limit(const struct grade_options *o, double seconds)
{
	double limit = seconds * o->timeout_scale;

	if (o->deadline) {
		double left = o->deadline - now();

		if (left < limit)
			limit = left > 0.1 ? left : 0.1;
	}
	return limit;
}
