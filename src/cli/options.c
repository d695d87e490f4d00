/* SPDX-License-Identifier: MIT */
/*
 * options.c: the option table and the command-line parser. The table is the one description of
 * every option: the parser accepts what it lists (for the command it lists it under), and
 * --help and the man page print its text. Values are checked here, so a bad value is a usage
 * error (exit 2) before any file is touched.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

#define RUN CLI_CMD_RUN
#define INFO CLI_CMD_INFO
#define FILTERS CLI_CMD_FILTERS
#define PYRAMID CLI_CMD_PYRAMID

const cli_option cli_options[] = {
    {CLI_OPT_OUTDIR, "output-dir", 'o', "DIR", RUN, 0,
     "Batch mode: write each INPUT to DIR/NAME.EXT, NAME being the INPUT's name without its "
     "extension and EXT that of --format or of the INPUT. List the filters after --. DIR must "
     "exist."},
    {CLI_OPT_TILE, "tile", 0, "WxH", RUN | PYRAMID, 0,
     "Tile size in pixels, or one number for square tiles; each side 1-65536 (default: whole "
     "rows, 64 high; a streamed run splits the width between the threads). The output is the "
     "same whatever the tile size."},
    {CLI_OPT_THREADS, "threads", 0, "N", RUN | PYRAMID, 0,
     "Worker threads, 1-256 (default: the number of cores)."},
    {CLI_OPT_BORDER, "border", 0, "RULE", RUN | PYRAMID, 0,
     "How area filters read pixels past the image's edges: constant[:V], replicate, reflect, "
     "reflect101 (the default) or wrap. V is in the image's sample range (0-255 for 8-bit "
     "images), one value for every channel or one per channel separated by commas; default 0."},
    {CLI_OPT_QUALITY, "quality", 0, "Q", RUN | PYRAMID, 0,
     "JPEG and lossy WebP quality 1-100 (default 90); also for TIFF's jpeg and webp "
     "compressions."},
    {CLI_OPT_LOSSLESS, "lossless", 0, NULL, RUN, 0,
     "WebP: encode losslessly (exactly, colours under transparent pixels too)."},
    {CLI_OPT_EFFORT, "effort", 0, "N", RUN | PYRAMID, 0,
     "WebP: 0 (fastest) to 6 (smallest file), libwebp's method (default 4; a pyramid's WebP "
     "tiles: 0, where 4 is vips' choice)."},
    {CLI_OPT_FORMAT, "format", 0, "FORMAT", RUN, 0,
     "Output format: {formats} (default: from OUTPUT's extension; required when OUTPUT is -)."},
    {CLI_OPT_MEMORY, "memory-limit", 0, "SIZE", RUN | PYRAMID, 0,
     "Most memory a run may hold at once, in bytes or with a K, M or G suffix (default 2G)."},
    {CLI_OPT_PIXELS, "pixel-limit", 0, "N", RUN | PYRAMID, 0,
     "Most pixels any image of a run may have: the input and every filter's output, with a K, "
     "M or G suffix (default 2G, a 46340x46340 image). It keeps a small input from being blown "
     "up into hours of work; a run over it fails before doing any."},
    {CLI_OPT_STREAM, "stream", 0, NULL, RUN, 0,
     "Stream (the default, kept for compatibility): every run reads, filters and writes in "
     "strips, holding the whole INPUT only when its chain or file cannot stream."},
    {CLI_OPT_NO_STREAM, "no-stream", 0, NULL, RUN | PYRAMID, 0,
     "Never stream the INPUT: decode it whole into memory first, even when it is large; it "
     "must then fit --memory-limit. The output is the same bytes."},
    {CLI_OPT_SHRINK, "shrink-on-load", 0, NULL, RUN, 0,
     "When the chain starts with a resize shrinking a JPEG INPUT 2x or more, decode it at 1/2, "
     "1/4 or 1/8 size (libjpeg's DCT scaling): faster and smaller, but the result differs "
     "slightly from that of a full decode. The run streams when the chain can."},
    {CLI_OPT_PLUGIN, "plugin", 0, "PATH", RUN | PYRAMID | FILTERS, 0,
     "Load filters from a plugin shared object, or from every *.so in a directory. "
     "Repeatable; TILEPROC_PLUGIN_PATH is loaded first."},
    {CLI_OPT_NO_ORIENT, "no-orient", 0, NULL, RUN | PYRAMID, 0,
     "Ignore the EXIF orientation of the input: keep the pixels as stored."},
    {CLI_OPT_COLOUR, "colour", 0, "POLICY", RUN | PYRAMID, 0,
     "What to do with the colours of an INPUT that carries an ICC profile (or is CMYK): srgb "
     "(the default) converts them to sRGB, or to --output-profile, and OUTPUT carries no profile "
     "(or that one); keep leaves the pixels as stored and OUTPUT carries INPUT's profile; ignore "
     "reads the stored values and drops the profile. CMYK always becomes RGB. In a pyramid, "
     "every tile carries the profile OUTPUT would (JPEG, PNG and WebP tiles all can)."},
    {CLI_OPT_INPUT_PROFILE, "input-profile", 0, "FILE", RUN | PYRAMID, 0,
     "The ICC profile of the INPUT, replacing an embedded one: for untagged images (CMYK ones "
     "especially) or a broken profile."},
    {CLI_OPT_OUTPUT_PROFILE, "output-profile", 0, "FILE", RUN | PYRAMID, 0,
     "Convert to this RGB or gray ICC profile instead of sRGB, and embed it in OUTPUT (e.g. "
     "Display P3 for wide-gamut output). Only with --colour srgb."},
    {CLI_OPT_INTENT, "intent", 0, "INTENT", RUN | PYRAMID, 0,
     "Rendering intent of colour conversions: relative (the default), perceptual, saturation "
     "or absolute."},
    {CLI_OPT_BPC, "black-point-compensation", 0, NULL, RUN | PYRAMID, 0,
     "Map the input's black point to the output's in colour conversions."},
    {CLI_OPT_EMBED_PROFILE, "embed-profile", 0, NULL, RUN, 0,
     "Embed a compact sRGB profile (gray: a gray one with sRGB's tone curve) in an OUTPUT that "
     "would otherwise carry none."},
    {CLI_OPT_PROGRESS, "progress", 0, NULL, RUN | PYRAMID, 0,
     "Show progress on stderr even when it is not a terminal, and from the start of a run."},
    {CLI_OPT_QUIET, "quiet", 'q', NULL, RUN | PYRAMID, 0, "Print nothing but errors."},
    {CLI_OPT_FORCE, "force", 'f', NULL, RUN | PYRAMID, 0,
     "Allow OUTPUT to be the INPUT file itself, and image data to go to a terminal."},
    {CLI_OPT_PAGE, "page", 0, "N", RUN | PYRAMID, 0,
     "Multi-page input (TIFF): read page N, 0 being the first (default 0). `tileproc info` "
     "lists the pages."},
    {CLI_OPT_LEVEL, "level", 0, "N", RUN | PYRAMID, 0,
     "Pyramidal input (TIFF): read resolution level N of the page, 0 being full size and each "
     "next one a reduced-resolution SubIFD or IFD (default 0)."},
    {CLI_OPT_TILED, "tiled", 0, "[=WxH]", RUN, 0,
     "TIFF output: write tiles of WxH pixels (multiples of 16; default 256x256) instead of "
     "strips."},
    {CLI_OPT_COMPRESSION, "compression", 0, "NAME", RUN, 0,
     "TIFF output compression: none, deflate (the default), lzw, jpeg (8-bit gray or RGB; "
     "--quality), zstd or webp (8-bit RGB or RGBA; --quality, 100 is lossless)."},
    {CLI_OPT_PREDICTOR, "predictor", 0, "NAME", RUN, 0,
     "TIFF output predictor: none, horizontal or float (default: horizontal, or float for "
     "32-bit float images, with deflate, lzw and zstd; none otherwise)."},
    {CLI_OPT_BIGTIFF, "bigtiff", 0, NULL, RUN, 0,
     "TIFF output: always write BigTIFF (by default only outputs that could pass 4 GiB are)."},
    {CLI_OPT_PYRAMID, "pyramid", 0, NULL, RUN, 0,
     "TIFF output: add every 2x-reduced level down to one tile, written in the same pass in "
     "bounded memory, as reduced-resolution IFDs after the image (what vips, tifffile and "
     "OpenSlide read as a pyramid). Implies --tiled."},
    {CLI_OPT_JSON, "json", 0, NULL, INFO, 0,
     "info: print one JSON object per file, one per line (JSON Lines)."},
    {CLI_OPT_LAYOUT, "layout", 0, "LAYOUT", PYRAMID, 0,
     "pyramid: dz (DeepZoom: OUTPUT.dzi and OUTPUT_files/LEVEL/COL_ROW.EXT; the default), iiif "
     "(IIIF Image API 2 level 0: OUTPUT/info.json and OUTPUT/REGION/W,/0/default.EXT), iiif3 "
     "(API 3: REGION/W,H/), zoomify (OUTPUT/ImageProperties.xml, TileGroupN/Z-X-Y.EXT) or "
     "google (OUTPUT/Z/Y/X.EXT and blank.EXT), as vips dzsave names them."},
    {CLI_OPT_TILE_SIZE, "tile-size", 0, "N", PYRAMID, 0,
     "pyramid: tile side in pixels, 1-8192 (default 254 for dz, 512 for iiif and iiif3, 256 "
     "for zoomify and google)."},
    {CLI_OPT_OVERLAP, "overlap", 0, "N", PYRAMID, 0,
     "pyramid: pixels each tile shares with its neighbours, less than the tile size (default 1 "
     "for dz, 0 otherwise)."},
    {CLI_OPT_SUFFIX, "suffix", 0, "FORMAT", PYRAMID, 0,
     "pyramid: the tiles' format: {formats} (default jpeg, at --quality 75)."},
    {CLI_OPT_DEPTH, "depth", 0, "DEPTH", PYRAMID, 0,
     "pyramid: levels down to onepixel (1x1), onetile (the first that fits a tile) or one (the "
     "full size only); default onepixel for dz, onetile otherwise."},
    {CLI_OPT_BACKGROUND, "background", 0, "V", PYRAMID, 0,
     "pyramid: the colour of google's padding and blank tile, 0-255, one value or one per "
     "channel separated by commas (default 255, white)."},
    {CLI_OPT_SKIP_BLANKS, "skip-blanks", 0, "T", PYRAMID, 0,
     "pyramid: do not write a tile whose every sample is within T of the background; -1 "
     "writes every tile (default 5 for google, -1 otherwise)."},
    {CLI_OPT_ID, "id", 0, "URL", PYRAMID, 0,
     "pyramid: IIIF base URL: info.json's id is URL/NAME, NAME being OUTPUT's name (default "
     "https://example.com/iiif)."},
    {CLI_OPT_CONTAINER, "container", 0, "TYPE", PYRAMID, 0,
     "pyramid: fs (files, the default) or zip (OUTPUT.zip holding the same tree under NAME/, "
     "written as the tiles come, Zip64 when large; implied by an OUTPUT ending in .zip)."},
    {CLI_OPT_VIEWER, "viewer", 0, NULL, PYRAMID, 0,
     "pyramid: also write NAME.html beside the output, a page opening it in OpenSeadragon."},
    {CLI_OPT_VIEWER_SCRIPT, "viewer-script", 0, "URL", PYRAMID, 0,
     "pyramid: where the viewer page loads openseadragon.min.js from (default: the npm "
     "package's file on the jsDelivr CDN; 'npm install openseadragon' puts a copy in "
     "node_modules/openseadragon/build/openseadragon/)."},
    {CLI_OPT_HELP, "help", 'h', NULL, CLI_CMD_ALL, 0, "Print the help and exit."},
    {CLI_OPT_VERSION, "version", 0, NULL, CLI_CMD_ALL, 0, "Print the version and exit."},
    {CLI_OPT_MAN, "man", 0, NULL, CLI_CMD_TOP, 1, "Print the man page (roff) and exit."},
};
const size_t cli_option_count = sizeof cli_options / sizeof cli_options[0];

static const char *command_name(unsigned command)
{
    switch (command) {
    case CLI_CMD_RUN:
        return "run";
    case CLI_CMD_INFO:
        return "info";
    case CLI_CMD_FILTERS:
        return "filters";
    case CLI_CMD_PYRAMID:
        return "pyramid";
    default:
        return "tileproc";
    }
}

/* A whole decimal number in [min, max]. */
static int parse_int(const char *text, long min, long max, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (end == text || *end != '\0' || errno == ERANGE || v < min || v > max ||
        isspace((unsigned char)*text))
        return -1;
    *out = v;
    return 0;
}

