//! The baseline for the flash figures: cortex-m-rt, semihosting output of one number, and
//! the same panic handler as the round trip, doing nothing else.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};

#[entry]
fn main() -> ! {
    hprintln!("empty {}", cortex_m::peripheral::SYST::get_current());
    exit(debug::EXIT_SUCCESS)
}

/// Ends the emulation with a failure status. No message: formatting panic messages would add
/// the formatting machinery to the flash figures.
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    exit(debug::EXIT_FAILURE)
}

/// Ends the emulation (semihosting), with `status`.
fn exit(status: debug::ExitStatus) -> ! {
    debug::exit(status);
    loop {
        cortex_m::asm::wfi();
    }
}
