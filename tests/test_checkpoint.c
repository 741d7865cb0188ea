/* test_checkpoint.c - the model and checkpoint file.
 *
 * A resumed run is bit-identical to an uninterrupted one only if every
 * float, step count and generator state comes back exactly; a reader that
 * trusts a header can be crashed or made to allocate gigabytes by one
 * flipped byte.  So: a round trip, bit for bit; then every single-byte
 * change of the header and every truncation of a small file must be
 * refused with a status, never accepted, never crash (the fuzzer goes
 * further: tests/fuzz/).  The same for a net with locally connected layers,
 * whose file is format version 2 (a stride per layer), while a net of
 * dense and conv2d layers is still written as version 1; and the spec
 * checks of the local kind.  A file the reader would refuse is never
 * written: a run would find out only when it tried to resume. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "ff/checkpoint.h"
#include "ff/error.h"
#include "ff/paper.h"
#include "ff/results.h"

static ff_net_spec tiny_spec(void)
{
    ff_net_spec s = {.ih = 4, .iw = 4, .ic = 1, .n_layers = 2, .head_from = 1, .n_classes = 3,
                     .norm = FF_NORM_RMS, .normalize_input = 1};
    s.layer[0] = (ff_layer_spec){FF_LAYER_CONV2D, 5, 3, 3, 1};
    s.layer[1] = (ff_layer_spec){FF_LAYER_DENSE, 6, 1, 1, 1};
    return s;
}

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    unsigned char *p = malloc(*n ? *n : 1);
    if (p && fread(p, 1, *n, f) != *n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    return p;
}

/* Read a checkpoint from memory: the status of ff_ckpt_read. */
static int read_mem(const unsigned char *p, size_t n)
{
    FILE *f = fmemopen((void *)p, n ? n : 1, "rb");
    if (!f)
        return -1;
    ff_ckpt *c;
    int status = ff_ckpt_read(&c, f, (long long)n);
    fclose(f);
    ff_ckpt_free(c);
    return status;
}

/* A net of two local layers and a dense one: 6x6x1 -> a 3x3 grid of 4
 * channels (2x2 kernel, stride 2: (6 - 2) / 2 + 1 = 3) -> a 2x2 grid of 3
 * (2x2 kernel, stride 1) -> dense 5. */
static ff_net_spec local_spec(void)
{
    ff_net_spec s = {.ih = 6, .iw = 6, .ic = 1, .n_layers = 3, .head_from = 1, .n_classes = 3,
                     .norm = FF_NORM_RMS, .normalize_input = 1};
    s.layer[0] = (ff_layer_spec){FF_LAYER_LOCAL, 4, 2, 2, 2};
    s.layer[1] = (ff_layer_spec){FF_LAYER_LOCAL, 3, 2, 2, 1};
    s.layer[2] = (ff_layer_spec){FF_LAYER_DENSE, 5, 1, 1, 1};
    return s;
}

/* ff_net_spec_check on the local kind: the paper's net and a hand count,
 * then each way a spec can be wrong, each beside its negative control. */
