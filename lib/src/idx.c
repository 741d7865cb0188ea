/* idx.c - strict IDX reader; see idx.h for the format and the checks. */
#define _POSIX_C_SOURCE 200809L
#include "ff/idx.h"
#include "ff/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Validate a header against the file size; fills rank, dims, count. */
static int check_header(ff_idx *h, FILE *f, long long file_size, int expected_rank)
{
    uint8_t head[4], dimbuf[4 * FF_IDX_MAX_RANK];
    if (fread(head, 1, 4, f) != 4)
        return file_size < 4 ? FF_EIDX_TRUNC : FF_EREAD;
    if (head[0] != 0 || head[1] != 0)
        return FF_EIDX_MAGIC;
    if (head[2] != 0x08)
        return FF_EIDX_TYPE;
    if (head[3] != expected_rank || expected_rank < 1 || expected_rank > FF_IDX_MAX_RANK)
        return FF_EIDX_RANK;
    h->rank = head[3];
    size_t hdr = 4 + 4 * (size_t)h->rank;
    if ((long long)hdr > file_size)
        return FF_EIDX_TRUNC;
    if (fread(dimbuf, 4, (size_t)h->rank, f) != (size_t)h->rank)
        return FF_EREAD;
    size_t count = 1;
    for (int i = 0; i < h->rank; i++) {
        h->dims[i] = be32(dimbuf + 4 * i);
        if (h->dims[i] == 0)
            return FF_EIDX_EMPTY;
        if (h->dims[i] > FF_IDX_MAX_BYTES / count)
            return FF_EIDX_TOOBIG;
        count *= h->dims[i];
    }
    h->count = count;
    long long expect = (long long)(hdr + count);
    if (file_size < expect)
        return FF_EIDX_TRUNC;
    if (file_size > expect)
        return FF_EIDX_TRAILING;
    return FF_SUCCESS;
}

int ff_idx_read(ff_idx *out, const char *path, int expected_rank)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return FF_EOPEN;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return FF_EOPEN;
    }
    ff_idx h = {0};
    int status = check_header(&h, f, (long long)st.st_size, expected_rank);
    if (status == FF_SUCCESS) {
        h.data = malloc(h.count);
        if (!h.data)
            status = FF_ENOMEM;
        else if (fread(h.data, 1, h.count, f) != h.count)
            status = FF_EIDX_TRUNC; /* the file shrank under us */
    }
    fclose(f);
    if (status != FF_SUCCESS) {
        free(h.data);
        return status;
    }
    *out = h;
    return FF_SUCCESS;
}

void ff_idx_free(ff_idx *idx)
{
    if (!idx)
        return;
    free(idx->data);
    memset(idx, 0, sizeof *idx);
}
