// tftp_pump: the hot path of a TFTP read transfer in C, on a thread of its own.
//
// The protocol is decided in TypeScript (src/core/tftp/transfer.ts); this file only runs the one case
// that repeats tens of thousands of times per image: "the client acknowledged the outstanding burst,
// send the next one". Everything else (the OACK and its ACK 0, duplicate or stray ACKs, ERRORs,
// malformed packets, timeouts) is handed back to JavaScript, which feeds it to the state machine and
// then starts the pump again. A clean transfer therefore costs one JavaScript round trip per
// progress interval instead of one per block, which is what Node's UDP path cannot do cheaply.
//
//   tftpPumpOpen(bindAddr, clientAddr, clientPort, source, size, blksize, windowsize, spinMaxUs, onRun)
//       -> { handle, port }       a UDP socket bound to bindAddr:0 (SO_REUSEADDR) and connected to the
//                                 client; source is a file descriptor (read with pread, not owned) or a
//                                 Uint8Array (copied); spinMaxUs bounds busy polling (0: never spin).
//                                 Throws on a socket error.
//   tftpPumpSend(handle, bytes)            -> 0 or errno   one datagram (OACK, ERROR)
//   tftpPumpSendBlocks(handle, from, to)   -> 0, errno of the send (>0), or -errno of the read (<0)
//   tftpPumpRun(handle, acked, sentTo, lastBlock, burstAgeMs, waitMs, rtoMs, yieldMs, retried, wantSample)
//       runs on the pump thread; onRun(outcome, acked, sentTo, burstAgeMs, rttMs, packet) is called on
//       the JavaScript thread when it returns. The retransmit timer is JavaScript's (RFC 6298 estimator):
//       the pump uses rtoMs as it is, and with wantSample (the timer is backed off or unmeasured) it
//       returns at its first clean RTT sample so the estimator can take it.
//       outcome: 0 yield (yieldMs passed after progress, or wantSample), 1 packet (not an
//       advancing ACK: `packet` holds it), 2 timeout (no advancing ACK within waitMs / rtoMs),
//       3 finished (lastBlock acknowledged), 4 stopped, 5 read error, 6 socket error.
//   tftpPumpStop(handle)    makes a running pump return "stopped" at once; the pump takes no packets after it.
//   tftpPumpClose(handle)   stops, joins the thread and closes the socket. Idempotent.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <node_api.h>

#include "tftp_pump.h"

enum { OUT_YIELD, OUT_PACKET, OUT_TIMEOUT, OUT_FINISHED, OUT_STOPPED, OUT_READ_ERROR, OUT_SOCKET_ERROR };
enum { OP_DATA = 3, OP_ACK = 4 };
#define CHUNK_BYTES (256 * 1024)
#define MAX_PACKET 65536

typedef struct {
  int sock, srcfd;
  atomic_int stopping; /* set before the read side is shut down */
  double rcvtimeo_ms;  /* current SO_RCVTIMEO, 0 = not set */
  uint8_t *bytes; /* generated content (owned copy) or NULL */
  uint64_t size;
  uint32_t blksize, windowsize;
  uint8_t *slots; /* windowsize packets of 4 + blksize bytes */
  struct mmsghdr *msgs;
  struct iovec *iovs;
  uint8_t *chunk; /* pread cache */
  uint64_t chunk_at, chunk_len;
  uint8_t rx[MAX_PACKET];
  /* run parameters and results; handed over under `mu`, read back in the threadsafe callback */
  double acked, sent_to, last_block, burst_age, wait_ms, rto_ms, yield_ms, rtt_ms;
  double spin_max_us, wait_avg_us; /* busy polling: bound, and the learned ACK wait (-1: none yet) */
  int retried, want_sample, outcome, rx_len, err;
  int running, quit, closed;
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  napi_threadsafe_function tsfn;
} pump_t;

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Copies [offset, offset+len) of the source into dst; 0 or an errno (EIO: the file shrank). */
static int source_copy(pump_t *p, uint64_t offset, uint32_t len, uint8_t *dst) {
  if (len == 0) return 0;
  if (p->bytes) {
    memcpy(dst, p->bytes + offset, len);
    return 0;
  }
  if (offset < p->chunk_at || offset + len > p->chunk_at + p->chunk_len) {
    uint64_t want = p->size - offset < CHUNK_BYTES ? p->size - offset : CHUNK_BYTES;
    ssize_t got = pread(p->srcfd, p->chunk, want, (off_t)offset);
    if (got < 0) return errno;
    if ((uint64_t)got < len) return EIO;
    p->chunk_at = offset;
    p->chunk_len = (uint64_t)got;
  }
  memcpy(dst, p->chunk + (offset - p->chunk_at), len);
  return 0;
}

