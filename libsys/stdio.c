/* picolibc stdio glue: stdin, stdout and stderr are descriptors 0, 1 and 2,
 * so a program in a pipeline reads and prints through the pipe the shell
 * gave it.  Output is line-buffered (the pager tags each console line with
 * the program's name, and lines of different programs never interleave);
 * input is read in blocks.  Each thread has its own output lines (TLS), so
 * threads printing at once never tear each other's lines: a line goes out
 * whole when its thread ends it.  Input is one buffer for the process:
 * reading stdin from two threads at once is not supported. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "libsys_internal.h"

#define LINE_MAX_BYTES 1024
#define IN_BLOCK_BYTES 512
#define OUT_STREAMS 2        /* stdout, stderr */

struct stream {
    FILE file;               /* first: picolibc hands our callbacks this */
    int fd;
    int out;                 /* output: index into the thread's lines */
    size_t len, pos;         /* input only */
    char buf[IN_BLOCK_BYTES];
};

/* This thread's unfinished output line of each output stream. */
struct line { size_t len; char buf[LINE_MAX_BYTES]; };
static __thread struct line lines[OUT_STREAMS];

static int flush_stream(struct stream *s)
{
    struct line *l = &lines[s->out];
    int r = 0;
    if (l->len && libsys_write_fd(s->fd, l->buf, l->len) < 0)
        r = EOF;
    l->len = 0;
    return r;
}

static int put(char c, FILE *f)
{
    struct stream *s = (struct stream *)f;
    struct line *l = &lines[s->out];
    l->buf[l->len++] = c;
    if (c == '\n' || l->len == sizeof(l->buf))
        flush_stream(s);
    return (unsigned char)c;
}

static int flush(FILE *f) { return flush_stream((struct stream *)f); }

static int get(FILE *f)
{
    struct stream *s = (struct stream *)f;
    if (s->pos == s->len) {
        libsys_flush_stdout();               /* a prompt shows before we wait */
        ssize_t n = read(s->fd, s->buf, IN_BLOCK_BYTES);
        if (n <= 0)                          /* ferror() tells a failed read (EINTR) */
            return n == 0 ? _FDEV_EOF : _FDEV_ERR;
        s->len = (size_t)n;
        s->pos = 0;
    }
    return (unsigned char)s->buf[s->pos++];
}

static struct stream in = { FDEV_SETUP_STREAM(NULL, get, NULL, _FDEV_SETUP_READ), 0, 0, 0, 0, { 0 } };
static struct stream out = { FDEV_SETUP_STREAM(put, NULL, flush, _FDEV_SETUP_WRITE), 1, 0, 0, 0, { 0 } };
static struct stream err = { FDEV_SETUP_STREAM(put, NULL, flush, _FDEV_SETUP_WRITE), 2, 1, 0, 0, { 0 } };
FILE *const stdin = &in.file;
FILE *const stdout = &out.file;
FILE *const stderr = &err.file;

/* The calling thread's lines (another thread's are its own to flush). */
void libsys_flush_stdout(void)
{
    flush_stream(&out);
    flush_stream(&err);
}
