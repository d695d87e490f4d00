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
    for (int i = 0; filter && i < filter->param_count && i < TPROC_PARAMS_MAX; i++) {
        const tproc_param_desc *p = &filter->params[i];
        params->value[i] =
            p->type == TPROC_PARAM_MATRIX || p->type == TPROC_PARAM_TEXT ? 0 : p->def;
        if (p->type == TPROC_PARAM_COLOUR) { /* an opaque gray level */
            params->colour_count = 1;
            params->colour[0] = p->def;
        }
    }
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
    } else if (p->type == TPROC_PARAM_MATRIX || p->type == TPROC_PARAM_TEXT) {
        return tproc__filter_error(ctx, f, "%s is a %s: give it as text", p->name,
                                   p->type == TPROC_PARAM_TEXT ? "text" : "matrix");
    } else if (p->type == TPROC_PARAM_COLOUR) {
        if (!(v >= 0 && v <= 255)) /* NaN too */
            return tproc__filter_error(ctx, f, "%s values must be in [0, 255], got %s", p->name,
                                       got);
        params->colour_count = 1;
        params->colour[0] = v;
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

/* The sizes a MATRIX parameter allows: odd up to 25, or with TPROC_PARAM_ANY_SIZE any in
 * [min, max] (1-25 when both are 0). */
static void matrix_bounds(const tproc_param_desc *p, int *lo, int *hi)
{
    *lo = 1;
    *hi = 25;
    if ((p->flags & TPROC_PARAM_ANY_SIZE) && (p->min > 0 || p->max > 0)) {
        *lo = p->min >= 1 ? (int)p->min : 1;
        *hi = p->max <= 25 ? (int)p->max : 25;
    }
}

static int matrix_size_ok(const tproc_param_desc *p, int width, int height)
{
    int lo, hi;
    matrix_bounds(p, &lo, &hi);
    if (width < lo || width > hi || height < lo || height > hi)
        return 0;
    return (p->flags & TPROC_PARAM_ANY_SIZE) || (width % 2 == 1 && height % 2 == 1);
}

static int matrix_size_error(tproc_ctx *ctx, const tproc_filter *f, const tproc_param_desc *p,
                             int width, int height)
{
    int lo, hi;
    matrix_bounds(p, &lo, &hi);
    if (!(p->flags & TPROC_PARAM_ANY_SIZE))
        return tproc__filter_error(ctx, f, "%s must have an odd size up to 25x25, got %dx%d",
                                   p->name, width, height);
    if (lo == hi)
        return tproc__filter_error(ctx, f, "%s must be %dx%d, got %dx%d", p->name, lo, lo, width,
                                   height);
    return tproc__filter_error(ctx, f, "%s must have %d to %d rows and columns, got %dx%d", p->name,
                               lo, hi, width, height);
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
    if (!matrix_size_ok(p, cols, rows))
        return matrix_size_error(ctx, f, p, cols, rows);
    params->matrix_width = cols;
    params->matrix_height = rows;
    return TPROC_OK;
}

/* A hexadecimal digit's value, or -1. */
static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* "#rgb", "#rrggbb" or "#rrggbbaa" into params->colour; 0 if malformed. */
static int parse_hex_colour(const char *text, tproc_params *params)
{
    size_t n = strlen(text + 1), per = n == 3 ? 1 : 2;
    if (n != 3 && n != 6 && n != 8)
        return 0;
    for (size_t k = 0; k < n / per; k++) {
        int v = 0;
        for (size_t j = 0; j < per; j++) {
            int d = hex_digit(text[1 + k * per + j]);
            if (d < 0)
                return 0;
            v = v * 16 + d;
        }
        params->colour[k] = per == 1 ? v * 17 : v; /* #f00 is #ff0000 */
    }
    params->colour_count = (int)(n / per);
    return 1;
}

static int parse_colour(tproc_ctx *ctx, const tproc_filter *f, const tproc_param_desc *p,
                        tproc_params *params, const char *text)
{
    if (text[0] == '#') {
        if (!parse_hex_colour(text, params))
            return tproc__filter_error(ctx, f, "%s: '%.40s' is not #rgb, #rrggbb or #rrggbbaa",
                                       p->name, text);
        return TPROC_OK;
    }
    double v[4];
    int n = 0;
    for (const char *s = text;;) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0')
            break;
        char *end;
        double x = strtod(s, &end);
        if (end == s || (*end && *end != ' ' && *end != '\t'))
            return tproc__filter_error(ctx, f, "%s: '%.40s' is not a number", p->name, s);
        if (n == 4)
            return tproc__filter_error(ctx, f, "%s takes 1-4 numbers, got more in '%.60s'", p->name,
                                       text);
        if (!(x >= 0 && x <= 255))
            return tproc__filter_error(ctx, f, "%s values must be in [0, 255], got '%.40s'",
                                       p->name, text);
        v[n++] = x;
        s = end;
    }
    if (n == 0)
        return tproc__filter_error(ctx, f, "%s takes 1-4 numbers or #rrggbb[aa]", p->name);
    memcpy(params->colour, v, sizeof(double) * (size_t)n);
    params->colour_count = n;
    return TPROC_OK;
}

