/* Logging with levels (Samba's `log level` numbers: 0 errors, 1 warnings and
 * notable events, 2 info, 3+ debug), a context prefix and rate limiting for
 * anything a client can trigger. Never log keys, hashes or challenge responses. */
#ifndef SMB3D_BASE_LOG_H
#define SMB3D_BASE_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

enum { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3, LOG_TRACE = 10 };

void log_set_level(int level);
int log_get_level(void);
/* Routes output to a file descriptor (default 2). */
void log_set_fd(int fd);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(int level, const char *fmt, va_list ap);

#define LOG_ON(lvl) ((lvl) <= log_get_level())
#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                    \
	do {                                              \
		if (LOG_ON(LOG_DEBUG))                    \
			log_msg(LOG_DEBUG, __VA_ARGS__);  \
	} while (0)

/* Allows `burst` events per `interval_ms`; returns false when over. */
struct ratelimit {
	uint64_t window_start_ms;
	uint32_t count;
	uint32_t burst;
	uint32_t interval_ms;
	uint32_t suppressed;
};
bool ratelimit_ok(struct ratelimit *rl);

#endif
