/* faulter: each bad access is made by a child, which the pager must kill
 * while this parent, the pager and the kernel carry on.  "faulter MODE" is
 * the child; plain "faulter" runs them all and checks each was killed. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kinesys.h>

#define KERNEL_ADDR 0x80200000UL
#define UNMAPPED_ADDR 0x12345000UL

static const char *const modes[] = {
    "kwrite", "kread", "jump", "textwrite", "null", "illegal",
};

/* Written to by "textwrite": the text segment is mapped read+execute. */
int text_target(void) __attribute__((noinline));
int text_target(void) { return 7; }

static int offend(const char *mode)
{
    if (strcmp(mode, "kwrite") == 0)
        *(volatile uint64_t *)KERNEL_ADDR = 1;
    else if (strcmp(mode, "kread") == 0)
        return (int)*(volatile uint64_t *)KERNEL_ADDR;
    else if (strcmp(mode, "jump") == 0)
        ((void (*)(void))UNMAPPED_ADDR)();
    else if (strcmp(mode, "textwrite") == 0)
        *(volatile uint32_t *)(uintptr_t)text_target = 0;
    else if (strcmp(mode, "null") == 0)
        *(volatile uint64_t *)(uintptr_t)0 = 1;
    else if (strcmp(mode, "illegal") == 0)
        __asm__ volatile(".word 0");
    else
        return 2;
    printf("FAIL: %s survived\n", mode);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return offend(argv[1]);
    int killed = 0, n = (int)(sizeof(modes) / sizeof(modes[0]));
    for (int i = 0; i < n; i++) {
        const char *args[] = { "faulter", modes[i] };
        int ws = 0;
        int64_t pid = kine_spawn(2, args, NULL);
        if (pid < 0 || waitpid((pid_t)pid, &ws, 0) != pid) {
            printf("FAIL: %s: cannot run the child\n", modes[i]);
            continue;
        }
        if (WIFSIGNALED(ws) && WTERMSIG(ws) == KINE_WSTATUS_KILLED) {
            killed++;
            printf("ok: %s child was killed\n", modes[i]);
        } else {
            printf("FAIL: %s child ended with status 0x%x\n", modes[i], ws);
        }
    }
    printf("%d of %d offenders killed; parent pid %d still running\n", killed, n,
           (int)getpid());
    return killed == n ? 0 : 1;
}
