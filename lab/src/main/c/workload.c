/*
 * lmw: the lab's guest workload (static, runs from the initramfs; see docs/LAB.md).
 *
 * Parameters come from the kernel command line (/proc/cmdline), all optional:
 *   lmw.buf_mib=N         buffer size in MiB (default 64)
 *   lmw.wss_mib=N         working set in MiB, the first N MiB of the buffer (default = buffer)
 *   lmw.dirty_pps=N       pages dirtied per second; 0 = idle, max = as fast as it can (default 1000)
 *   lmw.bytes_per_page=N  bytes rewritten per dirtied page, 64..4096 (default 4096)
 *   lmw.entropy=E         random | low | a fraction 0..1 of random 8-byte words (default random)
 *   lmw.cpu_per_page=N    CPU work units per dirtied page (default 0)
 *   lmw.seed=N            seed of the page choice (default 1)
 *   lmw.verify_every=S    run a full verification every S seconds (default 0 = only on request)
 *   lmw.corrupt=N         self-test: flip a byte in N pages after the touch (verification must fail)
 * Outside a guest, the environment variable LMW_CMDLINE replaces /proc/cmdline (tests).
 *
 * Every page holds data that is a pure function of (page index, version); the versions live in a
 * table in guest memory too. Before it rewrites a page the workload checks the page against its
 * table, and a full verification checks every page. So a migration that loses a dirty page (or
 * the table's page) is seen as a bad page.
 *
 * Output, one line each on stdout (the serial console):
 *   LMW ready buf_mib=.. wss_mib=.. dirty_pps=.. bytes_per_page=.. entropy=.. cpu_per_page=.. touch_ms=..
 *   LMW t=<s> pages=<dirtied in the last second> ops=<work units in the last second> bad=<total> ok=<1|0>
 *   LMW verify pages=<checked> bad=<bad pages> ms=<duration> ok=<1|0>
 * A full verification runs when a line "v" arrives on stdin, or on SIGUSR1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096u
#define WORDS (PAGE / 8u)
#define TICK_MS 10

static uint64_t buf_mib = 64, wss_mib = 0, bytes_per_page = PAGE, cpu_per_page = 0, seed = 1;
static double dirty_pps = 1000, random_fraction = 1.0;
static int dirty_max = 0;
static uint64_t verify_every = 0, corrupt = 0;
static char entropy_name[32] = "random";

static uint8_t *buf;
static uint32_t *versions;
static uint64_t npages, nwss, bad_total;
static volatile sig_atomic_t verify_requested;
static volatile uint64_t sink;

static uint64_t splitmix(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

/* Word w of page i at version v. The random/low choice depends on (i, w) only, so a page keeps its
 * entropy mix across versions; the low-entropy word still changes with v so that every rewrite
 * changes the page's content (content-comparing dirty trackers see it). */
static inline uint64_t word(uint64_t i, uint32_t v, uint64_t w) {
    uint64_t pick = splitmix((i << 12) ^ w ^ 0x5bd1e995ull);
    if ((double)(pick >> 11) * (1.0 / 9007199254740992.0) < random_fraction)
        return splitmix((i << 32) ^ ((uint64_t)v << 12) ^ w);
    return (uint64_t)v;
}

static void fill(uint64_t i, uint32_t v, uint64_t nbytes) {
    uint64_t *p = (uint64_t *)(buf + i * PAGE);
    for (uint64_t w = 0; w < nbytes / 8; w++) p[w] = word(i, v, w);
}

/* The first bytes_per_page bytes hold version versions[i], the rest version 0 (from the touch). */
static int page_ok(uint64_t i) {
    const uint64_t *p = (const uint64_t *)(buf + i * PAGE);
    uint32_t v = versions[i];
    uint64_t head = bytes_per_page / 8;
    for (uint64_t w = 0; w < WORDS; w++)
        if (p[w] != word(i, w < head ? v : 0, w)) return 0;
    return 1;
}

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void cpu_work(uint64_t units) {
    uint64_t x = sink;
    for (uint64_t u = 0; u < units; u++)
        for (int k = 0; k < 1000; k++) x = splitmix(x);
    sink = x;
}

static void full_verify(void) {
    uint64_t start = now_ms(), bad = 0;
    for (uint64_t i = 0; i < npages; i++)
        if (!page_ok(i)) bad++;
    bad_total += bad;
    printf("LMW verify pages=%llu bad=%llu ms=%llu ok=%d\n", (unsigned long long)npages,
           (unsigned long long)bad, (unsigned long long)(now_ms() - start), bad == 0 && bad_total == 0);
    fflush(stdout);
}

static void on_usr1(int sig) {
    (void)sig;
    verify_requested = 1;
}

