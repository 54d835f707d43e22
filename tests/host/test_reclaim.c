/* The replacement policies (pager/reclaim/) and the reference-string
 * simulator (pager/reclaim_sim.c): fault counts on strings worked out by
 * hand, OPT, the tick cadence, and every policy's structure under adds and
 * removes in random order against a simple model. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "reclaim.h"
#include "reclaim_sim.h"
#include <kine/error.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The textbook string that shows Belady's anomaly under FIFO. */
static const uint64_t belady[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };

static uint64_t faults(const struct reclaim *pol, uint32_t frames, const uint64_t *refs, size_t n)
{
    struct reclaim_sim_stats st;
    int err = pol ? reclaim_sim_run(pol, frames, refs, n, &st, NULL)
                  : reclaim_sim_opt(frames, refs, n, &st);
    CHECK(err == 0);
    CHECK(st.refs == n);
    return err ? UINT64_MAX : st.faults;
}

/* The policies shipped, whose choices the tests below pin down; a policy
 * added to the list gets the structural tests alone. */
static const char *const shipped[] = { "fifo", "clock", "aging" };

static bool is_shipped(const struct reclaim *pol)
{
    for (unsigned i = 0; i < ARRAY_LEN(shipped); i++)
        if (strcmp(pol->name, shipped[i]) == 0)
            return true;
    return false;
}

/* Every shipped policy is in the table; every entry is found by its own
 * name and has the hooks it must have. */
static void test_table(void)
{
    for (unsigned i = 0; i < ARRAY_LEN(shipped); i++)
        CHECK(reclaim_find(shipped[i]) && strcmp(reclaim_find(shipped[i])->name, shipped[i]) == 0);
    CHECK(reclaim_find("nonesuch") == NULL);
    for (unsigned i = 0; reclaims[i]; i++)
        CHECK(reclaim_find(reclaims[i]->name) == reclaims[i] && reclaims[i]->added &&
              reclaims[i]->removed && reclaims[i]->victim && reclaims[i]->state_size);
}

/* FIFO: 9 faults with 3 frames, 10 with 4 (Belady's anomaly); OPT 7 and 6
 * (the textbook figures).  The same string from kinelib/refpattern scaled
 * by 10 pages a number gives 10 times as many under FIFO. */
static void test_belady(void)
{
    const struct reclaim *fifo = reclaim_find("fifo");
    CHECK(faults(fifo, 3, belady, ARRAY_LEN(belady)) == 9);
    CHECK(faults(fifo, 4, belady, ARRAY_LEN(belady)) == 10);
    CHECK(faults(NULL, 3, belady, ARRAY_LEN(belady)) == 7);
    CHECK(faults(NULL, 4, belady, ARRAY_LEN(belady)) == 6);

    enum { SCALE = 10 };
    uint64_t scaled[ARRAY_LEN(belady) * SCALE];
    for (size_t i = 0; i < ARRAY_LEN(scaled); i++)
        scaled[i] = (belady[i / SCALE] - 1) * SCALE + i % SCALE;
    CHECK(faults(fifo, 3 * SCALE, scaled, ARRAY_LEN(scaled)) == 9 * SCALE);
    CHECK(faults(fifo, 4 * SCALE, scaled, ARRAY_LEN(scaled)) == 10 * SCALE);
}

/* Clock beats FIFO, 3 frames, 1 2 3 4 2 5 2 3.  Every reference sets its
 * frame's bit; new frames go just behind the hand.
 *   1 2 3  3 faults; circle 1 2 3 from the hand, every bit set.
 *   4      fault: the hand clears 1, 2, 3 (3 second chances), comes round
 *          to 1 and takes it; circle 2 3 4, only 4's bit set.
 *   2      hit: 2's bit set.
 *   5      fault: 2 has its bit (a chance, cleared), 3 has not: victim 3;
 *          circle 4 2 5, bits 4 and 5.
 *   2      hit: 2's bit set again.
 *   3      fault: 4, 2, 5 all have theirs (3 chances), so 4 goes.
 * Clock: 6 faults, 3 victims, 7 second chances.  FIFO evicts 1, then 2
 * at 5 (the oldest), then 3 at the second 2: 7 faults.  OPT: at 4 it
 * evicts 1 (never used again), at 5 it evicts 4: 5 faults.
 * Aging (a tick before each victim; ages start at 0, ties to the oldest):
 *   4      tick: 1 2 3 all 0x80, victim 1 (oldest); 4 at 0.
 *   5      tick: 2 0xc0 (used again), 3 0x40, 4 0x80: victim 3.
 *   3      tick: 2 0xe0, 4 0x40, 5 0x80: victim 4.  6 faults. */
