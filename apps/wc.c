/* wc: count the lines, words and bytes of standard input. */
#include <stdio.h>
#include <unistd.h>
#include <kinesys.h>

int main(void)
{
    static char buf[KINE_IPC_BUF_BYTES];
    unsigned long lines = 0, words = 0, bytes = 0;
    int in_word = 0;
    ssize_t n;
    while ((n = read(0, buf, sizeof(buf))) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            char c = buf[i];
            int space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
            lines += c == '\n';
            words += !space && !in_word;
            in_word = !space;
        }
        bytes += (unsigned long)n;
    }
    printf("%lu %lu %lu\n", lines, words, bytes);
    return n < 0 ? 1 : 0;
}
