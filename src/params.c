/* SPDX-License-Identifier: MIT */
/*
 * params.c: filter parameters: defaults, checked setting from numbers or text, and the
 * "name:key=value,key=value" parser the CLI and the C API share. Every error names the filter,
 * the key and the allowed range, and suggests a near spelling for unknown names.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "filter_internal.h"

/* Enough names for every built-in and registered filter. */
#define REGISTRY_NAMES_MAX 300
/* Longest value text: a full matrix as tproc_params_format writes it (each value "%.10g", at
 * most 17 characters, plus a separator) must parse back, so both sides use this size. */
#define VALUE_TEXT_MAX (TPROC_MATRIX_MAX * 24)

void tproc_params_init(const tproc_filter *filter, tproc_params *params)
{
    memset(params, 0, sizeof *params);
    for (int i = 0; filter && i < filter->param_count && i < TPROC_PARAMS_MAX; i++)
        params->value[i] = filter->params[i].def;
}

static int find_key(const tproc_filter *filter, const char *key, size_t len)
{
    for (int i = 0; i < filter->param_count; i++)
        if (strlen(filter->params[i].name) == len && strncmp(filter->params[i].name, key, len) == 0)
            return i;
    return -1;
}

/* Levenshtein distance, for "did you mean"; names are short. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Writes " (did you mean 'x'?)" into buf for the closest of names, or "" if none is close. */
static void suggest(const char *word, const char *const *names, size_t count, char *buf,
                    size_t size)
{
    const char *best = NULL;
    size_t best_d = 3; /* at most two edits away */
    for (size_t i = 0; i < count; i++) {
        size_t d = edit_distance(word, names[i]);
        if (d < best_d) {
            best_d = d;
            best = names[i];
        }
    }
    if (best)
        snprintf(buf, size, " (did you mean '%s'?)", best);
    else
        buf[0] = '\0';
}

/* "(0, 1000]", "[1, 3]" */
static void format_range(const tproc_param_desc *p, char *buf, size_t size)
{
    snprintf(buf, size, "%c%.10g, %.10g%c", (p->flags & TPROC_PARAM_MIN_OPEN) ? '(' : '[', p->min,
             p->max, (p->flags & TPROC_PARAM_MAX_OPEN) ? ')' : ']');
}

static int in_range(const tproc_param_desc *p, double v)
{
    if (!isfinite(v))
        return 0;
    if ((p->flags & TPROC_PARAM_MIN_OPEN) ? !(v > p->min) : !(v >= p->min))
        return 0;
    if ((p->flags & TPROC_PARAM_MAX_OPEN) ? !(v < p->max) : !(v <= p->max))
        return 0;
    return 1;
}

static int set_number(tproc_ctx *ctx, const tproc_filter *f, tproc_params *params, int i, double v,
                      const char *text)
{
    const tproc_param_desc *p = &f->params[i];
    char got[64], range[80];
    if (text)
        snprintf(got, sizeof got, "%.40s", text);
    else
        snprintf(got, sizeof got, "%.10g", v);
    if (p->type == TPROC_PARAM_ENUM) {
        double n = 0;
        while (p->choices[(size_t)n])
            n++;
        if (!(v >= 0 && v < n && v == floor(v)))
            return tproc__filter_error(ctx, f, "%s must be a choice index below %.0f, got %s",
                                       p->name, n, got);
    } else if (p->type == TPROC_PARAM_MATRIX) {
        return tproc__filter_error(ctx, f, "%s is a matrix: give it as text", p->name);
    } else {
        format_range(p, range, sizeof range);
        if (!in_range(p, v))
            return tproc__filter_error(ctx, f, "%s must be in %s, got %s", p->name, range, got);
        if (p->type == TPROC_PARAM_INT && v != floor(v))
            return tproc__filter_error(ctx, f, "%s must be a whole number in %s, got %s", p->name,
                                       range, got);
    }
    params->value[i] = v;
    params->given |= 1u << i;
    return TPROC_OK;
}

int tproc_params_set(tproc_ctx *ctx, const tproc_filter *filter, tproc_params *params,
                     const char *key, double value)
{
    if (!filter || !params || !key)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_params_set: missing argument");
    int i = find_key(filter, key, strlen(key));
    if (i < 0)
        return tproc__error_filter(ctx, TPROC_ERR_PARAM, filter->name, "unknown key '%s'", key);
    return set_number(ctx, filter, params, i, value, NULL);
}