/* "256x64", "256X64" or "256". */
static int parse_tile(const char *text, ptrdiff_t *w, ptrdiff_t *h)
{
    char buf[64];
    if (strlen(text) >= sizeof buf)
        return -1;
    strcpy(buf, text);
    char *x = strpbrk(buf, "xX");
    long a, b;
    if (x) {
        *x = '\0';
        if (parse_int(buf, 1, 65536, &a) || parse_int(x + 1, 1, 65536, &b))
            return -1;
    } else {
        if (parse_int(buf, 1, 65536, &a))
            return -1;
        b = a;
    }
    *w = (ptrdiff_t)a;
    *h = (ptrdiff_t)b;
    return 0;
}

/* "512M", "1.5G", "65536", "64KiB": binary multiples. */
static int parse_size(const char *text, size_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || !isfinite(v) || v <= 0 || isspace((unsigned char)*text))
        return -1;
    double mult = 1;
    if (*end) {
        switch (toupper((unsigned char)*end)) {
        case 'K':
            mult = 1024.0;
            break;
        case 'M':
            mult = 1024.0 * 1024;
            break;
        case 'G':
            mult = 1024.0 * 1024 * 1024;
            break;
        case 'T':
            mult = 1024.0 * 1024 * 1024 * 1024;
            break;
        case 'B':
            break;
        default:
            return -1;
        }
        if (toupper((unsigned char)*end) != 'B') {
            end++;
            if (strcasecmp(end, "B") == 0 || strcasecmp(end, "iB") == 0)
                end += strlen(end);
        } else {
            end++;
        }
        if (*end)
            return -1;
    }
    double bytes = floor(v * mult);
    /* SIZE_MAX means "no limit" to the library: stay below it. */
    if (bytes < 1 || bytes >= 9007199254740992.0 || bytes >= (double)SIZE_MAX)
        return -1;
    *out = (size_t)bytes;
    return 0;
}

