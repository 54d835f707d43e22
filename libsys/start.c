/* C start-up for programs: remember what the pager told us, run picolibc's
 * constructors, call main, exit with its status. */
#include <stdlib.h>
#include "kinesys.h"
#include "libsys_internal.h"

extern int main(int argc, char **argv);
extern void __libc_init_array(void);

const struct kine_startinfo *libsys_startinfo;

void __kine_start(const struct kine_startinfo *si) __attribute__((noreturn));
void __kine_start(const struct kine_startinfo *si)
{
    libsys_startinfo = si;
    kine_set_ipcbuf(si->ipcbuf_va);
    __libc_init_array();
    exit(main((int)si->argc, (char **)si->argv));
}
