/* SPDX-License-Identifier: MIT */
/*
 * dlpack.c: views to DLPack tensors and back. A tensor is (height, width, channels) with
 * strides in elements; an exported tensor carries a small holder (shape, strides, and what to
 * release) that its deleter frees. Compiled only when DLPack's header was found.
 */
#include <string.h>

#include "internal.h"
#include "tileproc/dlpack.h"

typedef struct export_holder {
    DLManagedTensor managed;
    int64_t shape[3];
    int64_t strides[3];
    tproc_ctx *ctx;
    tproc_dlpack_release_fn release;
    void *user;
    tproc_image *image; /* owned when exported with tproc_dlpack_export_image() */
} export_holder;

static void export_deleter(DLManagedTensor *self)
{
    if (!self)
        return;
    export_holder *h = self->manager_ctx;
    tproc_dlpack_release_fn release = h->release;
    void *user = h->user;
    tproc_image_free(&h->image);
    tproc__dealloc(h->ctx, h);
    if (release)
        release(user);
}

static int dtype_of(tproc_sample sample, DLDataType *out)
{
    switch (sample) {
    case TPROC_U8:
        out->code = kDLUInt, out->bits = 8;
        break;
    case TPROC_U16:
        out->code = kDLUInt, out->bits = 16;
        break;
    case TPROC_F32:
        out->code = kDLFloat, out->bits = 32;
        break;
    default:
        return 1;
    }
    out->lanes = 1;
    return 0;
}

int tproc_dlpack_export(tproc_ctx *ctx, const tproc_view *view, tproc_dlpack_release_fn release,
                        void *user, DLManagedTensor **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_dlpack_export: no output pointer");
    *out = NULL;
    if (!view || tproc_view_validate(view))
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_dlpack_export: invalid view");
    if (view->flags & TPROC_VIEW_READONLY)
        return tproc__error(ctx, TPROC_ERR_READONLY,
                            "dlpack: cannot export a read-only view (DLPack 0.6 has no read-only "
                            "flag)");
    ptrdiff_t size = (ptrdiff_t)tproc_sample_size(view->sample);
    DLDataType dtype;
    if (dtype_of(view->sample, &dtype))
        return tproc__error(ctx, TPROC_ERR_ARG, "dlpack: unknown sample type %d",
                            (int)view->sample);
    /* DLPack counts strides in elements: a byte stride between elements cannot be expressed. */
    if (view->pixel_stride % size != 0 || view->row_stride % size != 0)
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "dlpack: byte strides (pixel %td, row %td) are not multiples of the "
                            "%td-byte %s sample; DLPack strides count elements (copy the view "
                            "first)",
                            view->pixel_stride, view->row_stride, size,
                            tproc_sample_name(view->sample));
    if ((uintptr_t)view->data % (uintptr_t)size != 0)
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "dlpack: data is not aligned to its %td-byte %s samples", size,
                            tproc_sample_name(view->sample));
    void *p;
    int status = tproc__alloc(ctx, sizeof(export_holder), "DLPack tensor", &p);
    if (status)
        return status;
    export_holder *h = p;
    h->shape[0] = view->height;
    h->shape[1] = view->width;
    h->shape[2] = view->channels;
    h->strides[0] = view->row_stride / size;
    h->strides[1] = view->pixel_stride / size;
    h->strides[2] = 1;
    h->ctx = ctx;
    h->release = release;
    h->user = user;
    h->image = NULL;
    DLTensor *t = &h->managed.dl_tensor;
    t->data = view->data;
    t->device.device_type = kDLCPU;
    t->device.device_id = 0;
    t->ndim = 3;
    t->dtype = dtype;
    t->shape = h->shape;
    t->strides = h->strides;
    t->byte_offset = 0;
    h->managed.manager_ctx = h;
    h->managed.deleter = export_deleter;
    *out = &h->managed;
    return TPROC_OK;
}

int tproc_dlpack_export_image(tproc_ctx *ctx, tproc_image **image, DLManagedTensor **out)
{
    if (out)
        *out = NULL;
    if (!image || !*image)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_dlpack_export_image: no image");
    tproc_view view = tproc_image_view(*image);
    int status = tproc_dlpack_export(ctx, &view, NULL, NULL, out);
    if (status)
        return status;
    export_holder *h = (*out)->manager_ctx;
    h->image = *image;
    *image = NULL;
    return TPROC_OK;
}

