// SPDX-License-Identifier: GPL-2.0
#include "output/prometheus/prometheus.h"

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/exit_codes.h"
#include "output/output.h"
#include "output/prometheus/table.h"

/* Scrapes served at once: each holds one rendered text, so memory stays bounded whatever the
 * scrape rate. */
#define MAX_CONNECTIONS 16
#define CONNECTION_TIMEOUT_S 10

struct prometheus_output {
	struct output base;
	struct prom_table table;
	struct MHD_Daemon *daemon;
};

static const char content_type[] = "text/plain; version=0.0.4; charset=utf-8";

static enum MHD_Result respond_text(struct MHD_Connection *c, unsigned int status,
				    const char *text)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), (void *)text,
								    MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The HTTP thread: renders the table into a buffer of its own, freed once sent. */
static enum MHD_Result handle_request(void *cls, struct MHD_Connection *c, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_size,
				      void **req_cls)
{
	struct prometheus_output *po = cls;
	struct prom_text text = { 0 };
	struct MHD_Response *resp;
	enum MHD_Result ret;

	(void)version, (void)upload_data, (void)upload_size, (void)req_cls;
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return respond_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET /metrics\n");
	if (strcmp(url, "/metrics"))
		return respond_text(c, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
	if (prom_table__render(&po->table, &text)) {
		prom_text__free(&text);
		return respond_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	}
	resp = MHD_create_response_from_buffer(text.len, text.data, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		prom_text__free(&text);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void on_interval(struct output *out, const struct process_report *r)
{
	prom_table__interval(&((struct prometheus_output *)out)->table, r);
}

static void on_summary(struct output *out, const struct process_report *r)
{
	prom_table__summary(&((struct prometheus_output *)out)->table, r);
}

static void on_event(struct output *out, const struct analysis_event *ev)
{
	prom_table__event(&((struct prometheus_output *)out)->table, ev);
}

static void on_frame(struct output *out, const struct frame_report *f)
{
	prom_table__frame(&((struct prometheus_output *)out)->table, f);
}

static void destroy(struct output *out)
{
	struct prometheus_output *po = (struct prometheus_output *)out;

	if (po->daemon)
		MHD_stop_daemon(po->daemon);   /* joins the HTTP thread, closes the socket */
	prom_table__free(&po->table);
	free(po);
}

/* Bound here, not by libmicrohttpd, so that the reason (say, EADDRINUSE) is ours to tell. */
static int listen_socket(const struct prom_listen *listen_at)
{
	int fd = socket(listen_at->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1, err;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&listen_at->addr, listen_at->addr_len) ||
	    listen(fd, 64)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int prometheus_output__open(const struct prom_listen *listen_at, uint32_t top_types,
			    bool frames_on, size_t max_processes, struct output **out)
{
	struct prometheus_output *po = calloc(1, sizeof(*po));
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;
	sigset_t all, old;
	int fd;

	*out = NULL;
	if (!po || prom_table__init(&po->table, top_types, frames_on, max_processes)) {
		free(po);
		return EXIT_INTERNAL;
	}
	po->base = (struct output){ .interval = on_interval, .summary = on_summary,
				    .destroy = destroy, .frame = on_frame, .event = on_event };
	fd = listen_socket(listen_at);
	if (fd < 0) {
		fprintf(stderr, "memtrace-bpf: cannot listen on %s for --prometheus: %s\n",
			listen_at->shown, strerror(-fd));
		destroy(&po->base);
		return EXIT_PROMETHEUS_LISTEN;
	}
	if (listen_at->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* Signals stay with the main thread: its sleep must wake on Ctrl-C and SIGCHLD. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	po->daemon = MHD_start_daemon(flags, 0, NULL, NULL, handle_request, po,
				      MHD_OPTION_LISTEN_SOCKET, fd,
				      MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
				      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONNECTION_TIMEOUT_S,
				      MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!po->daemon) {
		fprintf(stderr, "memtrace-bpf: cannot start the --prometheus server on %s\n",
			listen_at->shown);
		close(fd);
		destroy(&po->base);
		return EXIT_INTERNAL;
	}
	*out = &po->base;
	return EXIT_OK;
}
