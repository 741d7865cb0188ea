/* results.c - atomic result files, and SHA-256 for recording the data. */
#define _POSIX_C_SOURCE 200809L
#include "ff/results.h"
#include "ff/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

int ff_outfile_open(ff_outfile *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (snprintf(o->path, sizeof o->path, "%s", path) >= (int)sizeof o->path ||
        snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%ld", path, (long)getpid()) >=
            (int)sizeof o->tmp)
        return FF_EINVAL;
    o->f = fopen(o->tmp, "w");
    return o->f ? FF_SUCCESS : FF_EOPEN;
}

/* The data reach the disk before the rename can: otherwise a crash could
 * leave the new name on an empty or partial file.  EINVAL from fsync: a
 * file that cannot be synced (not a regular one), not an error. */
int ff_outfile_close(ff_outfile *o)
{
    int bad = ferror(o->f) || fflush(o->f) != 0 || (fsync(fileno(o->f)) != 0 && errno != EINVAL);
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    return bad ? FF_EWRITE : FF_SUCCESS;
}

/* Sync the directory holding o's path, so that a rename in it survives a
 * crash.  Not an error: EINVAL from fsync (a filesystem that does not sync
 * directories), or a directory that cannot be opened to sync it (one
 * writable but not readable): the file is in place either way. */
static int sync_dir(const ff_outfile *o)
{
    char dir[sizeof o->path];
    const char *slash = strrchr(o->path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else /* "/x" is in "/" */
        snprintf(dir, sizeof dir, "%.*s", slash == o->path ? 1 : (int)(slash - o->path), o->path);
    const int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return FF_SUCCESS;
    const int bad = fsync(fd) != 0 && errno != EINVAL, e = errno;
    close(fd);
    errno = e; /* fsync's reason, for the caller to report */
    return bad ? FF_EWRITE : FF_SUCCESS;
}

int ff_outfile_rename(ff_outfile *o)
{
    if (rename(o->tmp, o->path) != 0)
        return FF_EWRITE;
    return sync_dir(o);
}

int ff_outfile_commit(ff_outfile *o)
{
    if (ff_outfile_close(o) != FF_SUCCESS || rename(o->tmp, o->path) != 0) {
        const int e = errno; /* the failure's reason, not remove's */
        remove(o->tmp);
        errno = e;
        return FF_EWRITE;
    }
    return sync_dir(o); /* renamed: no temporary left to remove */
}

void ff_outfile_abort(ff_outfile *o)
{
    if (o->f)
        fclose(o->f);
    o->f = NULL;
    remove(o->tmp);
}

/* SHA-256 (FIPS 180-4), small and plain: hashing the data costs a fraction
 * of a second and saves a dependency. */
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

#define ROR(x, n) ((x) >> (n) | (x) << (32 - (n)))

static void sha256_block(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = k + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) +
                      K256[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += k;
}

int ff_sha256_file(char hex[65], const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return FF_EOPEN;
    const int status = ff_sha256_stream(hex, f);
    const int e = errno;
    fclose(f);
    errno = e;
    return status;
}

int ff_sha256_stream(char hex[65], FILE *f)
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    uint8_t buf[1 << 16];
    uint64_t total = 0;
    size_t got, fill = 0;
    while ((got = fread(buf + fill, 1, sizeof buf - fill, f)) > 0) {
        fill += got;
        total += got;
        size_t whole = fill / 64 * 64;
        for (size_t i = 0; i < whole; i += 64)
            sha256_block(h, buf + i);
        memmove(buf, buf + whole, fill - whole);
        fill -= whole;
    }
    if (ferror(f))
        return FF_EREAD;
    buf[fill++] = 0x80;
    if (fill > 56) {
        memset(buf + fill, 0, 64 - fill);
        sha256_block(h, buf);
        fill = 0;
    }
    memset(buf + fill, 0, 56 - fill);
    for (int i = 0; i < 8; i++)
        buf[56 + i] = (uint8_t)((total * 8) >> (56 - 8 * i));
    sha256_block(h, buf);
    for (int i = 0; i < 8; i++)
        snprintf(hex + 8 * i, 9, "%08x", h[i]);
    return FF_SUCCESS;
}
