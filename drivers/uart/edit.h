/* Line editing for the console (edit.c): what each typed byte does to the
 * line being typed, what is echoed, and when a record is complete for the
 * pager (kine/pager.h, PGR_CONSOLE_INPUT).  Pure; host-tested. */
#ifndef UART_EDIT_H
#define UART_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <kine/pager.h>

#define EDIT_LINE_MAX  KINE_CONSOLE_LINE_MAX     /* a line, its newline included */
#define EDIT_ECHO_MAX  (3 * EDIT_LINE_MAX)       /* echo of one byte, at most (Ctrl-U) */

/* Keys (ASCII control codes). */
#define KEY_CTRL_C     0x03
#define KEY_CTRL_D     0x04
#define KEY_BACKSPACE  0x08
#define KEY_TAB        0x09
#define KEY_NEWLINE    0x0a
#define KEY_RETURN     0x0d
#define KEY_CTRL_U     0x15
#define KEY_ESCAPE     0x1b
#define KEY_DELETE     0x7f
#define KEY_PRINTABLE  0x20              /* from here up, but for KEY_DELETE */

struct edit {
    char line[EDIT_LINE_MAX];
    size_t len;
    int escape;                          /* inside an escape sequence (arrow keys) */
    bool after_return;                   /* a newline right after a return is the same key */
};

/* The result of one byte: echo bytes for the terminal, and maybe a record. */
struct edit_out {
    char echo[EDIT_ECHO_MAX];
    size_t echo_len;
    enum kine_console_kind kind;         /* KINE_CONSOLE_ECHO: no record yet */
    char rec[EDIT_LINE_MAX];
    size_t rec_len;
};

/* Feed one received byte: echo_len and echo are set afresh, and kind says
 * whether a record (rec, rec_len) is complete. */
void edit_feed(struct edit *e, unsigned char c, struct edit_out *o);

#endif
