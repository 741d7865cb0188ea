/* system.h - the few facts about the machine a run depends on. */
#ifndef FF_SYSTEM_H
#define FF_SYSTEM_H

#include "ff/error.h"

/* Flush denormals to zero in this thread's SSE unit (FTZ and DAZ), as
 * TensorFlow's CPU kernels do (seed protocol, "Numerics"): without it late
 * epochs slow down several-fold as small activities underflow.  Call it
 * before the library's first threaded pass: its threads take the setting
 * of the thread that starts them, and differ from it otherwise. */
void ff_system_flush_denormals(void);

/* Threads for the library's matrix products and its large element-wise
 * passes (at most 256).  The library splits each large product among them itself and
 * calls the CBLAS single-threaded (OpenBLAS is told so here; until this is
 * called, the library uses one thread and OpenBLAS its own default). */
void ff_system_set_threads(int n);

/* Which CBLAS this process really calls: the shared object that provides
 * cblas_sgemm, and OpenBLAS's own build description when it is OpenBLAS.
 * Writes at most len bytes (NUL-terminated) into buf and returns buf. */
char *ff_system_cblas(char *buf, unsigned long len);

/* OpenBLAS's kernel family (e.g. "SkylakeX"), or "n/a" for another CBLAS.
 * "Prescott" on a CPU with AVX2 means OpenBLAS did not recognise the CPU
 * and runs its slow generic kernels: see ff_system_blas_misdetected. */
const char *ff_system_blas_core(void);
/* 1 if OpenBLAS chose its generic kernels on a CPU that has AVX2. */
FF_MUST_CHECK
int ff_system_blas_misdetected(void);

/* Seconds on a monotonic clock, for wall times and benchmarks (only
 * differences mean anything). */
double ff_system_seconds(void);

/* The compiler that built the library, e.g. "gcc 12.2.0". */
const char *ff_system_compiler(void);

#endif
