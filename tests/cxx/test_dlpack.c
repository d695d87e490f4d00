/* SPDX-License-Identifier: MIT */
/*
 * test_dlpack.c: views to DLPack tensors and back (tileproc/dlpack.h): shape (H, W, C), strides
 * in elements, dtypes, round trips of padded and flipped views, the deleter freeing what it owns,
 * and refusals (byte strides that are not whole elements, unsupported tensors), each with a
 * message. A plain program: prints "N passed, M failed", exits non-zero on any failure.
 */
#include <stdio.h>
#include <string.h>

#include <tileproc/dlpack.h>
#include <tileproc/tileproc.h>

static int passed, failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            passed++;                                                                              \
        } else {                                                                                   \
            failed++;                                                                              \
            fprintf(stderr, "%s:%d: FAILED: %s\n", __FILE__, __LINE__, #cond);                     \
        }                                                                                          \
    } while (0)

static int released;
static void on_release(void *user)
{
    released += *(int *)user;
}

static void fill_numbered(const tproc_view *v)
{
    for (ptrdiff_t y = 0; y < v->height; y++)
        for (ptrdiff_t x = 0; x < v->width; x++)
            for (int c = 0; c < v->channels; c++)
                tproc_view_pixel(v, x, y)[c] = (unsigned char)(x + 7 * y + 50 * c);
}

static void test_export_roundtrip(tproc_ctx *ctx)
{
    tproc_image *img = NULL;
    CHECK(tproc_image_new(ctx, 13, 5, 3, TPROC_U8, &img) == TPROC_OK);
    tproc_view v = tproc_image_view(img);
    fill_numbered(&v);
    CHECK(v.row_stride == 64); /* rows are padded to 64 bytes: strides must say so */

    int token = 1;
    released = 0;
    DLManagedTensor *t = NULL;
    CHECK(tproc_dlpack_export(ctx, &v, on_release, &token, &t) == TPROC_OK);
    if (!t)
        return;
    const DLTensor *d = &t->dl_tensor;
    CHECK(d->ndim == 3 && d->shape[0] == 5 && d->shape[1] == 13 && d->shape[2] == 3);
    CHECK(d->strides && d->strides[0] == 64 && d->strides[1] == 3 && d->strides[2] == 1);
    CHECK(d->dtype.code == kDLUInt && d->dtype.bits == 8 && d->dtype.lanes == 1);
    CHECK(d->device.device_type == kDLCPU && d->byte_offset == 0 && d->data == v.data);

    tproc_view back;
    CHECK(tproc_dlpack_view(ctx, d, &back) == TPROC_OK);
    CHECK(back.data == v.data && back.width == 13 && back.height == 5 && back.channels == 3);
    CHECK(back.pixel_stride == v.pixel_stride && back.row_stride == v.row_stride);
    tproc_diff diff;
    CHECK(tproc_view_compare(&back, &v, &diff) == TPROC_OK && diff.max_abs == 0.0);

    t->deleter(t);
    CHECK(released == 1);

    /* A flipped, rotated view: negative strides in elements. */
    tproc_view r;
    CHECK(tproc_view_rotate(&v, 90, &r) == TPROC_OK);
    CHECK(tproc_dlpack_export(ctx, &r, NULL, NULL, &t) == TPROC_OK);
    if (t) {
        d = &t->dl_tensor;
        CHECK(d->shape[0] == 13 && d->shape[1] == 5);
        CHECK(d->strides[0] == r.row_stride && d->strides[1] == r.pixel_stride);
        CHECK(d->strides[1] < 0);
        CHECK(tproc_dlpack_view(ctx, d, &back) == TPROC_OK);
        CHECK(tproc_view_compare(&back, &r, &diff) == TPROC_OK && diff.max_abs == 0.0);
        t->deleter(t);
    }
    tproc_image_free(&img);
}

