/* SPDX-License-Identifier: MIT */
/*
 * exif.c: just enough of a TIFF parser to find, read and rewrite the EXIF orientation tag
 * (0x0112 in IFD0). The input is the EXIF block after "Exif\0\0": a TIFF header ("II" or "MM",
 * 42, offset of IFD0) followed by the IFDs. Every offset is checked against the block's size
 * before it is used, and the entry loop is bounded by the 16-bit entry count, so any byte string
 * is safe to pass.
 */
#include <string.h>

#include "io_internal.h"

#define EXIF_TAG_ORIENTATION 0x0112u
#define TIFF_TYPE_SHORT 3u
#define TIFF_ENTRY_SIZE 12u

static unsigned read16(const unsigned char *p, int big_endian)
{
    return big_endian ? (unsigned)p[0] << 8 | p[1] : (unsigned)p[1] << 8 | p[0];
}

static uint32_t read32(const unsigned char *p, int big_endian)
{
    if (big_endian)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/*
 * Finds the orientation entry of IFD0: returns the offset of its 2-byte value (inside the
 * entry's value field) and sets *big_endian, or returns 0 when there is no well-formed entry
 * (offset 0 can never hold a value: the TIFF header is there).
 */
static size_t find_orientation(const unsigned char *exif, size_t size, int *big_endian)
{
    if (!exif || size < 8)
        return 0;
    int be;
    if (exif[0] == 'I' && exif[1] == 'I')
        be = 0;
    else if (exif[0] == 'M' && exif[1] == 'M')
        be = 1;
    else
        return 0;
    if (read16(exif + 2, be) != 42)
        return 0;
    uint32_t ifd = read32(exif + 4, be);
    /* The count needs 2 bytes at ifd; written as a subtraction so it cannot overflow. */
    if (ifd < 8 || ifd > size - 2)
        return 0;
    unsigned count = read16(exif + ifd, be);
    size_t first = (size_t)ifd + 2;
    size_t fit = (size - first) / TIFF_ENTRY_SIZE;
    /* Entries cut off by the end of the block are ignored; the rest are still searched. */
    size_t n = count < fit ? count : fit;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *e = exif + first + i * TIFF_ENTRY_SIZE;
        if (read16(e, be) != EXIF_TAG_ORIENTATION)
            continue;
        /* A SHORT with at least one value: the first value sits in the entry itself. */
        if (read16(e + 2, be) != TIFF_TYPE_SHORT || read32(e + 4, be) < 1)
            return 0;
        *big_endian = be;
        return first + i * TIFF_ENTRY_SIZE + 8;
    }
    return 0;
}

int tproc__exif_orientation(const unsigned char *exif, size_t size)
{
    int be = 0;
    size_t at = find_orientation(exif, size, &be);
    if (at == 0)
        return 1;
    unsigned value = read16(exif + at, be);
    return value >= 1 && value <= 8 ? (int)value : 1;
}

int tproc__exif_set_orientation(unsigned char *exif, size_t size, int value)
{
    if (value < 0 || value > 0xFFFF)
        return 0;
    int be = 0;
    size_t at = find_orientation(exif, size, &be);
    if (at == 0)
        return 0;
    unsigned v = (unsigned)value;
    unsigned char bytes[2];
    bytes[be ? 0 : 1] = (unsigned char)(v >> 8);
    bytes[be ? 1 : 0] = (unsigned char)(v & 0xFFu);
    if (exif[at] == bytes[0] && exif[at + 1] == bytes[1])
        return 0;
    exif[at] = bytes[0];
    exif[at + 1] = bytes[1];
    return 1;
}

int tproc__exif_upright_copy(tproc_ctx *ctx, const char *file, const void *exif, size_t size,
                             size_t front, unsigned char **out)
{
    *out = NULL;
    size_t total;
    if (tproc__add(front, size, &total))
        return tproc__error_file(ctx, TPROC_ERR_OVERFLOW, file, "EXIF too large");
    void *mem;
    int status = tproc__alloc_file(ctx, total, 0, file, "EXIF copy", &mem);
    if (status)
        return status;
    *out = mem;
    memcpy(*out + front, exif, size);
    /* Pixels are saved upright, so the copy (never the caller's blob) says so. */
    tproc__exif_set_orientation(*out + front, size, 1);
    return TPROC_OK;
}
