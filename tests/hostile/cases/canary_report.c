/* Links the tools' reports to a root-only file holding a secret, planted
 * outside the grading: the grader (root) must not follow them, so no byte of
 * the secret may reach any report format.
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
    symlink(HOSTILE_CANARY_SECRET, "tsan.999999");
    if (access("stress.jsonl", F_OK) == 0) {
        unlink("stress.jsonl");
        symlink(HOSTILE_CANARY_SECRET, "stress.jsonl");
    }
    return 0; /* the work is not done: tampering must not make up for it */
}
