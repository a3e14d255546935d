/*
 * af-packet: raw Ethernet I/O on one interface through a Linux AF_PACKET
 * socket, for Node (N-API, NAPI_VERSION 8). Used by the harness (send into
 * and capture from veth ends) and by the reference switch's veth vports.
 * This file: the module, opening/closing sockets, statistics and argument
 * helpers; frames travel in af-packet-io.c, readiness in af-packet-poll.c.
 *
 * API (sockets are non-blocking; every call returns at once):
 *   openSocket(netnsPath | null, ifname, rcvbufBytes) -> fd
 *   sendBatch(fd, frames: Uint8Array[]) -> number handed to the kernel
 *   sendFrom(fd, data: Uint8Array, offsets: Uint32Array, lengths: Uint32Array,
 *            first, count) -> number handed to the kernel
 *   recvBatch(fd, maxFrames) -> [{ data: Buffer, tsSec, tsNsec }]
 *   recvInto(fd, data: Uint8Array, slotBytes, lengths: Uint32Array,
 *            offsets: Uint32Array, oversize: Float64Array) -> frames filled
 *   pollStart(fd, callback(error?, stopped?)) / pollStop(fd) -> was polling
 *   stats(fd) -> { packets, drops }   (PACKET_STATISTICS; reading resets them)
 *   closeSocket(fd)
 * Errors throw a JS Error "<what failed>: <strerror>" with code = errno name;
 * bad arguments throw TypeError, out-of-range frame spans RangeError.
 *
 * Invariants:
 *  - The calling thread is always back in its own network namespace when
 *    openSocket returns; if it cannot get back the process aborts, because
 *    every later socket of that thread would silently land in the wrong one.
 *  - A socket receives only frames of its own interface (created with
 *    protocol 0, bound with ETH_P_ALL + ifindex, so nothing from other
 *    interfaces is queued in between) and never frames it sent
 *    (PACKET_IGNORE_OUTGOING, plus a PACKET_OUTGOING check on receive).
 *  - Received frames are byte-identical to the wire: the kernel strips a
 *    VLAN tag into metadata before packet taps see the frame; it is put back
 *    from PACKET_AUXDATA (as libpcap does).
 *  - The addon never writes outside the typed arrays it is given, whatever
 *    the lengths, offsets and counts passed.
 * Left out on purpose: mmap rings (TPACKET_V3), fanout, BPF filters, frames
 * larger than 64 KiB (truncated by recvBatch, dropped and counted by
 * recvInto), blocking reads, I/O on other threads.
 */
#include "af-packet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

napi_value throw_napi(napi_env env) {
  const napi_extended_error_info *info = NULL;
  bool pending = false;
  napi_is_exception_pending(env, &pending);
  if (!pending) {
    napi_get_last_error_info(env, &info);
    napi_throw_error(env, NULL, info != NULL && info->error_message != NULL ? info->error_message : "N-API call failed");
  }
  return NULL;
}

/* Throws Error("<what>: <strerror(err)>") with code "<errno name>". */
napi_value throw_errno(napi_env env, int err, const char *what) {
  char msg[512];
  const char *name = strerrorname_np(err);
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, name != NULL ? name : "EUNKNOWN", msg);
  return NULL;
}

struct scratch *get_scratch(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok) return NULL;
  return data;
}

/* Reads argument `i` as a non-negative int32 (a fd or a count). */
bool get_uint(napi_env env, napi_value v, const char *name, int *out) {
  napi_valuetype t;
  double d;
  if (napi_typeof(env, v, &t) != napi_ok || t != napi_number || napi_get_value_double(env, v, &d) != napi_ok ||
      d != (double)(int)d || d < 0) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be a non-negative integer", name);
    napi_throw_type_error(env, NULL, msg);
    return false;
  }
  *out = (int)d;
  return true;
}

bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  if (argc < want) {
    napi_throw_type_error(env, NULL, "too few arguments");
    return false;
  }
  return true;
}

