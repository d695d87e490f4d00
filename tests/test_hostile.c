/* SPDX-License-Identifier: MIT */
/*
 * test_hostile.c: hostile input. Hundreds of broken files are made at run time from the real
 * images in tests/data and samples/ (a deterministic PRNG, so a failure reproduces): every
 * truncation of a small PNG and a small JPEG, random bit flips (for PNG also with the chunk's
 * CRC recomputed, so the damage reaches the decoder), header fields patched to absurd or zero
 * sizes, chunks that inflate to tens of megabytes, malformed EXIF, empty files, directories,
 * unreadable files and wrong magic behind the right extension. Each goes through info and load
 * from memory and from a path, and a subset through a streamed run. Every call must return
 * TPROC_OK or a known error status whose message names the file ("<memory>" or the path);
 * nothing may crash, hang or leak (the context's byte count must be back at zero after every
 * variant, and ASan's leak check runs at the end of each forked test). Absurd filter and run
 * parameters are refused with their range, or fail fast on the memory limit.
 */
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "testutil.h"

/* --- the probe: one variant through every entry point ------------------------------------ */

typedef struct probe {
    tu_counter counter;
    tproc_allocator alloc;
    tproc_ctx *ctx;
    char dir[64];
    size_t limit;
    size_t variants, loaded, failed;
} probe;

static void probe_init(probe *pr, size_t limit)
{
    memset(pr, 0, sizeof *pr);
    pr->alloc = tu_counting_allocator(&pr->counter);
    pr->limit = limit;
    tproc_ctx_options o = {&pr->alloc, limit, 2};
    ck_assert_int_eq(tproc_ctx_new(&o, &pr->ctx), TPROC_OK);
    snprintf(pr->dir, sizeof pr->dir, "/tmp/tileproc-hostile-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(pr->dir));
}

static void probe_done(probe *pr)
{
    DIR *d = opendir(pr->dir);
    struct dirent *e;
    char path[600];
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", pr->dir, e->d_name);
            chmod(path, 0600);
            unlink(path);
        }
    if (d)
        closedir(d);
    rmdir(pr->dir);
    /* The context's own block is counted by the allocator but not by the context. */
    tproc_ctx_free(&pr->ctx);
    ck_assert_uint_eq(pr->counter.live, 0);
    ck_assert_msg(pr->counter.peak <= pr->limit + 4096, "allocator peak %zu over the limit %zu",
                  pr->counter.peak, pr->limit);
}

/* A failure must be a known error status with a message naming the file. */
static void check_status(probe *pr, int status, const char *name, const char *what,
                         const char *label)
{
    if (status == TPROC_OK)
        return;
    ck_assert_msg(status < 0 && strcmp(tproc_status_name(status), "UNKNOWN") != 0,
                  "%s %s: unknown status %d", label, what, status);
    const char *msg = tproc_ctx_message(pr->ctx);
    ck_assert_msg(strstr(msg, name) != NULL, "%s %s: message '%s' does not name '%s'", label, what,
                  msg, name);
    ck_assert_int_eq(tproc_ctx_status(pr->ctx), status);
}

/* Nothing the library allocated may outlive the call. */
static void check_nothing_held(probe *pr, const char *what, const char *label)
{
    ck_assert_msg(tproc_ctx_memory_in_use(pr->ctx) == 0, "%s %s: %zu bytes still in use", label,
                  what, tproc_ctx_memory_in_use(pr->ctx));
}

static void write_file(const char *path, const void *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    ck_assert_ptr_nonnull(fp);
    ck_assert_uint_eq(fwrite(data, 1, size, fp), size);
    ck_assert_int_eq(fclose(fp), 0);
}

/*
 * The streamed run's sink: drops the rows, counting their pixels, and cancels the run once
 * they pass the budget. A file of a few KiB cannot honestly hold more than about a thousand
 * pixels per byte (deflate's ceiling is 1032:1 on bytes, a JPEG's all-zero 8x8 block still
 * costs a couple of bits), so pixels far beyond that are made up by a lenient decoder: work a
 * hostile file would otherwise buy for minutes. Counting pixels rather than seconds keeps the
 * check the same on a loaded machine and under the sanitizers.
 */
typedef struct pixel_budget {
    uint64_t pixels, budget;
    int cancel;
} pixel_budget;

static int drop_rows(void *user, ptrdiff_t y, const tproc_view *rows)
{
    pixel_budget *b = user;
    (void)y;
    b->pixels += (uint64_t)rows->width * (uint64_t)rows->height;
    if (b->pixels > b->budget)
        __atomic_store_n(&b->cancel, 1, __ATOMIC_RELAXED);
    return TPROC_OK;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return (uint64_t)st.st_size;
}

/* Streams path through one cheap filter into a sink that drops the rows. */
static int stream_file(probe *pr, const char *path, const char *label)
{
    tproc_source *src = NULL;
    tproc_sink *sink = NULL;
    tproc_pipeline *pipe = NULL;
    /* 2048 pixels per byte of file, and 1 MP for the smallest files. */
    pixel_budget b = {0, (1u << 20) + 2048 * file_size(path), 0};
    int status = tproc_source_open(pr->ctx, path, NULL, &src);
    if (!status) {
        tu_ok(pr->ctx, tproc_sink_new_callback(pr->ctx, drop_rows, &b, &sink));
        tu_ok(pr->ctx, tproc_pipeline_new(pr->ctx, &pipe));
        tu_ok(pr->ctx, tproc_pipeline_add(pipe, "invert"));
        tproc_run_options ro;
        tproc_run_options_init(&ro);
        ro.cancel = &b.cancel;
        status = tproc_pipeline_stream(pipe, src, sink, &ro, NULL);
    } else {
        ck_assert_ptr_null(src);
    }
    /* A small file must not keep the decoder busy making up rows, whatever it declares. */
    ck_assert_msg(status != TPROC_ERR_CANCELLED,
                  "%s stream: still decoding after %" PRIu64 " pixels (%s)", label, b.pixels,
                  tproc_ctx_message(pr->ctx));
    check_status(pr, status, path, "stream", label);
    tproc_pipeline_free(&pipe);
    tproc_sink_free(&sink);
    tproc_source_free(&src);
    check_nothing_held(pr, "stream", label);
    return status;
}

enum { VIA_MEMORY = 1, VIA_PATH = 2, VIA_STREAM = 4, VIA_ALL = 7 };

typedef struct outcome {
    int info, load, strict, path_load, stream;
} outcome;

/*
 * Runs one variant through info and load (lenient and strict) from memory, and when asked
 * from a file and as a streamed run. The status of each call is returned in *out.
 */
static void probe_variant(probe *pr, const unsigned char *data, size_t size, const char *ext,
                          unsigned via, const char *label, outcome *out)
{
    outcome o = {TPROC_OK, TPROC_OK, TPROC_OK, TPROC_OK, TPROC_OK};
    pr->variants++;
    tproc_info info;
    if (via & VIA_MEMORY) {
        o.info = tproc_info_read_memory(pr->ctx, data, size, &info);
        check_status(pr, o.info, "<memory>", "info", label);
        tproc_image *img = (tproc_image *)&info; /* must be overwritten with NULL on failure */
        tproc_load_options lo = {.ignore_orientation = 1, .strict = 0};
        o.load = tproc_load_memory(pr->ctx, data, size, &lo, &img);
        check_status(pr, o.load, "<memory>", "load", label);
        if (o.load == TPROC_OK) {
            ck_assert_ptr_nonnull(img);
            /* What loads has a readable header that says what was loaded. */
            ck_assert_msg(o.info == TPROC_OK, "%s: loads but info fails: %s", label,
                          tproc_ctx_message(pr->ctx));
            ck_assert_int_eq(tproc_image_width(img), info.width);
            ck_assert_int_eq(tproc_image_height(img), info.height);
            ck_assert_int_eq(tproc_image_channels(img), info.channels);
            tproc_image_free(&img);
            pr->loaded++;
        } else {
            ck_assert_ptr_null(img);
            pr->failed++;
        }
        tproc_load_options strict = {.ignore_orientation = 1, .strict = 1};
        o.strict = tproc_load_memory(pr->ctx, data, size, &strict, &img);
        check_status(pr, o.strict, "<memory>", "strict load", label);
        /* Strict is stricter: it never accepts what the lenient load refuses. */
        ck_assert_msg(o.strict != TPROC_OK || o.load == TPROC_OK,
                      "%s: strict load succeeds where the lenient one fails", label);
        tproc_image_free(&img);
        check_nothing_held(pr, "load", label);
    }
    if (via & (VIA_PATH | VIA_STREAM)) {
        char path[256];
        snprintf(path, sizeof path, "%s/v%zu%s", pr->dir, pr->variants, ext);
        write_file(path, data, size);
        if (via & VIA_PATH) {
            tproc_info pinfo;
            int status = tproc_info_read(pr->ctx, path, &pinfo);
            check_status(pr, status, path, "info(path)", label);
            if (via & VIA_MEMORY)
                ck_assert_msg((status == TPROC_OK) == (o.info == TPROC_OK),
                              "%s: info from a path and from memory disagree", label);
            tproc_image *img = NULL;
            tproc_load_options lo = {.ignore_orientation = 1, .strict = 0};
            o.path_load = tproc_load(pr->ctx, path, &lo, &img);
            check_status(pr, o.path_load, path, "load(path)", label);
            ck_assert((o.path_load == TPROC_OK) == (img != NULL));
            if (via & VIA_MEMORY)
                ck_assert_msg((o.path_load == TPROC_OK) == (o.load == TPROC_OK),
                              "%s: load from a path and from memory disagree", label);
            tproc_image_free(&img);
            check_nothing_held(pr, "load(path)", label);
        }
        if (via & VIA_STREAM)
            o.stream = stream_file(pr, path, label);
        unlink(path);
    }
    if (out)
        *out = o;
}

