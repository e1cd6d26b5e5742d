/* Where --prometheus listens: [ADDR:]PORT, ADDR an IPv4 address or [IPv6], default 127.0.0.1. */
#ifndef MEMTRACE_PROM_LISTEN_H
#define MEMTRACE_PROM_LISTEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct prom_listen {
	bool on;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	char shown[80];              /* ADDR:PORT as messages show it */
};

enum prom_listen_error {
	PROM_LISTEN_OK,
	PROM_LISTEN_BAD_ADDRESS,     /* not [ADDR:]PORT, or ADDR not an IP address */
	PROM_LISTEN_BAD_PORT,        /* not a number from 1 to 65535 */
};

enum prom_listen_error prom_listen__parse(const char *arg, struct prom_listen *out);

#endif
