/* Kernel console: formatted output over the SBI legacy console, and panic.
 * Uses picolibc's vsnprintf (integer-only build) for formatting. */
#include <stdarg.h>
#include <stdio.h>
#include "kernel.h"
#include "sbi.h"

void console_write(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        sbi_console_putchar(buf[i]);
}

void kputs(const char *s)
{
    while (*s)
        sbi_console_putchar(*s++);
}

static void kvprintf(const char *fmt, va_list ap)
{
    char line[256];
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    console_write(line, (size_t)n);
}

void kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    kputs("kernel: PANIC: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kputs("\n");
    poweroff(255);
}