static unsigned char *read_data(const char *path, size_t *size)
{
    unsigned char *d = tu_read_file(path, size);
    ck_assert_msg(d != NULL, "cannot read %s", path);
    return d;
}

/* --- PNG and JPEG surgery ------------------------------------------------------------------ */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Offset of the chunk (its length field) that contains byte pos, or 0 (the signature). */
static size_t png_chunk_at(const unsigned char *d, size_t size, size_t pos)
{
    size_t off = 8;
    while (off + 12 <= size) {
        size_t end = off + 12 + be32(d + off);
        if (end > size || end < off)
            return 0;
        if (pos < end)
            return pos >= off ? off : 0;
        off = end;
    }
    return 0;
}

/* Recomputes the CRC of the chunk at off (if it fits). */
static void png_fix_crc(unsigned char *d, size_t size, size_t off)
{
    uint32_t len = be32(d + off);
    if (off + 12 + (size_t)len > size)
        return;
    uLong crc = crc32(0L, d + off + 4, (uInt)(len + 4));
    put_be32(d + off + 8 + len, (uint32_t)crc);
}

/* A copy of png with a chunk (type, payload) inserted after IHDR. */
static unsigned char *png_insert(const unsigned char *png, size_t size, const char *type,
                                 const unsigned char *payload, size_t plen, size_t *out_size)
{
    size_t at = 8 + 12 + be32(png + 8);
    *out_size = size + 12 + plen;
    unsigned char *d = malloc(*out_size);
    ck_assert_ptr_nonnull(d);
    memcpy(d, png, at);
    put_be32(d + at, (uint32_t)plen);
    memcpy(d + at + 4, type, 4);
    if (plen)
        memcpy(d + at + 8, payload, plen);
    png_fix_crc(d, *out_size, at);
    memcpy(d + at + 12 + plen, png + at, size - at);
    return d;
}

/* prefix, then n bytes of data, then pad bytes of fill, deflated (zlib format) after prefix as
 * they are made: the inflated bytes are never held. */
static unsigned char *deflate_padded(const unsigned char *prefix, size_t plen,
                                     const unsigned char *data, size_t n, unsigned char fill,
                                     size_t pad, size_t *out_size)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    ck_assert_int_eq(deflateInit(&z, 9), Z_OK);
    size_t cap = plen + n + pad / 500 + 4096;
    unsigned char *out = malloc(cap), in[65536];
    ck_assert_ptr_nonnull(out);
    memcpy(out, prefix, plen);
    z.next_out = out + plen;
    z.avail_out = (uInt)(cap - plen);
    size_t total = n + pad, at = 0;
    int rc;
    do {
        size_t len = total - at < sizeof in ? total - at : sizeof in;
        for (size_t i = 0; i < len; i++)
            in[i] = at + i < n ? data[at + i] : fill;
        at += len;
        z.next_in = in;
        z.avail_in = (uInt)len;
        rc = deflate(&z, at < total ? Z_NO_FLUSH : Z_FINISH);
        ck_assert_msg(rc == Z_OK || rc == Z_STREAM_END, "deflate: %d", rc);
        ck_assert_uint_gt(z.avail_out, 0);
    } while (at < total || rc != Z_STREAM_END);
    *out_size = plen + z.total_out;
    deflateEnd(&z);
    return out;
}

/* prefix followed by `bytes` bytes of 'A' deflated (zlib format). */
static unsigned char *deflate_bomb(const unsigned char *prefix, size_t plen, size_t bytes,
                                   size_t *out_size)
{
    return deflate_padded(prefix, plen, NULL, 0, 'A', bytes, out_size);
}

/* Offset of the first SOFn marker (FF Cn) of a JPEG, or 0. */
static size_t jpeg_sof(const unsigned char *d, size_t size)
{
    size_t off = 2;
    while (off + 4 <= size && d[off] == 0xff) {
        unsigned m = d[off + 1];
        size_t len = (size_t)d[off + 2] << 8 | d[off + 3];
        if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc)
            return off;
        if (m == 0xda)
            return 0;
        off += 2 + len;
    }
    return 0;
}

/* --- truncation ----------------------------------------------------------------------------- */

/* Every proper prefix of a small PNG: libpng must see that the data ends early every time. */
START_TEST(png_truncated_at_every_position)
{
    static const char *files[] = {"pngsuite/basn2c08.png", "pngsuite/basi0g01.png"};
    probe pr;
    probe_init(&pr, 64u << 20);
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        size_t size;
        unsigned char *d = read_data(tu_data(files[f]), &size);
        for (size_t n = 0; n < size; n++) {
            char label[128];
            snprintf(label, sizeof label, "%s cut to %zu of %zu bytes", files[f], n, size);
            outcome o;
            probe_variant(&pr, d, n, ".png", n % 4 == 0 ? VIA_ALL : VIA_MEMORY, label, &o);
            ck_assert_msg(o.load != TPROC_OK, "%s: loads", label);
            ck_assert_msg(n % 4 != 0 || o.stream != TPROC_OK, "%s: streams", label);
        }
        outcome whole;
        probe_variant(&pr, d, size, ".png", VIA_ALL, files[f], &whole);
        ck_assert_int_eq(whole.load, TPROC_OK);
        ck_assert_int_eq(whole.stream, TPROC_OK);
        free(d);
    }
    probe_done(&pr);
}
END_TEST

/*
 * Every proper prefix of a small JPEG. A lenient load may give grey rows for missing data; a
 * strict one must fail once the scan data is cut.
 */
START_TEST(jpeg_truncated_at_every_position)
{
    probe pr;
    probe_init(&pr, 64u << 20);
    size_t size;
    const char *file = "jpeg/testorig.jpg";
    unsigned char *d = read_data(tu_data(file), &size);
    size_t sos = 0;
    for (size_t i = 2; i + 1 < size && !sos; i++)
        if (d[i] == 0xff && d[i + 1] == 0xda)
            sos = i;
    ck_assert_uint_gt(sos, 0);
    for (size_t n = 0; n < size; n++) {
        char label[128];
        snprintf(label, sizeof label, "%s cut to %zu of %zu bytes", file, n, size);
        outcome o;
        probe_variant(&pr, d, n, ".jpg", n % 41 == 0 ? VIA_ALL : VIA_MEMORY, label, &o);
        ck_assert_msg(o.strict != TPROC_OK, "%s: a strict load succeeds", label);
        if (n <= sos)
            ck_assert_msg(o.load != TPROC_OK, "%s: loads without any scan data", label);
    }
    outcome whole;
    probe_variant(&pr, d, size, ".jpg", VIA_ALL, file, &whole);
    ck_assert_int_eq(whole.strict, TPROC_OK);
    ck_assert_int_eq(whole.stream, TPROC_OK);
    free(d);
    probe_done(&pr);
}
END_TEST

/* --- bit flips -------------------------------------------------------------------------------- */

