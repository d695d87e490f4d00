/* SPDX-License-Identifier: MIT */
/*
 * pyramid_out.c: where a pyramid's files go. In a directory tree, the tiles are written
 * under a temporary directory beside the target (".NAME_files.tmp-XXXXXX"), renamed into
 * place when the run succeeds, and the top-level files (NAME.dzi, NAME.html) are written
 * after that through atomic replacement, so a viewer never finds a .dzi whose tiles are
 * missing; a failure removes the temporary tree. In a zip, every file is an entry under
 * NAME/ (as vips writes it) of a zip written under a temporary name and renamed likewise.
 * Existing targets are refused before any work unless forced.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"
#include "pyramid_internal.h"

#define TOP_FILES 2

struct tproc__pyramid_out {
    tproc_ctx *ctx;
    const tproc__pyramid_geom *g;
    pthread_mutex_t lock;
    int force;
    /* fs: the one top-level directory, and files kept for after its rename */
    char top[TPROC__PYRAMID_NAME_MAX + 8]; /* "NAME_files" or "NAME" */
    char *target, *tmp;
    tproc__pyramid_file files[TOP_FILES];
    int file_count;
    /* zip */
    char *zip_path;
    tproc__atomic_file zip_file;
    tproc__zip *zip;
};

/* dir + name + suffix, malloc'd. */
static char *join(const tproc__pyramid_geom *g, const char *name, const char *suffix)
{
    size_t len = strlen(g->dir) + strlen(name) + strlen(suffix) + 1;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%s%s%s", g->dir, name, suffix);
    return s;
}

