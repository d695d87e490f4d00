/* SPDX-License-Identifier: MIT */
/*
 * plugin.c: loading filters from shared objects. A plugin exports tproc_plugin_init(), which
 * checks the ABI version it was built with and registers its filters. Loading never crashes on
 * a bad file: dlopen errors, a missing entry point, an ABI mismatch and failed registrations
 * all come back as TPROC_ERR_PLUGIN with the path and the cause. A loaded plugin stays loaded
 * (its descriptors are in the registry for the life of the process).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "filter_internal.h"

#define PLUGINS_MAX 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *loaded[PLUGINS_MAX];
static size_t loaded_count;

static int already_loaded(const char *path)
{
    for (size_t i = 0; i < loaded_count; i++)
        if (strcmp(loaded[i], path) == 0)
            return 1;
    return 0;
}

int tproc_plugin_load(tproc_ctx *ctx, const char *path)
{
    if (!path || !*path)
        return tproc__error(ctx, TPROC_ERR_ARG, "plugin: no path given");
    /* One plugin reached by two paths (a link, "./x.so" and "x.so") loads once. */
    char *real = realpath(path, NULL);
    const char *key = real ? real : path;
    pthread_mutex_lock(&lock);
    int status = TPROC_OK;
    if (already_loaded(key))
        goto out;
    if (loaded_count == PLUGINS_MAX) {
        status = tproc__error(ctx, TPROC_ERR_PLUGIN, "%s: at most %d plugins", path, PLUGINS_MAX);
        goto out;
    }
    dlerror();
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char *why = dlerror();
        status = tproc__error(ctx, TPROC_ERR_PLUGIN, "%s: cannot load plugin: %s", path,
                              why ? why : "unknown error");
        goto out;
    }
    /* dlsym returns void *; converting it to a function pointer is what POSIX promises works. */
    tproc_plugin_init_fn init;
    void *sym = dlsym(handle, TPROC_PLUGIN_INIT_SYMBOL);
    memcpy(&init, &sym, sizeof init);
    if (!sym) {
        status = tproc__error(ctx, TPROC_ERR_PLUGIN, "%s: not a tileproc plugin (no %s)", path,
                              TPROC_PLUGIN_INIT_SYMBOL);
        dlclose(handle);
        goto out;
    }
    size_t before = tproc_filter_count();
    status = init(TPROC_FILTER_ABI, ctx, tproc_filter_register);
    if (status) {
        /* Name the plugin in front of whatever the registration said. */
        char why[512];
        if (tproc_ctx_status(ctx) == status && tproc_ctx_message(ctx)[0])
            snprintf(why, sizeof why, "%s", tproc_ctx_message(ctx));
        else
            snprintf(why, sizeof why, "plugin init failed: %s", tproc_strerror(status));
        status = tproc__error(ctx, TPROC_ERR_PLUGIN, "%s: %s", path, why);
        if (tproc_filter_count() == before)
            dlclose(handle); /* nothing of it is referenced: safe to unload */
        goto out;
    }
    loaded[loaded_count] = strdup(key);
    if (loaded[loaded_count])
        loaded_count++;
out:
    pthread_mutex_unlock(&lock);
    free(real);
    return status;
}