static const struct flip_source {
    const char *file; /* under tests/data, or "@rocket" for samples/rocket.jpg */
    const char *ext;
    int count;
    int fix_crc; /* PNG: recompute the damaged chunk's CRC so the damage reaches the decoder */
} flip_sources[] = {
    {"pngsuite/basn2c08.png", ".png", 60, 0}, {"pngsuite/basn2c08.png", ".png", 80, 1},
    {"pngsuite/basn6a08.png", ".png", 60, 1}, {"pngsuite/basi3p08.png", ".png", 60, 1},
    {"pngsuite/basn0g16.png", ".png", 40, 1}, {"jpeg/testorig.jpg", ".jpg", 80, 0},
    {"jpeg/testimgint.jpg", ".jpg", 40, 0},   {"@rocket", ".jpg", 50, 0},
};

START_TEST(bit_flips)
{
    const struct flip_source *fs = &flip_sources[_i];
    char path[512];
    if (strcmp(fs->file, "@rocket") == 0)
        snprintf(path, sizeof path, "%s/rocket.jpg", TPROC_TEST_SAMPLES);
    else
        snprintf(path, sizeof path, "%s", tu_data(fs->file));
    size_t size;
    unsigned char *orig = read_data(path, &size);
    unsigned char *d = malloc(size);
    ck_assert_ptr_nonnull(d);
    probe pr;
    probe_init(&pr, 64u << 20);
    tu_rng rng;
    tu_rng_seed(&rng, 0xf11b + (uint64_t)_i);
    for (int v = 0; v < fs->count; v++) {
        memcpy(d, orig, size);
        int flips = (int)tu_rng_range(&rng, 1, 6);
        /* Half the flips land in the first KiB, where the headers are. */
        size_t span = tu_rng_range(&rng, 0, 1) && size > 1024 ? 1024 : size;
        char label[256];
        int used = snprintf(label, sizeof label, "%s%s flips", fs->file,
                            fs->fix_crc ? " (CRC fixed)" : "");
        for (int k = 0; k < flips; k++) {
            size_t pos = (size_t)tu_rng_range(&rng, 0, (ptrdiff_t)span - 1);
            int bit = (int)tu_rng_range(&rng, 0, 7);
            d[pos] ^= (unsigned char)(1u << bit);
            if (fs->fix_crc) {
                size_t chunk = png_chunk_at(d, size, pos);
                if (chunk)
                    png_fix_crc(d, size, chunk);
            }
            if (used < (int)sizeof label - 24)
                used += snprintf(label + used, sizeof label - (size_t)used, " %zu.%d", pos, bit);
        }
        probe_variant(&pr, d, size, fs->ext, v % 5 == 0 ? VIA_ALL : VIA_MEMORY, label, NULL);
    }
    /* Some variants must still load and some must fail, or the flips test nothing. */
    ck_assert_msg(pr.failed > 0, "%s: no flipped variant failed", fs->file);
    free(d);
    free(orig);
    probe_done(&pr);
}
END_TEST

/* --- absurd and zero sizes in headers -------------------------------------------------------- */

static const uint32_t absurd_dims[][2] = {
    {0, 32},
    {32, 0},
    {0, 0},
    {1, 1},
    {33, 32},
    {65535, 65535},
    {1000000, 1000000},
    {1000001, 1},
    {1, 1000001},
    {0x7fffffff, 0x7fffffff},
    {0x80000000u, 1},
    {0xffffffffu, 0xffffffffu},
    {100000, 100000},
    {20000, 20000},
    {1000000, 1},
    {1, 16777216},
};

/* IHDR width and height patched (CRC recomputed), and each other IHDR field. */
START_TEST(png_absurd_header_fields)
{
    probe pr;
    probe_init(&pr, 64u << 20);
    size_t size;
    unsigned char *orig = read_data(tu_data("pngsuite/basn2c08.png"), &size);
    unsigned char *d = malloc(size);
    ck_assert_ptr_nonnull(d);
    for (size_t i = 0; i < sizeof absurd_dims / sizeof absurd_dims[0]; i++) {
        memcpy(d, orig, size);
        put_be32(d + 16, absurd_dims[i][0]);
        put_be32(d + 20, absurd_dims[i][1]);
        png_fix_crc(d, size, 8);
        char label[96];
        snprintf(label, sizeof label, "PNG IHDR %ux%u", (unsigned)absurd_dims[i][0],
                 (unsigned)absurd_dims[i][1]);
        outcome o;
        probe_variant(&pr, d, size, ".png", VIA_ALL, label, &o);
        uint64_t px = (uint64_t)absurd_dims[i][0] * absurd_dims[i][1];
        if (px == 0 || px > 1024 * 1024)
            ck_assert_msg(o.load != TPROC_OK && o.stream != TPROC_OK, "%s: loads", label);
        if (px == 0)
            ck_assert_msg(o.info != TPROC_OK, "%s: info accepts a zero size", label);
    }
    /* bit depth, colour type, compression, filter, interlace: each through odd values. */
    static const unsigned char odd[] = {0, 3, 5, 7, 9, 15, 17, 255};
    for (int field = 24; field <= 28; field++)
        for (size_t k = 0; k < sizeof odd; k++) {
            memcpy(d, orig, size);
            d[field] = odd[k];
            png_fix_crc(d, size, 8);
            char label[96];
            snprintf(label, sizeof label, "PNG IHDR byte %d = %u", field, odd[k]);
            probe_variant(&pr, d, size, ".png", VIA_MEMORY | VIA_PATH, label, NULL);
        }
    free(d);
    free(orig);
    probe_done(&pr);
}
END_TEST

/* SOF height and width patched; precision and component count too. */
START_TEST(jpeg_absurd_header_fields)
{
    probe pr;
    probe_init(&pr, 64u << 20);
    size_t size;
    unsigned char *orig = read_data(tu_data("jpeg/testorig.jpg"), &size);
    size_t sof = jpeg_sof(orig, size);
    ck_assert_uint_gt(sof, 0);
    unsigned char *d = malloc(size);
    ck_assert_ptr_nonnull(d);
    static const unsigned dims[][2] = {{0, 149},   {227, 0},       {0, 0},         {1, 1},
                                       {228, 149}, {65535, 65535}, {65500, 65500}, {65535, 1},
                                       {1, 65535}, {20000, 20000}, {8, 8}};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        memcpy(d, orig, size);
        d[sof + 5] = (unsigned char)(dims[i][1] >> 8);
        d[sof + 6] = (unsigned char)dims[i][1];
        d[sof + 7] = (unsigned char)(dims[i][0] >> 8);
        d[sof + 8] = (unsigned char)dims[i][0];
        char label[96];
        snprintf(label, sizeof label, "JPEG SOF %ux%u", dims[i][0], dims[i][1]);
        outcome o;
        uint64_t px = (uint64_t)dims[i][0] * dims[i][1];
        /* Streams of gigapixels declared by a small file have a test of their own. */
        probe_variant(&pr, d, size, ".jpg", px > 16u << 20 ? VIA_MEMORY | VIA_PATH : VIA_ALL, label,
                      &o);
        if (px == 0)
            ck_assert_msg(o.info != TPROC_OK && o.load != TPROC_OK, "%s: accepted", label);
        if (px > 16u << 20) {
            /* 64 MiB cannot hold it: the limit refuses it before any decoding (libjpeg itself
             * refuses sides over 65500). */
            int want =
                dims[i][0] > 65500 || dims[i][1] > 65500 ? TPROC_ERR_UNSUPPORTED : TPROC_ERR_LIMIT;
            ck_assert_msg(o.load == want, "%s: load gives %s, not %s", label,
                          tproc_status_name(o.load), tproc_status_name(want));
        }
    }
    static const unsigned char precision[] = {0, 1, 7, 9, 12, 16, 255};
    for (size_t k = 0; k < sizeof precision; k++) {
        memcpy(d, orig, size);
        d[sof + 4] = precision[k];
        char label[64];
        snprintf(label, sizeof label, "JPEG precision %u", precision[k]);
        probe_variant(&pr, d, size, ".jpg", VIA_MEMORY | VIA_PATH, label, NULL);
    }
    static const unsigned char comps[] = {0, 2, 4, 5, 255};
    for (size_t k = 0; k < sizeof comps; k++) {
        memcpy(d, orig, size);
        d[sof + 9] = comps[k];
        char label[64];
        snprintf(label, sizeof label, "JPEG components %u", comps[k]);
        outcome o;
        probe_variant(&pr, d, size, ".jpg", VIA_MEMORY | VIA_PATH, label, &o);
        ck_assert_msg(o.load != TPROC_OK, "%s: loads", label);
    }
    free(d);
    free(orig);
    probe_done(&pr);
}
END_TEST

