/* vectest: each process has vector registers of its own (RVV 1.0), as
 * fptest checks for FP.  A parent and a forked child each load all of
 * v0..v31 with a pattern of their own and set vl, vtype, vxrm and vxsat
 * differently, then keep them across yields, preemption and copy-on-write
 * faults (which the pager answers with its own vector copies, so the unit
 * changes hands between them and the pager); a new process's first vector
 * instruction finds zeros (vl 0, vtype.vill set), never somebody else's
 * values.  On a hart without V a vector instruction kills the process,
 * and vectest says so and checks nothing else.  "vectest many K" forks K
 * children that each run a vector instruction (for fault injection).
 *
 * The programs are built rv64imac: the vector instructions are in inline
 * assembly under `.option arch, +v`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

#define ROUNDS        100
#define SPIN          20000     /* long enough for the timer to preempt */
#define VREGS         32
#define STATE_MAX     4096      /* v0..v31 with VLEN up to 1024 */
#define COW_PAGES     16        /* written one a round after fork: COW faults */
#define PARENT_SEED   0x1234
#define CHILD_SEED    0x9876
/* vtype: vsew in bits 5:3 (8 << n bits), vlmul in bits 2:0 (2^n registers) */
#define VTYPE_SEW(n)  ((uint64_t)(n) << 3)
#define VTYPE_LMUL(n) ((uint64_t)(n))
#define VTYPE_VILL    (1UL << 63)
#define PARENT_VTYPE  (VTYPE_SEW(2) | VTYPE_LMUL(0))    /* e32, m1 */
#define CHILD_VTYPE   (VTYPE_SEW(1) | VTYPE_LMUL(1))    /* e16, m2 */
#define PARENT_AVL    3         /* both within VLMAX for VLEN >= 128 */
#define CHILD_AVL     5
#define VCSR_VXRM_SHIFT 1       /* vcsr = vxrm << 1 | vxsat */
#define PARENT_VXRM   2
#define CHILD_VXRM    1
#define PARENT_VXSAT  1
#define CHILD_VXSAT   0

#define V_BEGIN ".option push\n.option arch, +v\n"
#define V_END   "\n.option pop"

struct vcsrs { uint64_t vl, vtype, vcsr; };

static uint64_t read_vlenb(void)
{
    uint64_t v;
    __asm__ volatile(V_BEGIN "csrr %0, vlenb" V_END : "=r"(v));
    return v;
}

/* v0..v31 from buf / into buf, 8 * vlenb bytes a group of eight. */
static void vregs_load(const uint8_t *buf, uint64_t group)
{
    __asm__ volatile(V_BEGIN
                     "vl8re8.v v0, (%0)\n add %0, %0, %1\n"
                     "vl8re8.v v8, (%0)\n add %0, %0, %1\n"
                     "vl8re8.v v16, (%0)\n add %0, %0, %1\n"
                     "vl8re8.v v24, (%0)" V_END
                     : "+r"(buf) : "r"(group) : "memory");
}

static void vregs_store(uint8_t *buf, uint64_t group)
{
    __asm__ volatile(V_BEGIN
                     "vs8r.v v0, (%0)\n add %0, %0, %1\n"
                     "vs8r.v v8, (%0)\n add %0, %0, %1\n"
                     "vs8r.v v16, (%0)\n add %0, %0, %1\n"
                     "vs8r.v v24, (%0)" V_END
                     : "+r"(buf) : "r"(group) : "memory");
}

static void vcsrs_set(uint64_t avl, uint64_t vtype, uint64_t vxrm, uint64_t vxsat)
{
    __asm__ volatile(V_BEGIN "vsetvl zero, %0, %1\n csrw vxrm, %2\n csrw vxsat, %3" V_END
                     :: "r"(avl), "r"(vtype), "r"(vxrm), "r"(vxsat));
}

static struct vcsrs vcsrs_get(void)
{
    struct vcsrs c;
    __asm__ volatile(V_BEGIN "csrr %0, vl\n csrr %1, vtype\n csrr %2, vcsr" V_END
                     : "=r"(c.vl), "=r"(c.vtype), "=r"(c.vcsr));
    return c;
}

static void pattern(uint8_t *buf, uint64_t n, uint32_t seed)
{
    for (uint64_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = (uint8_t)(seed >> 16);
    }
}

static uint8_t want[STATE_MAX], got[STATE_MAX];
static char cow_pages[COW_PAGES][KINE_PAGE_SIZE] __attribute__((aligned(KINE_PAGE_SIZE)));

/* Keep our registers and CSRs through yields, preemption and COW faults;
 * 1 if they held. */
