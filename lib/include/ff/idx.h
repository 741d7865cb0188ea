/* idx.h - a strict reader for the IDX format of the MNIST files.
 *
 * IDX: two zero bytes, an element-type byte, a rank byte, then `rank`
 * big-endian uint32 dimensions, then the elements in row-major order.
 * Only unsigned-byte elements (type 0x08) are accepted: that is what MNIST
 * and Fashion-MNIST use.  Every header field is checked against the file's
 * real size before anything is allocated, so a corrupt or hostile header can
 * neither crash the reader nor make it allocate an absurd amount. */
#ifndef FF_IDX_H
#define FF_IDX_H

#include <stddef.h>
#include <stdint.h>

#define FF_IDX_MAX_RANK 4
/* Largest payload accepted: far above MNIST's 47 MB, far below harm. */
#define FF_IDX_MAX_BYTES ((size_t)1 << 30)

typedef struct {
    int rank;
    uint32_t dims[FF_IDX_MAX_RANK];
    size_t count;  /* product of dims: number of elements */
    uint8_t *data; /* (count), owned */
} ff_idx;

/* Read `path` into `out`, requiring `expected_rank` dimensions.
 * Returns FF_SUCCESS, FF_EOPEN, FF_EREAD, FF_ENOMEM or one of FF_EIDX_*.
 * On failure `out` holds nothing to free. */
int ff_idx_read(ff_idx *out, const char *path, int expected_rank);
void ff_idx_free(ff_idx *idx);

#endif
