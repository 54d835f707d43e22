/* fptest: each process has floating-point registers of its own.  The
 * toolchain is rv64imac, so the F/D instructions are emitted as raw words
 * with the value pinned in a0: a parent and a forked child each keep a
 * different f0 and fcsr across many yields and preemptions, and a process
 * that never used FP reads f0 as 0 with its first FP instruction, not
 * somebody else's value. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

#define ROUNDS       200
#define SPIN         20000      /* long enough for the timer to preempt */
#define PARENT_F0    0x1111222233334444UL
#define CHILD_F0     0x5555666677778888UL
#define PARENT_FCSR  0x21UL     /* frm 1 (toward zero), fflags NX */
#define CHILD_FCSR   0x82UL     /* frm 4 (to max magnitude), fflags UF */

/* fmv.d.x f0, a0 / fmv.x.d a0, f0 / fscsr a0 / frcsr a0, with a0 pinned */
static void set_f0(uint64_t v)
{
    register uint64_t a0 __asm__("a0") = v;
    __asm__ volatile(".word 0xf2050053" :: "r"(a0));
}

static uint64_t get_f0(void)
{
    register uint64_t a0 __asm__("a0");
    __asm__ volatile(".word 0xe2000553" : "=r"(a0));
    return a0;
}

static void set_fcsr(uint64_t v)
{
    register uint64_t a0 __asm__("a0") = v;
    __asm__ volatile(".word 0x00351073" :: "r"(a0));   /* csrw fcsr, a0 */
}

static uint64_t get_fcsr(void)
{
    register uint64_t a0 __asm__("a0");
    __asm__ volatile(".word 0x00302573" : "=r"(a0));   /* csrr a0, fcsr */
    return a0;
}

/* Keep f0 and fcsr through yields and preemption; 1 if they held. */
static int hold(uint64_t f0, uint64_t fcsr)
{
    set_f0(f0);
    set_fcsr(fcsr);
    for (int i = 0; i < ROUNDS; i++) {
        for (volatile int k = 0; k < SPIN; k++)
            ;
        kine_yield();
        if (get_f0() != f0 || get_fcsr() != fcsr)
            return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "fresh") == 0) {
        uint64_t v = get_f0();                      /* its first FP instruction */
        printf("fresh process reads f0 = %#lx, fcsr = %#lx\n", (unsigned long)v,
               (unsigned long)get_fcsr());
        return v == 0 && get_fcsr() == 0 ? 0 : 1;
    }
    pid_t c = fork();
    if (c == 0)
        _exit(hold(CHILD_F0, CHILD_FCSR) ? 0 : 1);
    int parent_ok = hold(PARENT_F0, PARENT_FCSR);
    int ws = 0;
    waitpid(c, &ws, 0);
    int child_ok = WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    printf("parent kept its f0 and fcsr: %s\n", parent_ok ? "ok" : "FAILED");
    printf("child kept its f0 and fcsr: %s\n", child_ok ? "ok" : "FAILED");
    /* a new program while our values sit in the registers */
    const char *const fresh[] = { "fptest", "fresh" };
    int64_t pid = kine_spawn(2, fresh, NULL);
    int fresh_ok = pid > 0 && kine_wait(pid, &ws) == pid && WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
    printf("a fresh process sees zeros: %s\n", fresh_ok ? "ok" : "FAILED");
    int ok = parent_ok && child_ok && fresh_ok && get_f0() == PARENT_F0;
    printf(ok ? "ALL FP TESTS PASSED\n" : "FP TESTS FAILED\n");
    return ok ? 0 : 1;
}
