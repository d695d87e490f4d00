/* SPDX-License-Identifier: MIT */
/*
 * image.c: images own (or wrap) one pixel buffer plus metadata; their pixels are reached only
 * through views. An image keeps two views: `storage`, the buffer as laid out, and `view`, what
 * callers see (the same, or a transform of it such as an EXIF orientation).
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "view_internal.h"

struct tproc_image {
    tproc_ctx *ctx;
    tproc_view storage;
    tproc_view view;
    void *buffer; /* owned pixels, or NULL when wrapping caller memory */
    tproc_release_fn release;
    void *release_user;
    int orientation;
    void *icc, *exif;
    size_t icc_size, exif_size;
};

int tproc__row_bytes(ptrdiff_t width, int channels, tproc_sample sample, size_t *packed,
                     size_t *aligned)
{
    size_t pixel;
    if (width <= 0 || tproc__mul((size_t)channels, tproc_sample_size(sample), &pixel) ||
        tproc__mul((size_t)width, pixel, packed) ||
        tproc__align_up(*packed, TPROC_ROW_ALIGN, aligned) || *aligned > PTRDIFF_MAX)
        return 1;
    return 0;
}

/* Errors about an image of `name`: its subject for a file, else "name: " in front. */
#define image_error(ctx, status, kind, name, fmt, ...)                                             \
    (kind == TPROC_SUBJECT_NONE ? tproc__error(ctx, status, "%s: " fmt, name, __VA_ARGS__)         \
                                : tproc__error_subject(ctx, status, kind, name, fmt, __VA_ARGS__))

static int check_format(tproc_ctx *ctx, tproc_subject kind, const char *name, ptrdiff_t width,
                        ptrdiff_t height, int channels, tproc_sample sample)
{
    if (width <= 0 || height <= 0)
        return image_error(ctx, TPROC_ERR_ARG, kind, name,
                           "image size must be positive, got %tdx%td", width, height);
    if (channels < 1 || channels > 4)
        return image_error(ctx, TPROC_ERR_ARG, kind, name, "channels must be 1-4, got %d",
                           channels);
    if (tproc_sample_size(sample) == 0)
        return image_error(ctx, TPROC_ERR_ARG, kind, name, "unknown sample type %d", (int)sample);
    return TPROC_OK;
}

static int image_alloc(tproc_ctx *ctx, tproc_image **out)
{
    void *p;
    int status = tproc__alloc(ctx, sizeof(tproc_image), "image", &p);
    if ((*out = p) != NULL)
        **out = (tproc_image){.ctx = tproc__ctx(ctx), .orientation = 1};
    return status;
}

int tproc__image_new_named(tproc_ctx *ctx, tproc_subject kind, const char *name, ptrdiff_t width,
                           ptrdiff_t height, int channels, tproc_sample sample, tproc_image **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "%s: no output pointer", name);
    *out = NULL;
    int status = check_format(ctx, kind, name, width, height, channels, sample);
    if (status)
        return status;
    size_t packed, stride, bytes;
    if (tproc__row_bytes(width, channels, sample, &packed, &stride) ||
        tproc__mul(stride, (size_t)height, &bytes))
        return image_error(ctx, TPROC_ERR_OVERFLOW, kind, name,
                           "a %tdx%td image of %d %s channels is too large to address", width,
                           height, channels, tproc_sample_name(sample));
    /* What a limit message names: "photo.jpg: a 640x480 3-channel u8 image needs ...". */
    char what[256];
    const char *file = kind == TPROC_SUBJECT_NONE ? NULL : name;
    snprintf(what, sizeof what, "%s%sa %tdx%td %d-channel %s image", file ? "" : name,
             file ? "" : ": ", width, height, channels, tproc_sample_name(sample));
    if ((status = tproc__check_limit_file(ctx, bytes, file, what)))
        return status;
    tproc_image *image;
    if ((status = image_alloc(ctx, &image)))
        return status;
    if ((status = tproc__alloc_file(ctx, bytes, 1, file, what, &image->buffer))) {
        tproc__dealloc(ctx, image);
        return status;
    }
    tproc_view_init(&image->storage, image->buffer, width, height, channels, sample, 0,
                    (ptrdiff_t)stride);
    image->view = image->storage;
    *out = image;
    return TPROC_OK;
}

int tproc_image_new(tproc_ctx *ctx, ptrdiff_t width, ptrdiff_t height, int channels,
                    tproc_sample sample, tproc_image **out)
{
    return tproc__image_new_named(ctx, TPROC_SUBJECT_NONE, "image", width, height, channels, sample,
                                  out);
}