static void test_clock_string(void)
{
    static const uint64_t s[] = { 1, 2, 3, 4, 2, 5, 2, 3 };
    const struct reclaim *clock = reclaim_find("clock");
    uint64_t c[2];
    struct reclaim_sim_stats st;
    CHECK(reclaim_sim_ncounters(clock) == 2);
    CHECK(reclaim_sim_run(clock, 3, s, ARRAY_LEN(s), &st, c) == 0);
    CHECK(st.faults == 6 && st.evictions == 3 && st.ticks == 0);
    CHECK(c[0] == 3 && c[1] == 7);                     /* victims, second_chances */
    CHECK(strcmp(clock->counter_names[1], "second_chances") == 0);
    CHECK(faults(reclaim_find("fifo"), 3, s, ARRAY_LEN(s)) == 7);
    CHECK(faults(reclaim_find("aging"), 3, s, ARRAY_LEN(s)) == 6);
    CHECK(faults(NULL, 3, s, ARRAY_LEN(s)) == 5);
}

/* Aging remembers more than one bit, 3 frames, 1 2 3 4 2 3 5 2.
 *   1 2 3  3 faults, ages 0.
 *   4      tick: 1 2 3 all 0x80; victim 1 (the oldest of equals); 4 at 0.
 *   2 3    hits: their bits set.
 *   5      tick: 2 and 3 0xc0, 4 0x80 (used once, at its fault): victim 4.
 *   2      hit.
 * Aging: 5 faults, 2 ticks, 2 victims: as good as OPT here (OPT: at 4 it
 * evicts 1, at 5 one of 3 and 4, never used again: 5).  Clock: at 4 it
 * clears every bit and takes 1; 2 and 3 set theirs and 4 has its own, so
 * at 5 the hand clears all three again and takes 2 (the FIFO choice);
 * the last 2 faults too, taking 3: 6 faults, 6 second chances.  FIFO: 6. */
static void test_aging_string(void)
{
    static const uint64_t s[] = { 1, 2, 3, 4, 2, 3, 5, 2 };
    const struct reclaim *aging = reclaim_find("aging"), *clock = reclaim_find("clock");
    uint64_t c[2];
    struct reclaim_sim_stats st;
    CHECK(reclaim_sim_ncounters(aging) == 2);
    CHECK(reclaim_sim_run(aging, 3, s, ARRAY_LEN(s), &st, c) == 0);
    CHECK(st.faults == 5 && st.evictions == 2 && st.ticks == 2);
    CHECK(c[0] == 2 && c[1] == 2);                     /* victims, ticks */
    CHECK(reclaim_sim_run(clock, 3, s, ARRAY_LEN(s), &st, c) == 0);
    CHECK(st.faults == 6 && c[0] == 3 && c[1] == 6);
    CHECK(faults(reclaim_find("fifo"), 3, s, ARRAY_LEN(s)) == 6);
    CHECK(faults(NULL, 3, s, ARRAY_LEN(s)) == 5);
}

/* tick comes every RECLAIM_TICK_FAULTS faults, and before every victim,
 * once when both fall on the same fault. */
