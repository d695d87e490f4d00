/* SPDX-License-Identifier: MIT */
/*
 * zip_out.c: a zip file written as its entries come, for pyramids: each tile is a stored
 * entry (tiles are compressed already, and deflating JPEG gains nothing) written at once
 * after its local header, so nothing but the central directory (one small record a tile) is
 * held, and there is no temporary tree on disk. libzip, the obvious library, builds the
 * archive in zip_close() from sources it holds until then (every tile in memory or in files),
 * which is what a streamed pyramid must not do. Zip64 records (APPNOTE 4.5) are written when
 * an offset passes 4 GiB or the entries pass 65535; the CRC is zlib's.
 */
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "pyramid_internal.h"

#define U16_MAX 0xffffu
#define U32_MAX 0xffffffffu

struct tproc__zip {
    tproc_ctx *ctx;
    FILE *fp;
    const char *name;
    uint64_t offset;     /* bytes written so far */
    unsigned char *dir;  /* the central directory records so far */
    size_t dir_size, dir_cap;
    uint64_t entries;
    unsigned dos_time, dos_date;
    int status;
};

static unsigned char *put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)(v & 0xff);
    p[1] = (unsigned char)((v >> 8) & 0xff);
    return p + 2;
}

static unsigned char *put32(unsigned char *p, uint32_t v)
{
    p = put16(p, (unsigned)(v & 0xffff));
    return put16(p, (unsigned)(v >> 16));
}

static unsigned char *put64(unsigned char *p, uint64_t v)
{
    p = put32(p, (uint32_t)(v & U32_MAX));
    return put32(p, (uint32_t)(v >> 32));
}

static int emit(tproc__zip *z, const void *data, size_t n)
{
    if (z->status)
        return z->status;
    if (n && fwrite(data, 1, n, z->fp) != n)
        return z->status = tproc__error_file(z->ctx, TPROC_ERR_IO, z->name, "write failed");
    z->offset += n;
    return TPROC_OK;
}

/* Room for n more bytes of central directory, counted against the memory limit. */
static int dir_reserve(tproc__zip *z, size_t n)
{
    size_t need;
    if (tproc__add(z->dir_size, n, &need))
        return tproc__error_file(z->ctx, TPROC_ERR_OVERFLOW, z->name, "zip directory too large");
    if (need <= z->dir_cap)
        return TPROC_OK;
    size_t cap = z->dir_cap ? z->dir_cap : 4096;
    while (cap < need)
        if (tproc__mul(cap, 2, &cap))
            return tproc__error_file(z->ctx, TPROC_ERR_OVERFLOW, z->name,
                                     "zip directory too large");
    void *bigger;
    int status = tproc__alloc_file(z->ctx, cap, 0, z->name, "zip directory", &bigger);
    if (status)
        return status;
    if (z->dir_size)
        memcpy(bigger, z->dir, z->dir_size);
    tproc__dealloc(z->ctx, z->dir);
    z->dir = bigger;
    z->dir_cap = cap;
    return TPROC_OK;
}

int tproc__zip_new(tproc_ctx *ctx, FILE *fp, const char *name, tproc__zip **out)
{
    void *p;
    int status = tproc__alloc_file(ctx, sizeof(tproc__zip), 1, name, "zip writer", &p);
    if (status)
        return status;
    tproc__zip *z = p;
    z->ctx = ctx;
    z->fp = fp;
    z->name = name;
    time_t now = time(NULL);
    struct tm tm;
    if (localtime_r(&now, &tm) && tm.tm_year >= 80) {
        z->dos_time = (unsigned)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
        z->dos_date = (unsigned)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
    } else {
        z->dos_date = 1 << 5 | 1; /* 1980-01-01 */
    }
    *out = z;
    return TPROC_OK;
}

