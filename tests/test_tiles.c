/* SPDX-License-Identifier: MIT */
/*
 * test_tiles.c: border indices, tproc_view_read_border and the tile iterator against naive
 * references written here from the definitions in base.h and tiles.h: a border index computed
 * by literally bouncing off the edges one reflection at a time, tiles checked for covering every
 * pixel exactly once, and every tile's input view compared pixel for pixel with the border rule
 * (including halos wider than the image, and sources that are themselves transformed views).
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

static const tproc_sample all_samples[3] = {TPROC_U8, TPROC_U16, TPROC_F32};
static const tproc_border all_borders[5] = {TPROC_BORDER_CONSTANT, TPROC_BORDER_REPLICATE,
                                            TPROC_BORDER_REFLECT, TPROC_BORDER_REFLECT_101,
                                            TPROC_BORDER_WRAP};

static ptrdiff_t ssize(tproc_sample s)
{
    return s == TPROC_U8 ? 1 : s == TPROC_U16 ? 2 : 4;
}

/* --- The naive border index ---------------------------------------------------------------- */

/* Position i of an axis of n samples, by the pictures in base.h, one reflection at a time. */
static ptrdiff_t naive_index(ptrdiff_t i, ptrdiff_t n, tproc_border border)
{
    switch (border) {
    case TPROC_BORDER_CONSTANT:
        return i >= 0 && i < n ? i : -1;
    case TPROC_BORDER_REPLICATE:
        return i < 0 ? 0 : i >= n ? n - 1 : i;
    case TPROC_BORDER_REFLECT:
        /* dcba|abcdef|fedc: the mirror lies between the edge sample and the outside */
        while (i < 0 || i >= n)
            i = i < 0 ? -1 - i : 2 * n - 1 - i;
        return i;
    case TPROC_BORDER_REFLECT_101:
        /* edcb|abcdef|edcb: the mirror is the edge sample itself */
        if (n == 1)
            return 0;
        while (i < 0 || i >= n)
            i = i < 0 ? -i : 2 * n - 2 - i;
        return i;
    case TPROC_BORDER_WRAP:
        while (i < 0)
            i += n;
        while (i >= n)
            i -= n;
        return i;
    }
    return -2;
}

START_TEST(border_index_table)
{
    tproc_border b = all_borders[_i];
    for (ptrdiff_t n = 1; n <= 9; n++)
        for (ptrdiff_t i = -3 * n - 5; i <= 4 * n + 5; i++) {
            ptrdiff_t got = tproc_border_index(i, n, b);
            ptrdiff_t want = naive_index(i, n, b);
            CHECK(got == want, "%s: index %td of n = %td is %td, expected %td",
                  tproc_border_name(b), i, n, got, want);
        }
}
END_TEST

/* The pictures of base.h, literally: "abcdef" with four samples of border on each side. */
START_TEST(border_index_pictures)
{
    static const char *pictures[5] = {"....abcdef....", "aaaaabcdefffff", "dcbaabcdeffedc",
                                      "edcbabcdefedcb", "cdefabcdefabcd"};
    const char *p = pictures[_i];
    tproc_border b = all_borders[_i];
    ptrdiff_t len = (ptrdiff_t)strlen(p), left = 4;
    for (ptrdiff_t k = 0; k < len; k++) {
        ptrdiff_t got = tproc_border_index(k - left, 6, b);
        char c = got < 0 ? '.' : (char)('a' + got);
        ck_assert_msg(c == p[k], "%s: position %td reads %c, picture says %c", tproc_border_name(b),
                      k - left, c, p[k]);
    }
}
END_TEST

/* Extreme positions must not overflow and must still follow the (periodic) rule. */
START_TEST(border_index_extremes)
{
    static const ptrdiff_t is[] = {PTRDIFF_MIN,     PTRDIFF_MIN + 1, -PTRDIFF_MAX / 3,
                                   PTRDIFF_MAX / 2, PTRDIFF_MAX - 1, PTRDIFF_MAX};
    static const ptrdiff_t ns[] = {1, 2, 7, 1000003};
    for (size_t a = 0; a < sizeof is / sizeof is[0]; a++)
        for (size_t c = 0; c < sizeof ns / sizeof ns[0]; c++)
            for (int k = 0; k < 5; k++) {
                ptrdiff_t i = is[a], n = ns[c];
                ptrdiff_t got = tproc_border_index(i, n, all_borders[k]);
                /* the rules are periodic (replicate and constant are monotone): reduce i */
                ptrdiff_t want;
                if (all_borders[k] == TPROC_BORDER_CONSTANT)
                    want = -1;
                else if (all_borders[k] == TPROC_BORDER_REPLICATE)
                    want = i < 0 ? 0 : n - 1;
                else {
                    ptrdiff_t period = all_borders[k] == TPROC_BORDER_WRAP      ? n
                                       : all_borders[k] == TPROC_BORDER_REFLECT ? 2 * n
                                       : n == 1                                 ? 1
                                                                                : 2 * n - 2;
                    ptrdiff_t r = i % period;
                    if (r < 0)
                        r += period;
                    want = naive_index(r, n, all_borders[k]);
                }
                ck_assert_msg(got == want, "%s: index %td of n = %td is %td, expected %td",
                              tproc_border_name(all_borders[k]), i, n, got, want);
            }
}
END_TEST