static void test_local_specs(void)
{
    size_t n = 0;
    ff_net_spec s = local_spec();
    CHECK(ff_net_spec_check(&s, &n) == FF_SUCCESS, "local spec valid");
    /* 9 positions x (4 weights x 4 + 4); 4 positions x (2x2x4 x 3 + 3);
     * dense 12 -> 5; head (12 + 5) -> 3 */
    CHECK(n == 9 * 20 + 4 * 51 + 65 + 54, "local spec parameters by hand: %zu", n);
    ff_net_spec p = ff_paper_local_spec(0);
    CHECK(ff_net_spec_check(&p, &n) == FF_SUCCESS, "the paper's local net is valid");
    /* 16 x (100 x 128 + 128), 9 x (512 x 220 + 220), 4 x (880 x 512 + 512),
     * head (2048 + 1980 + 2048) x 10 + 10 */
    CHECK(n == 206848 + 1015740 + 1804288 + 60770, "the paper's local net: %zu parameters", n);

    ff_net_spec bad = s;
    bad.layer[0].stride = 0;
    CHECK(ff_net_spec_check(&bad, NULL) == FF_EINVAL, "a local layer of stride 0 refused");
    bad = s, bad.layer[0].kh = 7;
    CHECK(ff_net_spec_check(&bad, NULL) == FF_EINVAL, "a local kernel beyond its input refused");
    bad = s, bad.layer[1].kw = 4; /* layer 1's input is 3x3 */
    CHECK(ff_net_spec_check(&bad, NULL) == FF_EINVAL, "the next layer's kernel checked too");
    bad = s, bad.layer[1].kw = 3;
    CHECK(ff_net_spec_check(&bad, NULL) == FF_SUCCESS, "a kernel of the whole input accepted");
    bad = s, bad.layer[0].kind = (ff_layer_kind)3;
    CHECK(ff_net_spec_check(&bad, NULL) == FF_EINVAL, "an unknown kind refused");
    ff_net_spec conv = tiny_spec();
    conv.layer[0].stride = 2;
    CHECK(ff_net_spec_check(&conv, NULL) == FF_EINVAL, "a conv2d of stride 2 refused");
    conv.layer[0].stride = 0;
    CHECK(ff_net_spec_check(&conv, NULL) == FF_SUCCESS, "a conv2d of stride 0 (unset) accepted");
    /* 4096 x 4096 input, 2048 x 2048 kernel of stride 1: 2049^2 positions x
     * 2^22 weights x 2^10 channels, beyond 2^40; its negative control has
     * one position (stride 4096) */
    ff_net_spec huge = {.ih = 4096, .iw = 4096, .ic = 1, .n_layers = 1, .head_from = 0,
                        .n_classes = 2, .norm = FF_NORM_RMS};
    huge.layer[0] = (ff_layer_spec){FF_LAYER_LOCAL, 1u << 10, 2048, 2048, 1};
    CHECK(ff_net_spec_check(&huge, NULL) == FF_EINVAL, "a local net of 2^54 weights refused");
    huge.layer[0].stride = 4096;
    CHECK(ff_net_spec_check(&huge, NULL) == FF_SUCCESS, "one position of it accepted");
}

/* Write a net of spec s (random parameters and moments) to path, read it
 * back, restore it into a fresh net: the bits, the version field, and every
 * header byte changed alone refused. */
static void round_trip(const char *name, const ff_net_spec *spec, const char *path,
                       uint32_t version)
{
    ff_net *net, *back;
    if (ff_net_alloc(&net, spec) != FF_SUCCESS || ff_net_alloc(&back, spec) != FF_SUCCESS) {
        CHECK(0, "%s: alloc", name);
        return;
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 3);
    ff_net_init_randn(net, r);
    for (size_t i = 0; i < 3 * net->n_params; i++)
        net->params[i] = (float)gsl_rng_uniform(r) - 0.5f;
    ff_ckpt_section s[3];
    size_t n = ff_ckpt_net_sections(net, FF_OPT_ADAM, s);
    const char *config = "experiment local\n";
    CHECK(ff_ckpt_write(path, spec, config, 0, s, n) == FF_SUCCESS, "%s: write", name);
    size_t size;
    unsigned char *file = slurp(path, &size);
    uint32_t v = 0;
    if (file && size >= 12)
        memcpy(&v, file + 8, 4);
    CHECK(v == version, "%s: format version %u, want %u", name, v, version);
    ff_ckpt *c;
    CHECK(ff_ckpt_load(&c, path) == FF_SUCCESS, "%s: read back", name);
    if (c) {
        CHECK(ff_ckpt_restore_net(c, back, FF_OPT_ADAM) == FF_SUCCESS, "%s: restore", name);
        CHECK(!memcmp(back->params, net->params, 3 * net->n_params * sizeof(float)),
              "%s: parameters and moments bit for bit", name);
        for (size_t l = 0; l < spec->n_layers; l++)
            CHECK(c->spec.layer[l].kind == spec->layer[l].kind &&
                      (spec->layer[l].kind != FF_LAYER_LOCAL ||
                       c->spec.layer[l].stride == spec->layer[l].stride),
                  "%s: layer %zu's kind and stride back", name, l);
        ff_ckpt_free(c);
    }
    /* every header byte and config byte changed alone: refused */
    const size_t per = version == 1 ? 4 : 5;
    const size_t header = 8 + 4 * (2 + 8 + per * FF_MAX_LAYERS + 2) + 16;
    int accepted = 0;
    for (size_t i = 0; file && i < header + strlen(config) && i < size; i++) {
        file[i] ^= 0x41;
        accepted += read_mem(file, size) == FF_SUCCESS;
        file[i] ^= 0x41;
    }
    CHECK(accepted == 0, "%s: %d changed header bytes read as valid", name, accepted);
    int truncated_ok = 0;
    for (size_t k = 0; file && k < size; k += 7)
        truncated_ok += read_mem(file, k) == FF_SUCCESS;
    CHECK(truncated_ok == 0, "%s: no truncation reads (%d did)", name, truncated_ok);
    free(file);
    gsl_rng_free(r);
    ff_net_free(net);
    ff_net_free(back);
}

