/* Starts an Apify task and follows its run to the end, from C, over POSIX sockets.
 *
 *   run_task [--base-url http://HOST:PORT] [--wait SECS] TASK
 *
 * The token comes from APIFY_TOKEN (none if unset). This program speaks plain HTTP (the local
 * stand-in, a gateway on your network); for https://api.apify.com put your TLS library under
 * exchange() and set api.tls: the library refuses to write a request with the token for an
 * https:// address over a connection that is not TLS.
 *
 * Build (after `cargo build --release -p apify-ffi`):
 *   cc -std=c99 -Iffi/include examples/c/run_task.c target/release/libapify_ffi.a \
 *      -Wl,--gc-sections -lpthread -ldl -lm -o run_task
 * Try it against the stand-in (`cargo run -p apify-run -- stub --port 8080`):
 *   ./run_task --base-url http://127.0.0.1:8080 --wait 30 janedoe~my-task
 *
 * Exit status: 0 when the run SUCCEEDED (or, without --wait, was started), 1 when it ended
 * otherwise or the call failed, 2 for bad arguments. */
#define _POSIX_C_SOURCE 200809L
#include "apify.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000u + (uint64_t)t.tv_nsec / 1000000u;
}

static void sleep_ms(uint32_t ms) {
  struct timespec t;
  t.tv_sec = ms / 1000u;
  t.tv_nsec = (long)(ms % 1000u) * 1000000L;
  while (nanosleep(&t, &t) != 0 && errno == EINTR) {
  }
}

/* "http://HOST:PORT" (or without the port: 80) into its host and port. */
static int parse_base_url(const char *url, char *host, size_t host_len, char *port, size_t port_len) {
  const char *rest, *colon, *end;
  if (strncmp(url, "http://", 7) != 0) return -1;
  rest = url + 7;
  end = rest + strcspn(rest, "/");
  colon = memchr(rest, ':', (size_t)(end - rest));
  if (!colon) colon = end;
  if (colon == rest || (size_t)(colon - rest) >= host_len) return -1;
  memcpy(host, rest, (size_t)(colon - rest));
  host[colon - rest] = '\0';
  if (colon == end) {
    snprintf(port, port_len, "80");
  } else {
    if ((size_t)(end - colon - 1) >= port_len || end - colon - 1 == 0) return -1;
    memcpy(port, colon + 1, (size_t)(end - colon - 1));
    port[end - colon - 1] = '\0';
  }
  return 0;
}

static char host[256], port[8];

/* Bounds the socket's next wait by the time left to the attempt's deadline (Linux applies
 * SO_SNDTIMEO to connect too). Returns 0 once the deadline has passed. */
static int bound_waits(int fd, uint64_t deadline) {
  struct timeval tv;
  uint64_t now = now_ms(), left;
  if (now >= deadline) return 0;
  left = deadline - now;
  tv.tv_sec = (time_t)(left / 1000u);
  tv.tv_usec = (suseconds_t)(left % 1000u) * 1000;
  return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0 &&
         setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0;
}

/* One exchange: connect, write the request the call names, read the response into the
 * reader. Reports the answer, or how far it got and what ended it, to the call. Every socket
 * wait is bounded by the attempt's timeout. */
static void exchange(apify_call *call, const apify_api *api, apify_reader *reader, uint32_t timeout_ms) {
  struct addrinfo hints, *found = NULL;
  uint8_t buf[256];
  size_t offset = 0, written = 0, total = 1;
  uint64_t deadline = now_ms() + timeout_ms;
  bool complete = false, any_written = false;
  int fd = -1, rc;

  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  /* The resolver's own timeouts bound this (resolv.conf); a numeric host needs none. */
  if ((rc = getaddrinfo(host, port, &hints, &found)) != 0) {
    apify_call_on_failure(call, now_ms(), APIFY_STAGE_RESOLVE, APIFY_CAUSE_HOST_NOT_FOUND);
    return;
  }
  fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0 || !bound_waits(fd, deadline) || connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    uint32_t cause = errno == ECONNREFUSED ? APIFY_CAUSE_REFUSED
                     : (errno == ETIMEDOUT || errno == EINPROGRESS) ? APIFY_CAUSE_TIMEOUT
                                                                   : APIFY_CAUSE_OTHER;
    freeaddrinfo(found);
    if (fd >= 0) close(fd);
    apify_call_on_failure(call, now_ms(), APIFY_STAGE_CONNECT, cause);
    return;
  }
  freeaddrinfo(found);

  /* The request, window by window through a 256-byte buffer. */
  while (offset < total) {
    apify_error e = apify_call_request(call, api, offset, buf, sizeof buf, &written, &total);
    ssize_t sent;
    size_t at = 0;
    if (e != APIFY_ERROR_OK) {
      fprintf(stderr, "run_task: cannot write the request: %s\n", apify_error_message(e));
      close(fd);
      exit(2);
    }
    while (at < written) {
      /* MSG_NOSIGNAL: a reset peer is an error here, not a SIGPIPE. */
      sent = bound_waits(fd, deadline) ? send(fd, buf + at, written - at, MSG_NOSIGNAL) : (errno = EAGAIN, -1);
      /* Whatever was handed over counts, even past the deadline: a start that may have
       * reached the server must never be reported as unsent (it would be sent again). */
      if (sent > 0) any_written = true;
      if (sent <= 0 || now_ms() >= deadline) {
        close(fd);
        apify_call_on_failure(call, now_ms(), any_written ? APIFY_STAGE_WRITE_PARTIAL : APIFY_STAGE_WRITE_NOTHING,
                              sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK ? APIFY_CAUSE_CLOSED
                                                                                 : APIFY_CAUSE_TIMEOUT);
        return;
      }
      at += (size_t)sent;
    }
    offset += written;
  }

  /* The response, in whatever pieces the socket gives. */
  apify_reader_init(reader);
  while (!complete) {
    ssize_t got = bound_waits(fd, deadline) ? recv(fd, buf, sizeof buf, 0) : (errno = EAGAIN, -1);
    if (got == 0) break; /* closed: finish() says whether the response was whole */
    if (got < 0 || now_ms() >= deadline) {
      close(fd);
      apify_call_on_failure(call, now_ms(), APIFY_STAGE_READ,
                            got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? APIFY_CAUSE_TIMEOUT
                            : got < 0                                           ? APIFY_CAUSE_CLOSED
                                                                                : APIFY_CAUSE_TIMEOUT);
      return;
    }
    if (apify_reader_feed(reader, buf, (size_t)got, &complete) != APIFY_ERROR_OK) break;
  }
  close(fd);
  apify_reader_finish(reader); /* an error stays in the reader; the call reads it */
  apify_call_on_response(call, now_ms(), reader);
}

