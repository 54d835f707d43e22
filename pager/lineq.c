/* The console's input queue: records of typed input in a byte ring, their
 * lengths in a second ring (lineq.h). */
#include <string.h>
#include "lineq.h"

size_t lineq_put(struct lineq *q, const char *s, size_t n)
{
    if (q->nrec == LINEQ_RECORDS || n > LINEQ_BYTES - q->len)
        return 0;
    for (size_t i = 0; i < n; i++)
        q->buf[(q->head + q->len + i) % LINEQ_BYTES] = s[i];
    q->len += (uint32_t)n;
    q->rec[(q->rhead + q->nrec) % LINEQ_RECORDS] = (uint32_t)n;
    q->nrec++;
    return n;
}

bool lineq_empty(const struct lineq *q)
{
    return q->nrec == 0;
}

size_t lineq_get(struct lineq *q, char *out, size_t max)
{
    uint32_t *first = &q->rec[q->rhead];
    size_t n = *first < max ? *first : max;
    for (size_t i = 0; i < n; i++)
        out[i] = q->buf[(q->head + i) % LINEQ_BYTES];
    q->head = (uint32_t)((q->head + n) % LINEQ_BYTES);
    q->len -= (uint32_t)n;
    *first -= (uint32_t)n;
    if (*first == 0) {               /* read to its end (or end of file) */
        q->rhead = (q->rhead + 1) % LINEQ_RECORDS;
        q->nrec--;
    }
    return n;
}

void lineq_clear(struct lineq *q)
{
    memset(q, 0, sizeof(*q));
}
