/* SPDX-License-Identifier: MIT */
/*
 * resize.c: scales an image with a separable resampling kernel.
 *
 *   resize:scale=S[,kernel=K]                 output max(1, round(w * S)) x max(1, round(h * S))
 *   resize:width=W[,height=H][,kernel=K]      a missing side keeps the aspect ratio:
 *                                             max(1, round(other_in * W / w)), rounding half up
 *   resize:width=W,height=H,fit=F[,position=P|focus_x=X,focus_y=Y][,enlarge=0][,background=C]
 *       sharp's fit modes: fill (the default, as above), contain (letterboxed on background),
 *       cover (cropped at position or around the focus point), inside, outside; enlarge=0 never
 *       upscales. Sizes and offsets follow sharp's rules (kernels/fit.h).
 *
 * Kernels (src/kernels/resample.c has the formulas): nearest, bilinear, bicubic (Catmull-Rom,
 * a = -0.5), lanczos3 (the default, as in libvips), area (exact pixel coverage; nearest-like
 * when enlarging). Output pixel centres map to src = (dst + 0.5) * in / out - 0.5 per axis;
 * when shrinking, kernels are stretched by in / out to antialias. Taps outside the image read
 * the pixels the engine's border rule gives. Alpha images are resized premultiplied.
 *
 * Work per tile: a horizontal pass over the input rows the tile needs into scratch (rows of
 * out_rect.width pixels), then a vertical pass. prepare() keeps a weight table for the
 * horizontal axis only (O(output width)); the vertical pass computes each output row's weights
 * into scratch as it goes (once per tile column: cheap for the default strips of whole rows),
 * so the state does not grow with the image's height, as streaming needs. Every output pixel
 * is computed from the same weights, the same inputs and in the same order whatever the tile,
 * so tilings agree byte for byte. Rounding: u16 and f32 (and u8 when the fast path is off) are
 * computed in double; integer outputs are rounded half up and clamped; f32 is not clamped. u8 uses
 * Q20 fixed-point weights (exact integer sums, one final rounding half up) when prepare() proves
 * the result within 0.5 of the exact real value, so it differs from the exact rounded result by at
 * most one level; otherwise it takes the double path. Its result is the exact integer
 * sum_j qy[j] sum_i qx[i] p[i, j], so any order of adding gives the same bytes: the fast path
 * (packed u8 pixels, sums exact in double) works vertical pass first, per output row an int32
 * sweep over whole input rows and then per output pixel a double sum over interleaved channels,
 * both vectorised (process_fast); process_fixed_i64 is the plain formulation for the rest.
 */
#include "filter_internal.h"
#include "kernels/background.h"
#include "kernels/fit.h"
#include "kernels/resample.h"
#include "kernels/smartcrop.h"

enum {
    P_SCALE,
    P_WIDTH,
    P_HEIGHT,
    P_KERNEL,
    P_FIT,
    P_POSITION,
    P_FOCUS_X,
    P_FOCUS_Y,
    P_ENLARGE,
    P_BACKGROUND,
    P_COUNT
};

static const char *const kernel_names[] = {"nearest",  "bilinear", "bicubic",
                                           "lanczos3", "area",     NULL};

static const tproc_param_desc params_table[P_COUNT] = {
    {"scale", TPROC_PARAM_FLOAT, 1.0, 0.0, 100.0, TPROC_PARAM_MIN_OPEN | TPROC_PARAM_OPTIONAL, NULL,
     "scale factor for both sides (instead of width/height)"},
    {"width", TPROC_PARAM_INT, 1.0, 1.0, 1000000.0, TPROC_PARAM_OPTIONAL, NULL,
     "output width; alone, the height keeps the aspect ratio"},
    {"height", TPROC_PARAM_INT, 1.0, 1.0, 1000000.0, TPROC_PARAM_OPTIONAL, NULL,
     "output height; alone, the width keeps the aspect ratio"},
    {"kernel", TPROC_PARAM_ENUM, (double)TPROC__RS_LANCZOS3, 0.0, 0.0, 0, kernel_names,
     "nearest, bilinear, bicubic (Catmull-Rom), lanczos3 or area (pixel coverage)"},
    {"fit", TPROC_PARAM_ENUM, TPROC__FIT_FILL, 0.0, 0.0, 0, tproc__fit_mode_names,
     "with width and height: fill (stretch), contain (letterbox), cover (crop), inside, outside"},
    {"position", TPROC_PARAM_ENUM, TPROC__POS_CENTRE, 0.0, 0.0, 0, tproc__fit_resize_position_names,
     "where cover crops and contain places the image; cover also entropy (the busiest part) "
     "or attention (edges, skin, strong colour), found by a look at the image first"},
    {"focus_x", TPROC_PARAM_FLOAT, 0.5, 0.0, 1.0, TPROC_PARAM_OPTIONAL, NULL,
     "cover: keep this point (a fraction of the width) nearest the centre, instead of position"},
    {"focus_y", TPROC_PARAM_FLOAT, 0.5, 0.0, 1.0, TPROC_PARAM_OPTIONAL, NULL,
     "cover: the focus point's fraction of the height"},
    {"enlarge", TPROC_PARAM_INT, 1.0, 0.0, 1.0, 0, NULL,
     "0: never upscale (sharp's withoutEnlargement)"},
    {"background", TPROC_PARAM_COLOUR, 0.0, 0.0, 255.0, 0, NULL, "colour of contain's bars"},
};

