/* checkpoint.h - a net and the state of the run that trains it, in one
 * versioned binary file: the checkpoints a run writes as it goes, and the
 * model it writes at the end, are the same format.
 *
 * Layout, little-endian throughout:
 *
 *   magic        8 bytes  "FFMODEL\n"
 *   version      u32      1 or 2 (FF_CKPT_VERSION, the newest): only the
 *                         per-layer fields below differ
 *   finished     u32      0: a run's checkpoint, 1: the trained model of a finished run
 *   net spec     u32 x 8  ih iw ic n_layers head_from n_classes norm normalize_input
 *                u32 x F x FF_MAX_LAYERS   per layer (unused layers: all 0):
 *                version 1, F = 4: kind units kh kw (dense: no kernel,
 *                kh = kw = 0); version 2, F = 5: the same and stride (a
 *                local layer's, at least 1; dense and conv2d: 0)
 *   config_len   u32      bytes of config (at most FF_CKPT_MAX_CONFIG)
 *   n_sections   u32      at most FF_CKPT_MAX_SECTIONS
 *   payload_len  u64      bytes after the header: the file's size is exactly
 *                         header + payload_len
 *   checksum     u64      FNV-1a (64 bit) of the config's bytes, then the payload's
 *   config       config_len bytes: the configuration of the run, as text
 *                (no NUL): two runs may continue each other only if these
 *                are equal
 *   payload      n_sections sections, each: tag (4 ASCII bytes), length
 *                (u64), then length bytes
 *
 * Version 2 came with the locally connected layer (layer.h), the first
 * kind with a stride.  The writer writes version 1 for a net whose layers
 * are all dense or conv2d, so such a net's file is byte for byte what it
 * was before version 2, and version 2 exactly when a layer is local (a
 * version 1 file with a local layer, or a version 2 file without one, is
 * refused: each net has one encoding).  The reader reads both.
 *
 * Sections the library knows (ff_ckpt_net_sections writes them, and
 * ff_ckpt_restore_net reads them back):
 *   "PARM"  every parameter, n_params floats, in the net's order (each
 *           hidden layer's w then b, then the head's): required, and its
 *           length must be what the spec implies
 *   the optimiser's state (net.h), one of:
 *   "ADAM"  the Adam moments m then v (2 n_params floats) and "STEP" the
 *           steps taken per layer (n_layers + 1 int64): runs that train
 *           with Adam (FF_OPT_ADAM, optim.h)
 *   "MOMT"  momentum SGD's smoothed gradients, the net's m (n_params
 *           floats): runs that train with momentum SGD (FF_OPT_SGD)
 * A program adds its own sections (the trainer's other state, the
 * generator's state, its position in the run, its curve so far) under tags
 * of its own.
 *
 * The reader checks the magic, the version, every field of the spec (by
 * the rules of ff_net_alloc, with sizes bounded), the lengths of the config
 * and of every section against the file's real size, all before it
 * allocates anything, then the checksum, then the sections by the rules
 * the writer keeps too: printable tags, none twice, PARM present, and the
 * PARM, ADAM, STEP and MOMT lengths the spec implies.
 * A corrupt or hostile file can neither crash it nor make it allocate more
 * than the file's own size.  The writer is atomic (results.h): a reader sees
 * the previous complete file or the new complete file, also after a system
 * crash. */
#ifndef FF_CHECKPOINT_H
#define FF_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>

#include "ff/error.h"
#include "ff/net.h"
#include "ff/optim.h"

#define FF_CKPT_VERSION 2
#define FF_CKPT_MAX_CONFIG ((size_t)1 << 16)
#define FF_CKPT_MAX_SECTIONS 16

typedef struct {
    char tag[4];
    const void *data;
    size_t len;
} ff_ckpt_section;

/* A checkpoint read and verified; everything it points to is owned. */
typedef struct {
    int finished;
    ff_net_spec spec;
    size_t n_params;       /* implied by spec */
    char *config;          /* NUL-terminated */
    size_t n_sections;
    ff_ckpt_section section[FF_CKPT_MAX_SECTIONS];
    unsigned char *payload;
} ff_ckpt;

