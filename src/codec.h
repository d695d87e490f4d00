/* SPDX-License-Identifier: MIT */
/*
 * codec.h: the codec table. Every file format tileproc reads or writes is one tproc__codec
 * descriptor, listed once in codecs.def; detection by magic bytes, extensions, names, header
 * info, decoding (for tproc_load and for streamed sources alike) and encoding (for tproc_save
 * and for file sinks alike) all go through the table, so adding a format is one codec file,
 * one TPROC_CODEC line in codecs.def and its sources in CMakeLists.txt.
 *
 * A decoder hands out rows top to bottom; an encoder takes them top to bottom. Both keep their
 * codec library's state between calls, so every call that enters the library sets its own
 * error trap (setjmp for libpng/libjpeg) inside the codec's files. Every error a codec records
 * is about the file (tproc__error_file with the input's or output's name) and nothing is
 * printed.
 */
#ifndef TILEPROC_CODEC_H
#define TILEPROC_CODEC_H

#include "io_internal.h"

/* What a decoder is asked for. Zero-initialise and set what you need: fields will be added
 * (region, page, pyramid level, colour policy), and zero always means the plain default. */
typedef struct tproc__decode_request {
    int strict;      /* data the codec library calls corrupt but recoverable is an error */
    int scale_denom; /* 0 or 1: full size; 2, 4, 8: a reduced decode (codecs with scales) */
    /*
     * 1: the caller reads every row into memory it holds (a load, or a stream that holds the
     * whole input). The decoder then decodes nothing at open, even when rows cannot come one
     * at a time (an Adam7 PNG must then be read in one call), and data that ends early decodes
     * as the codec library makes it up (a JPEG's grey rows), since the caller's memory bounds
     * it. 0: rows are streamed, so a decoder that cannot stream decodes the whole image at
     * open into memory of its own, and data that ends early is an error where it ends.
     */
    int whole;
    int page, level; /* multi-image codecs (pages set): which page and resolution level */
    /*
     * Width 0: the whole image. Otherwise only this rectangle of the stored image (at the
     * decode's scale, in stored coordinates, inside the image): the decoder's format is its
     * size and its rows are its rows. Open decoders through tproc__decoder_open, which cuts
     * the region out of full rows for a codec that doesn't (see region.c): a codec with
     * .regions crops natively where it can and sets region_done, else leaves the request to
     * the layer and must then still hand its rows out any number at a time.
     */
    tproc_rect region;
} tproc__decode_request;

typedef struct tproc__decoder {
    tproc_format format; /* what read_rows delivers: rows as stored (before orientation) */
    int orientation;     /* EXIF orientation 1-8 from the header (1 if none) */
    /* 1 when rows cannot come one at a time (Adam7 PNG, progressive JPEG): read_rows still
     * works, but for a streamed request the codec had to decode the whole image at open, so it
     * already holds whole_bytes. whole_reason says why ("a progressive JPEG"). */
    int whole_image;
    const char *whole_reason;
    size_t whole_bytes;     /* bytes the codec holds for a whole_image decode (0 otherwise) */
    int region_done;        /* the codec cropped to request->region itself */
    /* Random access: the stored image is in tiles of this size (a tiled TIFF), any of which
     * a region request decodes at about its own cost, in any order; 0 when not. */
    ptrdiff_t tile_width, tile_height;
    const void *icc, *exif; /* metadata seen before the first row (NULL if none) */
    size_t icc_size, exif_size;
    int cmyk;          /* 1: read_rows delivers ink, 4 samples C,M,Y,K per pixel (format has 4
                        * channels, u8 or u16); the codec layer turns them into RGB */
    int cmyk_inverted; /* Adobe/Photoshop inverted CMYK: the maximum sample means no ink */
    void *state;
    /* Decodes the next count rows into first, first + stride, ... (packed pixels of format).
     * Returns TPROC_OK or a status with the message recorded (naming the input). */
    int (*read_rows)(void *state, unsigned char *first, ptrdiff_t stride, size_t count);
    /* Optional (the colour step, when it converts rows in place): read_rows without the
     * per-pixel colour conversion, and that conversion alone, so that a caller can convert
     * rows on other threads while the decoder goes on (exec.c). convert_rows is safe from any
     * thread, on any rows read_raw delivered, in any order, while read_raw reads other rows;
     * read_raw then convert_rows gives read_rows' bytes. */
    int (*read_raw)(void *state, unsigned char *first, ptrdiff_t stride, size_t count);
    void (*convert_rows)(void *state, unsigned char *first, ptrdiff_t stride, size_t count);
    /* Optional: after the last row, metadata that came after the image data (a PNG's late
     * eXIf) updates icc and exif. */
    void (*trailer)(void *state, struct tproc__decoder *dec);
    /* Frees everything; safe after a failure and before all rows were read. */
    void (*close)(void *state);
} tproc__decoder;

