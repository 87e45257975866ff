//! All runs: created by "Run task", found by ID or by task.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use crate::ids::IdGen;
use crate::params::RunParams;
use crate::run::{Run, TaskIds};

/// All runs, plus per-task settings and the ID generator.
#[derive(Debug)]
pub(crate) struct Runs {
    list: Vec<Run>,
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
        Runs { list: Vec::new(), outcomes: HashMap::new(), tasks: HashMap::new(), ids, user_id }
    }

    pub(crate) fn set_outcome(&mut self, task: &str, status: &str) {
        self.outcomes.insert(task.to_owned(), status.to_owned());
    }

    /// Creates a `READY` run and returns its ID.
    pub(crate) fn create(&mut self, new: NewRun<'_>) -> String {
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
            running_for: new.running_for,
            outcome: self.outcomes.get(new.task).cloned().unwrap_or_else(|| "SUCCEEDED".into()),
            aborted: None,
            options: new.params.options(),
            memory_mbytes: new.params.memory_mbytes.unwrap_or(1024),
            user_agent: new.user_agent.map(str::to_owned),
            input_len: new.input_len,
            webhooks: new.params.webhooks.clone(),
        };
        self.list.push(run);
        id
    }

    pub(crate) fn count(&self) -> usize {
        self.list.len()
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Run> {
        self.list.iter().find(|run| run.id == id)
    }

    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut Run> {
        self.list.iter_mut().find(|run| run.id == id)
    }

    /// The most recently created run.
    pub(crate) fn last(&self) -> Option<&Run> {
        self.list.last()
    }

    /// The most recent run of `task`, if `status` is given the most recent with that status.
    pub(crate) fn last_of(&self, task: &str, status: Option<&str>, now: Instant) -> Option<&Run> {
        let mut runs = self.list.iter().rev().filter(|run| run.task == task);
        runs.find(|run| status.is_none_or(|status| run.status(now) == status))
    }
}
