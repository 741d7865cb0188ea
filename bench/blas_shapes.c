/* blas_shapes.c - GFLOP/s of the CBLAS on the matrix products of FF training.
 *
 * Prints, for each product one FF step of the seed's dense net performs
 * (batch 128, 784 -> 100 -> 100 -> 100 -> 100), the time per call and the
 * rate, and which CBLAS did the work.  Usage: blas_shapes [repeats]. */
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_blas.h>

#include "ff/system.h"

static void run(const char *what, CBLAS_TRANSPOSE_t ta, size_t m, size_t n, size_t k,
                int reps)
{
    float *a = calloc(m * k, sizeof *a), *b = calloc(k * n, sizeof *b),
          *c = calloc(m * n, sizeof *c);
    for (size_t i = 0; i < m * k; i++)
        a[i] = (float)(i % 7) * 0.1f;
    for (size_t i = 0; i < k * n; i++)
        b[i] = (float)(i % 5) * 0.1f;
    gsl_matrix_float_view A = ta == CblasNoTrans ? gsl_matrix_float_view_array(a, m, k)
                                                 : gsl_matrix_float_view_array(a, k, m);
    gsl_matrix_float_view Bm = gsl_matrix_float_view_array(b, k, n);
    gsl_matrix_float_view C = gsl_matrix_float_view_array(c, m, n);
    double t = ff_system_seconds();
    for (int r = 0; r < reps; r++)
        gsl_blas_sgemm(ta, CblasNoTrans, 1.0f, &A.matrix, &Bm.matrix, 0.0f, &C.matrix);
    t = (ff_system_seconds() - t) / reps;
    printf("%-28s %5zu x %5zu x %5zu  %8.2f us  %7.1f GFLOP/s\n", what, m, n, k, 1e6 * t,
           2.0 * (double)(m * n * k) / t * 1e-9);
    free(a);
    free(b);
    free(c);
}

int main(int argc, char **argv)
{
    int reps = argc > 1 ? atoi(argv[1]) : 2000;
    char cblas[1024];
    ff_system_flush_denormals();
    ff_system_set_blas_threads(1);
    printf("# cblas: %s\n", ff_system_cblas(cblas, sizeof cblas));
    run("layer 1 forward", CblasNoTrans, 128, 100, 784, reps);
    run("layer 1 weight gradient", CblasTrans, 784, 100, 128, reps);
    run("layer 2-4 forward", CblasNoTrans, 128, 100, 100, reps);
    run("layer 2-4 weight gradient", CblasTrans, 100, 100, 128, reps);
    run("eval layer 1 (batch 1024)", CblasNoTrans, 1024, 100, 784, reps / 8);
    return 0;
}
