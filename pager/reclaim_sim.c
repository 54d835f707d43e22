/* The reference-string simulator (reclaim_sim.h): a replacement policy
 * driven as the pager drives it, against accessed bits that every
 * reference sets; and Belady's OPT on the same string. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <kine/error.h>
#include "reclaim_sim.h"

#define NO_FRAME UINT32_MAX     /* a page that is not resident */
#define NEVER    UINT64_MAX     /* OPT: a page not used again */

unsigned reclaim_sim_ncounters(const struct reclaim *pol)
{
    unsigned n = 0;
    while (pol->counter_names && pol->counter_names[n])
        n++;
    return n;
}

/* The number of pages the string spans (its largest page number + 1) in
 * *pages, checked to fit tables of `entry`-byte entries. */
static int span(const uint64_t *refs, size_t n, size_t entry, size_t *pages)
{
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++)
        if (refs[i] > max)
            max = refs[i];
    if (max >= SIZE_MAX / entry)
        return -KINE_ERANGE;
    *pages = (size_t)max + 1;
    return 0;
}

/* Frames beyond the pages the string spans would never be used: the
 * tables and the policy's state need no more. */
static uint32_t frames_used(uint32_t nframes, size_t pages)
{
    return pages < nframes ? (uint32_t)pages : nframes;
}

/* What the fake hardware keeps: an accessed bit per frame. */
struct sim {
    uint8_t *abit;
};

static bool sim_referenced(struct reclaim_env *e, uint32_t f)
{
    struct sim *s = e->ctx;
    bool was = s->abit[f];
    s->abit[f] = 0;
    return was;
}

struct sim_tables {
    uint32_t *page_frame;       /* per page: its frame, or NO_FRAME */
    uint64_t *frame_page;       /* per frame in use: its page */
    uint8_t *abit;
    void *state;
    uint64_t *counters;
};

static void tables_free(struct sim_tables *t)
{
    free(t->page_frame);
    free(t->frame_page);
    free(t->abit);
    free(t->state);
    free(t->counters);
}

static int tables_alloc(struct sim_tables *t, const struct reclaim *pol, uint32_t frames,
                        size_t pages)
{
    memset(t, 0, sizeof(*t));
    t->page_frame = malloc(pages * sizeof(uint32_t));
    t->frame_page = calloc(frames, sizeof(uint64_t));
    t->abit = calloc(frames, sizeof(uint8_t));
    t->state = calloc(1, pol->state_size(frames) + 1);       /* + 1: never malloc(0) */
    t->counters = calloc(reclaim_sim_ncounters(pol) + 1, sizeof(uint64_t));
    if (!t->page_frame || !t->frame_page || !t->abit || !t->state || !t->counters) {
        tables_free(t);
        return -KINE_ENOMEM;
    }
    for (size_t p = 0; p < pages; p++)
        t->page_frame[p] = NO_FRAME;
    return 0;
}

/* The frame to reuse when every frame is full: the policy's victim,
 * checked, and removed from it. */
static int evict(const struct reclaim *pol, struct reclaim_env *env, struct sim_tables *t,
                 uint32_t frames, uint32_t *f)
{
    int64_t v = pol->victim(env);
    if (v < 0 || v >= frames)
        return -KINE_EINVAL;
    *f = (uint32_t)v;
    uint64_t page = t->frame_page[*f];
    if (t->page_frame[page] != *f)
        return -KINE_EINVAL;
    pol->removed(env, *f);
    t->page_frame[page] = NO_FRAME;
    return 0;
}