/* Sends absolute blocks from..to (to - from < windowsize) with one sendmmsg. */
static int send_blocks(pump_t *p, uint64_t from, uint64_t to) {
  unsigned n = 0;
  for (uint64_t b = from; b <= to; b++, n++) {
    uint8_t *pkt = p->slots + (size_t)n * (4 + p->blksize);
    uint64_t offset = (b - 1) * p->blksize;
    uint32_t len = offset >= p->size ? 0 : (p->size - offset < p->blksize ? (uint32_t)(p->size - offset) : p->blksize);
    int err = source_copy(p, offset, len, pkt + 4);
    if (err) return -err;
    pkt[2] = (uint8_t)((b >> 8) & 0xff); /* block numbers roll over past 65535 */
    pkt[3] = (uint8_t)(b & 0xff);
    p->iovs[n].iov_len = 4 + len;
  }
  unsigned done = 0;
  while (done < n) {
    int r = sendmmsg(p->sock, p->msgs + done, n - done, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      return errno; /* left to the retransmit timer, like a failed dgram send */
    }
    done += (unsigned)r;
  }
  return 0;
}

/*
 * Busy polling. A thread that sleeps in recv() until the ACK comes back pays a wake-up on every block,
 * and on a virtual machine an idle vCPU's wake-up costs tens of microseconds: more than a LAN round
 * trip. So after a send the pump first spins on a non-blocking recv for up to about twice the wait
 * it has been seeing, bounded by spin_max_us, and sleeps only if nothing came. It learns the wait
 * from every clean ACK; clients slower than the bound (real firmware over a real switch) turn the
 * spinning off by themselves. Nobody spins while more transfers run than `max_spinners` (cores - 1,
 * at least 1): then the cores are busy anyway, there is no idle wake-up to save, and a spinning
 * thread would only take CPU from the other transfers.
 */
static atomic_int spinners, active_runs;
static int max_spinners = 1;

static void learn_wait(pump_t *p, double wait_ms) {
  double us = wait_ms * 1000.0;
  p->wait_avg_us = p->wait_avg_us < 0 ? us : 0.875 * p->wait_avg_us + 0.125 * us;
}

/* SO_RCVTIMEO for the blocking recv, changed only when it moves by more than a millisecond. */
static void set_timeout(pump_t *p, double ms) {
  if (ms < 1) ms = 1;
  if (p->rcvtimeo_ms > 0 && ms > p->rcvtimeo_ms - 1 && ms < p->rcvtimeo_ms + 1) return;
  struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)((ms - (double)(time_t)(ms / 1000) * 1000) * 1000)};
  if (setsockopt(p->sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0) p->rcvtimeo_ms = ms;
}

/* One non-blocking recv, repeated for the spin budget when spinning pays; EAGAIN when nothing came. */
static ssize_t spin_recv(pump_t *p, double t) {
  double budget = p->wait_avg_us < 0 ? p->spin_max_us : 2 * p->wait_avg_us + 5;
  if (p->spin_max_us <= 0 || p->wait_avg_us > p->spin_max_us || atomic_load(&active_runs) > max_spinners) {
    return recv(p->sock, p->rx, sizeof p->rx, MSG_DONTWAIT);
  }
  if (budget > p->spin_max_us) budget = p->spin_max_us;
  int cur = atomic_load(&spinners);
  while (cur < max_spinners && !atomic_compare_exchange_weak(&spinners, &cur, cur + 1)) {
  }
  if (cur >= max_spinners) return recv(p->sock, p->rx, sizeof p->rx, MSG_DONTWAIT);
  double until = t + budget / 1000.0;
  ssize_t n;
  while ((n = recv(p->sock, p->rx, sizeof p->rx, MSG_DONTWAIT)) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
         now_ms() < until) {
  }
  int saved = errno;
  atomic_fetch_sub(&spinners, 1);
  errno = saved;
  return n;
}