static void test_tick_cadence(void)
{
    enum { DISTINCT = 3 * RECLAIM_TICK_FAULTS + 5 };
    static uint64_t s[DISTINCT];
    for (size_t i = 0; i < DISTINCT; i++)
        s[i] = i;
    const struct reclaim *aging = reclaim_find("aging");
    struct reclaim_sim_stats st;
    CHECK(reclaim_sim_run(aging, DISTINCT, s, DISTINCT, &st, NULL) == 0);
    CHECK(st.faults == DISTINCT && st.evictions == 0 && st.ticks == 3);
    /* One frame: every fault after the first needs a victim. */
    CHECK(reclaim_sim_run(aging, 1, s, RECLAIM_TICK_FAULTS, &st, NULL) == 0);
    CHECK(st.faults == RECLAIM_TICK_FAULTS && st.ticks == RECLAIM_TICK_FAULTS - 1);
    /* No tick hook: none counted. */
    CHECK(reclaim_sim_run(reclaim_find("fifo"), 1, s, RECLAIM_TICK_FAULTS, &st, NULL) == 0);
    CHECK(st.ticks == 0);
}

/* On random strings: OPT is a floor for every policy; nobody faults less
 * than once per distinct page; with a frame per page, that is all. */
static void test_opt_floor(void)
{
    enum { LEN = 2000, PAGES = 40, ROUNDS = 20 };
    static uint64_t s[LEN];
    unsigned seed = 7;
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t i = 0; i < LEN; i++)
            s[i] = check_rand(&seed) % PAGES;
        bool seen[PAGES] = { false };
        uint64_t distinct = 0;
        for (size_t i = 0; i < LEN; i++) {
            distinct += !seen[s[i]];
            seen[s[i]] = true;
        }
        uint32_t frames = 1 + check_rand(&seed) % PAGES;
        uint64_t opt = faults(NULL, frames, s, LEN);
        CHECK(opt >= distinct);
        CHECK(faults(NULL, PAGES, s, LEN) == distinct);
        for (unsigned i = 0; reclaims[i]; i++) {
            CHECK(faults(reclaims[i], frames, s, LEN) >= opt);
            CHECK(faults(reclaims[i], PAGES, s, LEN) == distinct);
            CHECK(faults(reclaims[i], 2 * PAGES, s, LEN) == distinct);
        }
    }
}

/* The simulator catches a policy that names a frame it does not hold, or
 * none while frames are full; and refuses no frames. */
static int64_t bad_victim(struct reclaim_env *e)
{
    return (int64_t)e->nframes;
}

static int64_t no_victim(struct reclaim_env *e)
{
    (void)e;
    return -1;
}

static size_t no_state(uint32_t nframes)
{
    (void)nframes;
    return 0;
}

static void nothing(struct reclaim_env *e, uint32_t f)
{
    (void)e;
    (void)f;
}

static void test_sim_errors(void)
{
    struct reclaim bad = { .name = "bad", .state_size = no_state, .added = nothing,
                           .removed = nothing, .victim = bad_victim };
    struct reclaim_sim_stats st;
    CHECK(reclaim_sim_run(&bad, 3, belady, ARRAY_LEN(belady), &st, NULL) == -KINE_EINVAL);
    bad.victim = no_victim;
    CHECK(reclaim_sim_run(&bad, 3, belady, ARRAY_LEN(belady), &st, NULL) == -KINE_EINVAL);
    CHECK(reclaim_sim_run(&bad, 5, belady, ARRAY_LEN(belady), &st, NULL) == 0);  /* never asked */
    CHECK(reclaim_sim_run(reclaims[0], 0, belady, ARRAY_LEN(belady), &st, NULL) == -KINE_EINVAL);
    CHECK(reclaim_sim_opt(0, belady, ARRAY_LEN(belady), &st) == -KINE_EINVAL);
    static const uint64_t huge[] = { UINT64_MAX };
    CHECK(reclaim_sim_run(reclaims[0], 1, huge, 1, &st, NULL) == -KINE_ERANGE);
    CHECK(reclaim_sim_opt(1, huge, 1, &st) == -KINE_ERANGE);
    CHECK(reclaim_sim_run(reclaims[0], 1, belady, 0, &st, NULL) == 0 && st.faults == 0);
    CHECK(reclaim_sim_opt(1, belady, 0, &st) == 0 && st.faults == 0);
}

