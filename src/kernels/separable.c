/* SPDX-License-Identifier: MIT */
/*
 * separable.c: symmetric separable convolution (see separable.h). Both passes work on whole
 * rows as flat arrays of samples: the vertical pass adds 2r+1 input rows sample by sample, the
 * horizontal pass treats interleaved channels as one array with taps k * channels samples
 * apart. Symmetry halves the multiplies: each step adds w[k] * (a[-k] + a[+k]). The loops have
 * no branches or calls, so the compiler vectorises them; target_clones adds an AVX2 build of the
 * hot loops chosen at load time (the arithmetic is the same, so results do not change).
 *
 * u8 fixed point. Weights are Q16 (wq[k] = round(65536 w[k]) for k >= 1, the centre takes the
 * rest, so they sum to exactly 65536). Samples are Q7 in 16-bit lanes: a vertical step adds
 * mulhi((a + b) << 7, wq[k]) = floor((a + b) * 128 * wq[k] / 65536), which stays below 2^16
 * because a + b <= 510; the row of these sums (Q7, <= 32640 + bias) feeds the horizontal pass
 * the same way (a pair of them still fits 16 bits), and the result is rounded half up with
 * (acc + 64) >> 7 and clamped to 255. Errors against the real convolution, per pass: weight
 * rounding moves the result by at most 256 * (sum of the positive weight errors); each of the
 * r+1 multiplies truncates by less than one Q7 unit, which the bias floor((r+1)/2) centres to
 * at most ceil((r+1)/2) / 128 levels. The sum over both passes is fixed_error; the path is used
 * only when it is below 0.49 level (radius up to 47, sigma up to about 15.5), so before the
 * final rounding the result is within 0.49 of the exact value and the output within 1 level of
 * it (sigma 2: fixed_error 0.08). Otherwise, and for sigma < 0.25 (a centre weight of 1 does not
 * fit 16 bits), u8 takes the double path.
 */
#include "kernels/separable.h"

#include <math.h>
#include <string.h>

#include "filter_internal.h"

#define FIXED_MAX_ERROR 0.49

/* --- kernels ------------------------------------------------------------------------------ */

static int kernel_alloc(tproc_ctx *ctx, int radius, tproc__sep_kernel **out)
{
    size_t n = (size_t)radius + 1;
    size_t head = (sizeof(tproc__sep_kernel) + 15) & ~(size_t)15;
    size_t bytes = head + n * sizeof(double) + n * sizeof(uint16_t);
    void *block;
    int status = tproc__alloc(ctx, bytes, "separable kernel", &block);
    if (status)
        return status;
    tproc__sep_kernel *k = block;
    k->radius = radius;
    k->scale = 1.0;
    k->w = (const double *)((unsigned char *)block + head);
    k->wq = (const uint16_t *)((unsigned char *)block + head + n * sizeof(double));
    *out = k;
    return TPROC_OK;
}

/* Quantises k->w (normalised) to Q16 and decides whether the fixed-point path is exact enough. */
static void kernel_quantise(tproc__sep_kernel *k)
{
    int r = k->radius;
    uint16_t *wq = (uint16_t *)k->wq;
    k->fixed = 0;
    k->fixed_error = INFINITY;
    long side = 0;
    for (int i = 1; i <= r; i++) {
        long q = lround(k->w[i] * 65536.0);
        if (q > 65535)
            return;
        wq[i] = (uint16_t)q;
        side += q;
    }
    long centre = 65536 - 2 * side;
    if (centre < 0 || centre > 65535)
        return;
    wq[0] = (uint16_t)centre;
    double pos = 0.0; /* sum of the positive weight errors over all 2r+1 taps */
    for (int i = 0; i <= r; i++) {
        double e = wq[i] / 65536.0 - k->w[i];
        if (e > 0)
            pos += i == 0 ? e : 2 * e;
    }
    int bias = (r + 1) / 2;
    if (bias > 127) /* a pair of Q7 rows must fit 16 bits: 2 * (32640 + bias) < 65536 */
        return;
    k->bias = (uint16_t)bias;
    k->fixed_error = 2.0 * (256.0 * pos + (double)(r + 1 - bias) / 128.0);
    k->fixed = k->fixed_error < FIXED_MAX_ERROR;
}

