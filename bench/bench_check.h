/* bench_check.h - the benchmarks' checks: a library call that fails, or an
 * allocation that returns NULL, stops the benchmark with its reason (a
 * figure from a failed step would be a lie); so does an argument that is
 * not a number in its range (a benchmark of 0 epochs would print NaN). */
#ifndef FF_BENCH_CHECK_H
#define FF_BENCH_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "ff/error.h"

static inline void bench_check(int status, const char *what)
{
    if (status != FF_SUCCESS) {
        fprintf(stderr, "benchmark: %s: %s\n", what, ff_strerror(status));
        exit(1);
    }
}

/* ok false: what (a buffer, a workspace) could not be allocated */
static inline void bench_need(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "benchmark: %s: out of memory\n", what);
        exit(1);
    }
}

/* Stop the benchmark prog, called wrongly (why), with exit status 2 and
 * its usage line. */
static inline void bench_usage(const char *prog, const char *why, const char *usage)
{
    fprintf(stderr, "%s: %s; usage: %s\n", prog, why, usage);
    exit(2);
}

/* The argument `what`, s, of the benchmark prog: an integer in [lo, hi];
 * anything else stops it (bench_usage). */
static inline int bench_int(const char *prog, const char *what, const char *s, long lo, long hi,
                            const char *usage)
{
    char *end, why[160];
    errno = 0;
    const long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi) {
        snprintf(why, sizeof why, "%s: '%.40s' is not an integer in [%ld, %ld]", what, s, lo,
                 hi);
        bench_usage(prog, why, usage);
    }
    return (int)v;
}

/* The argument `what`, s: a number in (0, hi]; as bench_int otherwise. */
static inline double bench_positive(const char *prog, const char *what, const char *s, double hi,
                                    const char *usage)
{
    char *end, why[160];
    errno = 0;
    const double v = strtod(s, &end);
    if (end == s || *end || errno || !(v > 0.0 && v <= hi)) {
        snprintf(why, sizeof why, "%s: '%.40s' is not a number in (0, %g]", what, s, hi);
        bench_usage(prog, why, usage);
    }
    return v;
}

#endif