/* The model: the tracked frames in arrival order. */
enum { MODEL_FRAMES = 50, MODEL_OPS = 20000 };
/* An operation is drawn from OP_SLOTS slots: below OP_ADD an add, then
 * removes, then a call against the contract, the rest a tick. */
enum { OP_ADD = 3, OP_REMOVE = 6, OP_WRONG = 7, OP_SLOTS = 8 };
struct model {
    uint32_t order[MODEL_FRAMES];
    unsigned n;
    bool tracked[MODEL_FRAMES];
};

static void model_remove(struct model *m, uint32_t f)
{
    unsigned i = 0;
    while (m->order[i] != f)
        i++;
    memmove(&m->order[i], &m->order[i + 1], (m->n - i - 1) * sizeof(m->order[0]));
    m->n--;
    m->tracked[f] = false;
}

/* The fake hardware: referenced() answers from a coin, or never. */
struct coin {
    unsigned seed;
    bool random;
};

static bool coin_referenced(struct reclaim_env *e, uint32_t f)
{
    struct coin *c = e->ctx;
    CHECK(f < e->nframes);
    return c->random && check_rand(&c->seed) % 2;
}

/* Adds and removes in random order, calls that break the contract mixed
 * in (they must be ignored), victims asked on the way.  The victim is a
 * tracked frame, and -1 only when none is.  Without accessed bits, each
 * shipped policy's victim is the oldest arrival (clock never moves its
 * hand past a frame, aging's ages all stay 0 and ties go to the oldest). */
static void test_structure(const struct reclaim *pol, bool random_bits)
{
    bool oldest = !random_bits && is_shipped(pol);
    uint64_t counters[8] = { 0 };
    CHECK(reclaim_sim_ncounters(pol) < ARRAY_LEN(counters));
    void *state = calloc(1, pol->state_size(MODEL_FRAMES));
    struct coin coin = { .seed = 11, .random = random_bits };
    struct reclaim_env e = { .nframes = MODEL_FRAMES, .state = state, .counters = counters,
                             .referenced = coin_referenced, .ctx = &coin };
    struct model m = { .n = 0 };
    unsigned seed = 3, bad = 0;
    CHECK(pol->victim(&e) == -1);
    for (int op = 0; op < MODEL_OPS; op++) {
        uint32_t f = check_rand(&seed) % MODEL_FRAMES;
        unsigned what = check_rand(&seed) % OP_SLOTS;
        if (what < OP_ADD && !m.tracked[f]) {
            pol->added(&e, f);
            m.order[m.n++] = f;
            m.tracked[f] = true;
        } else if (what < OP_REMOVE && m.tracked[f]) {
            pol->removed(&e, f);
            model_remove(&m, f);
        } else if (what < OP_WRONG) {               /* against the contract */
            if (m.tracked[f])
                pol->added(&e, f);
            else
                pol->removed(&e, f);
            pol->removed(&e, MODEL_FRAMES + f);
            pol->added(&e, MODEL_FRAMES + f);
        } else if (pol->tick) {
            pol->tick(&e);
        }
        int64_t v = pol->victim(&e);
        if (m.n == 0)
            bad += v != -1;
        else if (oldest)
            bad += v != m.order[0];
        else
            bad += v < 0 || v >= MODEL_FRAMES || !m.tracked[v];
    }
    CHECK(bad == 0);
    /* Empty it in random order: -1 once nothing is left. */
    while (m.n) {
        uint32_t f = m.order[check_rand(&seed) % m.n];
        pol->removed(&e, f);
        model_remove(&m, f);
        int64_t v = pol->victim(&e);
        CHECK(m.n ? v >= 0 && v < MODEL_FRAMES && m.tracked[v] : v == -1);
    }
    free(state);
}

int main(void)
{
    test_table();
    test_belady();
    test_clock_string();
    test_aging_string();
    test_tick_cadence();
    test_opt_floor();
    test_sim_errors();
    for (unsigned i = 0; reclaims[i]; i++) {
        test_structure(reclaims[i], false);
        test_structure(reclaims[i], true);
    }
    return check_done("reclaim");
}
