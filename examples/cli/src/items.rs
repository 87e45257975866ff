//! `items`, `task --items` and `task --then-items`: a dataset's items as JSON Lines on
//! stdout, written as they arrive, each item's text kept exactly (only whitespace between
//! tokens is dropped, so numbers and strings are as the API sent them). On a terminal, stderr
//! counts the items as they come; then, unless `--quiet`, one summary line.

use std::io::{IsTerminal, Write};

use apify_ureq::{Client, ItemsOptions, RawItems};

use crate::args::{ItemOptionArgs, ItemsArgs};
use crate::exit::{self, Failure};
use crate::options::{invalid, run_id};
use crate::out;
use crate::run::{Target, failed};

/// `apify-run items <dataset> | --run <run> [options]`.
pub(crate) fn run(args: &ItemsArgs) -> Result<u8, Failure> {
    if let Some(run) = &args.run {
        run_id(run)?;
    }
    if let Some(dataset) = &args.dataset {
        apify_core::encode::DatasetId::new(dataset).map_err(invalid)?;
    }
    let options = item_options(&args.options)?;
    let target = Target::resolve(args.base_url.as_deref(), false)?;
    let client = target.client()?;
    let items = match (&args.dataset, &args.run) {
        (_, Some(run)) => client.run_dataset_items_raw(run, &options),
        (Some(dataset), None) => client.dataset_items_raw(dataset, &options),
        (None, None) => return Err(exit::usage("give a dataset ID or --run RUN".into())),
    };
    stream(items, args.quiet)
}

/// `--offset`, `--limit`, … as core's options (checked before anything is sent).
pub(crate) fn item_options(args: &ItemOptionArgs) -> Result<ItemsOptions<'_>, Failure> {
    let mut options = ItemsOptions::new();
    if let Some(n) = args.offset {
        options = options.offset(n);
    }
    if let Some(n) = args.limit {
        options = options.limit(n);
    }
    if let Some(fields) = &args.fields {
        options = options.fields(fields);
    }
    if let Some(omit) = &args.omit {
        options = options.omit(omit);
    }
    if args.desc {
        options = options.desc(true);
    }
    if args.clean {
        options = options.clean(true);
    }
    options.validate().map_err(invalid)?;
    Ok(options)
}

/// Writes each item as one line; a summary on stderr unless `quiet`.
pub(crate) fn stream(items: Result<RawItems<'_>, apify_ureq::Error>, quiet: bool) -> Result<u8, Failure> {
    let items = items.map_err(|e| failed(&e, false))?;
    let total = items.head().pagination.total;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 << 10, stdout.lock());
    let mut line = Vec::new();
    let mut count = 0u64;
    // On a terminal, a line that counts the items as they come (redrawn every 250 ms).
    let ticking = !quiet && std::io::stderr().is_terminal();
    let mut drawn = std::time::Instant::now();
    for item in items {
        if ticking && count & 0xff == 0 && drawn.elapsed() >= std::time::Duration::from_millis(250) {
            out::note_raw(format_args!("\r\x1b[2K{count} items"));
            drawn = std::time::Instant::now();
        }
        let item = item.map_err(|e| failed(&e, false))?;
        line.clear();
        compact(&item, &mut line);
        line.push(b'\n');
        // A closed stdout (`| head`) ends the listing, not the program with a panic.
        if out.write_all(&out::masked_bytes(&line)).is_err() {
            break;
        }
        count += 1;
    }
    let _ = out.flush();
    if ticking {
        out::note_raw("\r\x1b[2K");
    }
    if !quiet {
        match total {
            Some(total) => out::note(format_args!("{count} items (of {total} in the dataset)")),
            None => out::note(format_args!("{count} items")),
        }
    }
    Ok(exit::SUCCESS)
}

/// `json` without the whitespace between its tokens: one line, the text of every string and
/// number as it was.
fn compact(json: &[u8], out: &mut Vec<u8>) {
    let (mut in_string, mut escaped) = (false, false);
    for &b in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            continue;
        } else if b == b'"' {
            in_string = true;
        }
        out.push(b);
    }
}

/// `apify-run task --then-items`: the items of the run `client` just followed.
pub(crate) fn of_run(client: &Client, run: &str, args: &ItemOptionArgs, quiet: bool) -> Result<u8, Failure> {
    let options = item_options(args)?;
    stream(client.run_dataset_items_raw(run, &options), quiet)
}

#[cfg(test)]
mod tests {
    #[test]
    fn compact_keeps_strings_and_numbers_exactly() {
        let mut out = Vec::new();
        super::compact(b"{\n  \"a b\": [1.50, -0e-7],\n  \"q\\\" \": \" x \\\\\"\n}", &mut out);
        assert_eq!(out, b"{\"a b\":[1.50,-0e-7],\"q\\\" \":\" x \\\\\"}");
    }
}
