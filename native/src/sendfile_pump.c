// sendfile_pump: an HTTP artifact body sent with sendfile(2) on a thread of its own, the way nginx serves
// files: the kernel copies page cache straight into the socket, with no trip through user space.
//
//   sendfileStart(socketFd, path, offset, length, onProgress) -> handle
//       dup()s the connection's socket (so Node closing its fd can never hand the number to someone
//       else while the thread still writes), opens `path`, and sends [offset, offset+length). The
//       response headers must already be in the kernel. onProgress(sent, done, errno) is called on the
//       JavaScript thread about every 250 ms and once at the end (done true; errno 0 when every byte
//       went out). Throws when the file cannot be opened or the thread cannot start.
//   sendfileStop(handle)    ends a running send early (done comes with ECANCELED).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>
#include <node_api.h>

#include "tftp_pump.h"

#define SLICE (4u << 20)
#define PROGRESS_MS 250

typedef struct {
  int sock, file, stopfd;
  off_t offset;
  uint64_t length;
  napi_threadsafe_function tsfn;
} job_t;

typedef struct {
  double sent;
  int done, err;
} report_t;

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void report(job_t *j, uint64_t sent, int done, int err) {
  report_t *r = malloc(sizeof *r);
  if (!r) return;
  r->sent = (double)sent;
  r->done = done;
  r->err = err;
  if (napi_call_threadsafe_function(j->tsfn, r, napi_tsfn_blocking) != napi_ok) free(r);
}

static void *send_thread(void *arg) {
  job_t *j = arg;
  uint64_t sent = 0;
  int err = 0;
  double last = mono_ms();
  struct pollfd fds[2] = {{j->sock, POLLOUT, 0}, {j->stopfd, POLLIN, 0}};
  while (sent < j->length) {
    size_t want = j->length - sent < SLICE ? (size_t)(j->length - sent) : SLICE;
    ssize_t n = sendfile(j->sock, j->file, &j->offset, want);
    if (n > 0) {
      sent += (uint64_t)n;
      double t = mono_ms();
      if (t - last >= PROGRESS_MS && sent < j->length) {
        last = t;
        report(j, sent, 0, 0);
      }
      continue;
    }
    if (n == 0) {
      err = EIO; /* the file is shorter than the length announced: it changed under us */
      break;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) {
      err = errno;
      break;
    }
    if (poll(fds, 2, -1) < 0 && errno != EINTR) {
      err = errno;
      break;
    }
    if (fds[1].revents) {
      err = ECANCELED;
      break;
    }
  }
  close(j->sock);
  close(j->file);
  report(j, sent, 1, err);
  napi_release_threadsafe_function(j->tsfn, napi_tsfn_release);
  return NULL;
}

static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  (void)context;
  report_t *r = data;
  if (env != NULL && cb != NULL) {
    napi_value argv[3], undef;
    napi_get_undefined(env, &undef);
    napi_create_double(env, r->sent, &argv[0]);
    napi_get_boolean(env, r->done, &argv[1]);
    napi_create_int32(env, r->err, &argv[2]);
    napi_call_function(env, undef, cb, 3, argv, NULL);
  }
  free(r);
}

/* The job lives until JavaScript drops its handle: a late sendfileStop must find the eventfd open. */
static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  job_t *j = data;
  close(j->stopfd);
  free(j);
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd;
  double offset, length;
  char path[4096];
  size_t plen;
  if (argc != 5 || napi_get_value_int32(env, argv[0], &fd) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], path, sizeof path, &plen) != napi_ok || plen >= sizeof path - 1 ||
      napi_get_value_double(env, argv[2], &offset) != napi_ok ||
      napi_get_value_double(env, argv[3], &length) != napi_ok || offset < 0 || length < 0) {
    napi_throw_type_error(env, NULL, "sendfileStart: bad arguments");
    return NULL;
  }
  job_t *j = calloc(1, sizeof *j);
  if (!j) {
    napi_throw_error(env, NULL, "sendfileStart: out of memory");
    return NULL;
  }
  j->offset = (off_t)offset;
  j->length = (uint64_t)length;
  j->sock = j->file = j->stopfd = -1;
  const char *step = "open";
  int err = 0;
  if ((j->file = open(path, O_RDONLY | O_CLOEXEC)) < 0) err = errno;
  if (!err && (step = "dup", (j->sock = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0)) err = errno;
  if (!err && (step = "eventfd", (j->stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)) err = errno;
  napi_value name;
  napi_create_string_utf8(env, "sendfile", NAPI_AUTO_LENGTH, &name);
  if (!err && napi_create_threadsafe_function(env, argv[4], NULL, name, 0, 1, NULL, NULL, NULL, call_js, &j->tsfn) !=
                  napi_ok) {
    step = "threadsafe function";
    err = ENOMEM;
  }
  pthread_t t;
  if (!err && (err = pthread_create(&t, NULL, send_thread, j)) != 0) {
    step = "pthread_create";
    napi_release_threadsafe_function(j->tsfn, napi_tsfn_abort);
  }
  if (err) {
    if (j->file >= 0) close(j->file);
    if (j->sock >= 0) close(j->sock);
    if (j->stopfd >= 0) close(j->stopfd);
    free(j);
    char msg[160];
    snprintf(msg, sizeof msg, "sendfileStart: %s: %s", step, strerror(err));
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  pthread_detach(t);
  napi_value handle;
  napi_create_external(env, j, finalize, NULL, &handle);
  return handle;
}

static napi_value stop(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  job_t *j = NULL;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 1 || napi_get_value_external(env, argv[0], (void **)&j) != napi_ok || j == NULL) {
    napi_throw_type_error(env, NULL, "sendfileStop: not a sendfile handle");
    return NULL;
  }
  uint64_t one = 1;
  return eveboot_int(env, write(j->stopfd, &one, sizeof one) < 0 ? errno : 0);
}

void sendfile_register(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    {"sendfileStart", NULL, start, NULL, NULL, NULL, napi_enumerable, NULL},
    {"sendfileStop", NULL, stop, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
