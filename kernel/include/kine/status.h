/* Exit statuses with a fixed meaning: what QEMU's exit status says when it
 * is not simply the program's own.  init passes a program's status through
 * (0..125, or 128 + signal for a killed one); the values from 250 up are the
 * system's own verdicts.  docs/debugging.md has the table. */
#ifndef KINE_STATUS_H
#define KINE_STATUS_H

#define KINE_EXIT_INIT_LEDGER   125  /* init: a program did not give back its frames */
#define KINE_EXIT_NOT_STARTED   127  /* init: the program could not be started */
#define KINE_EXIT_SIGNALED      128  /* + signal number: the program was killed */
#define KINE_EXIT_BAD_CMDLINE   250  /* pager: command line too long or too many arguments */
#define KINE_EXIT_BAD_POLICY    251  /* pager: unknown pager.policy= */
#define KINE_EXIT_NO_INIT       252  /* pager: init could not be started */
#define KINE_EXIT_LEDGER_BAD    253  /* pager: the ledger or PTE check failed at power-off */
#define KINE_EXIT_PAGER_DIED    254  /* kernel: the pager faulted or exited */
#define KINE_EXIT_PANIC         255  /* kernel: a kernel invariant broke */

#endif