/* --- metadata bombs and malformed metadata -----------------------------------------------------
 */

static long max_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/*
 * Text and profile chunks whose data inflates to 64 MiB: the decoder skips text and caps what
 * it inflates, so a load takes little time and little memory whatever they claim.
 */
START_TEST(png_chunks_that_inflate_to_megabytes)
{
    probe pr;
    probe_init(&pr, 64u << 20);
    size_t size;
    unsigned char *png = read_data(tu_data("pngsuite/basn2c08.png"), &size);
    static const struct {
        const char *type;
        const char *prefix;
        size_t prefix_len;
    } bombs[] = {
        {"zTXt", "Comment\0\0", 9},
        {"iTXt", "Comment\0\1\0\0\0", 12},
        {"iCCP", "icc\0\0", 5},
    };
    for (size_t b = 0; b < sizeof bombs / sizeof bombs[0]; b++) {
        size_t plen, vsize;
        unsigned char *payload = deflate_bomb((const unsigned char *)bombs[b].prefix,
                                              bombs[b].prefix_len, 64u << 20, &plen);
        unsigned char *v = png_insert(png, size, bombs[b].type, payload, plen, &vsize);
        char label[64];
        snprintf(label, sizeof label, "%s inflating to 64 MiB", bombs[b].type);
        long rss0 = max_rss_kib();
        outcome o;
        probe_variant(&pr, v, vsize, ".png", VIA_ALL, label, &o);
        long grew = max_rss_kib() - rss0;
        ck_assert_msg(grew < 40 * 1024, "%s: resident memory grew by %ld KiB", label, grew);
        /* Text is not ours to judge: the image itself is intact and loads. */
        if (bombs[b].type[0] != 'i' || bombs[b].type[1] == 'T')
            ck_assert_msg(o.load == TPROC_OK, "%s: %s", label, tproc_ctx_message(pr.ctx));
        free(v);
        free(payload);
    }
    /* Thousands of small text chunks. */
    unsigned char *many = malloc(size + 3000u * 32u);
    ck_assert_ptr_nonnull(many);
    size_t at = 8 + 25, n = at;
    memcpy(many, png, at);
    for (int i = 0; i < 3000; i++) {
        unsigned char *c = many + n;
        put_be32(c, 20);
        memcpy(c + 4, "tEXt", 4);
        snprintf((char *)c + 8, 21, "Key%05d%cvalue-value", i, 0);
        png_fix_crc(many, size + 3000u * 32u, n);
        n += 32;
    }
    memcpy(many + n, png + at, size - at);
    outcome o;
    probe_variant(&pr, many, n + size - at, ".png", VIA_ALL, "3000 tEXt chunks", &o);
    ck_assert_msg(o.load == TPROC_OK, "3000 tEXt chunks: %s", tproc_ctx_message(pr.ctx));
    free(many);
    free(png);
    probe_done(&pr);
}
END_TEST

/*
 * Hostile ICC profiles in a PNG's iCCP (issue 12), built on a 580-byte Adobe RGB (1998)
 * compatible profile: one declaring 64 MiB but holding 580 bytes, one declaring 64 MiB and inflating to it (zeros after
 * the real tags), one declaring its true 580 bytes and inflating to 64 MiB past them, and the
 * small broken ones (truncated stream, size field under the header or past the data, an absurd
 * tag count), through load (memory, path, strict) and a streamed run, under the counting
 * allocator with a 64 MiB limit.
 *
 * The decision (SECURITY.md, "Limits"): libpng refuses a declared size over its 8 MB chunk
 * limit, and a profile whose header or tag table is broken, before inflating the rest, as a
 * benign error. A lenient load then reads the image as untagged (sRGB), like libvips and
 * sharp, whose PNG loaders sit on the same libpng check, and browsers; a strict load fails
 * naming the file. Either way the inflated bytes are never held: the counted peak stays that of
 * the 32x32 image, and the process's resident memory grows by far less than 64 MiB.
 */
/* An iCCP payload: keyword "icc", method 0, then profile followed by pad zero bytes, deflated
 * as it is made (never held inflated). */
static unsigned char *iccp_payload(const unsigned char *profile, size_t n, size_t pad,
                                   size_t *out_size)
{
    return deflate_padded((const unsigned char *)"icc\0\0", 5, profile, n, 0, pad, out_size);
}

START_TEST(png_hostile_icc_profiles_stay_bounded)
{
    probe pr;
    probe_init(&pr, 64u << 20);
    size_t size, icc_size;
    unsigned char *png = read_data(tu_data("pngsuite/basn2c08.png"), &size);
    unsigned char *icc = read_data(tu_data("icc/compatibleWithAdobeRGB1998.icc"), &icc_size);
    ck_assert_uint_eq(icc_size, 580);
    tproc_image *plain = NULL; /* in the default context: the probe's must end each call empty */
    tu_ok(NULL, tproc_load_memory(NULL, png, size, NULL, &plain));
    /* The same PNG with the intact profile: what a profile that survives must give. */
    size_t clean_plen, clean_size;
    unsigned char *clean_payload = iccp_payload(icc, icc_size, 0, &clean_plen);
    unsigned char *clean = png_insert(png, size, "iCCP", clean_payload, clean_plen, &clean_size);
    static const struct {
        const char *label;
        int survives;      /* libpng hands the (intact) profile on; else it is dropped */
        uint32_t declared; /* the header's size field (0: the true 580) */
        size_t pad;        /* zero bytes inflated after the 580 */
        size_t keep;       /* bytes of the deflated stream kept (0: all) */
        uint32_t tags;     /* the tag count (0: as is) */
    } cases[] = {
        {"declares 64 MiB, holds 580 bytes", 0, 64u << 20, 0, 0, 0},
        {"declares 64 MiB and inflates to it", 0, 64u << 20, ((size_t)64 << 20) - 580, 0, 0},
        /* libpng inflates the declared 580 bytes and stops: the rest is never inflated. */
        {"declares 580 bytes, inflates to 64 MiB", 1, 0, ((size_t)64 << 20) - 580, 0, 0},
        {"deflate stream cut after 100 bytes", 0, 0, 0, 100, 0},
        {"size field under the header", 0, 100, 0, 0, 0},
        {"size field past the data", 0, 4096, 0, 0, 0},
        {"absurd tag count", 0, 0, 0, 0, 0xFFFFFFFFu},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        const char *label = cases[k].label;
        unsigned char profile[580];
        memcpy(profile, icc, sizeof profile);
        if (cases[k].declared)
            put_be32(profile, cases[k].declared);
        if (cases[k].tags)
            put_be32(profile + 128, cases[k].tags);
        size_t plen;
        unsigned char *payload = iccp_payload(profile, sizeof profile, cases[k].pad, &plen);
        if (cases[k].keep)
            plen = cases[k].keep;
        size_t vsize;
        unsigned char *v = png_insert(png, size, "iCCP", payload, plen, &vsize);
        ck_assert_uint_lt(vsize, 1u << 20); /* a small file, whatever it inflates to */
        long rss0 = max_rss_kib();
        size_t live0 = pr.counter.live;
        pr.counter.peak = live0;

        /* Memory, path and stream under the default policy, and strict (probe_variant checks
         * every failure names the file and nothing stays allocated). */
        outcome o;
        probe_variant(&pr, v, vsize, ".png", VIA_ALL, label, &o);
        ck_assert_msg(o.load == TPROC_OK && o.path_load == TPROC_OK && o.stream == TPROC_OK,
                      "%s: a lenient load or stream fails: %s", label,
                      tproc_ctx_message(pr.ctx));
        /* Under every policy: a dropped profile reads the stored pixels untagged (nothing
         * converted or carried), a surviving one exactly as the intact profile does. */
        for (int policy = TPROC_COLOUR_SRGB; policy <= TPROC_COLOUR_IGNORE; policy++) {
            tproc_load_options lo = {.colour = (tproc_colour_policy)policy};
            const char *name = tproc_colour_policy_name(lo.colour);
            tproc_image *img = NULL, *want = NULL;
            tu_ok(pr.ctx, tproc_load_memory(pr.ctx, v, vsize, &lo, &img));
            if (cases[k].survives)
                tu_ok(NULL, tproc_load_memory(NULL, clean, clean_size, &lo, &want));
            const tproc_image *ref = cases[k].survives ? want : plain;
            size_t got = 1, want_size = 1;
            const void *got_icc = tproc_image_icc(img, &got);
            const void *want_icc = tproc_image_icc(ref, &want_size);
            ck_assert_msg(got_icc ? want_icc && got == want_size && !memcmp(got_icc, want_icc, got)
                                  : !want_icc,
                          "%s, %s: carries %zu bytes of profile", label, name, got_icc ? got : 0);
            if (policy == TPROC_COLOUR_KEEP)
                ck_assert_msg(!cases[k].survives || got_icc, "%s: keep drops it", label);
            tproc_view iv = tproc_image_view(img), rv = tproc_image_view(ref);
            tproc_diff d;
            tu_ok(pr.ctx, tproc_view_compare(&iv, &rv, &d));
            ck_assert_msg(d.max_abs == 0, "%s, %s: pixels differ from the %s image", label, name,
                          cases[k].survives ? "intact profile's" : "untagged");
            tproc_image_free(&img);
            tproc_image_free(&want);
        }
        /* Strict: libpng's complaint is the error, naming the file. */
        if (!cases[k].survives)
            ck_assert_msg(o.strict != TPROC_OK, "%s: a strict load accepts it", label);
        if (o.strict != TPROC_OK) {
            tproc_image *img = NULL;
            tproc_load_options strict = {.strict = 1};
            ck_assert_int_ne(tproc_load_memory(pr.ctx, v, vsize, &strict, &img), TPROC_OK);
            ck_assert_msg(strstr(tproc_ctx_message(pr.ctx), "<memory>: ") &&
                              strstr(tproc_ctx_message(pr.ctx), "iCCP"),
                          "%s: strict error '%s'", label, tproc_ctx_message(pr.ctx));
        }
        /* The counted peak is the 32x32 image's, a decoder's and a colour transform's (its
         * tables take 256 KiB): nowhere near 64 MiB. */
        ck_assert_msg(pr.counter.peak - live0 < 1u << 20, "%s: counted peak %zu bytes", label,
                      pr.counter.peak - live0);
        long grew = max_rss_kib() - rss0;
        ck_assert_msg(grew < 16 * 1024, "%s: resident memory grew by %ld KiB", label, grew);
        free(v);
        free(payload);
    }
    tproc_image_free(&plain);
    free(clean);
    free(clean_payload);
    free(icc);
    free(png);
    probe_done(&pr);
}
END_TEST

