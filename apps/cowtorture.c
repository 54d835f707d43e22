/* cowtorture: copy-on-write under concurrent TLBs.  Writer threads (on
 * other harts, at -smp 4) keep writing their own heap pages and checking
 * them, while the main thread forks again and again.  Each child checks
 * that its memory is the parent's as of the fork and stays so: it copies
 * the writers' pages, waits while the parent's writers go on, and compares
 * (a writer whose hart kept a writable TLB entry after the fork made the
 * page copy-on-write would write into the frame the child now shares);
 * then it writes its own marks over the pages, and each parent writer's
 * check would see them if they reached its memory.  With the kernel's
 * remote TLB fence off (kernel.shootdown=off) this fails; with it on, it
 * must never.  Usage: cowtorture [FORKS [WRITERS]]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <kinesys.h>

#define WRITERS_MAX    8
#define PAGES_EACH     16
#define WORDS          (KINE_PAGE_SIZE / sizeof(uint64_t))
#define STRIDE         8          /* words apart the written words are */
#define CHILD_WAIT     20000      /* loops a child lets the parent's writers run */
#define CHILD_MARK     0xc41dc41dc41dc41dULL
#define EXIT_MOVED     3          /* a child's memory changed after its fork */
#define EXIT_MARK      4          /* a child's own marks did not stay */
#define EXIT_NOMEM     5

static uint64_t *heap;            /* writers * PAGES_EACH pages */
static volatile int stop, started;
static volatile uint64_t writer_bad[WRITERS_MAX], writer_rounds[WRITERS_MAX];

static uint64_t *page(unsigned w, unsigned p)
{
    return heap + ((uint64_t)w * PAGES_EACH + p) * WORDS;
}

static uint64_t value(unsigned w, uint64_t round, unsigned p, unsigned word)
{
    return (uint64_t)(w + 1) << 56 | round << 20 | (uint64_t)p << 12 | word;
}

static void *writer(void *arg)
{
    unsigned w = (unsigned)(uintptr_t)arg;
    __atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
    for (uint64_t round = 1; !stop; round++) {
        for (unsigned p = 0; p < PAGES_EACH; p++)
            for (unsigned i = 0; i < WORDS; i += STRIDE)
                page(w, p)[i] = value(w, round, p, i);
        for (unsigned p = 0; p < PAGES_EACH; p++)
            for (unsigned i = 0; i < WORDS; i += STRIDE)
                if (page(w, p)[i] != value(w, round, p, i) && writer_bad[w]++ == 0)
                    printf("FAIL: writer %u found 0x%lx in page %u word %u "
                           "(round %lu): another process's write\n", w,
                           (unsigned long)page(w, p)[i], p, i, (unsigned long)round);
        writer_rounds[w] = round;
    }
    return NULL;
}

/* In the child: the writers' pages must stay as they were at the fork,
 * then hold the child's own marks. */
static int child(unsigned writers)
{
    size_t bytes = (size_t)writers * PAGES_EACH * KINE_PAGE_SIZE;
    uint64_t *copy = malloc(bytes);
    if (!copy)
        return EXIT_NOMEM;
    memcpy(copy, heap, bytes);
    for (volatile int i = 0; i < CHILD_WAIT; i++)
        ;
    if (memcmp(copy, heap, bytes) != 0)
        return EXIT_MOVED;
    for (size_t i = 0; i < bytes / sizeof(uint64_t); i += STRIDE)
        heap[i] = CHILD_MARK;
    for (volatile int i = 0; i < CHILD_WAIT; i++)
        ;
    for (size_t i = 0; i < bytes / sizeof(uint64_t); i += STRIDE)
        if (heap[i] != CHILD_MARK)
            return EXIT_MARK;
    return 0;
}

int main(int argc, char **argv)
{
    int forks = argc > 1 ? atoi(argv[1]) : 100;
    unsigned writers = argc > 2 ? (unsigned)atoi(argv[2]) : 3;
    if (forks < 1 || writers < 1 || writers > WRITERS_MAX) {
        printf("usage: cowtorture [FORKS [WRITERS (1..%d)]]\n", WRITERS_MAX);
        return 2;
    }
    heap = sbrk((intptr_t)(writers * PAGES_EACH * KINE_PAGE_SIZE));
    if (heap == (void *)-1) {
        printf("no heap\n");
        return 1;
    }
    int64_t h[WRITERS_MAX];
    for (unsigned w = 0; w < writers; w++)
        if ((h[w] = kine_thread_create(writer, (void *)(uintptr_t)w, NULL)) < 0) {
            printf("cannot make writer %u: %ld\n", w, (long)h[w]);
            return 1;
        }
    while (started < (int)writers)
        kine_yield();
    int moved = 0, marks = 0, other = 0;
    for (int f = 0; f < forks; f++) {
        pid_t pid = fork();
        if (pid == 0)
            _exit(child(writers));
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st)) {
            other++;
            continue;
        }
        moved += WEXITSTATUS(st) == EXIT_MOVED;
        marks += WEXITSTATUS(st) == EXIT_MARK;
        other += WEXITSTATUS(st) != 0 && WEXITSTATUS(st) != EXIT_MOVED &&
                 WEXITSTATUS(st) != EXIT_MARK;
    }
    stop = 1;
    uint64_t bad = 0, rounds = 0;
    for (unsigned w = 0; w < writers; w++) {
        kine_thread_join(h[w], NULL);
        bad += writer_bad[w];
        rounds += writer_rounds[w];
    }
    printf("%d forks, %u writers, %lu writer rounds: %d children saw their memory "
           "change after fork, %d lost their own writes, %lu parent words wrong, %d other failures\n",
           forks, writers, (unsigned long)rounds, moved, marks, (unsigned long)bad, other);
    if (moved || marks || bad || other) {
        printf("FAILED\n");
        return 1;
    }
    printf("ok\n");
    return 0;
}
