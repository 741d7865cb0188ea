/* results.h - writing result files so that none is ever half-written.
 *
 * A file is written under a temporary name beside its final path and
 * renamed into place only once complete: a reader (make, the report, a
 * user) sees either the previous complete file or the new complete file. */
#ifndef FF_RESULTS_H
#define FF_RESULTS_H

#include <stdio.h>
#include "ff/error.h"

typedef struct {
    FILE *f;
    char path[4096];
    char tmp[4096];
} ff_outfile;

/* Open "<path>.tmp.<pid>" for writing.  FF_EOPEN if it cannot be created
 * (errno says why); FF_EINVAL if the path, with that suffix, does not fit
 * in ff_outfile's buffers (4096 bytes). */
FF_MUST_CHECK
int ff_outfile_open(ff_outfile *o, const char *path);
/* Flush, close and rename into place.  FF_EWRITE if any write failed (the
 * temporary file is then removed and the final path left untouched). */
FF_MUST_CHECK
int ff_outfile_commit(ff_outfile *o);
/* The two halves of a commit, for a set of files that must appear
 * together: close every one (FF_EWRITE if a write failed; the temporary
 * file stays, for ff_outfile_abort), then rename every one into place. */
FF_MUST_CHECK
int ff_outfile_close(ff_outfile *o);
FF_MUST_CHECK
int ff_outfile_rename(ff_outfile *o);
/* Close (if open) and remove the temporary file. */
void ff_outfile_abort(ff_outfile *o);

/* SHA-256 of a file as 64 lowercase hex digits plus NUL. */
FF_MUST_CHECK
int ff_sha256_file(char hex[65], const char *path);

#endif
