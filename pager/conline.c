/* The console's output line discipline: who owns the terminal's open line,
 * ending and redrawing lines so that no two writers share one (conline.h). */
#include <string.h>
#include "conline.h"

static void out(struct conline *c, const char *s, size_t n)
{
    c->out(c->ctx, s, n);
}

/* Send bytes of the open line and keep what it shows: a backspace takes
 * the last character back, a newline ends the line. */
static void show(struct conline *c, const char *s, size_t n)
{
    out(c, s, n);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            c->open = false;
            c->cur.len = 0;
        } else if (s[i] == '\b') {
            if (c->cur.len)
                c->cur.len--;
        } else if (c->cur.len < CONLINE_MAX) {
            c->cur.text[c->cur.len++] = s[i];
        }
    }
}

/* The held line of owner, or -1. */
static int held_by(const struct conline *c, uint64_t owner)
{
    for (unsigned i = 0; i < c->nheld; i++)
        if (c->held[i].owner == owner)
            return (int)i;
    return -1;
}

static void unhold(struct conline *c, unsigned i)
{
    memmove(&c->held[i], &c->held[i + 1], (c->nheld - i - 1) * sizeof(c->held[0]));
    c->nheld--;
}

/* Someone else writes: end the open line and hold it (the oldest held
 * line is forgotten when there is no room). */
static void end_line(struct conline *c)
{
    out(c, "\n", 1);
    c->open = false;
    if (c->nheld == CONLINE_HELD)
        unhold(c, 0);
    c->held[c->nheld++] = c->cur;
}

/* owner starts writing at the start of a terminal line: its held line
 * comes back, or a new one begins with its prefix. */
static void begin_line(struct conline *c, uint64_t owner, const char *prefix)
{
    int h = held_by(c, owner);
    c->open = true;
    if (h >= 0) {
        c->cur = c->held[h];
        unhold(c, (unsigned)h);
        out(c, c->cur.text, c->cur.len);
        return;
    }
    c->cur.owner = owner;
    c->cur.len = 0;
    if (prefix) {
        show(c, prefix, strlen(prefix));
        show(c, ": ", 2);
    }
}

void conline_write(struct conline *c, uint64_t owner, const char *prefix,
                   const char *buf, size_t n)
{
    while (n) {
        const char *nl = memchr(buf, '\n', n);
        size_t k = nl ? (size_t)(nl - buf) + 1 : n;
        if (c->open && c->cur.owner != owner)
            end_line(c);
        if (!c->open)
            begin_line(c, owner, prefix);
        show(c, buf, k);
        buf += k;
        n -= k;
    }
}

void conline_echo(struct conline *c, uint64_t reader, const char *buf, size_t n)
{
    bool readers_line = reader != CONLINE_TYPED &&
                        ((c->open && c->cur.owner == reader) || held_by(c, reader) >= 0);
    conline_write(c, readers_line ? reader : CONLINE_TYPED, NULL, buf, n);
}

void conline_forget(struct conline *c, uint64_t owner)
{
    int h = held_by(c, owner);
    if (h >= 0)
        unhold(c, (unsigned)h);
}
