//! The baseline for the flash figures: cortex-m-rt, semihosting output of one number, and
//! the same panic handler as the round trip, doing nothing else.
#![no_std]
#![no_main]

use cortex_m_rt::entry;
#[path = "../exit.rs"]
mod exit;

use cortex_m_semihosting::{debug, hprintln};
use exit::exit;

#[entry]
fn main() -> ! {
    hprintln!("empty {}", cortex_m::peripheral::SYST::get_current());
    exit(debug::EXIT_SUCCESS)
}