/*
 * A profile of 7.5 MB (Adobe RGB compatible tags, then zeros) is under libpng's chunk limit, so it
 * reaches tileproc: it is then copied and parsed in counted memory, so the context's limit
 * holds it. With 64 MiB it converts (its tags are a real profile's) and keep carries all of it; with
 * a 4 MiB limit the load fails with LIMIT naming the file, and the allocator never held more.
 */
START_TEST(png_large_icc_profile_counts_against_the_limit)
{
    size_t size, icc_size;
    unsigned char *png = read_data(tu_data("pngsuite/basn2c08.png"), &size);
    unsigned char *icc = read_data(tu_data("icc/compatibleWithAdobeRGB1998.icc"), &icc_size);
    const uint32_t declared = 7500000;
    put_be32(icc, declared);
    size_t plen, vsize;
    unsigned char *payload = iccp_payload(icc, icc_size, declared - icc_size, &plen);
    unsigned char *v = png_insert(png, size, "iCCP", payload, plen, &vsize);
    for (int small = 0; small < 2; small++) {
        tu_counter counter = {0, 0, 0};
        tproc_allocator alloc = tu_counting_allocator(&counter);
        size_t limit = small ? (size_t)4 << 20 : (size_t)64 << 20;
        tproc_ctx_options co = {&alloc, limit, 1};
        tproc_ctx *ctx = NULL;
        ck_assert_int_eq(tproc_ctx_new(&co, &ctx), TPROC_OK);
        size_t own = counter.live;
        tproc_load_options keep = {.colour = TPROC_COLOUR_KEEP};
        tproc_image *img = NULL;
        int status = tproc_load_memory(ctx, v, vsize, &keep, &img);
        if (small) {
            ck_assert_msg(status == TPROC_ERR_LIMIT, "4 MiB: %s", tproc_ctx_message(ctx));
            ck_assert_ptr_null(img);
            ck_assert_msg(strstr(tproc_ctx_message(ctx), "<memory>"), "%s",
                          tproc_ctx_message(ctx));
        } else {
            tu_ok(ctx, status);
            size_t got = 0;
            ck_assert_ptr_nonnull(tproc_image_icc(img, &got));
            ck_assert_uint_eq(got, declared);
            tproc_image_free(&img);
            tu_ok(ctx, tproc_load_memory(ctx, v, vsize, NULL, &img)); /* converted to sRGB */
            ck_assert_ptr_null(tproc_image_icc(img, &got));
            tproc_image_free(&img);
        }
        ck_assert_msg(counter.peak - own <= limit, "peak %zu over the limit %zu",
                      counter.peak - own, limit);
        tproc_ctx_free(&ctx);
        ck_assert_uint_eq(counter.live, 0);
    }
    free(v);
    free(payload);
    free(icc);
    free(png);
}
END_TEST

/* EXIF blocks with offsets and counts pointing anywhere, in a JPEG APP1 and a PNG eXIf. */
START_TEST(malformed_exif)
{
    probe pr;
    probe_init(&pr, 64u << 20);
    size_t jsize, psize;
    unsigned char *jpg = read_data(tu_data("jpeg/testorig.jpg"), &jsize);
    unsigned char *png = read_data(tu_data("pngsuite/basn2c08.png"), &psize);
    tu_rng rng;
    tu_rng_seed(&rng, 0xe1f);
    for (int v = 0; v < 80; v++) {
        unsigned char tiff[64];
        size_t tlen = (size_t)tu_rng_range(&rng, 0, (ptrdiff_t)sizeof tiff);
        int be = (int)tu_rng_range(&rng, 0, 1);
        for (size_t i = 0; i < tlen; i++)
            tiff[i] = (unsigned char)tu_rng_next(&rng);
        /* Mostly well-formed headers with hostile offsets, counts and orientation values. */
        if (tlen >= 8 && v % 4 != 0) {
            memcpy(tiff, be ? "MM\0*" : "II*\0", 4);
            uint32_t ifd =
                v % 3 == 0 ? (uint32_t)tu_rng_next(&rng) : (uint32_t)tu_rng_range(&rng, 0, 70);
            for (int k = 0; k < 4; k++)
                tiff[4 + k] = (unsigned char)(be ? ifd >> (24 - 8 * k) : ifd >> (8 * k));
            if (tlen >= 22) {
                tiff[8] = be ? 0 : 1, tiff[9] = be ? 1 : 0; /* one entry */
                tiff[10] = be ? 0x01 : 0x12, tiff[11] = be ? 0x12 : 0x01;
            }
        }
        unsigned char app1[80];
        size_t alen = 2 + 6 + tlen;
        app1[0] = 0xff, app1[1] = 0xe1;
        app1[2] = (unsigned char)(alen >> 8), app1[3] = (unsigned char)alen;
        memcpy(app1 + 4, "Exif\0\0", 6);
        memcpy(app1 + 10, tiff, tlen);
        size_t vsize = jsize + 2 + alen;
        unsigned char *vj = malloc(vsize);
        ck_assert_ptr_nonnull(vj);
        memcpy(vj, jpg, 2);
        memcpy(vj + 2, app1, 2 + alen);
        memcpy(vj + 4 + alen, jpg + 2, jsize - 2);
        char label[64];
        snprintf(label, sizeof label, "EXIF variant %d (%zu bytes) in JPEG", v, tlen);
        outcome o;
        probe_variant(&pr, vj, vsize, ".jpg", v % 8 == 0 ? VIA_ALL : VIA_MEMORY, label, &o);
        ck_assert_msg(o.load == TPROC_OK, "%s: %s", label, tproc_ctx_message(pr.ctx));
        tproc_info info;
        tu_ok(pr.ctx, tproc_info_read_memory(pr.ctx, vj, vsize, &info));
        ck_assert_int_ge(info.orientation, 1);
        ck_assert_int_le(info.orientation, 8);
        free(vj);
        unsigned char *vp = png_insert(png, psize, "eXIf", tiff, tlen, &vsize);
        snprintf(label, sizeof label, "EXIF variant %d (%zu bytes) in PNG", v, tlen);
        probe_variant(&pr, vp, vsize, ".png", v % 8 == 0 ? VIA_ALL : VIA_MEMORY, label, NULL);
        free(vp);
    }
    free(jpg);
    free(png);
    probe_done(&pr);
}
END_TEST

