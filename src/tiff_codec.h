/* SPDX-License-Identifier: MIT */
/*
 * tiff_codec.h: what the TIFF codec's files share (tiff_codec.c: the descriptor, libtiff's
 * error handlers and the client I/O over tproc__input / tproc__output; tiff_read.c: opening a
 * page or level for decoding; tiff_region.c: its rows, only the strips and tiles a region
 * needs; tiff_rows.c: raw samples to tileproc rows; tiff_write.c: encoding; tiff_tiles.c: tiles
 * compressed on worker threads).
 *
 * libtiff (4.5+) is opened with TIFFClientOpenExt and handlers of our own for errors and
 * warnings (TIFFOpenOptionsSetErrorHandlerExtR), so that nothing is printed and the reason of a
 * failure lands in the tproc__tiff_diag of that one TIFF handle: no process-wide state. Files are
 * never memory-mapped (mapped pages would count as resident and escape the memory limit).
 */
#ifndef TILEPROC_TIFF_CODEC_H
#define TILEPROC_TIFF_CODEC_H

#include <pthread.h>
#include <tiffio.h>

#include "codec.h"
#include "workers.h"

/* The largest single allocation libtiff may make for us (a strip's raw bytes, a tag array). */
#define TPROC__TIFF_MAX_ALLOC ((tmsize_t)512 << 20)
/* The most IFDs walked looking for pages (libtiff also stops at loops). */
#define TPROC__TIFF_MAX_DIRS 65536

/* What libtiff's handlers record for one handle. */
typedef struct tproc__tiff_diag {
    char cause[240];   /* the first error libtiff reported ("" if none) */
    char warning[240]; /* the last warning */
    int status;        /* a status an I/O callback set (its error already recorded), else 0 */
} tproc__tiff_diag;

/* The byte stream under one TIFF handle: an input or an output, starting at base. */
typedef struct tproc__tiff_io {
    tproc__tiff_diag diag;
    tproc_ctx *ctx;
    tproc__input *in;            /* reading: from here */
    tproc__output *out;          /* writing: to here */
    long long base;              /* offset of the TIFF's first byte in a FILE* */
    unsigned long long pos, end; /* writing: the position, and the bytes written so far */
} tproc__tiff_io;

/* Opens a TIFF over io (in or out set, ctx set; mode "r", "w" or "w8" for BigTIFF). NULL on
 * failure with the error recorded about name. */
TIFF *tproc__tiff_open(tproc__tiff_io *io, const char *name, const char *mode);
/* Records libtiff's last error about file (fallback text when it gave none); returns status
 * (an I/O callback's own status wins). */
int tproc__tiff_fail(tproc_ctx *ctx, const char *file, tproc__tiff_io *io, int status,
                     const char *doing);

/* "none", "lzw", "deflate", "jpeg", ... for a COMPRESSION_ value ("other" if unknown here). */
const char *tproc__tiff_compression_name(int compression);

/*
 * How one stored image's samples become tileproc rows (tiff_rows.c). A raw row is the image's
 * samples with every plane interleaved (a contiguous row as libtiff stores it), or in rgba mode
 * the uint32 ABGR pixels of libtiff's TIFFRGBAImage (the fallback for what we do not convert
 * ourselves: old-style JPEG, CIE L*a*b*, uncompressed YCbCr).
 */
typedef struct tproc__tiff_layout {
    uint32_t width;
    int bps, spp;   /* bits per sample; samples per pixel */
    int colour;     /* samples of colour: 1 (gray, palette index), 3 (RGB), 4 (CMYK ink, handed
                     * out as it is: the colour step converts it, see decode_colour.h) */
    int alpha;      /* 0: none; 1: unassociated; 2: associated (premultiplied) */
    int miniswhite; /* gray with 0 as white */
    int palette;    /* colour is an index into map */
    int map_8bit;   /* every map entry is below 256: an 8-bit map stored in 16 bits */
    const uint16_t *map[3];
    int rgba; /* rgba mode (see above) */
    /* What read_rows delivers. */
    int channels;
    tproc_sample sample;
} tproc__tiff_layout;

/* Reads the current directory's tags into *l and decides the output; an error naming what the
 * file has when tileproc cannot represent it. */
int tproc__tiff_layout_read(tproc_ctx *ctx, const char *file, TIFF *tif, tproc__tiff_layout *l);
/* Bytes of one raw row of width pixels. */
int tproc__tiff_raw_row_bytes(const tproc__tiff_layout *l, size_t *out);
/* Pixels first .. first + count - 1 of a raw row into count output pixels. */
void tproc__tiff_convert_row(const tproc__tiff_layout *l, const unsigned char *raw, size_t first,
                             size_t count, unsigned char *out);

