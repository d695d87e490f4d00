/* SPDX-License-Identifier: MIT */
/*
 * image.h: an image owns (or wraps) one pixel buffer and carries the metadata that came with it
 * (ICC profile, EXIF, the orientation it was stored in). Its pixels are reached through views.
 *
 * Rows of images tileproc allocates start on 64-byte boundaries, so row_stride may exceed
 * width * pixel size. The image's view may be a transform of the stored buffer (an EXIF
 * orientation applied on load): use tproc_image_view(), not assumptions about the layout.
 */
#ifndef TILEPROC_IMAGE_H
#define TILEPROC_IMAGE_H

#include "base.h"
#include "context.h"
#include "view.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tproc_image tproc_image;

/* Row alignment, in bytes, of images tileproc allocates. */
#define TPROC_ROW_ALIGN 64

/* A new image with every sample 0. Checks sizes for overflow and against the memory limit. */
TPROC_API int tproc_image_new(tproc_ctx *ctx, ptrdiff_t width, ptrdiff_t height, int channels,
                              tproc_sample sample, tproc_image **out);

/* Called once when an image that wraps caller memory is freed. */
typedef void (*tproc_release_fn)(void *user, void *data);

/*
 * An image over caller memory described by view (which may have any strides); release, if not
 * NULL, is called with (user, view->data) when the image is freed. Nothing is copied.
 */
TPROC_API int tproc_image_wrap(tproc_ctx *ctx, const tproc_view *view, tproc_release_fn release,
                               void *user, tproc_image **out);

/* A new image holding a copy of view's pixels (materialises flips, steps, transposes). */
TPROC_API int tproc_image_from_view(tproc_ctx *ctx, const tproc_view *view, tproc_image **out);

/* Frees the image (NULL is a no-op) and sets *image to NULL. Views of it become invalid. */
TPROC_API void tproc_image_free(tproc_image **image);

/* The image's pixels as they are meant to be seen (after any orientation applied on load). */
TPROC_API tproc_view tproc_image_view(const tproc_image *image);
TPROC_API ptrdiff_t tproc_image_width(const tproc_image *image);
TPROC_API ptrdiff_t tproc_image_height(const tproc_image *image);
TPROC_API int tproc_image_channels(const tproc_image *image);
TPROC_API tproc_sample tproc_image_sample(const tproc_image *image);

/* Replaces the image's view by a transform of it (tproc_view_orient and friends); the new view
 * must lie inside the image's buffer. */
TPROC_API int tproc_image_set_view(tproc_image *image, const tproc_view *view);

/* The EXIF orientation (1-8) the file declared, whether or not it was applied; 1 if none. */
TPROC_API int tproc_image_orientation(const tproc_image *image);
TPROC_API void tproc_image_set_orientation(tproc_image *image, int orientation);

/* Metadata blobs kept from the file (NULL and 0 when absent). EXIF is the TIFF structure
 * without the "Exif\0\0" prefix. The image keeps ownership. */
TPROC_API const void *tproc_image_icc(const tproc_image *image, size_t *size);
TPROC_API const void *tproc_image_exif(const tproc_image *image, size_t *size);
/* Copies a blob into the image (replacing any); data NULL or size 0 removes it. */
TPROC_API int tproc_image_set_icc(tproc_image *image, const void *data, size_t size);
TPROC_API int tproc_image_set_exif(tproc_image *image, const void *data, size_t size);

/* The context the image was made with. */
TPROC_API tproc_ctx *tproc_image_ctx(const tproc_image *image);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_IMAGE_H */
