/* Console output from the pager: its own messages tagged "pager: ",
 * clients' output tagged with the client's program name at every line
 * start, and the echo of typed input.  All of it goes through one line
 * discipline (conline.c), so lines of different writers, typing included,
 * never share a terminal line.  Text is gathered in a local buffer and
 * handed to the kernel through the pager's IPC buffer (KSYS_DEBUG_WRITE). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pager.h"
#include "conline.h"

#define OUT_CAP KINE_IPC_BUF_BYTES

static char out[OUT_CAP];
static size_t out_len;

static void out_flush(void)
{
    if (out_len) {
        memcpy(kine_ipcbuf(), out, out_len);
        kine_debug_write(out_len);
        out_len = 0;
    }
}

static void out_put(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    while (n) {
        size_t room = OUT_CAP - out_len, k = n < room ? n : room;
        memcpy(out + out_len, s, k);
        out_len += k;
        s += k;
        n -= k;
        if (out_len == OUT_CAP)
            out_flush();
    }
}

static struct conline terminal = { .out = out_put };

void pager_log(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line) - 1)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    conline_write(&terminal, pg.bi->self_tid, "pager", line, (size_t)n);
    out_flush();
}

void console_client_write(struct proc *p, const char *buf, size_t len)
{
    conline_write(&terminal, p->tid, p->name, buf, len);
    out_flush();
}

void console_echo(kine_tid_t reader, const char *buf, size_t len)
{
    conline_echo(&terminal, reader, buf, len);
    out_flush();
}

void console_read_done(kine_tid_t reader)
{
    conline_forget(&terminal, reader);
}
