/* SPDX-License-Identifier: MIT */
/*
 * convolve.c: a user-given kernel, applied as OpenCV's filter2D does (correlation: the matrix is
 * not flipped). For a w x h matrix m with centre (cx, cy) = ((w - 1) / 2, (h - 1) / 2), each
 * colour channel becomes
 *     v'(x, y) = scale * S + offset,   S = sum over j, i of m[j][i] * v(x + i - cx, y + j - cy)
 * in natural units (u8 0-255, u16 0-65535, f32 as is). S is accumulated in double, rows j
 * outer and columns i inner, from 0; integer outputs round half up and clamp to the type's
 * range, f32 is not clamped. Alpha is copied unchanged; no premultiplication (the kernel sees
 * the stored colour). Halo (w - 1) / 2 left and right, (h - 1) / 2 top and bottom.
 *
 * For u8/u16 input and weights that are multiples of 2^-k with |m * 2^k| <= 2^20 (integers,
 * halves, eighths...) no step of that double sum rounds, so S is an exact integer times 2^-k:
 * prepare() then plans an integer path (kernels/conv_int.c) that sums in 16- or 32-bit lanes,
 * splits rank-1 matrices into two 1-D passes, and maps S to the output with the same double
 * formula or an integer one checked against it for every S the matrix can produce: the same
 * bytes, on every instruction set. Other matrices, f32, and sums beyond 32 bits keep the double
 * path below; integer matrices there are summed in int64 (exact below 2^53, so equal to the
 * double formula bit for bit).
 */
#include "filter_internal.h"
#include "kernels/conv_int.h"

enum { P_MATRIX, P_SCALE, P_OFFSET, P_COUNT };

static const tproc_param_desc params_table[P_COUNT] = {
    {"matrix", TPROC_PARAM_MATRIX, 0, 0, 0, TPROC_PARAM_REQUIRED, NULL,
     "kernel: rows separated by ';', values by spaces; odd width and height up to 25"},
    {"scale", TPROC_PARAM_FLOAT, 1, -1e6, 1e6, 0, NULL, "multiplies the weighted sum"},
    {"offset", TPROC_PARAM_FLOAT, 0, -1e6, 1e6, 0, NULL,
     "added after scaling, in natural units (255 is white for u8)"},
};

/* Integer matrices up to this magnitude take the exact int64 path. */
#define INT_WEIGHT_MAX 1048576.0

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    const tproc_params *params = stage->params;
    int w = params->matrix_width, h = params->matrix_height;
    if (!(params->given & (1u << P_MATRIX)) || w <= 0 || h <= 0)
        return tproc__filter_error(ctx, stage->filter, "matrix is required");
    if (w % 2 == 0 || h % 2 == 0 || w > 25 || h > 25)
        return tproc__filter_error(ctx, stage->filter,
                                   "matrix must have an odd size up to 25x25, got %dx%d", w, h);
    for (int i = 0; i < w * h; i++)
        if (!isfinite(params->matrix[i]))
            return tproc__filter_error(ctx, stage->filter, "matrix value %d is not a finite number",
                                       i + 1);
    stage->halo.left = stage->halo.right = (w - 1) / 2;
    stage->halo.top = stage->halo.bottom = (h - 1) / 2;
    tproc__conv plan;
    if (!tproc__conv_plan(&plan, params->matrix, w, h, params->value[P_SCALE],
                          params->value[P_OFFSET], stage->in.sample, tproc__simd_level()))
        return TPROC_OK; /* the double path, state NULL */
    int status = tproc__alloc(ctx, sizeof plan, "convolve plan", &stage->state);
    if (status)
        return status;
    memcpy(stage->state, &plan, sizeof plan);
    return TPROC_OK;
}

static void release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__dealloc(ctx, stage->state);
    stage->state = NULL;
}

/* One accumulator (double or int64, both 8 bytes) per colour sample of an output row. */
static size_t scratch_size(const tproc_stage *stage, tproc_rect in, tproc_rect out)
{
    if (stage->state)
        return tproc__conv_scratch(stage->state, stage->in.channels, in.width, out.width);
    /* The double path: one row of the output, whatever the input. */
    return (size_t)out.width * (size_t)tproc__colour_channels(stage->in.channels) * sizeof(double);
}

static int integer_matrix(const tproc_params *params)
{
    for (int i = 0; i < params->matrix_width * params->matrix_height; i++) {
        double m = params->matrix[i];
        if (m != floor(m) || fabs(m) > INT_WEIGHT_MAX)
            return 0;
    }
    return 1;
}

/* acc[x * cc + k] += m * channel k of pixel x of row, for x in [0, width). */
static void add_row_f64(double *acc, const unsigned char *row, ptrdiff_t ps, tproc_sample s, int cc,
                        ptrdiff_t width, double m)
{
    for (ptrdiff_t x = 0; x < width; x++, row += ps, acc += cc) {
        for (int k = 0; k < cc; k++) {
            double v = s == TPROC_U8    ? row[k]
                       : s == TPROC_U16 ? ((const uint16_t *)(const void *)row)[k]
                                        : ((const float *)(const void *)row)[k];
            acc[k] += m * v;
        }
    }
}

