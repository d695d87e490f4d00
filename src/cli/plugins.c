/* SPDX-License-Identifier: MIT */
/*
 * plugins.c: loading filter plugins named on the command line (--plugin) and in the
 * TILEPROC_PLUGIN_PATH variable (colon-separated). Each entry is a shared object or a
 * directory whose *.so files are all loaded, in name order; missing entries of the variable are
 * skipped. Paths are made canonical first so
 * the same plugin reached two ways is loaded once.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

static int load_one(tproc_ctx *ctx, const char *path)
{
    char *real = realpath(path, NULL);
    int status = tproc_plugin_load(ctx, real ? real : path);
    free(real);
    if (status != TPROC_OK) {
        cli_error("%s", tproc_ctx_message(ctx));
        return CLI_EXIT_FAILED;
    }
    return CLI_EXIT_OK;
}

static int is_plugin_name(const struct dirent *e)
{
    size_t n = strlen(e->d_name);
    return e->d_name[0] != '.' && n > 3 && strcmp(e->d_name + n - 3, ".so") == 0;
}

static int load_dir(tproc_ctx *ctx, const char *dir)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, is_plugin_name, alphasort);
    if (n < 0) {
        cli_error("%s: %s", dir, strerror(errno));
        return CLI_EXIT_FAILED;
    }
    int status = CLI_EXIT_OK;
    for (int i = 0; i < n; i++) {
        if (status == CLI_EXIT_OK) {
            size_t len = strlen(dir) + strlen(list[i]->d_name) + 2;
            char *path = malloc(len);
            if (!path) {
                cli_error("out of memory");
                status = CLI_EXIT_FAILED;
            } else {
                snprintf(path, len, "%s/%s", dir, list[i]->d_name);
                status = load_one(ctx, path);
                free(path);
            }
        }
        free(list[i]);
    }
    free(list);
    return status;
}

/* A missing entry of the variable is skipped, as in PATH; one named by --plugin is an error. */
static int load_entry(tproc_ctx *ctx, const char *path, int from_env)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return from_env && errno == ENOENT ? CLI_EXIT_OK : load_one(ctx, path);
    if (S_ISDIR(st.st_mode))
        return load_dir(ctx, path);
    return load_one(ctx, path);
}

int cli_plugins_load(tproc_ctx *ctx, const cli_args *args, int env)
{
    const char *var = env ? getenv("TILEPROC_PLUGIN_PATH") : NULL;
    if (var && *var) {
        char *copy = strdup(var);
        if (!copy) {
            cli_error("out of memory");
            return CLI_EXIT_FAILED;
        }
        int status = CLI_EXIT_OK;
        char *save = NULL;
        for (char *entry = strtok_r(copy, ":", &save); entry && !status;
             entry = strtok_r(NULL, ":", &save))
            status = load_entry(ctx, entry, 1);
        free(copy);
        if (status)
            return status;
    }
    for (size_t i = 0; i < args->plugin_count; i++)
        if (load_entry(ctx, args->plugins[i], 0))
            return CLI_EXIT_FAILED;
    return CLI_EXIT_OK;
}