static void run_once(pump_t *p) {
  double start = now_ms();
  double burst_at = start - p->burst_age;
  double deadline = start + p->wait_ms;
  double yield_at = start + p->yield_ms;
  uint64_t acked = (uint64_t)p->acked, sent_to = (uint64_t)p->sent_to, last = (uint64_t)p->last_block;
  int retried = p->retried;
  p->rtt_ms = -1;
  p->outcome = OUT_YIELD;
  int progressed = 0;
  for (;;) {
    double t = now_ms();
    /* Yield only after progress: the interval is for progress reports, and a run must not end empty. */
    double until = progressed && yield_at < deadline ? yield_at : deadline;
    if (t >= until) {
      p->outcome = t >= deadline ? OUT_TIMEOUT : OUT_YIELD;
      break;
    }
    /* Spin first when it pays (see spin_recv), then block in recv itself with SO_RCVTIMEO: one
       system call per ACK instead of recv + poll + recv. A stop shuts the socket's read side down,
       which wakes the blocked recv. */
    ssize_t n = spin_recv(p, t);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      set_timeout(p, until - t);
      n = recv(p->sock, p->rx, sizeof p->rx, 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) n = -2; /* timed out: the loop top decides */
    }
    if (atomic_load(&p->stopping)) {
      p->outcome = OUT_STOPPED;
      break;
    }
    if (n == -2) continue;
    if (n < 0) {
      /* ECONNREFUSED: an ICMP port unreachable for an earlier send; the client may still be there. */
      if (errno == ECONNREFUSED || errno == EINTR) continue;
      p->outcome = OUT_SOCKET_ERROR;
      p->err = errno;
      break;
    }
    t = now_ms();
    if (n == 4 && p->rx[0] == 0 && p->rx[1] == OP_ACK && sent_to > 0) {
      uint64_t wire = ((uint64_t)p->rx[2] << 8) | p->rx[3];
      uint64_t block = sent_to - ((sent_to - wire) & 0xffff);
      if (block > acked && block <= sent_to) {
        if (!retried) learn_wait(p, t - burst_at);
        int sampled = !retried && block == sent_to; /* Karn: never from a retransmitted burst */
        if (sampled) p->rtt_ms = t - burst_at;
        acked = block;
        progressed = 1;
        if (acked == last) {
          p->outcome = OUT_FINISHED;
          break;
        }
        sent_to = acked + p->windowsize < last ? acked + p->windowsize : last;
        burst_at = t;
        retried = 0;
        deadline = t + p->rto_ms;
        int err = send_blocks(p, acked + 1, sent_to);
        if (err < 0) {
          p->outcome = OUT_READ_ERROR;
          p->err = -err;
          break;
        }
        if (sampled && p->want_sample) {
          /* The timer is backed off or unmeasured: JavaScript folds the sample in, then runs again. */
          p->outcome = OUT_YIELD;
          break;
        }
        continue;
      }
    }
    p->outcome = OUT_PACKET;
    p->rx_len = (int)n;
    break;
  }
  p->acked = (double)acked;
  p->sent_to = (double)sent_to;
  p->burst_age = now_ms() - burst_at;
}

static void *pump_thread(void *arg) {
  pump_t *p = arg;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->running && !p->quit) pthread_cond_wait(&p->cv, &p->mu);
    if (p->quit) break;
    pthread_mutex_unlock(&p->mu);
    atomic_fetch_add(&active_runs, 1);
    run_once(p);
    atomic_fetch_sub(&active_runs, 1);
    pthread_mutex_lock(&p->mu);
    p->running = 0;
    /* The callback reads the results; the queue's lock orders those writes before it. */
    napi_call_threadsafe_function(p->tsfn, p, napi_tsfn_nonblocking);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

