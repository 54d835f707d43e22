/* Words that depend on the page and a generation, for programs that check
 * their memory word by word across paging, fork and copy-on-write
 * (thrash, swaptest): a page that comes back from disk, or from another
 * process, holding any word of another page or generation is caught. */
#ifndef APPS_PAGEWORDS_H
#define APPS_PAGEWORDS_H

#include <stdint.h>
#include <kine/layout.h>

#define PAGE_WORDS (KINE_PAGE_SIZE / sizeof(uint64_t))
#define PAGEWORDS_MIX1  0x9e3779b97f4a7c15UL   /* odd constants that spread the bits */
#define PAGEWORDS_MIX2  0xbf58476d1ce4e5b9UL
#define PAGEWORDS_SHIFT 29

static inline uint64_t pagewords_word(uint64_t page, uint64_t i, uint64_t gen)
{
    uint64_t x = (page * PAGE_WORDS + i + 1) * PAGEWORDS_MIX1 ^ gen * PAGEWORDS_MIX2;
    return x ^ (x >> PAGEWORDS_SHIFT);
}

/* Page `page` of the array at base gets generation gen's words. */
static inline void pagewords_fill(uint64_t *base, uint64_t page, uint64_t gen)
{
    uint64_t *w = base + page * PAGE_WORDS;
    for (uint64_t i = 0; i < PAGE_WORDS; i++)
        w[i] = pagewords_word(page, i, gen);
}

/* The words of page that are not generation gen's (gen 0: not zero). */
static inline uint64_t pagewords_wrong(const uint64_t *base, uint64_t page, uint64_t gen)
{
    const uint64_t *w = base + page * PAGE_WORDS;
    uint64_t bad = 0;
    for (uint64_t i = 0; i < PAGE_WORDS; i++)
        bad += w[i] != (gen ? pagewords_word(page, i, gen) : 0);
    return bad;
}

#endif
