/* SPDX-License-Identifier: MIT */
/*
 * registry.c: the filter registry: the built-in table (from filters/filters.def) followed by
 * filters registered at run time, shared by every context in the process. Registration takes
 * a lock; lookups of registered filters take it too, since a plugin may be loading on another
 * thread.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "filter_internal.h"

static const tproc_filter *const builtins[] = {
#define TPROC_FILTER(name) &tproc__filter_##name,
#include "../filters/filters.def"
#undef TPROC_FILTER
};
#define BUILTIN_COUNT (sizeof builtins / sizeof builtins[0])
#define REGISTERED_MAX 256

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static const tproc_filter *registered[REGISTERED_MAX];
static size_t registered_count;

const tproc_filter *tproc_filter_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < BUILTIN_COUNT; i++)
        if (strcmp(builtins[i]->name, name) == 0)
            return builtins[i];
    const tproc_filter *found = NULL;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < registered_count && !found; i++)
        if (strcmp(registered[i]->name, name) == 0)
            found = registered[i];
    pthread_mutex_unlock(&lock);
    return found;
}

size_t tproc_filter_count(void)
{
    pthread_mutex_lock(&lock);
    size_t n = BUILTIN_COUNT + registered_count;
    pthread_mutex_unlock(&lock);
    return n;
}

const tproc_filter *tproc_filter_at(size_t index)
{
    if (index < BUILTIN_COUNT)
        return builtins[index];
    const tproc_filter *f = NULL;
    pthread_mutex_lock(&lock);
    if (index - BUILTIN_COUNT < registered_count)
        f = registered[index - BUILTIN_COUNT];
    pthread_mutex_unlock(&lock);
    return f;
}

static int valid_name(const char *name)
{
    if (!name || !*name || strlen(name) > 64)
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            return 0;
    return 1;
}

int tproc_filter_register(tproc_ctx *ctx, const tproc_filter *filter)
{
    if (!filter)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_filter_register: no filter");
    const char *name = filter->name ? filter->name : "(unnamed)";
    if (filter->abi != TPROC_FILTER_ABI)
        return tproc__error(ctx, TPROC_ERR_PLUGIN,
                            "filter '%s' was built for filter ABI %d, this library has %d", name,
                            filter->abi, TPROC_FILTER_ABI);
    if (!valid_name(filter->name))
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "filter name '%s' must be 1-64 characters of a-z, 0-9 and _", name);
    if (!filter->process && !filter->process_row && !filter->map)
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "filter '%s' has none of process, process_row and map", name);
    if (!filter->analyse_rows != !filter->analyse_done)
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "filter '%s' has one of analyse_rows and analyse_done without the "
                            "other",
                            name);
    if (filter->map && !filter->process && filter->release)
        return tproc__error(ctx, TPROC_ERR_ARG,
                            "filter '%s' is a map filter with release (the engine owns its state)",
                            name);
    if (filter->param_count < 0 || filter->param_count > TPROC_PARAMS_MAX ||
        (filter->param_count > 0 && !filter->params))
        return tproc__error(ctx, TPROC_ERR_ARG, "filter '%s' has a bad parameter table (0-%d)",
                            name, TPROC_PARAMS_MAX);
    int seen[TPROC_PARAM_TEXT + 1] = {0}; /* one MATRIX, COLOUR and TEXT parameter at most */
    for (int i = 0; i < filter->param_count; i++) {
        const tproc_param_desc *p = &filter->params[i];
        if (!valid_name(p->name) || p->type < TPROC_PARAM_INT || p->type > TPROC_PARAM_TEXT ||
            (p->type == TPROC_PARAM_ENUM && !p->choices) ||
            (p->type >= TPROC_PARAM_MATRIX && seen[p->type]++))
            return tproc__error(ctx, TPROC_ERR_ARG, "filter '%s': parameter %d is malformed", name,
                                i);
    }
    pthread_mutex_lock(&lock);
    int status = TPROC_OK;
    if (registered_count == REGISTERED_MAX) {
        status = TPROC_ERR_LIMIT;
    } else {
        for (size_t i = 0; i < BUILTIN_COUNT && !status; i++)
            if (strcmp(builtins[i]->name, filter->name) == 0)
                status = TPROC_ERR_ARG;
        for (size_t i = 0; i < registered_count && !status; i++)
            if (strcmp(registered[i]->name, filter->name) == 0)
                status = TPROC_ERR_ARG;
        if (!status)
            registered[registered_count++] = filter;
    }
    pthread_mutex_unlock(&lock);
    if (status == TPROC_ERR_LIMIT)
        return tproc__error(ctx, status, "filter '%s': no room for more than %d filters", name,
                            REGISTERED_MAX);
    if (status)
        return tproc__error(ctx, status, "a filter called '%s' is already registered", name);
    return TPROC_OK;
}

int tproc__filter_error(tproc_ctx *ctx, const tproc_filter *filter, const char *fmt, ...)
{
    char message[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    return tproc__error(ctx, TPROC_ERR_PARAM, "%s: %s", filter->name, message);
}
