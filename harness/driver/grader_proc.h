/* grader_proc.h - driver support for processes, pipes and shared memory. */
#ifndef GRADER_PROC_H
#define GRADER_PROC_H

#include <sys/types.h>

/* --- called by grader_driver.c's observers (not for drivers) --- */
void drv_proc_forked(pid_t p, const void *site);
void drv_proc_waiting(pid_t pid, int options, const void *site);
void drv_proc_waited(pid_t r, const void *site);
void drv_proc_forget(void);

#endif