static int parse_border(cli_args *args, const char *text)
{
    char name[32];
    const char *colon = strchr(text, ':');
    size_t len = colon ? (size_t)(colon - text) : strlen(text);
    if (len >= sizeof name)
        return cli_usage("--border: unknown rule '%s' (constant[:V], replicate, reflect, "
                         "reflect101, wrap)",
                         text);
    memcpy(name, text, len);
    name[len] = '\0';
    tproc_border border;
    if (tproc_border_parse(name, &border) != TPROC_OK)
        return cli_usage("--border: unknown rule '%s' (constant[:V], replicate, reflect, "
                         "reflect101, wrap)",
                         name);
    for (int c = 0; c < CLI_BORDER_VALUES; c++)
        args->border_value[c] = 0;
    if (colon) {
        if (border != TPROC_BORDER_CONSTANT)
            return cli_usage("--border: only 'constant' takes a value, got '%s'", text);
        const char *s = colon + 1;
        int n = 0;
        for (;;) {
            char *end;
            double v = strtod(s, &end);
            if (end == s || !isfinite(v) || (*end && *end != ',') || n == CLI_BORDER_VALUES ||
                isspace((unsigned char)*s))
                return cli_usage("--border: constant takes up to %d numbers separated by "
                                 "commas, got '%s'",
                                 CLI_BORDER_VALUES, colon + 1);
            args->border_value[n++] = v;
            if (!*end)
                break;
            s = end + 1;
        }
        if (n == 1)
            for (int c = 1; c < CLI_BORDER_VALUES; c++)
                args->border_value[c] = args->border_value[0];
    }
    args->border = border;
    return CLI_EXIT_OK;
}