int tproc__sep_gaussian(tproc_ctx *ctx, double sigma, tproc__sep_kernel **out)
{
    int r = (int)ceil(3.0 * sigma);
    if (r < 1)
        r = 1;
    tproc__sep_kernel *k;
    int status = kernel_alloc(ctx, r, &k);
    if (status)
        return status;
    double *w = (double *)k->w;
    double sum = 0.0;
    for (int i = 0; i <= r; i++) {
        w[i] = exp(-(double)i * i / (2.0 * sigma * sigma));
        sum += i == 0 ? w[i] : 2.0 * w[i];
    }
    for (int i = 0; i <= r; i++)
        w[i] /= sum;
    kernel_quantise(k);
    *out = k;
    return TPROC_OK;
}

int tproc__sep_box(tproc_ctx *ctx, int radius, tproc__sep_kernel **out)
{
    tproc__sep_kernel *k;
    int status = kernel_alloc(ctx, radius, &k);
    if (status)
        return status;
    double *w = (double *)k->w;
    for (int i = 0; i <= radius; i++)
        w[i] = 1.0;
    double n = 2.0 * radius + 1.0;
    k->scale = 1.0 / (n * n);
    k->fixed = 0; /* box has its own exact integer path */
    *out = k;
    return TPROC_OK;
}

void tproc__sep_free(tproc_ctx *ctx, tproc__sep_kernel *kernel)
{
    tproc__dealloc(ctx, kernel);
}

/* --- scratch layout ----------------------------------------------------------------------- */

/* Scratch holds, each 64-byte aligned: mid (in_w*ch doubles, or u16 in the fixed path), row
 * (out_w*ch doubles, or the u16 horizontal accumulator), two packed copies of input rows
 * (in_w*ch samples of up to 4 bytes, for inputs whose pixels are not packed) and one output row
 * (out_w*ch samples, for outputs whose pixels are not packed). */
typedef struct layout {
    size_t mid, row, pack_a, pack_b, stage, total;
} layout;

static size_t align64(size_t n)
{
    return n > SIZE_MAX - 63 ? SIZE_MAX : (n + 63) & ~(size_t)63;
}

static size_t mul3(size_t a, size_t b, size_t c)
{
    size_t ab, abc;
    if (tproc__mul(a, b, &ab) || tproc__mul(ab, c, &abc))
        return SIZE_MAX;
    return abc;
}

static layout get_layout(int channels, ptrdiff_t in_w, ptrdiff_t out_w)
{
    size_t ch = (size_t)channels, iw = (size_t)(in_w > 0 ? in_w : 0);
    size_t ow = (size_t)(out_w > 0 ? out_w : 0);
    size_t sizes[5] = {align64(mul3(iw, ch, 8)), align64(mul3(ow, ch, 8)), align64(mul3(iw, ch, 4)),
                       align64(mul3(iw, ch, 4)), align64(mul3(ow, ch, 4))};
    size_t offs[5], total = 0;
    for (int i = 0; i < 5; i++) {
        offs[i] = total;
        if (tproc__add(total, sizes[i], &total))
            total = SIZE_MAX;
    }
    layout l = {offs[0], offs[1], offs[2], offs[3], offs[4], total};
    return l;
}

size_t tproc__sep_scratch_size(const tproc__sep_kernel *k, int channels, ptrdiff_t in_w,
                               ptrdiff_t out_w)
{
    (void)k;
    return get_layout(channels, in_w, out_w).total;
}

/* --- row access ----------------------------------------------------------------------------- */

static int pixels_packed(const tproc_view *v)
{
    return v->pixel_stride == (ptrdiff_t)((size_t)v->channels * tproc_sample_size(v->sample));
}

/* Input row j as packed samples: the row itself, or a copy into buf. */
static const unsigned char *input_row(const tproc_view *in, ptrdiff_t j, unsigned char *buf)
{
    const unsigned char *src = in->data + j * in->row_stride;
    if (pixels_packed(in))
        return src;
    size_t pixel = tproc_view_pixel_size(in);
    for (ptrdiff_t x = 0; x < in->width; x++)
        memcpy(buf + (size_t)x * pixel, src + x * in->pixel_stride, pixel);
    return buf;
}

/* Where output row y's packed samples go: the row itself, or stage (then call output_flush). */
static unsigned char *output_row(const tproc_view *out, ptrdiff_t y, unsigned char *stage)
{
    return pixels_packed(out) ? out->data + y * out->row_stride : stage;
}

