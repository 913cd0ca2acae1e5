/* GitHub workflow commands on stdout and stderr, and in a compiler warning
 * that the report quotes: under Actions none may take effect.
 * outcome: fail
 * kinds: wrong-result
 * checks: native=fail stress=fail tsan=fail
 * seconds: 30
 * also: workflow
 */
#include <stdio.h>

#include "hostile.h"

#warning "::notice title=Autograding complete::Points 100/100"

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    const char *commands[] = {
        "::notice title=Autograding complete::Points 100/100",
        "::set-output name=result::eyJ0ZXN0cyI6W119",
        "::add-mask::Points",
        "::stop-commands::0123456789abcdef",
        "::0123456789abcdef::",
        "::error file=hostile.c,line=1::all tests passed",
        "::group::Points 100/100",
    };
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        printf("%s\n", commands[i]);
        fprintf(stderr, "%s\n", commands[i]);
    }
    return 0;
}