/* The options that only set a flag, and the flag each sets. */
static const struct {
    cli_opt_id id;
    size_t flag; /* offsetof(cli_args, the int it sets to 1) */
} flags[] = {
    {CLI_OPT_HELP, offsetof(cli_args, help)},
    {CLI_OPT_VERSION, offsetof(cli_args, version)},
    {CLI_OPT_MAN, offsetof(cli_args, man)},
    {CLI_OPT_STREAM, offsetof(cli_args, stream)},
    {CLI_OPT_NO_STREAM, offsetof(cli_args, no_stream)},
    {CLI_OPT_SHRINK, offsetof(cli_args, shrink_on_load)},
    {CLI_OPT_LOSSLESS, offsetof(cli_args, lossless)},
    {CLI_OPT_NO_ORIENT, offsetof(cli_args, no_orient)},
    {CLI_OPT_PROGRESS, offsetof(cli_args, progress)},
    {CLI_OPT_QUIET, offsetof(cli_args, quiet)},
    {CLI_OPT_FORCE, offsetof(cli_args, force)},
    {CLI_OPT_JSON, offsetof(cli_args, json)},
    {CLI_OPT_BIGTIFF, offsetof(cli_args, bigtiff)},
    {CLI_OPT_PYRAMID, offsetof(cli_args, tiff_pyramid)},
    {CLI_OPT_VIEWER, offsetof(cli_args, viewer)},
    {CLI_OPT_BPC, offsetof(cli_args, black_point_compensation)},
    {CLI_OPT_EMBED_PROFILE, offsetof(cli_args, embed_profile)},
};