/* Reads a typed array of `type` (not a DataView, not another element type). */
bool get_typed(napi_env env, napi_value v, napi_typedarray_type type, const char *name, void **data, size_t *length) {
  bool is_ta = false;
  napi_typedarray_type got;
  if (napi_is_typedarray(env, v, &is_ta) != napi_ok || !is_ta ||
      napi_get_typedarray_info(env, v, &got, length, data, NULL, NULL) != napi_ok || got != type) {
    static const char *const names[] = { [napi_uint8_array] = "Uint8Array", [napi_uint32_array] = "Uint32Array",
                                         [napi_float64_array] = "Float64Array" };
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be a %s", name, (size_t)type < sizeof names / sizeof names[0] && names[type] ? names[type] : "typed array");
    napi_throw_type_error(env, NULL, msg);
    return false;
  }
  if (*data == NULL) *length = 0; /* an empty array may have no storage */
  return true;
}

static bool get_string(napi_env env, napi_value v, const char *name, char *buf, size_t len) {
  size_t got = 0;
  if (napi_get_value_string_utf8(env, v, buf, len, &got) != napi_ok || got == 0 || got >= len - 1) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be a non-empty string shorter than %zu bytes", name, len - 1);
    napi_throw_type_error(env, NULL, msg);
    return false;
  }
  return true;
}

/* socket() inside the namespace at `ns_path` (or the current one if NULL). */
static int socket_in_netns(napi_env env, const char *ns_path) {
  char what[400];
  if (ns_path == NULL) {
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) throw_errno(env, errno, "socket(AF_PACKET)");
    return fd;
  }
  int target = open(ns_path, O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    snprintf(what, sizeof what, "open %s", ns_path);
    throw_errno(env, errno, what);
    return -1;
  }
  int home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0) {
    int err = errno;
    close(target);
    throw_errno(env, err, "open /proc/thread-self/ns/net");
    return -1;
  }
  int fd = -1;
  if (setns(target, CLONE_NEWNET) < 0) {
    snprintf(what, sizeof what, "setns into %s", ns_path);
    throw_errno(env, errno, what);
  } else {
    fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int err = errno;
    if (setns(home, CLONE_NEWNET) < 0) napi_fatal_error("af-packet", NAPI_AUTO_LENGTH, "setns back to the thread's own network namespace failed", NAPI_AUTO_LENGTH);
    if (fd < 0) {
      snprintf(what, sizeof what, "socket(AF_PACKET) in %s", ns_path);
      throw_errno(env, err, what);
    }
  }
  close(home);
  close(target);
  return fd;
}

/* Options, then bind: ifindex looked up on the socket, so in its namespace. */
static bool setup_socket(napi_env env, int fd, const char *ifname, int rcvbuf) {
  char what[128];
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, ifname, strnlen(ifname, IFNAMSIZ - 1)); /* get_string kept it < IFNAMSIZ */
  if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
    snprintf(what, sizeof what, "SIOCGIFINDEX %s", ifname);
    throw_errno(env, errno, what);
    return false;
  }
  int one = 1;
  if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) < 0 && errno != ENOPROTOOPT)
    return throw_errno(env, errno, "setsockopt PACKET_IGNORE_OUTGOING"), false;
  if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof one) < 0)
    return throw_errno(env, errno, "setsockopt PACKET_AUXDATA"), false;
  if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0)
    return throw_errno(env, errno, "setsockopt SO_TIMESTAMPNS"), false;
  if (rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) {
    /* Without CAP_NET_ADMIN, fall back to the capped SO_RCVBUF. */
    if (errno != EPERM || setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)
      return throw_errno(env, errno, "setsockopt SO_RCVBUFFORCE"), false;
  }
  struct sockaddr_ll sll;
  memset(&sll, 0, sizeof sll);
  sll.sll_family = AF_PACKET;
  sll.sll_protocol = htons(ETH_P_ALL);
  sll.sll_ifindex = ifr.ifr_ifindex;
  if (bind(fd, (struct sockaddr *)&sll, sizeof sll) < 0) {
    snprintf(what, sizeof what, "bind to %s", ifname);
    throw_errno(env, errno, what);
    return false;
  }
  return true;
}

