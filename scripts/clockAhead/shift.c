/*
 * Moves the wall clock of a process and its children by CLOCK_SHIFT_SECONDS (LD_PRELOAD), the
 * way libfaketime does, for `npm run test:clock-ahead`. Built from source on the test machine
 * because libfaketime comes only from apt. Only the wall clock moves (CLOCK_REALTIME,
 * gettimeofday, time): Node's timers and PostgreSQL's waits run on the monotonic clock, untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

static long long shift_seconds(void) {
  static long long s = -1;
  if (s == -1) {
    const char *e = getenv("CLOCK_SHIFT_SECONDS");
    s = e ? atoll(e) : 0;
  }
  return s;
}

int clock_gettime(clockid_t id, struct timespec *ts) {
  static int (*real)(clockid_t, struct timespec *);
  if (!real) real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
  int r = real(id, ts);
  if (r == 0 && ts && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE)) ts->tv_sec += shift_seconds();
  return r;
}

int gettimeofday(struct timeval *tv, void *tz) {
  static int (*real)(struct timeval *, void *);
  if (!real) real = (int (*)(struct timeval *, void *))dlsym(RTLD_NEXT, "gettimeofday");
  int r = real(tv, tz);
  if (r == 0 && tv) tv->tv_sec += shift_seconds();
  return r;
}

time_t time(time_t *t) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  if (t) *t = ts.tv_sec;
  return ts.tv_sec;
}

#ifdef __cplusplus
}
#endif
