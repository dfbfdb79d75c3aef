/* bin/am — one command for every libam program, as git does: `am capacity ...` runs the program capacity
 * from PREFIX/libexec/am (found from where am itself lies, so a DESTDIR or relocated install works), or, in
 * the source tree, from bin/ beside am. The program is executed directly (execv), never through a shell. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "am/am.h"

extern char **environ;

static const char usage_text[] =
    "Usage: am PROGRAM [options]   (am help PROGRAM, or am PROGRAM --help, for each)\n"
    "Runs the libam program PROGRAM, installed in %s.\n"
    "Programs:\n";
static const char usage_tail[] =
    "Examples:\n"
    "  am capacity --N 200 --out capacity.tsv\n"
    "  am help concepts\n";

/* The directory of the programs: ../libexec/am beside the directory of this executable when there is one
 * (an install), else that directory itself (bin/ of the source tree). */
static int program_dir(char *dir, size_t size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0)
        return -1;
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (!slash)
        return -1;
    *slash = 0;
    struct stat st;
    if ((size_t)snprintf(dir, size, "%s/../libexec/am", self) < size && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
        return 0;
    return (size_t)snprintf(dir, size, "%s", self) < size ? 0 : -1;
}

/* A command name: letters, digits and '-', not starting with '-', not am itself. */
static int command_name(const char *s)
{
    return s[0] && s[0] != '-' && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s) && strcmp(s, "am");
}

static int is_program(const char *dir, const char *name)
{
    char p[PATH_MAX + 256];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return command_name(name) && stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

/* The first lines of `path --help` (at most size - 1 bytes) into buf. */
static void help_head(const char *path, char *buf, size_t size)
{
    int fd[2];
    buf[0] = 0;
    if (pipe(fd) != 0)
        return;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    char *argv[] = {(char *)path, "--help", NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, path, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    size_t got = 0;
    ssize_t r;
    while (rc == 0 && got + 1 < size && (r = read(fd[0], buf + got, size - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = 0;
    close(fd[0]);
    if (rc == 0)
        waitpid(pid, NULL, 0);
}

/* One line about a program from its --help: its summary (the line after "Usage:"), or, for a program of
 * subcommands, their names. */
static void describe(const char *help, char *out, size_t size)
{
    const char *l2 = strchr(help, '\n');
    out[0] = 0;
    if (!l2 || !l2[1])
        return;
    l2++;
    if (strncmp(l2, "  ", 2)) {
        snprintf(out, size, "%.*s", (int)strcspn(l2, "\n"), l2);
        return;
    }
    size_t len = (size_t)snprintf(out, size, "subcommands:");
    for (const char *l = l2; !strncmp(l, "  ", 2) && l[2] != ' ' && len < size;) {
        len += (size_t)snprintf(out + len, size - len, "%s %.*s", len > 12 ? "," : "", (int)strcspn(l + 2, " \n"), l + 2);
        const char *nl = strchr(l, '\n');
        if (!nl)
            break;
        l = nl + 1;
    }
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "am: cannot read the program directory '%s': %s\n", dir, strerror(errno));
        return 1;
    }
    char *names[256];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) && n < 256)
        if (is_program(dir, e->d_name) && (names[n] = strdup(e->d_name)))
            n++;
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    printf(usage_text, dir);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX + 256], help[8192], line[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        help_head(path, help, sizeof help);
        describe(help, line, sizeof line);
        printf("  %-15s %s\n", names[i], line);
        free(names[i]);
    }
    fputs(usage_tail, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    char dir[PATH_MAX];
    if (program_dir(dir, sizeof dir)) {
        fprintf(stderr, "am: cannot find where am lies (/proc/self/exe)\n");
        return 1;
    }
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
        return argc < 2 ? (list(dir), 2) : list(dir);
    if (!strcmp(argv[1], "--version")) {
        printf("am (libam %s, commit %s)\n", am_version(), am_git_commit());
        return 0;
    }
    int help = !strcmp(argv[1], "help");
    if (help && argc < 3)
        return list(dir);
    const char *cmd = argv[help ? 2 : 1];
    if (!command_name(cmd) || !is_program(dir, cmd)) {
        fprintf(stderr, "am: '%s' is not an am command (am --help lists them)\n", command_name(cmd) ? cmd : "?");
        return 2;
    }
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", dir, cmd);
    /* am help CMD [SUB]: CMD [SUB] --help; am CMD ARGS: CMD ARGS */
    char **args = calloc((size_t)argc + 2, sizeof *args);
    if (!args)
        return 1;
    int k = 0;
    for (int i = help ? 2 : 1; i < argc; i++)
        args[k++] = argv[i];
    if (help)
        args[k++] = "--help";
    execv(path, args);
    fprintf(stderr, "am: cannot run '%s': %s\n", path, strerror(errno));
    free(args);
    return 1;
}
