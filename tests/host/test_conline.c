/* The console's line discipline: lines of different writers never share a
 * terminal line, typing included; a line broken by another's output comes
 * back when its owner goes on; echo continues the reader's prompt. */
#include <string.h>
#include "check.h"
#include "conline.h"

static char term[4096];
static size_t term_len;

static void out(void *ctx, const char *s, size_t n)
{
    (void)ctx;
    memcpy(term + term_len, s, n);
    term_len += n;
    term[term_len] = '\0';
}

static struct conline c;

static void reset(void)
{
    memset(&c, 0, sizeof(c));
    c.out = out;
    term_len = 0;
    term[0] = '\0';
}

static void w(uint64_t owner, const char *prefix, const char *s)
{
    conline_write(&c, owner, prefix, s, strlen(s));
}

static void echo(uint64_t reader, const char *s)
{
    conline_echo(&c, reader, s, strlen(s));
}

enum { SH = 7, YES = 9, BG = 11 };

int main(void)
{
    reset();                                     /* whole lines, tagged */
    w(SH, "sh", "a\nb\n");
    CHECK(strcmp(term, "sh: a\nsh: b\n") == 0);

    reset();                                     /* a line in pieces stays one line */
    w(SH, "sh", "ab");
    w(SH, "sh", "c\n");
    CHECK(strcmp(term, "sh: abc\n") == 0);

    reset();                                     /* another writer ends it; it comes back */
    w(BG, "bg", "working");
    w(YES, "yes", "y\n");
    w(BG, "bg", " done\n");
    CHECK(strcmp(term, "bg: working\nyes: y\nbg: working done\n") == 0);

    reset();                                     /* typing continues the reader's prompt */
    w(SH, "sh", "$ ");
    echo(SH, "ls\n");
    CHECK(strcmp(term, "sh: $ ls\n") == 0);

    reset();                                     /* typing never tears another's line */
    w(BG, "bg", "half");
    echo(SH, "x");
    w(BG, "bg", "\n");
    CHECK(strcmp(term, "bg: half\nx\nbg: half\n") == 0);

    reset();                                     /* output while a prompt is half typed */
    w(SH, "sh", "$ ");
    echo(SH, "ec");
    w(YES, "yes", "y\n");
    w(YES, "yes", "y\n");
    echo(SH, "ho\n");
    CHECK(strcmp(term, "sh: $ ec\nyes: y\nyes: y\nsh: $ echo\n") == 0);

    reset();                                     /* backspaces: the redraw shows the result */
    w(SH, "sh", "$ ");
    echo(SH, "ab\b \bc");
    w(YES, "yes", "y\n");
    echo(SH, "\n");
    CHECK(strcmp(term, "sh: $ ab\b \bc\nyes: y\nsh: $ ac\n") == 0);

    reset();                                     /* the reader's held line comes back for typing */
    w(SH, "sh", "$ ");
    w(BG, "bg", "half");
    echo(SH, "x\n");
    CHECK(strcmp(term, "sh: $ \nbg: half\nsh: $ x\n") == 0);

    reset();                                     /* typing before the read: no stale prompt */
    w(SH, "sh", "$ ");
    echo(0, "ls\n");
    conline_forget(&c, SH);                      /* sh read the line */
    w(SH, "sh", "$ ");
    CHECK(strcmp(term, "sh: $ \nls\nsh: $ ") == 0);

    reset();                                     /* typing with nobody reading: a bare line */
    echo(0, "early");
    w(SH, "sh", "$ ");
    CHECK(strcmp(term, "early\nsh: $ ") == 0);

    reset();                                     /* a long line is redrawn as far as it was kept */
    static char longline[CONLINE_MAX + 50];
    memset(longline, 'L', sizeof(longline) - 1);
    w(BG, NULL, longline);
    w(YES, "yes", "y\n");
    w(BG, NULL, "\n");
    CHECK(term_len == (sizeof(longline) - 1) + 1 + 7 + CONLINE_MAX + 1);
    return check_done("conline");
}
