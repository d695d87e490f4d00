/* SPDX-License-Identifier: MIT */
/*
 * webp_read.c: WebP decoding: lossy, lossless and alpha to u8 RGB or RGBA (alpha
 * unassociated, as libwebp's MODE_RGBA gives it), the ICC profile (ICCP chunk) and EXIF (EXIF
 * chunk, its orientation honoured). Animated files are refused: their frames are pieces of a
 * canvas to be composed over time, and a first frame alone is not the image.
 *
 * libwebp decodes whole pictures only, so rows cannot stream: a streamed request decodes at
 * open into memory of the decoder's own (whole_image, "a WebP file"); a caller holding the
 * whole image gets it decoded straight into its memory when it asks for every row at once.
 */
#include <string.h>

#include <webp/demux.h>

#include "webp_codec.h"

typedef struct reader {
    tproc_ctx *ctx;
    tproc__input *in;
    tproc__webp_bytes bytes;
    int width, height, channels;
    size_t row_bytes;
    size_t next_row;
    int failed;
    unsigned char *whole; /* a decode made before the caller's rows (row_bytes apart) */
    size_t whole_bytes;
    unsigned char *icc, *exif;
    size_t icc_size, exif_size;
} reader;

static void reader_close(reader *r)
{
    if (!r)
        return;
    tproc__webp_bytes_free(r->ctx, &r->bytes);
    tproc__dealloc(r->ctx, r->whole);
    tproc__dealloc(r->ctx, r->icc);
    tproc__dealloc(r->ctx, r->exif);
    tproc__dealloc(r->ctx, r);
}

/* A chunk's payload copied into *out (NULL, 0 when the file has none). EXIF chunks written by
 * some tools keep JPEG's "Exif\0\0" prefix: it is dropped, so exif is the TIFF structure. */
static int take_chunk(reader *r, WebPDemuxer *demux, const char *fourcc, unsigned char **out,
                      size_t *size)
{
    WebPChunkIterator it;
    if (!WebPDemuxGetChunk(demux, fourcc, 1, &it))
        return TPROC_OK;
    const uint8_t *data = it.chunk.bytes;
    size_t n = it.chunk.size;
    if (fourcc[0] == 'E' && n >= TPROC__EXIF_PREFIX_SIZE &&
        memcmp(data, TPROC__EXIF_PREFIX, TPROC__EXIF_PREFIX_SIZE) == 0) {
        data += TPROC__EXIF_PREFIX_SIZE;
        n -= TPROC__EXIF_PREFIX_SIZE;
    }
    void *copy = NULL;
    int status = tproc__memdup(r->ctx, r->in->name, fourcc[0] == 'E' ? "WebP EXIF copy"
                                                                     : "WebP ICC copy",
                               data, n, &copy);
    WebPDemuxReleaseChunkIterator(&it);
    *out = copy;
    *size = copy ? n : 0;
    return status;
}

/* The container: animation is refused, ICC and EXIF are kept. A simple (VP8/VP8L) file has no
 * chunks; a partial file gives what its complete chunks hold. */
static int read_container(reader *r)
{
    WebPData data = {r->bytes.data, r->bytes.size};
    WebPDemuxState state;
    WebPDemuxer *demux = WebPDemuxPartial(&data, &state);
    if (!demux)
        return tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, r->in->name,
                                 "corrupt WebP container");
    int status = TPROC_OK;
    uint32_t flags = WebPDemuxGetI(demux, WEBP_FF_FORMAT_FLAGS);
    if (flags & ANIMATION_FLAG)
        status = tproc__error_file(r->ctx, TPROC_ERR_UNSUPPORTED, r->in->name,
                                   "animated WebP (%u frames) is not supported: tileproc reads "
                                   "still images only",
                                   WebPDemuxGetI(demux, WEBP_FF_FRAME_COUNT));
    if (!status && (flags & ICCP_FLAG))
        status = take_chunk(r, demux, "ICCP", &r->icc, &r->icc_size);
    if (!status && (flags & EXIF_FLAG))
        status = take_chunk(r, demux, "EXIF", &r->exif, &r->exif_size);
    WebPDemuxDelete(demux);
    return status;
}

/* The header: size and alpha, checked before anything is decoded. */
static int read_header(reader *r)
{
    WebPBitstreamFeatures f;
    VP8StatusCode vs = WebPGetFeatures(r->bytes.data, r->bytes.size, &f);
    if (vs != VP8_STATUS_OK)
        return tproc__error_file(r->ctx,
                                 vs == VP8_STATUS_UNSUPPORTED_FEATURE ? TPROC_ERR_UNSUPPORTED
                                                                      : TPROC_ERR_CORRUPT,
                                 r->in->name, "%s (in the header)", tproc__webp_status_text(vs));
    if (f.has_animation)
        return read_container(r); /* refuses it, with the frame count */
    if (f.width < 1 || f.height < 1)
        return tproc__error_file(r->ctx, TPROC_ERR_CORRUPT, r->in->name, "empty WebP image");
    r->width = f.width;
    r->height = f.height;
    r->channels = f.has_alpha ? 4 : 3;
    r->row_bytes = (size_t)r->width * (size_t)r->channels; /* at most 16383 * 4 */
    return TPROC_OK;
}

