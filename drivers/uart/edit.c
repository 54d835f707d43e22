/* Line editing: printable bytes join the line and are echoed; backspace
 * (BS or DEL) takes one back; Ctrl-U the whole line; return or newline
 * ends it; Ctrl-D hands over what is typed without a newline, or, on an
 * empty line, end of file; Ctrl-C drops the line and asks the pager to
 * interrupt the foreground.  Escape sequences (arrow keys) are swallowed.
 * A byte that would overfill the line is dropped, keeping room for the
 * newline. */
#include <string.h>
#include "edit.h"

enum { ESC_NONE, ESC_START, ESC_CSI };
#define ESC_FINAL_LO 0x40               /* a CSI sequence ends with a byte 0x40..0x7e */
#define ESC_FINAL_HI 0x7e

static void echo(struct edit_out *o, const char *s, size_t n)
{
    memcpy(o->echo + o->echo_len, s, n);
    o->echo_len += n;
}

static void rub_out(struct edit *e, struct edit_out *o)
{
    e->len--;
    echo(o, "\b \b", 3);
}

/* The line (and maybe a newline) becomes a record of the given kind. */
static void record(struct edit *e, struct edit_out *o, enum kine_console_kind kind)
{
    memcpy(o->rec, e->line, e->len);
    o->rec_len = e->len;
    o->kind = kind;
    e->len = 0;
}

/* Part of an escape sequence: true if the byte was swallowed. */
static bool escape(struct edit *e, unsigned char c)
{
    switch (e->escape) {
    case ESC_START:
        e->escape = (c == '[' || c == 'O') ? ESC_CSI : ESC_NONE;
        return true;
    case ESC_CSI:
        if (c >= ESC_FINAL_LO && c <= ESC_FINAL_HI)
            e->escape = ESC_NONE;
        return true;
    default:
        return false;
    }
}

void edit_feed(struct edit *e, unsigned char c, struct edit_out *o)
{
    bool after_return = e->after_return;
    o->echo_len = 0;
    o->kind = KINE_CONSOLE_ECHO;
    o->rec_len = 0;
    e->after_return = false;
    if (escape(e, c))
        return;
    switch (c) {
    case KEY_ESCAPE:
        e->escape = ESC_START;
        return;
    case KEY_RETURN:
    case KEY_NEWLINE:
        if (c == KEY_NEWLINE && after_return)
            return;                      /* CR LF: one key */
        e->after_return = c == KEY_RETURN;
        e->line[e->len++] = '\n';        /* there is always room for it */
        echo(o, "\n", 1);
        record(e, o, KINE_CONSOLE_LINE);
        return;
    case KEY_BACKSPACE:
    case KEY_DELETE:
        if (e->len)
            rub_out(e, o);
        return;
    case KEY_CTRL_U:
        while (e->len)
            rub_out(e, o);
        return;
    case KEY_CTRL_D:
        record(e, o, e->len ? KINE_CONSOLE_LINE : KINE_CONSOLE_EOF);
        return;
    case KEY_CTRL_C:
        echo(o, "^C\n", 3);
        e->len = 0;
        record(e, o, KINE_CONSOLE_INTR);
        return;
    default:
        if ((c < KEY_PRINTABLE && c != KEY_TAB) || e->len + 1 >= EDIT_LINE_MAX)
            return;                      /* other control keys; a full line */
        e->line[e->len++] = (char)c;
        echo(o, (const char *)&c, 1);
    }
}
