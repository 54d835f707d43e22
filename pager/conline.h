/* The console's output line discipline (conline.c): whose line the
 * terminal's cursor is on.  Lines of different writers never share a
 * terminal line: a writer whose line is open keeps it; anyone else first
 * ends it (a newline) and it is held, to be drawn again when its owner
 * writes or types on it again.  Typed input (echo) continues the line of
 * the process reading the console (its prompt), or starts a bare line of
 * its own, so it never tears someone's output.  Pure; host-tested. */
#ifndef PAGER_CONLINE_H
#define PAGER_CONLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONLINE_MAX   256            /* what is kept of a line to redraw it */
#define CONLINE_HELD  4              /* lines held at once (the oldest goes) */
#define CONLINE_TYPED 0              /* owner of typed input on a line of its own */

struct conline_text {
    uint64_t owner;                  /* a thread id, or CONLINE_TYPED */
    size_t len;
    char text[CONLINE_MAX];          /* what the line shows (cut at CONLINE_MAX) */
};

struct conline {
    void (*out)(void *ctx, const char *s, size_t n);   /* to the terminal */
    void *ctx;
    bool open;                       /* cur is on the terminal, not yet ended */
    struct conline_text cur;
    unsigned nheld;                  /* lines someone else's output ended, */
    struct conline_text held[CONLINE_HELD];   /* oldest first */
};

/* owner writes n bytes; a line it starts begins with "prefix: " (none if
 * prefix is NULL). */
void conline_write(struct conline *c, uint64_t owner, const char *prefix,
                   const char *buf, size_t n);
/* Echo of typed input while `reader` (0: nobody) waits for it. */
void conline_echo(struct conline *c, uint64_t reader, const char *buf, size_t n);
/* owner has read what was typed: a line of its held since (its prompt,
 * ended by typing that came before it read) is not drawn again. */
void conline_forget(struct conline *c, uint64_t owner);

#endif
