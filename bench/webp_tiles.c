/* SPDX-License-Identifier: MIT */
/*
 * webp_tiles.c: what WebP pyramid tiles cost and what they look like, setting by setting.
 * Cuts an image into the full-size level's DeepZoom tiles (254 + 1 overlap, as pyramids do),
 * encodes every tile on one thread with libwebp under the given settings (or with tileproc's
 * JPEG Q75 for the reference), decodes it again and reports the CPU seconds of the encoding,
 * the bytes, and the fidelity to the source tile: PSNR over RGB (from the summed squared
 * error of all tiles) and the mean SSIM of the luma (8x8 windows, step 4, the constants of
 * Wang et al. 2004). The figures behind the pyramid's default WebP tile effort (README).
 *
 * usage: webp_tiles IMAGE jpeg
 *        webp_tiles IMAGE webp [method=N] [segments=N] [sns=N] [filter=N] [autofilter=0|1]
 *                              [partitions=N] [pass=N] [preprocessing=N] [sharp_yuv=0|1]
 *                              [quality=N] [argb=0|1]
 * argb=1 imports the tile as packed ARGB words (the generic WebP writer's path); the default
 * imports the RGB rows straight (WebPPictureImportRGB).
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <webp/decode.h>
#include <webp/encode.h>

#include "tileproc/tileproc.h"

typedef struct totals {
    double sq_err, ssim_sum, seconds;
    size_t bytes, tiles, samples, windows;
} totals;

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double luma(const unsigned char *p)
{
    return 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
}

/* Adds the tile's squared error and its luma SSIM windows to t. a and b: RGB, w x h, strides. */
static void compare(const unsigned char *a, ptrdiff_t sa, const unsigned char *b, ptrdiff_t sb,
                    int w, int h, totals *t)
{
    for (int y = 0; y < h; y++)
        for (int i = 0; i < 3 * w; i++) {
            double d = (double)a[y * sa + i] - (double)b[y * sb + i];
            t->sq_err += d * d;
        }
    t->samples += (size_t)w * (size_t)h * 3u;
    const double c1 = 6.5025, c2 = 58.5225; /* (0.01 * 255)^2, (0.03 * 255)^2 */
    for (int y0 = 0; y0 + 8 <= h; y0 += 4)
        for (int x0 = 0; x0 + 8 <= w; x0 += 4) {
            double ma = 0, mb = 0, va = 0, vb = 0, cov = 0;
            for (int y = y0; y < y0 + 8; y++)
                for (int x = x0; x < x0 + 8; x++) {
                    double p = luma(a + y * sa + 3 * x), q = luma(b + y * sb + 3 * x);
                    ma += p;
                    mb += q;
                    va += p * p;
                    vb += q * q;
                    cov += p * q;
                }
            ma /= 64;
            mb /= 64;
            va = va / 64 - ma * ma;
            vb = vb / 64 - mb * mb;
            cov = cov / 64 - ma * mb;
            t->ssim_sum +=
                ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2));
            t->windows++;
        }
}

static int fail(const tproc_ctx *ctx)
{
    tproc_error e;
    tproc_ctx_error(ctx, &e);
    fprintf(stderr, "webp_tiles: %s: %s\n", e.subject, e.cause);
    return 1;
}

typedef struct settings {
    WebPConfig config;
    int argb;
} settings;

static int parse(int argc, char **argv, settings *s)
{
    if (!WebPConfigInit(&s->config))
        return 1;
    s->config.quality = 75;
    s->config.method = 4;
    s->argb = 0;
    for (int i = 3; i < argc; i++) {
        char key[32];
        int v;
        if (sscanf(argv[i], "%31[a-z_]=%d", key, &v) != 2)
            return 1;
        WebPConfig *c = &s->config;
        if (!strcmp(key, "method"))
            c->method = v;
        else if (!strcmp(key, "segments"))
            c->segments = v;
        else if (!strcmp(key, "sns"))
            c->sns_strength = v;
        else if (!strcmp(key, "filter"))
            c->filter_strength = v;
        else if (!strcmp(key, "autofilter"))
            c->autofilter = v;
        else if (!strcmp(key, "partitions"))
            c->partitions = v;
        else if (!strcmp(key, "pass"))
            c->pass = v;
        else if (!strcmp(key, "preprocessing"))
            c->preprocessing = v;
        else if (!strcmp(key, "sharp_yuv"))
            c->use_sharp_yuv = v;
        else if (!strcmp(key, "quality"))
            c->quality = (float)v;
        else if (!strcmp(key, "argb"))
            s->argb = v;
        else
            return 1;
    }
    return !WebPValidateConfig(&s->config);
}

