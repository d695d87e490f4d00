/* SPDX-License-Identifier: MIT */
/* testutil.c: see testutil.h. */
#include "testutil.h"

#include "filter_spec.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *tu_data(const char *relative)
{
    static _Thread_local char path[4096];
    snprintf(path, sizeof path, "%s/%s", TPROC_TEST_DATA, relative);
    return path;
}

void tu_rng_seed(tu_rng *rng, uint64_t seed)
{
    rng->state = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    if (rng->state == 0)
        rng->state = 1;
}

uint64_t tu_rng_next(tu_rng *rng)
{
    uint64_t x = rng->state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng->state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

ptrdiff_t tu_rng_range(tu_rng *rng, ptrdiff_t lo, ptrdiff_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1u;
    return lo + (ptrdiff_t)(tu_rng_next(rng) % span);
}

int tu_files_in(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

unsigned char *tu_read_file(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            unsigned char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                fclose(fp);
                return NULL;
            }
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0)
            break;
    }
    fclose(fp);
    *size = n;
    return buf;
}

void tu_fill_random(tproc_image *image, tu_rng *rng)
{
    tproc_view v = tproc_image_view(image);
    for (ptrdiff_t y = 0; y < v.height; y++) {
        for (ptrdiff_t x = 0; x < v.width; x++) {
            unsigned char *p = tproc_view_pixel(&v, x, y);
            for (int c = 0; c < v.channels; c++) {
                uint64_t r = tu_rng_next(rng);
                if (v.sample == TPROC_U8) {
                    p[c] = (unsigned char)r;
                } else if (v.sample == TPROC_U16) {
                    uint16_t s = (uint16_t)r;
                    memcpy(p + 2 * c, &s, 2);
                } else {
                    float f = (float)(r >> 40) / (float)(1u << 24);
                    memcpy(p + 4 * c, &f, 4);
                }
            }
        }
    }
}

tproc_image *tu_random_image(tproc_ctx *ctx, ptrdiff_t w, ptrdiff_t h, int channels,
                             tproc_sample sample, uint64_t seed)
{
    tproc_image *img = NULL;
    tu_ok(ctx, tproc_image_new(ctx, w, h, channels, sample, &img));
    tu_rng rng;
    tu_rng_seed(&rng, seed);
    tu_fill_random(img, &rng);
    return img;
}

static void *counting_malloc(void *user, size_t size)
{
    tu_counter *c = user;
    void *p = malloc(size);
    if (p) {
        c->live += size;
        c->calls++;
        if (c->live > c->peak)
            c->peak = c->live;
    }
    return p;
}

static void counting_free(void *user, void *ptr, size_t size)
{
    tu_counter *c = user;
    if (ptr)
        c->live -= size;
    free(ptr);
}

tproc_allocator tu_counting_allocator(tu_counter *counter)
{
    tproc_allocator a = {counting_malloc, counting_free, counter};
    return a;
}

enum { SH_LEFT, SH_TOP, SH_RIGHT, SH_BOTTOM, SH_DX, SH_DY };
static const tproc_param_desc shift_params[] = {
    {"left", TPROC_PARAM_INT, 0, 0, 8, 0, NULL, "halo"},
    {"top", TPROC_PARAM_INT, 0, 0, 8, 0, NULL, "halo"},
    {"right", TPROC_PARAM_INT, 0, 0, 8, 0, NULL, "halo"},
    {"bottom", TPROC_PARAM_INT, 0, 0, 8, 0, NULL, "halo"},
    {"dx", TPROC_PARAM_INT, 0, -8, 8, 0, NULL, "offset"},
    {"dy", TPROC_PARAM_INT, 0, -8, 8, 0, NULL, "offset"},
};

static int shift_prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    (void)ctx; /* refusals need no message here */
    const tproc_params *p = stage->params;
    stage->halo.left = (ptrdiff_t)p->value[SH_LEFT];
    stage->halo.top = (ptrdiff_t)p->value[SH_TOP];
    stage->halo.right = (ptrdiff_t)p->value[SH_RIGHT];
    stage->halo.bottom = (ptrdiff_t)p->value[SH_BOTTOM];
    if (p->value[SH_DX] < -p->value[SH_LEFT] || p->value[SH_DX] > p->value[SH_RIGHT] ||
        p->value[SH_DY] < -p->value[SH_TOP] || p->value[SH_DY] > p->value[SH_BOTTOM])
        return TPROC_ERR_PARAM;
    return TPROC_OK;
}

