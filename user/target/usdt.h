/* USDT (SystemTap SDT) probes of an ELF file: the .note.stapsdt notes, each naming a
 * provider, a probe name, the probe's address and its semaphore (a counter the program
 * checks before it prepares the probe's arguments; 0 when the probe has none). */
#ifndef MEMTRACE_USDT_H
#define MEMTRACE_USDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct usdt_probe {
	char provider[64];
	char name[64];
	char args[128];              /* e.g. "-4@112(%rsp) -8@%r12" */
	uint64_t pc;                 /* link-time address, already corrected by .stapsdt.base */
	uint64_t semaphore;          /* link-time address of the semaphore, or 0 */
};

/* Parses one stapsdt note's descriptor (pc, base, semaphore, then three strings).
 * sdt_base is the address of the file's .stapsdt.base section (0 if it has none). */
bool usdt_parse_note(const void *desc, size_t size, uint64_t sdt_base, struct usdt_probe *out);
/* Reads every probe of the file at path. Returns the count (>= 0) or -errno. */
int usdt_read_probes(const char *path, struct usdt_probe **probes);
/* The probe named provider:name, or NULL. */
const struct usdt_probe *usdt_find(const struct usdt_probe *probes, int count, const char *provider,
				   const char *name);

#endif