static void output_flush(const tproc_view *out, ptrdiff_t y, const unsigned char *stage)
{
    if (pixels_packed(out))
        return;
    size_t pixel = tproc_view_pixel_size(out);
    unsigned char *dst = out->data + y * out->row_stride;
    for (ptrdiff_t x = 0; x < out->width; x++)
        memcpy(dst + x * out->pixel_stride, stage + (size_t)x * pixel, pixel);
}

/* --- double path ---------------------------------------------------------------------------- */

#define VPASS_F64(name, type)                                                                      \
    TPROC__CLONES static void name##_first(double *restrict mid, const type *restrict c, double w, \
                                           size_t n)                                               \
    {                                                                                              \
        for (size_t i = 0; i < n; i++)                                                             \
            mid[i] = w * (double)c[i];                                                             \
    }                                                                                              \
    TPROC__CLONES static void name##_pair(double *restrict mid, const type *restrict a,            \
                                          const type *restrict b, double w, size_t n)              \
    {                                                                                              \
        for (size_t i = 0; i < n; i++)                                                             \
            mid[i] += w * ((double)a[i] + (double)b[i]);                                           \
    }
VPASS_F64(vf_u8, uint8_t)
VPASS_F64(vf_u16, uint16_t)
VPASS_F64(vf_f32, float)

TPROC__CLONES static void hf_first(double *restrict row, const double *restrict c, double w,
                                   size_t n)
{
    for (size_t i = 0; i < n; i++)
        row[i] = w * c[i];
}

TPROC__CLONES static void hf_pair(double *restrict row, const double *a, const double *b, double w,
                                  size_t n)
{
    for (size_t i = 0; i < n; i++)
        row[i] += w * (a[i] + b[i]);
}

static void vertical_f64(const tproc__sep_kernel *k, const tproc_view *in, ptrdiff_t y, double *mid,
                         unsigned char *pa, unsigned char *pb)
{
    int r = k->radius;
    size_t n = (size_t)in->width * (size_t)in->channels;
    const void *c = input_row(in, y + r, pa);
    switch (in->sample) {
    case TPROC_U8:
        vf_u8_first(mid, c, k->w[0], n);
        break;
    case TPROC_U16:
        vf_u16_first(mid, c, k->w[0], n);
        break;
    default:
        vf_f32_first(mid, c, k->w[0], n);
        break;
    }
    for (int i = 1; i <= r; i++) {
        const void *a = input_row(in, y + r - i, pa);
        const void *b = input_row(in, y + r + i, pb);
        switch (in->sample) {
        case TPROC_U8:
            vf_u8_pair(mid, a, b, k->w[i], n);
            break;
        case TPROC_U16:
            vf_u16_pair(mid, a, b, k->w[i], n);
            break;
        default:
            vf_f32_pair(mid, a, b, k->w[i], n);
            break;
        }
    }
}

double *tproc__sep_row_buffer(const tproc__sep_kernel *k, const tproc_call *call)
{
    (void)k;
    layout l = get_layout(call->in.channels, call->in.width, call->out.width);
    return (double *)(void *)((unsigned char *)call->scratch + l.row);
}

void tproc__sep_row_f64(const tproc__sep_kernel *k, const tproc_call *call, ptrdiff_t y,
                        double *row)
{
    const tproc_view *in = &call->in;
    layout l = get_layout(in->channels, in->width, call->out.width);
    unsigned char *s = call->scratch;
    double *mid = (double *)(void *)(s + l.mid);
    vertical_f64(k, in, y, mid, s + l.pack_a, s + l.pack_b);

    int r = k->radius;
    size_t ch = (size_t)in->channels, n = (size_t)call->out.width * ch;
    hf_first(row, mid + (size_t)r * ch, k->w[0], n);
    for (int i = 1; i <= r; i++)
        hf_pair(row, mid + (size_t)(r - i) * ch, mid + (size_t)(r + i) * ch, k->w[i], n);
    if (k->scale != 1.0)
        for (size_t i = 0; i < n; i++)
            row[i] *= k->scale;
}

