/* grader_guard.h - what the driver takes away before student code runs.
 *
 * A seccomp filter, inherited by every process and thread the test starts:
 *   - no ptrace, process_vm_readv/writev: no reading or writing of another
 *     process's memory (a forked child patching its parent);
 *   - no mprotect/pkey_mprotect that makes memory executable, no mmap that
 *     is writable and executable at once: the program cannot turn the
 *     driver's code writable and still run it (mprotect to
 *     PROT_READ|PROT_WRITE stays allowed; the page then cannot run), nor
 *     write code into memory and run it. (A file written first and mapped
 *     executable afterwards is not refused: the dynamic loader of every
 *     program a test starts does just that. The object check refuses the
 *     calls that would be needed, memfd_create and the open family.)
 * A refused call fails with EPERM or EACCES; nothing is killed. Not under
 * Helgrind (nor any Valgrind run, seen by its LD_PRELOAD): Valgrind runs the program's
 * code from translations of its own, which a filter would break (and, there, the
 * program's mprotect never reaches the real code anyway). Where the kernel has no seccomp
 * the filter is left out silently. */
#ifndef GRADER_GUARD_H
#define GRADER_GUARD_H

/* Installs the filter for the tool named (drv_tool()); once per process. */
void drv_guard_install(const char *tool);

#endif