/* Local nets in version 2, the others still in version 1; a file of one
 * version describing what only the other may is refused. */
static void test_local_files(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/local.ffm", dir);
    const ff_net_spec loc = local_spec(), tiny = tiny_spec();
    round_trip("local net", &loc, path, 2);
    round_trip("conv2d and dense net", &tiny, path, 1);

    /* another stride: the same parameter count is possible, the net is not */
    ff_net *a = NULL, *b = NULL;
    ff_net_spec other = loc;
    other.layer[1].stride = 2; /* 3x3 input, 2x2 kernel: (3-2)/2+1 = 1 position */
    CHECK(ff_net_alloc(&a, &loc) == FF_SUCCESS && ff_net_alloc(&b, &other) == FF_SUCCESS,
          "alloc");
    ff_ckpt_section s[3];
    CHECK_OK(ff_ckpt_write(path, &loc, "x", 1, s, ff_ckpt_net_sections(a, FF_OPT_SGD, s)));
    ff_ckpt *c;
    CHECK(ff_ckpt_load(&c, path) == FF_SUCCESS, "local model reads");
    if (c) {
        CHECK(ff_ckpt_restore_params(c, b) == FF_ECKPT_MISMATCH, "a net of another stride refused");
        ff_ckpt_free(c);
    }
    ff_net_free(a);
    ff_net_free(b);

    /* the local model with its version set to 1 (its fields then misread
     * as four per layer), and the conv2d one set to 2: refused */
    size_t size;
    unsigned char *file = slurp(path, &size);
    if (file) {
        const uint32_t one = 1;
        memcpy(file + 8, &one, 4);
        CHECK(read_mem(file, size) != FF_SUCCESS, "a local net's file read as version 1 refused");
        free(file);
    }
    ff_net *t;
    CHECK(ff_net_alloc(&t, &tiny) == FF_SUCCESS, "alloc");
    CHECK_OK(ff_ckpt_write(path, &tiny, "x", 1, s, ff_ckpt_net_sections(t, FF_OPT_SGD, s)));
    ff_net_free(t);
    file = slurp(path, &size);
    if (file) {
        const uint32_t two = 2, three = 3;
        memcpy(file + 8, &two, 4);
        CHECK(read_mem(file, size) != FF_SUCCESS, "a version 1 file read as version 2 refused");
        memcpy(file + 8, &three, 4);
        CHECK(read_mem(file, size) == FF_ECKPT_VERSION, "version 3: not a version this reads");
        free(file);
    }
    remove(path);
}

/* Number of entries of dir: what a refused write must not have added. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

/* A version 1 file's u32 fields and header bytes. */
#define V1_U32 (2 + 8 + 4 * FF_MAX_LAYERS + 2)
#define V1_HEADER (8 + 4 * V1_U32 + 16)

/* Put a version 1 file's checksum right after its payload was changed in
 * memory, so that the reader's later checks, not the checksum, judge it. */
static void fix_checksum(unsigned char *file, size_t size, const char *config)
{
    const size_t clen = strlen(config);
    uint64_t sum = ff_fnv1a64(FF_FNV64_OFFSET, config, clen);
    sum = ff_fnv1a64(sum, file + V1_HEADER + clen, size - V1_HEADER - clen);
    memcpy(file + 8 + 4 * V1_U32 + 8, &sum, 8);
}

