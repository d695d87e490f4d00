/* SPDX-License-Identifier: MIT */
/*
 * progress.c: the progress bar on stderr: percent, megapixels per second and time left, with
 * the file's label in batch mode. The library calls cli_progress_update() from its worker
 * threads after every tile, so the update is a few atomic operations; whichever thread wins a
 * try-lock redraws, at most every 100 ms on a terminal (every second otherwise). In automatic
 * mode nothing is drawn unless stderr is a terminal and the run has lasted ~0.5 s. A streamed
 * run counts output rows as well: its tiles are strips of rows split across the width, so the
 * share of tiles done times the height is the rows written, give or take a strip.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define NS_PER_S 1000000000LL
#define DELAY_NS (NS_PER_S / 2)
#define TTY_INTERVAL_NS (NS_PER_S / 10)
#define LOG_INTERVAL_NS NS_PER_S
#define BAR_WIDTH 24

struct cli_progress {
    int mode;    /* 0 off, 1 automatic, 2 always */
    int tty;     /* stderr is a terminal: redraw one line in place */
    int enabled; /* this run draws */
    char label[160];
    double megapixels;
    ptrdiff_t rows; /* output height of a streamed run; 0 otherwise */
    int64_t start_ns;
    atomic_size_t done, total;
    atomic_flag drawing;
    int64_t next_ns; /* only touched by the thread holding `drawing` */
    int shown;       /* likewise */
};

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

int cli_progress_new(int mode, cli_progress **out)
{
    cli_progress *p = calloc(1, sizeof *p);
    *out = p;
    if (!p)
        return -1;
    p->mode = mode;
    p->tty = isatty(STDERR_FILENO);
    atomic_init(&p->done, 0);
    atomic_init(&p->total, 0);
    atomic_flag_clear(&p->drawing);
    return 0;
}

void cli_progress_free(cli_progress **progress)
{
    free(*progress);
    *progress = NULL;
}

/* How long a run lasts before the bar appears on a terminal. TILEPROC_PROGRESS_DELAY_MS
 * overrides it, so that a test can see the bar without depending on how fast the machine is. */
static int64_t delay_ns(void)
{
    const char *ms = getenv("TILEPROC_PROGRESS_DELAY_MS");
    if (ms && *ms) {
        char *end;
        long v = strtol(ms, &end, 10);
        if (*end == '\0' && v >= 0 && v < 3600000)
            return (int64_t)v * 1000000;
    }
    return DELAY_NS;
}

void cli_progress_begin(cli_progress *p, const char *label, double megapixels, ptrdiff_t rows)
{
    if (!p)
        return;
    p->enabled = p->mode == 2 || (p->mode == 1 && p->tty);
    snprintf(p->label, sizeof p->label, "%s", label ? label : "");
    p->megapixels = megapixels;
    p->rows = rows > 0 ? rows : 0;
    p->start_ns = now_ns();
    p->next_ns = p->start_ns + (p->mode == 2 ? 0 : delay_ns());
    p->shown = 0;
    atomic_store(&p->done, 0);
    atomic_store(&p->total, 0);
}

/* "[2/5] a.jpg  [#########...............]  37%  12.4 MP/s  3 s left"; a streamed run shows
 * "rows 12800/30000  43%  ..." */
static void draw(cli_progress *p, size_t done, size_t total, int64_t now, int final)
{
    double frac = total ? (double)done / (double)total : 1.0;
    double secs = (double)(now - p->start_ns) / (double)NS_PER_S;
    char line[320];
    int at = 0;
    if (p->label[0])
        at = snprintf(line, sizeof line, "%s  ", p->label);
    if (p->tty) {
        int fill = (int)(frac * BAR_WIDTH);
        line[at++] = '[';
        for (int i = 0; i < BAR_WIDTH; i++)
            line[at++] = i < fill ? '#' : '.';
        line[at++] = ']';
        line[at++] = ' ';
        line[at++] = ' ';
    }
    if (p->rows)
        at += snprintf(line + at, sizeof line - (size_t)at, "rows %td/%td  ",
                       (ptrdiff_t)(frac * (double)p->rows), p->rows);
    at += snprintf(line + at, sizeof line - (size_t)at, "%3d%%", (int)(frac * 100));
    if (secs > 0.001)
        at += snprintf(line + at, sizeof line - (size_t)at, "  %.1f MP/s",
                       p->megapixels * frac / secs);
    if (final)
        snprintf(line + at, sizeof line - (size_t)at, "  done in %.1f s", secs);
    else if (done > 0 && secs > 0.001)
        snprintf(line + at, sizeof line - (size_t)at, "  %.0f s left",
                 secs * (double)(total - done) / (double)done + 0.5);
    if (p->tty)
        fprintf(stderr, "\r%s\033[K%s", line, final ? "\n" : "");
    else
        fprintf(stderr, "%s\n", line);
    p->shown = 1;
}

void cli_progress_update(void *user, size_t done, size_t total)
{
    cli_progress *p = user;
    if (!p || !p->enabled)
        return;
    /* Tiles finish out of order on several threads: keep the largest count. */
    size_t seen = atomic_load_explicit(&p->done, memory_order_relaxed);
    while (seen < done && !atomic_compare_exchange_weak_explicit(
                              &p->done, &seen, done, memory_order_relaxed, memory_order_relaxed))
        ;
    atomic_store_explicit(&p->total, total, memory_order_relaxed);
    if (atomic_flag_test_and_set_explicit(&p->drawing, memory_order_acquire))
        return; /* another thread is drawing */
    int64_t now = now_ns();
    if (now >= p->next_ns) {
        size_t d = atomic_load_explicit(&p->done, memory_order_relaxed);
        if (d < total)
            draw(p, d, total, now, 0);
        p->next_ns = now + (p->tty ? TTY_INTERVAL_NS : LOG_INTERVAL_NS);
    }
    atomic_flag_clear_explicit(&p->drawing, memory_order_release);
}

void cli_progress_end(cli_progress *p, int ok)
{
    if (!p || !p->enabled)
        return;
    /* The workers have stopped: no lock needed. */
    if (ok && p->mode == 2) {
        size_t total = atomic_load(&p->total);
        draw(p, total, total, now_ns(), 1);
    } else if (p->shown && p->tty) {
        fputs("\r\033[K", stderr); /* leave the terminal as it was */
    }
    p->enabled = 0;
}
