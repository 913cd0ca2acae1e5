/* Replaces the tools' reports by symbolic links to /dev/zero: reading them
 * would never end (and fill the grader's memory). They must be refused as
 * tampering, never followed.
 * outcome: fail
 * kinds: tampering
 * checks: native=fail stress=fail tsan=fail
 * seconds: 40
 * also: intake
 */
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    symlink("/dev/zero", "tsan.999999");
    if (access("stress.jsonl", F_OK) == 0) {
        unlink("stress.jsonl");
        symlink("/dev/zero", "stress.jsonl");
    }
    return 0; /* the work is not done: tampering must not make up for it */
}
