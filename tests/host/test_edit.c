/* Console line editing: echo, backspace, Ctrl-U, Ctrl-D, Ctrl-C, return
 * and CR LF, escape sequences, a full line. */
#include <string.h>
#include "check.h"
#include "edit.h"

static char echoed[4096], rec[EDIT_LINE_MAX + 1];
static size_t echoed_len;
static enum kine_console_kind kind;

/* Feed s; echo accumulates; stop at (and return) the first record. */
static int type(struct edit *e, const char *s)
{
    static struct edit_out o;
    echoed_len = 0;
    for (; *s; s++) {
        edit_feed(e, (unsigned char)*s, &o);
        memcpy(echoed + echoed_len, o.echo, o.echo_len);
        echoed_len += o.echo_len;
        echoed[echoed_len] = '\0';
        if (o.kind != KINE_CONSOLE_ECHO) {
            kind = o.kind;
            memcpy(rec, o.rec, o.rec_len);
            rec[o.rec_len] = '\0';
            return 1;
        }
    }
    return 0;
}

int main(void)
{
    struct edit e = { 0 };
    CHECK(type(&e, "ls -l\r") && kind == KINE_CONSOLE_LINE && strcmp(rec, "ls -l\n") == 0);
    CHECK(strcmp(echoed, "ls -l\n") == 0);
    CHECK(!type(&e, "\n"));                          /* the LF of a CR LF */
    CHECK(type(&e, "\n") && strcmp(rec, "\n") == 0);  /* a second one is a line */

    CHECK(type(&e, "abX\x7f\bc\n") && strcmp(rec, "ac\n") == 0);
    CHECK(strcmp(echoed, "abX\b \b\b \bc\n") == 0);
    CHECK(type(&e, "\x7fq\n") && strcmp(rec, "q\n") == 0);   /* nothing to rub out */

    CHECK(type(&e, "wrong\x15right\n") && strcmp(rec, "right\n") == 0);
    CHECK(strcmp(echoed, "wrong\b \b\b \b\b \b\b \b\b \bright\n") == 0);

    CHECK(type(&e, "\x04") && kind == KINE_CONSOLE_EOF && rec[0] == '\0');
    CHECK(type(&e, "part\x04") && kind == KINE_CONSOLE_LINE && strcmp(rec, "part") == 0);

    CHECK(type(&e, "yes\x03") && kind == KINE_CONSOLE_INTR && rec[0] == '\0');
    CHECK(strcmp(echoed, "yes^C\n") == 0);
    CHECK(type(&e, "\n") && strcmp(rec, "\n") == 0);  /* the line went with Ctrl-C */

    CHECK(type(&e, "a\x1b[Ab\x1bOBc\x01\n") && strcmp(rec, "abc\n") == 0);   /* arrows, Ctrl-A */

    char many[EDIT_LINE_MAX + 20];
    memset(many, 'm', sizeof(many) - 2);
    many[sizeof(many) - 2] = '\n';
    many[sizeof(many) - 1] = '\0';
    CHECK(type(&e, many) && strlen(rec) == EDIT_LINE_MAX && rec[EDIT_LINE_MAX - 1] == '\n');
    return check_done("edit");
}
