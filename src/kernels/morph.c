/* SPDX-License-Identifier: MIT */
/*
 * morph.c: grey-level erosion and dilation by unions of rectangles, each separable into two
 * van Herk / Gil-Werman line passes (morph.h), and the operations built from them.
 *
 * A tile is worked on as "planes": packed rows of samples of one integer type (u8, u16, or u32
 * keys for f32), channels interleaved. The input plane covers the output tile plus the halo;
 * each pass of radius r shrinks a plane by r on every side.
 */
#include "morph.h"

#include "filter_internal.h"

static const char *const shape_names[] = {"square", "cross", "disk", NULL};

const tproc_param_desc tproc__morph_params[2] = {
    {"radius", TPROC_PARAM_INT, 1, 1, 1000, 0, NULL,
     "half size of the element: it fits in a (2 radius + 1)-pixel square"},
    {"shape", TPROC_PARAM_ENUM, TPROC__MORPH_SQUARE, 0, 0, 0, shape_names,
     "square, cross (its middle row and column) or disk (OpenCV's MORPH_ELLIPSE)"},
};

typedef struct morph_state {
    tproc__morph_op op;
    tproc__morph_element element;
} morph_state;

/* Passes of the element an operation chains (the halo is this many radii). */
static int passes(tproc__morph_op op)
{
    return op == TPROC__MORPH_OPEN || op == TPROC__MORPH_CLOSE || op == TPROC__MORPH_TOPHAT ? 2 : 1;
}

/*
 * The rectangles of an element. A disk's row dy spans [-dx, dx] with OpenCV's rounding,
 * dx = round(r sqrt((r^2 - dy^2) / r^2)); dx never grows with |dy|, so the disk is the union of
 * the rectangles (dx, dy) at the last row of each run of equal dx.
 */
static int element_rects(int r, tproc__morph_shape shape, int *half_w, int *half_h)
{
    if (shape == TPROC__MORPH_SQUARE) {
        half_w[0] = half_h[0] = r;
        return 1;
    }
    if (shape == TPROC__MORPH_CROSS) {
        half_w[0] = r;
        half_h[0] = 0;
        half_w[1] = 0;
        half_h[1] = r;
        return 2;
    }
    int n = 0;
    double inv_r2 = 1.0 / ((double)r * r);
    for (int dy = 0; dy <= r; dy++) {
        int dx = (int)lrint(r * sqrt(((double)r * r - (double)dy * dy) * inv_r2));
        int next =
            dy == r ? -1
                    : (int)lrint(r * sqrt(((double)r * r - (double)(dy + 1) * (dy + 1)) * inv_r2));
        if (next != dx) {
            half_w[n] = dx;
            half_h[n] = dy;
            n++;
        }
    }
    return n;
}

int tproc__morph_prepare(tproc_ctx *ctx, tproc_stage *stage, tproc__morph_op op)
{
    int r = (int)tproc__param(stage, 0);
    tproc__morph_shape shape = (tproc__morph_shape)(int)tproc__param(stage, 1);
    size_t n = (size_t)r + 2, bytes = sizeof(morph_state) + 2 * n * sizeof(int);
    morph_state *st;
    int status = tproc__alloc(ctx, bytes, "morphology element", (void **)&st);
    if (status)
        return status;
    st->op = op;
    st->element.radius = r;
    st->element.half_w = (int *)(void *)(st + 1);
    st->element.half_h = st->element.half_w + n;
    st->element.count = element_rects(r, shape, st->element.half_w, st->element.half_h);
    ptrdiff_t h = (ptrdiff_t)r * passes(op);
    stage->halo = (tproc_halo){h, h, h, h};
    stage->state = st;
    return TPROC_OK;
}

void tproc__morph_release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__dealloc(ctx, stage->state);
    stage->state = NULL;
}

/* --- planes and line passes ----------------------------------------------------------------- */

