/* cat: copy standard input to standard output. */
#include <unistd.h>
#include <kinesys.h>

int main(void)
{
    static char buf[KINE_IPC_BUF_BYTES];
    ssize_t n;
    while ((n = read(0, buf, sizeof(buf))) > 0)
        if (write(1, buf, (size_t)n) != n)
            return 1;
    return n < 0 ? 1 : 0;
}
