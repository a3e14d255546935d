/*
 * af-packet: raw Ethernet I/O on one interface through a Linux AF_PACKET
 * socket, for Node (N-API, NAPI_VERSION 8). Used by the harness (send into
 * and capture from veth ends) and by the reference switch's veth vports.
 *
 * API (all synchronous; sockets are non-blocking, JS polls with timers):
 *   openSocket(netnsPath | null, ifname, rcvbufBytes) -> fd
 *   sendBatch(fd, frames: Uint8Array[]) -> number handed to the kernel
 *   recvBatch(fd, maxFrames) -> [{ data: Buffer, tsSec, tsNsec }]
 *   stats(fd) -> { packets, drops }   (PACKET_STATISTICS; reading resets them)
 *   closeSocket(fd)
 * Errors throw a JS Error "<what failed>: <strerror>" with code = errno name.
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
 * Left out on purpose: mmap rings (TPACKET_V3), fanout, BPF filters, frames
 * larger than 64 KiB (truncated), async/libuv polling.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif
#ifndef TP_STATUS_VLAN_TPID_VALID
#define TP_STATUS_VLAN_TPID_VALID (1 << 6)
#endif

#define RX_BATCH 64
#define RX_FRAME_MAX 65536
#define VLAN_LEN 4
#define TX_BATCH 1024 /* UIO_MAXIOV: the most sendmmsg takes at once */
#define CTRL_LEN 128

/* Per-environment scratch space (worker threads each get their own). */
struct scratch {
  unsigned char rx_buf[RX_BATCH][VLAN_LEN + RX_FRAME_MAX];
  unsigned char rx_ctrl[RX_BATCH][CTRL_LEN];
  struct sockaddr_ll rx_addr[RX_BATCH];
  struct iovec rx_iov[RX_BATCH];
  struct mmsghdr rx_msg[RX_BATCH];
  struct iovec tx_iov[TX_BATCH];
  struct mmsghdr tx_msg[TX_BATCH];
};

#define CHECK(call)                                  \
  do {                                               \
    if ((call) != napi_ok) return throw_napi(env);   \
  } while (0)

static napi_value throw_napi(napi_env env) {
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
static napi_value throw_errno(napi_env env, int err, const char *what) {
  char msg[512];
  const char *name = strerrorname_np(err);
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, name != NULL ? name : "EUNKNOWN", msg);
  return NULL;
}

static struct scratch *get_scratch(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) != napi_ok) return NULL;
  return data;
}

/* Reads argument `i` as a non-negative int32 (a fd or a count). */
static bool get_uint(napi_env env, napi_value v, const char *name, int *out) {
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

static bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return false;
  if (argc < want) {
    napi_throw_type_error(env, NULL, "too few arguments");
    return false;
  }
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

static napi_value send_batch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  bool is_array;
  uint32_t n;
  struct scratch *s = get_scratch(env);
  if (!get_args(env, info, 2, argv) || !get_uint(env, argv[0], "fd", &fd)) return NULL;
  CHECK(napi_is_array(env, argv[1], &is_array));
  if (!is_array) return napi_throw_type_error(env, NULL, "frames must be an array of Uint8Array"), NULL;
  CHECK(napi_get_array_length(env, argv[1], &n));
  if (n > TX_BATCH) n = TX_BATCH;
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    bool is_ta = false;
    napi_typedarray_type type;
    size_t len;
    void *data;
    CHECK(napi_get_element(env, argv[1], i, &el));
    CHECK(napi_is_typedarray(env, el, &is_ta));
    if (is_ta) CHECK(napi_get_typedarray_info(env, el, &type, &len, &data, NULL, NULL));
    if (!is_ta || type != napi_uint8_array) return napi_throw_type_error(env, NULL, "frames must be an array of Uint8Array"), NULL;
    s->tx_iov[i] = (struct iovec){ .iov_base = data, .iov_len = len };
    memset(&s->tx_msg[i], 0, sizeof s->tx_msg[i]);
    s->tx_msg[i].msg_hdr.msg_iov = &s->tx_iov[i];
    s->tx_msg[i].msg_hdr.msg_iovlen = 1;
  }
  int sent = n == 0 ? 0 : sendmmsg(fd, s->tx_msg, n, MSG_DONTWAIT);
  if (sent < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
      char what[128];
      snprintf(what, sizeof what, "sendmmsg on fd %d (frame of %zu bytes)", fd, s->tx_iov[0].iov_len);
      return throw_errno(env, errno, what);
    }
    sent = 0;
  }
  napi_value result;
  CHECK(napi_create_uint32(env, (uint32_t)sent, &result));
  return result;
}

