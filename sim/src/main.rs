//! `apify-fleet <scenario> --devices N`: runs a fleet simulation and prints its figures;
//! `apify-fleet compare --devices N`: the backoff comparison table of the README.

use std::process::ExitCode;

use apify_core::call::{Jitter, RetryPolicy};
use apify_fleet::api::ServerRetryAfter;
use apify_fleet::compare::{self, Variant};
use apify_fleet::{Metrics, Scenario, plot, simulate};

/// The most devices a simulation takes.
const MAX_DEVICES: u32 = 1_000_000;

const USAGE: &str = "\
usage: apify-fleet <scenario> [options]
       apify-fleet compare [--scenario S] [--devices N] [--faults P] [--seed S]

scenarios: boot-storm, trickle, outage, capacity
compare: runs the scenario (default boot-storm) with each backoff variant and prints a
         Markdown table

options:
  --devices N                  devices in the fleet, 1 to 1000000 (default 10000)
  --policy default|fleet       the device's retry policy: RetryPolicy::DEFAULT or ::FLEET (default fleet)
  --jitter proportional|full|decorrelated
                               replace the policy's jitter
  --multiplier M               replace the policy's backoff multiplier
  --base-delay-ms MS           replace the policy's first delay
  --max-delay-ms MS            replace the policy's longest delay
  --retry-after honour|ignore  whether devices honour a 429's Retry-After
  --server-retry-after none|S  what the API's 429s carry (default none)
  --faults P                   every fault at rate P per request (default 0, at most 0.2)
  --seed S                     the seed of the API's draws and the boots (default 1)
  --json                       print the figures as one JSON object
  --plot FILE.svg              draw requests per second over time
  -h, --help                   this text";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("apify-fleet: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

/// What the command line asked for.
#[derive(Default)]
struct Options {
    command: Option<String>,
    scenario: Option<Scenario>,
    devices: Option<u32>,
    policy: Option<RetryPolicy>,
    jitter: Option<Jitter>,
    multiplier: Option<u8>,
    base_delay_ms: Option<u32>,
    max_delay_ms: Option<u32>,
    honour: Option<bool>,
    server_retry_after: Option<ServerRetryAfter>,
    faults: Option<f64>,
    seed: Option<u64>,
    json: bool,
    plot: Option<String>,
    help: bool,
}

fn parse(args: Vec<String>) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        let invalid = |value: &str, hint: &str| format!("invalid {arg} {value:?}: {hint}");
        match arg.as_str() {
            "-h" | "--help" => options.help = true,
            "--json" => options.json = true,
            "--plot" => options.plot = Some(value()?),
            "--devices" => {
                let v = value()?;
                // A million devices take about 350 MB and a minute; more would exhaust a small machine.
                let devices = v.parse().ok().filter(|&n| (1..=MAX_DEVICES).contains(&n));
                options.devices = Some(devices.ok_or(invalid(&v, "use a whole number from 1 to 1000000"))?);
            }
            "--scenario" => {
                let v = value()?;
                options.scenario =
                    Some(Scenario::from_name(&v).ok_or(invalid(&v, "see the scenarios below"))?);
            }
            "--policy" => {
                let v = value()?;
                options.policy = Some(match v.as_str() {
                    "default" => RetryPolicy::DEFAULT,
                    "fleet" => RetryPolicy::FLEET,
                    _ => return Err(invalid(&v, "use default or fleet")),
                });
            }
            "--jitter" => {
                let v = value()?;
                options.jitter = Some(match v.as_str() {
                    "proportional" => Jitter::Proportional,
                    "full" => Jitter::Full,
                    "decorrelated" => Jitter::Decorrelated,
                    _ => return Err(invalid(&v, "use proportional, full or decorrelated")),
                });
            }
            "--multiplier" => {
                let v = value()?;
                options.multiplier =
                    Some(v.parse().ok().filter(|&m| m >= 1).ok_or(invalid(&v, "use 1 to 255"))?);
            }
            "--base-delay-ms" | "--max-delay-ms" => {
                let v = value()?;
                let ms = Some(v.parse().map_err(|_| invalid(&v, "use milliseconds"))?);
                match arg.as_str() {
                    "--base-delay-ms" => options.base_delay_ms = ms,
                    _ => options.max_delay_ms = ms,
                }
            }
            "--retry-after" => {
                let v = value()?;
                options.honour = Some(match v.as_str() {
                    "honour" => true,
                    "ignore" => false,
                    _ => return Err(invalid(&v, "use honour or ignore")),
                });
            }
            "--server-retry-after" => {
                let v = value()?;
                options.server_retry_after = Some(match v.as_str() {
                    "none" => ServerRetryAfter::Absent,
                    secs => ServerRetryAfter::Seconds(
                        secs.parse().map_err(|_| invalid(&v, "use none or seconds"))?,
                    ),
                });
            }
            "--faults" => {
                let v = value()?;
                let rate = v.parse::<f64>().ok().filter(|p| (0.0..=0.2).contains(p));
                options.faults = Some(rate.ok_or(invalid(&v, "use a rate from 0 to 0.2"))?);
            }
            "--seed" => {
                let v = value()?;
                options.seed = Some(v.parse().map_err(|_| invalid(&v, "use a whole number"))?);
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option {flag}")),
            _ if options.command.is_some() => return Err(format!("unexpected argument {arg:?}")),
            _ => options.command = Some(arg),
        }
    }
    Ok(options)
}

fn run(args: Vec<String>) -> Result<(), String> {
    let options = parse(args)?;
    if options.help {
        println!("{USAGE}");
        return Ok(());
    }
    let devices = options.devices.unwrap_or(10_000);
    let (faults, seed) = (options.faults.unwrap_or(0.0), options.seed.unwrap_or(1));
    let command = options.command.as_deref().ok_or("which scenario?")?;
    if command == "compare" {
        let scenario = options.scenario.unwrap_or(Scenario::BootStorm);
        print!("{}", compare::table(scenario, devices, faults, seed, &Variant::ALL));
        return Ok(());
    }
    let scenario = Scenario::from_name(command).ok_or(format!("unknown scenario {command:?}"))?;
    let mut policy = options.policy.unwrap_or(RetryPolicy::FLEET);
    policy.jitter = options.jitter.unwrap_or(policy.jitter);
    policy.multiplier = options.multiplier.unwrap_or(policy.multiplier);
    policy.base_delay_ms = options.base_delay_ms.unwrap_or(policy.base_delay_ms);
    policy.max_delay_ms = options.max_delay_ms.unwrap_or(policy.max_delay_ms);
    policy.honour_retry_after = options.honour.unwrap_or(policy.honour_retry_after);
    let mut setup = scenario.setup(devices, policy, faults, seed);
    setup.api.retry_after = options.server_retry_after.unwrap_or(setup.api.retry_after);
    let began = std::time::Instant::now();
    let report = simulate(&setup);
    let metrics = Metrics::of(&report);
    if options.json {
        println!("{}", metrics.to_json());
    } else {
        println!(
            "{scenario}, {devices} devices ({:.1} s wall time)\n\n{metrics}",
            began.elapsed().as_secs_f64()
        );
    }
    if let Some(path) = options.plot {
        let title = format!("{scenario}, {devices} devices, {}", compare::describe(&policy));
        plot::draw(&report, &title, std::path::Path::new(&path))?;
    }
    Ok(())
}
