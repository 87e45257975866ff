/* Tests of the C API from C (and, compiled as C++17, from C++): run by ffi/tests/c.rs.
 *
 *   abi_test dump FILE...   decodes each HTTP response in FILE whole, in 64-, 7- and 1-byte
 *                           chunks, and prints what it read for each (c.rs compares it with
 *                           the Rust decoder's reading of the same bytes)
 *   abi_test misuse         calls every function with bad arguments and in the wrong order;
 *                           each must return its error code (and nothing may crash)
 */
#include "apify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
static int checks = 0;

#define EXPECT(code, expected)                                                                  \
  do {                                                                                          \
    apify_error got_ = (code);                                                                  \
    checks++;                                                                                   \
    if (got_ != (apify_error)(expected)) {                                                      \
      fprintf(stderr, "%s:%d: %s gave %u (%s), expected %s\n", __FILE__, __LINE__, #code,      \
              (unsigned)got_, apify_error_message(got_), #expected);                           \
      failures++;                                                                               \
    }                                                                                           \
  } while (0)

#define CHECK(cond)                                                                             \
  do {                                                                                          \
    checks++;                                                                                   \
    if (!(cond)) {                                                                              \
      fprintf(stderr, "%s:%d: %s is false\n", __FILE__, __LINE__, #cond);                      \
      failures++;                                                                               \
    }                                                                                           \
  } while (0)

/* Bytes printed as they are when visible ASCII, else as \xHH (the same as c.rs). */
static void print_text(const char *text, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) {
    unsigned char c = (unsigned char)text[i];
    if (c >= 0x20 && c < 0x7f && c != '\\') putchar(c);
    else printf("\\x%02x", c);
  }
}

static void dump(const apify_reader *reader) {
  uint16_t status = 0;
  apify_outcome outcome = APIFY_OUTCOME_RUN;
  apify_run_status run_status = APIFY_RUN_STATUS_OTHER;
  bool terminal = false;
  size_t i, count = apify_field_count();
  if (apify_reader_status(reader, &status) != APIFY_ERROR_OK ||
      apify_reader_outcome(reader, &outcome) != APIFY_ERROR_OK) {
    printf("no response\n");
    return;
  }
  printf("status=%u outcome=%u", (unsigned)status, (unsigned)outcome);
  if (apify_reader_run_status(reader, &run_status, &terminal) == APIFY_ERROR_OK)
    printf(" run_status=%u terminal=%d", (unsigned)run_status, terminal ? 1 : 0);
  printf("\n");
  for (i = 0; i < count; i++) {
    char path[128], text[128];
    apify_value value;
    apify_error e = apify_reader_field_at(reader, i, &value);
    if (e == APIFY_ERROR_NO_VALUE) continue;
    if (e != APIFY_ERROR_OK || apify_field_path(i, path, sizeof path, NULL) != APIFY_ERROR_OK) {
      printf("field %u: %s\n", (unsigned)i, apify_error_message(e));
      continue;
    }
    printf("%s=", path);
    switch (value.kind) {
      case APIFY_VALUE_KIND_TEXT:
        printf("\"");
        print_text(value.text, value.text_len);
        printf("\"%s", value.truncated ? " (truncated)" : "");
        break;
      case APIFY_VALUE_KIND_TIMESTAMP:
        printf("@%lld.%09lu%+d", (long long)value.unix_seconds, (unsigned long)value.nanos,
               (int)value.offset_minutes);
        break;
      case APIFY_VALUE_KIND_UNSIGNED: printf("%llu", (unsigned long long)value.unsigned_value); break;
      case APIFY_VALUE_KIND_SIGNED: printf("%lld", (long long)value.signed_value); break;
      case APIFY_VALUE_KIND_BOOL: printf("%s", value.boolean ? "true" : "false"); break;
      case APIFY_VALUE_KIND_DECIMAL: {
        int64_t scaled = 0;
        bool exact = false;
        apify_decimal_text(&value, text, sizeof text, NULL);
        printf("%s", text);
        if (apify_decimal_scaled(&value, 6, &scaled, &exact) == APIFY_ERROR_OK)
          printf(" e6=%lld%s", (long long)scaled, exact ? "" : " (inexact)");
        else
          printf(" e6=out-of-range");
        break;
      }
      default: printf("kind %u?", (unsigned)value.kind);
    }
    printf("\n");
  }
}

static unsigned char file_bytes[1 << 16];

static int dump_file(const char *name) {
  static const size_t chunkings[] = {0, 64, 7, 1};
  size_t len, c;
  FILE *f = fopen(name, "rb");
  if (!f) {
    perror(name);
    return 1;
  }
  len = fread(file_bytes, 1, sizeof file_bytes, f);
  fclose(f);
  for (c = 0; c < sizeof chunkings / sizeof chunkings[0]; c++) {
    static apify_reader reader;
    size_t step = chunkings[c] ? chunkings[c] : len, at;
    apify_error e = apify_reader_init(&reader);
    for (at = 0; at < len && e == APIFY_ERROR_OK; at += step) {
      size_t n = len - at < step ? len - at : step;
      e = apify_reader_feed(&reader, file_bytes + at, n, NULL);
    }
    if (e == APIFY_ERROR_OK) e = apify_reader_finish(&reader);
    printf("== %s chunk=%u\n", name, (unsigned)chunkings[c]);
    if (e != APIFY_ERROR_OK) {
      char why[160];
      apify_reader_describe(&reader, why, sizeof why, NULL);
      printf("error %u: %s\n", (unsigned)e, why);
      continue;
    }
    dump(&reader);
  }
  return 0;
}

static const char RUN[] =
    "HTTP/1.1 201 Created\r\nContent-Length: 52\r\n\r\n"
    "{\"data\":{\"id\":\"HG7ML7M8z78YcAPEB\",\"status\":\"READY\"}}";

static void misuse(void) {
  static apify_reader reader, zeroed, copy;
  static apify_call call;
  static uint64_t raw[(APIFY_READER_SIZE / 8) + 1];
  apify_api api, https_api;
  apify_value value;
  apify_action action;
  apify_run_options options;
  apify_webhook hook;
  apify_input input;
  const char *events[1] = {"ACTOR.RUN.FAILED"};
  uint8_t scratch[256], buf[512];
  char text[8];
  size_t written = 0, total = 0, needed = 0;
  uint16_t status = 0;
  bool complete = false;
  apify_outcome outcome;

  memset(&api, 0, sizeof api);
  api.base_url = "http://127.0.0.1:8080";
  api.token = "apify_api_secret";
  https_api = api;
  https_api.base_url = "https://api.apify.com";

  /* Null pointers. */
  EXPECT(apify_reader_init(NULL), APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_reader_feed(NULL, (const uint8_t *)"x", 1, NULL), APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_reader_finish(NULL), APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_reader_status(NULL, &status), APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_reader_field(NULL, "data.id", &value), APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_call_start(NULL, "janedoe~my-task", NULL, NULL, NULL), APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_call_next(NULL, 0, &action), APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_request_get_run(NULL, "HG7ML7M8z78YcAPEB", -1, 0, buf, sizeof buf, &written, NULL),
         APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_request_get_run(&api, NULL, -1, 0, buf, sizeof buf, &written, NULL), APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_request_get_run(&api, "HG7ML7M8z78YcAPEB", -1, 0, NULL, 10, &written, NULL),
         APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_request_get_run(&api, "HG7ML7M8z78YcAPEB", -1, 0, buf, sizeof buf, NULL, NULL),
         APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_reader_init(&reader), APIFY_ERROR_OK);
  EXPECT(apify_reader_feed(&reader, NULL, 3, NULL), APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_reader_feed(&reader, NULL, 0, NULL), APIFY_ERROR_OK);
  EXPECT(apify_decimal_text(NULL, text, sizeof text, NULL), APIFY_ERROR_NULL_ARGUMENT);
  CHECK(apify_error_message(12345) != NULL);

  /* Storage never initialised, copied elsewhere, or misaligned. */
  EXPECT(apify_reader_feed(&zeroed, (const uint8_t *)RUN, 10, NULL), APIFY_ERROR_NOT_INITIALISED);
  EXPECT(apify_reader_status(&zeroed, &status), APIFY_ERROR_NOT_INITIALISED);
  EXPECT(apify_call_next(&call, 0, &action), APIFY_ERROR_NOT_INITIALISED);
  memcpy(&copy, &reader, sizeof reader);
  EXPECT(apify_reader_feed(&copy, (const uint8_t *)RUN, 10, NULL), APIFY_ERROR_NOT_INITIALISED);
  EXPECT(apify_reader_init((apify_reader *)(void *)((char *)raw + 4)), APIFY_ERROR_MISALIGNED);

  /* Wrong order. */
  EXPECT(apify_reader_init(&reader), APIFY_ERROR_OK);
  EXPECT(apify_reader_status(&reader, &status), APIFY_ERROR_WRONG_STATE);
  EXPECT(apify_reader_feed(&reader, (const uint8_t *)RUN, sizeof RUN - 1, &complete), APIFY_ERROR_OK);
  CHECK(complete);
  EXPECT(apify_reader_status(&reader, &status), APIFY_ERROR_OK); /* the head is in */
  CHECK(status == 201);
  EXPECT(apify_reader_field(&reader, "data.id", &value), APIFY_ERROR_WRONG_STATE); /* not finished */
  EXPECT(apify_reader_outcome(&reader, &outcome), APIFY_ERROR_WRONG_STATE);
  EXPECT(apify_reader_finish(&reader), APIFY_ERROR_OK);
  EXPECT(apify_reader_field(&reader, "data.id", &value), APIFY_ERROR_OK);
  CHECK(value.kind == APIFY_VALUE_KIND_TEXT && value.text_len == 17 && !memcmp(value.text, "HG7ML7M8z78YcAPEB", 17));
  EXPECT(apify_reader_field(&reader, "data.nope", &value), APIFY_ERROR_UNKNOWN_FIELD);
  EXPECT(apify_reader_field(&reader, "data.meta", &value), APIFY_ERROR_UNKNOWN_FIELD);
  EXPECT(apify_reader_field(&reader, "data.exitCode", &value), APIFY_ERROR_NO_VALUE);
  EXPECT(apify_reader_field(&reader, "error.message", &value), APIFY_ERROR_NO_VALUE);
  EXPECT(apify_decimal_text(&value, text, sizeof text, NULL), APIFY_ERROR_INVALID_ARGUMENT); /* a text */
  EXPECT(apify_reader_feed(&reader, (const uint8_t *)"x", 1, NULL), APIFY_ERROR_MALFORMED_RESPONSE);
  EXPECT(apify_reader_field(&reader, "data.id", &value), APIFY_ERROR_WRONG_STATE); /* failed now */
  EXPECT(apify_reader_describe(&reader, (char *)buf, sizeof buf, NULL), APIFY_ERROR_OK);
  CHECK(strcmp((const char *)buf, "data after the end of the response") == 0);
  EXPECT(apify_reader_init(&reader), APIFY_ERROR_OK);
  EXPECT(apify_reader_finish(&reader), APIFY_ERROR_NO_RESPONSE);
  EXPECT(apify_reader_init(&reader), APIFY_ERROR_OK);
  EXPECT(apify_reader_feed(&reader, (const uint8_t *)RUN, sizeof RUN - 5, NULL), APIFY_ERROR_OK);
  EXPECT(apify_reader_finish(&reader), APIFY_ERROR_TRUNCATED_RESPONSE);
  EXPECT(apify_reader_init(&reader), APIFY_ERROR_OK);
  EXPECT(apify_reader_feed(&reader, (const uint8_t *)"HTTP/9 200\r\n", 12, NULL), APIFY_ERROR_MALFORMED_RESPONSE);

  /* Short buffers say what they need. */
  EXPECT(apify_field_path(0, text, 2, &needed), APIFY_ERROR_BUFFER_TOO_SMALL);
  CHECK(needed == strlen("error.type") + 1);
  CHECK(text[0] == 'e' && text[1] == '\0'); /* cut and terminated, as snprintf does */
  {
    apify_value forged;
    int64_t scaled = 7;
    memset(&forged, 0, sizeof forged);
    forged.kind = (apify_value_kind)99; /* a uint32_t in C: any value is refused, not read */
    EXPECT(apify_decimal_text(&forged, text, sizeof text, NULL), APIFY_ERROR_INVALID_ARGUMENT);
    forged.kind = APIFY_VALUE_KIND_DECIMAL;
    forged.mantissa = 125;
    forged.exponent = -2;
    EXPECT(apify_decimal_scaled(&forged, 2, NULL, NULL), APIFY_ERROR_NULL_ARGUMENT);
    EXPECT(apify_decimal_scaled(&forged, 2, &scaled, NULL), APIFY_ERROR_OK);
    CHECK(scaled == 125);
    EXPECT(apify_decimal_text(&forged, text, sizeof text, NULL), APIFY_ERROR_OK);
    CHECK(strcmp(text, "1.25") == 0);
  }
  EXPECT(apify_field_path(0, text, sizeof text, NULL), APIFY_ERROR_BUFFER_TOO_SMALL);
  EXPECT(apify_field_path(0, (char *)buf, sizeof buf, NULL), APIFY_ERROR_OK);
  CHECK(strcmp((const char *)buf, "error.type") == 0);
  EXPECT(apify_field_path(100000, text, sizeof text, NULL), APIFY_ERROR_UNKNOWN_FIELD);

  /* Bad values. */
  EXPECT(apify_request_get_run(&api, "HG7ML7M8z78YcAPEB", 61, 0, buf, sizeof buf, &written, NULL),
         APIFY_ERROR_INVALID_ARGUMENT);
  EXPECT(apify_request_abort_run(&api, "HG7ML7M8z78YcAPEB", 2, 0, buf, sizeof buf, &written, NULL),
         APIFY_ERROR_INVALID_ARGUMENT);
  EXPECT(apify_request_get_run(&api, "", -1, 0, buf, sizeof buf, &written, NULL),
         APIFY_ERROR_INVALID_RUN_ID);
  EXPECT(apify_request_run_task(&api, "", NULL, NULL, 0, buf, sizeof buf, &written, NULL),
         APIFY_ERROR_INVALID_TASK_ID);
  EXPECT(apify_input_from_json(&input, (const uint8_t *)"[1]", 3), APIFY_ERROR_INVALID_INPUT);
  EXPECT(apify_input_from_json(&input, (const uint8_t *)"{\"a\":", 5), APIFY_ERROR_INVALID_INPUT);
  EXPECT(apify_input_from_json(&input, (const uint8_t *)"{\"a\":1}", 7), APIFY_ERROR_OK);
  EXPECT(apify_request_run_task(&api, "janedoe~my-task", NULL, &input, 0, buf, sizeof buf, &written, &total),
         APIFY_ERROR_OK);
  CHECK(written == total && memcmp(buf + total - 7, "{\"a\":1}", 7) == 0);
  input.len = 3; /* changed by hand: refused */
  EXPECT(apify_request_run_task(&api, "janedoe~my-task", NULL, &input, 0, buf, sizeof buf, &written, NULL),
         APIFY_ERROR_INVALID_INPUT);
  EXPECT(apify_request_run_task(&https_api, "janedoe~my-task", NULL, NULL, 0, buf, sizeof buf, &written, NULL),
         APIFY_ERROR_TLS_REQUIRED);
  https_api.tls = true;
  EXPECT(apify_request_run_task(&https_api, "janedoe~my-task", NULL, NULL, 0, buf, sizeof buf, &written, NULL),
         APIFY_ERROR_OK);
  EXPECT(apify_request_get_run(&api, "\xff\xfe", -1, 0, buf, sizeof buf, &written, NULL),
         APIFY_ERROR_INVALID_ARGUMENT);
  memset(&options, 0, sizeof options);
  options.set = APIFY_OPTION_MEMORY;
  options.memory_mbytes = 1000;
  EXPECT(apify_request_run_task(&api, "janedoe~my-task", &options, NULL, 0, buf, sizeof buf, &written, NULL),
         APIFY_ERROR_INVALID_OPTION);
  EXPECT(apify_run_options_check(&options, (char *)buf, sizeof buf, &needed), APIFY_ERROR_INVALID_OPTION);
  CHECK(strcmp((const char *)buf, "invalid `memory`: must be a power of two from 128 to 32768 (MB)") == 0);
  CHECK(needed == strlen((const char *)buf) + 1);
  options.memory_mbytes = 1024;
  options.max_total_charge_usd = "5,25";
  EXPECT(apify_run_options_check(&options, (char *)buf, sizeof buf, NULL), APIFY_ERROR_INVALID_OPTION);
  CHECK(strstr((const char *)buf, "maxTotalChargeUsd") != NULL);
  options.max_total_charge_usd = "5.25";
  EXPECT(apify_run_options_check(&options, (char *)buf, sizeof buf, NULL), APIFY_ERROR_OK);
  options.set = 1u << 31;
  EXPECT(apify_request_run_task(&api, "janedoe~my-task", &options, NULL, 0, buf, sizeof buf, &written, NULL),
         APIFY_ERROR_INVALID_ARGUMENT);
  memset(&options, 0, sizeof options);
  memset(&hook, 0, sizeof hook);
  hook.event_types = events;
  hook.event_type_count = 1;
  hook.request_url = "https://example.com/failed";
  EXPECT(apify_webhooks_encode(&hook, 1, scratch, 10, &needed), APIFY_ERROR_BUFFER_TOO_SMALL);
  CHECK(needed == 79);
  EXPECT(apify_webhooks_encode(&hook, 1, scratch, sizeof scratch, &needed), APIFY_ERROR_OK);
  CHECK(needed == 79 && memcmp(scratch, "[{\"eventTypes\":[\"ACTOR.RUN.FAILED\"]", 35) == 0);
  options.webhooks_json = scratch;
  options.webhooks_json_len = needed;
  EXPECT(apify_request_run_task(&api, "janedoe~my-task", &options, NULL, 0, buf, sizeof buf, &written, &total),
         APIFY_ERROR_OK);
  CHECK(written == total && strstr((const char *)buf, "webhooks=") != NULL);
  EXPECT(apify_webhooks_encode(&hook, APIFY_MAX_WEBHOOKS + 1, scratch, sizeof scratch, &needed),
         APIFY_ERROR_INVALID_OPTION);
  hook.request_url = "ftp://example.com";
  EXPECT(apify_webhooks_encode(&hook, 1, scratch, sizeof scratch, &needed), APIFY_ERROR_INVALID_OPTION);
  EXPECT(apify_webhooks_encode(NULL, 1, scratch, sizeof scratch, &needed), APIFY_ERROR_NULL_ARGUMENT);
  EXPECT(apify_webhooks_encode(&hook, 0, scratch, sizeof scratch, &needed), APIFY_ERROR_INVALID_OPTION);
  EXPECT(apify_webhooks_encode(&hook, 1, scratch, sizeof scratch, NULL), APIFY_ERROR_NULL_ARGUMENT);

  /* The call machine, out of order and with bad enumerations. */
  EXPECT(apify_call_start(&call, "janedoe~my-task", NULL, NULL, NULL), APIFY_ERROR_OK);
  EXPECT(apify_call_request(&call, &api, 0, buf, sizeof buf, &written, NULL), APIFY_ERROR_WRONG_STATE);
  {
    const char *id = NULL;
    EXPECT(apify_call_run_id(&call, &id, &written, NULL), APIFY_ERROR_NO_VALUE);
    EXPECT(apify_call_run_id(&call, &id, NULL, NULL), APIFY_ERROR_NULL_ARGUMENT);
  }
  EXPECT(apify_call_next(&call, 0, NULL), APIFY_ERROR_NULL_ARGUMENT); /* the call stays as it was */
  EXPECT(apify_call_next(&call, 0, &action), APIFY_ERROR_OK);
  CHECK(action.kind == APIFY_ACTION_KIND_SEND && action.operation == APIFY_OPERATION_RUN_TASK);
  EXPECT(apify_call_on_failure(&call, 1, APIFY_STAGE_CONNECT, APIFY_CAUSE_REFUSED), APIFY_ERROR_OK);
  EXPECT(apify_call_next(&call, 2, &action), APIFY_ERROR_OK);
  CHECK(action.kind == APIFY_ACTION_KIND_SLEEP && action.attempt == 2); /* the first attempt counted once */
  EXPECT(apify_call_next(&call, 2 + action.ms, &action), APIFY_ERROR_OK);
  CHECK(action.kind == APIFY_ACTION_KIND_SEND);
  EXPECT(apify_call_request(&call, &api, 0, buf, sizeof buf, &written, &total), APIFY_ERROR_OK);
  CHECK(written == total && memcmp(buf, "POST /v2/actor-tasks/janedoe~my-task/runs", 41) == 0);
  EXPECT(apify_call_on_failure(&call, 10, 99, APIFY_CAUSE_CLOSED), APIFY_ERROR_INVALID_ARGUMENT);
  EXPECT(apify_call_on_failure(&call, 10, APIFY_STAGE_CONNECT, 99), APIFY_ERROR_INVALID_ARGUMENT);
  EXPECT(apify_reader_init(&reader), APIFY_ERROR_OK);
  EXPECT(apify_call_on_response(&call, 10, &reader), APIFY_ERROR_WRONG_STATE); /* nothing read */
  EXPECT(apify_call_on_response(&call, 10, &zeroed), APIFY_ERROR_NOT_INITIALISED);
  {
    apify_call_settings settings;
    memset(&settings, 0, sizeof settings);
    settings.policy = 7;
    EXPECT(apify_call_start(&call, "janedoe~my-task", NULL, NULL, &settings), APIFY_ERROR_INVALID_ARGUMENT);
    settings.policy = APIFY_POLICY_FLEET;
    settings.poll_wait_secs = 61;
    EXPECT(apify_call_start(&call, "janedoe~my-task", NULL, NULL, &settings), APIFY_ERROR_INVALID_ARGUMENT);
  }
}

int main(int argc, char **argv) {
  int i;
  if (argc >= 2 && strcmp(argv[1], "dump") == 0) {
    for (i = 2; i < argc; i++)
      if (dump_file(argv[i])) return 1;
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "misuse") == 0) {
    misuse();
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
  }
  fprintf(stderr, "usage: %s dump FILE... | misuse\n", argv[0]);
  return 2;
}
