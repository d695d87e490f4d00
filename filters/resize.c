/* SPDX-License-Identifier: MIT */
/*
 * resize.c: scales an image with a separable resampling kernel.
 *
 *   resize:scale=S[,kernel=K]                 output max(1, round(w * S)) x max(1, round(h * S))
 *   resize:width=W[,height=H][,kernel=K]      a missing side keeps the aspect ratio:
 *                                             max(1, round(other_in * W / w)), rounding half up
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
 * most one level; otherwise it takes the double path.
 */
#include "filter_internal.h"
#include "kernels/resample.h"

enum { P_SCALE, P_WIDTH, P_HEIGHT, P_KERNEL };

static const char *const kernel_names[] = {"nearest",  "bilinear", "bicubic",
                                           "lanczos3", "area",     NULL};

static const tproc_param_desc params_table[] = {
    {"scale", TPROC_PARAM_FLOAT, 1.0, 0.0, 100.0, TPROC_PARAM_MIN_OPEN | TPROC_PARAM_OPTIONAL, NULL,
     "scale factor for both sides (instead of width/height)"},
    {"width", TPROC_PARAM_INT, 1.0, 1.0, 1000000.0, TPROC_PARAM_OPTIONAL, NULL,
     "output width; alone, the height keeps the aspect ratio"},
    {"height", TPROC_PARAM_INT, 1.0, 1.0, 1000000.0, TPROC_PARAM_OPTIONAL, NULL,
     "output height; alone, the width keeps the aspect ratio"},
    {"kernel", TPROC_PARAM_ENUM, (double)TPROC__RS_LANCZOS3, 0.0, 0.0, 0, kernel_names,
     "nearest, bilinear, bicubic (Catmull-Rom), lanczos3 or area (pixel coverage)"},
};

typedef struct resize_state {
    tproc__rs_axis x, y; /* x with tables, y without */
    int fixed;           /* u8 inputs take the Q20 path */
} resize_state;

/* max(1, round(v)) with round half up; -1 if it does not fit. */
static ptrdiff_t round_size(double v)
{
    double r = floor(v + 0.5);
    if (!(r < 9007199254740992.0) || r > (double)PTRDIFF_MAX)
        return -1;
    return r < 1.0 ? 1 : (ptrdiff_t)r;
}

/* max(1, round(other * side / base)) with round half up, in integers; -1 on overflow. */
static ptrdiff_t keep_aspect(ptrdiff_t other, ptrdiff_t side, ptrdiff_t base)
{
    size_t num, den;
    if (tproc__mul((size_t)other, (size_t)side, &num) || tproc__mul(num, 2, &num) ||
        tproc__add(num, (size_t)base, &num) || tproc__mul((size_t)base, 2, &den))
        return -1;
    size_t r = num / den;
    if (r > (size_t)PTRDIFF_MAX)
        return -1;
    return r < 1 ? 1 : (ptrdiff_t)r;
}

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    resize_state *st = stage->state;
    if (!st)
        return;
    tproc__rs_axis_free(ctx, &st->x);
    tproc__rs_axis_free(ctx, &st->y);
    tproc__dealloc(ctx, st);
    stage->state = NULL;
}