typedef struct resize_state {
    tproc__fit_geometry fit; /* the scaled image and the output's place in it */
    tproc__background bg;    /* contain's bars */
    tproc__rs_axis x, y;     /* x with tables, y without; input to the scaled image */
    int fixed;               /* u8 inputs take the Q20 path */
    int exact;               /* ... and its sums are exact in double (the fast path, see above) */
    ptrdiff_t xtp;           /* row length of xq: x.taps rounded up to a multiple of 4 */
    double *xq;              /* [x.out_n * xtp] x.fixed as doubles, zero after count */
    tproc__smartcrop *smart; /* position=entropy|attention: the pre-pass (smartcrop.h) */
} resize_state;

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    resize_state *st = stage->state;
    if (!st)
        return;
    tproc__rs_axis_free(ctx, &st->x);
    tproc__rs_axis_free(ctx, &st->y);
    if (st->xq)
        tproc__dealloc(ctx, st->xq);
    tproc__smartcrop_free(ctx, st->smart);
    tproc__dealloc(ctx, st);
    stage->state = NULL;
}

/* The horizontal fixed-point weights as doubles, rows padded with zeros to a multiple of 4. */
static int make_xq(tproc_ctx *ctx, resize_state *st)
{
    const tproc__rs_axis *ax = &st->x;
    size_t cells, bytes;
    st->xtp = (ax->taps + 3) & ~(ptrdiff_t)3;
    if (tproc__mul((size_t)ax->out_n, (size_t)st->xtp, &cells) ||
        tproc__mul(cells, sizeof(double), &bytes))
        return tproc__error(ctx, TPROC_ERR_OVERFLOW,
                            "resize: weight tables for %td outputs overflow", ax->out_n);
    int status = tproc__alloc(ctx, bytes, "resize weight tables", (void **)&st->xq);
    if (status)
        return status;
    for (ptrdiff_t d = 0; d < ax->out_n; d++)
        for (ptrdiff_t k = 0; k < st->xtp; k++)
            st->xq[d * st->xtp + k] = k < ax->count[d] ? (double)ax->fixed[d * ax->taps + k] : 0.0;
    return TPROC_OK;
}

