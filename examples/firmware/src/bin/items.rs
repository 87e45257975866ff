//! A dataset's items decoded on the chip: the items fixture (`fixtures/items_scraper.json`,
//! 1,726 bytes, four scraper-shaped items, pretty-printed as the API sends them) fed through
//! core's `ItemsReader` from one reused 64-byte buffer, each item's `title` picked with
//! `json::Select` while it streams. Printed over semihosting: the reader's RAM, the items
//! and title bytes found, and SysTick ticks for the stream (whole and in 64-byte chunks),
//! from which `scripts/footprint` derives the ticks per item.
#![no_std]
#![no_main]
#![deny(unsafe_code)]

#[path = "../exit.rs"]
mod exit;
#[path = "../systick.rs"]
mod systick;

use apify_core::items::{Item, ItemVisitor, ItemsReader};
use apify_core::json::{Event, Select, SyntaxError, Visitor};
use cortex_m_rt::entry;
use cortex_m_semihosting::{debug, hprintln};
use exit::exit;
use systick::ticks;

const ITEMS: &[u8] = include_bytes!("../../../../fixtures/items_scraper.json");
/// The items in the fixture, and the UTF-8 bytes of their titles.
const EXPECTED: (u64, usize) = (4, 137);

/// Counts the bytes of the strings it is shown (the titles, through the `Select`).
struct TitleBytes(usize);

impl Visitor for TitleBytes {
    type Error = SyntaxError;
    fn event(&mut self, event: Event<'_>) -> Result<(), SyntaxError> {
        if let Event::Str(fragment) = event {
            self.0 += fragment.text.len();
        }
        Ok(())
    }
}

/// Each item's title through a `Select`, and the items that ended.
struct Titles {
    select: Select<'static, TitleBytes>,
    items: u64,
}

impl ItemVisitor for Titles {
    type Error = SyntaxError;
    fn event(&mut self, event: Event<'_>) -> Result<(), SyntaxError> {
        self.select.event(event)
    }
    fn item_end(&mut self, _: Item) -> Result<(), SyntaxError> {
        self.items += 1;
        Ok(())
    }
}

/// Streams the fixture in `chunk`-byte pieces through one 64-byte buffer; the items and title
/// bytes found.
fn decode(chunk: usize) -> Option<(u64, usize)> {
    let mut reader = ItemsReader::<16>::new();
    let mut titles = Titles { select: Select::new(&["title"], TitleBytes(0)), items: 0 };
    let mut buffer = [0u8; 64];
    for piece in ITEMS.chunks(chunk) {
        for part in piece.chunks(buffer.len()) {
            buffer[..part.len()].copy_from_slice(part);
            reader.feed(&buffer[..part.len()], &mut titles).ok()?;
        }
    }
    let items = reader.finish(&mut titles).ok()?;
    Some((items, titles.select.inner().0))
}

#[entry]
fn main() -> ! {
    let Some(mut peripherals) = cortex_m::Peripherals::take() else { exit(debug::EXIT_FAILURE) };
    systick::start(&mut peripherals.SYST);

    let (whole, found_whole) = ticks(|| decode(ITEMS.len()));
    let (chunked, found_chunked) = ticks(|| decode(64));
    let ok = found_whole == Some(EXPECTED) && found_chunked == Some(EXPECTED);
    hprintln!("ram: ItemsReader {} bytes", core::mem::size_of::<ItemsReader<16>>());
    hprintln!("items: {} body {} bytes ok={}", EXPECTED.0, ITEMS.len(), ok);
    hprintln!("ticks: whole {} chunks64 {}", whole, chunked);
    exit(if ok { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE })
}