static int parse_matrix(tproc_ctx *ctx, const tproc_filter *f, const tproc_param_desc *p,
                        tproc_params *params, const char *text)
{
    int rows = 0, cols = -1, n = 0;
    const char *s = text;
    for (;;) {
        int in_row = 0;
        for (;;) {
            while (*s == ' ' || *s == '\t')
                s++;
            if (*s == ';' || *s == '\0')
                break;
            char *end;
            errno = 0;
            double v = strtod(s, &end);
            if (end == s || !isfinite(v) || (*end && *end != ' ' && *end != '\t' && *end != ';'))
                return tproc__filter_error(ctx, f, "%s: '%.40s' is not a number", p->name, s);
            if (n == TPROC_MATRIX_MAX)
                return tproc__filter_error(ctx, f, "%s: at most 25x25 values", p->name);
            params->matrix[n++] = v;
            in_row++;
            s = end;
        }
        if (in_row == 0)
            return tproc__filter_error(ctx, f, "%s: empty row %d in '%.80s'", p->name, rows + 1,
                                       text);
        if (cols >= 0 && in_row != cols)
            return tproc__filter_error(ctx, f, "%s: row %d has %d values, row 1 has %d", p->name,
                                       rows + 1, in_row, cols);
        cols = in_row;
        rows++;
        if (*s == '\0')
            break;
        s++; /* ';' */
    }
    if (rows % 2 == 0 || cols % 2 == 0 || rows > 25 || cols > 25)
        return tproc__filter_error(ctx, f, "%s must have an odd size up to 25x25, got %dx%d",
                                   p->name, cols, rows);
    params->matrix_width = cols;
    params->matrix_height = rows;
    return TPROC_OK;
}

static int set_text(tproc_ctx *ctx, const tproc_filter *f, tproc_params *params, int i,
                    const char *text)
{
    const tproc_param_desc *p = &f->params[i];
    if (p->type == TPROC_PARAM_MATRIX) {
        int status = parse_matrix(ctx, f, p, params, text);
        if (!status)
            params->given |= 1u << i;
        return status;
    }
    if (p->type == TPROC_PARAM_ENUM) {
        size_t n = 0;
        char list[256] = "";
        for (; p->choices[n]; n++) {
            if (strcmp(p->choices[n], text) == 0)
                return set_number(ctx, f, params, i, (double)n, text);
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", n ? "|" : "",
                     p->choices[n]);
        }
        char hint[96];
        suggest(text, p->choices, n, hint, sizeof hint);
        return tproc__filter_error(ctx, f, "%s must be one of %s, got '%.40s'%s", p->name, list,
                                   text, hint);
    }
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0') {
        char range[80];
        format_range(p, range, sizeof range);
        return tproc__filter_error(ctx, f, "%s must be a number in %s, got '%.40s'", p->name, range,
                                   text);
    }
    return set_number(ctx, f, params, i, v, text);
}

int tproc_params_set_text(tproc_ctx *ctx, const tproc_filter *filter, tproc_params *params,
                          const char *key, const char *text)
{
    if (!filter || !params || !key || !text)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_params_set_text: missing argument");
    int i = find_key(filter, key, strlen(key));
    if (i < 0)
        return tproc__error_filter(ctx, TPROC_ERR_PARAM, filter->name, "unknown key '%s'", key);
    return set_text(ctx, filter, params, i, text);
}

int tproc_params_check(tproc_ctx *ctx, const tproc_filter *filter, const tproc_params *params)
{
    for (int i = 0; i < filter->param_count; i++) {
        const tproc_param_desc *p = &filter->params[i];
        int given = (params->given & (1u << i)) != 0;
        if ((p->flags & TPROC_PARAM_REQUIRED) && !given)
            return tproc__filter_error(ctx, filter, "%s is required", p->name);
        /* Values set from C without the setters (given or not: filters read them all) are
         * checked as the setters would check them. */
        if (p->type == TPROC_PARAM_MATRIX || ((p->flags & TPROC_PARAM_OPTIONAL) && !given))
            continue;
        tproc_params copy = *params;
        int status = set_number(ctx, filter, &copy, i, params->value[i], NULL);
        if (status)
            return status;
    }
    for (int i = 0; i < filter->param_count; i++)
        if (filter->params[i].type == TPROC_PARAM_MATRIX && (params->given & (1u << i)) &&
            (params->matrix_width < 1 || params->matrix_height < 1 ||
             params->matrix_width % 2 == 0 || params->matrix_height % 2 == 0 ||
             params->matrix_width * params->matrix_height > TPROC_MATRIX_MAX))
            return tproc__filter_error(ctx, filter, "%s must have an odd size up to 25x25",
                                       filter->params[i].name);
    return TPROC_OK;
}

static int unknown_filter(tproc_ctx *ctx, const char *name)
{
    const char *names[REGISTRY_NAMES_MAX];
    size_t n = 0, count = tproc_filter_count();
    for (size_t i = 0; i < count && n < REGISTRY_NAMES_MAX; i++)
        names[n++] = tproc_filter_at(i)->name;
    char hint[96];
    suggest(name, names, n, hint, sizeof hint);
    return tproc__error(ctx, TPROC_ERR_NOT_FOUND, "unknown filter '%.64s'%s", name, hint);
}