/* The fit request from the parameters, refusing combinations that mean nothing. */
static int fit_request(tproc_ctx *ctx, const tproc_stage *stage, tproc__fit_request *r)
{
    const tproc_filter *f = stage->filter;
    unsigned given = stage->params->given;
    int has_w = (given >> P_WIDTH) & 1u, has_h = (given >> P_HEIGHT) & 1u;
    int has_fit = (given >> P_FIT) & 1u, has_position = (given >> P_POSITION) & 1u;
    memset(r, 0, sizeof *r);
    r->in_width = stage->in.width;
    r->in_height = stage->in.height;
    r->has_scale = (given >> P_SCALE) & 1u;
    r->scale = tproc__param(stage, P_SCALE);
    r->width = has_w ? (ptrdiff_t)tproc__param(stage, P_WIDTH) : 0;
    r->height = has_h ? (ptrdiff_t)tproc__param(stage, P_HEIGHT) : 0;
    r->fit = (tproc__fit_mode)(int)tproc__param(stage, P_FIT);
    r->position = (tproc__fit_position)(int)tproc__param(stage, P_POSITION);
    r->has_focus = ((given >> P_FOCUS_X) | (given >> P_FOCUS_Y)) & 1u;
    r->focus_x = (given >> P_FOCUS_X) & 1u ? tproc__param(stage, P_FOCUS_X) : 0.5;
    r->focus_y = (given >> P_FOCUS_Y) & 1u ? tproc__param(stage, P_FOCUS_Y) : 0.5;
    r->enlarge = tproc__param(stage, P_ENLARGE) != 0;
    const char *fit = tproc__fit_mode_names[r->fit];
    if (!r->has_scale && !has_w && !has_h)
        return has_fit ? tproc__filter_error(ctx, f, "fit=%s needs width and/or height", fit)
                       : tproc__filter_error(ctx, f, "give scale, or width and/or height");
    if (r->has_scale && (has_w || has_h))
        return tproc__filter_error(ctx, f, "give scale, or width and/or height");
    if (r->has_scale && r->fit != TPROC__FIT_FILL)
        return tproc__filter_error(ctx, f, "fit=%s needs width and/or height, not scale", fit);
    if (r->has_focus && r->fit != TPROC__FIT_COVER)
        return tproc__filter_error(ctx, f, "focus_x and focus_y apply to fit=cover, not fit=%s",
                                   fit);
    if (r->has_focus && has_position)
        return tproc__filter_error(ctx, f, "give position or focus_x/focus_y, not both");
    if (r->position >= TPROC__POS_ENTROPY && (r->fit != TPROC__FIT_COVER || r->has_scale))
        return tproc__filter_error(ctx, f, "position=%s needs fit=cover",
                                   tproc__fit_resize_position_names[r->position]);
    return TPROC_OK;
}

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    const tproc_format *in = &stage->in;
    tproc__fit_request req;
    tproc__fit_geometry g;
    int status = fit_request(ctx, stage, &req);
    if (status)
        return status;
    if (tproc__fit_compute(&req, &g))
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "resize: output size of %td x %td too large",
                            in->width, in->height);
    ptrdiff_t ow = g.scaled_width, oh = g.scaled_height;
    /* Before any table is built: a refused size should cost nothing. */
    tproc_format out_format = *in;
    out_format.width = g.width > ow ? g.width : ow;
    out_format.height = g.height > oh ? g.height : oh;
    int limited = tproc__check_pixels(ctx, "resize", &out_format);
    if (limited)
        return limited;

    resize_state *st;
    status = tproc__alloc(ctx, sizeof *st, "resize state", (void **)&st);
    if (status)
        return status;
    stage->state = st;
    st->fit = g;
    tproc__background_get(stage, in, &st->bg);
    if (g.width <= ow && g.height <= oh) /* no bars: nothing painted */
        st->bg.channels = in->channels;
    tproc__rs_kernel kernel = (tproc__rs_kernel)(int)tproc__param(stage, P_KERNEL);
    status = tproc__rs_axis_init(ctx, &st->x, kernel, in->width, ow, 1, "resize");
    if (!status)
        status = tproc__rs_axis_init(ctx, &st->y, kernel, in->height, oh, 0, "resize");
    if (status) {
        release(ctx, stage);
        return status;
    }
    /* |fixed - exact| <= 255 (E_y S_x + S_y E_x) with S = max sum |w|, E = max sum |error|;
     * below 0.5 the rounded results differ by at most one level. The maxima cover every output
     * row: axis_init evaluated them all with the function process() uses. The horizontal sums
     * must fit an int32: 255 * sum |q| < 2^31. */
    double bound = 255.0 * (st->y.fixed_err * st->x.abs_sum + st->y.abs_sum * st->x.fixed_err);
    st->fixed =
        bound < 0.49 && st->x.fixed_abs < INT32_MAX / 256 && st->y.fixed_abs < INT32_MAX / 256;
    /* The fast path's partial sums are integers of magnitude at most 255 * sum |qy| * sum |qx|
     * (plus the rounding half, 2^39): exact in double below 2^53. The factors are below 2^23, so
     * the product is computed exactly. */
    st->exact = st->fixed && 255.0 * (double)st->x.fixed_abs * (double)st->y.fixed_abs <
                                 9007199254740992.0 - 1099511627776.0;
    if (st->exact) {
        status = make_xq(ctx, st);
        if (status) {
            release(ctx, stage);
            return status;
        }
    }

    /* A smart crop looks at the image first (a pre-pass); centred until then. */
    if (req.position >= TPROC__POS_ENTROPY && (g.width < ow || g.height < oh)) {
        if ((status = tproc__smartcrop_new(ctx, in, ow, oh, req.position == TPROC__POS_ATTENTION,
                                           &st->smart))) {
            release(ctx, stage);
            return status;
        }
        stage->analyse = 1;
    }
    stage->out.width = g.width;
    stage->out.height = g.height;
    stage->out.channels = st->bg.channels;
    stage->geometry = 1;
    stage->premultiply = 1;
    return TPROC_OK;
}

/* The part [*lo, *hi) of the scaled image that output span [a, a + n) shows along an axis
 * (output = scaled - offset); empty (lo == hi) when the span is all bars. */
static void scaled_part(ptrdiff_t a, ptrdiff_t n, ptrdiff_t offset, ptrdiff_t scaled, ptrdiff_t *lo,
                        ptrdiff_t *hi)
{
    ptrdiff_t l = a + offset, h = a + n + offset;
    *lo = l < 0 ? 0 : l > scaled ? scaled : l;
    *hi = h < *lo ? *lo : h > scaled ? scaled : h;
}

static tproc_rect map_rect(const tproc_stage *stage, tproc_rect out)
{
    const resize_state *st = stage->state;
    ptrdiff_t lo, hi, x0, x1, y0, y1;
    scaled_part(out.x, out.width, st->fit.x, st->fit.scaled_width, &x0, &x1);
    scaled_part(out.y, out.height, st->fit.y, st->fit.scaled_height, &y0, &y1);
    if (x0 == x1 || y0 == y1) { /* only bars: any pixel will do */
        x0 = y0 = 0;
        x1 = y1 = 1;
    }
    out.x = x0;
    out.width = x1 - x0;
    out.y = y0;
    out.height = y1 - y0;
    tproc_rect r;
    tproc__rs_axis_span(&st->x, out.x, out.width, &lo, &hi);
    r.x = lo;
    r.width = hi - lo;
    tproc__rs_axis_span(&st->y, out.y, out.height, &lo, &hi);
    r.y = lo;
    r.height = hi - lo;
    return r;
}

