/* with: run a program under another memory policy, in the same boot.
 *   with POLICY PROGRAM [ARGS...]
 * The program and everything it forks or spawns run under POLICY; the
 * rest of the system keeps its own (the boot default is set with
 * tools/run --policy).  Exits with the program's status. */
#include <stdio.h>
#include <sys/wait.h>
#include <kinesys.h>
#include <kine/status.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        printf("usage: with POLICY PROGRAM [ARGS...]\n");
        return 2;
    }
    int64_t pid = kine_spawn_policy(argc - 2, (const char *const *)argv + 2, argv[1], NULL);
    if (pid < 0) {
        printf("cannot start %s under %s: error %d%s\n", argv[2], argv[1], (int)-pid,
               pid == -KINE_EINVAL ? " (no such policy?)" : "");
        return KINE_EXIT_NOT_STARTED;
    }
    int ws = 0;
    if (kine_wait(pid, &ws) != pid)
        return KINE_EXIT_NOT_STARTED;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : KINE_EXIT_SIGNALED + WTERMSIG(ws);
}
