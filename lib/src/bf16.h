/* bf16.h - private: fp32 to bf16 and back.
 *
 * bf16 is the upper half of an IEEE fp32: sign, the same 8-bit exponent,
 * 7 stored significand bits.  Rounding to nearest, ties to even, moves a
 * finite float by at most 2^-8 of itself (ff/gemm.h); floats beyond the
 * largest bf16 round to infinity, as IEEE rounding does; a NaN stays a NaN
 * (its quiet bit set, so that truncation cannot make it an infinity). */
#ifndef FF_BF16_H
#define FF_BF16_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <gsl/gsl_matrix_float.h>

static inline uint16_t ff_bf16_from_float(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    if ((u & 0x7fffffffu) > 0x7f800000u) /* NaN */
        return (uint16_t)((u >> 16) | 0x0040u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (uint16_t)(u >> 16);
}

static inline float ff_bf16_to_float(uint16_t h)
{
    const uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* dst (rows x cols, packed) = src (rows x cols, row stride tda), in bf16. */
void ff_bf16_pack(uint16_t *dst, const float *src, size_t rows, size_t cols, size_t tda);
/* The same, each value rounded to bf16 but kept a float (exact in fp32). */
void ff_bf16_round(float *dst, const float *src, size_t rows, size_t cols, size_t tda);

/* ---- parameters converted once per change (params_bf16.c) ----
 *
 * A step reads each weight matrix in two or three products (the neutral
 * pass, the stacked pass, a readout) and changes it once.  Memory
 * registered as parameters (each layer's block and the head's: net.c; the
 * recurrent net's top-down weights: recurrent.c) is therefore converted to
 * bf16 once after each change, into a copy each thread keeps of the part of
 * it that thread's products read, and reused until the next change; every
 * other operand (activations) is converted at each product.  Every function
 * that writes parameters says so (ff_bf16_changed): the optimiser steps,
 * the initialisations, the checkpoint restores, and (ff_gemm_params_changed)
 * code outside the library that writes them itself.  fp32 backends never
 * read the copies. */

/* Registers [p, p + n) as parameters (unregister before freeing).  When
 * the registry's 256 blocks are taken, the block is left out: its views are
 * converted at every product, as activations are (correct, slower). */
void ff_bf16_register(const float *p, size_t n);
void ff_bf16_unregister(const float *p);
/* The parameters in [p, p + n) changed: copies of them are stale. */
void ff_bf16_changed(const float *p, size_t n);

/* op(X)'s input to a bf16 product: X (rows x cols, packed: row stride
 * cols) converted, as bf16 bits or (as_float) as bf16-rounded floats; from
 * this thread's copies when X lies in parameters unchanged since they were
 * made, else converted now into this thread's buffer `slot` (0 or 1: a
 * product's two operands).  NULL when memory runs out. */
const void *ff_bf16_operand(const gsl_matrix_float *X, int as_float, int slot);

/* Testing: when on, every copy reused is checked against its source
 * converted afresh, and ff_bf16_stale counts those that differ (a writer
 * that did not call ff_bf16_changed). */
void ff_bf16_verify(int on);
unsigned long ff_bf16_stale(void);

#endif