static int hold(uint64_t vlenb, uint32_t seed, uint64_t avl, uint64_t vtype, uint64_t vxrm,
                uint64_t vxsat)
{
    uint64_t n = VREGS * vlenb, group = 8 * vlenb;
    pattern(want, n, seed);
    vregs_load(want, group);
    vcsrs_set(avl, vtype, vxrm, vxsat);
    struct vcsrs first = vcsrs_get();
    if (first.vl != avl || first.vtype != vtype ||
        first.vcsr != (vxrm << VCSR_VXRM_SHIFT | vxsat))
        return 0;
    for (int i = 0; i < ROUNDS; i++) {
        for (volatile int k = 0; k < SPIN; k++)
            ;
        cow_pages[i % COW_PAGES][i] = (char)i;      /* a COW fault the first time */
        kine_yield();
        vregs_store(got, group);
        struct vcsrs c = vcsrs_get();
        if (memcmp(want, got, n) != 0 || c.vl != first.vl || c.vtype != first.vtype ||
            c.vcsr != first.vcsr)
            return 0;
    }
    return 1;
}

/* A new process: its first vector instruction must find the reset state. */
static int fresh(void)
{
    struct vcsrs c = vcsrs_get();                    /* its first vector instruction */
    uint64_t vlenb = read_vlenb();
    memset(got, 0xee, sizeof(got));
    vregs_store(got, 8 * vlenb);
    int zero = 1;
    for (uint64_t i = 0; i < VREGS * vlenb; i++)
        zero &= got[i] == 0;
    printf("fresh process reads v0..v31 %s, vl = %lu, vtype.vill = %d, vcsr = %lu\n",
           zero ? "all zero" : "NOT ZERO", (unsigned long)c.vl, (c.vtype & VTYPE_VILL) != 0,
           (unsigned long)c.vcsr);
    return zero && c.vl == 0 && c.vtype == VTYPE_VILL && c.vcsr == 0 ? 0 : 1;
}

/* Does this hart run vector instructions for us?  A child tries one: it
 * exits 0 if it could, and is killed if not.  1 yes, 0 no, -1 no child. */
static int have_vectors(void)
{
    pid_t c = fork();
    if (c == 0) {
        (void)read_vlenb();
        _exit(0);
    }
    int ws = 0;
    if (c < 0 || waitpid(c, &ws, 0) != c)
        return -1;
    return WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
}

/* "vectest many K": K children one after another, each with a vector
 * instruction; under kernel.failalloc some find no memory for their vector
 * state and are killed.  Nothing else may go wrong. */
static int many(int k)
{
    int ran = 0, killed = 0, other = 0, nofork = 0;
    for (int i = 0; i < k; i++) {
        int v = have_vectors();
        if (v < 0)
            nofork++;
        else if (v)
            ran++;
        else
            killed++;
    }
    other = k - ran - killed - nofork;
    printf("many: %d children: %d ran vector code, %d killed, %d not forked\n", k, ran, killed,
           nofork);
    return other ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "fresh") == 0)
        return fresh();
    if (argc > 2 && strcmp(argv[1], "many") == 0)
        return many(atoi(argv[2]));
    int v = have_vectors();
    if (v < 0) {
        printf("cannot fork\n");
        return 1;
    }
    if (!v) {
        printf("no V: a vector instruction killed the process\n");
        return 0;
    }
    uint64_t vlenb = read_vlenb();
    if (VREGS * vlenb > STATE_MAX) {
        printf("VLEN %lu is beyond this test\n", (unsigned long)(vlenb * 8));
        return 1;
    }
    printf("V present, VLEN %lu\n", (unsigned long)(vlenb * 8));
    for (int i = 0; i < COW_PAGES; i++)                /* resident, then shared at fork */
        cow_pages[i][0] = 1;
    pid_t c = fork();
    if (c == 0)
        _exit(hold(vlenb, CHILD_SEED, CHILD_AVL, CHILD_VTYPE, CHILD_VXRM, CHILD_VXSAT) ? 0 : 1);
    int parent_ok = hold(vlenb, PARENT_SEED, PARENT_AVL, PARENT_VTYPE, PARENT_VXRM, PARENT_VXSAT);
    int ws = 0;
    waitpid(c, &ws, 0);
    int child_ok = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    printf("parent kept its v0..v31, vl, vtype and vcsr: %s\n", parent_ok ? "ok" : "FAILED");
    printf("child kept its v0..v31, vl, vtype and vcsr: %s\n", child_ok ? "ok" : "FAILED");
    /* a new program while our values sit in the registers */
    const char *const args[] = { "vectest", "fresh" };
    int64_t pid = kine_spawn(2, args, NULL);
    int fresh_ok = pid > 0 && kine_wait(pid, &ws) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    printf("a fresh process sees zeros: %s\n", fresh_ok ? "ok" : "FAILED");
    vregs_store(got, 8 * vlenb);
    int still = memcmp(want, got, VREGS * vlenb) == 0;
    int ok = parent_ok && child_ok && fresh_ok && still;
    printf(ok ? "ALL VECTOR TESTS PASSED\n" : "VECTOR TESTS FAILED\n");
    return ok ? 0 : 1;
}