typedef struct plane {
    void *data;
    ptrdiff_t stride; /* samples from one row to the next */
    ptrdiff_t width, height;
} plane;

static void *plane_row(const plane *p, ptrdiff_t y, size_t size)
{
    return (unsigned char *)p->data + (size_t)(y * p->stride) * size;
}

/* Scratch for one pass over a plane of in_w pixels: the vertical result, the block suffixes
 * (up to 2r + 1 rows), the running prefix row, and the horizontal suffixes and result row. */
typedef struct pass_buffers {
    void *tmp, *suffix, *prefix, *hsuffix, *row, *da, *db;
} pass_buffers;

/* Horizontal lines up to this long go by doubling: log2(k) passes that each vectorise over the
 * row. van Herk / Gil-Werman along a row is three dependent operations per sample whatever the
 * length, but sequential; measured on a 12 MP photo (bench/RESULTS.md) doubling is faster up to
 * radius ~600, so longer lines take vHGW. Vertical lines always take vHGW, which works on whole
 * rows at a time and so vectorises too. */
#define DOUBLING_MAX 1023

#define MAX_OF(a, b) ((a) > (b) ? (a) : (b))
#define MIN_OF(a, b) ((a) < (b) ? (a) : (b))

/*
 * NAME##_vertical: dst row y = OP of src rows y .. y + k - 1 (n samples a row), for dst->height
 * rows: blocks of k rows; row b0 of a block is the whole block's extremum (its suffix), a later
 * row y the extremum of the block's suffix from y and the next block's prefix to y + k - 1.
 * NAME##_horizontal: the same along one row of interleaved pixels (ch samples each).
 */
