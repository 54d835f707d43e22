/* thrash: a working set larger than memory, checked word by word.
 *
 *   thrash SIZE [PASSES [CHILDREN]]      SIZE like 96M, 512K or 4096 (bytes)
 *
 * Grows the heap by SIZE (a MiB at a time, so every memory policy can
 * page out between steps), writes every page with words that depend on
 * the page and a generation, then PASSES times reads every page back and
 * rewrites it with the next generation.  Then CHILDREN children are forked
 * one after another: each checks that it sees exactly the parent's memory
 * as of the fork, rewrites every other page with its own words and checks
 * them, while the parent rewrites the other half after each fork; at the
 * end the parent checks that no child's write reached it.  With paging
 * every page goes to disk and back, shared copy-on-write or not.  Prints
 * one verdict line; exits 0 only if every word was right. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>
#include "pagewords.h"

#define GROW_STEP  (1UL << 20)        /* sbrk a MiB at a time */
#define PARENT_TAG 0x5041524eUL       /* "PARN": the generations the parent writes */
#define CHILD_TAG  0x4348494cUL       /* "CHIL" */

static uint64_t *base;
static uint64_t npages;

static void fill(uint64_t page, uint64_t gen) { pagewords_fill(base, page, gen); }

static uint64_t check(uint64_t page, uint64_t gen) { return pagewords_wrong(base, page, gen); }

static uint64_t parse_size(const char *s)
{
    char *end;
    uint64_t v = strtoull(s, &end, 0);
    switch (*end) {
    case 'K': case 'k': return v << 10;
    case 'M': case 'm': return v << 20;
    case 'G': case 'g': return v << 30;
    default:            return v;
    }
}

static int fail(const char *what, uint64_t page, uint64_t bad)
{
    printf("FAILED: %s: page %lu has %lu wrong words\n", what, (unsigned long)page,
           (unsigned long)bad);
    return 1;
}

/* A child forked after the parent wrote generation gen everywhere. */
static int child(uint64_t gen, uint64_t id)
{
    for (uint64_t p = 0; p < npages; p++) {
        uint64_t bad = check(p, gen);
        if (bad)
            exit(fail("a child saw other than its parent's memory", p, bad));
    }
    for (uint64_t p = id % 2; p < npages; p += 2)
        fill(p, CHILD_TAG + id);
    for (uint64_t p = 0; p < npages; p++) {
        uint64_t bad = check(p, p % 2 == id % 2 ? CHILD_TAG + id : gen);
        if (bad)
            exit(fail("a child's own writes did not stay", p, bad));
    }
    exit(0);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: thrash SIZE [PASSES [CHILDREN]]\n");
        return 2;
    }
    uint64_t size = KINE_PAGE_UP(parse_size(argv[1]));
    uint64_t passes = argc > 2 ? strtoull(argv[2], NULL, 0) : 2;
    uint64_t children = argc > 3 ? strtoull(argv[3], NULL, 0) : 0;
    npages = size / KINE_PAGE_SIZE;
    base = sbrk(0);
    for (uint64_t got = 0; got < size; got += GROW_STEP) {
        uint64_t step = size - got < GROW_STEP ? size - got : GROW_STEP;
        if (sbrk((intptr_t)step) == (void *)-1) {
            printf("FAILED: sbrk refused at %lu of %lu bytes\n", (unsigned long)got,
                   (unsigned long)size);
            return 1;
        }
    }
    uint64_t gen = PARENT_TAG;
    for (uint64_t p = 0; p < npages; p++)
        fill(p, gen);
    for (uint64_t pass = 0; pass < passes; pass++, gen++) {
        for (uint64_t p = 0; p < npages; p++) {
            uint64_t bad = check(p, gen);
            if (bad)
                return fail("a page came back wrong", p, bad);
            fill(p, gen + 1);
        }
    }
    for (uint64_t c = 0; c < children; c++) {
        int pid = fork();
        if (pid < 0) {
            printf("FAILED: fork\n");
            return 1;
        }
        if (pid == 0)
            return child(gen, c);
        /* the parent's half changes while the child checks the old one */
        for (uint64_t p = (c + 1) % 2; p < npages; p += 2)
            fill(p, gen + 1);
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
            printf("FAILED: child %lu ended with status %#x\n", (unsigned long)c, status);
            return 1;
        }
        for (uint64_t p = c % 2; p < npages; p += 2)
            fill(p, gen + 1);
        gen++;
        for (uint64_t p = 0; p < npages; p++) {
            uint64_t bad = check(p, gen);
            if (bad)
                return fail("a child's write reached the parent", p, bad);
        }
    }
    printf("ok: %lu pages, %lu passes, %lu children, every word right\n",
           (unsigned long)npages, (unsigned long)passes, (unsigned long)children);
    struct kine_memstats ms;
    if (kine_memstats(&ms) == 0)
        printf("paging (%s): %lu pages out, %lu in, %lu clean drops, %lu taken back "
               "before the disk\n", ms.reclaim, (unsigned long)ms.pages_out,
               (unsigned long)ms.pages_paged_in, (unsigned long)ms.clean_drops,
               (unsigned long)ms.pages_reclaimed_from_cache);
    return 0;
}
