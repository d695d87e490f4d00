/* SPDX-License-Identifier: MIT */
/*
 * fuzz_info.c: the header reader on any bytes, through memory and through a FILE* (the two must
 * agree), and the EXIF orientation parser and rewriter (exif.c) on the raw bytes: reading a
 * block and setting its orientation must stay inside the block, and a value set must read back.
 */
#include <stdio.h>
#include <string.h>

#include "fuzz_common.h"
#include "io_internal.h"

static void fuzz_exif(const uint8_t *data, size_t size)
{
    /* An exact-size heap copy, so that ASan sees any read or write past the block. */
    unsigned char *copy = malloc(size ? size : 1);
    FUZZ_CHECK(copy != NULL);
    if (size)
        memcpy(copy, data, size);
    int before = tproc__exif_orientation(copy, size);
    FUZZ_CHECK(before >= 1 && before <= 8);
    int want = 1 + (int)(size % 8);
    if (tproc__exif_set_orientation(copy, size, want))
        FUZZ_CHECK(tproc__exif_orientation(copy, size) == want);
    /* Out-of-range values never change anything. */
    FUZZ_CHECK(tproc__exif_set_orientation(copy, size, -1) == 0);
    FUZZ_CHECK(tproc__exif_set_orientation(copy, size, 0x10000) == 0);
    free(copy);
}

static int same_info(const tproc_info *a, const tproc_info *b)
{
    return a->format == b->format && a->width == b->width && a->height == b->height &&
           a->channels == b->channels && a->sample == b->sample && a->bit_depth == b->bit_depth &&
           a->interlaced == b->interlaced && a->progressive == b->progressive &&
           a->orientation == b->orientation && a->has_icc == b->has_icc &&
           a->has_exif == b->has_exif;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tproc_ctx *ctx = fuzz_ctx();
    tproc_file_format format = tproc_file_format_detect(data, size);
    tproc_info mem, file;
    int status = tproc_info_read_memory(ctx, data, size, &mem);
    if (format == TPROC_FILE_UNKNOWN)
        FUZZ_CHECK(status == TPROC_ERR_FORMAT);
    if (status == TPROC_OK) {
        FUZZ_CHECK(mem.format == format && mem.width >= 1 && mem.height >= 1);
        FUZZ_CHECK(mem.channels >= 1 && mem.channels <= 4);
        FUZZ_CHECK(mem.orientation >= 1 && mem.orientation <= 8);
    }
    /* A seekable FILE* is read in place, through the other branch of tproc__input_read. */
    FILE *fp = size ? fmemopen((void *)(uintptr_t)data, size, "rb") : NULL;
    if (fp) {
        int fstatus = tproc_info_read_file(ctx, fp, "<fuzz>", &file);
        FUZZ_CHECK(fstatus == status);
        if (status == TPROC_OK)
            FUZZ_CHECK(same_info(&mem, &file));
        fclose(fp);
    }
    FUZZ_CHECK(tproc_ctx_memory_in_use(ctx) == 0);
    tproc_ctx_free(&ctx);
    fuzz_exif(data, size);
    return 0;
}