/* --- files that are not images ------------------------------------------------------------------
 */

START_TEST(not_images)
{
    probe pr;
    probe_init(&pr, 64u << 20);
    tproc_image *img = NULL;
    tproc_info info;
    char path[256];

    /* Empty: from memory (with and without a pointer) and from a file. */
    ck_assert_int_eq(tproc_load_memory(pr.ctx, NULL, 0, NULL, &img), TPROC_ERR_FORMAT);
    ck_assert_ptr_null(img);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(pr.ctx), "<memory>"));
    ck_assert_int_eq(tproc_load_memory(pr.ctx, "", 0, NULL, &img), TPROC_ERR_FORMAT);
    ck_assert_int_eq(tproc_info_read_memory(pr.ctx, "", 0, &info), TPROC_ERR_FORMAT);
    snprintf(path, sizeof path, "%s/empty.png", pr.dir);
    write_file(path, "", 0);
    ck_assert_int_eq(tproc_load(pr.ctx, path, NULL, &img), TPROC_ERR_FORMAT);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(pr.ctx), path));
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(pr.ctx), "empty"));
    probe_variant(&pr, (const unsigned char *)"", 0, ".jpg", VIA_ALL, "empty", NULL);

    /* A directory, named like an image. */
    snprintf(path, sizeof path, "%s/dir.png", pr.dir);
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_int_eq(tproc_load(pr.ctx, path, NULL, &img), TPROC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(pr.ctx), path));
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(pr.ctx), "directory"));
    ck_assert_int_eq(tproc_info_read(pr.ctx, path, &info), TPROC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(pr.ctx), path));
    tproc_source *src = NULL;
    ck_assert_int_ne(tproc_source_open(pr.ctx, path, NULL, &src), TPROC_OK);
    ck_assert_ptr_null(src);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(pr.ctx), path));
    rmdir(path);

    /* Unreadable: /proc/self/mem opens but fails to read at offset 0 (even for root); a mode
     * 000 file when not root. */
    ck_assert_int_eq(tproc_load(pr.ctx, "/proc/self/mem", NULL, &img), TPROC_ERR_IO);
    ck_assert_ptr_null(img);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(pr.ctx), "/proc/self/mem"));
    ck_assert_int_eq(tproc_info_read(pr.ctx, "/proc/self/mem", &info), TPROC_ERR_IO);
    ck_assert_int_ne(tproc_source_open(pr.ctx, "/proc/self/mem", NULL, &src), TPROC_OK);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(pr.ctx), "/proc/self/mem"));
    if (geteuid() != 0) {
        snprintf(path, sizeof path, "%s/locked.png", pr.dir);
        size_t size;
        unsigned char *d = read_data(tu_data("pngsuite/basn2c08.png"), &size);
        write_file(path, d, size);
        free(d);
        ck_assert_int_eq(chmod(path, 0), 0);
        ck_assert_int_eq(tproc_load(pr.ctx, path, NULL, &img), TPROC_ERR_IO);
        ck_assert_ptr_nonnull(strstr(tproc_ctx_message(pr.ctx), path));
    }
    snprintf(path, sizeof path, "%s/missing.jpg", pr.dir);
    ck_assert_int_eq(tproc_load(pr.ctx, path, NULL, &img), TPROC_ERR_IO);
    ck_assert_ptr_nonnull(strstr(tproc_ctx_message(pr.ctx), path));

    /* Wrong magic behind the right extension, and the right magic behind the wrong one. */
    static const struct {
        const char *data;
        size_t size;
        const char *ext;
        int status;
    } magic[] = {
        {"hello, world\n", 13, ".png", TPROC_ERR_FORMAT},
        {"hello, world\n", 13, ".jpg", TPROC_ERR_FORMAT},
        {"GIF89a\1\0\1\0\0\0\0;", 14, ".png", TPROC_ERR_FORMAT},
        {"BM\x3a\0\0\0\0\0\0\0\x36\0\0\0", 14, ".jpg", TPROC_ERR_FORMAT},
        {"\x89PNG", 4, ".png", TPROC_ERR_FORMAT},
        {"\x89PNG\r\n\x1a", 7, ".png", TPROC_ERR_FORMAT},
        {"\x89PNG\r\n\x1a\n", 8, ".png", TPROC_ERR_CORRUPT},
        {"\xff\xd8", 2, ".jpg", TPROC_ERR_CORRUPT},
        {"\xff\xd8\xff\xd9", 4, ".jpg", TPROC_ERR_CORRUPT},
        {"\xff", 1, ".jpg", TPROC_ERR_FORMAT},
        {"\0\0\0\0\0\0\0\0\0\0\0\0", 12, ".png", TPROC_ERR_FORMAT},
    };
    for (size_t i = 0; i < sizeof magic / sizeof magic[0]; i++) {
        char label[64];
        snprintf(label, sizeof label, "magic case %zu (%s)", i, magic[i].ext);
        outcome o;
        probe_variant(&pr, (const unsigned char *)magic[i].data, magic[i].size, magic[i].ext,
                      VIA_ALL, label, &o);
        ck_assert_msg(o.load == magic[i].status && o.path_load == magic[i].status &&
                          o.info != TPROC_OK && o.stream != TPROC_OK,
                      "%s: load gives %s, expected %s", label, tproc_status_name(o.load),
                      tproc_status_name(magic[i].status));
    }
    size_t size;
    unsigned char *jpg = read_data(tu_data("jpeg/testorig.jpg"), &size);
    outcome o;
    probe_variant(&pr, jpg, size, ".png", VIA_ALL, "a JPEG named .png", &o);
    ck_assert_int_eq(o.path_load, TPROC_OK);
    free(jpg);
    unsigned char *png = read_data(tu_data("pngsuite/basn2c08.png"), &size);
    probe_variant(&pr, png, size, ".jpg", VIA_ALL, "a PNG named .jpg", &o);
    ck_assert_int_eq(o.path_load, TPROC_OK);
    free(png);
    probe_done(&pr);
}
END_TEST

/* The collected crashers and oddities in tests/data/bad, through every entry point. */
START_TEST(known_bad_files)
{
    probe pr;
    probe_init(&pr, 64u << 20);
    DIR *dir = opendir(tu_data("bad"));
    ck_assert_ptr_nonnull(dir);
    struct dirent *e;
    int seen = 0;
    while ((e = readdir(dir))) {
        const char *dot = strrchr(e->d_name, '.');
        if (!dot || (strcmp(dot, ".png") && strcmp(dot, ".jpg") && strcmp(dot, ".webp")))
            continue;
        char rel[300];
        snprintf(rel, sizeof rel, "bad/%s", e->d_name);
        size_t size;
        unsigned char *d = read_data(tu_data(rel), &size);
        /* The lottapixel file's stream has a test of its own. */
        unsigned via = strstr(e->d_name, "lottapixel") ? VIA_MEMORY | VIA_PATH : VIA_ALL;
        probe_variant(&pr, d, size, dot, via, e->d_name, NULL);
        free(d);
        seen++;
    }
    closedir(dir);
    ck_assert_int_ge(seen, 30);
    probe_done(&pr);
}
END_TEST

/*
 * A 4.8 KiB JPEG that declares 64250x64250 and holds almost no data. Loading it whole fails on
 * the memory limit at once; streaming needs only a band of rows, so the limit does not stop it,
 * and a lenient decoder makes up grey rows for the missing data: 4 gigapixels of work (and, to a
 * file, gigabytes of output) from a few KiB. The run must end (with an error) quickly instead.
 */