static void add_row_i64(int64_t *acc, const unsigned char *row, ptrdiff_t ps, tproc_sample s,
                        int cc, ptrdiff_t width, int64_t m)
{
    if (s == TPROC_U8) {
        for (ptrdiff_t x = 0; x < width; x++, row += ps, acc += cc)
            for (int k = 0; k < cc; k++)
                acc[k] += m * row[k];
    } else {
        for (ptrdiff_t x = 0; x < width; x++, row += ps, acc += cc)
            for (int k = 0; k < cc; k++)
                acc[k] += m * ((const uint16_t *)(const void *)row)[k];
    }
}

/*
 * v clamped to [0, max], NaN to 0; written so that it compiles to maxsd/minsd, with no branch to
 * mispredict on noisy images. With v + 0.5 > 0, the integer conversion then truncates to the
 * floor: the same as tproc__to_u8/tproc__to_u16, without a floor() call.
 */
static inline double clamp(double v, double max)
{
    v = v > 0.0 ? v : 0.0;
    return v < max ? v : max;
}

static void store(unsigned char *p, tproc_sample s, int k, double v)
{
    switch (s) {
    case TPROC_U8:
        p[k] = (unsigned char)(clamp(v, 255.0) + 0.5);
        break;
    case TPROC_U16:
        ((uint16_t *)(void *)p)[k] = (uint16_t)(clamp(v, 65535.0) + 0.5);
        break;
    default:
        ((float *)(void *)p)[k] = (float)v;
        break;
    }
}

static int process(const tproc_call *call)
{
    if (call->stage->state) {
        tproc__conv_process(call->stage->state, call);
        return TPROC_OK;
    }
    const tproc_params *params = call->stage->params;
    const tproc_view *in = &call->in, *out = &call->out;
    const tproc_sample s = in->sample;
    const int ch = out->channels, cc = tproc__colour_channels(ch);
    const int mw = params->matrix_width, mh = params->matrix_height;
    const double scale = params->value[P_SCALE], offset = params->value[P_OFFSET];
    /* Output (x, y) is centred on input (x + ox, y + oy); tap (i, j) reads input
     * (x + ox + i - cx, y + oy + j - cy). */
    const ptrdiff_t ox = call->out_rect.x - call->in_rect.x;
    const ptrdiff_t oy = call->out_rect.y - call->in_rect.y;
    const int cx = (mw - 1) / 2, cy = (mh - 1) / 2;
    const size_t n = (size_t)out->width * (size_t)cc;
    const int exact_int = s != TPROC_F32 && integer_matrix(params);
    double *acc = call->scratch;
    int64_t *iacc = call->scratch;
    size_t sample_size = tproc_sample_size(s);

    for (ptrdiff_t y = 0; y < out->height; y++) {
        if (exact_int) {
            for (size_t t = 0; t < n; t++)
                iacc[t] = 0;
        } else {
            for (size_t t = 0; t < n; t++)
                acc[t] = 0.0;
        }
        /* Whole rows per tap keep each sample's order of additions (j outer, i inner). */
        for (int j = 0; j < mh; j++) {
            for (int i = 0; i < mw; i++) {
                double m = params->matrix[j * mw + i];
                const unsigned char *row = tproc_view_pixel(in, ox + i - cx, oy + y + j - cy);
                if (exact_int) {
                    if (m != 0.0) /* integers: adding 0 * v changes nothing */
                        add_row_i64(iacc, row, in->pixel_stride, s, cc, out->width, (int64_t)m);
                } else {
                    add_row_f64(acc, row, in->pixel_stride, s, cc, out->width, m);
                }
            }
        }
        for (ptrdiff_t x = 0; x < out->width; x++) {
            unsigned char *d = tproc_view_pixel(out, x, y);
            for (int k = 0; k < cc; k++) {
                size_t t = (size_t)x * (size_t)cc + (size_t)k;
                double sum = exact_int ? (double)iacc[t] : acc[t];
                store(d, s, k, scale * sum + offset);
            }
            if (cc < ch) /* alpha: the centre pixel's */
                memcpy(d + (size_t)cc * sample_size,
                       tproc_view_pixel(in, ox + x, oy + y) + (size_t)cc * sample_size,
                       sample_size);
        }
    }
    return TPROC_OK;
}

const tproc_filter tproc__filter_convolve = {
    .abi = TPROC_FILTER_ABI,
    .name = "convolve",
    .summary = "correlate with a user matrix (as OpenCV filter2D): scale * sum + offset",
    .params = params_table,
    .param_count = P_COUNT,
    .prepare = prepare,
    .release = release,
    .scratch_size = scratch_size,
    .process = process,
};