START_TEST(border_names)
{
    static const char *names[5] = {"constant", "replicate", "reflect", "reflect101", "wrap"};
    for (int k = 0; k < 5; k++) {
        ck_assert_str_eq(tproc_border_name(all_borders[k]), names[k]);
        tproc_border b = (tproc_border)-1;
        ck_assert_int_eq(tproc_border_parse(names[k], &b), TPROC_OK);
        ck_assert_int_eq(b, all_borders[k]);
    }
    tproc_border b = TPROC_BORDER_WRAP;
    ck_assert_int_eq(tproc_border_parse("reflect_101", &b), TPROC_OK);
    ck_assert_int_eq(b, TPROC_BORDER_REFLECT_101);
    b = TPROC_BORDER_WRAP;
    ck_assert_int_eq(tproc_border_parse("reflect-101", &b), TPROC_OK);
    ck_assert_int_eq(b, TPROC_BORDER_REFLECT_101);
    ck_assert_int_eq(tproc_border_parse("mirror", &b), TPROC_ERR_ARG);
    ck_assert_int_eq(tproc_border_parse("", &b), TPROC_ERR_ARG);
    ck_assert_int_eq(tproc_border_parse("wrapx", &b), TPROC_ERR_ARG);
    ck_assert_ptr_null(tproc_border_name((tproc_border)5));
    ck_assert_ptr_null(tproc_border_name((tproc_border)-1));
}
END_TEST

/* --- Sources ------------------------------------------------------------------------------- */

typedef struct src {
    unsigned char *buf;
    tproc_view view;
    char desc[128];
} src;

static void fill_sample(unsigned char *p, tproc_sample s, tu_rng *rng)
{
    uint64_t r = tu_rng_next(rng);
    if (s == TPROC_U8) {
        *p = (unsigned char)r;
    } else if (s == TPROC_U16) {
        uint16_t v = (uint16_t)r;
        memcpy(p, &v, 2);
    } else {
        float f = (float)(r >> 40) / (float)(1u << 24);
        memcpy(p, &f, 4);
    }
}

/* A w x h source, optionally a transform of a larger padded buffer. */
static void make_src(src *sv, tu_rng *rng, ptrdiff_t w, ptrdiff_t h, int channels,
                     tproc_sample sample, int transformed)
{
    int kind = transformed ? (int)tu_rng_range(rng, 1, 7) : 0;
    ptrdiff_t bw = w, bh = h, sx = 1, sy = 1;
    if (kind == 3 || kind == 4 || kind == 6) { /* transpose, rotate 90, rotate 270 */
        bw = h;
        bh = w;
    } else if (kind == 5) { /* step */
        sx = tu_rng_range(rng, 1, 3);
        sy = tu_rng_range(rng, 1, 3);
        bw = (w - 1) * sx + 1;
        bh = (h - 1) * sy + 1;
    }
    int base_ch = transformed ? channels + (int)tu_rng_range(rng, 0, 4 - channels) : channels;
    int first = (int)tu_rng_range(rng, 0, base_ch - channels);
    ptrdiff_t ox = transformed ? tu_rng_range(rng, 0, 2) : 0;
    ptrdiff_t oy = transformed ? tu_rng_range(rng, 0, 2) : 0;
    ptrdiff_t ss = ssize(sample), ps = base_ch * ss;
    ptrdiff_t rs = (bw + ox + 2) * ps;
    size_t size = (size_t)(rs * (bh + oy + 1));
    sv->buf = malloc(size);
    ck_assert_ptr_nonnull(sv->buf);
    for (size_t i = 0; i + (size_t)ss <= size; i += (size_t)ss)
        fill_sample(sv->buf + i, sample, rng);
    tproc_view v, t;
    ck_assert_int_eq(
        tproc_view_init(&v, sv->buf, bw + ox + 2, bh + oy + 1, base_ch, sample, ps, rs), TPROC_OK);
    ck_assert_int_eq(tproc_view_sub(&v, ox, oy, bw, bh, &t), TPROC_OK);
    v = t;
    switch (kind) {
    case 1:
        ck_assert_int_eq(tproc_view_flip_h(&v, &t), TPROC_OK);
        break;
    case 2:
        ck_assert_int_eq(tproc_view_flip_v(&v, &t), TPROC_OK);
        break;
    case 3:
        ck_assert_int_eq(tproc_view_transpose(&v, &t), TPROC_OK);
        break;
    case 4:
        ck_assert_int_eq(tproc_view_rotate(&v, 90, &t), TPROC_OK);
        break;
    case 5:
        ck_assert_int_eq(tproc_view_step(&v, sx, sy, &t), TPROC_OK);
        break;
    case 6:
        ck_assert_int_eq(tproc_view_rotate(&v, 270, &t), TPROC_OK);
        break;
    case 7:
        ck_assert_int_eq(tproc_view_rotate(&v, 180, &t), TPROC_OK);
        break;
    default:
        break;
    }
    v = t;
    ck_assert_int_eq(tproc_view_channels(&v, first, channels, &t), TPROC_OK);
    sv->view = t;
    ck_assert_int_eq(sv->view.width, w);
    ck_assert_int_eq(sv->view.height, h);
    snprintf(sv->desc, sizeof sv->desc, "%tdx%td %dch %s transform %d step %td,%td ch+%d", w, h,
             channels, tproc_sample_name(sample), kind, sx, sy, first);
}

