/* NT time conversions (see nttime.h). */
#include "base/nttime.h"

uint64_t nttime_from_timespec(struct timespec ts)
{
	if (ts.tv_sec < -(int64_t)(NTTIME_UNIX_EPOCH / 10000000ULL))
		return 0;
	return (uint64_t)((int64_t)NTTIME_UNIX_EPOCH + (int64_t)ts.tv_sec * 10000000LL + ts.tv_nsec / 100);
}

struct timespec nttime_to_timespec(uint64_t nt)
{
	int64_t d = (int64_t)(nt - NTTIME_UNIX_EPOCH);
	if (nt < NTTIME_UNIX_EPOCH)
		d = -(int64_t)(NTTIME_UNIX_EPOCH - nt);
	struct timespec ts;
	ts.tv_sec = d / 10000000LL;
	int64_t rem = d % 10000000LL;
	if (rem < 0) {
		rem += 10000000LL;
		ts.tv_sec -= 1;
	}
	ts.tv_nsec = (long)(rem * 100);
	return ts;
}

uint64_t nttime_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return nttime_from_timespec(ts);
}