int reclaim_sim_run(const struct reclaim *pol, uint32_t nframes, const uint64_t *refs,
                    size_t n, struct reclaim_sim_stats *out, uint64_t *counters)
{
    if (nframes == 0)
        return -KINE_EINVAL;
    size_t pages;
    int err = span(refs, n, sizeof(uint32_t), &pages);
    if (err)
        return err;
    uint32_t frames = frames_used(nframes, pages), used = 0;
    struct sim_tables t;
    if ((err = tables_alloc(&t, pol, frames, pages)))
        return err;
    struct sim sim = { .abit = t.abit };
    struct reclaim_env env = {
        .nframes = frames, .state = t.state, .counters = t.counters,
        .referenced = sim_referenced, .ctx = &sim,
    };
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        uint64_t page = refs[i];
        uint32_t f = t.page_frame[page];
        out->refs++;
        if (f != NO_FRAME) {
            t.abit[f] = 1;
            continue;
        }
        out->faults++;
        bool full = used == frames;
        if (pol->tick && (full || out->faults % RECLAIM_TICK_FAULTS == 0)) {
            pol->tick(&env);
            out->ticks++;
        }
        if (!full) {
            f = used++;
        } else {
            if ((err = evict(pol, &env, &t, frames, &f)))
                break;
            out->evictions++;
        }
        t.frame_page[f] = page;
        t.page_frame[page] = f;
        t.abit[f] = 1;
        pol->added(&env, f);
    }
    if (counters)
        memcpy(counters, t.counters, reclaim_sim_ncounters(pol) * sizeof(uint64_t));
    tables_free(&t);
    return err;
}

/* OPT's resident pages in a max-heap on their next use, indexed so a
 * page's key can change in place when it is used again. */
struct opt_heap {
    uint64_t *page;             /* heap of pages, [0] the farthest next use */
    size_t *pos;                /* per page: its index in the heap */
    uint64_t *key;              /* per page: its next use */
    size_t n;
};

static void heap_swap(struct opt_heap *h, size_t a, size_t b)
{
    uint64_t pa = h->page[a], pb = h->page[b];
    h->page[a] = pb;
    h->page[b] = pa;
    h->pos[pb] = a;
    h->pos[pa] = b;
}

static void heap_up(struct opt_heap *h, size_t i)
{
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->key[h->page[parent]] >= h->key[h->page[i]])
            break;
        heap_swap(h, i, parent);
        i = parent;
    }
}

static void heap_down(struct opt_heap *h, size_t i)
{
    for (;;) {
        size_t big = i, l = 2 * i + 1, r = l + 1;
        if (l < h->n && h->key[h->page[l]] > h->key[h->page[big]])
            big = l;
        if (r < h->n && h->key[h->page[r]] > h->key[h->page[big]])
            big = r;
        if (big == i)
            return;
        heap_swap(h, i, big);
        i = big;
    }
}

static void heap_push(struct opt_heap *h, uint64_t page)
{
    h->page[h->n] = page;
    h->pos[page] = h->n;
    heap_up(h, h->n++);
}

static void heap_pop(struct opt_heap *h)
{
    heap_swap(h, 0, --h->n);
    heap_down(h, 0);
}

int reclaim_sim_opt(uint32_t nframes, const uint64_t *refs, size_t n,
                    struct reclaim_sim_stats *out)
{
    if (nframes == 0)
        return -KINE_EINVAL;
    size_t pages;
    int err = span(refs, n, sizeof(uint64_t) + sizeof(size_t) + 1, &pages);
    if (err)
        return err;
    uint32_t frames = frames_used(nframes, pages);
    uint64_t *next = malloc((n + 1) * sizeof(uint64_t));   /* per reference: the page's next */
    uint64_t *later = malloc(pages * sizeof(uint64_t));    /* backward pass: next use so far */
    bool *resident = calloc(pages, sizeof(bool));
    struct opt_heap h = {
        .page = malloc((size_t)frames * sizeof(uint64_t)),
        .pos = malloc(pages * sizeof(size_t)),
        .key = malloc(pages * sizeof(uint64_t)),
    };
    if (!next || !later || !resident || !h.page || !h.pos || !h.key) {
        err = -KINE_ENOMEM;
        goto out;
    }
    for (size_t p = 0; p < pages; p++)
        later[p] = NEVER;
    for (size_t i = n; i-- > 0; ) {
        next[i] = later[refs[i]];
        later[refs[i]] = i;
    }
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < n; i++) {
        uint64_t page = refs[i];
        out->refs++;
        if (resident[page]) {
            h.key[page] = next[i];          /* only ever later: it moves up */
            heap_up(&h, h.pos[page]);
            continue;
        }
        out->faults++;
        if (h.n == frames) {
            resident[h.page[0]] = false;
            heap_pop(&h);
            out->evictions++;
        }
        resident[page] = true;
        h.key[page] = next[i];
        heap_push(&h, page);
    }
out:
    free(next);
    free(later);
    free(resident);
    free(h.page);
    free(h.pos);
    free(h.key);
    return err;
}
