//! SysTick as a cycle counter, for the firmware binaries that time their decoding. Under
//! `qemu-system-arm -icount shift=0` virtual time follows executed instructions, so the counts
//! are deterministic.

use cortex_m::peripheral::SYST;
use cortex_m::peripheral::syst::SystClkSource;

/// Starts SysTick counting core clock ticks down from 2^24 - 1, over and over.
pub fn start(syst: &mut SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(0x00FF_FFFF);
    syst.clear_current();
    syst.enable_counter();
}

/// SysTick ticks `f` takes, and its result.
pub fn ticks<T>(f: impl FnOnce() -> T) -> (u32, T) {
    let start = SYST::get_current();
    let out = f();
    let end = SYST::get_current();
    (start.wrapping_sub(end) & 0x00FF_FFFF, out)
}
