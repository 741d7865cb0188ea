/* check.h - the tests' one assertion: a failed check prints where and why,
 * and the test's exit status is the verdict (non-zero if any check failed).
 *
 *   CHECK(cond, "what was expected %d", x);   ...   return check_done();
 *   CHECK_OK(ff_call(...));  a call that must return FF_SUCCESS
 */
#ifndef FF_TESTS_CHECK_H
#define FF_TESTS_CHECK_H

#include <stdio.h>

static int check_failures, check_count;

#define CHECK(cond, ...)                                                         \
    do {                                                                         \
        check_count++;                                                           \
        if (!(cond)) {                                                           \
            check_failures++;                                                    \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
            fprintf(stderr, __VA_ARGS__);                                        \
            fputc('\n', stderr);                                                 \
        }                                                                        \
    } while (0)

/* A library call that must succeed (FF_SUCCESS, 0): a check that it did. */
#define CHECK_OK(call) CHECK((call) == 0, "the call failed")

static inline int check_done(void)
{
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}

#endif