/* Scratch, the larger of: the double path's horizontal rows, then one accumulator row (8 bytes
 * a sample each), then one output row's vertical weights (taps doubles and taps int32s); the
 * fast path's layout (fast_layout). */
typedef struct fast_layout {
    size_t v, acc, rows, wd, wq, total;
} fast_layout;

/* The fast path: one vertical sum row as doubles (in_w * ch, then zeros for the horizontal
 * pass's reads past its end), the same row as int32 accumulators, the vertical taps' row
 * pointers, their weights in double and fixed point. Each part 64-byte aligned. */
static fast_layout get_fast_layout(const resize_state *st, int channels, ptrdiff_t in_w)
{
    fast_layout l = {0, 0, 0, 0, 0, SIZE_MAX};
    size_t n, pad, sizes[5], total = 0;
    if (tproc__mul((size_t)in_w, (size_t)channels, &n) ||
        tproc__mul((size_t)st->xtp + 1, (size_t)channels, &pad) || tproc__add(n, pad + 4, &pad) ||
        tproc__mul(pad, sizeof(double), &sizes[0]) || tproc__mul(n, sizeof(int32_t), &sizes[1]) ||
        tproc__mul((size_t)st->y.taps, sizeof(void *), &sizes[2]) ||
        tproc__mul((size_t)st->y.taps, sizeof(double), &sizes[3]) ||
        tproc__mul((size_t)st->y.taps, sizeof(int32_t), &sizes[4]))
        return l;
    size_t *offs[5] = {&l.v, &l.acc, &l.rows, &l.wd, &l.wq};
    for (int i = 0; i < 5; i++) {
        *offs[i] = total;
        if (tproc__align_up(sizes[i], 64, &sizes[i]) || tproc__add(total, sizes[i], &total))
            return l;
    }
    l.total = total;
    return l;
}

static size_t scratch_size(const tproc_stage *stage, tproc_rect in, tproc_rect out)
{
    const resize_state *st = stage->state;
    int channels = stage->work.channels;
    size_t rows = tproc__rs_axis_span_bound(&st->y, out.height), row, total, weights;
    if (tproc__mul((size_t)out.width, (size_t)channels * 8, &row) || tproc__add(rows, 1, &rows) ||
        tproc__mul(rows, row, &total) ||
        tproc__mul((size_t)st->y.taps, sizeof(double) + sizeof(int32_t), &weights) ||
        tproc__add(total, weights, &total))
        return SIZE_MAX; /* the engine's allocation fails with a clear error */
    if (st->exact) {
        size_t fast = get_fast_layout(st, channels, in.width).total;
        total = fast > total ? fast : total;
    }
    return total;
}

