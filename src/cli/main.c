/* SPDX-License-Identifier: MIT */
/*
 * main.c: the tileproc command: picks the command (run, pyramid, info, filters), parses its options,
 * handles --help, --version and the hidden --man, and owns the error-reporting helpers every
 * command uses. A write error on stdout (a full disk, a closed pipe) fails the command.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"

/* One line on stderr: prefix, the formatted text, suffix. */
static void vline(const char *prefix, const char *suffix, const char *fmt, va_list ap)
{
    fflush(stdout); /* keep the order of lines when both go to one terminal */
    fputs(prefix, stderr);
    vfprintf(stderr, fmt, ap);
    fputs(suffix, stderr);
}

void cli_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline("tileproc: error: ", "\n", fmt, ap);
    va_end(ap);
}

int cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline("tileproc: error: ", "; see 'tileproc --help' or 'tileproc filters'\n", fmt, ap);
    va_end(ap);
    return CLI_EXIT_USAGE;
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vline("tileproc: warning: ", "\n", fmt, ap);
    va_end(ap);
}

void cli_report(tproc_ctx *ctx, int status, const char *file)
{
    tproc_error e;
    tproc_ctx_error(ctx, &e);
    const char *msg = tproc_ctx_message(ctx);
    if (!msg[0])
        msg = tproc_strerror(status);
    if (file && e.kind != TPROC_SUBJECT_FILE)
        cli_error("%s: %s", file, msg);
    else
        cli_error("%s", msg);
}

static int print_version(void)
{
    if (strcmp(tproc_version(), TPROC_VERSION_STRING) == 0)
        printf("tileproc %s\n", TPROC_VERSION_STRING);
    else
        printf("tileproc %s (library %s)\n", TPROC_VERSION_STRING, tproc_version());
    return CLI_EXIT_OK;
}

/* --help and the man page list the filters of TILEPROC_PLUGIN_PATH's plugins too; a broken
 * plugin must not hide the rest. */
static int print_docs(void (*print)(FILE *fp))
{
    tproc_ctx *ctx = NULL;
    if (tproc_ctx_new(NULL, &ctx) == TPROC_OK) {
        cli_args none;
        memset(&none, 0, sizeof none);
        if (cli_plugins_load(ctx, &none, 1) != CLI_EXIT_OK)
            cli_warn("the filters of the plugin above are not listed");
    }
    print(stdout);
    tproc_ctx_free(&ctx);
    return CLI_EXIT_OK;
}

static int print_help(void)
{
    return print_docs(cli_help);
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2)
        return cli_usage("no command given (run, pyramid, info or filters)");
    const char *name = argv[1];
    unsigned command;
    if (strcmp(name, "run") == 0)
        command = CLI_CMD_RUN;
    else if (strcmp(name, "info") == 0)
        command = CLI_CMD_INFO;
    else if (strcmp(name, "filters") == 0)
        command = CLI_CMD_FILTERS;
    else if (strcmp(name, "pyramid") == 0)
        command = CLI_CMD_PYRAMID;
    else if (strcmp(name, "help") == 0)
        return print_help();
    else if (name[0] == '-' && name[1] != '\0')
        command = CLI_CMD_TOP;
    else
        return cli_usage("unknown command '%s' (run, pyramid, info or filters)", name);

    cli_args args;
    int status = cli_args_parse(&args, command, argc, argv, command == CLI_CMD_TOP ? 1 : 2);
    if (status)
        return status;
    if (args.help) {
        status = print_help();
    } else if (args.version) {
        status = print_version();
    } else if (args.man) {
        status = print_docs(cli_man);
    } else if (command == CLI_CMD_TOP) {
        status = args.pos_count ? cli_usage("put the command before '%s'", args.pos[0])
                                : cli_usage("no command given (run, pyramid, info or filters)");
    } else if (command == CLI_CMD_RUN) {
        status = cli_run(&args);
    } else if (command == CLI_CMD_PYRAMID) {
        status = cli_pyramid(&args);
    } else if (command == CLI_CMD_INFO) {
        status = cli_info(&args);
    } else {
        status = cli_filters(&args);
    }
    cli_args_free(&args);
    return status;
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* A tiled output opens and closes codec state by the hundred per row of tiles (one JPEG
     * encoder per tile column of a pyramid TIFF level): with glibc's default 128 KiB trim
     * threshold each row gave that memory back to the kernel and faulted it in again (a fifth
     * of the system time of a 900 MP pyramid). Keep up to 8 MiB of freed heap per arena. Setting
     * it stops glibc raising the mmap threshold as large blocks are freed, which made a
     * streamed blur of a strip TIFF spend a third more time in the kernel: its upper value. */
    mallopt(M_TRIM_THRESHOLD, 8 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
    int status = dispatch(argc, argv);
    /* Output that could not be written is a failure, not a silent truncation (a failed
     * command has said why already). */
    errno = 0;
    if ((fflush(stdout) != 0 || ferror(stdout)) && status == CLI_EXIT_OK) {
        cli_error("<stdout>: write failed: %s", strerror(errno ? errno : EIO));
        status = CLI_EXIT_FAILED;
    }
    return status;
}