static void src_free(src *sv)
{
    free(sv->buf);
    sv->buf = NULL;
}

/* The bytes of a CONSTANT border pixel (values chosen exactly representable). */
static void encode_value(unsigned char *px, tproc_sample s, int channels, const double *value)
{
    for (int c = 0; c < channels; c++) {
        double v = value ? value[c] : 0.0;
        if (s == TPROC_U8) {
            px[c] = (unsigned char)v;
        } else if (s == TPROC_U16) {
            uint16_t u = (uint16_t)v;
            memcpy(px + 2 * c, &u, 2);
        } else {
            float f = (float)v;
            memcpy(px + 4 * c, &f, 4);
        }
    }
}

static void random_border_value(tu_rng *rng, tproc_sample s, double value[4])
{
    for (int c = 0; c < 4; c++)
        value[c] = s == TPROC_U8    ? (double)tu_rng_range(rng, 0, 255)
                   : s == TPROC_U16 ? (double)tu_rng_range(rng, 0, 65535)
                                    : (double)tu_rng_range(rng, 0, 8) / 8.0;
}

/* view (width x height) holds src at rect (x0, y0, ...) under the border rule. */
static void check_bordered(const tproc_view *srcv, ptrdiff_t x0, ptrdiff_t y0,
                           const tproc_view *view, tproc_border border, const double *value,
                           const char *what)
{
    size_t px = (size_t)(srcv->channels * ssize(srcv->sample));
    unsigned char cpx[16];
    encode_value(cpx, srcv->sample, srcv->channels, value);
    for (ptrdiff_t j = 0; j < view->height; j++) {
        ptrdiff_t sy = naive_index(y0 + j, srcv->height, border);
        for (ptrdiff_t i = 0; i < view->width; i++) {
            ptrdiff_t sx = naive_index(x0 + i, srcv->width, border);
            const unsigned char *want = sx < 0 || sy < 0 ? cpx : tproc_view_pixel(srcv, sx, sy);
            CHECK(memcmp(tproc_view_pixel(view, i, j), want, px) == 0,
                  "%s: pixel (%td, %td) of the rect at (%td, %td) should be source (%td, %td)",
                  what, i, j, x0, y0, sx, sy);
        }
    }
}

/* --- Tiles cover the image ----------------------------------------------------------------- */

static const ptrdiff_t cover_sizes[][2] = {{1, 1}, {13, 7}, {64, 64}, {1, 9}, {9, 1}, {100, 3}};
static const ptrdiff_t cover_tiles[][2] = {{1, 1}, {7, 5}, {64, 64}, {100, 100}, {13, 7}, {3, 64}};
#define N_COVER_TILES (int)(sizeof cover_tiles / sizeof cover_tiles[0])

