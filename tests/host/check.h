/* Minimal assertion helpers for the host unit tests: every CHECK counts,
 * failures print where, and check_done() prints the summary line. */
#ifndef KINE_TEST_CHECK_H
#define KINE_TEST_CHECK_H

#include <stdio.h>

static int check_passed, check_failed;

#define CHECK(cond) do { \
        if (cond) { check_passed++; } \
        else { check_failed++; fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } \
    } while (0)

static inline int check_done(const char *suite)
{
    printf("%s: %d passed, %d failed\n", suite, check_passed, check_failed);
    return check_failed ? 1 : 0;
}

/* Deterministic pseudo-random numbers for mutation loops. */
static inline unsigned check_rand(unsigned *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

#endif
