/* The baseline for the flash figure: startup, semihosting output of one number, exit;
 * nothing of apify. (The Rust firmware's `empty` binary is the same for the Rust figure.) */
#include "firmware.h"

int main(void) {
  print("empty ");
  print_u32(systick_now());
  print("\n");
  return 0;
}
