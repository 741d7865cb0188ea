/* omp.h - the two OpenMP calls the library makes, for a build without
 * OpenMP (the fuzz build: its targets never start a thread, and clang's
 * OpenMP runtime is one package fewer to install).  Without -fopenmp the
 * library's `#pragma omp` lines are ignored and each region runs once, in
 * the calling thread, as thread 0 of 1. */
#ifndef FF_FUZZ_SERIAL_OMP_H
#define FF_FUZZ_SERIAL_OMP_H

static inline int omp_get_thread_num(void)
{
    return 0;
}

static inline int omp_get_num_threads(void)
{
    return 1;
}

#endif
