/* die.c - the one-line errors; see die.h. */
#include "die.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "ff/error.h"

static const char *prog = "experiment";

void exp_set_program(const char *argv0)
{
    const char *slash = strrchr(argv0, '/');
    prog = slash ? slash + 1 : argv0;
}

const char *exp_program(void)
{
    return prog;
}

void exp_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: error: ", prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void exp_check(int status, const char *what)
{
    if (status != FF_SUCCESS)
        exp_die("%s: %s", what, ff_strerror(status));
}

const char *exp_io_reason(int status)
{
    if (status == FF_EOPEN || status == FF_EWRITE || (status == FF_EREAD && errno))
        return strerror(errno);
    return status == FF_EREAD ? "the file ends early (truncated)" : ff_strerror(status);
}

/* GSL's error handler: what GSL's default would report, then abort(),
 * said as one line and exit(1) */
static void gsl_failed(const char *reason, const char *file, int line, int gsl_errno)
{
    if (gsl_errno == GSL_ENOMEM)
        exp_die("out of memory (GSL: %s)", reason);
    exp_die("internal: GSL: %s (%s:%d)", reason, file, line);
}

void exp_gsl_errors(void)
{
    gsl_set_error_handler(gsl_failed);
}