static const char *status_name(apify_run_status status) {
  static const char *names[] = {"OTHER",    "READY",     "RUNNING",  "SUCCEEDED", "FAILED",
                                "TIMING-OUT", "TIMED-OUT", "ABORTING", "ABORTED"};
  return status < sizeof names / sizeof names[0] ? names[status] : "?";
}

int main(int argc, char **argv) {
  static apify_call call;
  static apify_reader reader;
  apify_api api;
  apify_call_settings settings;
  apify_action action;
  apify_run_status status = APIFY_RUN_STATUS_OTHER, shown = APIFY_RUN_STATUS_OTHER;
  const char *base_url = "http://127.0.0.1:8080", *task = NULL;
  char sentence[256];
  bool terminal = false;
  apify_error e;
  int i;

  memset(&settings, 0, sizeof settings);
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--base-url") == 0 && i + 1 < argc) base_url = argv[++i];
    else if (strcmp(argv[i], "--wait") == 0 && i + 1 < argc) {
      char *end = NULL;
      unsigned long secs = strtoul(argv[++i], &end, 10);
      if (*argv[i] == '-' || *end != '\0' || secs > 4000000ul) task = NULL, i = argc; /* up to 46 days */
      else settings.wait_ms = (uint32_t)secs * 1000u;
    }
    else if (argv[i][0] != '-' && !task) task = argv[i];
    else task = NULL, i = argc;
  }
  if (!task || parse_base_url(base_url, host, sizeof host, port, sizeof port) != 0) {
    fprintf(stderr, "usage: %s [--base-url http://HOST:PORT] [--wait SECS] TASK\n", argv[0]);
    return 2;
  }
  memset(&api, 0, sizeof api);
  api.base_url = base_url;
  api.token = getenv("APIFY_TOKEN");
  settings.seed = (uint32_t)getpid() ^ (uint32_t)now_ms();

  apify_reader_init(&reader); /* holds no response until the first exchange */
  if ((e = apify_call_start(&call, task, NULL, NULL, &settings)) != APIFY_ERROR_OK) {
    fprintf(stderr, "run_task: %s\n", apify_error_message(e));
    return 2;
  }
  for (;;) {
    if ((e = apify_call_next(&call, now_ms(), &action)) != APIFY_ERROR_OK) {
      fprintf(stderr, "run_task: %s\n", apify_error_message(e));
      return 1;
    }
    if (action.kind == APIFY_ACTION_KIND_DONE) break;
    if (action.kind == APIFY_ACTION_KIND_SLEEP) {
      if (action.sleep_reason == APIFY_SLEEP_REASON_RETRY) {
        /* A sentence longer than the buffer is cut, still NUL-terminated. */
        apify_call_describe(&call, &reader, sentence, sizeof sentence, NULL);
        printf("retry %u/%u in %lu ms: %s\n", (unsigned)action.attempt, (unsigned)action.max_attempts,
               (unsigned long)action.ms, sentence);
      }
      sleep_ms(action.ms);
      continue;
    }
    exchange(&call, &api, &reader, action.ms);
    /* Show each new status as it comes. */
    if (apify_reader_run_status(&reader, &status, &terminal) == APIFY_ERROR_OK && status != shown) {
      const char *id = NULL;
      size_t len = 0;
      apify_call_run_id(&call, &id, &len, NULL);
      printf("%.*s %s\n", (int)len, id ? id : "", status_name(status));
      fflush(stdout);
      shown = status;
    }
  }
  apify_call_describe(&call, &reader, sentence, sizeof sentence, NULL);
  printf("%s\n", sentence);
  if (action.finish == APIFY_FINISH_OUTCOME_UNKNOWN)
    printf("check the task's last run before starting it again\n");
  if (action.finish == APIFY_FINISH_STARTED) return 0;
  return action.finish == APIFY_FINISH_TERMINAL && apify_reader_run_status(&reader, &status, &terminal) == APIFY_ERROR_OK &&
                 status == APIFY_RUN_STATUS_SUCCEEDED
             ? 0
             : 1;
}
