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
