/* SPDX-License-Identifier: MIT */
/*
 * test_view.c: the view algebra as properties. Every view the library composes is checked
 * against a naive model that keeps the list of transforms and maps each view pixel back to the
 * base buffer one step at a time, so the test never uses the library's stride arithmetic to
 * predict the library's stride arithmetic. Also: identities between compositions, refusals that
 * leave *out untouched, contiguity and EXIF orientation.
 */
#include "testutil.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An assertion for hot loops: ck_assert_* records a mark point on every pass, this only fails. */
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                             \
    } while (0)

static const tproc_sample all_samples[3] = {TPROC_U8, TPROC_U16, TPROC_F32};

static ptrdiff_t ssize(tproc_sample s)
{
    return s == TPROC_U8 ? 1 : s == TPROC_U16 ? 2 : 4;
}

/* --- Base buffers -------------------------------------------------------------------------- */

enum { LAYOUT_PACKED, LAYOUT_PADDED, LAYOUT_NEG_ROWS, LAYOUT_NEG_PIXELS, LAYOUT_COUNT };

/* Caller memory and the strides the test itself chose for it (the model's ground truth). */
typedef struct base {
    unsigned char *buf;
    unsigned char *origin; /* pixel (0, 0) */
    ptrdiff_t w, h, pixel_stride, row_stride;
    int channels;
    tproc_sample sample;
    tproc_view view;
} base;

static void base_make(base *b, tu_rng *rng, ptrdiff_t w, ptrdiff_t h, int channels,
                      tproc_sample sample, int layout)
{
    ptrdiff_t ss = ssize(sample);
    ptrdiff_t ps = channels * ss, rs;
    if (layout != LAYOUT_PACKED)
        ps += tu_rng_range(rng, 0, 2) * ss;
    rs = w * ps;
    if (layout != LAYOUT_PACKED)
        rs += tu_rng_range(rng, 0, 3) * ss;
    b->buf = calloc((size_t)(rs * h), 1);
    ck_assert_ptr_nonnull(b->buf);
    b->w = w;
    b->h = h;
    b->channels = channels;
    b->sample = sample;
    b->origin = b->buf;
    b->pixel_stride = ps;
    b->row_stride = rs;
    if (layout == LAYOUT_NEG_ROWS) {
        b->origin = b->buf + (h - 1) * rs;
        b->row_stride = -rs;
    } else if (layout == LAYOUT_NEG_PIXELS) {
        b->origin = b->buf + (w - 1) * ps;
        b->pixel_stride = -ps;
    }
    int st = layout == LAYOUT_PACKED
                 ? tproc_view_init(&b->view, b->origin, w, h, channels, sample, 0, 0)
                 : tproc_view_init(&b->view, b->origin, w, h, channels, sample, b->pixel_stride,
                                   b->row_stride);
    ck_assert_msg(st == TPROC_OK, "tproc_view_init %tdx%td ch %d %s layout %d: %s", w, h, channels,
                  tproc_sample_name(sample), layout, tproc_strerror(st));
    ck_assert_ptr_eq(b->view.data, b->origin);
    ck_assert_int_eq(b->view.width, w);
    ck_assert_int_eq(b->view.height, h);
    ck_assert_int_eq(b->view.channels, channels);
    ck_assert_int_eq(b->view.sample, sample);
    ck_assert_int_eq(b->view.pixel_stride, b->pixel_stride);
    ck_assert_int_eq(b->view.row_stride, b->row_stride);
    ck_assert_uint_eq(b->view.flags, 0);
}

static void base_free(base *b)
{
    free(b->buf);
    b->buf = NULL;
}

/* --- The naive model ----------------------------------------------------------------------- */

enum {
    OP_SUB,
    OP_FLIP_H,
    OP_FLIP_V,
    OP_TRANSPOSE,
    OP_ROTATE,
    OP_STEP,
    OP_CHANNELS,
    OP_ORIENT,
    OP_KINDS,
    OP_TRANSVERSE /* model only: what orientation 7 expands to */
};

typedef struct op {
    int kind;
    ptrdiff_t a, b, c, d;
    ptrdiff_t in_w, in_h; /* the size the op was applied to */
} op;

typedef struct model {
    const base *b;
    ptrdiff_t w, h;
    int ch0, channels;
    int n;
    op ops[64];
} model;

static void model_init(model *m, const base *b)
{
    memset(m, 0, sizeof *m);
    m->b = b;
    m->w = b->w;
    m->h = b->h;
    m->channels = b->channels;
}

static void swap_wh(model *m)
{
    ptrdiff_t t = m->w;
    m->w = m->h;
    m->h = t;
}

/* Records one elementary transform and what it does to the size. */
static void model_push(model *m, int kind, ptrdiff_t a, ptrdiff_t b, ptrdiff_t c, ptrdiff_t d)
{
    ck_assert_int_lt(m->n, 64);
    op *o = &m->ops[m->n++];
    o->kind = kind;
    o->a = a;
    o->b = b;
    o->c = c;
    o->d = d;
    o->in_w = m->w;
    o->in_h = m->h;
    switch (kind) {
    case OP_SUB:
        m->w = c;
        m->h = d;
        break;
    case OP_TRANSPOSE:
    case OP_TRANSVERSE:
        swap_wh(m);
        break;
    case OP_ROTATE:
        if (a % 2)
            swap_wh(m);
        break;
    case OP_STEP:
        /* ceil without a + b - 1, which could overflow for huge steps */
        m->w = m->w / a + (m->w % a != 0);
        m->h = m->h / b + (m->h % b != 0);
        break;
    case OP_CHANNELS:
        m->ch0 += (int)a;
        m->channels = (int)b;
        break;
    default:
        break;
    }
}