typedef struct tproc__encoder {
    void *state;
    /* Encodes the next rows (the view's rows, top to bottom; any strides). */
    int (*write_rows)(void *state, const tproc_view *rows);
    /* Writes the trailer after the last row; the output is complete after this. */
    int (*finish)(void *state);
    /* Frees everything; safe after a failure and before finish. */
    void (*close)(void *state);
    /* 1: rows are only gathered until a band much taller than a strip (a row of tiles) or the
     * whole image is there, then encoded: a stream does not write such an encoder behind, where
     * its thread would mostly copy rows for the price of a strip of memory (write_behind.c). */
    int gathers;
} tproc__encoder;

/*
 * A reusable encoder of many small whole images with the same options (pyramid tiles), one per
 * thread: the codec's settings are made once, and its library takes each image's rows where
 * they lie. encode writes one image (u8, the channels given at open, any row stride) onto out.
 */
typedef struct tproc__tile_encoder {
    void *state;
    int (*encode)(void *state, const tproc_view *view, tproc__output *out);
    void (*close)(void *state);
} tproc__tile_encoder;

/* A codec's entry points (declare a codec's functions with these types). */
typedef int tproc__info_fn(tproc_ctx *ctx, tproc__input *in, tproc_info *info);
typedef int tproc__decoder_open_fn(tproc_ctx *ctx, tproc__input *in,
                                   const tproc__decode_request *request, tproc__decoder *out);
typedef int tproc__encoder_open_fn(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                                   const tproc_save_options *options, tproc__encoder *enc);
/* options resolved, with the profile for the channels already chosen; name is for messages. */
typedef int tproc__tile_encoder_open_fn(tproc_ctx *ctx, const char *name, int channels,
                                        const tproc_save_options *options,
                                        tproc__tile_encoder *out);

/* Bytes detection reads from the start of a file: enough for every codec's sniff. */
#define TPROC__SNIFF_BYTES 16

typedef struct tproc__codec {
    const char *name;              /* "png": tproc_file_format_name(), --format */
    const char *label;             /* "PNG": in messages and `tileproc info` */
    tproc_file_format format;      /* its value in the public enum */
    const char *const *extensions; /* NULL-terminated, without the dot; the first is for
                                    * naming outputs ("jpg") */
    int scales;                    /* decodes at 1/2, 1/4, 1/8 (scale_denom) */
    int pages;                     /* has pages and levels (decode_request page, level) */
    int regions;                   /* may crop to tproc__decode_request.region natively */
    /* Whether the first n bytes (n <= TPROC__SNIFF_BYTES, fewer for a short file) are this
     * format's magic: the only place the format's signature is written. */
    int (*sniff)(const unsigned char *head, size_t n);
    /* The header, without decoding pixels; in is at the first byte. info is zeroed. */
    tproc__info_fn *info;
    /* A decoder on in (at the first byte). request may be NULL for the defaults. */
    tproc__decoder_open_fn *decoder_open;
    /* Changes *format (channels, sample) to what encoder_open takes for an image of it. */
    void (*encodable)(tproc_format *format);
    /* An encoder for an image of format (already encodable) onto out; options as tproc_save's
     * after tproc__save_options_resolve. Called through tproc__encoder_open only, which has
     * zeroed *enc and checked the format: width and height >= 1, 1-4 channels, a known sample
     * type, and a row's bytes (width x pixel) within size_t. */
    tproc__encoder_open_fn *encoder_open;
    /* Its save options: defaults sets the fields this codec reads to their defaults (for
     * tproc_save_options_init); resolve turns "unset" values (0, -1) into those defaults and
     * checks their ranges, naming the output on failure. Either may be NULL. */
    void (*save_defaults)(tproc_save_options *options);
    int (*save_resolve)(tproc_ctx *ctx, const char *name, tproc_save_options *options);
    /* Optional: a tile encoder for u8 images of 1-4 channels (what encodable leaves u8 with
     * the same channels), for codecs whose encoder_open costs much per image. Without it,
     * tiles go through encoder_open one by one (tproc__tile_writer). */
    tproc__tile_encoder_open_fn *tile_encoder_open;
} tproc__codec;

/* tproc_save's format: options->format, else from path's extension; an error about path if
 * neither says. */
int tproc__save_format_from_name(tproc_ctx *ctx, const char *path, tproc_save_options *o);

/* The table (codec.c, from codecs.def), in codecs.def's order. */
size_t tproc__codec_count(void);
const tproc__codec *tproc__codec_at(size_t index);
/* The codec of a format, or NULL when this build has none. */
const tproc__codec *tproc__codec_of(tproc_file_format format);
/* The codec whose magic the bytes start with, or NULL. */
const tproc__codec *tproc__codec_sniff(const void *head, size_t n);
/*
 * Reads the first bytes of an input, goes back to its start and finds the codec. Errors
 * (about the input): an empty input, a read failure, or no codec recognising it ("not a PNG
 * or JPEG file", from the table's labels).
 */
int tproc__codec_detect(tproc_ctx *ctx, tproc__opened_input *o, const tproc__codec **out);

/*
 * Opens codec's decoder on in for request (NULL: the defaults), with its region, if any, read
 * natively by the codec or cut here from full rows: rows above the region are decoded and
 * dropped, rows below it are never decoded. A region reaching outside the image is an error
 * about the input. This is how decoders are opened (source.c).
 */
