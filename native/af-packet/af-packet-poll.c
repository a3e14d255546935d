/*
 * af-packet-poll.c: readiness callbacks. pollStart(fd, cb) watches fd with a
 * libuv poll handle on the environment's own event loop and calls cb() each
 * loop iteration in which the fd has something to read (level-triggered: a
 * callback that leaves frames queued is called again). pollStop(fd) ends it.
 *
 * Socket errors: when the kernel flags one (ENETDOWN when the interface goes
 * down), libuv reports POLLERR and stops the handle. We read and clear the
 * error (SO_ERROR), start polling again and call cb(error, false); if there
 * is no socket error to clear (the fd is not a socket any more), polling
 * stays stopped and cb gets (error, true). The caller then calls pollStop.
 *
 * Invariants:
 *  - At most one handle per fd (libuv misbehaves with two); pollStart on a
 *    polled fd throws EBUSY.
 *  - A handle keeps the process alive while it polls and not a moment after
 *    pollStop: the handle is stopped (so removed from epoll) and closed at
 *    once; its memory is freed in libuv's close callback, so pollStop (or
 *    closing the fd after it) from inside cb is safe.
 *  - cb runs through napi_make_callback, so promise jobs and nextTicks it
 *    queues run right after it, and an exception it throws is an uncaught
 *    exception of the process, as for any other I/O callback.
 *  - Worker exit or environment teardown closes every handle left.
 * Left out: writable readiness (sends never wait: a full queue is reported
 * by the send calls), unref'd handles.
 */
#include "af-packet.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

struct poll_state {
  uv_poll_t handle; /* first: a handle pointer is a poll_state pointer */
  napi_env env;
  napi_ref callback;
  struct scratch *s;
  struct poll_state *next;
  int fd;
};

static void free_poll(uv_handle_t *h) { free(h); }

/* Unlinks p and closes its handle; no JS calls, so teardown may use it too. */
static void close_poll(struct scratch *s, struct poll_state *p) {
  for (struct poll_state **pp = &s->polls; *pp != NULL; pp = &(*pp)->next) {
    if (*pp == p) {
      *pp = p->next;
      break;
    }
  }
  uv_poll_stop(&p->handle);
  uv_close((uv_handle_t *)&p->handle, free_poll);
}

void close_polls(void *scratch) {
  struct scratch *s = scratch;
  while (s->polls != NULL) close_poll(s, s->polls);
}

static struct poll_state *find_poll(struct scratch *s, int fd) {
  struct poll_state *p = s->polls;
  while (p != NULL && p->fd != fd) p = p->next;
  return p;
}

static void on_poll(uv_poll_t *handle, int status, int events);

/*
 * The error for a failed poll: the socket error if there is one (reading it
 * clears it, and polling starts again), else libuv's (polling stays stopped).
 */
static napi_value poll_error(struct poll_state *p, int status, bool *stopped) {
  napi_env env = p->env;
  int err = 0;
  socklen_t len = sizeof err;
  char msg[160];
  const char *code;
  if (getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err != 0) {
    *stopped = uv_poll_start(&p->handle, UV_READABLE, on_poll) != 0;
    code = strerrorname_np(err);
    snprintf(msg, sizeof msg, "socket error on fd %d: %s", p->fd, strerror(err));
  } else {
    *stopped = true;
    code = uv_err_name(status);
    snprintf(msg, sizeof msg, "polling fd %d failed: %s", p->fd, uv_strerror(status));
  }
  napi_value code_v, msg_v, error;
  if (napi_create_string_utf8(env, code != NULL ? code : "EUNKNOWN", NAPI_AUTO_LENGTH, &code_v) != napi_ok ||
      napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &msg_v) != napi_ok || napi_create_error(env, code_v, msg_v, &error) != napi_ok)
    return NULL;
  return error;
}

/* Calls the JS callback as an I/O callback: () when readable, (error, stopped) on error. */
static void on_poll(uv_poll_t *handle, int status, int events) {
  (void)events;
  struct poll_state *p = (struct poll_state *)handle;
  napi_env env = p->env;
  napi_handle_scope scope;
  napi_value cb, recv, result, argv[2];
  size_t argc = 0;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_status st = napi_ok;
  if (status < 0) {
    bool stopped = false;
    argv[0] = poll_error(p, status, &stopped);
    st = argv[0] == NULL ? napi_generic_failure : napi_get_boolean(env, stopped, &argv[1]);
    argc = 2;
  }
  if (st == napi_ok) st = napi_get_reference_value(env, p->callback, &cb);
  if (st == napi_ok) st = napi_get_global(env, &recv);
  /* From here on p may be freed (pollStop in cb frees it in a later close callback, never during the call). */
  if (st == napi_ok) st = napi_make_callback(env, p->s->poll_async, recv, cb, argc, argv, &result);
  bool pending = false;
  napi_value exception;
  if (st != napi_ok && napi_is_exception_pending(env, &pending) == napi_ok && pending &&
      napi_get_and_clear_last_exception(env, &exception) == napi_ok)
    napi_fatal_exception(env, exception);
  napi_close_handle_scope(env, scope);
}

napi_value poll_start(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  napi_valuetype t;
  int fd;
  struct scratch *s = get_scratch(env);
  if (!get_args(env, info, 2, argv) || !get_uint(env, argv[0], "fd", &fd)) return NULL;
  CHECK(napi_typeof(env, argv[1], &t));
  if (t != napi_function) return napi_throw_type_error(env, NULL, "callback must be a function"), NULL;
  char what[64];
  if (find_poll(s, fd) != NULL) {
    snprintf(what, sizeof what, "pollStart on fd %d", fd);
    return throw_errno(env, EBUSY, what);
  }
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  if (s->poll_async == NULL) {
    napi_value name;
    CHECK(napi_create_string_utf8(env, "AfPacketReadable", NAPI_AUTO_LENGTH, &name));
    CHECK(napi_async_init(env, NULL, name, &s->poll_async));
  }
  struct poll_state *p = calloc(1, sizeof *p);
  if (p == NULL) return throw_errno(env, ENOMEM, "pollStart");
  p->env = env;
  p->s = s;
  p->fd = fd;
  int rc = uv_poll_init(loop, &p->handle, fd);
  if (rc != 0) {
    free(p);
    snprintf(what, sizeof what, "uv_poll_init on fd %d", fd);
    return throw_errno(env, -rc, what);
  }
  p->next = s->polls;
  s->polls = p;
  rc = uv_poll_start(&p->handle, UV_READABLE, on_poll);
  if (rc != 0 || napi_create_reference(env, argv[1], 1, &p->callback) != napi_ok) {
    close_poll(s, p);
    if (rc == 0) return throw_napi(env);
    snprintf(what, sizeof what, "uv_poll_start on fd %d", fd);
    return throw_errno(env, -rc, what);
  }
  return NULL;
}

/* Stops and closes fd's poll handle if it has one; returns whether it had. */
bool stop_poll(napi_env env, struct scratch *s, int fd) {
  struct poll_state *p = find_poll(s, fd);
  if (p == NULL) return false;
  napi_delete_reference(env, p->callback);
  close_poll(s, p);
  return true;
}

napi_value poll_stop(napi_env env, napi_callback_info info) {
  napi_value argv[1], result;
  int fd;
  if (!get_args(env, info, 1, argv) || !get_uint(env, argv[0], "fd", &fd)) return NULL;
  CHECK(napi_get_boolean(env, stop_poll(env, get_scratch(env), fd), &result));
  return result;
}
