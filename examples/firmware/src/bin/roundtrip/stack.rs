//! Peak stack use, by painting the free stack with a pattern and finding the deepest word
//! that changed. The only `unsafe` in the project: raw reads and writes of the stack region
//! that cortex-m-rt's linker script delimits.
#![allow(unsafe_code)]

const PAINT: u32 = 0xCDCD_CDCD;

unsafe extern "C" {
    /// Lowest address of the stack region (end of `.bss`), from cortex-m-rt's `link.x`.
    static _stack_end: u32;
}

fn bottom() -> *mut u32 {
    // Only the symbol's address is taken; nothing is read through it here.
    core::ptr::addr_of!(_stack_end) as *mut u32
}

/// Paints the unused stack below the current stack pointer (less a margin for this
/// function's own frame). Returns the stack pointer at the time of painting.
#[inline(never)]
pub fn paint() -> usize {
    let sp = cortex_m::register::msp::read() as usize;
    let mut p = bottom();
    while (p as usize) < sp - 256 {
        // SAFETY: `p` lies between the end of `.bss` and below the live stack frames: memory
        // the program owns and nothing else uses at this point.
        unsafe { core::ptr::write_volatile(p, PAINT) };
        p = p.wrapping_add(1);
    }
    sp
}

/// The deepest stack address written since `paint`, as bytes below `sp`.
pub fn used_below(sp: usize) -> usize {
    let mut p = bottom();
    // SAFETY: reads of the same painted region, word by word, up to `sp`.
    while (p as usize) < sp && unsafe { core::ptr::read_volatile(p) } == PAINT {
        p = p.wrapping_add(1);
    }
    sp - p as usize
}
