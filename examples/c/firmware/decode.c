/* Decoding only: the canned 201 response read through an apify_reader in 64-byte pieces, the
 * run's status and two fields read by path, and nothing else of the API linked. The design's
 * comparison for C firmware: decoding this body with cJSON takes 23.6 KB of flash and 4.6 KB
 * of heap; this takes no heap at all. */
#include "apify.h"
#include "canned.h"
#include "firmware.h"

static apify_reader reader;

int main(void) {
  size_t at = 0;
  apify_error e = apify_reader_init(&reader);
  apify_run_status status = APIFY_RUN_STATUS_OTHER;
  apify_value id, cost;
  bool terminal = false;
  int64_t micro_usd = 0;
  while (e == APIFY_ERROR_OK && at < CANNED_LEN) {
    size_t n = CANNED_LEN - at < 64 ? CANNED_LEN - at : 64;
    e = apify_reader_feed(&reader, CANNED + at, n, 0);
    at += n;
  }
  if (e == APIFY_ERROR_OK) e = apify_reader_finish(&reader);
  if (e == APIFY_ERROR_OK) e = apify_reader_run_status(&reader, &status, &terminal);
  if (e == APIFY_ERROR_OK) e = apify_reader_field(&reader, "data.id", &id);
  if (e == APIFY_ERROR_OK) e = apify_reader_field(&reader, "data.usageTotalUsd", &cost);
  if (e == APIFY_ERROR_OK) e = apify_decimal_scaled(&cost, 6, &micro_usd, 0);
  print(e == APIFY_ERROR_OK && terminal && id.text_len == 17 ? "decode: ok=true" : "decode: ok=false");
  print(" usageTotalUsd e6=");
  print_u32((uint32_t)micro_usd);
  print("\ncanned: ");
  print_u32(CANNED_LEN);
  print(" bytes\n");
  return e == APIFY_ERROR_OK ? 0 : 1;
}
