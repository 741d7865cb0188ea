/* checkpoint.c - the model and checkpoint file; see checkpoint.h for the
 * format and the checks. */
#define _POSIX_C_SOURCE 200809L
#include "ff/checkpoint.h"
#include "bf16.h"
#include "ff/error.h"
#include "ff/results.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the model format is little-endian, and so is the code that writes it"
#endif

static const char magic[8] = {'F', 'F', 'M', 'O', 'D', 'E', 'L', '\n'};

/* Header: magic, version, finished, 8 spec fields, F per layer (version 1:
 * 4, version 2: 5), config_len, n_sections (u32 each), payload_len,
 * checksum (u64).  Arrays are sized for the largest, version 2. */
enum { MAX_PER_LAYER = 5, N_SPEC_MAX = 8 + MAX_PER_LAYER * FF_MAX_LAYERS,
       N_U32_MAX = 2 + N_SPEC_MAX + 2 };
_Static_assert(sizeof(long) == 8, "STEP holds the net's step counts as 64-bit longs");
#define LEAD_BYTES (sizeof magic + 4) /* magic and version: what says the rest's size */
#define SECTION_HEAD 12 /* tag and length */

/* Fields per layer, spec fields, u32 fields and header bytes of a version */
static size_t per_layer(uint32_t version)
{
    return version == 1 ? 4 : 5;
}

static size_t n_spec(uint32_t version)
{
    return 8 + per_layer(version) * FF_MAX_LAYERS;
}

static size_t n_u32(uint32_t version)
{
    return 2 + n_spec(version) + 2;
}

static size_t header_bytes(uint32_t version)
{
    return sizeof magic + 4 * n_u32(version) + 16;
}

/* The version a spec is written in: 2 if a layer is local, else 1. */
static uint32_t spec_version(const ff_net_spec *s)
{
    for (size_t l = 0; l < s->n_layers && l < FF_MAX_LAYERS; l++)
        if (s->layer[l].kind == FF_LAYER_LOCAL)
            return 2;
    return 1;
}

/* Bounds on a spec's fields, far above any net here; ff_net_spec_check
 * then bounds every size the fields imply (net.c), so that none wraps. */
#define MAX_SIDE 4096
#define MAX_CHANNELS 4096
#define MAX_UNITS (1u << 20)