/* Ends a run at once: a blocked recv wakes up when the read side is shut down. Sending still works. */
static void stop_pump(pump_t *p) {
  atomic_store(&p->stopping, 1);
  shutdown(p->sock, SHUT_RD);
}

static void pump_close(pump_t *p) {
  if (p->closed) return;
  p->closed = 1;
  stop_pump(p);
  pthread_mutex_lock(&p->mu);
  p->quit = 1;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
  pthread_join(p->thread, NULL);
  close(p->sock);
  napi_release_threadsafe_function(p->tsfn, napi_tsfn_abort);
}

static void pump_free(pump_t *p) {
  free(p->bytes);
  free(p->slots);
  free(p->msgs);
  free(p->iovs);
  free(p->chunk);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->cv);
  free(p);
}

static void env_cleanup(void *arg) { pump_close(arg); }

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  pump_t *p = data;
  napi_remove_env_cleanup_hook(env, env_cleanup, p);
  pump_close(p);
  pump_free(p);
}

static void call_js(napi_env env, napi_value cb, void *context, void *data) {
  (void)context;
  pump_t *p = data;
  if (env == NULL || cb == NULL) return;
  napi_value argv[6], undef;
  napi_get_undefined(env, &undef);
  napi_create_int32(env, p->outcome, &argv[0]);
  napi_create_double(env, p->acked, &argv[1]);
  napi_create_double(env, p->sent_to, &argv[2]);
  napi_create_double(env, p->burst_age, &argv[3]);
  napi_create_double(env, p->outcome == OUT_READ_ERROR || p->outcome == OUT_SOCKET_ERROR ? -p->err : p->rtt_ms,
                     &argv[4]);
  if (p->outcome == OUT_PACKET) {
    void *copy;
    napi_create_buffer_copy(env, (size_t)p->rx_len, p->rx, &copy, &argv[5]);
  } else {
    argv[5] = undef;
  }
  napi_call_function(env, undef, cb, 6, argv, NULL);
}

static napi_value throw_errno(napi_env env, const char *what, int err) {
  char msg[160];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, NULL, msg);
  return NULL;
}

static pump_t *get_pump(napi_env env, napi_value v) {
  pump_t *p = NULL;
  if (napi_get_value_external(env, v, (void **)&p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "tftp pump: not a pump handle");
    return NULL;
  }
  return p;
}

/* Reads exactly `want` arguments, the first being a pump handle; NULL (with a JS exception) otherwise. */
static pump_t *pump_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != want) {
    napi_throw_type_error(env, NULL, "tftp pump: wrong number of arguments");
    return NULL;
  }
  return get_pump(env, argv[0]);
}

static int parse_addr(napi_env env, napi_value v, int port, struct sockaddr_storage *ss, socklen_t *len) {
  char s[INET6_ADDRSTRLEN + 1] = {0};
  size_t n;
  if (napi_get_value_string_utf8(env, v, s, sizeof s, &n) != napi_ok) return 0;
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
  if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons((uint16_t)port);
    *len = sizeof *a4;
    return 1;
  }
  if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons((uint16_t)port);
    *len = sizeof *a6;
    return 1;
  }
  return 0;
}

