/* retcode [N]: exits with status N (default 3), to test exit status plumbing
 * from a program through init and the pager to QEMU's own exit status. */
#include <stdlib.h>

int main(int argc, char **argv)
{
    return argc > 1 ? atoi(argv[1]) : 3;
}
