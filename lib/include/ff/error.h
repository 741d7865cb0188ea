/* error.h - status codes returned by every fallible function of the library.
 *
 * The library never prints and never exits: a function that can fail
 * returns one of these codes, and the program that called it decides what to
 * say (ff_strerror gives a one-line reason) and whether to stop. */
#ifndef FF_ERROR_H
#define FF_ERROR_H

/* Marks every function that returns a status, an answer to a question, or
 * an allocation (NULL when it fails): the compiler warns where a caller
 * drops it (an error with -DFF_WERROR=ON, as CI builds). */
#if defined(__GNUC__) || defined(__clang__)
#define FF_MUST_CHECK __attribute__((warn_unused_result))
#else
#define FF_MUST_CHECK
#endif

enum {
    FF_SUCCESS = 0,
    FF_ENOMEM,        /* an allocation failed */
    FF_EINVAL,        /* an argument is out of its documented range */
    FF_EOPEN,         /* a file could not be opened (errno says why) */
    FF_EREAD,         /* a read failed part way (errno says why) */
    FF_EWRITE,        /* a write, flush or rename failed */
    FF_EIDX_MAGIC,    /* IDX: the first two bytes are not zero */
    FF_EIDX_TYPE,     /* IDX: element type is not unsigned byte (0x08) */
    FF_EIDX_RANK,     /* IDX: rank differs from the one expected */
    FF_EIDX_EMPTY,    /* IDX: a dimension is zero */
    FF_EIDX_TOOBIG,   /* IDX: the header promises more than FF_IDX_MAX_BYTES */
    FF_EIDX_TRUNC,    /* IDX: the file (inflated, if gzipped) is shorter than its header says */
    FF_EIDX_TRAILING, /* IDX: the file is longer than its header says */
    FF_EIDX_COUNT,    /* labels and images disagree in number */
    FF_EIDX_LABEL,    /* a label is outside 0..9 */
    FF_EIDX_SHAPE,    /* images are not of the shape the caller expects */
    FF_EIDX_GZ_TRUNC, /* IDX, gzipped: the compressed stream ends early */
    FF_EIDX_GZ_CORRUPT, /* IDX, gzipped: bad compressed data, header or checksum */
    FF_EIDX_GZ_TRAILING, /* IDX, gzipped: bytes after the last gzip member */
    FF_EIDX_GZ_LONG,  /* IDX, gzipped: inflates past the header's size (damage, a bomb) */
    FF_ECKPT_MAGIC,   /* checkpoint: not a model or checkpoint file */
    FF_ECKPT_VERSION, /* checkpoint: a format version this build does not read */
    FF_ECKPT_FIELD,   /* checkpoint: a header field is out of its range */
    FF_ECKPT_TRUNC,   /* checkpoint: the file is shorter than its header says */
    FF_ECKPT_TRAILING,/* checkpoint: the file is longer than its header says */
    FF_ECKPT_CHECKSUM,/* checkpoint: the payload's checksum differs (damaged) */
    FF_ECKPT_SECTION, /* checkpoint: a section is missing or of the wrong length */
    FF_ECKPT_MISMATCH,/* checkpoint: of another net or configuration */
    FF_EBACKEND,      /* a product backend not built in, or whose library does not start */
    FF_ENONFINITE,    /* a result is not finite (a failed product, or weights not finite) */
    FF_NSTATUS
};

/* A one-line, human-readable reason for a status code; never NULL. */
const char *ff_strerror(int status);

#endif