/* Write a checkpoint of a net of this spec to path, atomically and durably
 * (results.h).  FF_EINVAL, before anything is written, for what the reader
 * would refuse: a spec out of ff_net_spec_check's rules or of the format's
 * bounds, a config longer than FF_CKPT_MAX_CONFIG, more than
 * FF_CKPT_MAX_SECTIONS sections, a tag that is not 4 printable ASCII bytes
 * or that comes twice, no PARM, or a PARM, ADAM, STEP or MOMT of another
 * length than the spec implies; and for a path too long for ff_outfile_open.
 * FF_EOPEN or FF_EWRITE if the file cannot be written (nothing is left
 * beside path then, and path is as it was unless only the sync of its
 * directory failed: ff_outfile_commit). */
FF_MUST_CHECK
int ff_ckpt_write(const char *path, const ff_net_spec *spec, const char *config, int finished,
                  const ff_ckpt_section *sections, size_t n_sections);

/* The library's sections of a net trained by `opt` into s (room for 3):
 * PARM, then ADAM and STEP (FF_OPT_ADAM) or MOMT (FF_OPT_SGD).  Returns
 * how many. */
size_t ff_ckpt_net_sections(const ff_net *net, ff_opt_kind opt, ff_ckpt_section *s);

/* Read and verify a checkpoint from f, whose size is `size` bytes (it is
 * read from its current position).  FF_EREAD, FF_ENOMEM, or one of
 * FF_ECKPT_*; on failure *out is NULL. */
FF_MUST_CHECK
int ff_ckpt_read(ff_ckpt **out, FILE *f, long long size);
/* The same from a file: also FF_EOPEN, errno saying why (EISDIR or EINVAL
 * for a path that is not a regular file). */
FF_MUST_CHECK
int ff_ckpt_load(ff_ckpt **out, const char *path);
/* ff_ckpt_load, and the SHA-256 of the bytes it read into hex (64 hex
 * digits plus NUL; ff_sha256_stream), taken from the same open file, so
 * that a file renamed over path meanwhile is not the one named: FF_EREAD
 * if hashing fails. */
FF_MUST_CHECK
int ff_ckpt_load_sha256(ff_ckpt **out, const char *path, char hex[65]);
void ff_ckpt_free(ff_ckpt *c);

/* A section's bytes, NULL if there is none of that tag; *len its length.
 * The bytes have no alignment: copy them out (memcpy) before reading
 * anything wider than a byte. */
const void *ff_ckpt_find(const ff_ckpt *c, const char tag[4], size_t *len);

/* Copy the parameters and the state of `opt` (the sections
 * ff_ckpt_net_sections writes for it, which must be present) into net, to
 * train on.  FF_ECKPT_MISMATCH if net's spec differs from the checkpoint's,
 * FF_ECKPT_SECTION if a section is missing. */
FF_MUST_CHECK
int ff_ckpt_restore_net(const ff_ckpt *c, ff_net *net, ff_opt_kind opt);
/* The same for the parameters alone, to evaluate: the optimiser's state,
 * whichever it is, is not read. */
FF_MUST_CHECK
int ff_ckpt_restore_params(const ff_ckpt *c, ff_net *net);

/* The generator's state as a section ("RNG "), and back: FF_ECKPT_MISMATCH
 * unless the section holds exactly a state of r's size. */
ff_ckpt_section ff_ckpt_rng_section(const gsl_rng *r);
FF_MUST_CHECK
int ff_ckpt_restore_rng(const ff_ckpt *c, gsl_rng *r);

/* FNV-1a, 64 bit, continuing from h (start: FF_FNV64_OFFSET). */
#define FF_FNV64_OFFSET 0xcbf29ce484222325ULL
uint64_t ff_fnv1a64(uint64_t h, const void *data, size_t len);

#endif