static napi_value open_socket(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  char ns_path[256], ifname[IFNAMSIZ + 1];
  int rcvbuf;
  napi_valuetype t;
  if (!get_args(env, info, 3, argv)) return NULL;
  CHECK(napi_typeof(env, argv[0], &t));
  bool has_ns = t != napi_null && t != napi_undefined;
  if (has_ns && !get_string(env, argv[0], "netnsPath", ns_path, sizeof ns_path)) return NULL;
  if (!get_string(env, argv[1], "ifname", ifname, sizeof ifname)) return NULL;
  if (!get_uint(env, argv[2], "rcvbufBytes", &rcvbuf)) return NULL;
  int fd = socket_in_netns(env, has_ns ? ns_path : NULL);
  if (fd < 0) return NULL;
  if (!setup_socket(env, fd, ifname, rcvbuf)) {
    close(fd);
    return NULL;
  }
  napi_value result;
  CHECK(napi_create_int32(env, fd, &result));
  return result;
}

static napi_value stats(napi_env env, napi_callback_info info) {
  napi_value argv[1], obj, v;
  int fd;
  struct tpacket_stats st;
  socklen_t len = sizeof st;
  if (!get_args(env, info, 1, argv) || !get_uint(env, argv[0], "fd", &fd)) return NULL;
  if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0) {
    char what[64];
    snprintf(what, sizeof what, "getsockopt PACKET_STATISTICS on fd %d", fd);
    return throw_errno(env, errno, what);
  }
  CHECK(napi_create_object(env, &obj));
  CHECK(napi_create_uint32(env, st.tp_packets, &v));
  CHECK(napi_set_named_property(env, obj, "packets", v));
  CHECK(napi_create_uint32(env, st.tp_drops, &v));
  CHECK(napi_set_named_property(env, obj, "drops", v));
  return obj;
}

static napi_value close_socket(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int fd;
  if (!get_args(env, info, 1, argv) || !get_uint(env, argv[0], "fd", &fd)) return NULL;
  stop_poll(env, get_scratch(env), fd); /* libuv must not poll a closed fd */
  if (close(fd) < 0) {
    char what[64];
    snprintf(what, sizeof what, "close fd %d", fd);
    return throw_errno(env, errno, what);
  }
  return NULL;
}

static void free_scratch(napi_env env, void *data, void *hint) {
  (void)hint;
  close_polls(data); /* in case the environment's cleanup hooks did not run first */
  napi_remove_env_cleanup_hook(env, close_polls, data);
  free(data);
}

static napi_value init(napi_env env, napi_value exports) {
  struct scratch *s = calloc(1, sizeof *s);
  if (s == NULL) return napi_throw_error(env, "ENOMEM", "af-packet: cannot allocate receive buffers"), NULL;
  init_io(s);
  if (napi_set_instance_data(env, s, free_scratch, NULL) != napi_ok) {
    free(s);
    return throw_napi(env);
  }
  /* Poll handles must be closed before the event loop goes away (worker exit). */
  CHECK(napi_add_env_cleanup_hook(env, close_polls, s));
  napi_property_descriptor props[] = {
    { "openSocket", NULL, open_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sendBatch", NULL, send_batch, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sendFrom", NULL, send_from, NULL, NULL, NULL, napi_enumerable, NULL },
    { "recvBatch", NULL, recv_batch, NULL, NULL, NULL, napi_enumerable, NULL },
    { "recvInto", NULL, recv_into, NULL, NULL, NULL, napi_enumerable, NULL },
    { "pollStart", NULL, poll_start, NULL, NULL, NULL, napi_enumerable, NULL },
    { "pollStop", NULL, poll_stop, NULL, NULL, NULL, napi_enumerable, NULL },
    { "stats", NULL, stats, NULL, NULL, NULL, napi_enumerable, NULL },
    { "closeSocket", NULL, close_socket, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(af_packet, init)
