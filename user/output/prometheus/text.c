// SPDX-License-Identifier: GPL-2.0
#include "output/prometheus/text.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(struct prom_text *t, size_t more)
{
	size_t cap;
	char *data;

	if (t->failed)
		return false;
	if (t->len + more + 1 <= t->capacity)
		return true;
	cap = t->capacity ? t->capacity : 4096;
	while (cap < t->len + more + 1)
		cap *= 2;
	data = realloc(t->data, cap);
	if (!data) {
		t->failed = true;
		return false;
	}
	t->data = data;
	t->capacity = cap;
	return true;
}

void prom_text__append(struct prom_text *t, const char *bytes, size_t n)
{
	if (!reserve(t, n))
		return;
	memcpy(t->data + t->len, bytes, n);
	t->len += n;
	t->data[t->len] = 0;
}

void prom_text__printf(struct prom_text *t, const char *fmt, ...)
{
	va_list args;
	int n;

	va_start(args, fmt);
	n = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	if (n < 0 || !reserve(t, (size_t)n))
		return;
	va_start(args, fmt);
	vsnprintf(t->data + t->len, (size_t)n + 1, fmt, args);
	va_end(args);
	t->len += (size_t)n;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF); 0 if there is none. */
static size_t utf8_sequence(const unsigned char *s)
{
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

void prom_text__label_value(struct prom_text *t, const char *value)
{
	const unsigned char *s = (const unsigned char *)value;

	while (*s) {
		size_t n = utf8_sequence(s);

		if (*s == '\\')
			prom_text__append(t, "\\\\", 2);
		else if (*s == '"')
			prom_text__append(t, "\\\"", 2);
		else if (*s == '\n')
			prom_text__append(t, "\\n", 2);
		else if (!n)
			prom_text__append(t, "?", 1);
		else
			prom_text__append(t, (const char *)s, n);
		s += n ? n : 1;
	}
}

void prom_text__help(struct prom_text *t, const char *help)
{
	for (const char *c = help; *c; c++) {
		if (*c == '\\')
			prom_text__append(t, "\\\\", 2);
		else if (*c == '\n')
			prom_text__append(t, "\\n", 2);
		else
			prom_text__append(t, c, 1);
	}
}

void prom_text__double(struct prom_text *t, double v)
{
	if (isnan(v))
		prom_text__append(t, "NaN", 3);
	else if (isinf(v))
		prom_text__printf(t, "%cInf", v > 0 ? '+' : '-');
	else if (v == (double)(long long)v && fabs(v) < 1e15)
		prom_text__printf(t, "%lld", (long long)v);
	else
		prom_text__printf(t, "%.17g", v);
}

void prom_text__free(struct prom_text *t)
{
	free(t->data);
	*t = (struct prom_text){ 0 };
}