static napi_value pump_open(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 9) {
    napi_throw_type_error(env, NULL, "tftpPumpOpen: wrong number of arguments");
    return NULL;
  }
  int32_t client_port, srcfd = -1;
  double size, spin_max_us;
  uint32_t blksize, windowsize;
  struct sockaddr_storage bind_addr, client_addr;
  socklen_t bind_len, client_len;
  napi_valuetype srctype;
  if (!parse_addr(env, argv[0], 0, &bind_addr, &bind_len) ||
      napi_get_value_int32(env, argv[2], &client_port) != napi_ok ||
      !parse_addr(env, argv[1], client_port, &client_addr, &client_len) ||
      bind_addr.ss_family != client_addr.ss_family || napi_get_value_double(env, argv[4], &size) != napi_ok ||
      napi_get_value_uint32(env, argv[5], &blksize) != napi_ok ||
      napi_get_value_uint32(env, argv[6], &windowsize) != napi_ok ||
      napi_get_value_double(env, argv[7], &spin_max_us) != napi_ok || blksize < 8 || blksize > 65464 ||
      windowsize < 1 || windowsize > 65535 || size < 0) {
    napi_throw_type_error(env, NULL, "tftpPumpOpen: bad arguments");
    return NULL;
  }
  napi_typeof(env, argv[3], &srctype);
  void *src_data = NULL;
  size_t src_len = 0;
  if (srctype == napi_number) {
    napi_get_value_int32(env, argv[3], &srcfd);
  } else {
    napi_typedarray_type tt;
    napi_value ab;
    size_t off;
    if (napi_get_typedarray_info(env, argv[3], &tt, &src_len, &src_data, &ab, &off) != napi_ok ||
        tt != napi_uint8_array || (double)src_len != size) {
      napi_throw_type_error(env, NULL, "tftpPumpOpen: source must be an fd or a Uint8Array of `size` bytes");
      return NULL;
    }
  }
  pump_t *p = calloc(1, sizeof *p);
  if (!p) return throw_errno(env, "tftpPumpOpen", ENOMEM);
  p->srcfd = srcfd;
  p->size = (uint64_t)size;
  p->blksize = blksize;
  p->windowsize = windowsize;
  p->spin_max_us = spin_max_us;
  p->wait_avg_us = -1;
  p->sock = -1;
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv, NULL);
  size_t pkt = 4 + (size_t)blksize;
  p->slots = malloc(pkt * windowsize);
  p->msgs = calloc(windowsize, sizeof *p->msgs);
  p->iovs = calloc(windowsize, sizeof *p->iovs);
  p->chunk = srcfd >= 0 ? malloc(CHUNK_BYTES) : NULL;
  p->bytes = srcfd >= 0 ? NULL : malloc(src_len ? src_len : 1);
  if (!p->slots || !p->msgs || !p->iovs || (srcfd >= 0 ? !p->chunk : !p->bytes)) {
    pump_free(p);
    return throw_errno(env, "tftpPumpOpen", ENOMEM);
  }
  if (p->bytes && src_len) memcpy(p->bytes, src_data, src_len);
  for (uint32_t i = 0; i < windowsize; i++) {
    uint8_t *slot = p->slots + i * pkt;
    slot[0] = 0;
    slot[1] = OP_DATA; /* RFC 1350 §5 */
    p->iovs[i].iov_base = slot;
    p->msgs[i].msg_hdr.msg_iov = &p->iovs[i];
    p->msgs[i].msg_hdr.msg_iovlen = 1;
  }
  int one = 1, err = 0;
  const char *step = "socket";
  p->sock = socket(bind_addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (p->sock < 0) err = errno;
  if (!err && (step = "SO_REUSEADDR", setsockopt(p->sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)) err = errno;
  if (!err && (step = "bind", bind(p->sock, (struct sockaddr *)&bind_addr, bind_len) < 0)) err = errno;
  if (!err && (step = "connect", connect(p->sock, (struct sockaddr *)&client_addr, client_len) < 0)) err = errno;
  struct sockaddr_storage local;
  socklen_t local_len = sizeof local;
  if (!err && (step = "getsockname", getsockname(p->sock, (struct sockaddr *)&local, &local_len) < 0)) err = errno;
  napi_value resource_name, cb = argv[8];
  napi_create_string_utf8(env, "tftpPump", NAPI_AUTO_LENGTH, &resource_name);
  if (!err && napi_create_threadsafe_function(env, cb, NULL, resource_name, 0, 1, NULL, NULL, NULL, call_js,
                                              &p->tsfn) != napi_ok) {
    step = "threadsafe function";
    err = ENOMEM;
  }
  if (!err) {
    napi_unref_threadsafe_function(env, p->tsfn); /* the guard socket keeps the loop alive, not the pump */
    if ((err = pthread_create(&p->thread, NULL, pump_thread, p)) != 0) {
      step = "pthread_create";
      napi_release_threadsafe_function(p->tsfn, napi_tsfn_abort);
    }
  }
  if (err) {
    if (p->sock >= 0) close(p->sock);
    pump_free(p);
    return throw_errno(env, step, err);
  }
  napi_add_env_cleanup_hook(env, env_cleanup, p);
  int port = local.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&local)->sin_port)
                                        : ntohs(((struct sockaddr_in6 *)&local)->sin6_port);
  napi_value out, handle, portv;
  napi_create_external(env, p, finalize, NULL, &handle);
  napi_create_int32(env, port, &portv);
  napi_create_object(env, &out);
  napi_set_named_property(env, out, "handle", handle);
  napi_set_named_property(env, out, "port", portv);
  return out;
}