START_TEST(tiny_file_declaring_gigapixels_does_not_stream_for_minutes)
{
    probe pr;
    probe_init(&pr, 64u << 20);
    const char *path = tu_data("bad/jpg_fuzzdb_lottapixel.jpg");
    tproc_image *img = NULL;
    ck_assert_int_eq(tproc_load(pr.ctx, path, NULL, &img), TPROC_ERR_LIMIT);
    int status = stream_file(&pr, path, "jpg_fuzzdb_lottapixel.jpg (64250x64250, 4856 bytes)");
    ck_assert_int_ne(status, TPROC_OK);
    /* The same from a real photo whose SOF says 65500x65500. */
    size_t size;
    unsigned char *d = read_data(tu_data("jpeg/testorig.jpg"), &size);
    size_t sof = jpeg_sof(d, size);
    ck_assert_uint_gt(sof, 0);
    d[sof + 5] = d[sof + 7] = 0xff;
    d[sof + 6] = d[sof + 8] = 0xdc;
    char big[256];
    snprintf(big, sizeof big, "%s/sof65500.jpg", pr.dir);
    write_file(big, d, size);
    free(d);
    status = stream_file(&pr, big, "testorig.jpg with SOF 65500x65500");
    ck_assert_int_ne(status, TPROC_OK);
    unlink(big);
    probe_done(&pr);
}
END_TEST

/* --- absurd parameters ---------------------------------------------------------------------- */

/* Refused when parsed, with the key and the allowed range in the message. */
START_TEST(absurd_parameters_are_refused_with_their_range)
{
    static const struct {
        const char *spec;
        const char *range;
    } cases[] = {
        {"gaussian:sigma=1e9", "sigma must be in (0, 1000]"},
        {"gaussian:sigma=0", "sigma must be in (0, 1000]"},
        {"gaussian:sigma=nan", "(0, 1000]"},
        {"gaussian:sigma=NaN", "(0, 1000]"},
        {"gaussian:sigma=inf", "(0, 1000]"},
        {"gaussian:sigma=-inf", "(0, 1000]"},
        {"gaussian:sigma=1e999", "(0, 1000]"},
        {"gaussian:sigma=0x1p99", "(0, 1000]"},
        {"box:radius=-3", "radius must be in [1, 1000]"},
        {"box:radius=1e9", "[1, 1000]"},
        {"box:radius=2.5", "[1, 1000]"},
        {"median:radius=100", "[1, 3]"},
        {"sharpen:sigma=1e9", "(0, 1000]"},
        {"sharpen:amount=1e300", "[0, 100]"},
        {"resize:scale=1e9", "(0, 100]"},
        {"resize:scale=0", "(0, 100]"},
        {"resize:scale=-1", "(0, 100]"},
        {"resize:scale=nan", "(0, 100]"},
        {"resize:width=1000000000", "[1, 1000000]"},
        {"resize:width=0", "[1, 1000000]"},
        {"resize:height=-5", "[1, 1000000]"},
        {"crop:x=-1,y=0,width=1,height=1", "x must be in"},
        {"crop:x=0,y=0,width=0,height=1", "width must be in"},
        {"contrast:amount=1e9", "[0, 10]"},
        {"gamma:value=0", "(0, 10]"},
        {"brightness:amount=nan", "[-1, 1]"},
        {"levels:in_black=2", "[0, 1]"},
        {"threshold:level=-0.5", "[0, 1]"},
    };
    tproc_ctx *ctx;
    tu_ok(NULL, tproc_ctx_new(NULL, &ctx));
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const tproc_filter *f = NULL;
        tproc_params params;
        int status = tproc_params_parse(ctx, cases[i].spec, &f, &params);
        ck_assert_msg(status == TPROC_ERR_PARAM, "%s: %s", cases[i].spec,
                      tproc_status_name(status));
        ck_assert_msg(strstr(tproc_ctx_message(ctx), cases[i].range) != NULL,
                      "%s: message '%s' lacks '%s'", cases[i].spec, tproc_ctx_message(ctx),
                      cases[i].range);
        /* The same through a pipeline, which must stay empty. */
        tproc_pipeline *p;
        tu_ok(ctx, tproc_pipeline_new(ctx, &p));
        ck_assert_int_eq(tproc_pipeline_add(p, cases[i].spec), TPROC_ERR_PARAM);
        ck_assert_uint_eq(tproc_pipeline_length(p), 0);
        tproc_pipeline_free(&p);
    }
    /* From C: NaN and infinities are refused for every number parameter of every filter. */
    for (size_t i = 0; i < tproc_filter_count(); i++) {
        const tproc_filter *f = tproc_filter_at(i);
        tproc_params params;
        tproc_params_init(f, &params);
        for (int k = 0; k < f->param_count; k++) {
            if (f->params[k].type == TPROC_PARAM_MATRIX)
                continue;
            static const double bad[] = {NAN, INFINITY, -INFINITY, 1e308, -1e308};
            for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
                ck_assert_msg(tproc_params_set(ctx, f, &params, f->params[k].name, bad[b]) ==
                                  TPROC_ERR_PARAM,
                              "%s.%s accepts %g", f->name, f->params[k].name, bad[b]);
        }
    }
    /* A matrix with a NaN or out of bounds. */
    const tproc_filter *f = NULL;
    tproc_params params;
    ck_assert_int_eq(tproc_params_parse(ctx, "convolve:matrix=nan 0 0;0 1 0;0 0 0", &f, &params),
                     TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_parse(ctx, "convolve:matrix=1 1;1 1", &f, &params),
                     TPROC_ERR_PARAM);
    ck_assert_int_eq(tproc_params_parse(ctx, "convolve:matrix=1e999", &f, &params),
                     TPROC_ERR_PARAM);
    tproc_ctx_free(&ctx);
}
END_TEST

/* Runs one chain on in under a 64 MiB counted limit; returns the status and the peak. */
static int run_limited(const tproc_view *in, const char *const *specs, size_t n,
                       const tproc_run_options *opts, size_t *peak)
{
    tu_counter counter = {0, 0, 0};
    tproc_allocator alloc = tu_counting_allocator(&counter);
    size_t limit = 64u << 20;
    tproc_ctx_options co = {&alloc, limit, 2};
    tproc_ctx *ctx;
    ck_assert_int_eq(tproc_ctx_new(&co, &ctx), TPROC_OK);
    tproc_pipeline *p;
    tu_ok(ctx, tproc_pipeline_new(ctx, &p));
    for (size_t i = 0; i < n; i++)
        tu_ok(ctx, tproc_pipeline_add(p, specs[i]));
    tproc_image *out = NULL;
    int status = tproc_pipeline_run(p, in, opts, &out);
    if (status) {
        ck_assert_ptr_null(out);
        ck_assert_msg(strcmp(tproc_status_name(status), "UNKNOWN") != 0, "unknown status");
        ck_assert_msg(tproc_ctx_message(ctx)[0] != '\0', "%s: no message", specs[0]);
        /* The memory limit, or the pixel limit (which stops a blow-up before any memory). */
        if (status == TPROC_ERR_LIMIT)
            ck_assert_msg(strstr(tproc_ctx_message(ctx), "64 MiB") != NULL ||
                              strstr(tproc_ctx_message(ctx), "pixel limit of") != NULL,
                          "%s: limit message does not name the limit: %s", specs[0],
                          tproc_ctx_message(ctx));
    }
    tproc_image_free(&out);
    tproc_pipeline_free(&p);
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
    ck_assert_uint_eq(counter.live, 0);
    *peak = counter.peak;
    ck_assert_msg(counter.peak <= limit + 4096, "%s: peak %zu over the limit", specs[0],
                  counter.peak);
    return status;
}

/*
 * Parameters inside their ranges that still ask for too much fail fast on the memory limit;
 * the biggest kernels on a small image finish within the limit.
 */