static void test_u16_f32(tproc_ctx *ctx)
{
    tproc_image *img = NULL;
    CHECK(tproc_image_new(ctx, 6, 4, 2, TPROC_U16, &img) == TPROC_OK);
    tproc_view v = tproc_image_view(img);
    DLManagedTensor *t = NULL;
    CHECK(tproc_dlpack_export(ctx, &v, NULL, NULL, &t) == TPROC_OK);
    if (t) {
        CHECK(t->dl_tensor.dtype.bits == 16 && t->dl_tensor.strides[1] == 2);
        CHECK(t->dl_tensor.strides[0] == v.row_stride / 2);
        t->deleter(t);
    }
    tproc_image_free(&img);

    float pixels[4 * 3] = {0};
    tproc_view f;
    CHECK(tproc_view_init(&f, pixels, 4, 3, 1, TPROC_F32, 0, 0) == TPROC_OK);
    CHECK(tproc_dlpack_export(ctx, &f, NULL, NULL, &t) == TPROC_OK);
    if (t) {
        CHECK(t->dl_tensor.dtype.code == kDLFloat && t->dl_tensor.dtype.bits == 32);
        CHECK(t->dl_tensor.strides[0] == 4 && t->dl_tensor.strides[1] == 1);
        t->deleter(t);
    }
}

static void test_export_refused(tproc_ctx *ctx)
{
    /* u16 samples 3 bytes apart: a byte stride that is not a whole number of elements. */
    unsigned char buf[64] = {0};
    tproc_view odd;
    CHECK(tproc_view_init(&odd, buf, 4, 2, 1, TPROC_U16, 3, 12) == TPROC_OK);
    DLManagedTensor *t = (DLManagedTensor *)buf; /* must be reset to NULL */
    CHECK(tproc_dlpack_export(ctx, &odd, NULL, NULL, &t) == TPROC_ERR_UNSUPPORTED);
    CHECK(t == NULL);
    CHECK(strstr(tproc_ctx_message(ctx), "multiples") != NULL);
    /* Row stride not a multiple either. */
    tproc_view odd_rows;
    CHECK(tproc_view_init(&odd_rows, buf, 4, 2, 1, TPROC_U16, 2, 9) == TPROC_OK);
    CHECK(tproc_dlpack_export(ctx, &odd_rows, NULL, NULL, &t) == TPROC_ERR_UNSUPPORTED);

    tproc_view ro;
    CHECK(tproc_view_init(&ro, buf, 4, 2, 1, TPROC_U8, 0, 0) == TPROC_OK);
    ro.flags |= TPROC_VIEW_READONLY;
    CHECK(tproc_dlpack_export(ctx, &ro, NULL, NULL, &t) == TPROC_ERR_READONLY);
    CHECK(tproc_dlpack_export(ctx, NULL, NULL, NULL, &t) == TPROC_ERR_ARG);
}

static void test_export_image(tproc_ctx *ctx)
{
    size_t before = tproc_ctx_memory_in_use(ctx);
    tproc_image *img = NULL;
    CHECK(tproc_image_new(ctx, 9, 9, 4, TPROC_U8, &img) == TPROC_OK);
    DLManagedTensor *t = NULL;
    CHECK(tproc_dlpack_export_image(ctx, &img, &t) == TPROC_OK);
    CHECK(img == NULL && t != NULL);
    CHECK(tproc_ctx_memory_in_use(ctx) > before);
    if (t) {
        CHECK(t->dl_tensor.shape[2] == 4);
        t->deleter(t); /* frees the image and the tensor */
    }
    CHECK(tproc_ctx_memory_in_use(ctx) == before);
}

/* A tensor made by "another framework": compact when strides is NULL. */
static int foreign_deleted;
static void foreign_deleter(DLManagedTensor *self)
{
    (void)self;
    foreign_deleted++;
}

