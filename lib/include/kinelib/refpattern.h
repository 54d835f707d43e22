/* Reference patterns: deterministic strings of page numbers that the
 * paging benchmarks touch in the guest and that tools/refsim replays on
 * the host (to compute OPT for the very same string).  Pure and
 * freestanding, built for both; host-tested.
 *
 *   seq      0, 1, ..., P-1, 0, 1, ...: a loop over P pages, repeated
 *   random   uniform over the P pages (xorshift64 from the seed)
 *   hotcold  80% of the references to the first 20% of the pages (at
 *            least one page), the rest uniform over the others
 *   belady   the textbook string 1,2,3,4,1,2,5,1,2,3,4,5, repeated, each
 *            number standing for a block of P/5 pages touched in order
 *            (one page when P = 5), so that FIFO shows Belady's anomaly
 *            at 3 and 4 blocks of frames whatever the scale
 *
 * seq and belady ignore the seed.  The same (kind, pages, length, seed)
 * gives the same string on every machine. */
#ifndef KINE_REFPATTERN_H
#define KINE_REFPATTERN_H

#include <stdint.h>

enum refpattern_kind {
    REFPATTERN_SEQ,
    REFPATTERN_RANDOM,
    REFPATTERN_HOTCOLD,
    REFPATTERN_BELADY,
    REFPATTERN_KINDS            /* how many there are */
};

/* What refpattern_next returns once the string is over. */
#define REFPATTERN_END (-1)

/* The numbers of the textbook string (1..5), each a block of pages. */
#define REFPATTERN_BELADY_NUMBERS 5

struct refpattern {
    enum refpattern_kind kind;
    uint64_t pages;             /* pages are 0 .. pages-1 */
    uint64_t length;            /* references in the string */
    uint64_t done;              /* references given so far */
    uint64_t rng;               /* xorshift64 state, never 0 */
    uint64_t hot;               /* hotcold: pages 0 .. hot-1 are hot */
    uint64_t block;             /* belady: pages per number */
};

/* 0; -KINE_EINVAL for an unknown kind, no pages, or belady with fewer
 * than REFPATTERN_BELADY_NUMBERS; -KINE_ERANGE if pages do not fit the
 * int64_t refpattern_next returns. */
int refpattern_init(struct refpattern *rp, enum refpattern_kind kind, uint64_t pages,
                    uint64_t length, uint64_t seed);

/* The next page number (0 .. pages-1), or REFPATTERN_END after length. */
int64_t refpattern_next(struct refpattern *rp);

/* The kind's name ("seq", ...), or NULL for no kind. */
const char *refpattern_name(enum refpattern_kind kind);

/* The kind of that name, or -KINE_EINVAL. */
int refpattern_find(const char *name);

#endif
