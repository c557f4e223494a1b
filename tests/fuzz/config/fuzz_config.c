/* libFuzzer target for the smb.conf reader: arbitrary bytes (NULs, huge
 * lines, invalid UTF-8) go through config_load_buffer and, up to the first
 * NUL, config_load_string; a loaded snapshot is also dumped. */
#include "config/config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void quiet(void *ctx, bool is_error, const char *line)
{
	(void)ctx;
	(void)is_error;
	(void)line;
}

static void exercise(struct config *c)
{
	if (!c)
		return;
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		config_dump(c, null);
		fclose(null);
	}
	(void)config_find_share(c, "IPC$");
	config_put(config_get(c));
	config_put(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	exercise(config_load_buffer((const char *)data, size, "/fuzz/smb.conf", quiet, NULL));

	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	exercise(config_load_string(text, "fuzz.conf", quiet, NULL));
	free(text);
	return 0;
}