/* A name from a NULL-terminated list: its index + 1, or 0. */
static int parse_name(const char *text, const char *const *names)
{
    for (int i = 0; names[i]; i++)
        if (strcasecmp(text, names[i]) == 0)
            return i + 1;
    return 0;
}

/* Converts and stores one option's value. */
static int apply(cli_args *args, const cli_option *opt, const char *value)
{
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        if (flags[i].id == opt->id) {
            int one = 1;
            memcpy((char *)args + flags[i].flag, &one, sizeof one);
            return CLI_EXIT_OK;
        }
    }
    long n;
    switch (opt->id) {
    case CLI_OPT_OUTDIR:
        if (!*value)
            return cli_usage("-o/--output-dir needs a directory");
        args->outdir = value;
        break;
    case CLI_OPT_TILE:
        if (parse_tile(value, &args->tile_width, &args->tile_height))
            return cli_usage("--tile must be WxH or N with each side in 1-65536, got '%s'", value);
        break;
    case CLI_OPT_THREADS:
        if (parse_int(value, 1, 256, &n))
            return cli_usage("--threads must be a whole number in 1-256, got '%s'", value);
        args->threads = (int)n;
        break;
    case CLI_OPT_BORDER:
        return parse_border(args, value);
    case CLI_OPT_QUALITY:
        if (parse_int(value, 1, 100, &n))
            return cli_usage("--quality must be a whole number in 1-100, got '%s'", value);
        args->quality = (int)n;
        break;
    case CLI_OPT_EFFORT:
        if (parse_int(value, 0, 6, &n))
            return cli_usage("--effort must be a whole number in 0-6, got '%s'", value);
        args->effort = (int)n;
        break;
    case CLI_OPT_FORMAT:
        args->format = tproc_file_format_parse(value);
        if (args->format == TPROC_FILE_UNKNOWN)
            return cli_usage("--format must be %s, got '%s'", cli_formats(CLI_FORMATS_OR), value);
        break;
    case CLI_OPT_MEMORY:
        if (parse_size(value, &args->memory_limit))
            return cli_usage("--memory-limit must be a size like 512M, 2G or 1048576, got '%s'",
                             value);
        break;
    case CLI_OPT_PIXELS:
        if (parse_size(value, &args->pixel_limit))
            return cli_usage("--pixel-limit must be a count like 500M or 4G, got '%s'", value);
        break;
    case CLI_OPT_PAGE:
    case CLI_OPT_LEVEL:
        if (parse_int(value, 0, 1000000, &n))
            return cli_usage("--%s must be a whole number in 0-1000000, got '%s'", opt->name,
                             value);
        *(opt->id == CLI_OPT_PAGE ? &args->page : &args->level) = (int)n;
        break;
    case CLI_OPT_TILED: {
        ptrdiff_t tw = 256, th = 256;
        if (value && *value && (parse_tile(value, &tw, &th) || tw % 16 || th % 16))
            return cli_usage("--tiled must be WxH or N, multiples of 16 in 16-65536, got '%s'",
                             value);
        args->tiled = 1;
        args->tiff_tile_width = (int)tw;
        args->tiff_tile_height = (int)th;
        break;
    }
    case CLI_OPT_COMPRESSION: {
        /* The order of tproc_tiff_compression. */
        static const char *const names[] = {"none", "deflate", "lzw", "jpeg", "zstd", "webp",
                                            NULL};
        if (!(args->tiff_compression = parse_name(value, names)))
            return cli_usage("--compression must be none, deflate, lzw, jpeg, zstd or webp, "
                             "got '%s'",
                             value);
        break;
    }
    case CLI_OPT_PREDICTOR: {
        static const char *const names[] = {"none", "horizontal", "float", NULL};
        if (!(args->tiff_predictor = parse_name(value, names)))
            return cli_usage("--predictor must be none, horizontal or float, got '%s'", value);
        break;
    }
    case CLI_OPT_COLOUR:
        if ((n = tproc_colour_policy_parse(value)) < 0)
            return cli_usage("--colour must be srgb, keep or ignore, got '%s'", value);
        args->colour = (tproc_colour_policy)n;
        break;
    case CLI_OPT_INTENT:
        if ((n = tproc_intent_parse(value)) < 0)
            return cli_usage("--intent must be relative, perceptual, saturation or absolute, "
                             "got '%s'",
                             value);
        args->intent = (tproc_intent)n;
        break;
    case CLI_OPT_INPUT_PROFILE:
    case CLI_OPT_OUTPUT_PROFILE:
        if (!*value)
            return cli_usage("--%s needs an ICC profile file", opt->name);
        *(opt->id == CLI_OPT_INPUT_PROFILE ? &args->input_profile : &args->output_profile) = value;
        break;
    case CLI_OPT_PLUGIN:
        if (args->plugin_count == CLI_PLUGINS_MAX)
            return cli_usage("at most %d --plugin options", CLI_PLUGINS_MAX);
        if (!*value)
            return cli_usage("--plugin needs a path");
        args->plugins[args->plugin_count++] = value;
        break;
    default: /* the flags above, and pyramid's */
        return cli_pyramid_option(args, opt->id, value);
    }
    return CLI_EXIT_OK;
}

