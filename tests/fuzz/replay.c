/* replay.c - a fuzz target without the fuzzer: runs the target once on
 * each file named, and on each file of each directory named (a seed
 * corpus, or the inputs a fuzzer found), so that any build, with or
 * without sanitizers, can check them.  Exit status 0 once every input ran;
 * a broken promise aborts, as under the fuzzer. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f || fstat(fileno(f), &st) != 0) {
        perror(path);
        return 1;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *p = malloc(n ? n : 1);
    int bad = !p || fread(p, 1, n, f) != n;
    fclose(f);
    if (bad)
        fprintf(stderr, "%s: cannot read\n", path);
    else
        LLVMFuzzerTestOneInput(p, n);
    free(p);
    return bad;
}

int main(int argc, char **argv)
{
    int bad = 0, runs = 0;
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (!d) {
            bad |= run_file(argv[i]), runs++;
            continue;
        }
        for (struct dirent *e; (e = readdir(d));) {
            char path[4096];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
                bad |= run_file(path), runs++;
        }
        closedir(d);
    }
    printf("%d inputs run, %s\n", runs, bad ? "some unreadable" : "all read");
    return bad || runs == 0;
}
