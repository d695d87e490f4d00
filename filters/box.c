/* SPDX-License-Identifier: MIT */
/*
 * box.c: box blur, the mean over the (2r+1) x (2r+1) window; halo r each side. u8 and u16 use
 * exact integer running sums (column sums, then a sliding sum along the row), so the output is
 * the exact mean rounded half up: floor((2 sum + N) / 2N) with N = (2r+1)^2. Sums are exact, so
 * starting them at a tile's edge gives the same result as at the image's. f32 (and the
 * premultiplied f32 the engine hands over for images with alpha) sums in double, tap by tap
 * (separable.c), and scales by 1/N; f32 is not clamped.
 */
#include "filter_internal.h"
#include "kernels/separable.h"

static const tproc_param_desc params[] = {
    {"radius", TPROC_PARAM_INT, 1.0, 1.0, 1000.0, 0, NULL,
     "half width of the square window in pixels (the window is 2 radius + 1 wide)"},
};

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    tproc__sep_kernel *k = NULL;
    int status = tproc__sep_box(ctx, (int)tproc__param(stage, 0), &k);
    return tproc__sep_stage(status, k, stage);
}

/* The integer path needs in_w * channels column sums (uint32) next to separable's scratch. */
static size_t col_offset(const tproc__sep_kernel *k, int channels, ptrdiff_t in_w, ptrdiff_t out_w)
{
    size_t n = tproc__sep_scratch_size(k, channels, in_w, out_w);
    return n > SIZE_MAX - 63 ? SIZE_MAX : (n + 63) & ~(size_t)63;
}

static size_t scratch_size(const tproc_stage *stage, tproc_rect in, tproc_rect out)
{
    int channels = stage->work.channels;
    size_t off = col_offset(stage->state, channels, in.width, out.width), cols, total;
    if (tproc__mul((size_t)in.width * (size_t)channels, sizeof(uint32_t), &cols) ||
        tproc__add(off, cols, &total))
        return SIZE_MAX;
    return total;
}

static inline uint32_t sample_at(const unsigned char *row, ptrdiff_t pixel_stride, ptrdiff_t x,
                                 int c, tproc_sample s)
{
    const unsigned char *p = row + x * pixel_stride;
    if (s == TPROC_U8)
        return p[c];
    uint16_t v;
    memcpy(&v, p + 2 * c, 2);
    return v;
}

/* Adds (sign > 0) or subtracts input row j to/from the column sums. */
static void add_row(uint32_t *col, const tproc_view *in, ptrdiff_t j, int sign)
{
    const unsigned char *row = in->data + j * in->row_stride;
    int ch = in->channels;
    for (ptrdiff_t x = 0; x < in->width; x++)
        for (int c = 0; c < ch; c++) {
            uint32_t v = sample_at(row, in->pixel_stride, x, c, in->sample);
            if (sign > 0)
                col[x * ch + c] += v;
            else
                col[x * ch + c] -= v;
        }
}

static void process_integer(const tproc__sep_kernel *k, const tproc_call *call)
{
    const tproc_view *in = &call->in, *out = &call->out;
    int r = k->radius, ch = in->channels;
    size_t off = col_offset(k, ch, in->width, out->width);
    uint32_t *col = (uint32_t *)(void *)((unsigned char *)call->scratch + off);
    uint64_t n = (uint64_t)(2 * r + 1) * (uint64_t)(2 * r + 1);

    memset(col, 0, (size_t)in->width * (size_t)ch * sizeof *col);
    for (ptrdiff_t j = 0; j <= 2 * r; j++)
        add_row(col, in, j, 1);
    for (ptrdiff_t y = 0; y < out->height; y++) {
        if (y > 0) { /* slide the window down: add the new bottom row before dropping the top */
            add_row(col, in, y + 2 * r, 1);
            add_row(col, in, y - 1, -1);
        }
        unsigned char *dst = out->data + y * out->row_stride;
        for (int c = 0; c < ch; c++) {
            uint64_t sum = 0;
            for (ptrdiff_t i = 0; i <= 2 * r; i++)
                sum += col[i * ch + c];
            for (ptrdiff_t x = 0; x < out->width; x++) {
                if (x > 0)
                    sum += (uint64_t)col[(x + 2 * r) * ch + c] - col[(x - 1) * ch + c];
                uint64_t mean = (2 * sum + n) / (2 * n);
                unsigned char *p = dst + x * out->pixel_stride;
                if (out->sample == TPROC_U8) {
                    p[c] = (unsigned char)mean;
                } else {
                    uint16_t v = (uint16_t)mean;
                    memcpy(p + 2 * c, &v, 2);
                }
            }
        }
    }
}

static int process(const tproc_call *call)
{
    const tproc__sep_kernel *k = call->stage->state;
    if (call->in.sample != TPROC_F32) {
        process_integer(k, call);
        return TPROC_OK;
    }
    return tproc__sep_process(k, call);
}

const tproc_filter tproc__filter_box = {
    .abi = TPROC_FILTER_ABI,
    .name = "box",
    .summary = "box blur: the mean over a (2 radius + 1)-pixel square",
    .params = params,
    .param_count = 1,
    .prepare = prepare,
    .release = tproc__sep_release,
    .scratch_size = scratch_size,
    .process = process,
};
