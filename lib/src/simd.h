/* simd.h - private: let the hot element-wise kernels use the widest vector
 * unit the machine has, chosen at load time, in a portable build.
 *
 * The clones compute the same operations in the same order (reductions use
 * explicit partial sums, and -ffp-contract=off forbids fused multiply-add),
 * so every clone gives the same bits: only the speed differs. */
#ifndef FF_SIMD_H
#define FF_SIMD_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define FF_HOT __attribute__((target_clones("default", "avx2", "avx512f")))
#else
#define FF_HOT
#endif

#endif
