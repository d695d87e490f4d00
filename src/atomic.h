/* SPDX-License-Identifier: MIT */
/*
 * atomic.h: files replaced atomically. tproc__atomic_open() creates "<dir>/.<base>.tmp-XXXXXX"
 * beside path (beside the file a symbolic link names), with the mode of the file it replaces
 * or that of a new file; tproc__atomic_commit() with TPROC_OK flushes it to disk and renames
 * it over the target, with an error status removes it. Either way it returns the final status.
 * Errors are about path.
 */
#ifndef TILEPROC_ATOMIC_H
#define TILEPROC_ATOMIC_H

#include <stdio.h>

#include "internal.h"

typedef struct tproc__atomic_file {
    const char *name; /* the path as given, for messages */
    char *target;     /* where it goes */
    char *tmp;        /* where it is written */
    FILE *fp;
} tproc__atomic_file;

int tproc__atomic_open(tproc_ctx *ctx, const char *path, tproc__atomic_file *file);
int tproc__atomic_commit(tproc_ctx *ctx, tproc__atomic_file *file, int status);

#endif /* TILEPROC_ATOMIC_H */
