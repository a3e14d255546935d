/*
 * af-packet-io.c: frames in and out of an AF_PACKET socket, in batches
 * (sendmmsg/recvmmsg, at most 1024 frames per call).
 *
 * Two shapes each way:
 *  - sendBatch / recvBatch take and return one JS object per frame (simple;
 *    recvBatch allocates a Buffer and an object per frame and gives the
 *    kernel timestamp);
 *  - sendFrom / recvInto work on frames laid out in one caller-owned
 *    Uint8Array, described by offset and length arrays, so a steady stream
 *    allocates nothing. recvInto gives slot i the bytes
 *    [i*slotBytes, (i+1)*slotBytes): the kernel writes at VLAN_LEN into it,
 *    so a VLAN tag restored from auxdata still fits; frames longer than
 *    slotBytes - VLAN_LEN are dropped and counted, never delivered cut.
 * Invariant: no write outside the caller's arrays (every count and span is
 * checked against their lengths first).
 * Left out: timestamps in recvInto, scatter/gather frames.
 */
#include "af-packet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifndef TP_STATUS_VLAN_TPID_VALID
#define TP_STATUS_VLAN_TPID_VALID (1 << 6)
#endif

#define FRAME_MIN ETH_HLEN
#define FRAME_MAX 65535

void init_io(struct scratch *s) {
  for (size_t i = 0; i < MSG_MAX; i++) {
    s->tx_msg[i].msg_hdr.msg_iov = &s->tx_iov[i];
    s->tx_msg[i].msg_hdr.msg_iovlen = 1;
  }
}

/* sendmmsg of the first n tx messages; a full queue is not an error. */
static napi_value send_prepared(napi_env env, struct scratch *s, int fd, unsigned n) {
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

napi_value send_batch(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int fd;
  bool is_array;
  uint32_t n;
  struct scratch *s = get_scratch(env);
  if (!get_args(env, info, 2, argv) || !get_uint(env, argv[0], "fd", &fd)) return NULL;
  CHECK(napi_is_array(env, argv[1], &is_array));
  if (!is_array) return napi_throw_type_error(env, NULL, "frames must be an array of Uint8Array"), NULL;
  CHECK(napi_get_array_length(env, argv[1], &n));
  if (n > MSG_MAX) n = MSG_MAX;
  for (uint32_t i = 0; i < n; i++) {
    napi_value el;
    void *data;
    size_t len;
    CHECK(napi_get_element(env, argv[1], i, &el));
    if (!get_typed(env, el, napi_uint8_array, "frames[i]", &data, &len)) return NULL;
    s->tx_iov[i] = (struct iovec){ .iov_base = data, .iov_len = len };
  }
  return send_prepared(env, s, fd, n);
}

napi_value send_from(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  int fd, first, count;
  unsigned char *data;
  uint32_t *offsets, *lengths;
  size_t data_len, n_off, n_len;
  struct scratch *s = get_scratch(env);
  if (!get_args(env, info, 6, argv) || !get_uint(env, argv[0], "fd", &fd) ||
      !get_typed(env, argv[1], napi_uint8_array, "data", (void **)&data, &data_len) ||
      !get_typed(env, argv[2], napi_uint32_array, "offsets", (void **)&offsets, &n_off) ||
      !get_typed(env, argv[3], napi_uint32_array, "lengths", (void **)&lengths, &n_len) ||
      !get_uint(env, argv[4], "first", &first) || !get_uint(env, argv[5], "count", &count))
    return NULL;
  char msg[160];
  if (count > MSG_MAX || (size_t)first + (size_t)count > (n_off < n_len ? n_off : n_len)) {
    snprintf(msg, sizeof msg, "frames %d..%d are not all described (%zu offsets, %zu lengths; at most %d at once)", first,
             first + count - 1, n_off, n_len, MSG_MAX);
    return napi_throw_range_error(env, NULL, msg), NULL;
  }
  for (int k = 0; k < count; k++) {
    size_t off = offsets[first + k], len = lengths[first + k];
    if (len < FRAME_MIN || len > FRAME_MAX || off + len > data_len) {
      snprintf(msg, sizeof msg, "frame %d (offset %zu, %zu bytes) is not %d..%d bytes inside data (%zu bytes)", first + k, off,
               len, FRAME_MIN, FRAME_MAX, data_len);
      return napi_throw_range_error(env, NULL, msg), NULL;
    }
    s->tx_iov[k] = (struct iovec){ .iov_base = data + off, .iov_len = len };
  }
  return send_prepared(env, s, fd, (unsigned)count);
}

/*
 * Reads the control messages of a received frame at *frame (len bytes, with
 * VLAN_LEN writable bytes before it): puts a stripped VLAN tag back (moving
 * *frame back by VLAN_LEN) and stores the timestamp if ts is not NULL.
 * Returns the frame's length.
 */
static size_t finish_frame(struct msghdr *h, unsigned char **frame, size_t len, struct timespec *ts) {
  for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c != NULL; c = CMSG_NXTHDR(h, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      if (ts != NULL) memcpy(ts, CMSG_DATA(c), sizeof *ts);
    } else if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA) {
      struct tpacket_auxdata aux;
      memcpy(&aux, CMSG_DATA(c), sizeof aux);
      if ((aux.tp_status & TP_STATUS_VLAN_VALID) == 0 || len < 2 * ETH_ALEN) continue;
      uint16_t tpid = htons((aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : ETH_P_8021Q);
      uint16_t tci = htons(aux.tp_vlan_tci);
      unsigned char *f = *frame - VLAN_LEN;
      memmove(f, *frame, 2 * ETH_ALEN);
      memcpy(f + 2 * ETH_ALEN, &tpid, 2);
      memcpy(f + 2 * ETH_ALEN + 2, &tci, 2);
      *frame = f;
      len += VLAN_LEN;
    }
  }
  return len;
}

