/* kill: end processes.   kill [-9|-15|-KILL|-TERM] PID...
 * Only a process's ancestors (and itself) may end it. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int signal_named(const char *s)
{
    if (strcmp(s, "9") == 0 || strcmp(s, "KILL") == 0)
        return SIGKILL;
    if (strcmp(s, "15") == 0 || strcmp(s, "TERM") == 0)
        return SIGTERM;
    return -1;
}

int main(int argc, char **argv)
{
    int sig = SIGTERM, i = 1, failed = 0;
    if (argc > 1 && argv[1][0] == '-') {
        sig = signal_named(argv[1] + 1);
        i = 2;
    }
    if (sig < 0 || i >= argc) {
        printf("usage: kill [-9|-15|-KILL|-TERM] PID...\n");
        return 2;
    }
    for (; i < argc; i++)
        if (kill((pid_t)atoi(argv[i]), sig) != 0) {
            printf("kill %s: %s\n", argv[i], errno == EPERM ? "not yours" : strerror(errno));
            failed = 1;
        }
    return failed;
}
