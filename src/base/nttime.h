/* NT time (100 ns intervals since 1601-01-01 UTC) <-> Unix timespec.
 * No dependencies. */
#ifndef SMB3D_BASE_NTTIME_H
#define SMB3D_BASE_NTTIME_H

#include <stdint.h>
#include <time.h>

#define NTTIME_UNIX_EPOCH 116444736000000000ULL /* 1970-01-01 in NT time */

uint64_t nttime_from_timespec(struct timespec ts);
struct timespec nttime_to_timespec(uint64_t nt);
uint64_t nttime_now(void);

#endif