static int set_text(tproc_ctx *ctx, const tproc_filter *f, tproc_params *params, int i,
                    const char *text)
{
    const tproc_param_desc *p = &f->params[i];
    if (p->type == TPROC_PARAM_MATRIX || p->type == TPROC_PARAM_COLOUR) {
        int status = p->type == TPROC_PARAM_MATRIX ? parse_matrix(ctx, f, p, params, text)
                                                   : parse_colour(ctx, f, p, params, text);
        if (!status) {
            params->value[i] = p->type == TPROC_PARAM_COLOUR ? params->colour[0] : 0;
            params->given |= 1u << i;
        }
        return status;
    }
    if (p->type == TPROC_PARAM_TEXT) {
        size_t n = strlen(text);
        if (n == 0)
            return tproc__filter_error(ctx, f, "%s has no value", p->name);
        if (n >= TPROC_TEXT_MAX)
            return tproc__filter_error(ctx, f, "%s is too long (%zu bytes, at most %d)", p->name, n,
                                       TPROC_TEXT_MAX - 1);
        memcpy(params->text, text, n + 1);
        params->value[i] = 0;
        params->given |= 1u << i;
        return TPROC_OK;
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

/* A COLOUR or TEXT value written straight into the struct, checked as the setters would. */
static int check_special(tproc_ctx *ctx, const tproc_filter *f, const tproc_params *params, int i)
{
    const tproc_param_desc *p = &f->params[i];
    if (p->type == TPROC_PARAM_COLOUR) {
        if (params->colour_count < 1 || params->colour_count > 4)
            return tproc__filter_error(ctx, f, "%s takes 1-4 numbers, got %d", p->name,
                                       params->colour_count);
        for (int k = 0; k < params->colour_count; k++)
            if (!(params->colour[k] >= 0 && params->colour[k] <= 255))
                return tproc__filter_error(ctx, f, "%s values must be in [0, 255], got %.10g",
                                           p->name, params->colour[k]);
        return TPROC_OK;
    }
    if (!(params->given & (1u << i))) /* TEXT */
        return TPROC_OK;
    const char *end = memchr(params->text, '\0', sizeof params->text);
    if (!end || end == params->text)
        return tproc__filter_error(ctx, f, "%s must be 1-%d bytes of text", p->name,
                                   TPROC_TEXT_MAX - 1);
    return TPROC_OK;
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
        int status;
        if (p->type == TPROC_PARAM_COLOUR || p->type == TPROC_PARAM_TEXT) {
            status = check_special(ctx, filter, params, i);
        } else {
            tproc_params copy = *params;
            status = set_number(ctx, filter, &copy, i, params->value[i], NULL);
        }
        if (status)
            return status;
    }
    for (int i = 0; i < filter->param_count; i++) {
        const tproc_param_desc *p = &filter->params[i];
        if (p->type == TPROC_PARAM_MATRIX && (params->given & (1u << i)) &&
            !matrix_size_ok(p, params->matrix_width, params->matrix_height))
            return matrix_size_error(ctx, filter, p, params->matrix_width, params->matrix_height);
    }
    return TPROC_OK;
}

/* The length of the "key=value" item at s: up to the first ',' that no backslash escapes. */
static size_t item_length(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != ',')
        n += s[n] == '\\' && (s[n + 1] == ',' || s[n + 1] == '\\') ? 2 : 1;
    return n;
}

/* Copies n bytes of a value, turning "\\," into ',' and "\\\\" into one backslash. */
static void unescape(char *dst, const char *src, size_t n)
{
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (src[i] == '\\' && i + 1 < n && (src[i + 1] == ',' || src[i + 1] == '\\'))
            i++;
        dst[j++] = src[i];
    }
    dst[j] = '\0';
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
        size_t item = item_length(s);
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
        unescape(value, eq + 1, value_len);
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

/* Whether format prints parameter i: given, or with a default to print. */
static int given_or_default(const tproc_param_desc *p, const tproc_params *params, int i)
{
    return (params->given & (1u << i)) ||
           !(p->flags & (TPROC_PARAM_REQUIRED | TPROC_PARAM_OPTIONAL));
}

/* Text as a spec value: ',' and '\\' get a backslash (the parser's unescape reverses it). */
static void escape(char *dst, size_t size, const char *text)
{
    size_t j = 0;
    for (size_t i = 0; text[i] && i < TPROC_TEXT_MAX && j + 3 < size; i++) {
        if (text[i] == ',' || text[i] == '\\')
            dst[j++] = '\\';
        dst[j++] = text[i];
    }
    dst[j] = '\0';
}

void tproc_params_colour(const tproc_filter *filter, const tproc_params *params, double rgba[4])
{
    rgba[0] = rgba[1] = rgba[2] = 0;
    rgba[3] = 255;
    for (int i = 0; filter && params && i < filter->param_count; i++) {
        if (filter->params[i].type != TPROC_PARAM_COLOUR)
            continue;
        const double *c = params->colour;
        switch (params->colour_count) {
        case 1:
        case 2:
            rgba[0] = rgba[1] = rgba[2] = c[0];
            rgba[3] = params->colour_count == 2 ? c[1] : 255;
            break;
        case 3:
        case 4:
            rgba[0] = c[0];
            rgba[1] = c[1];
            rgba[2] = c[2];
            rgba[3] = params->colour_count == 4 ? c[3] : 255;
            break;
        default:
            break;
        }
    }
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
        } else if (p->type == TPROC_PARAM_COLOUR) {
            if (!given_or_default(p, params, i))
                continue;
            size_t at = 0;
            value[0] = '\0';
            for (int k = 0; k < params->colour_count && k < 4; k++) {
                int w = snprintf(value + at, sizeof value - at, "%s%.10g", k ? " " : "",
                                 params->colour[k]);
                if (w > 0 && (size_t)w < sizeof value - at)
                    at += (size_t)w;
            }
        } else if (p->type == TPROC_PARAM_TEXT) {
            if (!(params->given & (1u << i)))
                continue;
            escape(value, sizeof value, params->text);
        } else {
            if (!given_or_default(p, params, i))
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