static int shift_process(const tproc_call *call)
{
    const tproc_params *p = call->stage->params;
    tproc_view src;
    int status = tproc_view_sub(&call->in, (ptrdiff_t)(p->value[SH_LEFT] + p->value[SH_DX]),
                                (ptrdiff_t)(p->value[SH_TOP] + p->value[SH_DY]), call->out.width,
                                call->out.height, &src);
    if (status)
        return status;
    return tproc_view_copy(NULL, &src, &call->out);
}

static const tproc_filter shift_filter = {
    .abi = TPROC_FILTER_ABI,
    .name = "tu_shift",
    .summary = "test: copy through a halo with an offset",
    .params = shift_params,
    .param_count = 6,
    .prepare = shift_prepare,
    .process = shift_process,
};

const tproc_filter *tu_shift_filter(void)
{
    if (!tproc_filter_find("tu_shift"))
        ck_assert_int_eq(tproc_filter_register(NULL, &shift_filter), TPROC_OK);
    return tproc_filter_find("tu_shift");
}

tproc_pipeline *tu_chain(tproc_ctx *ctx, const char *const *specs, size_t n)
{
    tproc_pipeline *p;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    for (size_t i = 0; i < n; i++)
        tu_ok(ctx, tproc_pipeline_add(p, specs[i]));
    return p;
}

tproc_image *tu_run(tproc_ctx *ctx, const tproc_view *in, const char *const *specs, size_t n,
                    ptrdiff_t tile_w, ptrdiff_t tile_h, int threads, tproc_border border)
{
    tproc_pipeline *p = tu_chain(ctx, specs, n);
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.tile_width = tile_w;
    o.tile_height = tile_h;
    o.threads = threads;
    o.border = border;
    tproc_image *out = NULL;
    tu_ok(ctx, tproc_pipeline_run(p, in, &o, &out));
    tproc_pipeline_free(&p);
    return out;
}

double tu_sample(const tproc_view *v, ptrdiff_t x, ptrdiff_t y, int c)
{
    const unsigned char *p = tproc_view_pixel(v, x, y);
    if (v->sample == TPROC_U8)
        return p[c];
    if (v->sample == TPROC_U16) {
        uint16_t u;
        memcpy(&u, p + 2 * c, 2);
        return u;
    }
    float f;
    memcpy(&f, p + 4 * c, 4);
    return f;
}

tproc_format tu_output_format(const char *spec, ptrdiff_t w, ptrdiff_t h, int channels)
{
    tproc_pipeline *p;
    tu_ok(NULL, tproc_pipeline_new(NULL, &p));
    tu_ok(NULL, tproc_pipeline_add(p, spec));
    tproc_format in = {w, h, channels, TPROC_U8}, out;
    tu_ok(NULL, tproc_pipeline_output_format(p, &in, &out));
    tproc_pipeline_free(&p);
    return out;
}

void tu_assert_same(const tproc_view *a, const tproc_view *b, const char *what)
{
    ck_assert_msg(a->width == b->width && a->height == b->height && a->channels == b->channels &&
                      a->sample == b->sample,
                  "%s: formats differ (%tdx%td/%d vs %tdx%td/%d)", what, a->width, a->height,
                  a->channels, b->width, b->height, b->channels);
    size_t px = tproc_view_pixel_size(a);
    for (ptrdiff_t y = 0; y < a->height; y++)
        for (ptrdiff_t x = 0; x < a->width; x++)
            ck_assert_msg(memcmp(tproc_view_pixel(a, x, y), tproc_view_pixel(b, x, y), px) == 0,
                          "%s: pixel (%td, %td) differs", what, x, y);
}

/* A random, valid spec for filter f on an image of w x h (the image may change size after). */
void tu_random_spec(tu_rng *rng, const tproc_filter *f, const tproc_format *in, char *buf,
                    size_t size)
{
    fspec_rng r = {tu_rng_next(rng)};
    ck_assert_msg(fspec_valid(NULL, f, in, &r, 256, buf, size),
                  "%s: no valid parameters for a %tdx%td image in 256 draws from its table (the "
                  "last: %s)",
                  f->name, in->width, in->height, buf);
}