/* Builds {data, tsSec, tsNsec} for message i; puts a stripped VLAN tag back. */
static napi_value make_frame(napi_env env, struct scratch *s, int i) {
  struct msghdr *h = &s->rx_msg[i].msg_hdr;
  unsigned char *frame = s->rx_buf[i] + VLAN_LEN;
  size_t len = s->rx_msg[i].msg_len > RX_FRAME_MAX ? RX_FRAME_MAX : s->rx_msg[i].msg_len;
  double sec = 0, nsec = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec ts;
      memcpy(&ts, CMSG_DATA(c), sizeof ts);
      sec = (double)ts.tv_sec;
      nsec = (double)ts.tv_nsec;
    } else if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
      struct tpacket_auxdata aux;
      memcpy(&aux, CMSG_DATA(c), sizeof aux);
      if ((aux.tp_status & TP_STATUS_VLAN_VALID) == 0 || len < 2 * ETH_ALEN) continue;
      uint16_t tpid = htons((aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : ETH_P_8021Q);
      uint16_t tci = htons(aux.tp_vlan_tci);
      memmove(frame - VLAN_LEN, frame, 2 * ETH_ALEN);
      frame -= VLAN_LEN;
      memcpy(frame + 2 * ETH_ALEN, &tpid, 2);
      memcpy(frame + 2 * ETH_ALEN + 2, &tci, 2);
      len += VLAN_LEN;
    }
  }
  napi_value obj, data, v;
  if (napi_create_object(env, &obj) != napi_ok || napi_create_buffer_copy(env, len, frame, NULL, &data) != napi_ok ||
      napi_set_named_property(env, obj, "data", data) != napi_ok || napi_create_double(env, sec, &v) != napi_ok ||
      napi_set_named_property(env, obj, "tsSec", v) != napi_ok || napi_create_double(env, nsec, &v) != napi_ok ||
      napi_set_named_property(env, obj, "tsNsec", v) != napi_ok)
    return throw_napi(env);
  return obj;
}

static napi_value recv_batch(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  int fd, max;
  uint32_t count = 0;
  struct scratch *s = get_scratch(env);
  if (!get_args(env, info, 2, argv) || !get_uint(env, argv[0], "fd", &fd) || !get_uint(env, argv[1], "maxFrames", &max)) return NULL;
  CHECK(napi_create_array(env, &out));
  while ((int)count < max) {
    int want = max - (int)count < RX_BATCH ? max - (int)count : RX_BATCH;
    for (int i = 0; i < want; i++) {
      s->rx_iov[i] = (struct iovec){ .iov_base = s->rx_buf[i] + VLAN_LEN, .iov_len = RX_FRAME_MAX };
      s->rx_msg[i].msg_hdr = (struct msghdr){ .msg_name = &s->rx_addr[i], .msg_namelen = sizeof s->rx_addr[i],
        .msg_iov = &s->rx_iov[i], .msg_iovlen = 1, .msg_control = s->rx_ctrl[i], .msg_controllen = CTRL_LEN };
      s->rx_msg[i].msg_len = 0;
    }
    int got = recvmmsg(fd, s->rx_msg, (unsigned)want, MSG_DONTWAIT, NULL);
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
      char what[64];
      snprintf(what, sizeof what, "recvmmsg on fd %d", fd);
      return throw_errno(env, errno, what);
    }
    for (int i = 0; i < got; i++) {
      if (s->rx_addr[i].sll_pkttype == PACKET_OUTGOING) continue;
      napi_value frame = make_frame(env, s, i);
      if (frame == NULL) return NULL;
      CHECK(napi_set_element(env, out, count++, frame));
    }
    if (got < want) break;
  }
  return out;
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
  if (close(fd) < 0) {
    char what[64];
    snprintf(what, sizeof what, "close fd %d", fd);
    return throw_errno(env, errno, what);
  }
  return NULL;
}

static void free_scratch(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  free(data);
}

static napi_value init(napi_env env, napi_value exports) {
  struct scratch *s = calloc(1, sizeof *s);
  if (s == NULL) return napi_throw_error(env, "ENOMEM", "af-packet: cannot allocate receive buffers"), NULL;
  if (napi_set_instance_data(env, s, free_scratch, NULL) != napi_ok) {
    free(s);
    return throw_napi(env);
  }
  napi_property_descriptor props[] = {
    { "openSocket", NULL, open_socket, NULL, NULL, NULL, napi_enumerable, NULL },
    { "sendBatch", NULL, send_batch, NULL, NULL, NULL, napi_enumerable, NULL },
    { "recvBatch", NULL, recv_batch, NULL, NULL, NULL, napi_enumerable, NULL },
    { "stats", NULL, stats, NULL, NULL, NULL, napi_enumerable, NULL },
    { "closeSocket", NULL, close_socket, NULL, NULL, NULL, napi_enumerable, NULL },
  };
  CHECK(napi_define_properties(env, exports, sizeof props / sizeof props[0], props));
  return exports;
}

NAPI_MODULE(af_packet, init)
