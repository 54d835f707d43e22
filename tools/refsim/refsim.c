/* refsim: replay a reference pattern (lib/refpattern.c) on the host under
 * the replacement policies (pager/reclaim/) and Belady's OPT, and count
 * the faults, through the simulator the host tests use
 * (pager/reclaim_sim.c).  The paging benchmarks touch the same strings in
 * the guest, so their figures can sit next to OPT's.
 *
 *   refsim PATTERN PAGES LENGTH SEED FRAMES POLICY
 *
 * FRAMES is a count, or a comma list of counts and ranges (3,4 or 8-64:8
 * for 8, 16, ..., 64); POLICY is a policy name or opt, a comma list of
 * them, or all (every built-in policy, then opt).  One count and one
 * policy print `faults N`; anything more prints a table, a row per frame
 * count and a column per policy.  Built natively: build/tools/refsim/refsim. */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kine/error.h>
#include <kinelib/refpattern.h>
#include "reclaim.h"
#include "reclaim_sim.h"

#define EXIT_USAGE 2
#define OPT_NAME "opt"
#define ALL_NAME "all"
#define MAX_ROWS 4096           /* frame counts in one table */
#define MAX_COLUMNS 16          /* policies in one table */
#define COLUMN_WIDTH 10

static void usage(FILE *f)
{
    fprintf(f,
        "usage: refsim PATTERN PAGES LENGTH SEED FRAMES POLICY\n"
        "  PATTERN  the reference pattern:");
    for (int k = 0; k < REFPATTERN_KINDS; k++)
        fprintf(f, " %s", refpattern_name((enum refpattern_kind)k));
    fprintf(f, "\n"
        "  PAGES    pages it spans (belady: at least %d, each number P/%d pages)\n"
        "  LENGTH   references in the string\n"
        "  SEED     seed of random and hotcold (the others ignore it)\n"
        "  FRAMES   frame count, or a comma list of counts and ranges A-B or A-B:STEP\n"
        "  POLICY   one of", REFPATTERN_BELADY_NUMBERS, REFPATTERN_BELADY_NUMBERS);
    for (unsigned i = 0; reclaims[i]; i++)
        fprintf(f, " %s", reclaims[i]->name);
    fprintf(f, " " OPT_NAME ", a comma list of them, or " ALL_NAME "\n"
        "One frame count and one policy print 'faults N'; more print a table of\n"
        "faults, a row per frame count, a column per policy.\n"
        "example: refsim belady 5 12 0 3,4 fifo,opt\n");
}

/* The decimal number at the start of s: its length in characters, or
 * -KINE_EINVAL if there is none or it does not fit. */
static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return -KINE_EINVAL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -KINE_EINVAL;
    *out = v;
    return (int)(end - s);
}

/* s is a decimal number and nothing else: 0, or -KINE_EINVAL. */
static int parse_whole(const char *s, uint64_t *out)
{
    int n = parse_u64(s, out);
    return n < 0 || s[n] != '\0' ? -KINE_EINVAL : 0;
}

/* One number of FRAMES: a positive count that fits a frame number. */
static int parse_count(const char **s, uint64_t *out)
{
    int n = parse_u64(*s, out);
    if (n < 0 || *out == 0 || *out > UINT32_MAX)
        return -KINE_EINVAL;
    *s += n;
    return 0;
}

/* FRAMES into rows[], *nrows of them. */
static int parse_frames(const char *s, uint32_t *rows, unsigned *nrows)
{
    *nrows = 0;
    for (;;) {
        uint64_t first, last, step = 1;
        if (parse_count(&s, &first))
            return -KINE_EINVAL;
        last = first;
        if (*s == '-') {
            s++;
            if (parse_count(&s, &last) || last < first)
                return -KINE_EINVAL;
            if (*s == ':') {
                s++;
                if (parse_count(&s, &step))
                    return -KINE_EINVAL;
            }
        }
        for (uint64_t f = first; f <= last; f += step) {
            if (*nrows == MAX_ROWS)
                return -KINE_E2BIG;
            rows[(*nrows)++] = (uint32_t)f;
        }
        if (*s == '\0')
            return 0;
        if (*s++ != ',')
            return -KINE_EINVAL;
    }
}

/* A column: a built-in policy, or OPT (pol NULL). */
struct column {
    const char *name;
    const struct reclaim *pol;
};

static int add_column(struct column *cols, unsigned *ncols, const char *name,
                      const struct reclaim *pol)
{
    if (*ncols == MAX_COLUMNS)
        return -KINE_E2BIG;
    cols[*ncols].name = name;
    cols[(*ncols)++].pol = pol;
    return 0;
}