static const cli_option *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < cli_option_count; i++)
        if (strlen(cli_options[i].name) == len && strncmp(cli_options[i].name, name, len) == 0)
            return &cli_options[i];
    return NULL;
}

static const cli_option *find_short(char c)
{
    for (size_t i = 0; i < cli_option_count; i++)
        if (cli_options[i].short_name == c)
            return &cli_options[i];
    return NULL;
}

static int check_command(const cli_option *opt, unsigned command)
{
    if (opt->commands & command)
        return CLI_EXIT_OK;
    if (command == CLI_CMD_TOP)
        return cli_usage("option '--%s' belongs after a command (run, pyramid, info, filters)",
                         opt->name);
    return cli_usage("option '--%s' does not apply to '%s'", opt->name, command_name(command));
}

/* One "--name", "--name=value" or "--name value" argument; *i moves past a separate value. */
static int parse_long(cli_args *args, unsigned command, int argc, char **argv, int *i)
{
    const char *arg = argv[*i] + 2;
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    const cli_option *opt = find_long(arg, len);
    if (!opt)
        return cli_usage("unknown option '--%.*s'", (int)len, arg);
    int status = check_command(opt, command);
    if (status)
        return status;
    const char *value = NULL;
    if (opt->id == CLI_OPT_TILED) {
        value = eq ? eq + 1 : ""; /* its value is optional, and only after '=' */
    } else if (opt->arg) {
        if (eq)
            value = eq + 1;
        else if (*i + 1 < argc)
            value = argv[++*i];
        else
            return cli_usage("option '--%s' needs a value (%s)", opt->name, opt->arg);
    } else if (eq) {
        return cli_usage("option '--%s' takes no value", opt->name);
    }
    return apply(args, opt, value);
}

