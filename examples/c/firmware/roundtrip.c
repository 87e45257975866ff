/* The Rust firmware's round trip (examples/firmware, bin `roundtrip`), written in C against
 * apify.h: start "janedoe~my-task" with options through the call machine, write the request
 * through a 128-byte buffer into a socket stand-in, feed the canned 201 response back in
 * 64-byte segments, read the run. Then the SysTick ticks to read the response (head and the
 * 1,929-byte body) whole and in 64-byte chunks. Printed over semihosting; scripts/footprint
 * reads it. The canned response (canned.h, made from the shared fixture by
 * scripts/c-firmware) stands in for the network and is left out of the flash figure. */
#include "apify.h"
#include "canned.h"
#include "firmware.h"

/* Static: zero bits, in .bss (not flash); the library checks they were initialised. */
static apify_reader reader;
static apify_call call;

/* The socket stand-in: counts what was sent and keeps its first 64 bytes. */
static char request_start[65];
static uint32_t request_len;

static void socket_send(const uint8_t *data, size_t len) {
  size_t i;
  for (i = 0; i < len; i++, request_len++)
    if (request_len < 64) request_start[request_len] = (char)data[i];
}

/* Reads the canned response into the reader in `segment`-byte pieces. */
static apify_error receive(size_t segment) {
  size_t at = 0;
  apify_error e = apify_reader_init(&reader);
  while (e == APIFY_ERROR_OK && at < CANNED_LEN) {
    size_t n = CANNED_LEN - at < segment ? CANNED_LEN - at : segment;
    e = apify_reader_feed(&reader, CANNED + at, n, 0);
    at += n;
  }
  return e == APIFY_ERROR_OK ? apify_reader_finish(&reader) : e;
}

static char run_id[25];

__attribute__((noinline)) static int round_trip(void) {
  uint8_t buffer[128];
  apify_run_options options = {0};
  apify_api api = {0};
  apify_action action = {0};
  const char *id = 0;
  size_t id_len = 0, i;
  uint64_t now = 0;
  int steps;

  options.set = APIFY_OPTION_MEMORY | APIFY_OPTION_TIMEOUT;
  options.memory_mbytes = 256;
  options.timeout_secs = 300;
  api.base_url = "http://192.168.1.10:8080";
  api.token = "apify_api_firmware";
  if (apify_call_start(&call, "janedoe~my-task", &options, 0, 0) != APIFY_ERROR_OK) return 0;
  for (steps = 0; steps < 16; steps++) { /* bounded: the stand-in never fails */
    if (apify_call_next(&call, ++now, &action) != APIFY_ERROR_OK) return 0;
    if (action.kind == APIFY_ACTION_KIND_DONE) break;
    if (action.kind == APIFY_ACTION_KIND_SLEEP) {
      now += action.ms;
      continue;
    }
    {
      size_t offset = 0, written = 0, total = 1;
      while (offset < total) {
        if (apify_call_request(&call, &api, offset, buffer, sizeof buffer, &written, &total) != APIFY_ERROR_OK)
          return 0;
        socket_send(buffer, written);
        offset += written;
      }
    }
    receive(64);
    if (apify_call_on_response(&call, ++now, &reader) != APIFY_ERROR_OK) return 0;
  }
  if (apify_call_run_id(&call, &id, &id_len, 0) != APIFY_ERROR_OK || id_len > 24) return 0;
  for (i = 0; i < id_len; i++) run_id[i] = id[i];
  return action.kind == APIFY_ACTION_KIND_DONE && action.finish == APIFY_FINISH_TERMINAL;
}

static uint32_t read_ticks(size_t segment, int *ok) {
  uint32_t start = systick_now(), end;
  apify_run_status status = APIFY_RUN_STATUS_OTHER;
  bool terminal = false;
  *ok = receive(segment) == APIFY_ERROR_OK &&
        apify_reader_run_status(&reader, &status, &terminal) == APIFY_ERROR_OK && terminal;
  end = systick_now();
  return (start - end) & 0x00FFFFFFu;
}

int main(void) {
  uintptr_t sp;
  uint32_t peak, whole, chunked;
  int ok, ok_whole, ok_chunked;

  systick_start();
  sp = stack_paint();
  ok = round_trip();
  peak = stack_used_below(sp);
  request_start[64] = '\0';
  for (sp = 0; sp < 64; sp++)
    if (request_start[sp] == '\r') request_start[sp] = '\0';

  print("request: ");
  print(request_start);
  print("\nrequest bytes: ");
  print_u32(request_len);
  print("\nrun: ");
  print(run_id);
  print(ok ? " terminal=true ok=true\n" : " ok=false\n");
  print("ram: apify_reader ");
  print_u32((uint32_t)sizeof reader);
  print(" bytes, apify_call ");
  print_u32((uint32_t)sizeof call);
  print(" bytes\nstack: round trip peak ");
  print_u32(peak);
  print(" bytes with a 128-byte buffer\ncanned: ");
  print_u32(CANNED_LEN);
  whole = read_ticks(CANNED_LEN, &ok_whole);
  chunked = read_ticks(64, &ok_chunked);
  print(" bytes\nticks: whole ");
  print_u32(whole);
  print(ok_whole ? " ok=true\nticks: chunks64 " : " ok=false\nticks: chunks64 ");
  print_u32(chunked);
  print(ok_chunked ? " ok=true\n" : " ok=false\n");
  return ok && ok_whole && ok_chunked ? 0 : 1;
}
