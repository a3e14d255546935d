/*
 * af-packet.h: what the addon's three files share (af-packet.c: module,
 * open/stats/close and argument helpers; af-packet-io.c: frames in and out;
 * af-packet-poll.c: readiness callbacks). Internal; not an API.
 *
 * Invariant: every N-API function runs on the thread of its environment,
 * so the per-environment scratch space needs no locking.
 */
#ifndef AF_PACKET_H
#define AF_PACKET_H

#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <linux/if_packet.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define RX_BATCH 64        /* frames per recvmmsg in recvBatch */
#define RX_FRAME_MAX 65536 /* recvBatch truncates longer frames */
#define VLAN_LEN 4
#define MSG_MAX 1024 /* UIO_MAXIOV: the most sendmmsg/recvmmsg take at once */
#define CTRL_LEN 128

struct poll_state;

/* Per-environment scratch space (worker threads each get their own). */
struct scratch {
  /* recvBatch: copies out of these into new Buffers. */
  unsigned char rx_buf[RX_BATCH][VLAN_LEN + RX_FRAME_MAX];
  /* recvBatch and recvInto: one control buffer and address per message. */
  unsigned char rx_ctrl[MSG_MAX][CTRL_LEN];
  struct sockaddr_ll rx_addr[MSG_MAX];
  struct iovec rx_iov[MSG_MAX];
  struct mmsghdr rx_msg[MSG_MAX];
  /* The ring rx_iov/rx_msg are prepared for (recvInto reuses them as is). */
  unsigned char *ring_data;
  size_t ring_slot_bytes;
  size_t ring_slots;
  /* sendBatch and sendFrom: tx_msg[i] always points at tx_iov[i]. */
  struct iovec tx_iov[MSG_MAX];
  struct mmsghdr tx_msg[MSG_MAX];
  /* af-packet-poll.c: active readiness callbacks, and their async context. */
  struct poll_state *polls;
  napi_async_context poll_async;
};

#define CHECK(call)                                \
  do {                                             \
    if ((call) != napi_ok) return throw_napi(env); \
  } while (0)

/* af-packet.c */
napi_value throw_napi(napi_env env);
napi_value throw_errno(napi_env env, int err, const char *what);
struct scratch *get_scratch(napi_env env);
bool get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv);
bool get_uint(napi_env env, napi_value v, const char *name, int *out);
bool get_typed(napi_env env, napi_value v, napi_typedarray_type type, const char *name, void **data, size_t *length);

/* af-packet-io.c */
napi_value send_batch(napi_env env, napi_callback_info info);
napi_value send_from(napi_env env, napi_callback_info info);
napi_value recv_batch(napi_env env, napi_callback_info info);
napi_value recv_into(napi_env env, napi_callback_info info);
void init_io(struct scratch *s);

/* af-packet-poll.c */
napi_value poll_start(napi_env env, napi_callback_info info);
napi_value poll_stop(napi_env env, napi_callback_info info);
bool stop_poll(napi_env env, struct scratch *s, int fd);
void close_polls(void *scratch);

#endif
