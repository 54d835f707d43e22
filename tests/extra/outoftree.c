/* A program kept outside apps/: built into the image with
 * -Dextra_apps=/abs/path/outoftree.c, it exits with 5 so the test can tell it ran. */
#include <stdio.h>

int main(int argc, char **argv)
{
    printf("out-of-tree program running with %d argument(s), first '%s'\n", argc - 1,
           argc > 1 ? argv[1] : "");
    return 5;
}
