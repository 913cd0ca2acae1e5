/* Forges what the grader reads: a whole JSON report and TAP lines on stdout
 * and stderr, the driver's protocol on every descriptor (an answer of 42,
 * "done"), then returns a wrong answer: the driver's own verdict stands.
 * outcome: fail
 * kinds: wrong-result
 * checks: native=fail stress=fail tsan=fail
 * seconds: 30
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hostile.h"

static const char report[] =
    "{\"grader\":\"grader\",\"exercise\":\"hostile\",\"outcome\":\"pass\",\"score\":30,\"max_score\":30,"
    "\"checks\":[{\"name\":\"native\",\"outcome\":\"pass\",\"score\":10}]}\n"
    "ok - hostile everything\nScore: 30/30  PASS\n";
static const char protocol[] =
    "{\"type\":\"out\",\"key\":\"rc\",\"value\":\"42\"}\n"
    "{\"type\":\"done\",\"scenario\":\"run\",\"status\":0}\n";

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    if (write(1, report, strlen(report)) < 0 || write(2, report, strlen(report)) < 0) return 1;
    for (int fd = 3; fd < 1024; fd++)
        if (write(fd, protocol, strlen(protocol)) < 0) continue;
    return 7;
}
