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

/* The CPU's model name as /proc/cpuinfo gives it (its first "model name"
 * line), or "unknown".  Writes at most len bytes (NUL-terminated) into buf
 * and returns buf. */
char *ff_system_cpu(char *buf, unsigned long len);

/* OpenBLAS's kernel family (e.g. "SkylakeX"), or "n/a" for another CBLAS. */
const char *ff_system_blas_core(void);
/* The kernel family to ask OpenBLAS for (OPENBLAS_CORETYPE) when the one it
 * runs is narrower than this CPU's widest, else NULL.  The widest is chosen
 * as scripts/openblas-coretype chooses it: "SkylakeX" where the CPU has
 * AVX-512 (F, BW, DQ, VL, CD), "Haswell" where it has AVX2 and FMA.
 * Narrower kernels come from OpenBLAS not recognising the CPU (its generic
 * "Prescott") or from an OPENBLAS_CORETYPE that asks for them; they cost
 * 2x (AVX2's on AVX-512) to 5x (generic).  A family this function does not
 * know is taken as wide enough. */
const char *ff_system_blas_wider_core(void);

/* Seconds on a monotonic clock, for wall times and benchmarks (only
 * differences mean anything). */
double ff_system_seconds(void);

/* The compiler that built the library, e.g. "gcc 12.2.0". */
const char *ff_system_compiler(void);

#endif