/* What tproc_view_orient(e) should be, as elementary model transforms. */
static void model_orient(model *m, int e)
{
    switch (e) {
    case 2:
        model_push(m, OP_FLIP_H, 0, 0, 0, 0);
        break;
    case 3:
        model_push(m, OP_ROTATE, 2, 0, 0, 0);
        break;
    case 4:
        model_push(m, OP_FLIP_V, 0, 0, 0, 0);
        break;
    case 5:
        model_push(m, OP_TRANSPOSE, 0, 0, 0, 0);
        break;
    case 6:
        model_push(m, OP_ROTATE, 1, 0, 0, 0);
        break;
    case 7:
        model_push(m, OP_TRANSVERSE, 0, 0, 0, 0);
        break;
    case 8:
        model_push(m, OP_ROTATE, 3, 0, 0, 0);
        break;
    default:
        break; /* 1 and anything outside 1-8: upright */
    }
}

/* Maps view pixel (x, y) back through every transform to base coordinates. */
static void model_map(const model *m, ptrdiff_t x, ptrdiff_t y, ptrdiff_t *bx, ptrdiff_t *by)
{
    for (int k = m->n - 1; k >= 0; k--) {
        const op *o = &m->ops[k];
        ptrdiff_t nx = x, ny = y;
        switch (o->kind) {
        case OP_SUB:
            nx = x + o->a;
            ny = y + o->b;
            break;
        case OP_FLIP_H:
            nx = o->in_w - 1 - x;
            break;
        case OP_FLIP_V:
            ny = o->in_h - 1 - y;
            break;
        case OP_TRANSPOSE:
            nx = y;
            ny = x;
            break;
        case OP_TRANSVERSE:
            nx = o->in_w - 1 - y;
            ny = o->in_h - 1 - x;
            break;
        case OP_ROTATE:
            /* clockwise: 90 puts the bottom-left corner at the top-left */
            if (o->a == 1) {
                nx = y;
                ny = o->in_h - 1 - x;
            } else if (o->a == 2) {
                nx = o->in_w - 1 - x;
                ny = o->in_h - 1 - y;
            } else if (o->a == 3) {
                nx = o->in_w - 1 - y;
                ny = x;
            }
            break;
        case OP_STEP:
            nx = x * o->a;
            ny = y * o->b;
            break;
        default:
            break;
        }
        x = nx;
        y = ny;
        CHECK(x >= 0 && x < o->in_w && y >= 0 && y < o->in_h, "model bug");
    }
    *bx = x;
    *by = y;
}

static unsigned char *model_addr(const model *m, ptrdiff_t x, ptrdiff_t y)
{
    ptrdiff_t bx, by;
    model_map(m, x, y, &bx, &by);
    const base *b = m->b;
    return b->origin + by * b->row_stride + bx * b->pixel_stride + m->ch0 * ssize(b->sample);
}

/* Checks the view's shape and the address of its pixels against the model. */
static void check_view(const model *m, const tproc_view *v, tu_rng *rng, const char *what)
{
    CHECK(v->width == m->w && v->height == m->h, "%s: size %tdx%td, model %tdx%td", what, v->width,
          v->height, m->w, m->h);
    CHECK(v->channels == m->channels, "%s: channels %d, model %d", what, v->channels, m->channels);
    CHECK(v->sample == m->b->sample, "%s: sample %d, model %d", what, (int)v->sample,
          (int)m->b->sample);
    CHECK(tproc_view_validate(v) == TPROC_OK, "%s: tproc_view_validate refuses the view", what);
    ptrdiff_t ss = ssize(v->sample);
    if (v->width * v->height <= 4096) {
        for (ptrdiff_t y = 0; y < v->height; y++)
            for (ptrdiff_t x = 0; x < v->width; x++)
                for (int c = 0; c < v->channels; c++)
                    CHECK(tproc_view_pixel(v, x, y) + c * ss == model_addr(m, x, y) + c * ss,
                          "%s: pixel (%td, %td) channel %d at offset %td, model %td", what, x, y, c,
                          tproc_view_pixel(v, x, y) - m->b->buf, model_addr(m, x, y) - m->b->buf);
    } else {
        for (int k = 0; k < 4096; k++) {
            ptrdiff_t x = k < 2 ? k * (v->width - 1) : tu_rng_range(rng, 0, v->width - 1);
            ptrdiff_t y = k < 2 ? k * (v->height - 1) : tu_rng_range(rng, 0, v->height - 1);
            CHECK(tproc_view_pixel(v, x, y) == model_addr(m, x, y),
                  "%s: pixel (%td, %td) at offset %td, model %td", what, x, y,
                  tproc_view_pixel(v, x, y) - m->b->buf, model_addr(m, x, y) - m->b->buf);
        }
    }
}

/* Applies op to the library view; returns the status. */
static int lib_apply(const tproc_view *in, const op *o, tproc_view *out)
{
    switch (o->kind) {
    case OP_SUB:
        return tproc_view_sub(in, o->a, o->b, o->c, o->d, out);
    case OP_FLIP_H:
        return tproc_view_flip_h(in, out);
    case OP_FLIP_V:
        return tproc_view_flip_v(in, out);
    case OP_TRANSPOSE:
        return tproc_view_transpose(in, out);
    case OP_ROTATE:
        return tproc_view_rotate(in, (int)o->a, out);
    case OP_STEP:
        return tproc_view_step(in, o->a, o->b, out);
    case OP_CHANNELS:
        return tproc_view_channels(in, (int)o->a, (int)o->b, out);
    case OP_ORIENT:
        return tproc_view_orient(in, (int)o->a, out);
    default:
        return TPROC_ERR_ARG;
    }
}

static const char *op_name(int kind)
{
    static const char *names[] = {"sub",  "flip_h",   "flip_v", "transpose", "rotate",
                                  "step", "channels", "orient", "?",         "transverse"};
    return names[kind];
}

