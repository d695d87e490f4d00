/* SPDX-License-Identifier: MIT */
/* testutil.c: see testutil.h. */
#include "testutil.h"

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

static int shift_prepare(tproc_ctx *ctx, const tproc_params *p, const tproc_format *in,
                         tproc_stage *stage)
{
    (void)ctx;
    (void)in;
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
    const tproc_params *p = call->params;
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
void tu_random_spec(tu_rng *rng, const tproc_filter *f, ptrdiff_t w, ptrdiff_t h, char *buf,
                    size_t size)
{
    const char *n = f->name;
    if (!strcmp(n, "crop")) {
        ptrdiff_t x = tu_rng_range(rng, 0, w - 1), y = tu_rng_range(rng, 0, h - 1);
        snprintf(buf, size, "crop:x=%td,y=%td,width=%td,height=%td", x, y,
                 tu_rng_range(rng, 1, w - x), tu_rng_range(rng, 1, h - y));
    } else if (!strcmp(n, "resize")) {
        static const char *k[] = {"nearest", "bilinear", "bicubic", "lanczos3", "area"};
        if (tu_rng_range(rng, 0, 1))
            snprintf(buf, size, "resize:scale=%.3f,kernel=%s",
                     0.3 + (double)tu_rng_range(rng, 0, 200) / 100.0, k[tu_rng_range(rng, 0, 4)]);
        else
            snprintf(buf, size, "resize:width=%td,height=%td,kernel=%s", tu_rng_range(rng, 1, 40),
                     tu_rng_range(rng, 1, 40), k[tu_rng_range(rng, 0, 4)]);
    } else if (!strcmp(n, "convolve")) {
        snprintf(buf, size, "convolve:matrix=%d %d %d;%d %d %d;%d %d %d,scale=%.3f,offset=%d",
                 (int)tu_rng_range(rng, -3, 3), (int)tu_rng_range(rng, -3, 3),
                 (int)tu_rng_range(rng, -3, 3), (int)tu_rng_range(rng, -3, 3),
                 (int)tu_rng_range(rng, -3, 9), (int)tu_rng_range(rng, -3, 3),
                 (int)tu_rng_range(rng, -3, 3), (int)tu_rng_range(rng, -3, 3),
                 (int)tu_rng_range(rng, -3, 3), (double)tu_rng_range(rng, 1, 30) / 30.0,
                 (int)tu_rng_range(rng, -10, 10));
    } else if (!strcmp(n, "levels")) {
        double lo = (double)tu_rng_range(rng, 0, 40) / 100.0;
        snprintf(buf, size, "levels:in_black=%.2f,in_white=%.2f,out_black=%.2f,out_white=%.2f", lo,
                 lo + 0.1 + (double)tu_rng_range(rng, 0, 50) / 100.0,
                 (double)tu_rng_range(rng, 0, 100) / 100.0,
                 (double)tu_rng_range(rng, 0, 100) / 100.0);
    } else {
        /* Generic: each parameter from a small part of its range, so kernels stay small. */
        size_t used = (size_t)snprintf(buf, size, "%s", n);
        for (int i = 0; i < f->param_count; i++) {
            const tproc_param_desc *p = &f->params[i];
            char value[64];
            if (p->type == TPROC_PARAM_ENUM) {
                int count = 0;
                while (p->choices[count])
                    count++;
                snprintf(value, sizeof value, "%s", p->choices[tu_rng_range(rng, 0, count - 1)]);
            } else if (p->type == TPROC_PARAM_MATRIX || (p->flags & TPROC_PARAM_REQUIRED)) {
                continue;
            } else {
                double lo = p->min, hi = p->max < p->min + 3 ? p->max : p->min + 3;
                double v = lo + (hi - lo) * (double)tu_rng_range(rng, 1, 100) / 100.0;
                if (p->type == TPROC_PARAM_INT)
                    snprintf(value, sizeof value, "%.0f", v < lo ? lo : (double)(long)v);
                else
                    snprintf(value, sizeof value, "%.4f", v);
            }
            used += (size_t)snprintf(buf + used, size - used, "%c%s=%s",
                                     used == strlen(n) ? ':' : ',', p->name, value);
        }
    }
}