/* The writer refuses, before writing anything, every set of sections the
 * reader would refuse; the reader refuses the same sets made by hand. */
static void test_writer_sections(const char *dir, const ff_net *net)
{
    const ff_net_spec spec = net->spec;
    const char *config = "experiment sections\n";
    char path[256];
    snprintf(path, sizeof path, "%s/refused.ffm", dir);
    float extra[2] = {1, 2};
    ff_ckpt_section s[FF_CKPT_MAX_SECTIONS];
    const size_t n = ff_ckpt_net_sections(net, FF_OPT_ADAM, s); /* PARM ADAM STEP */
    ff_ckpt_section sgd[3];
    ff_ckpt_net_sections(net, FF_OPT_SGD, sgd); /* PARM MOMT */
    s[n] = (ff_ckpt_section){{'T', 'R', 'N', 'R'}, extra, sizeof extra};
    s[n + 1] = (ff_ckpt_section){{'T', 'R', 'N', 'S'}, extra, sizeof extra};
    remove(path);
    const int before = entries(dir);

    struct {
        const char *name;
        ff_ckpt_section s[FF_CKPT_MAX_SECTIONS];
        size_t n;
    } bad[7];
    size_t nb = 0;
    bad[nb].name = "a program's tag twice";
    memcpy(bad[nb].s, s, sizeof s), bad[nb].n = n + 2;
    memcpy(bad[nb++].s[n + 1].tag, "TRNR", 4);
    bad[nb].name = "a program's section under the tag PARM";
    memcpy(bad[nb].s, s, sizeof s), bad[nb].n = n + 1;
    memcpy(bad[nb++].s[n].tag, "PARM", 4);
    bad[nb].name = "no PARM";
    memcpy(bad[nb].s, s + 1, (n + 1) * sizeof s[0]), bad[nb++].n = n + 1;
    bad[nb].name = "PARM a float short";
    memcpy(bad[nb].s, s, sizeof s), bad[nb].n = n;
    bad[nb++].s[0].len -= sizeof(float);
    bad[nb].name = "ADAM a float short";
    memcpy(bad[nb].s, s, sizeof s), bad[nb].n = n;
    bad[nb++].s[1].len -= sizeof(float);
    bad[nb].name = "STEP a count short";
    memcpy(bad[nb].s, s, sizeof s), bad[nb].n = n;
    bad[nb++].s[2].len -= sizeof(long);
    bad[nb].name = "MOMT a float short";
    memcpy(bad[nb].s, s, sizeof s), bad[nb].n = n;
    bad[nb].s[1] = sgd[1];
    bad[nb++].s[1].len -= sizeof(float);
    for (size_t i = 0; i < nb; i++) {
        const int st = ff_ckpt_write(path, &spec, config, 0, bad[i].s, bad[i].n);
        CHECK(st == FF_EINVAL, "%s: status %d (%s), want FF_EINVAL", bad[i].name, st,
              ff_strerror(st));
        CHECK(access(path, F_OK) != 0 && entries(dir) == before,
              "%s: a file or a temporary left in %s", bad[i].name, dir);
    }

    /* negative control: the same sections, each tag once, write and read */
    CHECK(ff_ckpt_write(path, &spec, config, 0, s, n + 2) == FF_SUCCESS, "good sections: write");
    size_t size;
    unsigned char *file = slurp(path, &size);
    CHECK(file && read_mem(file, size) == FF_SUCCESS, "good sections: read");
    if (file) {
        /* the last tag, TRNS, made TRNR: the reader's duplicate; then
         * PARM made PARN: no PARM.  Each with its checksum put right. */
        unsigned char *parm = file + V1_HEADER + strlen(config);
        unsigned char *last = file + size - sizeof extra - 12;
        const int found = size > V1_HEADER + 100 && !memcmp(parm, "PARM", 4) &&
                          !memcmp(last, "TRNS", 4);
        CHECK(found, "the tags PARM and TRNS where expected");
        if (found) {
            last[3] = 'R';
            fix_checksum(file, size, config);
            CHECK(read_mem(file, size) == FF_ECKPT_FIELD, "by hand, a tag twice: FF_ECKPT_FIELD");
            last[3] = 'S';
            parm[3] = 'N';
            fix_checksum(file, size, config);
            CHECK(read_mem(file, size) == FF_ECKPT_SECTION, "by hand, no PARM: FF_ECKPT_SECTION");
            parm[3] = 'M';
            fix_checksum(file, size, config);
            CHECK(read_mem(file, size) == FF_SUCCESS, "by hand, put back: reads");
        }
        free(file);
    }
    remove(path);
}

