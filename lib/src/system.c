/* system.c - denormals, threads, which CBLAS is linked, the clock. */
#define _GNU_SOURCE
#include "ff/system.h"
#include "parallel.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_cblas.h>
#if defined(__SSE__)
#include <xmmintrin.h>
#endif

#ifdef FF_HAVE_OPENBLAS
void openblas_set_num_threads(int num_threads);
char *openblas_get_config(void);
char *openblas_get_corename(void);
#endif

void ff_system_flush_denormals(void)
{
#if defined(__SSE__)
    _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ (bit 15) | DAZ (bit 6) */
#endif
}

void ff_system_set_threads(int n)
{
    ff_par_set_threads(n);
#ifdef FF_HAVE_OPENBLAS
    openblas_set_num_threads(1);
#endif
}

char *ff_system_cblas(char *buf, unsigned long len)
{
    Dl_info info;
    const char *lib = "unknown";
    if (dladdr((void *)cblas_sgemm, &info) && info.dli_fname)
        lib = info.dli_fname;
#ifdef FF_HAVE_OPENBLAS
    snprintf(buf, len, "%s (%s)", lib, openblas_get_config());
#else
    snprintf(buf, len, "%s", lib);
#endif
    return buf;
}

const char *ff_system_blas_core(void)
{
#ifdef FF_HAVE_OPENBLAS
    return openblas_get_corename();
#else
    return "n/a";
#endif
}

int ff_system_blas_misdetected(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    return !strcmp(ff_system_blas_core(), "Prescott") && __builtin_cpu_supports("avx2");
#else
    return 0;
#endif
}

const char *ff_system_compiler(void)
{
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return "unknown";
#endif
}

double ff_system_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