/* "-q", "-qf", "-oDIR", "-o DIR". */
static int parse_short(cli_args *args, unsigned command, int argc, char **argv, int *i)
{
    const char *s = argv[*i] + 1;
    for (; *s; s++) {
        const cli_option *opt = find_short(*s);
        if (!opt)
            return cli_usage("unknown option '-%c'", *s);
        int status = check_command(opt, command);
        if (status)
            return status;
        if (!opt->arg) {
            if ((status = apply(args, opt, NULL)))
                return status;
            continue;
        }
        const char *value;
        if (s[1])
            value = s + 1;
        else if (*i + 1 < argc)
            value = argv[++*i];
        else
            return cli_usage("option '-%c' needs a value (%s)", *s, opt->arg);
        return apply(args, opt, value);
    }
    return CLI_EXIT_OK;
}

int cli_args_parse(cli_args *args, unsigned command, int argc, char **argv, int first)
{
    memset(args, 0, sizeof *args);
    args->effort = -1;
    args->command = command;
    args->border = TPROC_BORDER_REFLECT_101;
    tproc_pyramid_options_init(&args->pyramid);
    args->pos = calloc((size_t)argc + 1, sizeof *args->pos);
    if (!args->pos) {
        cli_error("out of memory");
        return CLI_EXIT_FAILED;
    }
    int dashdash = 0;
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        int status = CLI_EXIT_OK;
        if (dashdash || a[0] != '-' || a[1] == '\0') {
            args->pos[args->pos_count++] = argv[i]; /* "-" is stdin/stdout */
        } else if (strcmp(a, "--") == 0) {
            dashdash = 1;
            args->dashdash = args->pos_count;
        } else if (a[1] == '-') {
            status = parse_long(args, command, argc, argv, &i);
        } else {
            status = parse_short(args, command, argc, argv, &i);
        }
        if (status) {
            cli_args_free(args);
            return status;
        }
    }
    if (!dashdash)
        args->dashdash = args->pos_count;
    if (args->output_profile && args->colour != TPROC_COLOUR_SRGB) {
        cli_args_free(args);
        return cli_usage("--output-profile converts colours: it contradicts --colour %s",
                         tproc_colour_policy_name(args->colour));
    }
    if (args->no_stream && (args->stream || args->shrink_on_load)) {
        cli_args_free(args);
        return cli_usage("%s and --no-stream contradict each other",
                         args->stream ? "--stream" : "--shrink-on-load");
    }
    return CLI_EXIT_OK;
}

void cli_load_options(const cli_args *args, tproc_load_options *out)
{
    memset(out, 0, sizeof *out);
    out->ignore_orientation = args->no_orient;
    out->page = args->page;
    out->level = args->level;
    out->colour = args->colour;
    out->input_profile_path = args->input_profile;
    out->output_profile_path = args->output_profile;
    out->intent = args->intent;
    out->black_point_compensation = args->black_point_compensation;
}

void cli_args_free(cli_args *args)
{
    free(args->pos);
    args->pos = NULL;
    args->pos_count = 0;
}
