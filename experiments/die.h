/* die.h - the experiment programs' one-line errors: "<prog>: error: ...",
 * then exit. */
#ifndef FF_EXPERIMENTS_DIE_H
#define FF_EXPERIMENTS_DIE_H

/* Print "<prog>: error: <msg>" and exit(1). */
void exp_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* The program's name in messages: argv0's last component (exp_parse sets
 * it; "experiment" before). */
void exp_set_program(const char *argv0);
const char *exp_program(void);
/* Exit with "<prog>: error: <what>: <reason>" unless status is FF_SUCCESS:
 * for the library's calls that fail only when called wrongly. */
void exp_check(int status, const char *what);
/* Why a file operation of the library failed, for a message: errno's
 * text for FF_EOPEN and FF_EWRITE, and for FF_EREAD if errno is set (the
 * caller zeroes it before the call), "the file ends early (truncated)"
 * without; ff_strerror otherwise. */
const char *exp_io_reason(int status);
/* GSL's errors as exp_die's, rather than its default handler's abort():
 * "out of memory (GSL: <reason>)" for GSL_ENOMEM (gsl_rng_alloc's
 * failure, which the callers' NULL checks would otherwise never see),
 * "internal: GSL: ..." for any other. */
void exp_gsl_errors(void);

#endif
