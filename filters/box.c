/* SPDX-License-Identifier: MIT */
/*
 * box.c: box blur, the mean over the (2r+1) x (2r+1) window; halo r each side. u8 and u16 use
 * exact integer running sums, O(1) work per pixel whatever the radius (kernels/box_sum.c), so
 * the output is the exact mean rounded half up: floor((2 sum + N) / 2N) with N = (2r+1)^2, the
 * same bytes on every instruction set. Sums are exact, so starting them at a tile's edge gives
 * the same result as at the image's. f32 (and the premultiplied f32 the engine hands over for
 * images with alpha) sums in double, tap by tap (separable.c), and scales by 1/N; f32 is not
 * clamped.
 */
#include "filter_internal.h"
#include "kernels/box_sum.h"
#include "kernels/separable.h"

static const tproc_param_desc params[] = {
    {"radius", TPROC_PARAM_INT, 1.0, 1.0, 1000.0, 0, NULL,
     "half width of the square window in pixels (the window is 2 radius + 1 wide)"},
};

/* The stage's state: the separable kernel for f32 (first, see separable.h), and the integer
 * kernels' set-up. */
typedef struct box_state {
    tproc__sep_kernel *sep;
    tproc__box box;
} box_state;

static int prepare(tproc_ctx *ctx, tproc_stage *stage)
{
    int r = (int)tproc__param(stage, 0);
    tproc__sep_kernel *k = NULL;
    int status = tproc__sep_box(ctx, r, &k);
    status = tproc__sep_stage_state(ctx, status, k, sizeof(box_state), stage);
    if (status == TPROC_OK)
        tproc__box_init(&((box_state *)stage->state)->box, r, tproc__simd_level());
    return status;
}

static size_t scratch_size(const tproc_stage *stage, tproc_rect in, tproc_rect out)
{
    const box_state *st = stage->state;
    if (stage->work.sample == TPROC_F32)
        return tproc__sep_scratch_size(st->sep, stage->work.channels, in.width, out.width);
    return tproc__box_scratch(&st->box, stage->work.sample, stage->work.channels, in.width,
                              out.width);
}

static int process(const tproc_call *call)
{
    const box_state *st = call->stage->state;
    if (call->in.sample == TPROC_F32)
        return tproc__sep_process(st->sep, call);
    tproc__box_process(&st->box, call);
    return TPROC_OK;
}

const tproc_filter tproc__filter_box = {
    .abi = TPROC_FILTER_ABI,
    .name = "box",
    .summary = "box blur: the mean over a (2 radius + 1)-pixel square",
    .params = params,
    .param_count = 1,
    .prepare = prepare,
    .release = tproc__sep_release_state,
    .scratch_size = scratch_size,
    .process = process,
};
