//! How every firmware binary here ends the emulation: semihosting's exit, and a panic
//! handler that exits with a failure status. No message: formatting panic messages would add
//! the formatting machinery to the flash figures.

use cortex_m_semihosting::debug;

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    exit(debug::EXIT_FAILURE)
}

/// Ends the emulation (semihosting), with `status`.
pub fn exit(status: debug::ExitStatus) -> ! {
    debug::exit(status);
    loop {
        cortex_m::asm::wfi();
    }
}