uint64_t ff_fnv1a64(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* The spec's fields as a version lays them out (n_spec(version) of them). */
static void spec_to_u32(uint32_t *u, const ff_net_spec *s, uint32_t version)
{
    const size_t per = per_layer(version);
    memset(u, 0, n_spec(version) * sizeof *u);
    u[0] = (uint32_t)s->ih, u[1] = (uint32_t)s->iw, u[2] = (uint32_t)s->ic;
    u[3] = (uint32_t)s->n_layers, u[4] = (uint32_t)s->head_from;
    u[5] = (uint32_t)s->n_classes, u[6] = (uint32_t)s->norm;
    u[7] = (uint32_t)s->normalize_input;
    for (size_t l = 0; l < s->n_layers && l < FF_MAX_LAYERS; l++) {
        uint32_t *v = u + 8 + per * l;
        const ff_layer_kind kind = s->layer[l].kind;
        const int kernel = kind == FF_LAYER_CONV2D || kind == FF_LAYER_LOCAL; /* dense: 0 */
        v[0] = (uint32_t)kind, v[1] = (uint32_t)s->layer[l].units;
        v[2] = kernel ? (uint32_t)s->layer[l].kh : 0, v[3] = kernel ? (uint32_t)s->layer[l].kw : 0;
        if (per == 5) /* conv2d's stride is 1 whatever its spec says (0 or 1): 0 */
            v[4] = kind == FF_LAYER_LOCAL ? (uint32_t)s->layer[l].stride : 0;
    }
}

/* A layer's fields v (per_layer(version) of them) in range: its kind known
 * to the version, a kernel exactly for conv2d and local, a stride exactly
 * for local. */
static int layer_fields_ok(const uint32_t *v, uint32_t version)
{
    const int conv = v[0] == FF_LAYER_CONV2D, local = v[0] == FF_LAYER_LOCAL;
    if ((v[0] != FF_LAYER_DENSE && !conv && !(local && version >= 2)) || !v[1] ||
        v[1] > MAX_UNITS)
        return 0;
    if (conv || local ? !v[2] || v[2] > MAX_SIDE || !v[3] || v[3] > MAX_SIDE : v[2] || v[3])
        return 0;
    return version == 1 || (local ? v[4] && v[4] <= MAX_SIDE : !v[4]);
}

/* The spec u holds in a version's layout, every field in range, and the
 * parameters it implies. */
static int spec_from_u32(ff_net_spec *s, size_t *n_params, const uint32_t *u, uint32_t version)
{
    const size_t per = per_layer(version);
    memset(s, 0, sizeof *s);
    if (!u[0] || u[0] > MAX_SIDE || !u[1] || u[1] > MAX_SIDE || !u[2] || u[2] > MAX_CHANNELS ||
        !u[3] || u[3] > FF_MAX_LAYERS || u[4] >= u[3] || u[5] < 2 || u[5] > MAX_UNITS ||
        (u[6] != FF_NORM_L2 && u[6] != FF_NORM_RMS) || u[7] > 1)
        return FF_ECKPT_FIELD;
    s->ih = u[0], s->iw = u[1], s->ic = u[2], s->n_layers = u[3], s->head_from = u[4];
    s->n_classes = u[5], s->norm = (ff_norm_kind)u[6], s->normalize_input = (int)u[7];
    for (size_t l = 0; l < FF_MAX_LAYERS; l++) {
        const uint32_t *v = u + 8 + per * l;
        if (l >= s->n_layers) {
            for (size_t i = 0; i < per; i++)
                if (v[i])
                    return FF_ECKPT_FIELD;
            continue;
        }
        if (!layer_fields_ok(v, version))
            return FF_ECKPT_FIELD;
        s->layer[l] = (ff_layer_spec){(ff_layer_kind)v[0], v[1], v[2], v[3],
                                      per == 5 ? v[4] : 0};
    }
    if (spec_version(s) != version) /* one encoding per net: local layers exactly in 2 */
        return FF_ECKPT_FIELD;
    return ff_net_spec_check(s, n_params) == FF_SUCCESS ? FF_SUCCESS : FF_ECKPT_FIELD;
}

static int tag_ok(const char tag[4])
{
    for (int i = 0; i < 4; i++)
        if (tag[i] < 0x20 || tag[i] > 0x7e)
            return 0;
    return 1;
}

/* The section of this tag among s[0..n), NULL if none. */
static const ff_ckpt_section *section_of(const ff_ckpt_section *s, size_t n, const char tag[4])
{
    for (size_t i = 0; i < n; i++)
        if (!memcmp(s[i].tag, tag, 4))
            return &s[i];
    return NULL;
}

/* The sections' rules, one definition for the writer and the reader (a
 * file the writer makes is one the reader takes): every tag 4 printable
 * ASCII bytes, no tag twice (FF_ECKPT_FIELD); PARM present and ADAM,
 * STEP and MOMT, if present, of the lengths a net of n_params parameters
 * and n_layers layers implies (FF_ECKPT_SECTION). */
static int sections_check(const ff_ckpt_section *s, size_t n, size_t n_params, size_t n_layers)
{
    for (size_t i = 0; i < n; i++)
        if (!tag_ok(s[i].tag) || section_of(s, i, s[i].tag))
            return FF_ECKPT_FIELD;
    const ff_ckpt_section *parm = section_of(s, n, "PARM"), *adam = section_of(s, n, "ADAM"),
                          *step = section_of(s, n, "STEP"), *momt = section_of(s, n, "MOMT");
    if (!parm || parm->len != n_params * sizeof(float) ||
        (adam && adam->len != 2 * n_params * sizeof(float)) ||
        (step && step->len != (n_layers + 1) * sizeof(long)) ||
        (momt && momt->len != n_params * sizeof(float)))
        return FF_ECKPT_SECTION;
    return FF_SUCCESS;
}

int ff_ckpt_write(const char *path, const ff_net_spec *spec, const char *config, int finished,
                  const ff_ckpt_section *sections, size_t n_sections)
{
    const size_t config_len = strlen(config);
    const uint32_t version = spec_version(spec);
    const size_t nu = n_u32(version), ns = n_spec(version);
    uint32_t u[N_U32_MAX];
    ff_net_spec back;
    size_t n_params;
    spec_to_u32(u + 2, spec, version); /* only what the reader would accept */
    if (config_len > FF_CKPT_MAX_CONFIG || n_sections > FF_CKPT_MAX_SECTIONS ||
        spec_from_u32(&back, &n_params, u + 2, version) != FF_SUCCESS ||
        sections_check(sections, n_sections, n_params, back.n_layers) != FF_SUCCESS)
        return FF_EINVAL;
    uint64_t payload = 0, sum = ff_fnv1a64(FF_FNV64_OFFSET, config, config_len);
    for (size_t i = 0; i < n_sections; i++) {
        const ff_ckpt_section *s = &sections[i];
        const uint64_t len = s->len;
        sum = ff_fnv1a64(sum, s->tag, 4);
        sum = ff_fnv1a64(sum, &len, 8);
        sum = ff_fnv1a64(sum, s->data, s->len);
        payload += SECTION_HEAD + len;
    }
    u[0] = version, u[1] = finished ? 1 : 0;
    u[2 + ns] = (uint32_t)config_len, u[3 + ns] = (uint32_t)n_sections;
    const uint64_t tail[2] = {payload, sum};

    ff_outfile o;
    int status = ff_outfile_open(&o, path);
    if (status != FF_SUCCESS)
        return status;
    fwrite(magic, 1, sizeof magic, o.f);
    fwrite(u, 4, nu, o.f);
    fwrite(tail, 8, 2, o.f);
    fwrite(config, 1, config_len, o.f);
    for (size_t i = 0; i < n_sections; i++) {
        const uint64_t len = sections[i].len;
        fwrite(sections[i].tag, 1, 4, o.f);
        fwrite(&len, 8, 1, o.f);
        if (len)
            fwrite(sections[i].data, 1, sections[i].len, o.f);
    }
    return ff_outfile_commit(&o);
}

/* PARM: every parameter of net */
static ff_ckpt_section parm_section(const ff_net *net)
{
    return (ff_ckpt_section){{'P', 'A', 'R', 'M'}, net->params, net->n_params * sizeof(float)};
}

size_t ff_ckpt_net_sections(const ff_net *net, ff_opt_kind opt, ff_ckpt_section *s)
{
    s[0] = parm_section(net);
    switch (opt) {
    case FF_OPT_ADAM:
        s[1] = (ff_ckpt_section){{'A', 'D', 'A', 'M'}, net->m, 2 * net->n_params * sizeof(float)};
        s[2] = (ff_ckpt_section){{'S', 'T', 'E', 'P'}, net->step,
                                 (net->n_layers + 1) * sizeof net->step[0]};
        return 3;
    case FF_OPT_SGD:
        s[1] = (ff_ckpt_section){{'M', 'O', 'M', 'T'}, net->m, net->n_params * sizeof(float)};
        return 2;
    }
    return 1;
}

void ff_ckpt_free(ff_ckpt *c)
{
    if (!c)
        return;
    free(c->config);
    free(c->payload);
    free(c);
}

/* Header and config, checked against the size; *c filled but for the
 * sections.  Returns the payload's length and checksum through len, sum. */
static int read_header(ff_ckpt *c, FILE *f, long long size, uint64_t *len, uint64_t *sum)
{
    unsigned char head[sizeof magic + 4 * N_U32_MAX + 16];
    if (size < (long long)LEAD_BYTES) {
        if (size >= (long long)sizeof magic && fread(head, 1, sizeof magic, f) == sizeof magic &&
            memcmp(head, magic, sizeof magic))
            return FF_ECKPT_MAGIC;
        return FF_ECKPT_TRUNC;
    }
    if (fread(head, 1, LEAD_BYTES, f) != LEAD_BYTES)
        return FF_EREAD;
    if (memcmp(head, magic, sizeof magic))
        return FF_ECKPT_MAGIC;
    uint32_t version;
    memcpy(&version, head + sizeof magic, 4);
    if (version != 1 && version != 2)
        return FF_ECKPT_VERSION;
    /* the rest of the header, of the version's size */
    const size_t hb = header_bytes(version), nu = n_u32(version), ns = n_spec(version);
    if (size < (long long)hb)
        return FF_ECKPT_TRUNC;
    if (fread(head + LEAD_BYTES, 1, hb - LEAD_BYTES, f) != hb - LEAD_BYTES)
        return FF_EREAD;
    uint32_t u[N_U32_MAX];
    uint64_t tail[2];
    memcpy(u, head + sizeof magic, 4 * nu);
    memcpy(tail, head + sizeof magic + 4 * nu, sizeof tail);
    if (u[1] > 1)
        return FF_ECKPT_FIELD;
    c->finished = (int)u[1];
    int status = spec_from_u32(&c->spec, &c->n_params, u + 2, version);
    if (status != FF_SUCCESS)
        return status;
    const uint32_t config_len = u[2 + ns], n_sections = u[3 + ns];
    if (config_len > FF_CKPT_MAX_CONFIG || n_sections > FF_CKPT_MAX_SECTIONS)
        return FF_ECKPT_FIELD;
    const uint64_t rest = (uint64_t)(size - (long long)hb);
    if (config_len > rest || tail[0] > rest - config_len)
        return FF_ECKPT_TRUNC;
    if (tail[0] < rest - config_len)
        return FF_ECKPT_TRAILING;
    if (tail[0] < (uint64_t)n_sections * SECTION_HEAD)
        return FF_ECKPT_FIELD;
    c->n_sections = n_sections;
    c->config = malloc((size_t)config_len + 1);
    if (!c->config)
        return FF_ENOMEM;
    if (fread(c->config, 1, config_len, f) != config_len)
        return FF_EREAD;
    c->config[config_len] = 0;
    if (memchr(c->config, 0, config_len))
        return FF_ECKPT_FIELD;
    *len = tail[0], *sum = tail[1];
    return FF_SUCCESS;
}

/* Split the payload into sections: each length within what is left,
 * nothing left over; then the rules the writer kept (sections_check). */
static int index_sections(ff_ckpt *c, uint64_t len)
{
    uint64_t at = 0;
    for (size_t i = 0; i < c->n_sections; i++) {
        ff_ckpt_section *s = &c->section[i];
        uint64_t n;
        if (len - at < SECTION_HEAD)
            return FF_ECKPT_FIELD;
        memcpy(s->tag, c->payload + at, 4);
        memcpy(&n, c->payload + at + 4, 8);
        at += SECTION_HEAD;
        if (n > len - at)
            return FF_ECKPT_FIELD;
        s->data = c->payload + at, s->len = (size_t)n;
        at += n;
    }
    if (at != len)
        return FF_ECKPT_FIELD;
    return sections_check(c->section, c->n_sections, c->n_params, c->spec.n_layers);
}

int ff_ckpt_read(ff_ckpt **out, FILE *f, long long size)
{
    *out = NULL;
    ff_ckpt *c = calloc(1, sizeof *c);
    if (!c)
        return FF_ENOMEM;
    uint64_t len = 0, sum = 0;
    int status = read_header(c, f, size, &len, &sum);
    if (status == FF_SUCCESS) {
        c->payload = malloc(len ? (size_t)len : 1);
        if (!c->payload)
            status = FF_ENOMEM;
        else if (fread(c->payload, 1, (size_t)len, f) != len)
            status = FF_EREAD;
        else if (ff_fnv1a64(ff_fnv1a64(FF_FNV64_OFFSET, c->config, strlen(c->config)),
                            c->payload, (size_t)len) != sum)
            status = FF_ECKPT_CHECKSUM;
        else
            status = index_sections(c, len);
    }
    if (status != FF_SUCCESS) {
        ff_ckpt_free(c);
        return status;
    }
    *out = c;
    return FF_SUCCESS;
}

int ff_ckpt_load(ff_ckpt **out, const char *path)
{
    return ff_ckpt_load_sha256(out, path, NULL);
}

int ff_ckpt_load_sha256(ff_ckpt **out, const char *path, char hex[65])
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return FF_EOPEN;
    struct stat st;
    int status = FF_EOPEN; /* errno says why */
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISREG(st.st_mode))
            status = ff_ckpt_read(out, f, (long long)st.st_size);
        else
            errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
    }
    if (status == FF_SUCCESS && hex) {
        /* the bytes just read, from the same open file: a file renamed
         * over path meanwhile is not the one hashed */
        errno = 0;
        if (fseek(f, 0, SEEK_SET) != 0 || ff_sha256_stream(hex, f) != FF_SUCCESS) {
            status = FF_EREAD;
            ff_ckpt_free(*out);
            *out = NULL;
        }
    }
    const int e = errno;
    fclose(f);
    errno = e;
    return status;
}