static int refuse_existing(tproc_ctx *ctx, const tproc__pyramid_geom *g, const char *suffix,
                           int force)
{
    struct stat st;
    char *path = join(g, g->name, suffix);
    if (!path)
        return tproc__error(ctx, TPROC_ERR_NOMEM, "out of memory");
    int status = TPROC_OK;
    if (!force && lstat(path, &st) == 0)
        status = tproc__error_file(ctx, TPROC_ERR_IO, path,
                                   "already exists (force replaces it: --force)");
    free(path);
    return status;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* rm -rf, for our own temporary trees and a replaced pyramid. */
static void remove_tree(const char *path)
{
    nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

int tproc__pyramid_out_open(tproc_ctx *ctx, const tproc__pyramid_geom *g, tproc__pyramid_out **out)
{
    int zip = g->o.container == TPROC_PYRAMID_ZIP, dz = g->o.layout == TPROC_PYRAMID_DZ;
    int force = g->o.force, status = TPROC_OK;
    if (zip)
        status = refuse_existing(ctx, g, ".zip", force);
    else if (dz && !(status = refuse_existing(ctx, g, ".dzi", force)))
        status = refuse_existing(ctx, g, "_files", force);
    else if (!dz)
        status = refuse_existing(ctx, g, "", force);
    if (!status && g->o.viewer_script)
        status = refuse_existing(ctx, g, ".html", force);
    if (status)
        return status;
    void *p;
    if ((status = tproc__alloc(ctx, sizeof(tproc__pyramid_out), "pyramid output", &p)))
        return status;
    tproc__pyramid_out *o = p;
    o->ctx = ctx;
    o->g = g;
    o->force = force;
    pthread_mutex_init(&o->lock, NULL);
    snprintf(o->top, sizeof o->top, "%s%s", g->name, dz ? "_files" : "");
    if (zip) {
        o->zip_path = join(g, g->name, ".zip");
        if (!o->zip_path)
            status = tproc__error(ctx, TPROC_ERR_NOMEM, "out of memory");
        else if (!(status = tproc__atomic_open(ctx, o->zip_path, &o->zip_file)))
            status = tproc__zip_new(ctx, o->zip_file.fp, o->zip_path, &o->zip);
    } else {
        char hidden[TPROC__PYRAMID_NAME_MAX + 32];
        snprintf(hidden, sizeof hidden, ".%s.tmp-XXXXXX", o->top);
        o->target = join(g, o->top, "");
        o->tmp = join(g, hidden, "");
        if (!o->target || !o->tmp)
            status = tproc__error(ctx, TPROC_ERR_NOMEM, "out of memory");
        else if (!mkdtemp(o->tmp))
            status = tproc__error_file(ctx, TPROC_ERR_IO, o->target,
                                       "cannot create a directory beside it: %s", strerror(errno));
        if (!status) { /* mkdtemp makes it 0700: give what mkdir would */
            mode_t mask = umask(0);
            umask(mask);
            chmod(o->tmp, 0777 & ~mask);
        } else if (o->tmp) {
            free(o->tmp);
            o->tmp = NULL;
        }
    }
    if (status) {
        tproc__pyramid_out_close(o, status);
        return status;
    }
    *out = o;
    return TPROC_OK;
}

/* Creates the directories of path (a file's path) under base. */
static int make_parents(char *full, size_t from)
{
    for (char *s = full + from; (s = strchr(s, '/')) != NULL; s++) {
        *s = '\0';
        int ok = mkdir(full, 0777) == 0 || errno == EEXIST;
        *s = '/';
        if (!ok)
            return -1;
    }
    return 0;
}

static int write_file(tproc__pyramid_out *o, const char *rest, const void *data, size_t size)
{
    size_t base = strlen(o->tmp), len = base + 1 + strlen(rest) + 1;
    char *full = malloc(len);
    if (!full)
        return tproc__error(o->ctx, TPROC_ERR_NOMEM, "out of memory");
    snprintf(full, len, "%s/%s", o->tmp, rest);
    int status = TPROC_OK, fd = -1;
    if (make_parents(full, base + 1) != 0 ||
        (fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, 0666)) < 0) {
        status = tproc__error_file(o->ctx, TPROC_ERR_IO, o->target, "cannot write %s: %s", rest,
                                   strerror(errno));
    } else {
        const char *p = data;
        for (size_t done = 0; done < size && !status;) {
            ssize_t n = write(fd, p + done, size - done);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                status = tproc__error_file(o->ctx, TPROC_ERR_IO, o->target, "cannot write %s: %s",
                                           rest, n < 0 ? strerror(errno) : "no space");
            else
                done += (size_t)n;
        }
        if (close(fd) != 0 && !status)
            status = tproc__error_file(o->ctx, TPROC_ERR_IO, o->target, "cannot write %s: %s",
                                       rest, strerror(errno));
    }
    free(full);
    return status;
}

int tproc__pyramid_out_add(tproc__pyramid_out *o, const char *path, const void *data, size_t size)
{
    if (o->zip) {
        char entry[TPROC__PYRAMID_NAME_MAX * 3];
        int dz = o->g->o.layout == TPROC_PYRAMID_DZ;
        snprintf(entry, sizeof entry, "%s%s%s", dz ? o->g->name : "", dz ? "/" : "", path);
        pthread_mutex_lock(&o->lock);
        int status = tproc__zip_add(o->zip, entry, data, size);
        pthread_mutex_unlock(&o->lock);
        return status;
    }
    size_t top = strlen(o->top);
    if (strncmp(path, o->top, top) == 0 && path[top] == '/')
        return write_file(o, path + top + 1, data, size);
    /* A top-level file: kept until the tree is in place. */
    pthread_mutex_lock(&o->lock);
    int status = TPROC_OK;
    if (o->file_count == TOP_FILES || strlen(path) >= sizeof o->files[0].path)
        status = tproc__error(o->ctx, TPROC_ERR_STATE, "pyramid: unexpected file %s", path);
    else if ((o->files[o->file_count].text = malloc(size + 1)) == NULL)
        status = tproc__error(o->ctx, TPROC_ERR_NOMEM, "out of memory");
    if (!status) {
        tproc__pyramid_file *f = &o->files[o->file_count++];
        memcpy(f->text, data, size);
        f->text[size] = '\0';
        snprintf(f->path, sizeof f->path, "%s", path);
    }
    pthread_mutex_unlock(&o->lock);
    return status;
}

/* Moves the finished tree into place, the old one (when forced) aside and then away. */
static int place_tree(tproc__pyramid_out *o)
{
    struct stat st;
    char *old = NULL;
    if (lstat(o->target, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            unlink(o->target);
        } else {
            char hidden[TPROC__PYRAMID_NAME_MAX + 32];
            snprintf(hidden, sizeof hidden, ".%s.old-XXXXXX", o->top);
            old = join(o->g, hidden, "");
            if (!old || !mkdtemp(old) || rename(o->target, old) != 0) {
                int err = errno;
                free(old);
                return tproc__error_file(o->ctx, TPROC_ERR_IO, o->target,
                                         "cannot move the old pyramid aside: %s", strerror(err));
            }
        }
    }
    int status = TPROC_OK;
    if (rename(o->tmp, o->target) != 0) {
        status = tproc__error_file(o->ctx, TPROC_ERR_IO, o->target, "cannot rename into place: %s",
                                   strerror(errno));
        if (old)
            rename(old, o->target);
    } else if (old) {
        remove_tree(old);
    }
    free(old);
    return status;
}

static int write_top_files(tproc__pyramid_out *o)
{
    int status = TPROC_OK;
    for (int i = 0; i < o->file_count && !status; i++) {
        char *path = join(o->g, o->files[i].path, "");
        tproc__atomic_file f;
        if (!path)
            return tproc__error(o->ctx, TPROC_ERR_NOMEM, "out of memory");
        if (!(status = tproc__atomic_open(o->ctx, path, &f))) {
            size_t n = strlen(o->files[i].text);
            if (fwrite(o->files[i].text, 1, n, f.fp) != n)
                status = tproc__error_file(o->ctx, TPROC_ERR_IO, path, "write failed");
            status = tproc__atomic_commit(o->ctx, &f, status);
        }
        free(path);
    }
    return status;
}

int tproc__pyramid_out_close(tproc__pyramid_out *o, int status)
{
    if (o->zip) {
        status = tproc__zip_finish(o->zip, status);
        o->zip = NULL;
    }
    if (o->zip_file.fp)
        status = tproc__atomic_commit(o->ctx, &o->zip_file, status);
    if (o->tmp) {
        if (!status)
            status = place_tree(o);
        if (status)
            remove_tree(o->tmp);
        else
            status = write_top_files(o);
    }
    for (int i = 0; i < o->file_count; i++)
        free(o->files[i].text);
    free(o->zip_path);
    free(o->target);
    free(o->tmp);
    pthread_mutex_destroy(&o->lock);
    tproc__dealloc(o->ctx, o);
    return status;
}
