/* SPDX-License-Identifier: MIT */
/*
 * png_codec.h: what the PNG codec's files share (png_codec.c: the descriptor and libpng's error
 * callbacks; png_read.c: decoding; png_write.c: encoding).
 *
 * libpng reports errors by longjmp; every setjmp is in png_read.c and png_write.c, in each
 * function that enters libpng (a decoder's state outlives the calls, so each call sets its
 * own), and each failure becomes an error about the file with libpng's text as the cause.
 * Nothing is printed. After a failure the libpng state is not touched again: later calls
 * return the failure's status.
 */
#ifndef TILEPROC_PNG_CODEC_H
#define TILEPROC_PNG_CODEC_H

#include <png.h>

#include "codec.h"

/* zlib's level when the save options leave it unset. */
#define TPROC__PNG_DEFAULT_COMPRESSION 6

/* libpng's own default user limit on width and height; we never raise it when reading. */
#define TPROC__PNG_MAX_DIMENSION 1000000u

/* What the error and warning callbacks record; the first member of reader and writer. */
typedef struct tproc__png_diag {
    int status;        /* status the failure maps to; 0: classify from the text */
    int recorded;      /* the error is already in the context (a failed output write) */
    char cause[200];   /* libpng's (or our callback's) message for the failure */
    char warning[200]; /* the last warning */
    const char *stage; /* what we were doing, for messages ("" or ends in ": ") */
} tproc__png_diag;

/* libpng's error and warning callbacks; the error pointer is the tproc__png_diag. */
void tproc__png_on_error(png_structp png, png_const_charp message);
void tproc__png_on_warning(png_structp png, png_const_charp message);
/* Records the failure libpng reported through on_error (about file name) and returns its
 * status; fallback when neither the callbacks nor the text say. */
int tproc__png_fail(tproc_ctx *ctx, const char *name, tproc__png_diag *d, int fallback);
/* u16 samples are native-endian in tileproc, big-endian in a PNG. */
int tproc__png_little_endian(void);

/* The codec's entry points (png_read.c, png_write.c); the encoder takes u8 or u16, 1-4
 * channels. */
tproc__info_fn tproc__png_info;
tproc__decoder_open_fn tproc__png_decoder_open;
tproc__encoder_open_fn tproc__png_encoder_open;

#endif /* TILEPROC_PNG_CODEC_H */
