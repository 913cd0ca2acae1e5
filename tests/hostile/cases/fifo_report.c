/* Leaves named pipes where the grader reads the tools' reports: a FIFO
 * named like ThreadSanitizer's report, and one in place of the stress
 * schedule's trace. Reading either would block the grader for ever; they
 * must be refused as tampering, in bounded time. It does not do the work
 * (the skeleton's score at most).
 * outcome: fail
 * kinds: tampering
 * checks: native=fail stress=fail tsan=fail
 * seconds: 40
 * also: intake
 */
#include <sys/stat.h>
#include <unistd.h>

#include "hostile.h"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    mkfifo("tsan.999999", 0666);
    mkfifo("hg.999999.xml", 0666);
    if (access("stress.jsonl", F_OK) == 0) {
        unlink("stress.jsonl");
        mkfifo("stress.jsonl", 0666);
    }
    return 0; /* the work is not done: tampering must not make up for it */
}