/* A random valid operation for a view of the model's shape. */
static op random_op(tu_rng *rng, const model *m)
{
    op o = {0};
    o.kind = (int)tu_rng_range(rng, 0, OP_KINDS - 1);
    switch (o.kind) {
    case OP_SUB:
        o.a = tu_rng_range(rng, 0, m->w - 1);
        o.b = tu_rng_range(rng, 0, m->h - 1);
        o.c = tu_rng_range(rng, 1, m->w - o.a);
        o.d = tu_rng_range(rng, 1, m->h - o.b);
        break;
    case OP_ROTATE:
        o.a = 90 * tu_rng_range(rng, -3, 3);
        break;
    case OP_STEP:
        o.a = tu_rng_range(rng, 1, tu_rng_range(rng, 0, 3) ? 3 : m->w + 2);
        o.b = tu_rng_range(rng, 1, tu_rng_range(rng, 0, 3) ? 3 : m->h + 2);
        break;
    case OP_CHANNELS:
        o.a = tu_rng_range(rng, 0, m->channels - 1);
        o.b = tu_rng_range(rng, 1, m->channels - o.a);
        break;
    case OP_ORIENT:
        o.a = tu_rng_range(rng, -1, 10);
        break;
    default:
        break;
    }
    return o;
}

/* Pushes op onto the model, expanding rotations and orientations. */
static void model_apply(model *m, const op *o)
{
    if (o->kind == OP_ROTATE)
        model_push(m, OP_ROTATE, ((o->a / 90) % 4 + 4) % 4, 0, 0, 0);
    else if (o->kind == OP_ORIENT)
        model_orient(m, (int)o->a);
    else
        model_push(m, o->kind, o->a, o->b, o->c, o->d);
}

static void random_shape(tu_rng *rng, ptrdiff_t *w, ptrdiff_t *h)
{
    switch (tu_rng_range(rng, 0, 5)) {
    case 0:
        *w = 1;
        *h = 1;
        break;
    case 1:
        *w = 1;
        *h = tu_rng_range(rng, 1, 17);
        break;
    case 2:
        *w = tu_rng_range(rng, 1, 17);
        *h = 1;
        break;
    case 3:
        *w = 2 * tu_rng_range(rng, 0, 8) + 1;
        *h = 2 * tu_rng_range(rng, 0, 8) + 1;
        break;
    case 4:
        *w = tu_rng_range(rng, 60, 90);
        *h = tu_rng_range(rng, 50, 70);
        break;
    default:
        *w = tu_rng_range(rng, 1, 24);
        *h = tu_rng_range(rng, 1, 24);
        break;
    }
}

/* --- Random compositions ------------------------------------------------------------------ */

START_TEST(random_compositions)
{
    for (int iter = 0; iter < 150; iter++) {
        uint64_t seed = (uint64_t)_i * 1000u + (uint64_t)iter;
        tu_rng rng;
        tu_rng_seed(&rng, seed);
        ptrdiff_t w, h;
        random_shape(&rng, &w, &h);
        int channels = (int)tu_rng_range(&rng, 1, 4);
        tproc_sample sample = all_samples[tu_rng_range(&rng, 0, 2)];
        base b;
        base_make(&b, &rng, w, h, channels, sample, (int)tu_rng_range(&rng, 0, LAYOUT_COUNT - 1));
        model m;
        model_init(&m, &b);
        tproc_view v = b.view;
        char what[512];
        int len = snprintf(what, sizeof what,
                           "seed %llu base %tdx%td ch %d %s:", (unsigned long long)seed, w, h,
                           channels, tproc_sample_name(sample));
        check_view(&m, &v, &rng, what);
        int nops = (int)tu_rng_range(&rng, 1, 8);
        for (int k = 0; k < nops; k++) {
            op o = random_op(&rng, &m);
            if (len < (int)sizeof what - 40)
                len += snprintf(what + len, sizeof what - (size_t)len, " %s(%td,%td,%td,%td)",
                                op_name(o.kind), o.a, o.b, o.c, o.d);
            tproc_view next;
            int st = lib_apply(&v, &o, &next);
            CHECK(st == TPROC_OK, "%s: refused with %s", what, tproc_status_name(st));
            model_apply(&m, &o);
            check_view(&m, &next, &rng, what);
            v = next;
        }
        base_free(&b);
    }
}
END_TEST

/* --- Identities --------------------------------------------------------------------------- */

/* Field equality; a stride along a dimension of size 1 is never used, so it may differ. */
static int view_eq(const tproc_view *a, const tproc_view *b)
{
    return a->data == b->data && a->width == b->width && a->height == b->height &&
           a->channels == b->channels && a->sample == b->sample &&
           (a->pixel_stride == b->pixel_stride || a->width == 1) &&
           (a->row_stride == b->row_stride || a->height == 1) && a->flags == b->flags;
}

/* Same fields and every pixel at the same address. */
static void assert_same(const tproc_view *a, const tproc_view *b, const char *what)
{
    CHECK(a->width == b->width && a->height == b->height, "%s: %tdx%td vs %tdx%td", what, a->width,
          a->height, b->width, b->height);
    for (ptrdiff_t y = 0; y < a->height; y++)
        for (ptrdiff_t x = 0; x < a->width; x++)
            CHECK(tproc_view_pixel(a, x, y) == tproc_view_pixel(b, x, y),
                  "%s: pixel (%td, %td) differs", what, x, y);
    CHECK(view_eq(a, b),
          "%s: fields differ: data %p/%p strides %td,%td / %td,%td ch %d/%d flags %u/%u", what,
          (void *)a->data, (void *)b->data, a->pixel_stride, a->row_stride, b->pixel_stride,
          b->row_stride, a->channels, b->channels, a->flags, b->flags);
}

