/* driver.c - the `hostile` test exercise: one scenario calls the
 * submission's hostile_run and expects 42. */
#include "grader_driver.h"
#include "hostile.h"

/* run: hostile_run(argc, argv) must return 42. */
static int scenario_run(int argc, char **argv)
{
    int rc = hostile_run(argc, argv);
    drv_out("rc", "%d", rc);
    if (rc != 42) drv_finding("wrong-result", "hostile_run returned %d, expected 42", rc);
    return 0;
}

int main(int argc, char **argv)
{
    static const drv_scenario scenarios[] = {
        {"run", scenario_run, "calls hostile_run, expects 42"},
        {NULL, NULL, NULL},
    };
    return drv_main(argc, argv, scenarios);
}
