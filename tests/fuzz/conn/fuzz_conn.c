/* libFuzzer target: a whole connection in memory. The input is a sequence of
 * frames, each prefixed by a 2-byte little-endian length, fed to
 * conn_process_frame() exactly as the transport would; replies go to a
 * socketpair that is drained and discarded. Offloaded work is completed by
 * running the loop. Guests may log on, to reach the file commands on a
 * read-only share in a private temporary directory. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "config/config.h"
#include "conn/conn.h"
#include "event/loop.h"
#include "server/server.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct server *srv;
static struct ev_loop *loop;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char dir[] = "/tmp/smb3d-fuzz-share.XXXXXX";
	if (!mkdtemp(dir))
		abort();
	FILE *f;
	char path[256];
	snprintf(path, sizeof(path), "%s/file.txt", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("hello", f);
		fclose(f);
	}
	char conf[512];
	snprintf(conf, sizeof(conf),
		 "[global]\nmap to guest = bad user\nlog level = 0\n[share]\npath = %s\nguest ok = yes\nread only = yes\n",
		 dir);
	struct config *cfg = config_load_string(conf, "/tmp/fuzz.conf", NULL, NULL);
	if (!cfg)
		abort();
	srv = server_alloc(cfg);
	loop = ev_loop_new();
	if (!srv || !loop)
		abort();
	log_set_level(-1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	int big = 4 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	struct sockaddr_storage peer = { .ss_family = AF_INET };
	struct conn *c = conn_new(srv, loop, sv[0], &peer, NULL);
	if (!c) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	uint8_t sink[65536];
	size_t pos = 0;
	while (pos + 2 <= size && !c->closing) {
		size_t n = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
		pos += 2;
		if (n > size - pos)
			n = size - pos;
		uint8_t *frame = malloc(n ? n : 1);
		if (!frame)
			break;
		memcpy(frame, data + pos, n);
		pos += n;
		conn_process_frame(c, frame, n); /* takes ownership */
		for (int i = 0; i < 50 && !c->closing && c->n_pending > 0; i++)
			ev_loop_run_once(loop, 10);
		while (read(sv[1], sink, sizeof(sink)) > 0) {
		}
	}
	/* Let offloaded work finish first, so nothing outlives the input; a
	 * closing connection with work in flight is freed by its last
	 * completion, so it is not touched after that. */
	bool closing = c->closing;
	while (!closing && c->n_pending > 0)
		ev_loop_run_once(loop, 5);
	if (!closing)
		conn_close(c, "fuzz input done");
	for (int i = 0; i < 100; i++)
		if (ev_loop_run_once(loop, 2) == 0 && i > 2)
			break;
	close(sv[1]);
	return 0;
}
