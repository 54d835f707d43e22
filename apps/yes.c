/* yes: print a word (default "y") over and over, or COUNT times:
 *   yes [-n COUNT] [WORD] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long count = -1;
    int i = 1;
    if (argc > 2 && strcmp(argv[1], "-n") == 0) {
        count = atol(argv[2]);
        i = 3;
    }
    const char *word = i < argc ? argv[i] : "y";
    for (long k = 0; count < 0 || k < count; k++)
        if (printf("%s\n", word) < 0)
            return 1;
    return 0;
}