void tproc__sep_store_row(const tproc_call *call, ptrdiff_t y, const double *row)
{
    const tproc_view *out = &call->out;
    layout l = get_layout(call->in.channels, call->in.width, out->width);
    unsigned char *dst = output_row(out, y, (unsigned char *)call->scratch + l.stage);
    size_t n = (size_t)out->width * (size_t)out->channels;
    switch (out->sample) {
    case TPROC_U8:
        for (size_t i = 0; i < n; i++)
            dst[i] = tproc__to_u8(row[i]);
        break;
    case TPROC_U16: {
        uint16_t *d = (uint16_t *)(void *)dst;
        for (size_t i = 0; i < n; i++)
            d[i] = tproc__to_u16(row[i]);
        break;
    }
    default: {
        float *d = (float *)(void *)dst;
        for (size_t i = 0; i < n; i++)
            d[i] = (float)row[i];
        break;
    }
    }
    output_flush(out, y, (unsigned char *)call->scratch + l.stage);
}

/* --- u8 fixed-point path ------------------------------------------------------------------- */

/* floor(a * b / 65536) for 16-bit a, b: one pmulhuw. */
static inline uint16_t mulhi(uint16_t a, uint16_t b)
{
    return (uint16_t)(((uint32_t)a * b) >> 16);
}

/* A Q7 sum to u8: rounded half up, clamped to 255. */
static inline uint8_t q7_to_u8(uint16_t acc)
{
    unsigned v = (acc + 64u) >> 7;
    return (uint8_t)(v > 255u ? 255u : v);
}

TPROC__CLONES static void vq_first(uint16_t *restrict mid, const uint8_t *restrict c, uint16_t w,
                                   uint16_t bias, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mid[i] = (uint16_t)(bias + mulhi((uint16_t)(c[i] << 7), w));
}

TPROC__CLONES static void vq_pair(uint16_t *restrict mid, const uint8_t *restrict a,
                                  const uint8_t *restrict b, uint16_t w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mid[i] = (uint16_t)(mid[i] + mulhi((uint16_t)((a[i] + b[i]) << 7), w));
}

/* The horizontal pass, register-blocked: a block of samples goes through every tap while its
 * sums stay in registers, then is rounded to u8. (The vertical pass runs tap by tap over the
 * whole row instead: blocking it reads 2r+1 row streams at once and measured 4x slower.) */
#define BLOCK 64

TPROC__CLONES static void hq_block(uint8_t *restrict out, const uint16_t *restrict mid, size_t ch,
                                   int r, const uint16_t *wq, uint16_t bias, size_t n)
{
    size_t i0 = 0;
    for (; i0 + BLOCK <= n; i0 += BLOCK) {
        uint16_t acc[BLOCK];
        const uint16_t *c = mid + i0 + (size_t)r * ch;
        for (size_t i = 0; i < BLOCK; i++)
            acc[i] = (uint16_t)(bias + mulhi(c[i], wq[0]));
        for (int k = 1; k <= r; k++) {
            const uint16_t *a = c - (size_t)k * ch, *b = c + (size_t)k * ch;
            uint16_t w = wq[k];
            for (size_t i = 0; i < BLOCK; i++)
                acc[i] = (uint16_t)(acc[i] + mulhi((uint16_t)(a[i] + b[i]), w));
        }
        for (size_t i = 0; i < BLOCK; i++)
            out[i0 + i] = q7_to_u8(acc[i]);
    }
    for (size_t i = i0; i < n; i++) {
        const uint16_t *c = mid + i + (size_t)r * ch;
        uint16_t acc = (uint16_t)(bias + mulhi(c[0], wq[0]));
        for (int k = 1; k <= r; k++) {
            const uint16_t *a = c - (size_t)k * ch, *b = c + (size_t)k * ch;
            acc = (uint16_t)(acc + mulhi((uint16_t)(*a + *b), wq[k]));
        }
        out[i] = q7_to_u8(acc);
    }
}

/* The horizontal pass without the final rounding: the Q7 sums (bias included) of n samples. */
TPROC__CLONES static void hq_acc(uint16_t *restrict acc, const uint16_t *restrict mid, size_t ch,
                                 int r, const uint16_t *wq, uint16_t bias, size_t n)
{
    const uint16_t *c = mid + (size_t)r * ch;
    for (size_t i = 0; i < n; i++)
        acc[i] = (uint16_t)(bias + mulhi(c[i], wq[0]));
    for (int j = 1; j <= r; j++) {
        const uint16_t *a = c - (size_t)j * ch, *b = c + (size_t)j * ch;
        uint16_t w = wq[j];
        for (size_t i = 0; i < n; i++)
            acc[i] = (uint16_t)(acc[i] + mulhi((uint16_t)(a[i] + b[i]), w));
    }
}