static int encode_webp(const settings *s, const unsigned char *rgb, ptrdiff_t stride, int w, int h,
                       WebPMemoryWriter *mem)
{
    WebPPicture pic;
    if (!WebPPictureInit(&pic))
        return 0;
    pic.width = w;
    pic.height = h;
    pic.writer = WebPMemoryWrite;
    pic.custom_ptr = mem;
    int ok;
    if (s->argb) {
        pic.use_argb = 1;
        ok = WebPPictureAlloc(&pic);
        for (int y = 0; ok && y < h; y++)
            for (int x = 0; x < w; x++) {
                const unsigned char *p = rgb + y * stride + 3 * x;
                pic.argb[y * pic.argb_stride + x] =
                    0xff000000u | (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
            }
    } else {
        ok = WebPPictureImportRGB(&pic, rgb, (int)stride);
    }
    ok = ok && WebPEncode(&s->config, &pic);
    WebPPictureFree(&pic);
    return ok;
}

int main(int argc, char **argv)
{
    settings s;
    int webp = argc >= 3 && !strcmp(argv[2], "webp");
    if (argc < 3 || (!webp && strcmp(argv[2], "jpeg")) || (webp && parse(argc, argv, &s))) {
        fprintf(stderr, "usage: webp_tiles IMAGE jpeg|webp [KEY=VALUE]...\n");
        return 2;
    }
    tproc_ctx *ctx = NULL;
    tproc_image *image = NULL;
    if (tproc_ctx_new(NULL, &ctx) || tproc_load(ctx, argv[1], NULL, &image)) {
        fprintf(stderr, "webp_tiles: cannot load %s\n", argv[1]);
        return 1;
    }
    tproc_view all = tproc_image_view(image);
    if (all.channels != 3 || all.sample != TPROC_U8) {
        fprintf(stderr, "webp_tiles: %s is not 8-bit RGB\n", argv[1]);
        return 1;
    }
    totals t = {0};
    const int ts = 254, ov = 1;
    for (ptrdiff_t ty = 0; ty * ts < all.height; ty++)
        for (ptrdiff_t tx = 0; tx * ts < all.width; tx++) {
            ptrdiff_t x0 = tx * ts - ov < 0 ? 0 : tx * ts - ov;
            ptrdiff_t y0 = ty * ts - ov < 0 ? 0 : ty * ts - ov;
            ptrdiff_t x1 = (tx + 1) * ts + ov, y1 = (ty + 1) * ts + ov;
            x1 = x1 > all.width ? all.width : x1;
            y1 = y1 > all.height ? all.height : y1;
            int w = (int)(x1 - x0), h = (int)(y1 - y0);
            tproc_view tile;
            tproc_view_sub(&all, x0, y0, w, h, &tile);
            const unsigned char *src = tile.data;
            double start = cpu_now();
            if (webp) {
                WebPMemoryWriter mem;
                WebPMemoryWriterInit(&mem);
                if (!encode_webp(&s, src, tile.row_stride, w, h, &mem))
                    return fprintf(stderr, "webp_tiles: encoding failed\n"), 1;
                t.seconds += cpu_now() - start;
                t.bytes += mem.size;
                int dw, dh;
                unsigned char *back = WebPDecodeRGB(mem.mem, mem.size, &dw, &dh);
                if (!back || dw != w || dh != h)
                    return fprintf(stderr, "webp_tiles: decoding failed\n"), 1;
                compare(src, tile.row_stride, back, 3 * w, w, h, &t);
                WebPFree(back);
                WebPMemoryWriterClear(&mem);
            } else {
                tproc_save_options o;
                tproc_save_options_init(&o);
                o.format = TPROC_FILE_JPEG;
                o.quality = 75;
                void *data = NULL;
                size_t size = 0;
                tproc_image *back = NULL;
                if (tproc_save_memory(ctx, &tile, &o, &data, &size))
                    return fail(ctx);
                t.seconds += cpu_now() - start;
                t.bytes += size;
                if (tproc_load_memory(ctx, data, size, NULL, &back))
                    return fail(ctx);
                tproc_view bv = tproc_image_view(back);
                compare(src, tile.row_stride, bv.data, bv.row_stride, w, h, &t);
                tproc_image_free(&back);
                tproc_free(ctx, data);
            }
            t.tiles++;
        }
    double mse = t.sq_err / (double)t.samples;
    printf("%zu tiles, %.3f s CPU encoding, %zu bytes, PSNR %.2f dB, SSIM %.4f\n", t.tiles,
           t.seconds, t.bytes, 10 * log10(255.0 * 255.0 / mse), t.ssim_sum / (double)t.windows);
    tproc_image_free(&image);
    tproc_ctx_free(&ctx);
    return 0;
}