static inline double load_u8(const unsigned char *p)
{
    return *p;
}
static inline double load_u16(const unsigned char *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}
static inline double load_f32(const unsigned char *p)
{
    float v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Horizontal pass in double over one input row: dst gets width x ch samples. */
#define RESIZE_HPASS(NAME, LOAD, SIZE)                                                             \
    static void NAME(const tproc__rs_axis *ax, const unsigned char *row, ptrdiff_t pixel_stride,   \
                     ptrdiff_t x0, ptrdiff_t width, ptrdiff_t in_x, int ch, double *dst)           \
    {                                                                                              \
        for (ptrdiff_t x = 0; x < width; x++) {                                                    \
            ptrdiff_t d = x0 + x;                                                                  \
            const double *w = ax->weight + d * ax->taps;                                           \
            const unsigned char *p = row + (ax->first[d] - in_x) * pixel_stride;                   \
            double acc[4] = {0, 0, 0, 0};                                                          \
            for (int32_t k = 0; k < ax->count[d]; k++, p += pixel_stride)                          \
                for (int c = 0; c < ch; c++)                                                       \
                    acc[c] += w[k] * LOAD(p + (size_t)c * SIZE);                                   \
            for (int c = 0; c < ch; c++)                                                           \
                dst[x * ch + c] = acc[c];                                                          \
        }                                                                                          \
    }
RESIZE_HPASS(hpass_u8, load_u8, 1)
RESIZE_HPASS(hpass_u16, load_u16, 2)
RESIZE_HPASS(hpass_f32, load_f32, 4)

/* The double path's vertical pass: acc = sum_k w[k] * h[k * n + i], tap by tap as always (the
 * AVX2 build does the same operations, four samples at a time). */
TPROC__CLONES static void vd_row(double *restrict acc, const double *restrict h, ptrdiff_t n,
                                 const double *w, int32_t count)
{
    for (ptrdiff_t i = 0; i < n; i++)
        acc[i] = 0;
    for (int32_t k = 0; k < count; k++, h += n)
        for (ptrdiff_t i = 0; i < n; i++)
            acc[i] += w[k] * h[i];
}

static void process_double(const tproc_call *call, const resize_state *st, ptrdiff_t row0,
                           ptrdiff_t rows)
{
    const tproc_view *in = &call->in, *out = &call->out;
    int ch = in->channels;
    ptrdiff_t ow = call->out_rect.width, n = ow * ch;
    double *h = call->scratch, *acc = h + rows * n, *w = acc + n;
    for (ptrdiff_t i = 0; i < rows; i++) {
        const unsigned char *src = tproc_view_pixel(in, 0, row0 + i - call->in_rect.y);
        double *dst = h + i * n;
        if (in->sample == TPROC_U8)
            hpass_u8(&st->x, src, in->pixel_stride, call->out_rect.x, ow, call->in_rect.x, ch, dst);
        else if (in->sample == TPROC_U16)
            hpass_u16(&st->x, src, in->pixel_stride, call->out_rect.x, ow, call->in_rect.x, ch,
                      dst);
        else
            hpass_f32(&st->x, src, in->pixel_stride, call->out_rect.x, ow, call->in_rect.x, ch,
                      dst);
    }
    for (ptrdiff_t y = 0; y < call->out_rect.height; y++) {
        ptrdiff_t first;
        int32_t count;
        tproc__rs_axis_row(&st->y, call->out_rect.y + y, &first, &count, w, NULL);
        vd_row(acc, h + (first - row0) * n, n, w, count);
        for (ptrdiff_t x = 0; x < ow; x++) {
            unsigned char *p = tproc_view_pixel(out, x, y);
            const double *a = acc + x * ch;
            for (int c = 0; c < ch; c++) {
                if (out->sample == TPROC_U8) {
                    p[c] = tproc__to_u8(a[c]);
                } else if (out->sample == TPROC_U16) {
                    uint16_t v = tproc__to_u16(a[c]);
                    memcpy(p + 2 * c, &v, sizeof v);
                } else {
                    float v = (float)a[c];
                    memcpy(p + 4 * c, &v, sizeof v);
                }
            }
        }
    }
}

/* u8 in Q20, straightforwardly: int32 horizontal sums (no rounding kept in between), int64
 * vertical sums. For inputs whose pixels are not packed and the (unreachable with these kernels)
 * case where the fast path's sums might not be exact in double. */
static void process_fixed_i64(const tproc_call *call, const resize_state *st, ptrdiff_t row0,
                              ptrdiff_t rows)
{
    const tproc_view *in = &call->in, *out = &call->out;
    const tproc__rs_axis *ax = &st->x, *ay = &st->y;
    int ch = in->channels;
    ptrdiff_t ow = call->out_rect.width, n = ow * ch;
    int32_t *h = call->scratch;
    int64_t *acc = (int64_t *)(void *)((unsigned char *)call->scratch + (size_t)(rows * n) * 8);
    double *wd = (double *)(void *)(acc + n); /* the weights in double, then fixed */
    int32_t *wq = (int32_t *)(void *)(wd + ay->taps);
    for (ptrdiff_t i = 0; i < rows; i++) {
        const unsigned char *src = tproc_view_pixel(in, 0, row0 + i - call->in_rect.y);
        int32_t *dst = h + i * n;
        for (ptrdiff_t x = 0; x < ow; x++) {
            ptrdiff_t d = call->out_rect.x + x;
            const int32_t *w = ax->fixed + d * ax->taps;
            const unsigned char *p = src + (ax->first[d] - call->in_rect.x) * in->pixel_stride;
            int32_t a[4] = {0, 0, 0, 0};
            for (int32_t k = 0; k < ax->count[d]; k++, p += in->pixel_stride)
                for (int c = 0; c < ch; c++)
                    a[c] += w[k] * (int32_t)p[c];
            for (int c = 0; c < ch; c++)
                dst[x * ch + c] = a[c];
        }
    }
    const int shift = 2 * TPROC__RS_FIXED_BITS;
    const int64_t half = (int64_t)1 << (shift - 1), top = (int64_t)255 << shift;
    for (ptrdiff_t y = 0; y < call->out_rect.height; y++) {
        ptrdiff_t first;
        int32_t count;
        tproc__rs_axis_row(ay, call->out_rect.y + y, &first, &count, wd, wq);
        const int32_t *hr = h + (first - row0) * n;
        for (ptrdiff_t i = 0; i < n; i++)
            acc[i] = 0;
        for (int32_t k = 0; k < count; k++, hr += n)
            for (ptrdiff_t i = 0; i < n; i++)
                acc[i] += (int64_t)wq[k] * hr[i];
        for (ptrdiff_t x = 0; x < ow; x++) {
            unsigned char *p = tproc_view_pixel(out, x, y);
            for (int c = 0; c < ch; c++) {
                int64_t v = acc[x * ch + c] + half; /* round half up, clamp to [0, 255] */
                p[c] = (unsigned char)(v < 0 ? 0 : v >= top ? 255 : v >> shift);
            }
        }
    }
}

/* --- u8 fast path --------------------------------------------------------------------------- */

/* Vertical pass for one output row: v[i] = sum_j wq[j] * rows[j][i] over n samples. The sums
 * are exact in int32 (any partial sum is at most 255 * sum |wq| < 2^31 in magnitude, checked by
 * prepare), so the taps can go in any order: four rows per sweep over the accumulator row. */
TPROC__CLONES static void vq_row(double *restrict v, int32_t *restrict acc,
                                 const uint8_t *const *rows, const int32_t *wq, int32_t count,
                                 size_t n)
{
    int32_t j = 0;
    if (count >= 4) {
        const uint8_t *a = rows[0], *b = rows[1], *c = rows[2], *d = rows[3];
        int32_t wa = wq[0], wb = wq[1], wc = wq[2], wd = wq[3];
        for (size_t i = 0; i < n; i++)
            acc[i] = wa * a[i] + wb * b[i] + wc * c[i] + wd * d[i];
        j = 4;
    } else {
        const uint8_t *a = rows[0];
        int32_t wa = wq[0];
        for (size_t i = 0; i < n; i++)
            acc[i] = wa * a[i];
        j = 1;
    }
    for (; j + 4 <= count; j += 4) {
        const uint8_t *a = rows[j], *b = rows[j + 1], *c = rows[j + 2], *d = rows[j + 3];
        int32_t wa = wq[j], wb = wq[j + 1], wc = wq[j + 2], wd = wq[j + 3];
        for (size_t i = 0; i < n; i++)
            acc[i] += wa * a[i] + wb * b[i] + wc * c[i] + wd * d[i];
    }
    for (; j < count; j++) {
        const uint8_t *a = rows[j];
        int32_t wa = wq[j];
        for (size_t i = 0; i < n; i++)
            acc[i] += wa * a[i];
    }
    for (size_t i = 0; i < n; i++)
        v[i] = (double)acc[i];
}

/* A Q40 sum to u8, as the integer path does: floor((s + 2^39) / 2^40) clamped to [0, 255]. s is
 * an integer below 2^53 in magnitude, so both steps are exact. */
static inline unsigned char q40_to_u8(double s)
{
    double r = (s + 549755813888.0) * (1.0 / 1099511627776.0);
    return (unsigned char)(r < 0.0 ? 0 : r >= 255.0 ? 255 : (int)r);
}

/* Horizontal pass over one vertical sum row v (in_x's sample first) into ow output pixels:
 * pixel x sums xq[x * xtp + k] * v[(first[x] - in_x) * ch + k * ch + c]. Every product and
 * partial sum is an integer below 2^53 (prepare checked), so double arithmetic is exact and the
 * order free: independent sums over taps of different residues hide the adds' latency, and xq's
 * zeros after count pad the taps to a multiple of 4 (v has zeros after its end for them). */
TPROC__CLONES static void hq_c1(unsigned char *out, ptrdiff_t ps, const double *v, const double *xq,
                                ptrdiff_t xtp, const ptrdiff_t *first, const int32_t *count,
                                ptrdiff_t ow, ptrdiff_t in_x)
{
    for (ptrdiff_t x = 0; x < ow; x++) {
        const double *w = xq + x * xtp, *p = v + (first[x] - in_x);
        int32_t n4 = (count[x] + 3) & ~3;
        double s[4] = {0.0, 0.0, 0.0, 0.0};
        for (int32_t k = 0; k < n4; k += 4)
            for (int u = 0; u < 4; u++)
                s[u] += w[k + u] * p[k + u];
        out[x * ps] = q40_to_u8((s[0] + s[1]) + (s[2] + s[3]));
    }
}

/* Channels 2-4 take a vector of 4 samples per tap (2 channels: two taps; 3 channels: the next
 * pixel's first sample rides along, never stored), two taps per step. */
#if defined(__GNUC__)
typedef double v4d __attribute__((vector_size(32)));
#define HQ_VEC(CH, TAPSTEP)                                                                        \
    v4d s0 = {0.0, 0.0, 0.0, 0.0}, s1 = s0, a, b;                                                  \
    for (int32_t k = 0; k < n; k += 2 * (TAPSTEP), p += 2 * (TAPSTEP) * (CH)) {                    \
        memcpy(&a, p, sizeof a);                                                                   \
        memcpy(&b, p + (TAPSTEP) * (CH), sizeof b);                                                \
        v4d wa = {w[k], w[k], w[k + (TAPSTEP)-1], w[k + (TAPSTEP)-1]};                             \
        v4d wb = {w[k + (TAPSTEP)], w[k + (TAPSTEP)], w[k + 2 * (TAPSTEP)-1],                      \
                  w[k + 2 * (TAPSTEP)-1]};                                                         \
        s0 += wa * a;                                                                              \
        s1 += wb * b;                                                                              \
    }                                                                                              \
    v4d t = s0 + s1;                                                                               \
    double acc[4] = {t[0], t[1], t[2], t[3]}
#else
#define HQ_VEC(CH, TAPSTEP)                                                                        \
    double acc[4] = {0.0, 0.0, 0.0, 0.0};                                                          \
    for (int32_t k = 0; k < n; k += (TAPSTEP), p += (TAPSTEP) * (CH))                              \
        for (int c = 0; c < 4; c++)                                                                \
    acc[c] += w[k + ((CH) == 2 ? c / 2 : 0)] * p[c]
#endif

#define HQ_FUNC(NAME, CH, TAPSTEP, STORE)                                                          \
    TPROC__CLONES static void NAME(unsigned char *out, ptrdiff_t ps, const double *v,              \
                                   const double *xq, ptrdiff_t xtp, const ptrdiff_t *first,        \
                                   const int32_t *count, ptrdiff_t ow, ptrdiff_t in_x)             \
    {                                                                                              \
        for (ptrdiff_t x = 0; x < ow; x++) {                                                       \
            const double *w = xq + x * xtp, *p = v + (first[x] - in_x) * (CH);                     \
            int32_t n = (count[x] + 2 * (TAPSTEP)-1) & ~(2 * (TAPSTEP)-1);                         \
            HQ_VEC(CH, TAPSTEP);                                                                   \
            unsigned char *o = out + x * ps;                                                       \
            STORE;                                                                                 \
        }                                                                                          \
    }
HQ_FUNC(hq_c2, 2, 2, (o[0] = q40_to_u8(acc[0] + acc[2]), o[1] = q40_to_u8(acc[1] + acc[3])))
HQ_FUNC(hq_c3, 3, 1, (o[0] = q40_to_u8(acc[0]), o[1] = q40_to_u8(acc[1]), o[2] = q40_to_u8(acc[2])))
HQ_FUNC(hq_c4, 4, 1,
        (o[0] = q40_to_u8(acc[0]), o[1] = q40_to_u8(acc[1]), o[2] = q40_to_u8(acc[2]),
         o[3] = q40_to_u8(acc[3])))

/* u8 in Q20, vertical pass first: for each output row, the exact int32 vertical sums over the
 * input tile's width, then the horizontal sums in double, exact too. The result is the same
 * integer sum of products as process_fixed_i64's, only added in another order. */
static void process_fast(const tproc_call *call, const resize_state *st)
{
    const tproc_view *in = &call->in, *out = &call->out;
    const tproc__rs_axis *ax = &st->x, *ay = &st->y;
    int ch = in->channels;
    size_t n = (size_t)in->width * (size_t)ch;
    fast_layout l = get_fast_layout(st, ch, in->width);
    unsigned char *s = call->scratch;
    double *v = (double *)(void *)(s + l.v);
    int32_t *acc = (int32_t *)(void *)(s + l.acc);
    const uint8_t **rows = (const uint8_t **)(void *)(s + l.rows);
    double *wd = (double *)(void *)(s + l.wd);
    int32_t *wq = (int32_t *)(void *)(s + l.wq);
    for (size_t i = n; i < n + (size_t)(st->xtp + 1) * (size_t)ch + 4; i++)
        v[i] = 0.0;
    ptrdiff_t d0 = call->out_rect.x, ow = call->out_rect.width, in_x = call->in_rect.x;
    const double *xq = st->xq + d0 * st->xtp;
    const ptrdiff_t *first = ax->first + d0;
    const int32_t *count = ax->count + d0;
    for (ptrdiff_t y = 0; y < call->out_rect.height; y++) {
        ptrdiff_t top;
        int32_t taps;
        tproc__rs_axis_row(ay, call->out_rect.y + y, &top, &taps, wd, wq);
        for (int32_t j = 0; j < taps; j++)
            rows[j] = tproc_view_pixel(in, 0, top + j - call->in_rect.y);
        vq_row(v, acc, rows, wq, taps, n);
        unsigned char *o = tproc_view_pixel(out, 0, y);
        switch (ch) {
        case 1:
            hq_c1(o, out->pixel_stride, v, xq, st->xtp, first, count, ow, in_x);
            break;
        case 2:
            hq_c2(o, out->pixel_stride, v, xq, st->xtp, first, count, ow, in_x);
            break;
        case 3:
            hq_c3(o, out->pixel_stride, v, xq, st->xtp, first, count, ow, in_x);
            break;
        default:
            hq_c4(o, out->pixel_stride, v, xq, st->xtp, first, count, ow, in_x);
            break;
        }
    }
}

/* Resizes into call->out, whose out_rect is in the scaled image's coordinates. */
static void process_scaled(const tproc_call *call)
{
    const resize_state *st = call->stage->state;
    ptrdiff_t row0, row1;
    tproc__rs_axis_span(&st->y, call->out_rect.y, call->out_rect.height, &row0, &row1);
    if (call->in.sample == TPROC_U8 && st->exact && call->in.pixel_stride == call->in.channels)
        process_fast(call, st);
    else if (call->in.sample == TPROC_U8 && st->fixed)
        process_fixed_i64(call, st, row0, row1 - row0);
    else
        process_double(call, st, row0, row1 - row0);
}

/*
 * The tile: the part showing the scaled image (all of it but for contain's bars and cover's
 * crop offset) is resized, with an alpha channel the bars added set opaque; the bars get the
 * background (premultiplied when the engine hands over premultiplied views).
 */
static int process(const tproc_call *call)
{
    const resize_state *st = call->stage->state;
    const tproc_view *out = &call->out;
    ptrdiff_t x0, x1, y0, y1;
    scaled_part(call->out_rect.x, call->out_rect.width, st->fit.x, st->fit.scaled_width, &x0, &x1);
    scaled_part(call->out_rect.y, call->out_rect.height, st->fit.y, st->fit.scaled_height, &y0,
                &y1);
    ptrdiff_t px = x0 - st->fit.x - call->out_rect.x, py = y0 - st->fit.y - call->out_rect.y;
    int whole = x1 - x0 == out->width && y1 - y0 == out->height;
    if (!whole)
        tproc_view_fill(out, out->sample == TPROC_F32 && call->stage->premultiply ? st->bg.premul
                                                                                  : st->bg.value);
    if (x0 == x1 || y0 == y1)
        return TPROC_OK;
    tproc_call part = *call;
    tproc_view_sub(out, px, py, x1 - x0, y1 - y0, &part.out);
    part.out_rect = (tproc_rect){x0, y0, x1 - x0, y1 - y0};
    if (part.out.channels > call->in.channels) { /* the colour, then an opaque alpha */
        tproc_view alpha;
        tproc_view_channels(&part.out, part.out.channels - 1, 1, &alpha);
        double max[1] = {tproc__sample_max(alpha.sample)};
        tproc_view_fill(&alpha, max);
        tproc_view_channels(&part.out, 0, call->in.channels, &part.out);
    }
    process_scaled(&part);
    return TPROC_OK;
}

/*
 * Shrink-on-load: the same output size from a smaller decode of the input. Declined unless the
 * scaled image is still no larger than the smaller input on both axes, so the resize keeps
 * shrinking (and antialiasing). fill and scale become an explicit width and height (scale would
 * now mean another size); inside and outside, whose output is the scaled image, too. contain and
 * cover keep their parameters when they give the same output from the smaller input (the scaled
 * image may then be one pixel off in the direction that is cropped or padded).
 */
static int shrink_input(const tproc_stage *stage, const tproc_format *smaller, tproc_params *params)
{
    const resize_state *st = stage->state;
    if (st->fit.scaled_width > smaller->width || st->fit.scaled_height > smaller->height)
        return 0;
    tproc__fit_mode fit = (tproc__fit_mode)(int)params->value[P_FIT];
    if (fit == TPROC__FIT_CONTAIN || fit == TPROC__FIT_COVER) {
        tproc_stage trial = *stage;
        tproc__fit_request r;
        tproc__fit_geometry g;
        trial.in = *smaller;
        trial.params = params;
        if (fit_request(NULL, &trial, &r) || tproc__fit_compute(&r, &g))
            return 0;
        return g.width == stage->out.width && g.height == stage->out.height &&
               g.scaled_width <= smaller->width && g.scaled_height <= smaller->height;
    }
    params->given &= ~((1u << P_SCALE) | (1u << P_FIT) | (1u << P_ENLARGE));
    params->given |= (1u << P_WIDTH) | (1u << P_HEIGHT);
    params->value[P_WIDTH] = (double)stage->out.width;
    params->value[P_HEIGHT] = (double)stage->out.height;
    params->value[P_FIT] = TPROC__FIT_FILL;
    params->value[P_ENLARGE] = 1;
    return 1;
}

static int analyse_rows(const tproc_stage *stage, const tproc_view *rows, ptrdiff_t y)
{
    tproc__smartcrop_rows(((resize_state *)stage->state)->smart, rows, y);
    return TPROC_OK;
}

static int analyse_done(tproc_ctx *ctx, tproc_stage *stage)
{
    resize_state *st = stage->state;
    (void)ctx;
    tproc__smartcrop_place(st->smart, st->fit.width, st->fit.height, &st->fit.x, &st->fit.y);
    return TPROC_OK;
}

const tproc_filter tproc__filter_resize = {
    .abi = TPROC_FILTER_ABI,
    .name = "resize",
    .summary = "scale by a factor or to a size (nearest, bilinear, bicubic, lanczos3, area)",
    .params = params_table,
    .param_count = P_COUNT,
    .prepare = prepare,
    .release = release,
    .map_rect = map_rect,
    .scratch_size = scratch_size,
    .process = process,
    .shrink_input = shrink_input,
    .analyse_rows = analyse_rows,
    .analyse_done = analyse_done,
};