int tproc_image_wrap(tproc_ctx *ctx, const tproc_view *view, tproc_release_fn release, void *user,
                     tproc_image **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_image_wrap: no output pointer");
    *out = NULL;
    if (!view || tproc_view_validate(view))
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_image_wrap: invalid view");
    tproc_image *image;
    int status = image_alloc(ctx, &image);
    if (status)
        return status;
    image->storage = *view;
    image->view = *view;
    image->release = release;
    image->release_user = user;
    *out = image;
    return TPROC_OK;
}

int tproc_image_from_view(tproc_ctx *ctx, const tproc_view *view, tproc_image **out)
{
    if (!out)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_image_from_view: no output pointer");
    *out = NULL;
    if (!view || tproc_view_validate(view))
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_image_from_view: invalid view");
    tproc_image *image;
    int status =
        tproc_image_new(ctx, view->width, view->height, view->channels, view->sample, &image);
    if (status)
        return status;
    if ((status = tproc_view_copy(ctx, view, &image->view))) {
        tproc_image_free(&image);
        return status;
    }
    *out = image;
    return TPROC_OK;
}

void tproc_image_free(tproc_image **pimage)
{
    if (!pimage || !*pimage)
        return;
    tproc_image *image = *pimage;
    *pimage = NULL;
    tproc_ctx *ctx = image->ctx;
    if (image->release)
        image->release(image->release_user, image->storage.data);
    tproc__dealloc(ctx, image->buffer);
    tproc__dealloc(ctx, image->icc);
    tproc__dealloc(ctx, image->exif);
    tproc__dealloc(ctx, image);
}

tproc_view tproc_image_view(const tproc_image *image)
{
    return image->view;
}

ptrdiff_t tproc_image_width(const tproc_image *image)
{
    return image->view.width;
}

ptrdiff_t tproc_image_height(const tproc_image *image)
{
    return image->view.height;
}

int tproc_image_channels(const tproc_image *image)
{
    return image->view.channels;
}

tproc_sample tproc_image_sample(const tproc_image *image)
{
    return image->view.sample;
}

tproc_ctx *tproc_image_ctx(const tproc_image *image)
{
    return image->ctx;
}

int tproc_image_set_view(tproc_image *image, const tproc_view *view)
{
    if (!image || !view || tproc_view_validate(view))
        return tproc__error(image ? image->ctx : NULL, TPROC_ERR_ARG,
                            "tproc_image_set_view: invalid view");
    ptrdiff_t lo, hi, slo, shi;
    tproc__view_extent(view, &lo, &hi);
    tproc__view_extent(&image->storage, &slo, &shi);
    /* Compare addresses as integers: the new view must address only the image's bytes. */
    uintptr_t vlo = (uintptr_t)view->data + (uintptr_t)lo,
              vhi = (uintptr_t)view->data + (uintptr_t)hi;
    uintptr_t blo = (uintptr_t)image->storage.data + (uintptr_t)slo;
    uintptr_t bhi = (uintptr_t)image->storage.data + (uintptr_t)shi;
    if (vlo < blo || vhi > bhi)
        return tproc__error(image->ctx, TPROC_ERR_RANGE,
                            "tproc_image_set_view: the view reaches outside the image's buffer");
    image->view = *view;
    return TPROC_OK;
}

int tproc_image_orientation(const tproc_image *image)
{
    return image->orientation;
}

void tproc_image_set_orientation(tproc_image *image, int orientation)
{
    image->orientation = orientation >= 1 && orientation <= 8 ? orientation : 1;
}

static int set_blob(tproc_image *image, void **slot, size_t *slot_size, const void *data,
                    size_t size, const char *what)
{
    void *copy;
    int status = tproc__memdup(image->ctx, NULL, what, data, size, &copy);
    if (status)
        return status;
    tproc__dealloc(image->ctx, *slot);
    *slot = copy;
    *slot_size = copy ? size : 0;
    return TPROC_OK;
}

const void *tproc_image_icc(const tproc_image *image, size_t *size)
{
    if (size)
        *size = image->icc_size;
    return image->icc;
}

const void *tproc_image_exif(const tproc_image *image, size_t *size)
{
    if (size)
        *size = image->exif_size;
    return image->exif;
}

int tproc_image_set_icc(tproc_image *image, const void *data, size_t size)
{
    return set_blob(image, &image->icc, &image->icc_size, data, size, "ICC profile");
}

int tproc_image_set_exif(tproc_image *image, const void *data, size_t size)
{
    return set_blob(image, &image->exif, &image->exif_size, data, size, "EXIF block");
}