START_TEST(tiles_cover)
{
    ptrdiff_t W = cover_sizes[_i / N_COVER_TILES][0], H = cover_sizes[_i / N_COVER_TILES][1];
    ptrdiff_t tw = cover_tiles[_i % N_COVER_TILES][0], th = cover_tiles[_i % N_COVER_TILES][1];
    tu_rng rng;
    tu_rng_seed(&rng, (uint64_t)_i);
    src sv;
    make_src(&sv, &rng, W, H, 1, TPROC_U8, 0);
    tproc_ctx *ctx = NULL;
    ck_assert_int_eq(tproc_ctx_new(NULL, &ctx), TPROC_OK);
    tproc_tiles_options opt;
    memset(&opt, 0, sizeof opt);
    opt.tile_width = tw;
    opt.tile_height = th;
    opt.border = TPROC_BORDER_REFLECT_101;
    tproc_tiles *tiles = NULL;
    tu_ok(ctx, tproc_tiles_new(ctx, &sv.view, &opt, &tiles));
    size_t across = (size_t)((W + tw - 1) / tw), down = (size_t)((H + th - 1) / th);
    ck_assert_uint_eq(tproc_tiles_across(tiles), across);
    ck_assert_uint_eq(tproc_tiles_down(tiles), down);
    ck_assert_uint_eq(tproc_tiles_count(tiles), across * down);
    unsigned char *count = calloc((size_t)(W * H), 1);
    tproc_rect *rects = calloc(across * down, sizeof *rects);
    char what[96];
    snprintf(what, sizeof what, "image %tdx%td tiles %tdx%td", W, H, tw, th);
    for (int pass = 0; pass < 2; pass++) {
        size_t k = 0;
        tproc_tile tile;
        int st;
        while ((st = tproc_tiles_next(tiles, &tile)) == 1) {
            ck_assert_msg(k < across * down, "%s: more tiles than tproc_tiles_count", what);
            ck_assert_uint_eq(tile.index, k);
            tproc_rect r = tile.out;
            ptrdiff_t col = (ptrdiff_t)(k % across), row = (ptrdiff_t)(k / across);
            ck_assert_msg(r.x == col * tw && r.y == row * th, "%s: tile %zu at (%td, %td)", what, k,
                          r.x, r.y);
            ck_assert_int_eq(r.width, W - r.x < tw ? W - r.x : tw);
            ck_assert_int_eq(r.height, H - r.y < th ? H - r.y : th);
            /* no halo: the input is the output rectangle itself, zero copy */
            ck_assert_int_eq(tile.assembled, 0);
            ck_assert_int_eq(tile.in.width, r.width);
            ck_assert_int_eq(tile.in.height, r.height);
            ck_assert_ptr_eq(tile.in.data, tproc_view_pixel(&sv.view, r.x, r.y));
            if (pass == 0) {
                rects[k] = r;
                for (ptrdiff_t y = r.y; y < r.y + r.height; y++)
                    for (ptrdiff_t x = r.x; x < r.x + r.width; x++)
                        count[y * W + x]++;
            } else {
                ck_assert_msg(memcmp(&rects[k], &r, sizeof r) == 0,
                              "%s: tile %zu differs after rewind", what, k);
            }
            k++;
        }
        ck_assert_int_eq(st, 0);
        ck_assert_uint_eq(k, across * down);
        /* done stays done */
        ck_assert_int_eq(tproc_tiles_next(tiles, &tile), 0);
        if (pass == 0)
            for (ptrdiff_t i = 0; i < W * H; i++)
                ck_assert_msg(count[i] == 1, "%s: pixel (%td, %td) covered %d times", what, i % W,
                              i / W, count[i]);
        tproc_tiles_rewind(tiles);
    }
    /* rewinding in the middle starts again at the first tile */
    tproc_tile first;
    ck_assert_int_eq(tproc_tiles_next(tiles, &first), 1);
    if (across * down > 1)
        ck_assert_int_eq(tproc_tiles_next(tiles, &first), 1);
    tproc_tiles_rewind(tiles);
    ck_assert_int_eq(tproc_tiles_next(tiles, &first), 1);
    ck_assert_uint_eq(first.index, 0);
    ck_assert(first.out.x == 0 && first.out.y == 0);
    tproc_tiles_free(&tiles);
    ck_assert_ptr_null(tiles);
    tproc_tiles_free(&tiles); /* freeing NULL is a no-op */
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
    free(count);
    free(rects);
    src_free(&sv);
}
END_TEST

/* --- Halo contents ------------------------------------------------------------------------- */