/* The most SubIFDs of a page taken as levels. */
#define TPROC__TIFF_MAX_SUBIFDS 64

/*
 * One page or level of a TIFF open for decoding: tiff_read.c opens the file and selects the
 * image, tiff_region.c reads the rows of its window (see there).
 */
typedef struct tproc__tiff_reader {
    tproc__tiff_io io;
    tproc_ctx *ctx;
    const char *name;
    TIFF *tif;
    tproc__tiff_layout l;
    uint32_t width, height; /* the stored image */
    uint32_t x, y, w, h;    /* the window handed out: a region, or the whole image */
    int mode, tiled, planes;
    uint32_t tw, th;        /* tile size (tiled), else th is the rows per strip */
    uint32_t band_x;        /* the first column a band holds (x at a tile's left edge) */
    size_t raw_bytes;       /* r->raw: one raw row (scanlines), or the window's pixels of one
                             * row with the planes interleaved (separate planes) */
    size_t plane_row_bytes; /* one row of one plane in the band */
    uint32_t band_rows;     /* rows a band holds: a strip's or a tile row's */
    uint32_t band_first;    /* first row of the band held; band_valid: whether one is */
    int band_valid;
    uint32_t scan_next; /* scanlines: the row libtiff's scanline reader is at */
    unsigned char *band, *block, *raw;
    size_t block_bytes;
    TIFFRGBAImage rgba;
    int rgba_open;
    size_t next_row; /* rows of the window handed out */
    int failed;
    /* The page and level walk (tiff_read.c). */
    int pages, levels, page_dir;
    int subifds;
    toff_t subifd[TPROC__TIFF_MAX_SUBIFDS];
} tproc__tiff_reader;

/* Records libtiff's last error about the reader's file as a corrupt file; sets r->failed. */
int tproc__tiff_reader_fail(tproc__tiff_reader *r, const char *doing);
/* Sets the window to region (width 0: the whole image; a range error about the file if it
 * reaches outside), chooses how rows are read and allocates what that needs. */
int tproc__tiff_reader_start(tproc__tiff_reader *r, const tproc_rect *region);
/* The decoder's read_rows: the window's next count rows (state: the reader). */
int tproc__tiff_read_rows(void *state, unsigned char *first, ptrdiff_t stride, size_t count);

/* The codec's entry points (tiff_read.c, tiff_write.c). */
tproc__info_fn tproc__tiff_info;
tproc__decoder_open_fn tproc__tiff_decoder_open;
tproc__encoder_open_fn tproc__tiff_encoder_open;

/* --- tiles compressed by us on worker threads (tiff_tiles.c) ----------------------------- */

/* How the writer's tiles are compressed. */
typedef struct tproc__tiff_tile_codec {
    uint16_t compression, predictor;
    int quality;          /* JPEG */
    tproc_format stored;  /* channels and sample of the stored pixels */
    size_t pixel;         /* bytes of one */
    uint32_t tw, th;      /* tile size */
    tproc_save_options save; /* JPEG tiles' encoder options, resolved */
} tproc__tiff_tile_codec;

/* Whether tiff_tiles.c compresses tiles of this kind itself (JPEG of u8 gray or RGB; deflate
 * of u8 or u16 with no or the horizontal predictor); libtiff does the rest. */
int tproc__tiff_tiles_ours(uint16_t compression, uint16_t predictor, const tproc_format *stored);
/* The rows a level gathers before handing them to the workers: a tile row, or 16 rows for the
 * JPEG encoders kept open across a tile row. */
uint32_t tproc__tiff_tiles_band_rows(const tproc__tiff_tile_codec *c);

/* One worker's buffers: a packed tile, and a deflate state and output buffer made when first
 * needed. */
typedef struct tproc__tiff_scratch {
    unsigned char *tile;
    unsigned char *out;
    struct libdeflate_compressor *deflater;
} tproc__tiff_scratch;
void tproc__tiff_scratch_free(tproc_ctx *ctx, tproc__tiff_scratch *s);

typedef struct tproc__tiff_tile {
    unsigned char *data; /* tproc__alloc'd */
    size_t size;
} tproc__tiff_tile;

