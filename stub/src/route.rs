//! From method and request target to an endpoint, and the query string.

/// The endpoint a request is for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Route {
    /// `POST /v2/actor-tasks/{task}/runs`
    StartRun { task: String },
    /// `GET /v2/actor-tasks/{task}/runs/last`
    LastRun { task: String },
    /// `GET /v2/actor-runs/{id}`
    GetRun { id: String },
    /// `POST /v2/actor-runs/{id}/abort`
    AbortRun { id: String },
    /// `GET /v2/datasets/{id}/items`
    DatasetItems { id: String },
    /// `GET /v2/actor-runs/{id}/dataset/items`
    RunDatasetItems { id: String },
    /// `POST /v2/actor-tasks/{task}/run-sync-get-dataset-items`
    RunSyncItems { task: String },
    /// A known path, but only `allow` may be used on it.
    WrongMethod { allow: &'static str },
    /// No such endpoint.
    NotFound,
}

impl Route {
    /// Whether the answer is a dataset's items.
    pub(crate) fn is_items(&self) -> bool {
        matches!(
            self,
            Route::DatasetItems { .. } | Route::RunDatasetItems { .. } | Route::RunSyncItems { .. }
        )
    }

    /// Routes `path` (without the query), whose segments are percent-decoded one by one.
    pub(crate) fn of(method: &str, path: &str) -> Route {
        let segments: Vec<String> = path.split('/').skip(1).map(|s| percent_decode(s, false)).collect();
        let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
        let (route, allow) = match segments.as_slice() {
            ["v2", "actor-tasks", task, "runs"] if !task.is_empty() => {
                (Route::StartRun { task: (*task).to_owned() }, "POST")
            }
            ["v2", "actor-tasks", task, "runs", "last"] if !task.is_empty() => {
                (Route::LastRun { task: (*task).to_owned() }, "GET")
            }
            ["v2", "actor-runs", id] if !id.is_empty() => (Route::GetRun { id: (*id).to_owned() }, "GET"),
            ["v2", "actor-runs", id, "abort"] if !id.is_empty() => {
                (Route::AbortRun { id: (*id).to_owned() }, "POST")
            }
            ["v2", "datasets", id, "items"] if !id.is_empty() => {
                (Route::DatasetItems { id: (*id).to_owned() }, "GET")
            }
            ["v2", "actor-runs", id, "dataset", "items"] if !id.is_empty() => {
                (Route::RunDatasetItems { id: (*id).to_owned() }, "GET")
            }
            ["v2", "actor-tasks", task, "run-sync-get-dataset-items"] if !task.is_empty() => {
                (Route::RunSyncItems { task: (*task).to_owned() }, "POST")
            }
            _ => return Route::NotFound,
        };
        if method == allow { route } else { Route::WrongMethod { allow } }
    }
}

/// The decoded `name=value` pairs of a query string, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    /// Parses `a=1&b=2` as an HTML form would: `+` is a space, `%XX` a byte.
    pub(crate) fn parse(query: &str) -> Query {
        let pairs = query.split('&').filter(|pair| !pair.is_empty()).map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(name, true), percent_decode(value, true))
        });
        Query(pairs.collect())
    }

    /// The first value of `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`). Malformed escapes stay
/// as they are; bytes that are not UTF-8 become U+FFFD.
pub(crate) fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |at: usize| bytes.get(at).and_then(|b| (*b as char).to_digit(16));
        match bytes[i] {
            b'%' if hex(i + 1).is_some() && hex(i + 2).is_some() => {
                out.push((hex(i + 1).unwrap_or(0) * 16 + hex(i + 2).unwrap_or(0)) as u8);
                i += 3;
                continue;
            }
            b'+' if plus_is_space => out.push(b' '),
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let start = Route::StartRun { task: "janedoe~my-task".into() };
        assert_eq!(Route::of("POST", "/v2/actor-tasks/janedoe~my-task/runs"), start);
        assert_eq!(Route::of("POST", "/v2/actor-tasks/janedoe%7Emy-task/runs"), start);
        assert_eq!(Route::of("GET", "/v2/actor-tasks/x/runs"), Route::WrongMethod { allow: "POST" });
        assert_eq!(Route::of("GET", "/v2/actor-tasks/x/runs/last"), Route::LastRun { task: "x".into() });
        assert_eq!(Route::of("GET", "/v2/actor-runs/abc"), Route::GetRun { id: "abc".into() });
        assert_eq!(Route::of("POST", "/v2/actor-runs/abc/abort"), Route::AbortRun { id: "abc".into() });
        assert_eq!(Route::of("GET", "/v2/actor-tasks//runs"), Route::NotFound);
        assert_eq!(Route::of("GET", "/v2/actor-runs/abc/"), Route::NotFound);
        assert_eq!(Route::of("GET", "/v2/datasets/d1/items"), Route::DatasetItems { id: "d1".into() });
        assert_eq!(
            Route::of("GET", "/v2/actor-runs/abc/dataset/items"),
            Route::RunDatasetItems { id: "abc".into() }
        );
        let sync = Route::of("POST", "/v2/actor-tasks/a~b/run-sync-get-dataset-items");
        assert_eq!(sync, Route::RunSyncItems { task: "a~b".into() });
        assert!(sync.is_items() && !Route::of("GET", "/v2/actor-runs/abc").is_items());
        assert_eq!(Route::of("POST", "/v2/datasets/d1/items"), Route::WrongMethod { allow: "GET" });
        assert_eq!(Route::of("GET", "/"), Route::NotFound);
    }

    #[test]
    fn query() {
        let query = Query::parse("a=1&b=x+y%2B%3D&token&a=2&c=%zz");
        assert_eq!(query.get("a"), Some("1"));
        assert_eq!(query.get("b"), Some("x y+="));
        assert_eq!(query.get("token"), Some(""));
        assert_eq!(query.get("c"), Some("%zz"));
        assert_eq!(query.get("d"), None);
    }
}
