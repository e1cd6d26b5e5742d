// SPDX-License-Identifier: GPL-2.0
#include "output/prometheus/listen.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* Digits only, 1 to 65535. */
static enum prom_listen_error parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;

	if (!*s)
		return PROM_LISTEN_BAD_PORT;
	for (const char *c = s; *c; c++) {
		if (*c < '0' || *c > '9')
			return PROM_LISTEN_BAD_PORT;
		if (v <= 65535)
			v = v * 10 + (unsigned long)(*c - '0');
	}
	if (v < 1 || v > 65535)
		return PROM_LISTEN_BAD_PORT;
	*port = (uint16_t)v;
	return PROM_LISTEN_OK;
}

enum prom_listen_error prom_listen__parse(const char *arg, struct prom_listen *out)
{
	const char *colon = strrchr(arg, ':');
	char host[64] = "127.0.0.1";
	const char *port_text = arg;
	enum prom_listen_error err;
	uint16_t port;

	*out = (struct prom_listen){ 0 };
	if (colon) {
		size_t len = (size_t)(colon - arg);

		if (!len || len >= sizeof(host))
			return PROM_LISTEN_BAD_ADDRESS;
		memcpy(host, arg, len);
		host[len] = 0;
		port_text = colon + 1;
	}
	err = parse_port(port_text, &port);
	if (err)
		return err;
	if (host[0] == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out->addr;
		size_t len = strlen(host);

		if (len < 3 || host[len - 1] != ']')
			return PROM_LISTEN_BAD_ADDRESS;
		host[len - 1] = 0;
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) != 1)
			return PROM_LISTEN_BAD_ADDRESS;
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		out->addr_len = sizeof(*a6);
		char text[INET6_ADDRSTRLEN];

		/* As the kernel will see it, in a buffer sized to any address. */
		inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof(text));
		snprintf(out->shown, sizeof(out->shown), "[%s]:%u", text, port);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&out->addr;

		/* inet_pton, not inet_aton: "1" or "0x7f.1" are not addresses here. */
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return PROM_LISTEN_BAD_ADDRESS;
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		out->addr_len = sizeof(*a4);
		snprintf(out->shown, sizeof(out->shown), "%s:%u", host, port);
	}
	out->on = true;
	return PROM_LISTEN_OK;
}