static void test_import(tproc_ctx *ctx)
{
    unsigned char data[2 + 3 * 4 * 3];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)i;
    int64_t shape[3] = {3, 4, 3};
    DLManagedTensor m;
    memset(&m, 0, sizeof m);
    m.dl_tensor.data = data;
    m.dl_tensor.byte_offset = 2;
    m.dl_tensor.device.device_type = kDLCPU;
    m.dl_tensor.ndim = 3;
    m.dl_tensor.dtype.code = kDLUInt;
    m.dl_tensor.dtype.bits = 8;
    m.dl_tensor.dtype.lanes = 1;
    m.dl_tensor.shape = shape;
    m.dl_tensor.strides = NULL;
    m.deleter = foreign_deleter;

    tproc_view v;
    CHECK(tproc_dlpack_view(ctx, &m.dl_tensor, &v) == TPROC_OK);
    CHECK(v.data == data + 2 && v.width == 4 && v.height == 3 && v.channels == 3);
    CHECK(v.pixel_stride == 3 && v.row_stride == 12);
    CHECK(tproc_view_pixel(&v, 1, 2)[2] == data[2 + 2 * 12 + 3 + 2]);

    /* Column-major (Fortran order) 2-D: strides (1, H). */
    int64_t shape2[2] = {3, 4}, strides2[2] = {1, 3};
    m.dl_tensor.ndim = 2;
    m.dl_tensor.shape = shape2;
    m.dl_tensor.strides = strides2;
    m.dl_tensor.byte_offset = 0;
    CHECK(tproc_dlpack_view(ctx, &m.dl_tensor, &v) == TPROC_OK);
    CHECK(v.channels == 1 && v.pixel_stride == 3 && v.row_stride == 1);

    /* Imported as an image: freeing it calls the producer's deleter once. */
    foreign_deleted = 0;
    tproc_image *img = NULL;
    CHECK(tproc_dlpack_import(ctx, &m, &img) == TPROC_OK);
    CHECK(img && tproc_image_view(img).data == data);
    CHECK(foreign_deleted == 0);
    tproc_image_free(&img);
    CHECK(foreign_deleted == 1);

    /* Refusals, each with a message. */
    m.dl_tensor.dtype.lanes = 2;
    CHECK(tproc_dlpack_view(ctx, &m.dl_tensor, &v) == TPROC_ERR_UNSUPPORTED);
    CHECK(strstr(tproc_ctx_message(ctx), "lanes") != NULL);
    m.dl_tensor.dtype.lanes = 1;
    m.dl_tensor.dtype.code = kDLInt;
    CHECK(tproc_dlpack_view(ctx, &m.dl_tensor, &v) == TPROC_ERR_UNSUPPORTED);
    m.dl_tensor.dtype.code = kDLUInt;
    m.dl_tensor.device.device_type = kDLCUDA;
    CHECK(tproc_dlpack_view(ctx, &m.dl_tensor, &v) == TPROC_ERR_UNSUPPORTED);
    CHECK(strstr(tproc_ctx_message(ctx), "device") != NULL);
    m.dl_tensor.device.device_type = kDLCPU;
    int64_t shape5[3] = {2, 2, 5};
    m.dl_tensor.ndim = 3;
    m.dl_tensor.shape = shape5;
    m.dl_tensor.strides = NULL;
    CHECK(tproc_dlpack_view(ctx, &m.dl_tensor, &v) == TPROC_ERR_UNSUPPORTED);
    int64_t shape3[3] = {2, 2, 3}, planar[3] = {6, 3, 12}; /* channel stride != 1 */
    m.dl_tensor.shape = shape3;
    m.dl_tensor.strides = planar;
    CHECK(tproc_dlpack_view(ctx, &m.dl_tensor, &v) == TPROC_ERR_UNSUPPORTED);
    CHECK(strstr(tproc_ctx_message(ctx), "channel stride") != NULL);
    int64_t bcast[3] = {0, 3, 1}; /* broadcast rows */
    m.dl_tensor.strides = bcast;
    CHECK(tproc_dlpack_view(ctx, &m.dl_tensor, &v) == TPROC_ERR_UNSUPPORTED);
    m.dl_tensor.ndim = 4;
    CHECK(tproc_dlpack_view(ctx, &m.dl_tensor, &v) == TPROC_ERR_UNSUPPORTED);
    /* A failed import leaves the tensor to its owner. */
    foreign_deleted = 0;
    CHECK(tproc_dlpack_import(ctx, &m, &img) == TPROC_ERR_UNSUPPORTED && img == NULL);
    CHECK(foreign_deleted == 0);
}

int main(void)
{
    tproc_ctx *ctx = NULL;
    CHECK(tproc_ctx_new(NULL, &ctx) == TPROC_OK);
    test_export_roundtrip(ctx);
    test_u16_f32(ctx);
    test_export_refused(ctx);
    test_export_image(ctx);
    test_import(ctx);
    tproc_ctx_free(&ctx);
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