static napi_value pump_send(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  pump_t *p = pump_args(env, info, 2, argv);
  if (!p) return NULL;
  void *data;
  size_t len;
  napi_typedarray_type tt;
  napi_value ab;
  size_t off;
  if (napi_get_typedarray_info(env, argv[1], &tt, &len, &data, &ab, &off) != napi_ok || tt != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "tftpPumpSend: bytes must be a Uint8Array");
    return NULL;
  }
  if (p->closed) return eveboot_int(env, EBADF);
  return eveboot_int(env, send(p->sock, data, len, 0) < 0 ? errno : 0);
}

static napi_value pump_send_blocks(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  pump_t *p = pump_args(env, info, 3, argv);
  if (!p) return NULL;
  double from, to;
  napi_get_value_double(env, argv[1], &from);
  napi_get_value_double(env, argv[2], &to);
  if (p->closed) return eveboot_int(env, EBADF);
  if (p->running || from < 1 || to < from || to - from >= p->windowsize) return eveboot_int(env, EINVAL);
  return eveboot_int(env, send_blocks(p, (uint64_t)from, (uint64_t)to));
}

static napi_value pump_run(napi_env env, napi_callback_info info) {
  napi_value argv[10];
  pump_t *p = pump_args(env, info, 10, argv);
  if (!p) return NULL;
  double v[7];
  for (int i = 0; i < 7; i++) napi_get_value_double(env, argv[i + 1], &v[i]);
  bool retried = false, want_sample = false;
  napi_get_value_bool(env, argv[8], &retried);
  napi_get_value_bool(env, argv[9], &want_sample);
  pthread_mutex_lock(&p->mu);
  int busy = p->running || p->closed;
  if (!busy) {
    p->acked = v[0];
    p->sent_to = v[1];
    p->last_block = v[2];
    p->burst_age = v[3];
    p->wait_ms = v[4];
    p->rto_ms = v[5];
    p->yield_ms = v[6];
    p->retried = retried;
    p->want_sample = want_sample;
    p->running = 1;
    pthread_cond_signal(&p->cv);
  }
  pthread_mutex_unlock(&p->mu);
  return eveboot_int(env, busy ? EBUSY : 0);
}

static napi_value pump_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  pump_t *p = pump_args(env, info, 1, argv);
  if (!p) return NULL;
  if (!p->closed) stop_pump(p);
  return eveboot_int(env, 0);
}

static napi_value pump_close_js(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  pump_t *p = pump_args(env, info, 1, argv);
  if (!p) return NULL;
  if (!p->closed) {
    napi_remove_env_cleanup_hook(env, env_cleanup, p);
    pump_close(p);
  }
  return eveboot_int(env, 0);
}

void tftp_pump_register(napi_env env, napi_value exports) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  max_spinners = cpus > 2 ? (int)cpus - 1 : 1;
  napi_property_descriptor props[] = {
    {"tftpPumpOpen", NULL, pump_open, NULL, NULL, NULL, napi_enumerable, NULL},
    {"tftpPumpSend", NULL, pump_send, NULL, NULL, NULL, napi_enumerable, NULL},
    {"tftpPumpSendBlocks", NULL, pump_send_blocks, NULL, NULL, NULL, napi_enumerable, NULL},
    {"tftpPumpRun", NULL, pump_run, NULL, NULL, NULL, napi_enumerable, NULL},
    {"tftpPumpStop", NULL, pump_stop, NULL, NULL, NULL, napi_enumerable, NULL},
    {"tftpPumpClose", NULL, pump_close_js, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
}