int main(void)
{
    const ff_net_spec spec = tiny_spec();
    size_t n_params = 0;
    CHECK(ff_net_spec_check(&spec, &n_params) == FF_SUCCESS, "tiny spec valid");
    /* conv 3x3x1 -> 5 filters on 4x4: 9*5+5; dense 2*2*5=20 -> 6: 126; head 6 -> 3: 21 */
    CHECK(n_params == 50 + 126 + 21, "parameters by hand: %zu", n_params);

    /* sizes whose products would wrap 2^64 are refused, not wrapped:
     * 4096 x 4096 x 2^20 filters, then 2^20 units on their 2^44 outputs */
    ff_net_spec huge = {.ih = 4096, .iw = 4096, .ic = 1, .n_layers = 2, .head_from = 1,
                        .n_classes = 2, .norm = FF_NORM_RMS};
    huge.layer[0] = (ff_layer_spec){FF_LAYER_CONV2D, 1u << 20, 1, 1, 1};
    huge.layer[1] = (ff_layer_spec){FF_LAYER_DENSE, 1u << 20, 1, 1, 1};
    CHECK(ff_net_spec_check(&huge, NULL) == FF_EINVAL, "a net of 2^84 weights refused");
    huge.layer[0].units = 4, huge.layer[1].units = 8; /* negative control: 2^26 weights */
    CHECK(ff_net_spec_check(&huge, NULL) == FF_SUCCESS, "the same net, small, accepted");

    ff_net *net, *back;
    CHECK(ff_net_alloc(&net, &spec) == FF_SUCCESS, "alloc");
    CHECK(ff_net_alloc(&back, &spec) == FF_SUCCESS, "alloc");
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    ff_net_init_glorot(net, r);
    for (size_t i = 0; i < 2 * net->n_params; i++)
        net->m[i] = (float)gsl_rng_uniform(r) - 0.5f;
    net->params[3] = -0.0f; /* signs and odd bits must survive */
    for (size_t l = 0; l <= net->n_layers; l++)
        net->step[l] = 1000 + (long)l;
    float extra[5] = {1, 2, 3, 4, 5};

    char dir[] = "/tmp/test_checkpoint.XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "temporary directory");
    char path[256];
    snprintf(path, sizeof path, "%s/model.ffm", dir);
    ff_ckpt_section s[FF_CKPT_MAX_SECTIONS];
    size_t n = ff_ckpt_net_sections(net, FF_OPT_ADAM, s);
    s[n++] = ff_ckpt_rng_section(r);
    s[n++] = (ff_ckpt_section){{'T', 'R', 'N', 'R'}, extra, sizeof extra};
    const char *config = "experiment test\nseed 7\n";
    CHECK(ff_ckpt_write(path, &spec, config, 0, s, n) == FF_SUCCESS, "write");
    CHECK(access(path, F_OK) == 0, "file in place");

    ff_ckpt *c;
    CHECK(ff_ckpt_load(&c, path) == FF_SUCCESS, "read back");
    if (c) {
        CHECK(!c->finished, "a checkpoint, not a final model");
        CHECK(!strcmp(c->config, config), "config back: %s", c->config);
        CHECK(c->n_params == net->n_params, "n_params back");
        CHECK(ff_ckpt_restore_net(c, back, FF_OPT_ADAM) == FF_SUCCESS, "restore");
        CHECK(!memcmp(back->params, net->params, 3 * net->n_params * sizeof(float)),
              "parameters and moments bit for bit");
        CHECK(!memcmp(back->step, net->step, sizeof net->step), "steps back");
        back->params[0] = 42.0f;
        CHECK(ff_ckpt_restore_net(c, back, FF_OPT_SGD) == FF_ECKPT_SECTION &&
                  back->params[0] == 42.0f,
              "no MOMT: refused, and nothing copied, not even the parameters");
        CHECK(ff_ckpt_restore_rng(c, r2) == FF_SUCCESS, "generator restored");
        CHECK(gsl_rng_get(r2) == gsl_rng_get(r), "generator goes on identically");
        size_t len;
        const float *e = ff_ckpt_find(c, "TRNR", &len);
        CHECK(e && len == sizeof extra && !memcmp(e, extra, len), "program's section back");
        CHECK(ff_ckpt_find(c, "NONE", &len) == NULL && len == 0, "absent section: NULL");

        /* a net of another shape is refused, and left alone */
        ff_net_spec other = spec;
        other.layer[1].units = 7;
        ff_net *wrong;
        CHECK(ff_net_alloc(&wrong, &other) == FF_SUCCESS, "alloc");
        CHECK(ff_ckpt_restore_params(c, wrong) == FF_ECKPT_MISMATCH &&
                  ff_ckpt_restore_net(c, wrong, FF_OPT_ADAM) == FF_ECKPT_MISMATCH,
              "other net refused");
        ff_net_free(wrong);
        ff_ckpt_free(c);
    }

    /* momentum SGD's state: MOMT, the first n_params floats of m; a model
     * of it cannot restore Adam's, nor one of Adam's restore it */
    n = ff_ckpt_net_sections(net, FF_OPT_SGD, s);
    CHECK(n == 2 && !memcmp(s[1].tag, "MOMT", 4) && s[1].data == net->m &&
              s[1].len == net->n_params * sizeof(float),
          "PARM and MOMT for momentum SGD");
    CHECK(ff_ckpt_write(path, &spec, config, 1, s, n) == FF_SUCCESS, "write final");
    CHECK(ff_ckpt_load(&c, path) == FF_SUCCESS, "read final");
    memset(back->params, 0, 3 * back->n_params * sizeof(float));
    if (c) {
        CHECK(c->finished, "finished flag back");
        CHECK(ff_ckpt_restore_net(c, back, FF_OPT_ADAM) == FF_ECKPT_SECTION, "no ADAM: refused");
        CHECK(ff_ckpt_restore_net(c, back, FF_OPT_SGD) == FF_SUCCESS, "momentum SGD restored");
        CHECK(!memcmp(back->params, net->params, 2 * net->n_params * sizeof(float)),
              "parameters and momentum bit for bit");
        back->params[0] = back->m[0] = 42.0f;
        CHECK(ff_ckpt_restore_params(c, back) == FF_SUCCESS &&
                  back->params[0] == net->params[0] && back->m[0] == 42.0f,
              "parameters alone: the momentum left as it was");
        CHECK(ff_ckpt_restore_rng(c, r2) == FF_ECKPT_SECTION, "no RNG: refused");
        ff_ckpt_free(c);
    }
    /* MOMT found by its tag wherever it is: the paper programs' files
     * written before the library wrote it have it after the generator */
    const ff_ckpt_section later[3] = {s[0], ff_ckpt_rng_section(r), s[1]};
    CHECK(ff_ckpt_write(path, &spec, config, 0, later, 3) == FF_SUCCESS, "MOMT last: write");
    memset(back->params, 0, 2 * back->n_params * sizeof(float));
    CHECK(ff_ckpt_load(&c, path) == FF_SUCCESS && ff_ckpt_restore_net(c, back, FF_OPT_SGD) ==
                                                      FF_SUCCESS,
          "MOMT last: restored");
    CHECK(!memcmp(back->params, net->params, 2 * net->n_params * sizeof(float)),
          "MOMT last: parameters and momentum bit for bit");
    ff_ckpt_free(c);
    /* the parameters alone: evaluated, not trained on */
    CHECK(ff_ckpt_write(path, &spec, config, 1, s, 1) == FF_SUCCESS &&
              ff_ckpt_load(&c, path) == FF_SUCCESS,
          "PARM alone: written, read");
    if (c) {
        CHECK(ff_ckpt_restore_params(c, back) == FF_SUCCESS, "PARM alone: parameters restored");
        CHECK(ff_ckpt_restore_net(c, back, FF_OPT_SGD) == FF_ECKPT_SECTION &&
                  ff_ckpt_restore_net(c, back, FF_OPT_ADAM) == FF_ECKPT_SECTION,
              "PARM alone: no optimiser state restored");
        ff_ckpt_free(c);
    }

    /* read and hashed at once: the file's digest, the same contents */
    char hex[65], want[65];
    memset(hex, 'X', sizeof hex);
    CHECK(ff_sha256_file(want, path) == FF_SUCCESS, "the file's digest");
    CHECK(ff_ckpt_load_sha256(&c, path, hex) == FF_SUCCESS && c, "read and hashed");
    CHECK(hex[64] == 0 && !strcmp(hex, want), "its digest: %.64s, the file's %s", hex, want);
    if (c) {
        CHECK(c->finished && !strcmp(c->config, config), "the same model read");
        ff_ckpt_free(c);
    }
    CHECK(ff_ckpt_load_sha256(&c, "/nonexistent/model.ffm", hex) == FF_EOPEN && !c,
          "missing file, hashed");

    /* the writer's own guards */
    ff_ckpt_section bad = {{'P', 'A', 0, 'M'}, extra, 4};
    CHECK(ff_ckpt_write(path, &spec, config, 0, &bad, 1) == FF_EINVAL, "bad tag refused");
    ff_net_spec broken = spec;
    broken.head_from = 2;
    CHECK(ff_ckpt_write(path, &broken, config, 0, s, 1) == FF_EINVAL, "bad spec refused");
    CHECK(ff_ckpt_load(&c, "/nonexistent/model.ffm") == FF_EOPEN && !c, "missing file");
    errno = 0;
    const int sd = ff_ckpt_load(&c, "/tmp"), e = errno;
    CHECK(sd == FF_EOPEN && !c && e == EISDIR, "a directory: status %d, errno %d, want FF_EOPEN "
          "and EISDIR", sd, e);

    /* negative control: the unchanged file reads */
    size_t size;
    unsigned char *file = slurp(path, &size);
    CHECK(file && read_mem(file, size) == FF_SUCCESS, "the file itself reads from memory");

    /* every byte of the header and the config changed, alone: refused (every
     * field is checked, the checksum covers the config); a change in the
     * payload: the checksum */
    int accepted = 0;
    const size_t header = 8 + 4 * (2 + 8 + 4 * FF_MAX_LAYERS + 2) + 16;
    for (size_t i = 0; file && i < header + strlen(config); i++) {
        file[i] ^= 0x41;
        int st = read_mem(file, size);
        accepted += st == FF_SUCCESS;
        file[i] ^= 0x41;
    }
    CHECK(accepted == 0, "%d changed header bytes read as valid", accepted);
    if (file) {
        file[size - 1] ^= 1;
        CHECK(read_mem(file, size) == FF_ECKPT_CHECKSUM, "a flipped payload bit: checksum");
        file[size - 1] ^= 1;
        CHECK(read_mem(file, 3) == FF_ECKPT_TRUNC, "3 bytes: truncated");
        CHECK(read_mem((const unsigned char *)"NOTAMODELFILE", 13) == FF_ECKPT_MAGIC, "magic");
        int truncated_ok = 0;
        for (size_t k = 0; k < size; k++)
            truncated_ok += read_mem(file, k) == FF_SUCCESS;
        CHECK(truncated_ok == 0, "no truncation reads (%d did)", truncated_ok);
        unsigned char *longer = calloc(size + 1, 1);
        memcpy(longer, file, size);
        CHECK(read_mem(longer, size + 1) == FF_ECKPT_TRAILING, "trailing byte");
        free(longer);
    }
    free(file);
    remove(path);
    test_writer_sections(dir, net);
    test_local_specs();
    test_local_files(dir);
    rmdir(dir);
    gsl_rng_free(r);
    gsl_rng_free(r2);
    ff_net_free(net);
    ff_net_free(back);
    return check_done();
}