static void halo_trial(uint64_t seed, tproc_border border, int transformed, tproc_ctx *ctx)
{
    tu_rng rng;
    tu_rng_seed(&rng, seed);
    ptrdiff_t W = tu_rng_range(&rng, 1, 20), H = tu_rng_range(&rng, 1, 20);
    int ch = (int)tu_rng_range(&rng, 1, 4);
    tproc_sample s = all_samples[tu_rng_range(&rng, 0, 2)];
    src sv;
    make_src(&sv, &rng, W, H, ch, s, transformed);
    tproc_tiles_options opt;
    memset(&opt, 0, sizeof opt);
    opt.tile_width = tu_rng_range(&rng, 1, tu_rng_range(&rng, 0, 3) ? 12 : 30);
    opt.tile_height = tu_rng_range(&rng, 1, tu_rng_range(&rng, 0, 3) ? 12 : 30);
    opt.halo.left = tu_rng_range(&rng, 0, 10);
    opt.halo.top = tu_rng_range(&rng, 0, 10);
    opt.halo.right = tu_rng_range(&rng, 0, 10);
    opt.halo.bottom = tu_rng_range(&rng, 0, 10);
    opt.border = border;
    random_border_value(&rng, s, opt.border_value);
    char what[300];
    snprintf(what, sizeof what,
             "seed %llu %s src %s tile %tdx%td halo l%td t%td r%td b%td value %g %g %g %g",
             (unsigned long long)seed, tproc_border_name(border), sv.desc, opt.tile_width,
             opt.tile_height, opt.halo.left, opt.halo.top, opt.halo.right, opt.halo.bottom,
             opt.border_value[0], opt.border_value[1], opt.border_value[2], opt.border_value[3]);
    tproc_tiles *tiles = NULL;
    int st = tproc_tiles_new(ctx, &sv.view, &opt, &tiles);
    ck_assert_msg(st == TPROC_OK, "%s: tproc_tiles_new: %s (%s)", what, tproc_status_name(st),
                  tproc_ctx_message(ctx));
    tproc_tile tile;
    size_t n = 0;
    const tproc_halo *hl = &opt.halo;
    while ((st = tproc_tiles_next(tiles, &tile)) == 1) {
        const tproc_rect *r = &tile.out;
        char twhat[400];
        snprintf(twhat, sizeof twhat, "%s tile %zu (%td, %td, %td, %td)", what, tile.index, r->x,
                 r->y, r->width, r->height);
        CHECK(tile.in.width == r->width + hl->left + hl->right &&
                  tile.in.height == r->height + hl->top + hl->bottom,
              "%s: in is %tdx%td", twhat, tile.in.width, tile.in.height);
        CHECK(tile.in.channels == ch && tile.in.sample == s, "%s: in format %d ch %d", twhat,
              tile.in.channels, (int)tile.in.sample);
        CHECK(tproc_view_validate(&tile.in) == TPROC_OK, "%s: in is not a valid view", twhat);
        int inside = r->x - hl->left >= 0 && r->y - hl->top >= 0 &&
                     r->x + r->width + hl->right <= W && r->y + r->height + hl->bottom <= H;
        if (inside) {
            CHECK(tile.assembled == 0, "%s: inside the source but assembled", twhat);
            CHECK(tile.in.data == tproc_view_pixel(&sv.view, r->x - hl->left, r->y - hl->top),
                  "%s: zero-copy input does not point into the source", twhat);
            CHECK((tile.in.width == 1 || tile.in.pixel_stride == sv.view.pixel_stride) &&
                      (tile.in.height == 1 || tile.in.row_stride == sv.view.row_stride),
                  "%s: zero-copy input has strides %td, %td; the source %td, %td", twhat,
                  tile.in.pixel_stride, tile.in.row_stride, sv.view.pixel_stride,
                  sv.view.row_stride);
        } else {
            CHECK(tile.assembled == 1, "%s: crosses the edge but assembled = %d", twhat,
                  tile.assembled);
        }
        check_bordered(&sv.view, r->x - hl->left, r->y - hl->top, &tile.in, border,
                       opt.border_value, twhat);
        n++;
    }
    ck_assert_msg(st == 0, "%s: tproc_tiles_next returned %d", what, st);
    ck_assert_uint_eq(n, tproc_tiles_count(tiles));
    tproc_tiles_free(&tiles);
    src_free(&sv);
}