static int prepare(tproc_ctx *ctx, const tproc_params *params, const tproc_format *in,
                   tproc_stage *stage)
{
    const tproc_filter *self = &tproc__filter_resize;
    int has_scale = (params->given >> P_SCALE) & 1u;
    int has_w = (params->given >> P_WIDTH) & 1u, has_h = (params->given >> P_HEIGHT) & 1u;
    if (has_scale == (has_w || has_h))
        return tproc__filter_error(ctx, self, "give scale, or width and/or height");
    ptrdiff_t ow, oh;
    if (has_scale) {
        double s = tproc__param(params, P_SCALE);
        ow = round_size((double)in->width * s);
        oh = round_size((double)in->height * s);
    } else {
        ow = has_w ? (ptrdiff_t)tproc__param(params, P_WIDTH) : -1;
        oh = has_h ? (ptrdiff_t)tproc__param(params, P_HEIGHT) : -1;
        if (!has_h)
            oh = keep_aspect(in->height, ow, in->width);
        if (!has_w)
            ow = keep_aspect(in->width, oh, in->height);
    }
    if (ow < 1 || oh < 1)
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "resize: output size of %td x %td too large",
                            in->width, in->height);

    resize_state *st;
    int status = tproc__alloc(ctx, sizeof *st, "resize state", (void **)&st);
    if (status)
        return status;
    stage->state = st;
    tproc__rs_kernel kernel = (tproc__rs_kernel)(int)tproc__param(params, P_KERNEL);
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

    stage->out = *in;
    stage->out.width = ow;
    stage->out.height = oh;
    stage->geometry = 1;
    stage->premultiply = 1;
    stage->point = 0;
    return TPROC_OK;
}

static void map_rect(const tproc_params *params, const tproc_stage *stage, const tproc_format *in,
                     tproc_rect out, tproc_rect *in_rect)
{
    (void)params;
    (void)in;
    const resize_state *st = stage->state;
    ptrdiff_t lo, hi;
    tproc__rs_axis_span(&st->x, out.x, out.width, &lo, &hi);
    in_rect->x = lo;
    in_rect->width = hi - lo;
    tproc__rs_axis_span(&st->y, out.y, out.height, &lo, &hi);
    in_rect->y = lo;
    in_rect->height = hi - lo;
}

/* Scratch: the horizontal pass's rows, then one accumulator row (8 bytes a sample each), then
 * one output row's vertical weights (taps doubles and taps int32s). */
static size_t scratch_size(const tproc_params *params, const tproc_stage *stage,
                           const tproc_format *in, ptrdiff_t in_w, ptrdiff_t in_h, ptrdiff_t out_w,
                           ptrdiff_t out_h)
{
    (void)params;
    (void)in_w;
    (void)in_h;
    const resize_state *st = stage->state;
    size_t rows = tproc__rs_axis_span_bound(&st->y, out_h), row, total, weights;
    if (tproc__mul((size_t)out_w, (size_t)in->channels * 8, &row) || tproc__add(rows, 1, &rows) ||
        tproc__mul(rows, row, &total) ||
        tproc__mul((size_t)st->y.taps, sizeof(double) + sizeof(int32_t), &weights) ||
        tproc__add(total, weights, &total))
        return SIZE_MAX; /* the engine's allocation fails with a clear error */
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
        const double *hr = h + (first - row0) * n;
        for (ptrdiff_t i = 0; i < n; i++)
            acc[i] = 0;
        for (int32_t k = 0; k < count; k++, hr += n)
            for (ptrdiff_t i = 0; i < n; i++)
                acc[i] += w[k] * hr[i];
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

/* u8 in Q20: int32 horizontal sums (no rounding kept in between), int64 vertical sums. */
static void process_fixed(const tproc_call *call, const resize_state *st, ptrdiff_t row0,
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

static int process(const tproc_call *call)
{
    const resize_state *st = call->stage->state;
    ptrdiff_t row0, row1;
    tproc__rs_axis_span(&st->y, call->out_rect.y, call->out_rect.height, &row0, &row1);
    if (call->in.sample == TPROC_U8 && st->fixed)
        process_fixed(call, st, row0, row1 - row0);
    else
        process_double(call, st, row0, row1 - row0);
    return TPROC_OK;
}

const tproc_filter tproc__filter_resize = {
    .abi = TPROC_FILTER_ABI,
    .name = "resize",
    .summary = "scale by a factor or to a size (nearest, bilinear, bicubic, lanczos3, area)",
    .params = params_table,
    .param_count = (int)(sizeof params_table / sizeof params_table[0]),
    .prepare = prepare,
    .release = release,
    .map_rect = map_rect,
    .scratch_size = scratch_size,
    .process = process,
};
