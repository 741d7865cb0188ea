/* idx.c - strict IDX reader, raw or gzipped; see idx.h for the format and
 * the checks. */
#define _POSIX_C_SOURCE 200809L
#include "ff/idx.h"
#include "ff/error.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* Where the IDX bytes come from: the file itself, or the gzip stream it
 * holds, inflated as it is read. */
typedef struct {
    FILE *f;
    long long size;      /* the file's size on disk */
    int gz;              /* the file starts with the gzip magic */
    int member_ended;    /* gz: inflate reached the end of a member */
    z_stream z;          /* gz: next_in/avail_in point into `in` */
    uint8_t in[1 << 15]; /* gz: compressed bytes read, not yet inflated */
} source;

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Make at least `want` compressed bytes available, keeping those not yet
 * inflated; fewer only at the end of the file. */
static int refill(source *s, size_t want)
{
    if (s->z.avail_in >= want)
        return FF_SUCCESS;
    memmove(s->in, s->z.next_in, s->z.avail_in);
    size_t got = fread(s->in + s->z.avail_in, 1, sizeof s->in - s->z.avail_in, s->f);
    if (got == 0 && ferror(s->f))
        return FF_EREAD;
    s->z.next_in = s->in;
    s->z.avail_in += (uInt)got;
    return FF_SUCCESS;
}

/* Inflate into dst (n bytes, n <= UINT_MAX) until it is full or the stream
 * ends cleanly; *got is the bytes written. */
static int inflate_into(source *s, uint8_t *dst, size_t n, size_t *got)
{
    s->z.next_out = dst;
    s->z.avail_out = (uInt)n;
    while (s->z.avail_out > 0) {
        int status = refill(s, s->member_ended ? 2 : 1);
        if (status != FF_SUCCESS)
            return status;
        if (s->member_ended) { /* the end, another member, or garbage */
            if (s->z.avail_in == 0)
                break;
            if (s->z.avail_in < 2 || s->z.next_in[0] != 0x1f || s->z.next_in[1] != 0x8b)
                return FF_EIDX_GZ_TRAILING;
            if (inflateReset(&s->z) != Z_OK)
                return FF_EIDX_GZ_CORRUPT;
            s->member_ended = 0;
        } else if (s->z.avail_in == 0) {
            return FF_EIDX_GZ_TRUNC;
        }
        int z = inflate(&s->z, Z_NO_FLUSH);
        if (z == Z_STREAM_END)
            s->member_ended = 1;
        else if (z == Z_MEM_ERROR)
            return FF_ENOMEM;
        else if (z != Z_OK && z != Z_BUF_ERROR) /* Z_DATA_ERROR: data, header, CRC, length */
            return FF_EIDX_GZ_CORRUPT;
    }
    *got = n - s->z.avail_out;
    return FF_SUCCESS;
}

/* Read n bytes (at most FF_IDX_MAX_BYTES), or fewer at the end of the data
 * (*got says how many). */
static int source_read(source *s, uint8_t *dst, size_t n, size_t *got)
{
    _Static_assert(FF_IDX_MAX_BYTES <= UINT_MAX, "a payload is one call of inflate");
    *got = 0;
    if (s->gz)
        return inflate_into(s, dst, n, got);
    *got = fread(dst, 1, n, s->f);
    return *got < n && ferror(s->f) ? FF_EREAD : FF_SUCCESS;
}

/* Read exactly n bytes: a short read is FF_EIDX_TRUNC. */
static int read_exact(source *s, uint8_t *dst, size_t n)
{
    size_t got;
    int status = source_read(s, dst, n, &got);
    return status != FF_SUCCESS ? status : got < n ? FF_EIDX_TRUNC : FF_SUCCESS;
}

