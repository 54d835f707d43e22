/* The console's input queue (lineq.c): typed records waiting for a reader.
 * A record is a line (its newline included), a line cut short by Ctrl-D
 * (no newline), or empty, which means end of file.  A read takes bytes of
 * the first record only, as a terminal in canonical mode does.  Pure;
 * host-tested. */
#ifndef PAGER_LINEQ_H
#define PAGER_LINEQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINEQ_BYTES   4096
#define LINEQ_RECORDS 64

struct lineq {
    char buf[LINEQ_BYTES];          /* ring of record bytes */
    uint32_t head, len;
    uint32_t rec[LINEQ_RECORDS];    /* ring of record lengths (bytes still unread) */
    uint32_t rhead, nrec;
};

/* Queue a record of n bytes (0: end of file), whole or not at all: n, or 0
 * if there is no room (what a terminal does when its buffer is full). */
size_t lineq_put(struct lineq *q, const char *s, size_t n);
bool lineq_empty(const struct lineq *q);
/* From the first record, at most max bytes into out: how many (0 for an
 * end-of-file record, which is then gone).  The queue must not be empty. */
size_t lineq_get(struct lineq *q, char *out, size_t max);
void lineq_clear(struct lineq *q);

#endif
