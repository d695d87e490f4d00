/* SPDX-License-Identifier: MIT */
/*
 * jpeg_codec.h: what the JPEG codec's files share (jpeg_codec.c: the descriptor and the error
 * manager; jpeg_read.c: decoding; jpeg_write.c: encoding), through libjpeg(-turbo)'s classic
 * API.
 *
 * libjpeg reports fatal errors by calling error_exit, which must not return: ours longjmps back
 * into tproc__jpeg_protect(), the codec's only setjmp, which every libjpeg call made by the
 * codec runs under (a decoder or encoder lives across calls, so each call runs its libjpeg
 * work through it anew). Warnings (recoverable corrupt data) are counted and their first text
 * kept, never printed; a strict decode turns the first one into an error.
 */
#ifndef TILEPROC_JPEG_CODEC_H
#define TILEPROC_JPEG_CODEC_H

#include <setjmp.h>
#include <stdio.h>

#include <jpeglib.h>

#include "codec.h"

/* The quality when the save options leave it unset (0). */
#define TPROC__JPEG_DEFAULT_QUALITY 90
/* Bytes moved per read or write callback. */
#define TPROC__JPEG_BUFFER 16384

/* Why a libjpeg call was abandoned when libjpeg's own message code doesn't say it. */
typedef enum tproc__jpeg_cause {
    TPROC__JPEG_CAUSE_LIBJPEG = 0, /* error_exit with libjpeg's message */
    TPROC__JPEG_CAUSE_READ,        /* the input failed (tproc__input.error) */
    TPROC__JPEG_CAUSE_WRITE,       /* the output failed (tproc__output.status, recorded) */
    TPROC__JPEG_CAUSE_SCANS,       /* too many progressive scans */
    TPROC__JPEG_CAUSE_STRICT       /* a warning in strict mode, or data ending in a stream */
} tproc__jpeg_cause;

typedef struct tproc__jpeg_errors {
    struct jpeg_error_mgr pub; /* first, so libjpeg's pointer is ours */
    jmp_buf jump;
    tproc__jpeg_cause cause;
    int strict;                    /* the first warning is fatal */
    int stop_when_data_ends;       /* running out of data is fatal (streamed rows) */
    char message[JMSG_LENGTH_MAX]; /* text of the fatal error */
    char warning[JMSG_LENGTH_MAX]; /* text of the first warning */
} tproc__jpeg_errors;

/* Sets up err as cinfo's error manager (before jpeg_create_*). */
void tproc__jpeg_errors_init(tproc__jpeg_errors *err, j_common_ptr cinfo);
/* Leaves the current libjpeg call through error_exit for a reason of our own. */
void tproc__jpeg_abandon(j_common_ptr cinfo, tproc__jpeg_cause cause, int code);

typedef int (*tproc__jpeg_step_fn)(void *state);
/* tproc__jpeg_protect's result when libjpeg left through error_exit (never a tproc status). */
#define TPROC__JPEG_LONGJMP 1
/*
 * Runs step under setjmp. The locals there are never modified after setjmp, and the state the
 * step changes lives in the caller's objects, so nothing is indeterminate after a longjmp.
 * Returns step's status, or TPROC__JPEG_LONGJMP when libjpeg bailed out (see err).
 */
int tproc__jpeg_protect(tproc__jpeg_errors *err, tproc__jpeg_step_fn step, void *state);

/* The context's limit minus what is in use, as libjpeg's max_memory_to_use (0 = none). */
long tproc__jpeg_memory_budget(tproc_ctx *ctx);

/* The source manager (jpeg_source.c): libjpeg reads in through it from a tproc__input. */
typedef struct tproc__jpeg_source {
    struct jpeg_source_mgr pub; /* first, so libjpeg's pointer is ours */
    tproc__input *in;
    int started; /* some data was read */
    int eof;     /* the data ended before EOI and a fake EOI was inserted */
    JOCTET buffer[TPROC__JPEG_BUFFER];
} tproc__jpeg_source;

/* Makes src cinfo's source, reading in from its current position. */
void tproc__jpeg_source_init(tproc__jpeg_source *src, tproc__input *in, j_decompress_ptr cinfo);

/* The codec's entry points (jpeg_read.c, jpeg_write.c); the encoder takes u8 gray or RGB. */
tproc__info_fn tproc__jpeg_info;
tproc__decoder_open_fn tproc__jpeg_decoder_open;
tproc__encoder_open_fn tproc__jpeg_encoder_open;

#endif /* TILEPROC_JPEG_CODEC_H */
