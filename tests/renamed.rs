//! The derive with the facade under another name: `#[netsuite(crate = "…")]`. (Cargo ignores a
//! package's dev-dependency on itself, so the facade is renamed with `extern crate … as …`; the
//! macro's own tests check that no `nstba` path remains in the output with the override.)
#![allow(missing_docs)]

extern crate nstba as renamed;

use renamed::{Record, RecordId};

#[derive(Record, Debug)]
#[netsuite(record = "vendor", crate = "renamed")]
pub struct Vendor {
    #[netsuite(id)]
    pub id: Option<RecordId>,
    pub company_name: Option<String>,
}

mod nested {
    use super::renamed;

    #[derive(renamed::Record)]
    #[netsuite(record = "contact", crate = "::renamed")]
    pub struct Contact {
        #[netsuite(id)]
        pub id: renamed::RecordId,
        pub email: Option<String>,
    }
}

#[test]
fn derives_through_the_renamed_facade() {
    assert_eq!(<Vendor as renamed::Record>::RECORD_TYPE, "vendor");
    let q = Vendor::fields().company_name.contains("x").to_query();
    assert_eq!(q.unwrap(), r#"companyName CONTAIN "x""#);
    let v: Vendor = serde_json::from_str(r#"{"id":"4","companyName":"V"}"#).unwrap();
    assert_eq!(v.id(), Some(&RecordId::new("4")));
    let c: nested::Contact = serde_json::from_str(r#"{"id":"9"}"#).unwrap();
    assert_eq!(c.id(), Some(&RecordId::new("9")));
}
