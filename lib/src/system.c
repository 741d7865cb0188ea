/* system.c - denormals, threads, which CBLAS is linked, the CPU, the clock. */
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

char *ff_system_cpu(char *buf, unsigned long len)
{
    if (!len)
        return buf;
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return buf;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (!strncmp(line, "model name", 10) && colon) {
            snprintf(buf, len, "%s", colon + 1 + (colon[1] == ' '));
            buf[strcspn(buf, "\n")] = 0;
            break;
        }
    }
    fclose(f);
    return buf;
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

/* The width in bits of the vectors of an OpenBLAS kernel family: 512 and
 * 256 for those of AVX-512 and AVX2, 128 for older ones, 0 for a name not
 * known here. */
static int blas_core_bits(const char *core)
{
    static const struct {
        const char *name;
        int bits;
    } families[] = {
        {"SkylakeX", 512},    {"Cooperlake", 512}, {"SapphireRapids", 512}, {"Haswell", 256},
        {"Zen", 256},         {"Excavator", 256},  {"Prescott", 128},       {"Core2", 128},
        {"Penryn", 128},      {"Dunnington", 128}, {"Nehalem", 128},        {"Sandybridge", 128},
        {"Barcelona", 128},   {"Bulldozer", 128},  {"Piledriver", 128},     {"Steamroller", 128},
    };
    for (size_t i = 0; i < sizeof families / sizeof *families; i++)
        if (!strcmp(core, families[i].name))
            return families[i].bits;
    return 0;
}

const char *ff_system_blas_wider_core(void)
{
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    const char *widest = NULL;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512cd"))
        widest = "SkylakeX";
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        widest = "Haswell";
    const int running = blas_core_bits(ff_system_blas_core());
    return widest && running && running < blas_core_bits(widest) ? widest : NULL;
#else
    return NULL;
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
