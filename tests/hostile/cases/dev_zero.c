/* #include "/dev/zero": the compiler would read forever and fill the
 * host's memory; its limits stop it and the build fails, the student's
 * doing, within the deadline.
 * outcome: fail
 * kinds: build-error
 * seconds: 90
 * also: intake
 */
#include "hostile.h"
#include "/dev/zero"
