//! All runs: created by "Run task", found by ID or by task.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

use crate::ids::IdGen;
use crate::params::RunParams;
use crate::run::{Run, TaskIds};

/// Runs kept: the newest; an older one is forgotten (404, as if deleted), so that a long load
/// test cannot grow the stand-in's memory without bound.
pub const RUN_CAPACITY: usize = 5000;

/// Tasks whose IDs are remembered; past this, the table starts over (new IDs for old names).
const TASK_CAPACITY: usize = 1000;

/// The newest runs, plus per-task settings and the ID generator.
#[derive(Debug)]
pub(crate) struct Runs {
    list: VecDeque<Run>,
    /// Runs created since the start, forgotten ones included.
    created: usize,
    outcomes: HashMap<String, String>,
    tasks: HashMap<String, TaskIds>,
    ids: IdGen,
    user_id: String,
}

/// What a new run is made of.
#[derive(Debug)]
pub(crate) struct NewRun<'a> {
    pub(crate) task: &'a str,
    pub(crate) params: &'a RunParams,
    pub(crate) user_agent: Option<&'a str>,
    pub(crate) input_len: usize,
    pub(crate) ready_for: Duration,
    pub(crate) running_for: Duration,
}

impl Runs {
    pub(crate) fn new() -> Runs {
        let mut ids = IdGen::new();
        let user_id = ids.next();
        Runs {
            list: VecDeque::new(),
            created: 0,
            outcomes: HashMap::new(),
            tasks: HashMap::new(),
            ids,
            user_id,
        }
    }

    pub(crate) fn set_outcome(&mut self, task: &str, status: &str) {
        self.outcomes.insert(task.to_owned(), status.to_owned());
    }

    /// Creates a `READY` run and returns its ID.
    pub(crate) fn create(&mut self, new: NewRun<'_>) -> String {
        if self.tasks.len() >= TASK_CAPACITY && !self.tasks.contains_key(new.task) {
            self.tasks.clear();
        }
        let ids = &mut self.ids;
        let task = self.tasks.entry(new.task.to_owned()).or_insert_with(|| TaskIds {
            // A task given by ID keeps it; a named one gets an ID of its own.
            actor_task_id: if new.task.contains('~') { ids.next() } else { new.task.to_owned() },
            act_id: ids.next(),
            build_id: ids.next(),
        });
        let task = task.clone();
        let id = self.ids.next();
        let run = Run {
            id: id.clone(),
            task: new.task.to_owned(),
            storage: [self.ids.next(), self.ids.next(), self.ids.next()],
            user_id: self.user_id.clone(),
            ids: task,
            created: Instant::now(),
            started_at: SystemTime::now(),
            ready_for: new.ready_for,
            running_for: if crate::names::is_slow(new.task) {
                crate::names::SLOW_RUN
            } else {
                new.running_for
            },
            outcome: self
                .outcomes
                .get(new.task)
                .cloned()
                .or_else(|| crate::names::outcome(new.task).map(String::from))
                .unwrap_or_else(|| "SUCCEEDED".into()),
            aborted: None,
            options: new.params.options(),
            memory_mbytes: new.params.memory_mbytes.unwrap_or(1024),
            user_agent: new.user_agent.map(str::to_owned),
            input_len: new.input_len,
            webhooks: new.params.webhooks.clone(),
        };
        if self.list.len() == RUN_CAPACITY {
            self.list.pop_front();
        }
        self.list.push_back(run);
        self.created += 1;
        id
    }

    /// Runs created since the start, forgotten ones included.
    pub(crate) fn count(&self) -> usize {
        self.created
    }

    /// Whether a run has `dataset` as its default dataset.
    pub(crate) fn with_dataset(&self, dataset: &str) -> bool {
        self.list.iter().any(|run| run.storage[1] == dataset)
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Run> {
        self.list.iter().find(|run| run.id == id)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Run> {
        self.list.iter_mut().find(|run| run.id == id)
    }

    /// The most recently created run.
    pub(crate) fn last(&self) -> Option<&Run> {
        self.list.back()
    }

    /// The most recent run of `task`, if `status` is given the most recent with that status.
    pub(crate) fn last_of(&self, task: &str, status: Option<&str>, now: Instant) -> Option<&Run> {
        let mut runs = self.list.iter().rev().filter(|run| run.task == task);
        runs.find(|run| status.is_none_or(|status| run.status(now) == status))
    }
}
