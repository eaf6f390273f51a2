/*
 * bench/bench_clock.h -- the two clocks every C benchmark client reports
 * by (bench/README.md: "seconds" and "cpu_seconds"), and the context
 * switches the C client reports beside them.
 */
#ifndef POLYWS_BENCH_CLOCK_H
#define POLYWS_BENCH_CLOCK_H

#include <sys/resource.h>
#include <time.h>

/* Wall time on a monotonic clock, in seconds. */
static inline double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the whole process (every thread, user + system), in seconds. */
static inline double cpu_now(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

/* Voluntary context switches of the whole process so far: each is a thread
 * going to sleep (a wait in poll, a futex, a read), so per operation they
 * count the wake-ups a design costs. */
static inline long switches_now(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_nvcsw;
}

#endif
