/* SPDX-License-Identifier: MIT */
/*
 * geometry_head.c: crop, flip and rotate at the head of a chain need no pixels moved: they are
 * view transforms of the input. The filters' own prepare() checks the parameters, so the head
 * and the tiled path accept and refuse exactly the same requests.
 */
#include "engine.h"

int tproc__geometry_as_view(tproc_ctx *ctx, const tproc_filter *filter, const tproc_params *params,
                            const tproc_view *in, tproc_view *out)
{
    if (filter != &tproc__filter_crop && filter != &tproc__filter_flip &&
        filter != &tproc__filter_rotate)
        return TPROC_ERR_NOT_FOUND;
    tproc_format format = {in->width, in->height, in->channels, in->sample};
    tproc_stage stage;
    tproc__stage_defaults(&stage, &format);
    int status = filter->prepare(ctx, params, &format, &stage);
    if (status)
        return status;
    tproc_view v;
    if (filter == &tproc__filter_crop) {
        status = tproc_view_sub(in, (ptrdiff_t)params->value[0], (ptrdiff_t)params->value[1],
                                stage.out.width, stage.out.height, &v);
    } else if (filter == &tproc__filter_flip) {
        status = params->value[0] == 1 ? tproc_view_flip_v(in, &v) : tproc_view_flip_h(in, &v);
    } else {
        status = tproc_view_rotate(in, 90 * ((int)params->value[0] + 1), &v);
    }
    if (status)
        return tproc__error(ctx, status, "%s: cannot apply as a view", filter->name);
    *out = v;
    return TPROC_OK;
}
