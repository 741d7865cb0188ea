/* idx.h - a strict reader for the IDX format of the MNIST files, raw or
 * gzip-compressed.
 *
 * IDX: two zero bytes, an element-type byte, a rank byte, then `rank`
 * big-endian uint32 dimensions, then the elements in row-major order.
 * Only unsigned-byte elements (type 0x08) are accepted: that is what MNIST
 * and Fashion-MNIST use.  Every header field is checked against the file's
 * real size before anything is allocated, so a corrupt or hostile header can
 * neither crash the reader nor make it allocate an absurd amount.
 *
 * gzip.  A file whose first two bytes are the gzip magic (1f 8b) is
 * inflated through zlib as it is read, whatever its name (an IDX file
 * starts with two zero bytes, so neither is taken for the other); the IDX
 * checks then apply to the inflated bytes.  One layer only: an IDX file
 * gzipped twice is refused (FF_EIDX_MAGIC).  Concatenated gzip members are
 * one stream, as for `gzip -d`.  The inflated size cannot be known before
 * the whole stream is inflated (the trailer's ISIZE is the last member's
 * size modulo 2^32, and may lie), so the sizes are checked as the stream
 * is read:
 *   - the header is inflated and checked first, as for a raw file (magic,
 *     type, rank, dims, FF_IDX_MAX_BYTES);
 *   - the payload's buffer grows with the bytes actually inflated,
 *     doubling from FF_IDX_GZ_FIRST_BYTES and never past the header's
 *     size: whatever the header promises, the reader holds at most
 *     max(FF_IDX_GZ_FIRST_BYTES, twice the bytes the stream really holds);
 *   - a stream that ends (cleanly) before the header's size is
 *     FF_EIDX_TRUNC, as a short raw file is;
 *   - inflating stops at the first byte past the header's size
 *     (FF_EIDX_GZ_LONG), so a gzip bomb (a small file inflating to far more
 *     than its header declares) costs no more time or memory than the size
 *     its header declares, itself at most FF_IDX_MAX_BYTES;
 *   - then the stream must end there: each member's CRC-32 and length are
 *     checked (FF_EIDX_GZ_CORRUPT, also for bad compressed data or a bad
 *     gzip header), a stream cut short is FF_EIDX_GZ_TRUNC, and anything
 *     after the last member but another member is FF_EIDX_GZ_TRAILING. */
#ifndef FF_IDX_H
#define FF_IDX_H

#include <stddef.h>
#include <stdint.h>
#include "ff/error.h"

#define FF_IDX_MAX_RANK 4
/* Largest payload accepted: far above MNIST's 47 MB, far below harm. */
#define FF_IDX_MAX_BYTES ((size_t)1 << 30)
/* A gzipped file's first payload buffer (smaller if the header asks less). */
#define FF_IDX_GZ_FIRST_BYTES ((size_t)1 << 20)

typedef struct {
    int rank;
    uint32_t dims[FF_IDX_MAX_RANK];
    size_t count;  /* product of dims: number of elements */
    uint8_t *data; /* (count), owned */
} ff_idx;

/* Read `path` (raw or gzipped) into `out`, requiring `expected_rank`
 * dimensions.  Returns FF_SUCCESS, FF_EOPEN, FF_EREAD, FF_ENOMEM or one of
 * FF_EIDX_* (FF_EIDX_GZ_* for a gzipped file only).
 * On failure `out` holds nothing to free. */
FF_MUST_CHECK
int ff_idx_read(ff_idx *out, const char *path, int expected_rank);
void ff_idx_free(ff_idx *idx);

#endif
