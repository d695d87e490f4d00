/* SPDX-License-Identifier: MIT */
/*
 * jpeg_source.c: the libjpeg source manager over tproc__input, so memory and FILE* inputs are
 * one path. Data ending before EOI is a warning (JWRN_JPEG_EOF) followed by a fake EOI, as
 * jpeg_stdio_src does, so a lenient decode finishes the image (grey) and a strict or streamed
 * one stops there (see the error manager in jpeg_codec.c).
 */
#include <jerror.h>

#include "jpeg_codec.h"

static tproc__jpeg_source *source_of(j_decompress_ptr cinfo)
{
    return (tproc__jpeg_source *)(void *)cinfo->src;
}

static void source_init(j_decompress_ptr cinfo)
{
    (void)cinfo;
}

static boolean source_fill(j_decompress_ptr cinfo)
{
    tproc__jpeg_source *src = source_of(cinfo);
    size_t n = tproc__input_read(src->in, src->buffer, sizeof src->buffer);
    if (n == 0) {
        if (src->in->error)
            tproc__jpeg_abandon((j_common_ptr)cinfo, TPROC__JPEG_CAUSE_READ, JERR_FILE_READ);
        if (!src->started)
            ERREXIT(cinfo, JERR_INPUT_EMPTY);
        /* Like jpeg_stdio_src: warn, then end the data with an EOI so that libjpeg finishes
         * the image (the missing part decodes grey) instead of failing. */
        src->eof = 1; /* before the warning: a strict decode leaves from inside it */
        WARNMS(cinfo, JWRN_JPEG_EOF);
        src->buffer[0] = (JOCTET)0xFF;
        src->buffer[1] = (JOCTET)JPEG_EOI;
        n = 2;
    }
    src->started = 1;
    src->pub.next_input_byte = src->buffer;
    src->pub.bytes_in_buffer = n;
    return TRUE;
}

static void source_skip(j_decompress_ptr cinfo, long num_bytes)
{
    tproc__jpeg_source *src = source_of(cinfo);
    if (num_bytes <= 0)
        return;
    size_t skip = (size_t)num_bytes;
    while (skip > src->pub.bytes_in_buffer) {
        skip -= src->pub.bytes_in_buffer;
        source_fill(cinfo);
        if (src->eof)
            return; /* leave the fake EOI for the marker reader */
    }
    src->pub.next_input_byte += skip;
    src->pub.bytes_in_buffer -= skip;
}

static void source_term(j_decompress_ptr cinfo)
{
    (void)cinfo;
}

void tproc__jpeg_source_init(tproc__jpeg_source *src, tproc__input *in, j_decompress_ptr cinfo)
{
    src->in = in;
    src->started = 0;
    src->eof = 0;
    src->pub.init_source = source_init;
    src->pub.fill_input_buffer = source_fill;
    src->pub.skip_input_data = source_skip;
    src->pub.resync_to_restart = jpeg_resync_to_restart;
    src->pub.term_source = source_term;
    src->pub.next_input_byte = NULL;
    src->pub.bytes_in_buffer = 0;
    cinfo->src = &src->pub;
}