const void *ff_ckpt_find(const ff_ckpt *c, const char tag[4], size_t *len)
{
    const ff_ckpt_section *s = section_of(c->section, c->n_sections, tag);
    *len = s ? s->len : 0;
    return s ? s->data : NULL;
}

/* Copy c's sections of the tags in s into where s points (s as
 * ff_ckpt_net_sections gives them, or PARM alone: every pointer into net's
 * own writable block, whence the cast), all checked present before
 * anything is copied; their lengths were checked when c was read. */
static int restore(const ff_ckpt *c, ff_net *net, const ff_ckpt_section *s, size_t n)
{
    uint32_t a[N_SPEC_MAX], b[N_SPEC_MAX]; /* field by field, as version 2 writes them */
    spec_to_u32(a, &net->spec, 2);
    spec_to_u32(b, &c->spec, 2);
    if (memcmp(a, b, sizeof a) || net->n_params != c->n_params)
        return FF_ECKPT_MISMATCH;
    for (size_t i = 0; i < n; i++)
        if (!section_of(c->section, c->n_sections, s[i].tag))
            return FF_ECKPT_SECTION;
    for (size_t i = 0; i < n; i++)
        memcpy((void *)s[i].data, section_of(c->section, c->n_sections, s[i].tag)->data,
               s[i].len);
    ff_bf16_changed(net->params, net->n_params);
    return FF_SUCCESS;
}

int ff_ckpt_restore_net(const ff_ckpt *c, ff_net *net, ff_opt_kind opt)
{
    ff_ckpt_section s[3];
    return restore(c, net, s, ff_ckpt_net_sections(net, opt, s));
}

int ff_ckpt_restore_params(const ff_ckpt *c, ff_net *net)
{
    const ff_ckpt_section s = parm_section(net);
    return restore(c, net, &s, 1);
}

ff_ckpt_section ff_ckpt_rng_section(const gsl_rng *r)
{
    return (ff_ckpt_section){{'R', 'N', 'G', ' '}, gsl_rng_state(r), gsl_rng_size(r)};
}

int ff_ckpt_restore_rng(const ff_ckpt *c, gsl_rng *r)
{
    size_t n;
    const void *state = ff_ckpt_find(c, "RNG ", &n);
    if (!state)
        return FF_ECKPT_SECTION;
    if (n != gsl_rng_size(r))
        return FF_ECKPT_MISMATCH;
    memcpy(gsl_rng_state(r), state, n);
    return FF_SUCCESS;
}