/* Points rx message i at a buffer of len bytes; resets what recvmmsg changes. */
static void prepare_rx(struct scratch *s, size_t i, unsigned char *buf, size_t len) {
  s->rx_iov[i] = (struct iovec){ .iov_base = buf, .iov_len = len };
  s->rx_msg[i].msg_hdr = (struct msghdr){ .msg_name = &s->rx_addr[i], .msg_namelen = sizeof s->rx_addr[i],
    .msg_iov = &s->rx_iov[i], .msg_iovlen = 1, .msg_control = s->rx_ctrl[i], .msg_controllen = CTRL_LEN };
  s->rx_msg[i].msg_len = 0;
}

/* recvmmsg of up to n prepared messages: the count, 0 if none is queued, -1 after throwing. */
static int receive_prepared(napi_env env, struct scratch *s, int fd, unsigned n) {
  int got = recvmmsg(fd, s->rx_msg, n, MSG_DONTWAIT, NULL);
  if (got >= 0) return got;
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
  char what[64];
  snprintf(what, sizeof what, "recvmmsg on fd %d", fd);
  throw_errno(env, errno, what);
  return -1;
}

/* Builds {data, tsSec, tsNsec} for message i; puts a stripped VLAN tag back. */
static napi_value make_frame(napi_env env, struct scratch *s, int i) {
  unsigned char *frame = s->rx_buf[i] + VLAN_LEN;
  size_t len = s->rx_msg[i].msg_len > RX_FRAME_MAX ? RX_FRAME_MAX : s->rx_msg[i].msg_len;
  struct timespec ts = { 0, 0 };
  len = finish_frame(&s->rx_msg[i].msg_hdr, &frame, len, &ts);
  napi_value obj, data, v;
  if (napi_create_object(env, &obj) != napi_ok || napi_create_buffer_copy(env, len, frame, NULL, &data) != napi_ok ||
      napi_set_named_property(env, obj, "data", data) != napi_ok || napi_create_double(env, (double)ts.tv_sec, &v) != napi_ok ||
      napi_set_named_property(env, obj, "tsSec", v) != napi_ok || napi_create_double(env, (double)ts.tv_nsec, &v) != napi_ok ||
      napi_set_named_property(env, obj, "tsNsec", v) != napi_ok)
    return throw_napi(env);
  return obj;
}

