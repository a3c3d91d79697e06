/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP 13 output for the guest tests (kselftest conventions):
 * exit 0 when every case passed, 1 when one failed, 4 when all skipped.
 */
#ifndef EDUDMA_TAP_H
#define EDUDMA_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_EXIT_SKIP 4

static int tap_planned, tap_run, tap_failed;

static inline void tap_plan(int n)
{
	tap_planned = n;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", n);
}

static inline void tap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Reports one case; returns cond so callers can stop early. */
static inline int tap_ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_run++;
	if (!cond)
		tap_failed++;
	printf("%sok %d ", cond ? "" : "not ", tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	return cond;
}

static inline void tap_skip(const char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void tap_skip(const char *why, const char *fmt, ...)
{
	va_list ap;

	tap_run++;
	printf("ok %d ", tap_run);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
}

/* The whole program has nothing to test here. */
static inline void __attribute__((noreturn)) tap_skip_all(const char *why)
{
	printf("TAP version 13\n1..0 # SKIP %s\n", why);
	exit(TAP_EXIT_SKIP);
}

static inline int __attribute__((noreturn)) tap_finish(void)
{
	if (tap_run != tap_planned) {
		printf("# planned %d cases, ran %d\n", tap_planned, tap_run);
		exit(1);
	}
	exit(tap_failed ? 1 : 0);
}

/* "expected errno E, got ..." helpers */
static inline const char *tap_errname(int e)
{
	return e ? strerror(e) : "success";
}

#endif /* EDUDMA_TAP_H */
