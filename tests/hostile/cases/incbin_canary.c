/* Pulls a root-only file holding a random secret into the program with
 * .incbin and prints it, hoping the report shows stdout: assembly is
 * refused before anything is linked, and no byte of the secret reaches any
 * report format.
 * outcome: fail
 * kinds: build-error
 * seconds: 30
 * also: intake
 */
#include <stdio.h>

#include "hostile.h"

__asm__(".section .rodata\n"
        ".globl stolen\n"
        "stolen:\n"
        ".incbin \"" HOSTILE_CANARY_SECRET "\"\n"
        ".byte 0\n"
        ".text\n");
extern const char stolen[];

int hostile_run(int argc, char **argv)
{
    (void)argc, (void)argv;
    printf("%s\n", stolen);
    return 7;
}