napi_value recv_batch(napi_env env, napi_callback_info info) {
  napi_value argv[2], out;
  int fd, max;
  uint32_t count = 0;
  struct scratch *s = get_scratch(env);
  if (!get_args(env, info, 2, argv) || !get_uint(env, argv[0], "fd", &fd) || !get_uint(env, argv[1], "maxFrames", &max)) return NULL;
  CHECK(napi_create_array(env, &out));
  s->ring_data = NULL; /* the rx messages are about to point elsewhere */
  while ((int)count < max) {
    int want = max - (int)count < RX_BATCH ? max - (int)count : RX_BATCH;
    for (int i = 0; i < want; i++) prepare_rx(s, (size_t)i, s->rx_buf[i] + VLAN_LEN, RX_FRAME_MAX);
    int got = receive_prepared(env, s, fd, (unsigned)want);
    if (got < 0) return NULL;
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

/* Points the rx messages at the ring's slots, unless they already are. */
static void prepare_ring(struct scratch *s, unsigned char *data, size_t slot_bytes, size_t slots) {
  if (s->ring_data == data && s->ring_slot_bytes == slot_bytes && s->ring_slots == slots) return;
  for (size_t i = 0; i < slots; i++) prepare_rx(s, i, data + i * slot_bytes + VLAN_LEN, slot_bytes - VLAN_LEN);
  s->ring_data = data;
  s->ring_slot_bytes = slot_bytes;
  s->ring_slots = slots;
}

napi_value recv_into(napi_env env, napi_callback_info info) {
  napi_value argv[6], result;
  int fd, slot_bytes;
  unsigned char *data;
  uint32_t *lengths, *offsets;
  double *oversize;
  size_t data_len, slots, n_off, n_over;
  struct scratch *s = get_scratch(env);
  if (!get_args(env, info, 6, argv) || !get_uint(env, argv[0], "fd", &fd) ||
      !get_typed(env, argv[1], napi_uint8_array, "data", (void **)&data, &data_len) ||
      !get_uint(env, argv[2], "slotBytes", &slot_bytes) ||
      !get_typed(env, argv[3], napi_uint32_array, "lengths", (void **)&lengths, &slots) ||
      !get_typed(env, argv[4], napi_uint32_array, "offsets", (void **)&offsets, &n_off) ||
      !get_typed(env, argv[5], napi_float64_array, "oversize", (void **)&oversize, &n_over))
    return NULL;
  if (slots < 1 || slots > MSG_MAX || n_off < slots || n_over < 1 || slot_bytes <= VLAN_LEN + FRAME_MIN ||
      slot_bytes > VLAN_LEN + FRAME_MAX || (size_t)slot_bytes * slots > data_len) {
    char msg[200];
    snprintf(msg, sizeof msg, "ring of %zu slots of %d bytes does not fit (data %zu bytes, %zu offsets, %zu counters; slots 1..%d, "
             "slotBytes %d..%d)", slots, slot_bytes, data_len, n_off, n_over, MSG_MAX, VLAN_LEN + FRAME_MIN + 1, VLAN_LEN + FRAME_MAX);
    return napi_throw_range_error(env, NULL, msg), NULL;
  }
  prepare_ring(s, data, (size_t)slot_bytes, slots);
  int got = receive_prepared(env, s, fd, (unsigned)slots);
  if (got < 0) return NULL;
  uint32_t count = 0, dropped = 0;
  for (int i = 0; i < got; i++) {
    struct mmsghdr *m = &s->rx_msg[i];
    unsigned char *frame = data + (size_t)i * (size_t)slot_bytes + VLAN_LEN;
    bool keep = s->rx_addr[i].sll_pkttype != PACKET_OUTGOING, cut = (m->msg_hdr.msg_flags & MSG_TRUNC) != 0;
    if (keep && !cut) {
      lengths[count] = (uint32_t)finish_frame(&m->msg_hdr, &frame, m->msg_len, NULL);
      offsets[count++] = (uint32_t)(frame - data);
    }
    dropped += keep && cut;
    /* recvmmsg changed these; put them back for the next call. */
    m->msg_hdr.msg_namelen = sizeof s->rx_addr[i];
    m->msg_hdr.msg_controllen = CTRL_LEN;
    m->msg_hdr.msg_flags = 0;
  }
  oversize[0] += dropped;
  CHECK(napi_create_uint32(env, count, &result));
  return result;
}
