/* picolibc stdio glue: stdout and stderr are one line-buffered stream whose
 * lines go to the pager (PGR_WRITE), which tags them with the program's name.
 * There is no console input yet: stdin reads end-of-file. */
#include <stdio.h>
#include <string.h>
#include "libsys_internal.h"

#define LINE_MAX_BYTES 1024

static char line[LINE_MAX_BYTES];
static size_t line_len;

void libsys_flush_stdout(void)
{
    if (line_len) {
        kine_pager_write(line, line_len);
        line_len = 0;
    }
}

static int put(char c, FILE *f)
{
    (void)f;
    line[line_len++] = c;
    if (c == '\n' || line_len == sizeof(line))
        libsys_flush_stdout();
    return (unsigned char)c;
}

static int get(FILE *f)
{
    (void)f;
    return EOF;
}

static int flush(FILE *f)
{
    (void)f;
    libsys_flush_stdout();
    return 0;
}

static FILE console = FDEV_SETUP_STREAM(put, get, flush, _FDEV_SETUP_RW);
FILE *const stdin = &console;
FILE *const stdout = &console;
FILE *const stderr = &console;
