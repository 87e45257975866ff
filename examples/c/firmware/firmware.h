/* What startup.c gives the C firmware binaries: output, exit, SysTick, stack painting. */
#ifndef FIRMWARE_H
#define FIRMWARE_H
#include <stdint.h>

void print(const char *text);
void print_u32(uint32_t n);
void semihost_exit(int success);
void systick_start(void);
uint32_t systick_now(void);
uintptr_t stack_paint(void);
uint32_t stack_used_below(uintptr_t sp);

#endif
