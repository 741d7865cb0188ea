/* error.c - readable reasons for the library's status codes. */
#include "ff/error.h"

static const char *const reasons[FF_NSTATUS] = {
    [FF_SUCCESS] = "success",
    [FF_ENOMEM] = "out of memory",
    [FF_EINVAL] = "invalid argument",
    [FF_EOPEN] = "cannot open file",
    [FF_EREAD] = "read error",
    [FF_EWRITE] = "write error",
    [FF_EIDX_MAGIC] = "not an IDX file (the first two bytes must be zero)",
    [FF_EIDX_TYPE] = "IDX element type is not unsigned byte (0x08)",
    [FF_EIDX_RANK] = "IDX file has the wrong number of dimensions",
    [FF_EIDX_EMPTY] = "IDX file has a zero dimension",
    [FF_EIDX_TOOBIG] = "IDX header promises an absurd size",
    [FF_EIDX_TRUNC] = "IDX file is truncated (shorter than its header says)",
    [FF_EIDX_TRAILING] = "IDX file has trailing bytes (longer than its header says)",
    [FF_EIDX_COUNT] = "label count differs from image count",
    [FF_EIDX_LABEL] = "a label is outside 0..9",
    [FF_EIDX_SHAPE] = "images do not have the expected shape",
    [FF_EIDX_GZ_TRUNC] = "gzip file is truncated (its compressed stream ends early): "
                         "download it again",
    [FF_EIDX_GZ_CORRUPT] = "gzip file is corrupt (bad compressed data, header or checksum): "
                           "download it again",
    [FF_EIDX_GZ_TRAILING] = "gzip file has bytes after its compressed stream: download it again",
    [FF_EIDX_GZ_LONG] = "gzip file inflates to more than its IDX header says (a damaged file "
                        "or a gzip bomb; reading stopped there): download it again",
    [FF_ECKPT_MAGIC] = "not a model or checkpoint file (bad magic)",
    [FF_ECKPT_VERSION] = "model file of a format version this build does not read",
    [FF_ECKPT_FIELD] = "model file has a header field out of range",
    [FF_ECKPT_TRUNC] = "model file is truncated (shorter than its header says)",
    [FF_ECKPT_TRAILING] = "model file has trailing bytes (longer than its header says)",
    [FF_ECKPT_CHECKSUM] = "model file is damaged (checksum differs)",
    [FF_ECKPT_SECTION] = "model file lacks a section, or one has the wrong length",
    [FF_ECKPT_MISMATCH] = "model file belongs to another net or configuration",
    [FF_EBACKEND] = "this product backend is not available here (oneDNN: install libdnnl-dev "
                    "with make deps and rebuild)",
    [FF_ENONFINITE] = "the net's outputs are not finite (a product failed, or the weights are "
                      "not finite): the figures would be wrong",
};

const char *ff_strerror(int status)
{
    if (status < 0 || status >= FF_NSTATUS)
        return "unknown status";
    return reasons[status];
}
