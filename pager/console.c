/* Console output from the pager: its own messages tagged "pager: ", and
 * clients' PGR_WRITE data tagged with the client's program name at every
 * line start.  Text is gathered in a local buffer and handed to the kernel
 * through the pager's IPC buffer (KSYS_DEBUG_WRITE). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "pager.h"

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

static void out_put(const char *s, size_t n)
{
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

void pager_log(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    out_put("pager: ", 7);
    out_put(line, (size_t)n);
    out_put("\n", 1);
    out_flush();
}

void console_client_write(struct proc *p, const char *buf, size_t len)
{
    while (len) {
        const char *nl = memchr(buf, '\n', len);
        size_t n = nl ? (size_t)(nl - buf) + 1 : len;
        if (!p->mid_line) {
            out_put(p->name, strlen(p->name));
            out_put(": ", 2);
        }
        out_put(buf, n);
        p->mid_line = !nl;
        buf += n;
        len -= n;
    }
    out_flush();
}