static int reader_open(tproc_ctx *ctx, tproc__input *in, reader **out)
{
    *out = NULL;
    void *mem;
    int status = tproc__alloc_file(ctx, sizeof(reader), 1, in->name, "WebP decoder state", &mem);
    if (status)
        return status;
    reader *r = mem;
    r->ctx = ctx;
    r->in = in;
    if ((status = tproc__webp_bytes_read(ctx, in, &r->bytes)) || (status = read_header(r))) {
        reader_close(r);
        return status;
    }
    *out = r;
    return TPROC_OK;
}

/* Decodes the whole picture into first, stride bytes apart. */
static int reader_decode(reader *r, unsigned char *first, ptrdiff_t stride)
{
    WebPDecoderConfig config;
    if (!WebPInitDecoderConfig(&config))
        return tproc__error_file(r->ctx, TPROC_ERR_UNSUPPORTED, r->in->name,
                                 "libwebp version mismatch");
    config.output.colorspace = r->channels == 4 ? MODE_RGBA : MODE_RGB;
    config.output.is_external_memory = 1;
    config.output.u.RGBA.rgba = first;
    config.output.u.RGBA.stride = (int)stride;
    /* What libwebp may write: every row but the last at stride, the last packed. */
    config.output.u.RGBA.size =
        (size_t)stride * (size_t)(r->height - 1) + r->row_bytes;
    VP8StatusCode vs = WebPDecode(r->bytes.data, r->bytes.size, &config);
    WebPFreeDecBuffer(&config.output);
    if (vs != VP8_STATUS_OK)
        return r->failed = tproc__error_file(
                   r->ctx, vs == VP8_STATUS_OUT_OF_MEMORY ? TPROC_ERR_NOMEM : TPROC_ERR_CORRUPT,
                   r->in->name, "%s", tproc__webp_status_text(vs));
    return TPROC_OK;
}

/* Decodes into memory of the reader's own, counted first. */
static int reader_decode_whole(reader *r)
{
    char what[160];
    snprintf(what, sizeof what, "a %dx%d %d-channel u8 image (WebP, decoded whole)", r->width,
             r->height, r->channels);
    size_t bytes;
    if (tproc__mul(r->row_bytes, (size_t)r->height, &bytes) || bytes > PTRDIFF_MAX)
        return tproc__error_file(r->ctx, TPROC_ERR_OVERFLOW, r->in->name, "image too large");
    void *mem;
    int status = tproc__alloc_file(r->ctx, bytes, 0, r->in->name, what, &mem);
    if (status)
        return status;
    r->whole = mem;
    r->whole_bytes = bytes;
    return reader_decode(r, r->whole, (ptrdiff_t)r->row_bytes);
}

/* tproc__decoder.read_rows. */
static int decoder_read(void *state, unsigned char *first, ptrdiff_t stride, size_t count)
{
    reader *r = state;
    /* Every row at once into the caller's memory: no copy of our own. */
    if (!r->whole && !r->failed && r->next_row == 0 && count == (size_t)r->height && first &&
        stride > 0 && (size_t)stride >= r->row_bytes && stride <= INT32_MAX) {
        int status = reader_decode(r, first, stride);
        if (!status)
            r->next_row = count;
        return status;
    }
    if (!r->whole && !r->failed && count > 0) {
        int status = reader_decode_whole(r);
        if (status)
            return r->failed = status;
    }
    return tproc__decoder_rows(r->ctx, r->in->name, r->failed, &r->next_row, (size_t)r->height,
                               r->whole, r->row_bytes, first, stride, count);
}

static void decoder_close(void *state)
{
    reader_close(state);
}

int tproc__webp_decoder_open(tproc_ctx *ctx, tproc__input *in, const tproc__decode_request *request,
                             tproc__decoder *out)
{
    tproc__decode_request q;
    int status = tproc__decoder_prepare(ctx, in, request, out, "WebP", &q);
    if (status)
        return status;
    reader *r;
    if ((status = reader_open(ctx, in, &r)))
        return status;
    if (!(status = read_container(r)) && !q.whole)
        status = reader_decode_whole(r);
    if (status) {
        reader_close(r);
        return status;
    }
    out->format.width = r->width;
    out->format.height = r->height;
    out->format.channels = r->channels;
    out->format.sample = TPROC_U8;
    out->orientation = tproc__exif_orientation(r->exif, r->exif_size);
    out->whole_image = 1;
    out->whole_reason = "a WebP file (libwebp decodes whole pictures)";
    out->whole_bytes = r->whole_bytes + (r->bytes.owned ? r->bytes.size : 0);
    out->icc = r->icc;
    out->icc_size = r->icc_size;
    out->exif = r->exif;
    out->exif_size = r->exif_size;
    out->state = r;
    out->read_rows = decoder_read;
    out->close = decoder_close;
    return TPROC_OK;
}

int tproc__webp_info(tproc_ctx *ctx, tproc__input *in, tproc_info *info)
{
    memset(info, 0, sizeof *info);
    reader *r;
    int status = reader_open(ctx, in, &r);
    if (status)
        return status;
    if ((status = read_container(r))) {
        reader_close(r);
        return status;
    }
    info->format = TPROC_FILE_WEBP;
    info->width = r->width;
    info->height = r->height;
    info->channels = r->channels;
    info->sample = TPROC_U8;
    info->bit_depth = 8;
    info->has_icc = r->icc != NULL;
    info->has_exif = r->exif != NULL;
    info->orientation = tproc__exif_orientation(r->exif, r->exif_size);
    reader_close(r);
    return TPROC_OK;
}