/* Both passes of the fixed-point path into mid and (with finish) the Q7 row acc. */
static void process_fixed_rows(const tproc__sep_kernel *k, const tproc_call *call,
                               tproc__sep_finish_fn finish, const void *user)
{
    const tproc_view *in = &call->in, *out = &call->out;
    layout l = get_layout(in->channels, in->width, out->width);
    unsigned char *s = call->scratch;
    uint16_t *mid = (uint16_t *)(void *)(s + l.mid);
    int r = k->radius;
    size_t ch = (size_t)in->channels;
    size_t nin = (size_t)in->width * ch, nout = (size_t)out->width * ch;
    const uint16_t *wq = k->wq;

    for (ptrdiff_t y = 0; y < out->height; y++) {
        vq_first(mid, input_row(in, y + r, s + l.pack_a), wq[0], k->bias, nin);
        for (int i = 1; i <= r; i++)
            vq_pair(mid, input_row(in, y + r - i, s + l.pack_a),
                    input_row(in, y + r + i, s + l.pack_b), wq[i], nin);
        uint8_t *dst = output_row(out, y, s + l.stage);
        if (finish) {
            uint16_t *acc = (uint16_t *)(void *)(s + l.row);
            hq_acc(acc, mid, ch, r, wq, k->bias, nout);
            const uint8_t *centre = input_row(in, y + r, s + l.pack_a) + (size_t)r * ch;
            finish(user, acc, centre, dst, nout);
        } else {
            hq_block(dst, mid, ch, r, wq, k->bias, nout);
        }
        output_flush(out, y, s + l.stage);
    }
}

static void process_fixed(const tproc__sep_kernel *k, const tproc_call *call)
{
    process_fixed_rows(k, call, NULL, NULL);
}

void tproc__sep_fixed_rows(const tproc__sep_kernel *k, const tproc_call *call,
                           tproc__sep_finish_fn finish, const void *user)
{
    process_fixed_rows(k, call, finish, user);
}

int tproc__sep_process(const tproc__sep_kernel *k, const tproc_call *call)
{
    if (k->fixed && call->in.sample == TPROC_U8 && call->out.sample == TPROC_U8) {
        process_fixed(k, call);
        return TPROC_OK;
    }
    double *row = tproc__sep_row_buffer(k, call);
    for (ptrdiff_t y = 0; y < call->out.height; y++) {
        tproc__sep_row_f64(k, call, y, row);
        tproc__sep_store_row(call, y, row);
    }
    return TPROC_OK;
}

int tproc__sep_stage(int status, tproc__sep_kernel *kernel, tproc_stage *stage)
{
    if (status)
        return status;
    stage->halo.left = stage->halo.right = stage->halo.top = stage->halo.bottom = kernel->radius;
    stage->premultiply = 1;
    stage->state = kernel;
    return TPROC_OK;
}

int tproc__sep_stage_state(tproc_ctx *ctx, int status, tproc__sep_kernel *kernel, size_t size,
                           tproc_stage *stage)
{
    void *block = NULL;
    if (status == TPROC_OK)
        status = tproc__alloc(ctx, size, "filter state", &block);
    if (status) {
        tproc__sep_free(ctx, kernel);
        return status;
    }
    memcpy(block, &kernel, sizeof kernel);
    tproc__sep_stage(TPROC_OK, kernel, stage);
    stage->state = block;
    return TPROC_OK;
}

void tproc__sep_release_state(tproc_ctx *ctx, tproc_stage *stage)
{
    if (stage->state) {
        tproc__sep_kernel *kernel;
        memcpy(&kernel, stage->state, sizeof kernel);
        tproc__sep_free(ctx, kernel);
    }
    tproc__dealloc(ctx, stage->state);
    stage->state = NULL;
}

void tproc__sep_release(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__sep_free(ctx, stage->state);
    stage->state = NULL;
}

size_t tproc__sep_stage_scratch(const tproc_stage *stage, tproc_rect in, tproc_rect out)
{
    return tproc__sep_scratch_size(stage->state, stage->work.channels, in.width, out.width);
}