/* POLICY into cols[]; s is modified (split at the commas). */
static int parse_policies(char *s, struct column *cols, unsigned *ncols)
{
    *ncols = 0;
    for (char *name = strtok(s, ","); name; name = strtok(NULL, ",")) {
        int err = 0;
        if (strcmp(name, ALL_NAME) == 0) {
            for (unsigned i = 0; reclaims[i] && !err; i++)
                err = add_column(cols, ncols, reclaims[i]->name, reclaims[i]);
            if (!err)
                err = add_column(cols, ncols, OPT_NAME, NULL);
        } else if (strcmp(name, OPT_NAME) == 0) {
            err = add_column(cols, ncols, OPT_NAME, NULL);
        } else {
            const struct reclaim *pol = reclaim_find(name);
            err = pol ? add_column(cols, ncols, pol->name, pol) : -KINE_EINVAL;
        }
        if (err)
            return err;
    }
    return *ncols ? 0 : -KINE_EINVAL;
}

/* The string the pattern makes, in a new array of `length` pages. */
static int make_string(enum refpattern_kind kind, uint64_t pages, uint64_t length,
                       uint64_t seed, uint64_t **out)
{
    struct refpattern rp;
    int err = refpattern_init(&rp, kind, pages, length, seed);
    if (err)
        return err;
    if (length > SIZE_MAX / sizeof(uint64_t))
        return -KINE_ENOMEM;
    uint64_t *refs = malloc(length ? length * sizeof(uint64_t) : 1);
    if (!refs)
        return -KINE_ENOMEM;
    for (uint64_t i = 0; i < length; i++)
        refs[i] = (uint64_t)refpattern_next(&rp);
    *out = refs;
    return 0;
}

static int faults(const struct column *c, uint32_t frames, const uint64_t *refs, size_t n,
                  uint64_t *out)
{
    struct reclaim_sim_stats st;
    int err = c->pol ? reclaim_sim_run(c->pol, frames, refs, n, &st, NULL)
                     : reclaim_sim_opt(frames, refs, n, &st);
    *out = st.faults;
    return err;
}

int main(int argc, char **argv)
{
    enum { ARG_PATTERN = 1, ARG_PAGES, ARG_LENGTH, ARG_SEED, ARG_FRAMES, ARG_POLICY, NARGS };
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        usage(stdout);
        return 0;
    }
    static uint32_t rows[MAX_ROWS];
    struct column cols[MAX_COLUMNS];
    unsigned nrows, ncols;
    uint64_t pages, length, seed;
    int kind = argc == NARGS ? refpattern_find(argv[ARG_PATTERN]) : -KINE_EINVAL;
    if (kind < 0 || parse_whole(argv[ARG_PAGES], &pages) || parse_whole(argv[ARG_LENGTH], &length)
        || parse_whole(argv[ARG_SEED], &seed) || parse_frames(argv[ARG_FRAMES], rows, &nrows)
        || parse_policies(argv[ARG_POLICY], cols, &ncols)) {
        usage(stderr);
        return EXIT_USAGE;
    }
    uint64_t *refs;
    int err = make_string((enum refpattern_kind)kind, pages, length, seed, &refs);
    if (err) {
        fprintf(stderr, "refsim: cannot make %s of %" PRIu64 " pages, %" PRIu64
                " references: error %d\n", argv[ARG_PATTERN], pages, length, -err);
        return EXIT_FAILURE;
    }
    bool table = nrows > 1 || ncols > 1;
    if (table) {
        printf("%-*s", COLUMN_WIDTH, "frames");
        for (unsigned c = 0; c < ncols; c++)
            printf("%*s", COLUMN_WIDTH, cols[c].name);
        printf("\n");
    }
    for (unsigned r = 0; r < nrows && !err; r++) {
        if (table)
            printf("%-*" PRIu32, COLUMN_WIDTH, rows[r]);
        for (unsigned c = 0; c < ncols; c++) {
            uint64_t n;
            err = faults(&cols[c], rows[r], refs, (size_t)length, &n);
            if (err)
                break;
            if (table)
                printf("%*" PRIu64, COLUMN_WIDTH, n);
            else
                printf("faults %" PRIu64, n);
        }
        printf("\n");
    }
    free(refs);
    if (err) {
        fprintf(stderr, "refsim: simulation failed: error %d\n", -err);
        return EXIT_FAILURE;
    }
    return 0;
}
