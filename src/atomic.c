/* SPDX-License-Identifier: MIT */
/*
 * atomic.c: writing a file under a temporary name beside its target and renaming it into
 * place only when the write succeeded, so that a failure leaves no partial file and an
 * existing target untouched (see atomic.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic.h"

/* Where a write to path lands: the file a symbolic link names, as an in-place write would. */
static char *target_of(const char *path)
{
    struct stat st;
    char *target = NULL;
    if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
        target = realpath(path, NULL);
    return target ? target : strdup(path);
}

/* mkstemp makes the file 0600: keep the mode of the file being replaced, or give what creat()
 * would have given a new one. Failing that is not fatal: the file is ours. */
static void set_mode(int fd, const char *target)
{
    struct stat st;
    mode_t mode;
    if (stat(target, &st) == 0 && S_ISREG(st.st_mode)) {
        mode = st.st_mode & 07777;
    } else {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    if (fchmod(fd, mode) != 0) {
        /* see above */
    }
}

int tproc__atomic_open(tproc_ctx *ctx, const char *path, tproc__atomic_file *f)
{
    memset(f, 0, sizeof *f);
    char *target = target_of(path);
    if (!target)
        return tproc__error_file(ctx, TPROC_ERR_NOMEM, path, "out of memory");
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    const char *base = slash ? slash + 1 : target;
    size_t len = strlen(target) + 16;
    char *tmp = malloc(len);
    if (!tmp) {
        free(target);
        return tproc__error_file(ctx, TPROC_ERR_NOMEM, path, "out of memory");
    }
    snprintf(tmp, len, "%.*s.%s.tmp-XXXXXX", (int)dir_len, target, base);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int err = errno;
        free(tmp);
        free(target);
        return tproc__error_file(ctx, TPROC_ERR_IO, path, "cannot create a file there: %s",
                                 strerror(err));
    }
    set_mode(fd, target);
    /* Readable too: libtiff reads back what it wrote when it links directories. */
    f->fp = fdopen(fd, "w+b");
    if (!f->fp) {
        int err = errno;
        close(fd);
        unlink(tmp);
        free(tmp);
        free(target);
        return tproc__error_file(ctx, TPROC_ERR_IO, path, "%s", strerror(err));
    }
    f->tmp = tmp;
    f->target = target;
    f->name = path;
    return TPROC_OK;
}

int tproc__atomic_commit(tproc_ctx *ctx, tproc__atomic_file *f, int status)
{
    if (!f->fp)
        return status;
    /* The data reaches the disk before the name does, so a crash leaves old or new, whole. */
    if (!status && (fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0))
        status = tproc__error_file(ctx, TPROC_ERR_IO, f->name, "write failed: %s", strerror(errno));
    if (fclose(f->fp) != 0 && !status)
        status = tproc__error_file(ctx, TPROC_ERR_IO, f->name, "write failed: %s", strerror(errno));
    f->fp = NULL;
    if (!status && rename(f->tmp, f->target) != 0)
        status = tproc__error_file(ctx, TPROC_ERR_IO, f->name, "cannot replace the file: %s",
                                   strerror(errno));
    if (status)
        unlink(f->tmp);
    free(f->tmp);
    free(f->target);
    f->tmp = f->target = NULL;
    return status;
}
