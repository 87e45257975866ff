/* Startup for the C firmware under QEMU's lm3s6965evb (Cortex-M3): the vector table, the
 * reset handler (.data copied, .bss zeroed, then main), and semihosting for output and exit.
 * Nothing here comes from a C library: the firmware links -nostdlib, against apify-ffi's
 * static library (whose compiler_builtins provides memcpy and memset). */
#include "firmware.h"

extern uint32_t _data_start, _data_end, _data_load, _bss_start, _bss_end, _stack_top;
int main(void);

void reset_handler(void) {
  uint32_t *src = &_data_load, *dst = &_data_start;
  while (dst < &_data_end) *dst++ = *src++;
  for (dst = &_bss_start; dst < &_bss_end;) *dst++ = 0;
  semihost_exit(main() == 0);
}

static void halt(void) {
  semihost_exit(0);
}

__attribute__((section(".vector_table"), used)) static const void *const vectors[16] = {
    &_stack_top, (const void *)reset_handler, (const void *)halt, (const void *)halt,
    (const void *)halt, (const void *)halt, (const void *)halt, 0, 0, 0, 0,
    (const void *)halt, (const void *)halt, 0, (const void *)halt, (const void *)halt,
};

static int semihost(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

void print(const char *text) {
  semihost(0x04 /* SYS_WRITE0 */, text);
}

void print_u32(uint32_t n) {
  char digits[11];
  int at = 10;
  digits[at] = '\0';
  do {
    digits[--at] = (char)('0' + n % 10u);
    n /= 10u;
  } while (n != 0);
  print(&digits[at]);
}

void semihost_exit(int success) {
  /* SYS_EXIT with ADP_Stopped_ApplicationExit (0x20026) or ADP_Stopped_RunTimeErrorUnknown. */
  semihost(0x18, (const void *)(uintptr_t)(success ? 0x20026 : 0x20023));
  for (;;) {
  }
}

/* SysTick counting core clock ticks down from 2^24 - 1; under -icount shift=0 the counts
 * follow executed instructions. */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

void systick_start(void) {
  SYST_RVR = 0x00FFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 5u; /* enabled, core clock */
}

uint32_t systick_now(void) {
  return SYST_CVR;
}

/* Peak stack: paint the free stack (end of .bss up to below the live frames) with a
 * pattern, then find the deepest word that changed. */
#define PAINT 0xCDCDCDCDu

uintptr_t stack_paint(void) {
  uint32_t here;
  volatile uint32_t *p = (volatile uint32_t *)&_bss_end;
  uintptr_t sp = (uintptr_t)&here;
  while ((uintptr_t)p < sp - 256u) *p++ = PAINT;
  return sp;
}

uint32_t stack_used_below(uintptr_t sp) {
  volatile uint32_t *p = (volatile uint32_t *)&_bss_end;
  while ((uintptr_t)p < sp && *p == PAINT) p++;
  return (uint32_t)(sp - (uintptr_t)p);
}
