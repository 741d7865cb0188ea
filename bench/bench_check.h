/* bench_check.h - the benchmarks' checks: a library call that fails, or an
 * allocation that returns NULL, stops the benchmark with its reason (a
 * figure from a failed step would be a lie). */
#ifndef FF_BENCH_CHECK_H
#define FF_BENCH_CHECK_H

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

#endif