int tproc__decoder_open(const tproc__codec *codec, tproc_ctx *ctx, tproc__input *in,
                        const tproc__decode_request *request, tproc__decoder *out);

/*
 * Opens codec's encoder on out for an image of format: zeroes *enc, refuses a format no encoder
 * takes (see tproc__codec.encoder_open) naming the output, then calls the codec's. This is how
 * encoders are opened (tproc__encoding_begin).
 */
int tproc__encoder_open(const tproc__codec *codec, tproc_ctx *ctx, tproc__output *out,
                        const tproc_format *format, const tproc_save_options *options,
                        tproc__encoder *enc);

/*
 * Whether a region (width > 0) lies inside a width x height image: TPROC_OK, else a range error
 * about the input name ("the region ... reaches outside the ... image"). For codecs that take
 * regions natively; tproc__decoder_open checks the others.
 */
int tproc__region_check(tproc_ctx *ctx, const char *name, const tproc_rect *region, ptrdiff_t width,
                        ptrdiff_t height);

/*
 * What every decoder_open does first: refuse a NULL decoder, zero it, and take the request
 * (the defaults for NULL) into *q with scale_denom 1 for full size; label names a codec that
 * cannot scale, whose request must then be at full size.
 */
int tproc__decoder_prepare(tproc_ctx *ctx, tproc__input *in, const tproc__decode_request *request,
                           tproc__decoder *out, const char *label, tproc__decode_request *q);

/*
 * Decoders' shared read_rows checks: refuse after a failure, past the last row or without
 * memory; copy rows out of a whole-image decode (whole not NULL), advancing *next_row.
 * Returns a status, or TPROC__DECODE_ROWS when the caller must decode the count rows itself
 * (and advance *next_row).
 */
#define TPROC__DECODE_ROWS 1
int tproc__decoder_rows(tproc_ctx *ctx, const char *name, int failed, size_t *next_row,
                        size_t height, const unsigned char *whole, size_t row_bytes,
                        unsigned char *first, ptrdiff_t stride, size_t count);

/* Encoders' shared write_rows checks: refuse after a failure or the trailer, rows that are not
 * valid views of the format, or more rows than are left. */
int tproc__encoder_rows(tproc_ctx *ctx, const char *name, int failed, int finished,
                        const tproc_format *format, ptrdiff_t rows_done, const tproc_view *rows);
/* Encoders' shared finish checks: not after a failure or the trailer, and every row given. */
int tproc__encoder_finishing(tproc_ctx *ctx, const char *name, int failed, int finished,
                             const tproc_format *format, ptrdiff_t rows_done);

/*
 * Encoding through the table, converting rows the encoder cannot take as they are: an
 * encoding is begun with the format of the rows to come, given rows top to bottom (any
 * strides), finished, and closed (always, also after a failure). sink.c feeds it strips of a
 * run; tproc__encode_view() a whole view.
 */
typedef struct tproc__encoding {
    tproc_ctx *ctx;
    const tproc__codec *codec;
    tproc__output *out;
    tproc_format format;  /* the rows given */
    tproc_format encoded; /* what the encoder takes */
    tproc__encoder enc;
    int open;
    tproc_image *convert; /* a strip in the encoder's format, when the rows' format differs */
} tproc__encoding;

/* options must be resolved (tproc__save_options_resolve) and name a codec. */
int tproc__encoding_begin(tproc_ctx *ctx, tproc__output *out, const tproc_format *format,
                          const tproc_save_options *options, tproc__encoding *e);
int tproc__encoding_write(tproc__encoding *e, const tproc_view *rows);
/* Writes the trailer and flushes the output. */
int tproc__encoding_finish(tproc__encoding *e);
void tproc__encoding_close(tproc__encoding *e);
/* All of view through one encoding (options: tproc_save's, NULL for the defaults). */
int tproc__encode_view(tproc_ctx *ctx, const tproc_view *view, tproc__output *out,
                       const tproc_save_options *options);

/*
 * Many small images through one codec and options, one tproc__tile_writer per thread: the codec's
 * tile encoder when it has one for the images' format, else an encoding each; the encoded
 * bytes go into a buffer kept from image to image. begin takes unresolved save options (as
 * tproc_save's); encode leaves the image's bytes in *data, *size, valid until the next call.
 */
typedef struct tproc__tile_writer {
    tproc_ctx *ctx;
    tproc_save_options options; /* resolved */
    tproc__output out;
    tproc__tile_encoder enc;
    int channels; /* what enc takes */
    int open;
} tproc__tile_writer;

int tproc__tile_writer_begin(tproc_ctx *ctx, const char *name, const tproc_save_options *options,
                             int channels, tproc__tile_writer *t);
int tproc__tile_writer_encode(tproc__tile_writer *t, const tproc_view *view, const void **data,
                              size_t *size);
void tproc__tile_writer_end(tproc__tile_writer *t);

#endif /* TILEPROC_CODEC_H */
