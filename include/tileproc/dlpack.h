/* SPDX-License-Identifier: MIT */
/*
 * dlpack.h: sharing pixels with DLPack consumers and producers (NumPy, PyTorch, JAX, ...)
 * without a copy. Built only when tileproc was configured with DLPack's header (Debian:
 * libdlpack-dev); a tileproc that has it defines TPROC_HAVE_DLPACK for its users (CMake target
 * and tileproc.pc).
 *
 * A view becomes a tensor of shape (height, width, channels) and dtype uint8, uint16 or
 * float32, on the CPU. DLPack strides count elements, not bytes, so a view whose byte strides
 * are not multiples of its sample size cannot be exported (copy it first with
 * tproc_image_from_view()). Negative strides (flipped views) are exported as they are.
 *
 * Ownership: an exported tensor borrows the view's pixels; its deleter (which the consumer calls
 * exactly once) frees the tensor and tells the owner through a callback, or frees the image it
 * was given. An imported tensor is either borrowed as a view (the caller keeps it alive and
 * calls its deleter) or handed to an image, whose free calls the deleter.
 */
#ifndef TILEPROC_DLPACK_H
#define TILEPROC_DLPACK_H

#include <dlpack/dlpack.h>

#include "base.h"
#include "context.h"
#include "image.h"
#include "view.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called once when an exported tensor is deleted. */
typedef void (*tproc_dlpack_release_fn)(void *user);

/*
 * Exports view as a new DLManagedTensor (*out). The pixels are not copied: they must stay valid
 * until the consumer calls (*out)->deleter(*out), which frees the tensor's own memory and then
 * calls release(user) if release is not NULL. ctx (NULL: the default) records errors and holds
 * the tensor's small bookkeeping allocation; it must outlive the tensor.
 * Fails with TPROC_ERR_UNSUPPORTED when a byte stride is not a multiple of the sample size or
 * the data is not aligned to it, TPROC_ERR_READONLY for a read-only view (DLPack 0.6 cannot say
 * read-only), TPROC_ERR_ARG for an invalid view. *out is NULL on failure.
 */
TPROC_API int tproc_dlpack_export(tproc_ctx *ctx, const tproc_view *view,
                                  tproc_dlpack_release_fn release, void *user,
                                  DLManagedTensor **out);

/*
 * Exports the view of *image and moves the image into the tensor: its deleter frees the image.
 * On success *image is set to NULL; on failure the caller still owns *image and *out is NULL.
 */
TPROC_API int tproc_dlpack_export_image(tproc_ctx *ctx, tproc_image **image, DLManagedTensor **out);

/*
 * Describes a tensor as a view, borrowing its memory (byte_offset applied). The tensor must be
 * on the CPU with 2 dimensions (height, width: one channel) or 3 (height, width, channels 1-4,
 * the channel stride 1), dtype uint8, uint16 or float32 with one lane; NULL strides mean
 * compact row-major. Anything else fails with TPROC_ERR_UNSUPPORTED (a message names what).
 * The view must not outlive the tensor.
 */
TPROC_API int tproc_dlpack_view(tproc_ctx *ctx, const DLTensor *tensor, tproc_view *out);

/*
 * Imports a managed tensor as an image over its memory (no copy): freeing the image calls the
 * tensor's deleter. On failure the caller still owns the tensor and *out is NULL.
 */
TPROC_API int tproc_dlpack_import(tproc_ctx *ctx, DLManagedTensor *tensor, tproc_image **out);

#ifdef __cplusplus
}
#endif
#endif /* TILEPROC_DLPACK_H */
