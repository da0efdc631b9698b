//! The request span, on its own in this test binary: tracing caches per call site, for the whole
//! process, whether any subscriber wants it, and a test running beside this one (in the same
//! binary, on another thread, with no subscriber) can race that cache to "never". Alone in its
//! process, the test sees only its own subscriber.

use nstba_mock::MockNetSuite;
use serde_json::Value;

#[path = "support/mock_client.rs"]
mod mock_client;
use mock_client::client_for;

mod capture {
    use std::collections::HashMap;
    use std::fmt::Debug;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Mutex};
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    type SpanMap = HashMap<u64, (String, Vec<(String, String)>)>;

    /// A minimal subscriber recording every span's name and fields.
    #[derive(Default, Clone)]
    pub struct Capture {
        pub spans: Arc<Mutex<SpanMap>>,
        pub events: Arc<Mutex<Vec<String>>>,
        next: Arc<AtomicU64>,
    }

    struct Fields<'a>(&'a mut Vec<(String, String)>);

    impl Visit for Fields<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
            self.0.push((field.name().to_owned(), format!("{value:?}")));
        }
    }

    impl Subscriber for Capture {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, span: &Attributes<'_>) -> Id {
            let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
            let mut fields = Vec::new();
            span.record(&mut Fields(&mut fields));
            self.spans
                .lock()
                .unwrap()
                .insert(id, (span.metadata().name().to_owned(), fields));
            Id::from_u64(id)
        }
        fn record(&self, span: &Id, values: &Record<'_>) {
            if let Some((_, fields)) = self.spans.lock().unwrap().get_mut(&span.into_u64()) {
                values.record(&mut Fields(fields));
            }
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut fields = Vec::new();
            event.record(&mut Fields(&mut fields));
            self.events.lock().unwrap().push(format!("{fields:?}"));
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
}

#[tokio::test]
async fn one_span_per_request_without_query_values_or_secrets() {
    let mock = MockNetSuite::builder()
        .fault(nstba_mock::Fault::status(503).times(1))
        .demo_data()
        .start()
        .await
        .unwrap();
    let client = client_for(&mock);
    let capture = capture::Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());
    let _: Vec<Value> = client
        .suiteql::<Value>("SELECT id FROM customer WHERE companyname = 'SECRETVALUE'")
        .all()
        .await
        .expect("suiteql");
    let _: Value = client
        .record("customer")
        .get("1")
        .send()
        .await
        .expect("get");
    drop(_guard);
    let spans = capture.spans.lock().unwrap();
    let requests: Vec<_> = spans
        .values()
        .filter(|(name, _)| name == "netsuite.request")
        .collect();
    assert_eq!(requests.len(), 2, "{spans:?}");
    let all = format!("{spans:?} {:?}", capture.events.lock().unwrap());
    for (_, fields) in &requests {
        let get = |k: &str| {
            fields
                .iter()
                .rev()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert!(!get("method").is_empty());
        assert!(get("path").starts_with("/services/rest/"), "{fields:?}");
        assert_eq!(get("status"), "200", "{fields:?}");
        assert!(!get("elapsed_ms").is_empty(), "{fields:?}");
        assert!(!get("attempt").is_empty(), "{fields:?}");
    }
    assert!(all.contains("suiteql?limit&offset"), "{all}");
    assert!(
        all.contains("\"attempt\", \"2\""),
        "the 503 was retried: {all}"
    );
    assert!(!all.contains("SECRETVALUE"), "{all}");
    assert!(!all.contains("oauth_signature"), "{all}");
    assert!(!all.contains("deadbeef8badf00d"), "no token secret: {all}");
}
