/* #includes another student's submission by its absolute path (a folder
 * beside this one): other submissions are hidden from the compiler, so the
 * build fails.
 * outcome: fail
 * kinds: build-error
 * seconds: 30
 * also: needs-mount intake
 */
#include "hostile.h"
#include HOSTILE_CLASSMATE