static int sample_of(DLDataType dtype, tproc_sample *out)
{
    if (dtype.lanes != 1)
        return 1;
    if (dtype.code == kDLUInt && dtype.bits == 8)
        *out = TPROC_U8;
    else if (dtype.code == kDLUInt && dtype.bits == 16)
        *out = TPROC_U16;
    else if (dtype.code == kDLFloat && dtype.bits == 32)
        *out = TPROC_F32;
    else
        return 1;
    return 0;
}

/* stride (elements) * size (bytes) as a ptrdiff_t; 0 on success. */
static int byte_stride(int64_t stride, ptrdiff_t size, ptrdiff_t *out)
{
    if (stride > PTRDIFF_MAX / size || stride < -(PTRDIFF_MAX / size))
        return 1;
    *out = (ptrdiff_t)stride * size;
    return 0;
}

int tproc_dlpack_view(tproc_ctx *ctx, const DLTensor *t, tproc_view *out)
{
    if (!t || !out || !t->data || !t->shape)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_dlpack_view: no tensor or output");
    if (t->device.device_type != kDLCPU && t->device.device_type != kDLCUDAHost)
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "dlpack: tensor is on device type %d, not the CPU",
                            (int)t->device.device_type);
    tproc_sample sample;
    if (sample_of(t->dtype, &sample))
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "dlpack: dtype (code %u, %u bits, %u lanes) is not uint8, uint16 or "
                            "float32",
                            (unsigned)t->dtype.code, (unsigned)t->dtype.bits,
                            (unsigned)t->dtype.lanes);
    if (t->ndim != 2 && t->ndim != 3)
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "dlpack: tensor has %d dimensions; expected (height, width) or "
                            "(height, width, channels)",
                            t->ndim);
    int64_t h = t->shape[0], w = t->shape[1], c = t->ndim == 3 ? t->shape[2] : 1;
    if (h < 1 || w < 1 || h > PTRDIFF_MAX || w > PTRDIFF_MAX)
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "dlpack: shape %lld x %lld is empty or too large", (long long)h,
                            (long long)w);
    if (c < 1 || c > 4)
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED, "dlpack: %lld channels; expected 1-4",
                            (long long)c);
    ptrdiff_t size = (ptrdiff_t)tproc_sample_size(sample);
    int64_t rs, ps, cs;
    if (t->strides) {
        rs = t->strides[0];
        ps = t->strides[1];
        cs = t->ndim == 3 ? t->strides[2] : 1;
    } else {
        cs = 1;
        ps = c;
        if (w > INT64_MAX / c)
            return tproc__error(ctx, TPROC_ERR_OVERFLOW, "dlpack: row of %lld x %lld too large",
                                (long long)w, (long long)c);
        rs = w * c;
    }
    if (c > 1 && cs != 1)
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "dlpack: channel stride %lld; tileproc needs a pixel's samples "
                            "adjacent (stride 1)",
                            (long long)cs);
    /* A stride over an axis of length 1 is never used; 0 means packed to tproc_view_init. */
    if (h == 1)
        rs = 0;
    if (w == 1)
        ps = 0;
    ptrdiff_t prs, pps;
    if (byte_stride(rs, size, &prs) || byte_stride(ps, size, &pps))
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "dlpack: strides too large");
    if ((h > 1 && prs == 0) || (w > 1 && pps == 0))
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "dlpack: zero (broadcast) strides are not supported");
    if (t->byte_offset > (uint64_t)PTRDIFF_MAX)
        return tproc__error(ctx, TPROC_ERR_OVERFLOW, "dlpack: byte offset too large");
    unsigned char *data = (unsigned char *)t->data + (size_t)t->byte_offset;
    tproc_view v;
    if (tproc_view_init(&v, data, (ptrdiff_t)w, (ptrdiff_t)h, (int)c, sample, pps, prs))
        return tproc__error(ctx, TPROC_ERR_UNSUPPORTED,
                            "dlpack: strides (row %lld, pixel %lld elements) do not describe "
                            "%lld x %lld pixels of %lld channels without overlap",
                            (long long)rs, (long long)ps, (long long)w, (long long)h, (long long)c);
    *out = v;
    return TPROC_OK;
}

static void release_tensor(void *user, void *data)
{
    (void)data;
    DLManagedTensor *t = user;
    if (t->deleter)
        t->deleter(t);
}

int tproc_dlpack_import(tproc_ctx *ctx, DLManagedTensor *tensor, tproc_image **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_dlpack_import: no output pointer");
    *out = NULL;
    if (!tensor)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_dlpack_import: no tensor");
    tproc_view view;
    int status = tproc_dlpack_view(ctx, &tensor->dl_tensor, &view);
    if (status)
        return status;
    return tproc_image_wrap(ctx, &view, release_tensor, tensor, out);
}
