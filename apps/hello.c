/* hello: the smallest program; prints a greeting through picolibc. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("hello, world from pid %d\n", (int)getpid());
    return 0;
}