typedef struct tproc__tiff_tile_encoder {
    tproc__encoding enc;
    tproc__output out;
    int open;
    uint32_t fed; /* the level's rows this tile column has taken (under the row's lock) */
} tproc__tiff_tile_encoder;

/* The most bands of a level in flight. */
#define TPROC__TIFF_MAX_SLOTS 4

/* One band of a level in the pool's hands: rows [first, first + rows), and the tiles of the
 * tile row when this band completes it. */
typedef struct tproc__tiff_band_job {
    tproc__batch batch;
    struct tproc__tiff_tile_row *row;
    unsigned char *band;
    uint32_t first, rows;
    int pending;             /* submitted and not yet written */
    tproc__tiff_tile *tiles; /* [count] */
    /* Deflate: the tiles already written, in order, by the items as they finish (under the
     * tile row's lock), and where to. */
    uint32_t written;
    TIFF *tif;
    tproc__tiff_io *io;
    /* The band's rows 2x2-reduced for the next pyramid level, by the pool too (the first
     * `reducing` items of the batch, one per pair of rows): (rows + 1) / 2 of them. */
    unsigned char *reduced;
    uint32_t reducing;
} tproc__tiff_band_job;

/* Takes the rows a level's band reduced to, in order, once the band is written: they are the
 * next level's rows. */
typedef int (*tproc__tiff_rows_fn)(void *user, const unsigned char *rows, uint32_t count);

/* A level's tiles in the making: bands go round `slots` buffers, each compressed (or fed to the
 * tile row's open JPEG encoders) by the pool while the next bands fill; the tile rows are
 * written in order as their last band is waited for. */
typedef struct tproc__tiff_tile_row {
    int open; /* initialised (and not yet freed) */
    tproc_ctx *ctx;
    const char *name;
    const tproc__tiff_tile_codec *codec;
    tproc__tiff_scratch *scratch;  /* one per worker */
    uint32_t width, height, count; /* the level's size; tiles across */
    size_t row_bytes;
    tproc__tiff_tile_encoder *encoders; /* [count] open JPEG encoders */
    /* A JPEG band's item for a column waits until the band before has been fed to it. */
    pthread_mutex_t lock;
    pthread_cond_t fed;
    int failed; /* a band failed or the level is dropped: nothing waits any more */
    tproc__tiff_band_job job[TPROC__TIFF_MAX_SLOTS];
    int slots, current;
    /* The next pyramid level's width (0: none) and row size, and who takes its rows. */
    uint32_t below_width;
    size_t below_row_bytes;
    tproc__tiff_rows_fn below;
    void *below_user;
} tproc__tiff_tile_row;

/* For a level of width x height: its band buffers (band_rows rows each), tile arrays and
 * encoders. With below (the next pyramid level, below_width wide), every band is also reduced
 * 2x2 on the pool, and its reduced rows handed to below in order as the band is written. */
int tproc__tiff_tile_row_init(tproc_ctx *ctx, const char *name, const tproc__tiff_tile_codec *c,
                              tproc__tiff_scratch *scratch, uint32_t width, uint32_t height,
                              uint32_t below_width, tproc__tiff_rows_fn below, void *below_user,
                              tproc__tiff_tile_row *r);
/* The 2x2 mean of rows a and b (the same row at the bottom edge) of in_w pixels of format f
 * into out, out_w wide (tiff_write.c). */
void tproc__tiff_average_rows(const tproc_format *f, const unsigned char *a, const unsigned char *b,
                              uint32_t in_w, uint32_t out_w, unsigned char *out);
/* Where the level's next rows go (band_rows of them, row_bytes apart). */
unsigned char *tproc__tiff_tile_row_band(tproc__tiff_tile_row *r);
/* Hands the current band (rows [first, first + rows)) to the pool and moves to the next
 * buffer, first waiting for the band it held and writing the tile row that band completed,
 * if any. With one slot (deflate) that is the band just submitted. */
int tproc__tiff_tile_row_flush(tproc__workers *p, tproc__tiff_tile_row *r, TIFF *tif,
                               tproc__tiff_io *io, uint32_t first, uint32_t rows);
/* Waits for every band in flight and writes their tiles, in order. */
int tproc__tiff_tile_row_drain(tproc__workers *p, tproc__tiff_tile_row *r, TIFF *tif,
                               tproc__tiff_io *io);
/* Drops a level (what is in flight finishes or is skipped first). */
void tproc__tiff_tile_row_free(tproc__workers *p, tproc__tiff_tile_row *r);

#endif /* TILEPROC_TIFF_CODEC_H */
