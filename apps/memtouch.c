/* memtouch: first touches of stack and heap pages are served by the pager
 * (zero-filled frames), and the heap can grow and shrink through sbrk. */
#include <stdio.h>
#include <kine/layout.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STACK_BYTES (256 * 1024)
#define HEAP_BYTES (2 * 1024 * 1024)

static int failures;

static void check(int ok, const char *what)
{
    if (!ok)
        failures++;
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
}

/* Touch a big stack array, one word per page, and check it reads back. */
static int __attribute__((noinline)) deep_stack(void)
{
    volatile unsigned char buf[STACK_BYTES];
    for (size_t i = 0; i < sizeof(buf); i += KINE_PAGE_SIZE)
        buf[i] = (unsigned char)(i / KINE_PAGE_SIZE);
    for (size_t i = 0; i < sizeof(buf); i += KINE_PAGE_SIZE)
        if (buf[i] != (unsigned char)(i / KINE_PAGE_SIZE))
            return 0;
    return 1;
}

int main(void)
{
    check(deep_stack(), "256 KiB of stack touched and read back");

    unsigned char *heap = malloc(HEAP_BYTES);
    check(heap != NULL, "malloc of 2 MiB");
    if (!heap)
        return 1;
    int zeroed = 1;
    for (size_t i = 0; i < HEAP_BYTES; i += KINE_PAGE_SIZE)
        zeroed &= heap[i + 100] == 0;
    check(zeroed, "fresh heap pages read as zero");
    for (size_t i = 0; i < HEAP_BYTES; i++)
        heap[i] = (unsigned char)(i * 7);
    int same = 1;
    for (size_t i = 0; i < HEAP_BYTES; i++)
        same &= heap[i] == (unsigned char)(i * 7);
    check(same, "2 MiB of heap written and read back");
    free(heap);

    char *brk0 = sbrk(0);
    char *grown = sbrk(3 * KINE_PAGE_SIZE);
    check(grown == brk0, "sbrk grows from the old break");
    grown[3 * KINE_PAGE_SIZE - 1] = 42;
    check(sbrk(-3 * KINE_PAGE_SIZE) == brk0 + 3 * KINE_PAGE_SIZE, "sbrk shrinks back");
    check(sbrk(0) == brk0, "break is back where it was");
    check(sbrk(-(1L << 40)) == (void *)-1, "sbrk below the heap start fails");
    check(sbrk(1L << 40) == (void *)-1, "sbrk beyond the address space fails");

    printf("%s\n", failures ? "FAILED" : "all checks passed");
    return failures ? 1 : 0;
}