#define MORPH_LINES(T, NAME, OP)                                                                   \
    TPROC__CLONES static void NAME##_vertical(const plane *src, ptrdiff_t y0, ptrdiff_t k,         \
                                              size_t n, const plane *dst, T *restrict suffix,      \
                                              T *restrict prefix)                                  \
    {                                                                                              \
        for (ptrdiff_t b0 = 0; b0 < dst->height; b0 += k) {                                        \
            const T *last = plane_row(src, y0 + b0 + k - 1, sizeof(T));                            \
            T *s = suffix + (size_t)(k - 1) * n;                                                   \
            for (size_t i = 0; i < n; i++)                                                         \
                s[i] = last[i];                                                                    \
            for (ptrdiff_t j = k - 2; j >= 0; j--) {                                               \
                const T *in = plane_row(src, y0 + b0 + j, sizeof(T));                              \
                T *restrict d = suffix + (size_t)j * n;                                            \
                const T *restrict e = d + n;                                                       \
                for (size_t i = 0; i < n; i++)                                                     \
                    d[i] = OP(in[i], e[i]);                                                        \
            }                                                                                      \
            T *out = plane_row(dst, b0, sizeof(T));                                                \
            for (size_t i = 0; i < n; i++)                                                         \
                out[i] = suffix[i];                                                                \
            for (ptrdiff_t j = 1; j < k && b0 + j < dst->height; j++) {                            \
                const T *in = plane_row(src, y0 + b0 + k + j - 1, sizeof(T));                      \
                const T *restrict s2 = suffix + (size_t)j * n;                                     \
                T *restrict o = plane_row(dst, b0 + j, sizeof(T));                                 \
                if (j == 1) {                                                                      \
                    for (size_t i = 0; i < n; i++) {                                               \
                        prefix[i] = in[i];                                                         \
                        o[i] = OP(s2[i], in[i]);                                                   \
                    }                                                                              \
                } else {                                                                           \
                    for (size_t i = 0; i < n; i++) {                                               \
                        T p = OP(prefix[i], in[i]);                                                \
                        prefix[i] = p;                                                             \
                        o[i] = OP(s2[i], p);                                                       \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    static void NAME##_horizontal(const T *in, ptrdiff_t width, ptrdiff_t k, int ch,               \
                                  T *restrict suffix, T *restrict out)                             \
    {                                                                                              \
        size_t kc = (size_t)k * (size_t)ch;                                                        \
        for (ptrdiff_t b0 = 0; b0 < width; b0 += k) {                                              \
            const T *blk = in + (size_t)b0 * (size_t)ch;                                           \
            for (size_t i = kc - (size_t)ch; i < kc; i++)                                          \
                suffix[i] = blk[i];                                                                \
            for (size_t i = kc - (size_t)ch; i-- > 0;)                                             \
                suffix[i] = OP(blk[i], suffix[i + (size_t)ch]);                                    \
            ptrdiff_t m = width - b0 < k ? width - b0 : k;                                         \
            T *o = out + (size_t)b0 * (size_t)ch;                                                  \
            for (int c = 0; c < ch; c++)                                                           \
                o[c] = suffix[c];                                                                  \
            T prefix[4] = {0, 0, 0, 0};                                                            \
            const T *next = blk + kc;                                                              \
            for (ptrdiff_t j = 1; j < m; j++) {                                                    \
                const T *q = next + (size_t)(j - 1) * (size_t)ch;                                  \
                const T *s = suffix + (size_t)j * (size_t)ch;                                      \
                T *oo = o + (size_t)j * (size_t)ch;                                                \
                for (int c = 0; c < ch; c++) {                                                     \
                    prefix[c] = j == 1 ? q[c] : OP(prefix[c], q[c]);                               \
                    oo[c] = OP(s[c], prefix[c]);                                                   \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }                                                                                              \
    /* The same line by doubling: extrema over 2, 4, 8, ... samples, each a pass over whole        \
     * arrays that vectorises, then two overlapping windows; for short lines it beats the          \
     * sequential suffixes above. a and b hold (width + k - 1) pixels each. */                     \
    TPROC__CLONES static void NAME##_doubling(const T *in, ptrdiff_t width, ptrdiff_t k, int ch,   \
                                              T *restrict a, T *restrict b, T *restrict out)       \
    {                                                                                              \
        size_t n = (size_t)(width + k - 1) * (size_t)ch, c = (size_t)ch;                           \
        const T *cur = in;                                                                         \
        T *next = a;                                                                               \
        ptrdiff_t span = 1;                                                                        \
        for (; 2 * span <= k; span *= 2) {                                                         \
            size_t shift = (size_t)span * c, m = n - (size_t)(2 * span - 1) * c;                   \
            for (size_t i = 0; i < m; i++)                                                         \
                next[i] = OP(cur[i], cur[i + shift]);                                              \
            cur = next;                                                                            \
            next = next == a ? b : a;                                                              \
        }                                                                                          \
        size_t shift = (size_t)(k - span) * c, m = (size_t)width * c;                              \
        for (size_t i = 0; i < m; i++)                                                             \
            out[i] = OP(cur[i], cur[i + shift]);                                                   \
    }                                                                                              \
    static void NAME##_merge(T *restrict dst, const T *restrict src, size_t n)                     \
    {                                                                                              \
        for (size_t i = 0; i < n; i++)                                                             \
            dst[i] = OP(dst[i], src[i]);                                                           \
    }

MORPH_LINES(uint8_t, max8, MAX_OF)
MORPH_LINES(uint8_t, min8, MIN_OF)
MORPH_LINES(uint16_t, max16, MAX_OF)
MORPH_LINES(uint16_t, min16, MIN_OF)
MORPH_LINES(uint32_t, max32, MAX_OF)
MORPH_LINES(uint32_t, min32, MIN_OF)

/*
 * One erosion (dilate 0) or dilation of src into dst (src shrunk by r on every side): for each
 * rectangle (a, b), the vertical line of 2b + 1 over every column into tmp, then the horizontal
 * line of 2a + 1 along each row, merged into dst. A line of length 1 is skipped.
 */
#define MORPH_PASS(T, MAXN, MINN)                                                                  \
    static void pass_##T(const tproc__morph_element *e, int dilate, int ch, const plane *src,      \
                         const plane *dst, const pass_buffers *b)                                  \
    {                                                                                              \
        int r = e->radius;                                                                         \
        size_t n = (size_t)src->width * (size_t)ch, out_n = (size_t)dst->width * (size_t)ch;       \
        plane tmp = {b->tmp, src->width * ch, src->width, dst->height};                            \
        for (int i = 0; i < e->count; i++) {                                                       \
            ptrdiff_t a = e->half_w[i], bh = e->half_h[i];                                         \
            const plane *rows = src; /* the vertical result and its first row */                   \
            ptrdiff_t row0 = r;                                                                    \
            if (bh > 0) {                                                                          \
                if (dilate)                                                                        \
                    MAXN##_vertical(src, r - bh, 2 * bh + 1, n, &tmp, b->suffix, b->prefix);       \
                else                                                                               \
                    MINN##_vertical(src, r - bh, 2 * bh + 1, n, &tmp, b->suffix, b->prefix);       \
                rows = &tmp;                                                                       \
                row0 = 0;                                                                          \
            }                                                                                      \
            for (ptrdiff_t y = 0; y < dst->height; y++) {                                          \
                const T *in = (const T *)plane_row(rows, row0 + y, sizeof(T)) + (r - a) * ch;      \
                T *o = plane_row(dst, y, sizeof(T));                                               \
                T *line = i == 0 ? o : (T *)b->row;                                                \
                if (a == 0)                                                                        \
                    memcpy(line, in, out_n * sizeof(T));                                           \
                else if (2 * a + 1 <= DOUBLING_MAX && dilate)                                      \
                    MAXN##_doubling(in, dst->width, 2 * a + 1, ch, b->da, b->db, line);            \
                else if (2 * a + 1 <= DOUBLING_MAX)                                                \
                    MINN##_doubling(in, dst->width, 2 * a + 1, ch, b->da, b->db, line);            \
                else if (dilate)                                                                   \
                    MAXN##_horizontal(in, dst->width, 2 * a + 1, ch, b->hsuffix, line);            \
                else                                                                               \
                    MINN##_horizontal(in, dst->width, 2 * a + 1, ch, b->hsuffix, line);            \
                if (i > 0) {                                                                       \
                    if (dilate)                                                                    \
                        MAXN##_merge(o, line, out_n);                                              \
                    else                                                                           \
                        MINN##_merge(o, line, out_n);                                              \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }

MORPH_PASS(uint8_t, max8, min8)
MORPH_PASS(uint16_t, max16, min16)
MORPH_PASS(uint32_t, max32, min32)

static void run_pass(const tproc__morph_element *e, int dilate, int ch, size_t size,
                     const plane *src, const plane *dst, const pass_buffers *b)
{
    if (size == 1)
        pass_uint8_t(e, dilate, ch, src, dst, b);
    else if (size == 2)
        pass_uint16_t(e, dilate, ch, src, dst, b);
    else
        pass_uint32_t(e, dilate, ch, src, dst, b);
}

/* --- f32 keys ------------------------------------------------------------------------------- */

/* f32 bits as unsigned keys of the same order (as median.c): flip the sign bit of positives,
 * every bit of negatives. */
static inline uint32_t f32_key(uint32_t u)
{
    return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}
static inline float key_f32(uint32_t key)
{
    uint32_t u = (key & 0x80000000u) ? key & 0x7fffffffu : ~key;
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* --- scratch and the tile ------------------------------------------------------------------- */

typedef struct layout {
    size_t input, mid, res, res2, tmp, suffix, prefix, hsuffix, row, da, db, total;
} layout;

/* a * b * c bytes, or SIZE_MAX on overflow (which then fails the allocation). */
static size_t bytes3(size_t a, size_t b, size_t c)
{
    size_t n;
    return tproc__mul(a, b, &n) || tproc__mul(n, c, &n) ? SIZE_MAX : n;
}

/* Offsets of every buffer for a tile with input in and output out; total SIZE_MAX on overflow. */
static layout get_layout(const morph_state *st, int ch, size_t size, tproc_rect in, tproc_rect out)
{
    layout l;
    memset(&l, 0, sizeof l);
    l.total = SIZE_MAX;
    size_t r = (size_t)st->element.radius, px = (size_t)ch * size;
    size_t iw = (size_t)in.width, ih = (size_t)in.height, ow = (size_t)out.width,
           oh = (size_t)out.height;
    size_t mid_w = iw > 2 * r ? iw - 2 * r : 0, mid_h = ih > 2 * r ? ih - 2 * r : 0;
    int two = passes(st->op) == 2, gradient = st->op == TPROC__MORPH_GRADIENT;
    size_t sizes[11] = {bytes3(iw, ih, px),
                        two ? bytes3(mid_w, mid_h, px) : 0,
                        bytes3(ow, oh, px),
                        gradient ? bytes3(ow, oh, px) : 0,
                        bytes3(iw, mid_h > oh ? mid_h : oh, px),
                        bytes3(iw, 2 * r + 1, px),
                        bytes3(iw, 1, px),
                        bytes3(2 * r + 1, 1, px),
                        bytes3(iw, 1, px),
                        bytes3(iw, 1, px),
                        bytes3(iw, 1, px)};
    size_t *offs[11] = {&l.input,  &l.mid,     &l.res, &l.res2, &l.tmp, &l.suffix,
                        &l.prefix, &l.hsuffix, &l.row, &l.da,   &l.db};
    size_t total = 0;
    for (int i = 0; i < 11; i++) {
        *offs[i] = total;
        if (tproc__align_up(sizes[i], 64, &sizes[i]) || tproc__add(total, sizes[i], &total))
            return l;
    }
    l.total = total;
    return l;
}

static size_t sample_bytes(tproc_sample s)
{
    return s == TPROC_U8 ? 1 : s == TPROC_U16 ? 2 : 4;
}

size_t tproc__morph_scratch(const tproc_stage *stage, tproc_rect in, tproc_rect out)
{
    const tproc_format *f = &stage->work;
    return get_layout(stage->state, f->channels, sample_bytes(f->sample), in, out).total;
}

/* The tile's input as a packed plane of the working type (f32 as keys). */
static void load_input(const tproc_view *in, size_t size, const plane *p)
{
    size_t n = (size_t)in->width * (size_t)in->channels;
    for (ptrdiff_t y = 0; y < in->height; y++) {
        const unsigned char *s = tproc_view_pixel(in, 0, y);
        unsigned char *d = plane_row(p, y, size);
        if (in->pixel_stride == (ptrdiff_t)(size * (size_t)in->channels) &&
            in->sample != TPROC_F32) {
            memcpy(d, s, n * size);
            continue;
        }
        for (ptrdiff_t x = 0; x < in->width; x++, s += in->pixel_stride)
            for (int c = 0; c < in->channels; c++) {
                size_t i = (size_t)x * (size_t)in->channels + (size_t)c;
                if (in->sample == TPROC_U8) {
                    d[i] = s[c];
                } else if (in->sample == TPROC_U16) {
                    memcpy(d + 2 * i, s + 2 * c, 2);
                } else {
                    uint32_t u;
                    memcpy(&u, s + 4 * c, 4);
                    u = f32_key(u);
                    memcpy(d + 4 * i, &u, 4);
                }
            }
    }
}

/* Sample i of row y of a plane as a double in the sample's natural range. */
static double plane_value(const plane *p, ptrdiff_t y, size_t i, tproc_sample s)
{
    const unsigned char *row = plane_row(p, y, sample_bytes(s));
    if (s != TPROC_F32)
        return tproc__get_sample(row, s, (int)i);
    uint32_t k; /* f32 planes hold keys */
    memcpy(&k, row + 4 * i, 4);
    return key_f32(k);
}

/*
 * Writes the result to the output view: res, or for tophat centre - res and for gradient
 * res - res2 (never negative for integers: open(f) <= f and erode(f) <= dilate(f)); alpha from
 * the input plane's pixel at the same place (centre is the input plane offset by the halo).
 */
static void store(const tproc_call *call, tproc__morph_op op, const plane *res, const plane *res2,
                  const plane *input, ptrdiff_t halo)
{
    const tproc_view *out = &call->out;
    int ch = out->channels, alpha = tproc__has_alpha(ch) ? ch - 1 : -1;
    tproc_sample s = out->sample;
    size_t size = sample_bytes(s);
    for (ptrdiff_t y = 0; y < out->height; y++) {
        unsigned char *d = tproc_view_pixel(out, 0, y);
        int plain = op != TPROC__MORPH_TOPHAT && op != TPROC__MORPH_GRADIENT && alpha < 0;
        if (plain && s != TPROC_F32 && out->pixel_stride == (ptrdiff_t)(size * (size_t)ch)) {
            memcpy(d, plane_row(res, y, size), (size_t)out->width * (size_t)ch * size);
            continue;
        }
        for (ptrdiff_t x = 0; x < out->width; x++, d += out->pixel_stride)
            for (int c = 0; c < ch; c++) {
                size_t i = (size_t)x * (size_t)ch + (size_t)c;
                size_t centre = (size_t)(x + halo) * (size_t)ch + (size_t)c;
                double v;
                if (c == alpha)
                    v = plane_value(input, y + halo, centre, s);
                else if (op == TPROC__MORPH_TOPHAT)
                    v = plane_value(input, y + halo, centre, s) - plane_value(res, y, i, s);
                else if (op == TPROC__MORPH_GRADIENT)
                    v = plane_value(res, y, i, s) - plane_value(res2, y, i, s);
                else
                    v = plane_value(res, y, i, s);
                tproc__put_sample(d, s, c, v);
            }
    }
}

int tproc__morph_process(const tproc_call *call)
{
    const morph_state *st = call->stage->state;
    const tproc__morph_element *e = &st->element;
    const tproc_view *in = &call->in;
    int ch = in->channels;
    size_t size = sample_bytes(in->sample);
    layout l = get_layout(st, ch, size, call->in_rect, call->out_rect);
    unsigned char *s = call->scratch;
    ptrdiff_t r = e->radius, ow = call->out.width, oh = call->out.height;
    plane input = {s + l.input, in->width * ch, in->width, in->height};
    plane mid = {s + l.mid, (in->width - 2 * r) * ch, in->width - 2 * r, in->height - 2 * r};
    plane res = {s + l.res, ow * ch, ow, oh};
    plane res2 = {s + l.res2, ow * ch, ow, oh};
    pass_buffers b = {s + l.tmp, s + l.suffix, s + l.prefix, s + l.hsuffix,
                      s + l.row, s + l.da,     s + l.db};
    load_input(in, size, &input);
    switch (st->op) {
    case TPROC__MORPH_ERODE:
    case TPROC__MORPH_DILATE:
        run_pass(e, st->op == TPROC__MORPH_DILATE, ch, size, &input, &res, &b);
        break;
    case TPROC__MORPH_OPEN:
    case TPROC__MORPH_TOPHAT:
        run_pass(e, 0, ch, size, &input, &mid, &b);
        run_pass(e, 1, ch, size, &mid, &res, &b);
        break;
    case TPROC__MORPH_CLOSE:
        run_pass(e, 1, ch, size, &input, &mid, &b);
        run_pass(e, 0, ch, size, &mid, &res, &b);
        break;
    case TPROC__MORPH_GRADIENT:
        run_pass(e, 1, ch, size, &input, &res, &b);
        run_pass(e, 0, ch, size, &input, &res2, &b);
        break;
    }
    store(call, st->op, &res, &res2, &input, r * passes(st->op));
    return TPROC_OK;
}