START_TEST(absurd_sizes_fail_fast_on_the_limit)
{
    tproc_image *img = tu_random_image(NULL, 64, 48, 3, TPROC_U8, 77);
    tproc_view in = tproc_image_view(img);
    static const struct {
        const char *spec[4];
        size_t n;
        int must_fail; /* 1: ERR_LIMIT (or ERR_OVERFLOW) expected */
    } cases[] = {
        {{"resize:width=1000000,height=1000000"}, 1, 1},
        {{"resize:width=1000000"}, 1, 1},
        {{"resize:height=1000000,kernel=nearest"}, 1, 1},
        {{"resize:scale=100"}, 1, 1},
        {{"resize:scale=100", "resize:scale=100"}, 2, 1},
        {{"resize:scale=10", "gaussian:sigma=1000"}, 2, 1},
        {{"resize:width=1000000,height=1"}, 1, 0},
        {{"resize:width=1,height=1000000,kernel=area"}, 1, 0},
        {{"gaussian:sigma=1000"}, 1, 0},
        {{"sharpen:sigma=1000,amount=100"}, 1, 0},
        {{"box:radius=1000"}, 1, 0},
        {{"median:radius=3", "median:radius=3", "median:radius=3", "median:radius=3"}, 4, 0},
        {{"gaussian:sigma=1000", "box:radius=1000", "gaussian:sigma=1000", "sharpen:sigma=1000"},
         4,
         0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t peak;
        int status = run_limited(&in, cases[i].spec, cases[i].n, NULL, &peak);
        if (cases[i].must_fail)
            ck_assert_msg(status == TPROC_ERR_LIMIT || status == TPROC_ERR_OVERFLOW, "%s: %s",
                          cases[i].spec[0], tproc_status_name(status));
        else
            ck_assert_msg(status == TPROC_OK || status == TPROC_ERR_LIMIT, "%s: %s",
                          cases[i].spec[0], tproc_status_name(status));
        /* Both sides given: the output's size alone says no, before anything is allocated.
         * (Other cases may build kernel tables first; the limit still bounds them.) */
        if (i == 0)
            ck_assert_msg(peak < (1u << 20), "%s: allocated %zu bytes before failing",
                          cases[i].spec[0], peak);
    }
    tproc_image_free(&img);
}
END_TEST

/* Run options out of any sane range: refused, or bounded (same bytes as a plain run). */
START_TEST(absurd_run_options)
{
    tproc_image *img = tu_random_image(NULL, 40, 30, 3, TPROC_U8, 78);
    tproc_view in = tproc_image_view(img);
    const char *spec[] = {"gaussian:sigma=1.5"};
    tproc_image *want = tu_run(NULL, &in, spec, 1, 0, 0, 1, TPROC_BORDER_REFLECT_101);
    tproc_view wv = tproc_image_view(want);
    static const struct {
        ptrdiff_t tw, th;
        int threads;
        int border;
        int ok;
    } cases[] = {
        {0, 0, 0, TPROC_BORDER_REFLECT_101, 1},
        {1, 1, 1, TPROC_BORDER_REFLECT_101, 1},
        {1, 1, 100000, TPROC_BORDER_REFLECT_101, 1},
        {0, 0, 100000, TPROC_BORDER_REFLECT_101, 1},
        {1000000000, 1000000000, 3, TPROC_BORDER_REFLECT_101, 1},
        {PTRDIFF_MAX, PTRDIFF_MAX, 2, TPROC_BORDER_REFLECT_101, 1},
        {0, 0, -7, TPROC_BORDER_REFLECT_101, 1},
        {-1, 8, 1, TPROC_BORDER_REFLECT_101, 0},
        {8, -1, 1, TPROC_BORDER_REFLECT_101, 0},
        {PTRDIFF_MIN, PTRDIFF_MIN, 1, TPROC_BORDER_REFLECT_101, 0},
        {0, 0, 1, 99, 0},
        {0, 0, 1, -1, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tproc_run_options o;
        tproc_run_options_init(&o);
        o.tile_width = cases[i].tw;
        o.tile_height = cases[i].th;
        o.threads = cases[i].threads;
        o.border = (tproc_border)cases[i].border;
        size_t peak;
        tproc_pipeline *p;
        tu_ok(NULL, tproc_pipeline_new(NULL, &p));
        tu_ok(NULL, tproc_pipeline_add(p, spec[0]));
        tproc_image *out = NULL;
        int status = tproc_pipeline_run(p, &in, &o, &out);
        if (cases[i].ok) {
            ck_assert_msg(status == TPROC_OK, "case %zu: %s", i, tproc_ctx_message(NULL));
            tproc_view ov = tproc_image_view(out);
            tu_assert_same(&ov, &wv, "absurd run options");
        } else {
            ck_assert_msg(status == TPROC_ERR_ARG, "case %zu: %s", i, tproc_status_name(status));
            ck_assert_ptr_null(out);
        }
        tproc_image_free(&out);
        tproc_pipeline_free(&p);
        /* And under a limit, with a counted allocator. */
        if (cases[i].ok)
            run_limited(&in, spec, 1, &o, &peak);
    }
    /* A NaN or huge constant border value clamps like any other value: no UB, same result
     * whatever the tiling. */
    tproc_run_options o;
    tproc_run_options_init(&o);
    o.border = TPROC_BORDER_CONSTANT;
    o.border_value[0] = NAN;
    o.border_value[1] = 1e300;
    o.border_value[2] = -INFINITY;
    tproc_pipeline *p;
    tu_ok(NULL, tproc_pipeline_new(NULL, &p));
    tu_ok(NULL, tproc_pipeline_add(p, "box:radius=3"));
    tproc_image *a = NULL, *b = NULL;
    tu_ok(NULL, tproc_pipeline_run(p, &in, &o, &a));
    o.tile_width = 7;
    o.tile_height = 5;
    o.threads = 3;
    tu_ok(NULL, tproc_pipeline_run(p, &in, &o, &b));
    tproc_view av = tproc_image_view(a), bv = tproc_image_view(b);
    tu_assert_same(&av, &bv, "NaN border value");
    tproc_image_free(&a);
    tproc_image_free(&b);
    tproc_pipeline_free(&p);
    /* Contexts: a thread count out of range is clamped, a negative one refused. */
    tproc_ctx *ctx = NULL;
    tproc_ctx_options co = {NULL, 0, 100000};
    tu_ok(NULL, tproc_ctx_new(&co, &ctx));
    ck_assert_int_le(tproc_ctx_threads(ctx), 256);
    tproc_ctx_set_threads(ctx, 1 << 30);
    ck_assert_int_le(tproc_ctx_threads(ctx), 256);
    tproc_ctx_free(&ctx);
    co.threads = -1;
    ck_assert_int_eq(tproc_ctx_new(&co, &ctx), TPROC_ERR_ARG);
    ck_assert_ptr_null(ctx);
    tproc_image_free(&want);
    tproc_image_free(&img);
}
END_TEST

/* Images with absurd sizes asked for directly. */
START_TEST(absurd_image_sizes)
{
    tproc_ctx *ctx;
    tproc_ctx_options co = {NULL, 64u << 20, 1};
    tu_ok(NULL, tproc_ctx_new(&co, &ctx));
    static const ptrdiff_t dims[][2] = {{0, 1},
                                        {1, 0},
                                        {-1, 5},
                                        {5, -1},
                                        {PTRDIFF_MAX, 1},
                                        {PTRDIFF_MAX, PTRDIFF_MAX},
                                        {1 << 30, 1 << 30},
                                        {100000, 100000},
                                        {PTRDIFF_MIN, 2}};
    for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
        tproc_image *img = (tproc_image *)ctx;
        int status = tproc_image_new(ctx, dims[i][0], dims[i][1], 4, TPROC_F32, &img);
        ck_assert_msg(status == TPROC_ERR_ARG || status == TPROC_ERR_LIMIT ||
                          status == TPROC_ERR_OVERFLOW,
                      "%tdx%td: %s", dims[i][0], dims[i][1], tproc_status_name(status));
        ck_assert_ptr_null(img);
        ck_assert_msg(tproc_ctx_message(ctx)[0] != '\0', "%tdx%td: no message", dims[i][0],
                      dims[i][1]);
    }
    ck_assert_uint_eq(tproc_ctx_memory_in_use(ctx), 0);
    tproc_ctx_free(&ctx);
}
END_TEST

Suite *suite_hostile(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("hostile");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, png_truncated_at_every_position);
    tcase_add_test(tc, jpeg_truncated_at_every_position);
    tcase_add_loop_test(tc, bit_flips, 0, (int)(sizeof flip_sources / sizeof flip_sources[0]));
    tcase_add_test(tc, png_absurd_header_fields);
    tcase_add_test(tc, jpeg_absurd_header_fields);
    tcase_add_test(tc, png_chunks_that_inflate_to_megabytes);
    tcase_add_test(tc, png_hostile_icc_profiles_stay_bounded);
    tcase_add_test(tc, png_large_icc_profile_counts_against_the_limit);
    tcase_add_test(tc, malformed_exif);
    tcase_add_test(tc, not_images);
    tcase_add_test(tc, known_bad_files);
    tcase_add_test(tc, tiny_file_declaring_gigapixels_does_not_stream_for_minutes);
    tcase_add_test(tc, absurd_parameters_are_refused_with_their_range);
    tcase_add_test(tc, absurd_sizes_fail_fast_on_the_limit);
    tcase_add_test(tc, absurd_run_options);
    tcase_add_test(tc, absurd_image_sizes);
    suite_add_tcase(s, tc);
    return s;
}
