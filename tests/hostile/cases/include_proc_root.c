/* #includes this exercise's reference through /proc/PID/root of a process
 * of the grading's host (the test suite's shell): the compiler runs in its
 * own PID namespace, or under a uid of its own that may not look into our
 * processes, so the file is not found and the build fails.
 * outcome: fail
 * kinds: build-error
 * seconds: 30
 * also: needs-isolation intake
 */
#include "hostile.h"
#include HOSTILE_REFERENCE_VIA_PROC
