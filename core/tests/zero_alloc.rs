//! Proves that encoding, decoding and reading items allocate nothing: a counting global allocator wraps the
//! system one, and each scenario runs inside a measured region.

use apify_core::Decimal;
use apify_core::decode::{Decoded, ResponseDecoder};
use apify_core::encode::{
    BaseUrl, Endpoint, EventType, Input, Request, RunId, RunOptions, TaskId, Token, Webhook, Webhooks,
};
use apify_core::items::{Item, ItemVisitor, ItemsReader};
use apify_core::json::{Event, Select, SyntaxError, Visitor};

/// Allocations `f` makes on this thread, counted by allocation-counter's global allocator
/// (a well-kept crate, so this test needs no `unsafe` of its own).
fn allocations(f: impl FnOnce()) -> u64 {
    allocation_counter::measure(f).count_total
}

fn encode_everything() {
    let hooks = [Webhook::new(&[EventType::RunSucceeded, EventType::RunFailed], "https://example.com/hook")
        .payload_template("{\"resource\":{{resource}}}")
        .idempotency_key("key-1")];
    let mut scratch = [0u8; 256];
    let webhooks = Webhooks::encode(&hooks, &mut scratch).unwrap();
    let options = RunOptions::new()
        .memory_mbytes(1024)
        .timeout_secs(300)
        .max_items(10)
        .max_total_charge_usd("1.25".parse::<Decimal>().unwrap())
        .restart_on_error(true)
        .build("latest")
        .wait_for_finish_secs(60)
        .webhooks(webhooks);
    #[derive(serde::Serialize)]
    struct Overrides<'a> {
        url: &'a str,
        depth: u8,
    }
    let mut body = [0u8; 64];
    let input = Input::serialize(&Overrides { url: "https://example.com", depth: 2 }, &mut body).unwrap();
    let token = Token::new("apify_api_secret").unwrap();
    let base = BaseUrl::parse("http://127.0.0.1:8080").unwrap();
    let request =
        Request::new(base, Endpoint::run_task(TaskId::new("janedoe/my-task").unwrap(), &options, input))
            .unwrap()
            .with_token(token);
    let mut head = [0u8; 1024];
    let n = request.write_head(&mut head).unwrap();
    assert_eq!(n, request.head_len());
    let mut small = [0u8; 128];
    let mut sent = 0;
    while let piece @ 1.. = request.write_head_at(sent, &mut small) {
        sent += piece;
    }
    assert_eq!(sent, n);
    let mut url = [0u8; 1024];
    request.write_url(&mut url).unwrap();
    let run = RunId::new("HG7ML7M8z78YcAPEB").unwrap();
    for endpoint in [Endpoint::get_run(run, Some(60)), Endpoint::abort_run(run, Some(true))] {
        Request::new(base, endpoint).unwrap().write_head(&mut head).unwrap();
    }
    assert!(Request::new(base, Endpoint::get_run(run, Some(99))).is_err());
}

const FIXTURES: [&[u8]; 3] = [
    include_bytes!("../../fixtures/run_ppe_newer_fields.json"),
    include_bytes!("../../fixtures/run_metamorphed_running_finishedAt_null.json"),
    include_bytes!("../../fixtures/error_400_schema_validation_with_data.json"),
];

struct Seen(usize);

impl Visitor for Seen {
    type Error = SyntaxError;
    fn event(&mut self, _: Event<'_>) -> Result<(), SyntaxError> {
        self.0 += 1;
        Ok(())
    }
}

fn decode_everything() {
    let mut decoder = ResponseDecoder::<20>::new();
    for body in FIXTURES {
        for chunk_size in [1, 7, 64, body.len()] {
            decoder.reset();
            let mut select = Select::new(&["data", "chargedEventCounts"], Seen(0));
            for chunk in body.chunks(chunk_size) {
                decoder.feed_with(chunk, &mut select).unwrap();
            }
            match decoder.finish_with(&mut select).unwrap() {
                Decoded::Run(run) => assert!(run.id().is_some()),
                Decoded::Error(error) => assert!(error.has_data()),
            }
        }
    }
    decoder.reset();
    assert!(decoder.feed(b"{\"data\": [").is_err());
}

/// Streams a dataset's items in 64-byte chunks, counting them and their strings.
fn read_items() {
    struct Count(u64, u64);
    impl ItemVisitor for Count {
        type Error = core::convert::Infallible;
        fn event(&mut self, event: Event<'_>) -> Result<(), Self::Error> {
            if let Event::Str(f) = event {
                self.1 += f.last as u64;
            }
            Ok(())
        }
        fn item_end(&mut self, _: Item) -> Result<(), Self::Error> {
            self.0 += 1;
            Ok(())
        }
    }
    let body = include_bytes!("../../fixtures/items_long_strings.json");
    let mut reader = ItemsReader::<16>::new();
    let mut count = Count(0, 0);
    for chunk in body.chunks(64) {
        reader.feed(chunk, &mut count).unwrap();
    }
    assert_eq!(reader.finish(&mut count).unwrap(), 3);
    assert_eq!((count.0, count.1), (3, 6));
}

#[test]
fn nothing_allocates() {
    assert_eq!(allocations(encode_everything), 0, "encoding allocated");
    assert_eq!(allocations(decode_everything), 0, "decoding allocated");
    assert_eq!(allocations(read_items), 0, "reading items allocated");
}

#[test]
fn the_counter_sees_allocations() {
    // Guards the proof itself: if the counter stopped counting, `nothing_allocates` would
    // pass vacuously.
    assert!(allocations(|| drop(std::hint::black_box(vec![1u8; 16]))) > 0);
}