static void parse_cmdline(void) {
    char line[4096] = {0};
    const char *env = getenv("LMW_CMDLINE");
    FILE *f = env ? NULL : fopen("/proc/cmdline", "r");
    if (env) snprintf(line, sizeof line, "%s", env);
    if (f) {
        if (!fgets(line, sizeof line, f)) line[0] = 0;
        fclose(f);
    }
    for (char *tok = strtok(line, " \n"); tok; tok = strtok(NULL, " \n")) {
        char *eq = strchr(tok, '=');
        if (strncmp(tok, "lmw.", 4) != 0 || !eq) continue;
        *eq = 0;
        const char *k = tok + 4, *v = eq + 1;
        if (!strcmp(k, "buf_mib")) buf_mib = strtoull(v, NULL, 10);
        else if (!strcmp(k, "wss_mib")) wss_mib = strtoull(v, NULL, 10);
        else if (!strcmp(k, "dirty_pps")) {
            if (!strcmp(v, "max")) dirty_max = 1;
            else dirty_pps = strtod(v, NULL);
        } else if (!strcmp(k, "bytes_per_page")) bytes_per_page = strtoull(v, NULL, 10);
        else if (!strcmp(k, "entropy")) {
            snprintf(entropy_name, sizeof entropy_name, "%s", v);
            random_fraction = !strcmp(v, "random") ? 1.0 : !strcmp(v, "low") ? 0.02 : strtod(v, NULL);
        } else if (!strcmp(k, "cpu_per_page")) cpu_per_page = strtoull(v, NULL, 10);
        else if (!strcmp(k, "seed")) seed = strtoull(v, NULL, 10);
        else if (!strcmp(k, "verify_every")) verify_every = strtoull(v, NULL, 10);
        else if (!strcmp(k, "corrupt")) corrupt = strtoull(v, NULL, 10);
        else printf("LMW warning unknown parameter lmw.%s\n", k);
    }
    if (buf_mib < 1) buf_mib = 1;
    if (wss_mib == 0 || wss_mib > buf_mib) wss_mib = buf_mib;
    if (bytes_per_page < 64) bytes_per_page = 64;
    if (bytes_per_page > PAGE) bytes_per_page = PAGE;
    bytes_per_page &= ~7ull;
    if (random_fraction < 0) random_fraction = 0;
    if (random_fraction > 1) random_fraction = 1;
    if (dirty_pps < 0) dirty_pps = 0;
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    parse_cmdline();
    struct termios tio;
    if (tcgetattr(0, &tio) == 0) { /* no echo of the host's "v" commands into the rate lines */
        tio.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(0, TCSANOW, &tio);
    }
    signal(SIGUSR1, on_usr1);

    npages = buf_mib * 256u;
    nwss = wss_mib * 256u;
    buf = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    versions = calloc(npages, sizeof *versions);
    if (buf == MAP_FAILED || !versions) {
        printf("LMW error cannot allocate %llu MiB: %s\n", (unsigned long long)buf_mib, strerror(errno));
        return 1;
    }
    uint64_t start = now_ms();
    for (uint64_t i = 0; i < npages; i++) fill(i, 0, PAGE);
    for (uint64_t c = 0; c < corrupt && c < npages; c++) buf[(npages - 1 - c) * PAGE + PAGE / 2] ^= 0x5a;
    printf("LMW ready buf_mib=%llu wss_mib=%llu dirty_pps=%s%.0f bytes_per_page=%llu entropy=%s cpu_per_page=%llu"
           " touch_ms=%llu\n",
           (unsigned long long)buf_mib, (unsigned long long)wss_mib, dirty_max ? "max" : "", dirty_max ? 0.0 : dirty_pps,
           (unsigned long long)bytes_per_page, entropy_name, (unsigned long long)cpu_per_page,
           (unsigned long long)(now_ms() - start));

    uint64_t rng = splitmix(seed), t0 = now_ms(), next_report = t0 + 1000, next_verify = 0;
    uint64_t pages_sec = 0, ops_sec = 0, owed_start = t0;
    double done_since = 0; /* pages dirtied since owed_start, for pacing */
    if (verify_every) next_verify = t0 + verify_every * 1000;
    char in[64];
    int in_fd = 0; /* -1 after end of input: poll ignores it */
    for (;;) {
        uint64_t now = now_ms();
        /* Pace: dirty what is owed up to now, one tick's worth at most (a late tick does not burst). */
        double owed = dirty_max ? 1e18 : dirty_pps * (double)(now - owed_start) / 1000.0 - done_since;
        double cap = dirty_max ? 1e18 : dirty_pps * TICK_MS / 1000.0 + 1;
        if (owed > cap) {
            done_since += owed - cap;
            owed = cap;
        }
        uint64_t tick_end = now + TICK_MS;
        while (owed >= 1 && nwss > 0) {
            rng = splitmix(rng);
            uint64_t i = rng % nwss;
            if (!page_ok(i)) bad_total++;
            versions[i]++;
            fill(i, versions[i], bytes_per_page);
            cpu_work(cpu_per_page);
            pages_sec++;
            ops_sec += cpu_per_page;
            owed -= 1;
            done_since += 1;
            if (dirty_max && (pages_sec & 63) == 0 && now_ms() >= tick_end) break;
        }
        now = now_ms();
        if (now >= next_report) {
            printf("LMW t=%llu pages=%llu ops=%llu bad=%llu ok=%d\n", (unsigned long long)((now - t0) / 1000),
                   (unsigned long long)pages_sec, (unsigned long long)ops_sec, (unsigned long long)bad_total,
                   bad_total == 0);
            pages_sec = ops_sec = 0;
            next_report += 1000;
            if (next_report <= now) next_report = now + 1000; /* after a pause (migration downtime) */
        }
        if (verify_every && now >= next_verify) {
            verify_requested = 1;
            next_verify = now + verify_every * 1000;
        }
        struct pollfd pfd = {.fd = in_fd, .events = POLLIN};
        int wait = dirty_max ? 0 : (int)(tick_end > now ? tick_end - now : 0);
        if (poll(&pfd, 1, wait) > 0 && (pfd.revents & POLLIN)) {
            ssize_t n = read(0, in, sizeof in - 1);
            if (n > 0) {
                in[n] = 0;
                if (strchr(in, 'v')) verify_requested = 1;
            } else {
                in_fd = -1;
            }
        }
        if (verify_requested) {
            verify_requested = 0;
            full_verify();
        }
    }
}