static const ptrdiff_t id_shapes[][2] = {{1, 1}, {1, 7}, {7, 1}, {5, 3}, {4, 6}, {13, 9}, {16, 16}};
#define N_ID_SHAPES (int)(sizeof id_shapes / sizeof id_shapes[0])

#define OK(expr)                                                                                   \
    do {                                                                                           \
        int st_ = (expr);                                                                          \
        ck_assert_msg(st_ == TPROC_OK, "%s: %s (%s)", #expr, tproc_status_name(st_), what);        \
    } while (0)

START_TEST(identities)
{
    int shape = _i / LAYOUT_COUNT, layout = _i % LAYOUT_COUNT;
    tu_rng rng;
    tu_rng_seed(&rng, (uint64_t)_i);
    for (int s = 0; s < 3; s++) {
        base b;
        base_make(&b, &rng, id_shapes[shape][0], id_shapes[shape][1], 1 + (s + _i) % 4,
                  all_samples[s], layout);
        char what[128];
        snprintf(what, sizeof what, "shape %tdx%td layout %d %s", b.w, b.h, layout,
                 tproc_sample_name(b.sample));
        const tproc_view v = b.view;
        tproc_view t1, t2, t3, t4;

        OK(tproc_view_flip_h(&v, &t1));
        OK(tproc_view_flip_h(&t1, &t2));
        assert_same(&t2, &v, "flip_h twice");
        OK(tproc_view_flip_v(&v, &t1));
        OK(tproc_view_flip_v(&t1, &t2));
        assert_same(&t2, &v, "flip_v twice");
        OK(tproc_view_transpose(&v, &t1));
        OK(tproc_view_transpose(&t1, &t2));
        assert_same(&t2, &v, "transpose twice");

        OK(tproc_view_rotate(&v, 90, &t1));
        OK(tproc_view_rotate(&t1, 90, &t2));
        OK(tproc_view_rotate(&t2, 90, &t3));
        OK(tproc_view_rotate(&t3, 90, &t4));
        assert_same(&t4, &v, "rotate 90 four times");
        OK(tproc_view_rotate(&t1, 90, &t3));
        OK(tproc_view_rotate(&v, 180, &t4));
        assert_same(&t3, &t4, "rotate 90 twice = rotate 180");

        OK(tproc_view_rotate(&v, 0, &t1));
        assert_same(&t1, &v, "rotate 0");
        OK(tproc_view_rotate(&v, 360, &t1));
        assert_same(&t1, &v, "rotate 360");
        OK(tproc_view_rotate(&v, -360, &t1));
        assert_same(&t1, &v, "rotate -360");
        OK(tproc_view_rotate(&v, -90, &t1));
        OK(tproc_view_rotate(&v, 270, &t2));
        assert_same(&t1, &t2, "rotate -90 = rotate 270");
        OK(tproc_view_rotate(&v, -270, &t1));
        OK(tproc_view_rotate(&v, 90, &t2));
        assert_same(&t1, &t2, "rotate -270 = rotate 90");
        OK(tproc_view_rotate(&v, -180, &t1));
        OK(tproc_view_rotate(&v, 180, &t2));
        assert_same(&t1, &t2, "rotate -180 = rotate 180");

        OK(tproc_view_transpose(&v, &t1));
        OK(tproc_view_flip_h(&t1, &t2));
        OK(tproc_view_rotate(&v, 90, &t3));
        assert_same(&t2, &t3, "rotate 90 = transpose then flip_h");
        OK(tproc_view_flip_v(&t1, &t2));
        OK(tproc_view_rotate(&v, 270, &t3));
        assert_same(&t2, &t3, "rotate 270 = transpose then flip_v");
        OK(tproc_view_flip_h(&v, &t1));
        OK(tproc_view_flip_v(&t1, &t2));
        OK(tproc_view_rotate(&v, 180, &t3));
        assert_same(&t2, &t3, "rotate 180 = flip_h then flip_v");
        OK(tproc_view_flip_v(&v, &t1));
        OK(tproc_view_flip_h(&t1, &t4));
        assert_same(&t2, &t4, "flip_h and flip_v commute");

        /* orientation 7 (transverse) = rotate 180 of the transpose */
        OK(tproc_view_orient(&v, 7, &t1));
        OK(tproc_view_transpose(&v, &t2));
        OK(tproc_view_rotate(&t2, 180, &t3));
        assert_same(&t1, &t3, "orient 7 = transpose then rotate 180");

        for (int k = 0; k < 30; k++) {
            ptrdiff_t x0 = tu_rng_range(&rng, 0, v.width - 1),
                      y0 = tu_rng_range(&rng, 0, v.height - 1);
            ptrdiff_t w0 = tu_rng_range(&rng, 1, v.width - x0),
                      h0 = tu_rng_range(&rng, 1, v.height - y0);
            ptrdiff_t x1 = tu_rng_range(&rng, 0, w0 - 1), y1 = tu_rng_range(&rng, 0, h0 - 1);
            ptrdiff_t w1 = tu_rng_range(&rng, 1, w0 - x1), h1 = tu_rng_range(&rng, 1, h0 - y1);
            OK(tproc_view_sub(&v, x0, y0, w0, h0, &t1));
            OK(tproc_view_sub(&t1, x1, y1, w1, h1, &t2));
            OK(tproc_view_sub(&v, x0 + x1, y0 + y1, w1, h1, &t3));
            assert_same(&t2, &t3, "sub of sub = combined sub");

            ptrdiff_t sx1 = tu_rng_range(&rng, 1, 4), sy1 = tu_rng_range(&rng, 1, 4);
            ptrdiff_t sx2 = tu_rng_range(&rng, 1, 4), sy2 = tu_rng_range(&rng, 1, 4);
            OK(tproc_view_step(&v, sx1, sy1, &t1));
            OK(tproc_view_step(&t1, sx2, sy2, &t2));
            OK(tproc_view_step(&v, sx1 * sx2, sy1 * sy2, &t3));
            assert_same(&t2, &t3, "step of step = product step");

            int f1 = (int)tu_rng_range(&rng, 0, v.channels - 1);
            int c1 = (int)tu_rng_range(&rng, 1, v.channels - f1);
            int f2 = (int)tu_rng_range(&rng, 0, c1 - 1);
            int c2 = (int)tu_rng_range(&rng, 1, c1 - f2);
            OK(tproc_view_channels(&v, f1, c1, &t1));
            OK(tproc_view_channels(&t1, f2, c2, &t2));
            OK(tproc_view_channels(&v, f1 + f2, c2, &t3));
            assert_same(&t2, &t3, "channels of channels = combined channels");
            OK(tproc_view_channels(&v, 0, v.channels, &t1));
            assert_same(&t1, &v, "all channels");
            OK(tproc_view_step(&v, 1, 1, &t1));
            assert_same(&t1, &v, "step 1");
            OK(tproc_view_sub(&v, 0, 0, v.width, v.height, &t1));
            assert_same(&t1, &v, "whole sub");
        }
        base_free(&b);
    }
}
END_TEST

/* Output may be the input (out == view): the same result as into a separate struct. */
START_TEST(aliasing_out_is_in)
{
    tu_rng rng;
    tu_rng_seed(&rng, 77);
    base b;
    base_make(&b, &rng, 9, 5, 3, TPROC_U16, LAYOUT_PADDED);
    for (int k = 0; k < 200; k++) {
        model m;
        model_init(&m, &b);
        op o = random_op(&rng, &m);
        tproc_view sep, in_place = b.view;
        ck_assert_int_eq(lib_apply(&b.view, &o, &sep), TPROC_OK);
        ck_assert_int_eq(lib_apply(&in_place, &o, &in_place), TPROC_OK);
        ck_assert_msg(view_eq(&sep, &in_place), "%s in place differs (iteration %d)",
                      op_name(o.kind), k);
    }
    base_free(&b);
}
END_TEST

/* The read-only flag survives every transform (a read-only buffer must not become writable). */
START_TEST(flags_propagate)
{
    tu_rng rng;
    tu_rng_seed(&rng, 5);
    base b;
    base_make(&b, &rng, 8, 6, 4, TPROC_U8, LAYOUT_PACKED);
    tproc_view ro = b.view;
    ro.flags = TPROC_VIEW_READONLY;
    for (int k = 0; k < 100; k++) {
        model m;
        model_init(&m, &b);
        op o = random_op(&rng, &m);
        tproc_view out;
        ck_assert_int_eq(lib_apply(&ro, &o, &out), TPROC_OK);
        ck_assert_msg(out.flags == TPROC_VIEW_READONLY, "%s dropped READONLY (iteration %d)",
                      op_name(o.kind), k);
        ck_assert_int_eq(lib_apply(&b.view, &o, &out), TPROC_OK);
        ck_assert_msg(out.flags == 0, "%s set flags %u (iteration %d)", op_name(o.kind), out.flags,
                      k);
    }
    base_free(&b);
}
END_TEST

/* --- Refusals ------------------------------------------------------------------------------ */

#define RANGE_ONLY 1
#define RANGE_OR_ARG 2
#define ANY_ERROR 3

static void expect_refused(int st, const tproc_view *out, int allowed, const char *what)
{
    tproc_view sentinel;
    memset(&sentinel, 0x5A, sizeof sentinel);
    ck_assert_msg(st != TPROC_OK, "%s: accepted", what);
    if (allowed == RANGE_ONLY)
        ck_assert_msg(st == TPROC_ERR_RANGE, "%s: %s, expected ERR_RANGE", what,
                      tproc_status_name(st));
    else if (allowed == RANGE_OR_ARG)
        ck_assert_msg(st == TPROC_ERR_RANGE || st == TPROC_ERR_ARG,
                      "%s: %s, expected ERR_RANGE or ERR_ARG", what, tproc_status_name(st));
    else
        ck_assert_msg(st == TPROC_ERR_RANGE || st == TPROC_ERR_ARG || st == TPROC_ERR_OVERFLOW,
                      "%s: %s, expected ERR_ARG, ERR_RANGE or ERR_OVERFLOW", what,
                      tproc_status_name(st));
    ck_assert_msg(memcmp(out, &sentinel, sizeof sentinel) == 0, "%s: *out was written", what);
}

static const struct sub_case {
    ptrdiff_t x, y, w, h;
    int allowed;
} sub_cases[] = {
    {-1, 0, 1, 1, RANGE_ONLY},
    {0, -1, 1, 1, RANGE_ONLY},
    {0, 0, 0, 1, RANGE_OR_ARG},
    {0, 0, 1, 0, RANGE_OR_ARG},
    {0, 0, -1, 1, RANGE_OR_ARG},
    {0, 0, 1, -1, RANGE_OR_ARG},
    {0, 0, 6, 1, RANGE_ONLY},
    {0, 0, 1, 5, RANGE_ONLY},
    {5, 0, 1, 1, RANGE_ONLY},
    {0, 4, 1, 1, RANGE_ONLY},
    {4, 0, 2, 1, RANGE_ONLY},
    {0, 3, 1, 2, RANGE_ONLY},
    {1, 0, PTRDIFF_MAX, 1, RANGE_ONLY},
    {0, 1, 1, PTRDIFF_MAX, RANGE_ONLY},
    {PTRDIFF_MAX, 0, 1, 1, RANGE_ONLY},
    {0, PTRDIFF_MAX, 1, 1, RANGE_ONLY},
    {PTRDIFF_MAX, PTRDIFF_MAX, PTRDIFF_MAX, PTRDIFF_MAX, RANGE_ONLY},
    {PTRDIFF_MIN, 0, 1, 1, RANGE_ONLY},
    {0, PTRDIFF_MIN, 1, 1, RANGE_ONLY},
    {-PTRDIFF_MAX, 0, PTRDIFF_MAX, 1, RANGE_ONLY},
    {2, 0, PTRDIFF_MIN, 1, RANGE_OR_ARG},
    {-2, -2, 4, 4, RANGE_ONLY},
};

START_TEST(refuse_sub)
{
    unsigned char buf[5 * 4 * 3];
    tproc_view v, out;
    ck_assert_int_eq(tproc_view_init(&v, buf, 5, 4, 3, TPROC_U8, 0, 0), TPROC_OK);
    const struct sub_case *c = &sub_cases[_i];
    char what[160];
    snprintf(what, sizeof what, "sub(%td, %td, %td, %td) of 5x4", c->x, c->y, c->w, c->h);
    memset(&out, 0x5A, sizeof out);
    expect_refused(tproc_view_sub(&v, c->x, c->y, c->w, c->h, &out), &out, c->allowed, what);
}
END_TEST

START_TEST(refuse_step_channels_rotate)
{
    unsigned char buf[5 * 4 * 3];
    tproc_view v, out;
    char what[128];
    ck_assert_int_eq(tproc_view_init(&v, buf, 5, 4, 3, TPROC_U8, 0, 0), TPROC_OK);
    static const ptrdiff_t steps[][2] = {{0, 1},  {1, 0},           {0, 0},          {-1, 1},
                                         {1, -2}, {PTRDIFF_MIN, 1}, {1, PTRDIFF_MIN}};
    for (size_t k = 0; k < sizeof steps / sizeof steps[0]; k++) {
        snprintf(what, sizeof what, "step(%td, %td)", steps[k][0], steps[k][1]);
        memset(&out, 0x5A, sizeof out);
        expect_refused(tproc_view_step(&v, steps[k][0], steps[k][1], &out), &out, RANGE_OR_ARG,
                       what);
    }
    static const int chans[][3] = {{-1, 1, RANGE_ONLY},      {3, 1, RANGE_ONLY},
                                   {2, 2, RANGE_ONLY},       {0, 4, RANGE_ONLY},
                                   {0, 0, RANGE_OR_ARG},     {1, -1, RANGE_OR_ARG},
                                   {INT_MAX, 1, RANGE_ONLY}, {1, INT_MAX, RANGE_ONLY},
                                   {INT_MIN, 1, RANGE_ONLY}, {2, INT_MAX, RANGE_ONLY}};
    for (size_t k = 0; k < sizeof chans / sizeof chans[0]; k++) {
        snprintf(what, sizeof what, "channels(%d, %d) of 3", chans[k][0], chans[k][1]);
        memset(&out, 0x5A, sizeof out);
        expect_refused(tproc_view_channels(&v, chans[k][0], chans[k][1], &out), &out, chans[k][2],
                       what);
    }
    static const int degrees[] = {45, 1, -1, 89, 91, 100, -135, INT_MAX, INT_MIN};
    for (size_t k = 0; k < sizeof degrees / sizeof degrees[0]; k++) {
        snprintf(what, sizeof what, "rotate(%d)", degrees[k]);
        memset(&out, 0x5A, sizeof out);
        expect_refused(tproc_view_rotate(&v, degrees[k], &out), &out, RANGE_OR_ARG, what);
    }
}
END_TEST

/* A huge step is valid (every pixel after the first is skipped) and must not overflow. */
START_TEST(huge_step)
{
    unsigned char buf[5 * 4 * 4];
    tproc_view v, out;
    ck_assert_int_eq(tproc_view_init(&v, buf, 5, 4, 1, TPROC_F32, 0, 0), TPROC_OK);
    int st = tproc_view_step(&v, PTRDIFF_MAX, PTRDIFF_MAX, &out);
    if (st == TPROC_OK) {
        ck_assert_int_eq(out.width, 1);
        ck_assert_int_eq(out.height, 1);
        ck_assert_ptr_eq(tproc_view_pixel(&out, 0, 0), buf);
    } else {
        ck_assert_msg(st == TPROC_ERR_RANGE || st == TPROC_ERR_OVERFLOW || st == TPROC_ERR_ARG,
                      "step(PTRDIFF_MAX): %s", tproc_status_name(st));
    }
    st = tproc_view_step(&v, 4, 3, &out);
    ck_assert_int_eq(st, TPROC_OK);
    ck_assert_int_eq(out.width, 2);
    ck_assert_int_eq(out.height, 2);
    ck_assert_ptr_eq(tproc_view_pixel(&out, 1, 1), buf + (3 * 5 + 4) * 4);
    st = tproc_view_step(&v, 5, 4, &out);
    ck_assert_int_eq(st, TPROC_OK);
    ck_assert_int_eq(out.width, 1);
    ck_assert_int_eq(out.height, 1);
}
END_TEST

static const struct init_case {
    ptrdiff_t w, h;
    int channels;
    int sample;
    ptrdiff_t ps, rs;
} init_cases[] = {
    {0, 1, 1, TPROC_U8, 0, 0},
    {1, 0, 1, TPROC_U8, 0, 0},
    {-1, 1, 1, TPROC_U8, 0, 0},
    {1, -5, 1, TPROC_U8, 0, 0},
    {2, 2, 0, TPROC_U8, 0, 0},
    {2, 2, 5, TPROC_U8, 0, 0},
    {2, 2, -1, TPROC_U8, 0, 0},
    {2, 2, 1, 0, 0, 0},
    {2, 2, 1, 4, 0, 0},
    {2, 2, 1, 99, 0, 0},
    {2, 2, 3, TPROC_U8, 2, 0},  /* pixel stride smaller than a pixel */
    {2, 2, 3, TPROC_U8, -2, 0}, /* ... negative */
    {2, 2, 1, TPROC_U16, 1, 0}, /* samples of one pixel overlap */
    {2, 2, 4, TPROC_F32, 15, 0},
    {PTRDIFF_MAX, 2, 1, TPROC_U8, 0, 0}, /* the extent overflows */
    {PTRDIFF_MAX / 4 + 1, 1, 4, TPROC_U8, 0, 0},
    {PTRDIFF_MAX / 2, 3, 1, TPROC_U8, 0, 0},
    {2, 3, 1, TPROC_U8, 1, PTRDIFF_MAX},
    {3, 2, 1, TPROC_U8, PTRDIFF_MAX, 0},
    {2, PTRDIFF_MAX, 1, TPROC_U8, 0, 0},
};

START_TEST(refuse_init)
{
    const struct init_case *c = &init_cases[_i];
    unsigned char buf[64];
    tproc_view out;
    char what[160];
    snprintf(what, sizeof what, "init %tdx%td ch %d sample %d strides %td %td", c->w, c->h,
             c->channels, c->sample, c->ps, c->rs);
    memset(&out, 0x5A, sizeof out);
    expect_refused(
        tproc_view_init(&out, buf, c->w, c->h, c->channels, (tproc_sample)c->sample, c->ps, c->rs),
        &out, ANY_ERROR, what);
}
END_TEST

START_TEST(init_and_validate)
{
    unsigned char buf[4096];
    tproc_view v;
    /* explicit strides are kept as given, packed is computed */
    ck_assert_int_eq(tproc_view_init(&v, buf, 7, 3, 3, TPROC_U16, 0, 0), TPROC_OK);
    ck_assert_int_eq(v.pixel_stride, 6);
    ck_assert_int_eq(v.row_stride, 42);
    ck_assert_uint_eq(tproc_view_pixel_size(&v), 6);
    ck_assert_int_eq(tproc_view_init(&v, buf, 7, 3, 3, TPROC_U16, 8, 0), TPROC_OK);
    ck_assert_int_eq(v.pixel_stride, 8);
    ck_assert_int_eq(v.row_stride, 56);
    ck_assert_uint_eq(tproc_view_pixel_size(&v), 6);
    ck_assert_int_eq(tproc_view_init(&v, buf, 7, 3, 3, TPROC_U16, 8, 100), TPROC_OK);
    ck_assert_int_eq(v.row_stride, 100);
    /* a transposed layout: pixels down columns */
    ck_assert_int_eq(tproc_view_init(&v, buf, 3, 7, 2, TPROC_F32, 7 * 8, 8), TPROC_OK);
    ck_assert_int_eq(tproc_view_validate(&v), TPROC_OK);
    ck_assert_int_eq(tproc_view_init(&v, buf + 4000, 4, 4, 1, TPROC_U8, -1, -40), TPROC_OK);
    ck_assert_int_eq(tproc_view_validate(&v), TPROC_OK);
    for (int ch = 1; ch <= 4; ch++)
        for (int s = 0; s < 3; s++) {
            ck_assert_int_eq(tproc_view_init(&v, buf, 2, 2, ch, all_samples[s], 0, 0), TPROC_OK);
            ck_assert_uint_eq(tproc_view_pixel_size(&v),
                              (size_t)ch * (size_t)ssize(all_samples[s]));
        }

    ck_assert_int_eq(tproc_view_init(&v, buf, 4, 4, 2, TPROC_U8, 0, 0), TPROC_OK);
    tproc_view bad = v;
    bad.width = 0;
    ck_assert_int_ne(tproc_view_validate(&bad), TPROC_OK);
    bad = v;
    bad.height = -3;
    ck_assert_int_ne(tproc_view_validate(&bad), TPROC_OK);
    bad = v;
    bad.channels = 5;
    ck_assert_int_ne(tproc_view_validate(&bad), TPROC_OK);
    bad = v;
    bad.channels = 0;
    ck_assert_int_ne(tproc_view_validate(&bad), TPROC_OK);
    bad = v;
    bad.sample = (tproc_sample)7;
    ck_assert_int_ne(tproc_view_validate(&bad), TPROC_OK);
    bad = v;
    bad.pixel_stride = 1;
    ck_assert_int_ne(tproc_view_validate(&bad), TPROC_OK);
}
END_TEST

/* --- Contiguity ---------------------------------------------------------------------------- */

START_TEST(contiguity)
{
    static unsigned char buf[64 * 64 * 16];
    tproc_view v, t;
    for (int ch = 1; ch <= 4; ch++)
        for (int s = 0; s < 3; s++) {
            ck_assert_int_eq(tproc_view_init(&v, buf, 13, 7, ch, all_samples[s], 0, 0), TPROC_OK);
            ck_assert_msg(tproc_view_is_contiguous(&v), "packed %d ch %s", ch,
                          tproc_sample_name(all_samples[s]));
            /* full-width rows of a packed view stay contiguous */
            ck_assert_int_eq(tproc_view_sub(&v, 0, 2, 13, 3, &t), TPROC_OK);
            ck_assert(tproc_view_is_contiguous(&t));
            /* explicit strides equal to packed ones */
            ck_assert_int_eq(tproc_view_init(&t, buf, 13, 7, ch, all_samples[s],
                                             ch * ssize(all_samples[s]),
                                             13 * ch * ssize(all_samples[s])),
                             TPROC_OK);
            ck_assert(tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_sub(&v, 0, 0, 12, 7, &t), TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_sub(&v, 1, 1, 5, 5, &t), TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_flip_h(&v, &t), TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_flip_v(&v, &t), TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_transpose(&v, &t), TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_rotate(&v, 90, &t), TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_step(&v, 2, 1, &t), TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_step(&v, 1, 2, &t), TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            if (ch > 1) {
                ck_assert_int_eq(tproc_view_channels(&v, 0, ch - 1, &t), TPROC_OK);
                ck_assert(!tproc_view_is_contiguous(&t));
                ck_assert_int_eq(tproc_view_channels(&v, 1, ch - 1, &t), TPROC_OK);
                ck_assert(!tproc_view_is_contiguous(&t));
            }
            /* padded rows or pixels */
            ck_assert_int_eq(tproc_view_init(&t, buf, 13, 7, ch, all_samples[s], 0,
                                             14 * ch * ssize(all_samples[s])),
                             TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_init(&t, buf, 13, 7, ch, all_samples[s],
                                             (ch + 1) * ssize(all_samples[s]), 0),
                             TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            /* a single row: only the pixel stride matters */
            ck_assert_int_eq(tproc_view_init(&t, buf, 13, 1, ch, all_samples[s],
                                             (ch + 1) * ssize(all_samples[s]), 0),
                             TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_sub(&v, 0, 3, 13, 1, &t), TPROC_OK);
            ck_assert(tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_sub(&v, 2, 3, 5, 1, &t), TPROC_OK);
            ck_assert(tproc_view_is_contiguous(&t));
            tproc_view row = t;
            ck_assert_int_eq(tproc_view_step(&row, 2, 1, &t), TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
            ck_assert_int_eq(tproc_view_flip_h(&row, &t), TPROC_OK);
            ck_assert(!tproc_view_is_contiguous(&t));
        }
}
END_TEST

/* --- EXIF orientation ---------------------------------------------------------------------- */

/* The stored 3x2 image "abc/def" shown upright for each orientation (EXIF 2.32, table 4.6.4). */
static const struct orient_case {
    int exif;
    ptrdiff_t w, h;
    const char *rows;
} orient_cases[] = {
    {0, 3, 2, "abcdef"},       {1, 3, 2, "abcdef"}, {2, 3, 2, "cbafed"},  {3, 3, 2, "fedcba"},
    {4, 3, 2, "defabc"},       {5, 2, 3, "adbecf"}, {6, 2, 3, "daebfc"},  {7, 2, 3, "fcebda"},
    {8, 2, 3, "cfbead"},       {9, 3, 2, "abcdef"}, {-1, 3, 2, "abcdef"}, {100, 3, 2, "abcdef"},
    {INT_MIN, 3, 2, "abcdef"},
};

START_TEST(orient_table)
{
    const struct orient_case *c = &orient_cases[_i];
    unsigned char px[6] = {'a', 'b', 'c', 'd', 'e', 'f'};
    tproc_view v, out;
    ck_assert_int_eq(tproc_view_init(&v, px, 3, 2, 1, TPROC_U8, 0, 0), TPROC_OK);
    ck_assert_int_eq(tproc_view_orient(&v, c->exif, &out), TPROC_OK);
    ck_assert_int_eq(out.width, c->w);
    ck_assert_int_eq(out.height, c->h);
    char got[7] = {0};
    for (ptrdiff_t y = 0; y < out.height; y++)
        for (ptrdiff_t x = 0; x < out.width; x++)
            got[y * out.width + x] = (char)*tproc_view_pixel(&out, x, y);
    ck_assert_msg(strcmp(got, c->rows) == 0, "orientation %d: got %s, expected %s", c->exif, got,
                  c->rows);
}
END_TEST

START_TEST(orient_model)
{
    tu_rng rng;
    tu_rng_seed(&rng, 4242);
    for (int iter = 0; iter < 40; iter++) {
        ptrdiff_t w, h;
        random_shape(&rng, &w, &h);
        base b;
        base_make(&b, &rng, w, h, (int)tu_rng_range(&rng, 1, 4),
                  all_samples[tu_rng_range(&rng, 0, 2)],
                  (int)tu_rng_range(&rng, 0, LAYOUT_COUNT - 1));
        for (int e = -1; e <= 10; e++) {
            model m;
            model_init(&m, &b);
            model_orient(&m, e);
            tproc_view out;
            ck_assert_int_eq(tproc_view_orient(&b.view, e, &out), TPROC_OK);
            char what[96];
            snprintf(what, sizeof what, "iteration %d orientation %d on %tdx%td", iter, e, w, h);
            check_view(&m, &out, &rng, what);
            if (e < 1 || e > 8)
                assert_same(&out, &b.view, what);
        }
        base_free(&b);
    }
}
END_TEST

Suite *suite_view(void)
{
    Suite *s = suite_create("view");
    TCase *tc = tcase_create("model");
    tcase_add_loop_test(tc, random_compositions, 0, 8);
    tcase_add_loop_test(tc, orient_table, 0, (int)(sizeof orient_cases / sizeof orient_cases[0]));
    tcase_add_test(tc, orient_model);
    suite_add_tcase(s, tc);

    tc = tcase_create("identities");
    tcase_add_loop_test(tc, identities, 0, N_ID_SHAPES * LAYOUT_COUNT);
    tcase_add_test(tc, aliasing_out_is_in);
    tcase_add_test(tc, flags_propagate);
    suite_add_tcase(s, tc);

    tc = tcase_create("refusals");
    tcase_add_loop_test(tc, refuse_sub, 0, (int)(sizeof sub_cases / sizeof sub_cases[0]));
    tcase_add_test(tc, refuse_step_channels_rotate);
    tcase_add_test(tc, huge_step);
    tcase_add_loop_test(tc, refuse_init, 0, (int)(sizeof init_cases / sizeof init_cases[0]));
    tcase_add_test(tc, init_and_validate);
    tcase_add_test(tc, contiguity);
    suite_add_tcase(s, tc);
    return s;
}
