//! The derive's generated code uses absolute paths only: it compiles with user items named like the
//! prelude's in scope, and its public items are documented (`missing_docs` denied here).
#![deny(missing_docs)]
#![allow(dead_code, non_camel_case_types)]

struct Result;
struct Ok;
struct Err;
struct Some;
struct None;
struct Vec;
struct Option;
struct String;
struct Default;
struct Box;
struct Clone;
struct Serialize;
struct Deserialize;
struct Record;
mod core {}
mod std {}
mod serde {}

/// A documented record; the generated `CustomerFields`, `CustomerPatch`, `fields()` and `patch()`
/// must not need docs from the user.
#[derive(::nstba::Record)]
#[netsuite(record = "customer")]
pub struct Customer {
    /// Internal id.
    #[netsuite(id)]
    pub id: ::core::option::Option<::nstba::RecordId>,
    /// Name.
    pub company_name: ::core::option::Option<::std::string::String>,
    /// Inactive flag.
    pub is_inactive: ::core::option::Option<bool>,
    /// Lines.
    pub addressbook: ::nstba::Sublist<Line>,
    /// Tier.
    #[netsuite(custom = "custentity_tier")]
    pub tier: ::std::string::String,
    /// A raw identifier.
    pub r#type: ::core::option::Option<::std::string::String>,
}

/// A documented sublist line.
#[derive(::nstba::Record)]
#[netsuite(subrecord)]
pub struct Line {
    /// Label.
    pub label: ::core::option::Option<::std::string::String>,
}

#[test]
fn derives_with_shadowing_names_in_scope() {
    let f = Customer::fields();
    let q = f
        .company_name
        .starts_with("A")
        .and(f.is_inactive.is(false))
        .to_query();
    assert_eq!(
        q.ok().as_deref(),
        ::core::option::Option::Some(r#"companyName START_WITH "A" AND isInactive IS false"#)
    );
    let c: Customer = ::serde_json::from_str(
        r#"{"id":"1","companyName":"Acme","custentity_tier":"gold","addressbook":{"items":[{"label":"HQ"}]}}"#,
    )
    .unwrap();
    assert_eq!(c.addressbook.len(), 1);
    assert_eq!(c.tier, "gold");
    assert_eq!(
        f.r#type.is("x").to_query().ok().as_deref(),
        ::core::option::Option::Some(r#"type IS "x""#)
    );
    assert_eq!(
        <Customer as ::nstba::Record>::FIELDS
            .last()
            .map(|i| (i.name, i.wire)),
        ::core::option::Option::Some(("type", "type"))
    );
    let back = ::serde_json::to_value(&c).unwrap();
    assert_eq!(back["addressbook"]["items"][0]["label"], "HQ");
    let patch = CustomerPatch {
        tier: ::nstba::Patch::Clear,
        ..Customer::patch()
    };
    assert_eq!(
        ::serde_json::to_string(&patch).unwrap(),
        r#"{"custentity_tier":null}"#
    );
}