int tproc_params_parse(tproc_ctx *ctx, const char *spec, const tproc_filter **filter,
                       tproc_params *params)
{
    if (!spec || !filter || !params)
        return tproc__error(ctx, TPROC_ERR_ARG, "tproc_params_parse: missing argument");
    *filter = NULL;
    size_t name_len = strcspn(spec, ":");
    char name[72];
    if (name_len == 0)
        return tproc__error(ctx, TPROC_ERR_PARAM, "empty filter name in '%.64s'", spec);
    snprintf(name, sizeof name, "%.*s", (int)(name_len < 71 ? name_len : 71), spec);
    const tproc_filter *f = tproc_filter_find(name);
    if (!f || name_len > 71)
        return unknown_filter(ctx, name);
    tproc_params_init(f, params);
    const char *s = spec + name_len;
    if (*s == ':')
        s++;
    char value[VALUE_TEXT_MAX];
    while (*s) {
        size_t item = strcspn(s, ",");
        const char *eq = memchr(s, '=', item);
        if (!eq) {
            return tproc__filter_error(ctx, f, "expected key=value, got '%.*s'", (int)item, s);
        }
        size_t key_len = (size_t)(eq - s);
        int i = find_key(f, s, key_len);
        if (i < 0) {
            char key[72], hint[96], keys[256] = "";
            snprintf(key, sizeof key, "%.*s", (int)(key_len < 71 ? key_len : 71), s);
            const char *names[TPROC_PARAMS_MAX];
            for (int k = 0; k < f->param_count; k++) {
                names[k] = f->params[k].name;
                snprintf(keys + strlen(keys), sizeof keys - strlen(keys), "%s%s", k ? ", " : "",
                         names[k]);
            }
            suggest(key, names, (size_t)f->param_count, hint, sizeof hint);
            if (f->param_count == 0)
                return tproc__filter_error(ctx, f, "takes no parameters, got '%s'", key);
            return tproc__filter_error(ctx, f, "unknown key '%s'%s (keys: %s)", key, hint, keys);
        }
        if (params->given & (1u << i))
            return tproc__filter_error(ctx, f, "%s is given twice", f->params[i].name);
        size_t value_len = item - key_len - 1;
        if (value_len == 0)
            return tproc__filter_error(ctx, f, "%s has no value", f->params[i].name);
        if (value_len >= sizeof value)
            return tproc__filter_error(ctx, f, "%s: value too long", f->params[i].name);
        memcpy(value, eq + 1, value_len);
        value[value_len] = '\0';
        int status = set_text(ctx, f, params, i, value);
        if (status)
            return status;
        s += item;
        if (*s == ',')
            s++;
    }
    int status = tproc_params_check(ctx, f, params);
    if (status)
        return status;
    *filter = f;
    return TPROC_OK;
}

double tproc_params_get(const tproc_filter *filter, const tproc_params *params, const char *key)
{
    int i = key ? find_key(filter, key, strlen(key)) : -1;
    return i < 0 ? NAN : params->value[i];
}

int tproc_params_format(const tproc_filter *filter, const tproc_params *params, char *buf,
                        size_t size)
{
    size_t used = 0;
    int n = snprintf(buf, size, "%s", filter->name);
    if (n < 0)
        return n;
    used = (size_t)n;
    int first = 1;
    for (int i = 0; i < filter->param_count; i++) {
        const tproc_param_desc *p = &filter->params[i];
        char value[VALUE_TEXT_MAX];
        if (p->type == TPROC_PARAM_ENUM) {
            snprintf(value, sizeof value, "%s", p->choices[(size_t)params->value[i]]);
        } else if (p->type == TPROC_PARAM_MATRIX) {
            size_t at = 0;
            value[0] = '\0';
            for (int r = 0; r < params->matrix_height; r++)
                for (int c = 0; c < params->matrix_width; c++) {
                    int w =
                        snprintf(value + at, sizeof value - at, "%s%.10g", c ? " " : (r ? ";" : ""),
                                 params->matrix[r * params->matrix_width + c]);
                    if (w > 0 && (size_t)w < sizeof value - at)
                        at += (size_t)w;
                }
        } else {
            if ((p->flags & (TPROC_PARAM_REQUIRED | TPROC_PARAM_OPTIONAL)) &&
                !(params->given & (1u << i)))
                continue;
            snprintf(value, sizeof value, "%.10g", params->value[i]);
        }
        n = snprintf(used < size ? buf + used : NULL, used < size ? size - used : 0, "%c%s=%s",
                     first ? ':' : ',', p->name, value);
        first = 0;
        if (n < 0)
            return n;
        used += (size_t)n;
    }
    return (int)used;
}