START_TEST(tiles_halo)
{
    tproc_ctx *ctx = NULL;
    ck_assert_int_eq(tproc_ctx_new(NULL, &ctx), TPROC_OK);
    for (int k = 0; k < 60; k++)
        halo_trial((uint64_t)(_i * 10000 + k), all_borders[_i], 0, ctx);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

START_TEST(tiles_halo_transformed_source)
{
    tproc_ctx *ctx = NULL;
    ck_assert_int_eq(tproc_ctx_new(NULL, &ctx), TPROC_OK);
    for (int k = 0; k < 60; k++)
        halo_trial((uint64_t)(_i * 10000 + 5000 + k), all_borders[_i], 1, ctx);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* A 1x1 image with a wide halo: every halo pixel is the one pixel (or the constant). */
START_TEST(tiles_one_pixel_wide_halo)
{
    uint16_t px[3] = {100, 200, 300};
    tproc_view v;
    ck_assert_int_eq(tproc_view_init(&v, px, 1, 1, 3, TPROC_U16, 0, 0), TPROC_OK);
    tproc_tiles_options opt;
    memset(&opt, 0, sizeof opt);
    opt.tile_width = 4;
    opt.tile_height = 4;
    opt.halo.left = opt.halo.right = opt.halo.top = opt.halo.bottom = 10;
    opt.border = all_borders[_i];
    opt.border_value[0] = 7;
    opt.border_value[1] = 8;
    opt.border_value[2] = 65535;
    tproc_tiles *tiles = NULL;
    ck_assert_int_eq(tproc_tiles_new(NULL, &v, &opt, &tiles), TPROC_OK);
    tproc_tile tile;
    ck_assert_int_eq(tproc_tiles_next(tiles, &tile), 1);
    ck_assert_int_eq(tile.in.width, 21);
    ck_assert_int_eq(tile.in.height, 21);
    ck_assert_int_eq(tile.assembled, 1);
    for (ptrdiff_t y = 0; y < 21; y++)
        for (ptrdiff_t x = 0; x < 21; x++) {
            uint16_t got[3];
            memcpy(got, tproc_view_pixel(&tile.in, x, y), 6);
            int center = x == 10 && y == 10;
            if (opt.border == TPROC_BORDER_CONSTANT && !center)
                ck_assert_msg(got[0] == 7 && got[1] == 8 && got[2] == 65535, "(%td, %td): %u %u %u",
                              x, y, got[0], got[1], got[2]);
            else
                ck_assert_msg(got[0] == 100 && got[1] == 200 && got[2] == 300,
                              "%s (%td, %td): %u %u %u", tproc_border_name(opt.border), x, y,
                              got[0], got[1], got[2]);
        }
    ck_assert_int_eq(tproc_tiles_next(tiles, &tile), 0);
    tproc_tiles_free(&tiles);
}
END_TEST

START_TEST(tiles_invalid_options)
{
    unsigned char buf[16];
    tproc_view v;
    ck_assert_int_eq(tproc_view_init(&v, buf, 4, 4, 1, TPROC_U8, 0, 0), TPROC_OK);
    tproc_tiles_options good;
    memset(&good, 0, sizeof good);
    good.tile_width = 2;
    good.tile_height = 2;
    good.border = TPROC_BORDER_REPLICATE;
    tproc_tiles_options bad[10];
    for (int k = 0; k < 10; k++)
        bad[k] = good;
    bad[0].tile_width = 0;
    bad[0].tile_height = 0;
    bad[1].tile_width = 0;
    bad[2].tile_height = 0;
    bad[3].tile_width = -4;
    bad[4].halo.left = -1;
    bad[5].halo.top = -1;
    bad[6].halo.right = -1;
    bad[7].halo.bottom = -1;
    bad[8].border = (tproc_border)5;
    bad[9].border = (tproc_border)-1;
    for (int k = 0; k < 10; k++) {
        tproc_tiles *tiles = (tproc_tiles *)(void *)buf; /* must be reset to NULL */
        int st = tproc_tiles_new(NULL, &v, &bad[k], &tiles);
        ck_assert_msg(st == TPROC_ERR_ARG || st == TPROC_ERR_RANGE || st == TPROC_ERR_PARAM,
                      "case %d: %s", k, tproc_status_name(st));
        ck_assert_msg(tiles == NULL, "case %d: *out not NULL on failure", k);
    }
    tproc_view badv = v;
    badv.channels = 0;
    tproc_tiles *tiles = NULL;
    ck_assert_int_ne(tproc_tiles_new(NULL, &badv, &good, &tiles), TPROC_OK);
    ck_assert_ptr_null(tiles);
    ck_assert_int_eq(tproc_tiles_new(NULL, &v, &good, &tiles), TPROC_OK);
    ck_assert_uint_eq(tproc_tiles_count(tiles), 4);
    tproc_tiles_free(&tiles);
}
END_TEST

/* Scratch for a huge halo is counted against the memory limit. */
START_TEST(tiles_scratch_limit)
{
    tproc_ctx_options o = {NULL, 1 << 20, 1};
    tproc_ctx *ctx = NULL;
    ck_assert_int_eq(tproc_ctx_new(&o, &ctx), TPROC_OK);
    unsigned char buf[16];
    tproc_view v;
    ck_assert_int_eq(tproc_view_init(&v, buf, 4, 4, 1, TPROC_U8, 0, 0), TPROC_OK);
    tproc_tiles_options opt;
    memset(&opt, 0, sizeof opt);
    opt.tile_width = 4;
    opt.tile_height = 4;
    opt.halo.left = opt.halo.right = opt.halo.top = opt.halo.bottom = 2000;
    tproc_tiles *tiles = NULL;
    int st = tproc_tiles_new(ctx, &v, &opt, &tiles);
    if (st == TPROC_OK) { /* scratch may be allocated on the first assembled tile */
        tproc_tile tile;
        st = tproc_tiles_next(tiles, &tile);
        tproc_tiles_free(&tiles);
    }
    ck_assert_msg(st == TPROC_ERR_LIMIT, "a 4004x4004 halo under a 1 MiB limit: %d", st);
    /* absurd halos overflow rather than wrap around */
    opt.halo.left = opt.halo.right = PTRDIFF_MAX / 2;
    st = tproc_tiles_new(ctx, &v, &opt, &tiles);
    if (st == TPROC_OK) {
        tproc_tile tile;
        st = tproc_tiles_next(tiles, &tile);
        tproc_tiles_free(&tiles);
    }
    ck_assert_msg(st == TPROC_ERR_OVERFLOW || st == TPROC_ERR_LIMIT || st == TPROC_ERR_ARG ||
                      st == TPROC_ERR_RANGE,
                  "halo PTRDIFF_MAX/2: %d", st);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

/* --- tproc_view_read_border ---------------------------------------------------------------- */

START_TEST(read_border_random)
{
    tproc_border border = all_borders[_i];
    tu_rng rng;
    tu_rng_seed(&rng, (uint64_t)_i + 777);
    for (int k = 0; k < 150; k++) {
        ptrdiff_t W = tu_rng_range(&rng, 1, 9), H = tu_rng_range(&rng, 1, 9);
        int ch = (int)tu_rng_range(&rng, 1, 4);
        tproc_sample s = all_samples[tu_rng_range(&rng, 0, 2)];
        src sv;
        make_src(&sv, &rng, W, H, ch, s, k % 2);
        tproc_rect rect;
        rect.width = tu_rng_range(&rng, 1, 25);
        rect.height = tu_rng_range(&rng, 1, 25);
        if (k % 5 == 0) { /* wholly outside */
            rect.x = tu_rng_range(&rng, 0, 1) ? W + tu_rng_range(&rng, 0, 30)
                                              : -rect.width - tu_rng_range(&rng, 0, 30);
            rect.y = tu_rng_range(&rng, -40, 40);
        } else {
            rect.x = tu_rng_range(&rng, -30, W + 5);
            rect.y = tu_rng_range(&rng, -30, H + 5);
        }
        double value[4];
        random_border_value(&rng, s, value);
        const double *vp = k % 3 == 0 ? NULL : value;
        /* dst: a packed buffer, mirrored in some iterations */
        size_t px = (size_t)(ch * ssize(s));
        unsigned char *dbuf = calloc((size_t)(rect.width * rect.height), px);
        tproc_view dst, t;
        ck_assert_int_eq(tproc_view_init(&dst, dbuf, rect.width, rect.height, ch, s, 0, 0),
                         TPROC_OK);
        if (k % 4 == 1) {
            ck_assert_int_eq(tproc_view_flip_h(&dst, &t), TPROC_OK);
            dst = t;
        }
        char what[300];
        snprintf(what, sizeof what, "iteration %d %s src %s rect (%td, %td, %td, %td) value %s", k,
                 tproc_border_name(border), sv.desc, rect.x, rect.y, rect.width, rect.height,
                 vp ? "given" : "NULL");
        int st = tproc_view_read_border(&sv.view, rect, border, vp, &dst);
        ck_assert_msg(st == TPROC_OK, "%s: %s", what, tproc_status_name(st));
        check_bordered(&sv.view, rect.x, rect.y, &dst, border, vp, what);
        free(dbuf);
        src_free(&sv);
    }
}
END_TEST

START_TEST(read_border_constant_types)
{
    /* u16 and f32 constants, including a rect wholly outside */
    uint16_t p16[4] = {1, 2, 3, 4};
    float pf[2] = {0.5f, 0.75f};
    tproc_view s16, sf, d;
    ck_assert_int_eq(tproc_view_init(&s16, p16, 2, 2, 1, TPROC_U16, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&sf, pf, 1, 1, 2, TPROC_F32, 0, 0), TPROC_OK);
    uint16_t o16[9];
    ck_assert_int_eq(tproc_view_init(&d, o16, 3, 3, 1, TPROC_U16, 0, 0), TPROC_OK);
    double v16 = 40000;
    tproc_rect r = {-1, -1, 3, 3};
    ck_assert_int_eq(tproc_view_read_border(&s16, r, TPROC_BORDER_CONSTANT, &v16, &d), TPROC_OK);
    static const uint16_t want16[9] = {40000, 40000, 40000, 40000, 1, 2, 40000, 3, 4};
    ck_assert_mem_eq(o16, want16, sizeof want16);
    tproc_rect far = {100, -50, 3, 3};
    ck_assert_int_eq(tproc_view_read_border(&s16, far, TPROC_BORDER_CONSTANT, &v16, &d), TPROC_OK);
    for (int i = 0; i < 9; i++)
        ck_assert_int_eq(o16[i], 40000);
    ck_assert_int_eq(tproc_view_read_border(&s16, far, TPROC_BORDER_WRAP, &v16, &d), TPROC_OK);
    /* x 100..102 wrap to 0,1,0; y -50..-48 wrap to 0,1,0 */
    static const uint16_t wrap16[9] = {1, 2, 1, 3, 4, 3, 1, 2, 1};
    ck_assert_mem_eq(o16, wrap16, sizeof wrap16);

    float of[2 * 4];
    ck_assert_int_eq(tproc_view_init(&d, of, 2, 2, 2, TPROC_F32, 0, 0), TPROC_OK);
    double vf[2] = {0.125, 2.5}; /* f32 constants are taken as is */
    tproc_rect rf = {0, 0, 2, 2};
    ck_assert_int_eq(tproc_view_read_border(&sf, rf, TPROC_BORDER_CONSTANT, vf, &d), TPROC_OK);
    static const float wantf[8] = {0.5f, 0.75f, 0.125f, 2.5f, 0.125f, 2.5f, 0.125f, 2.5f};
    ck_assert_mem_eq(of, wantf, sizeof wantf);
    ck_assert_int_eq(tproc_view_read_border(&sf, rf, TPROC_BORDER_CONSTANT, NULL, &d), TPROC_OK);
    static const float zerof[8] = {0.5f, 0.75f, 0, 0, 0, 0, 0, 0};
    ck_assert_mem_eq(of, zerof, sizeof zerof);
}
END_TEST

/* Minimal cases: a rect wholly left of, right of, above and below the source. */
START_TEST(read_border_wholly_outside)
{
    static const tproc_rect rects[] = {{-10, 0, 3, 1}, {-3, 1, 3, 2}, {4, 0, 3, 1},
                                       {0, -5, 2, 2},  {1, 4, 3, 3},  {-9, -9, 2, 2}};
    unsigned char sb[16];
    for (int i = 0; i < 16; i++)
        sb[i] = (unsigned char)(i + 1);
    tproc_view s, d;
    ck_assert_int_eq(tproc_view_init(&s, sb, 4, 4, 1, TPROC_U8, 0, 0), TPROC_OK);
    for (size_t k = 0; k < sizeof rects / sizeof rects[0]; k++) {
        tproc_rect r = rects[k];
        /* exactly the size of dst, so that ASan sees any write past it */
        unsigned char *db = malloc((size_t)(r.width * r.height));
        ck_assert_int_eq(tproc_view_init(&d, db, r.width, r.height, 1, TPROC_U8, 0, 0), TPROC_OK);
        char what[96];
        snprintf(what, sizeof what, "rect (%td, %td, %td, %td) of 4x4", r.x, r.y, r.width,
                 r.height);
        double v = 99;
        ck_assert_int_eq(tproc_view_read_border(&s, r, TPROC_BORDER_CONSTANT, &v, &d), TPROC_OK);
        check_bordered(&s, r.x, r.y, &d, TPROC_BORDER_CONSTANT, &v, what);
        ck_assert_int_eq(tproc_view_read_border(&s, r, TPROC_BORDER_REFLECT, &v, &d), TPROC_OK);
        check_bordered(&s, r.x, r.y, &d, TPROC_BORDER_REFLECT, &v, what);
        free(db);
    }
}
END_TEST

START_TEST(read_border_refusals)
{
    unsigned char sb[16], db[64];
    tproc_view s, d;
    ck_assert_int_eq(tproc_view_init(&s, sb, 4, 4, 1, TPROC_U8, 0, 0), TPROC_OK);
    tproc_rect r = {0, 0, 3, 3};
    memset(db, 0xEE, sizeof db);
    ck_assert_int_eq(tproc_view_init(&d, db, 3, 2, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_ne(tproc_view_read_border(&s, r, TPROC_BORDER_WRAP, NULL, &d), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&d, db, 3, 3, 2, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_ne(tproc_view_read_border(&s, r, TPROC_BORDER_WRAP, NULL, &d), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&d, db, 3, 3, 1, TPROC_U16, 0, 0), TPROC_OK);
    ck_assert_int_ne(tproc_view_read_border(&s, r, TPROC_BORDER_WRAP, NULL, &d), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&d, db, 3, 3, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_ne(tproc_view_read_border(&s, r, (tproc_border)9, NULL, &d), TPROC_OK);
    tproc_rect empty = {0, 0, 0, 3};
    ck_assert_int_ne(tproc_view_read_border(&s, empty, TPROC_BORDER_WRAP, NULL, &d), TPROC_OK);
    for (size_t i = 0; i < sizeof db; i++)
        ck_assert_int_eq(db[i], 0xEE);
    /* a rect so far away that x + width overflows */
    tproc_rect huge = {PTRDIFF_MAX - 1, 0, 3, 3};
    int st = tproc_view_read_border(&s, huge, TPROC_BORDER_WRAP, NULL, &d);
    if (st == TPROC_OK)
        check_bordered(&s, huge.x, huge.y, &d, TPROC_BORDER_WRAP, NULL, "far rect");
    /* a read-only destination is refused */
    d.flags = TPROC_VIEW_READONLY;
    memset(db, 0xEE, sizeof db);
    ck_assert_int_eq(tproc_view_read_border(&s, r, TPROC_BORDER_WRAP, NULL, &d),
                     TPROC_ERR_READONLY);
    for (size_t i = 0; i < sizeof db; i++)
        ck_assert_int_eq(db[i], 0xEE);
}
END_TEST

Suite *suite_tiles(void)
{
    Suite *s = suite_create("tiles");
    TCase *tc = tcase_create("border");
    tcase_add_loop_test(tc, border_index_table, 0, 5);
    tcase_add_loop_test(tc, border_index_pictures, 0, 5);
    tcase_add_test(tc, border_index_extremes);
    tcase_add_test(tc, border_names);
    tcase_add_loop_test(tc, read_border_random, 0, 5);
    tcase_add_test(tc, read_border_constant_types);
    tcase_add_test(tc, read_border_wholly_outside);
    tcase_add_test(tc, read_border_refusals);
    suite_add_tcase(s, tc);

    tc = tcase_create("tiles");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, tiles_cover, 0,
                        (int)(sizeof cover_sizes / sizeof cover_sizes[0]) * N_COVER_TILES);
    tcase_add_loop_test(tc, tiles_halo, 0, 5);
    tcase_add_loop_test(tc, tiles_halo_transformed_source, 0, 5);
    tcase_add_loop_test(tc, tiles_one_pixel_wide_halo, 0, 5);
    tcase_add_test(tc, tiles_invalid_options);
    tcase_add_test(tc, tiles_scratch_limit);
    suite_add_tcase(s, tc);
    return s;
}
