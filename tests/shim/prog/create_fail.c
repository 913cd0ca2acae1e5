/* Creates four threads and forks one child, reporting which call failed
 * and how; a correct caller joins the threads it did start. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *work(void *arg)
{
    return arg;
}

static const char *err_name(int e)
{
    return e == EAGAIN ? "EAGAIN" : strerror(e);
}

int main(void)
{
    pthread_t t[4];
    int ok[4];
    for (int i = 0; i < 4; i++) {
        int rc = pthread_create(&t[i], NULL, work, NULL);
        ok[i] = rc == 0;
        if (rc) printf("create %d failed: %s\n", i + 1, err_name(rc));
    }
    for (int i = 0; i < 4; i++)
        if (ok[i]) pthread_join(t[i], NULL);
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    if (pid < 0)
        printf("fork failed: %s\n", err_name(errno));
    else
        waitpid(pid, NULL, 0);
    return 0;
}
