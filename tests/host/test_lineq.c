/* The console's input queue: records come out whole or in parts, never
 * merged; an empty record is end of file; a full queue refuses a record
 * whole; the rings wrap. */
#include <string.h>
#include "check.h"
#include "lineq.h"

static size_t get(struct lineq *q, char *out, size_t max)
{
    size_t n = lineq_get(q, out, max);
    out[n] = '\0';
    return n;
}

int main(void)
{
    static struct lineq q;
    char out[LINEQ_BYTES + 1];
    CHECK(lineq_empty(&q));
    CHECK(lineq_put(&q, "ab\n", 3) == 3 && lineq_put(&q, "cd\n", 3) == 3);
    CHECK(get(&q, out, 100) == 3 && strcmp(out, "ab\n") == 0);     /* one record a read */
    CHECK(get(&q, out, 1) == 1 && strcmp(out, "c") == 0);          /* in parts */
    CHECK(get(&q, out, 100) == 2 && strcmp(out, "d\n") == 0);
    CHECK(lineq_empty(&q));

    CHECK(lineq_put(&q, "", 0) == 0 && !lineq_empty(&q));           /* end of file */
    CHECK(lineq_put(&q, "x", 1) == 1);                              /* Ctrl-D mid-line */
    CHECK(get(&q, out, 100) == 0 && !lineq_empty(&q));
    CHECK(get(&q, out, 100) == 1 && strcmp(out, "x") == 0 && lineq_empty(&q));

    static char big[LINEQ_BYTES];
    memset(big, 'z', sizeof(big));
    CHECK(lineq_put(&q, "hi\n", 3) == 3);
    CHECK(lineq_put(&q, big, sizeof(big)) == 0);                    /* refused whole */
    CHECK(lineq_put(&q, big, sizeof(big) - 3) == sizeof(big) - 3);  /* exactly full */
    CHECK(lineq_put(&q, "y", 1) == 0);
    CHECK(get(&q, out, 100) == 3 && strcmp(out, "hi\n") == 0);
    CHECK(get(&q, out, sizeof(big)) == sizeof(big) - 3 && lineq_empty(&q));

    /* records: at most LINEQ_RECORDS, then refused; the rings wrap */
    int taken = 0;
    for (int i = 0; i < LINEQ_RECORDS + 5; i++)
        taken += lineq_put(&q, "r\n", 2) == 2;
    CHECK(taken == LINEQ_RECORDS);
    int got = 0;
    while (!lineq_empty(&q))
        got += get(&q, out, 100) == 2 && strcmp(out, "r\n") == 0;
    CHECK(got == LINEQ_RECORDS);

    CHECK(lineq_put(&q, "gone\n", 5) == 5);
    lineq_clear(&q);
    CHECK(lineq_empty(&q));
    return check_done("lineq");
}