int tproc__zip_add(tproc__zip *z, const char *path, const void *data, size_t size)
{
    size_t name_len = strlen(path);
    if (z->status)
        return z->status;
    if (name_len > U16_MAX || size >= U32_MAX)
        return z->status = tproc__error_file(z->ctx, TPROC_ERR_LIMIT, z->name,
                                             "zip entry %s is too large", path);
    uint32_t crc = (uint32_t)crc32(0L, Z_NULL, 0);
    const unsigned char *bytes = data;
    for (size_t done = 0; done < size;) { /* crc32 takes a uInt length */
        size_t n = size - done < (1u << 30) ? size - done : (1u << 30);
        crc = (uint32_t)crc32(crc, bytes + done, (uInt)n);
        done += n;
    }
    int far = z->offset >= U32_MAX; /* the local header's offset needs Zip64 */
    unsigned version = far ? 45 : 20;
    int status = dir_reserve(z, 46 + name_len + (far ? 12 : 0));
    if (status)
        return z->status = status;
    /* The central record, kept for the end. */
    unsigned char *p = z->dir + z->dir_size;
    p = put32(p, 0x02014b50);
    p = put16(p, 3u << 8 | version); /* made by Unix */
    p = put16(p, version);
    p = put16(p, 1u << 11); /* UTF-8 names */
    p = put16(p, 0);        /* stored */
    p = put16(p, z->dos_time);
    p = put16(p, z->dos_date);
    p = put32(p, crc);
    p = put32(p, (uint32_t)size);
    p = put32(p, (uint32_t)size);
    p = put16(p, (unsigned)name_len);
    p = put16(p, far ? 12 : 0);
    p = put16(p, 0); /* comment */
    p = put16(p, 0); /* disk */
    p = put16(p, 0); /* internal attributes */
    p = put32(p, (uint32_t)0100644 << 16);
    p = put32(p, far ? U32_MAX : (uint32_t)z->offset);
    memcpy(p, path, name_len);
    p += name_len;
    if (far) {
        p = put16(p, 0x0001);
        p = put16(p, 8);
        p = put64(p, z->offset);
    }
    z->dir_size = (size_t)(p - z->dir);
    z->entries++;
    /* The local header and the data. */
    unsigned char head[30];
    p = put32(head, 0x04034b50);
    p = put16(p, version);
    p = put16(p, 1u << 11);
    p = put16(p, 0);
    p = put16(p, z->dos_time);
    p = put16(p, z->dos_date);
    p = put32(p, crc);
    p = put32(p, (uint32_t)size);
    p = put32(p, (uint32_t)size);
    p = put16(p, (unsigned)name_len);
    put16(p, 0);
    if (!(status = emit(z, head, sizeof head)) && !(status = emit(z, path, name_len)))
        status = emit(z, data, size);
    return status;
}

/* The end records: Zip64's when the entries or the directory's place need them. */
static int write_end(tproc__zip *z)
{
    uint64_t dir_offset = z->offset, dir_size = z->dir_size;
    int status = emit(z, z->dir, z->dir_size);
    if (status)
        return status;
    int zip64 = z->entries > U16_MAX - 1 || dir_offset >= U32_MAX || dir_size >= U32_MAX;
    unsigned char end[56 + 20 + 22], *p = end;
    if (zip64) {
        uint64_t end64 = z->offset;
        p = put32(p, 0x06064b50);
        p = put64(p, 44); /* the record's size after this field */
        p = put16(p, 3u << 8 | 45);
        p = put16(p, 45);
        p = put32(p, 0);
        p = put32(p, 0);
        p = put64(p, z->entries);
        p = put64(p, z->entries);
        p = put64(p, dir_size);
        p = put64(p, dir_offset);
        p = put32(p, 0x07064b50); /* the locator */
        p = put32(p, 0);
        p = put64(p, end64);
        p = put32(p, 1);
    }
    unsigned count = zip64 ? U16_MAX : (unsigned)z->entries;
    p = put32(p, 0x06054b50);
    p = put16(p, 0);
    p = put16(p, 0);
    p = put16(p, count);
    p = put16(p, count);
    p = put32(p, zip64 ? U32_MAX : (uint32_t)dir_size);
    p = put32(p, zip64 ? U32_MAX : (uint32_t)dir_offset);
    p = put16(p, 0);
    return emit(z, end, (size_t)(p - end));
}

int tproc__zip_finish(tproc__zip *z, int status)
{
    if (!status)
        status = z->status;
    if (!status)
        status = write_end(z);
    tproc__dealloc(z->ctx, z->dir);
    tproc__dealloc(z->ctx, z);
    return status;
}