/* Read and validate the header; fills rank, dims, count. */
static int read_header(ff_idx *h, source *s, int expected_rank)
{
    uint8_t head[4], dimbuf[4 * FF_IDX_MAX_RANK];
    int status = read_exact(s, head, 4);
    if (status != FF_SUCCESS)
        return status;
    if (head[0] != 0 || head[1] != 0)
        return FF_EIDX_MAGIC;
    if (head[2] != 0x08)
        return FF_EIDX_TYPE;
    if (head[3] != expected_rank || expected_rank < 1 || expected_rank > FF_IDX_MAX_RANK)
        return FF_EIDX_RANK;
    h->rank = head[3];
    status = read_exact(s, dimbuf, 4 * (size_t)h->rank);
    if (status != FF_SUCCESS)
        return status;
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
    return FF_SUCCESS;
}

/* A raw payload: the file's size must be the header's exactly, known
 * before allocating. */
static int read_raw_payload(ff_idx *h, source *s)
{
    const long long expect = (long long)(4 + 4 * (size_t)h->rank + h->count);
    if (s->size < expect)
        return FF_EIDX_TRUNC;
    if (s->size > expect)
        return FF_EIDX_TRAILING;
    h->data = malloc(h->count);
    if (!h->data)
        return FF_ENOMEM;
    return read_exact(s, h->data, h->count); /* short: the file shrank under us */
}

/* A gzipped payload: the buffer grows with the bytes inflated (idx.h), and
 * the stream must end exactly at the header's size. */
static int read_gz_payload(ff_idx *h, source *s)
{
    size_t have = 0, cap = 0;
    while (have < h->count) {
        size_t grow = cap ? 2 * cap : FF_IDX_GZ_FIRST_BYTES;
        if (grow > h->count)
            grow = h->count;
        uint8_t *p = realloc(h->data, grow);
        if (!p)
            return FF_ENOMEM;
        h->data = p, cap = grow;
        size_t got;
        int status = source_read(s, h->data + have, cap - have, &got);
        if (status != FF_SUCCESS)
            return status;
        have += got;
        if (have < cap)
            return FF_EIDX_TRUNC;
    }
    uint8_t extra;
    size_t got;
    int status = source_read(s, &extra, 1, &got);
    return status != FF_SUCCESS ? status : got ? FF_EIDX_GZ_LONG : FF_SUCCESS;
}

/* Open `path` as a source: a regular file, gzipped or not. */
static int source_open(source *s, const char *path)
{
    s->f = fopen(path, "rb");
    if (!s->f)
        return FF_EOPEN;
    struct stat st;
    if (fstat(fileno(s->f), &st) != 0)
        return FF_EOPEN;
    if (!S_ISREG(st.st_mode)) { /* FF_EOPEN's errno says why */
        errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
        return FF_EOPEN;
    }
    s->size = (long long)st.st_size;
    const size_t n = fread(s->in, 1, 2, s->f);
    if (n < 2 && ferror(s->f))
        return FF_EREAD;
    s->gz = n == 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
    if (!s->gz)
        return fseek(s->f, 0, SEEK_SET) == 0 ? FF_SUCCESS : FF_EREAD;
    s->z.next_in = s->in;
    s->z.avail_in = (uInt)n;
    const int z = inflateInit2(&s->z, 16 + MAX_WBITS); /* a gzip wrapper only */
    if (z != Z_OK) {
        s->gz = 0;
        return z == Z_MEM_ERROR ? FF_ENOMEM : FF_EREAD;
    }
    return FF_SUCCESS;
}

static void source_close(source *s)
{
    if (s->gz)
        inflateEnd(&s->z);
    if (s->f)
        fclose(s->f);
}

int ff_idx_read(ff_idx *out, const char *path, int expected_rank)
{
    memset(out, 0, sizeof *out);
    source *s = calloc(1, sizeof *s);
    if (!s)
        return FF_ENOMEM;
    ff_idx h = {0};
    int status = source_open(s, path);
    if (status == FF_SUCCESS)
        status = read_header(&h, s, expected_rank);
    if (status == FF_SUCCESS)
        status = s->gz ? read_gz_payload(&h, s) : read_raw_payload(&h, s);
    const int e = errno; /* FF_EOPEN's and FF_EREAD's reason, past the close */
    source_close(s);
    free(s);
    errno = e;
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
