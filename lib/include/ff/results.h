/* results.h - writing result files so that none is ever half-written.
 *
 * A file is written under a temporary name beside its final path and
 * renamed into place only once complete: a reader (make, the report, a
 * user) sees either the previous complete file or the new complete file,
 * also after a system crash or a power loss.  For that the file's data are
 * synced to the disk (fsync) before the rename, and its directory after
 * it: without the first, a crash could leave the final name on an empty or
 * partial file, the previous one already gone; without the second, the
 * rename itself might be lost, a file reported written coming back as
 * the previous one.  The cost: one fsync per file written and one of its
 * directory per rename, each a wait for the disk; the most frequent file,
 * a run's checkpoint (checkpoint.h), is written once per epoch. */
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
/* Flush, sync, close and rename into place, then sync the directory.
 * FF_EWRITE if a write, the sync or the rename failed (the temporary file
 * is then removed and the final path left untouched), or if the sync of
 * the directory failed (the new file is then in place, but might not
 * survive a crash); errno says why.  Not errors: a file or a filesystem
 * that cannot be synced (fsync gives EINVAL), a directory that cannot be
 * opened to sync it (writable but not readable). */
FF_MUST_CHECK
int ff_outfile_commit(ff_outfile *o);
/* The two halves of a commit, for a set of files that must appear
 * together: close every one (flush, sync and close; FF_EWRITE if a write
 * or the sync failed, the temporary file then staying, for
 * ff_outfile_abort), then rename every one into place (FF_EWRITE if the
 * rename failed, or if the sync of the directory failed after it; errno
 * says why), with the same exceptions. */
FF_MUST_CHECK
int ff_outfile_close(ff_outfile *o);
FF_MUST_CHECK
int ff_outfile_rename(ff_outfile *o);
/* Close (if open) and remove the temporary file. */
void ff_outfile_abort(ff_outfile *o);

/* SHA-256 of a file as 64 lowercase hex digits plus NUL.  FF_EOPEN or
 * FF_EREAD, errno saying why. */
FF_MUST_CHECK
int ff_sha256_file(char hex[65], const char *path);
/* The same of the bytes of an open file from its current position to its
 * end (FF_EREAD if a read fails); f is left at its end, open. */
FF_MUST_CHECK
int ff_sha256_stream(char hex[65], FILE *f);

#endif
