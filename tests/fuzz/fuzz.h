/* fuzz.h - what the fuzz targets share: a check that aborts (the fuzzer
 * reports an abort as a finding, with the input that caused it), and a
 * read of every byte of a buffer (so that AddressSanitizer checks a buffer
 * the reader returned is really as long as it says). */
#ifndef FF_FUZZ_H
#define FF_FUZZ_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                              \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                  \
        }                                                                             \
    } while (0)

static inline void fuzz_touch(const void *p, size_t n)
{
    const volatile unsigned char *b = p; /* volatile: every read is made */
    for (size_t i = 0; i < n; i++)
        (void)b[i];
}

#endif
