//! NetSuite naming facts shared by the derive, the generator and the emulator, kept in one place.

/// Script-id prefixes of custom fields (`custentity_tier`, `custbody5`, …).
pub const CUSTOM_FIELD_PREFIXES: [&str; 8] = [
    "custentity",
    "custbody",
    "custcol",
    "custitemnumber",
    "custitem",
    "custrecord",
    "custevent",
    "custpage",
];

/// `true` for a custom-field script id: a known prefix followed by the rest of the id.
///
/// ```
/// use nstba_record::names::is_custom_field_id;
/// assert!(is_custom_field_id("custentity_tier") && is_custom_field_id("custbody5"));
/// assert!(!is_custom_field_id("customer") && !is_custom_field_id("custentity"));
/// ```
pub fn is_custom_field_id(id: &str) -> bool {
    CUSTOM_FIELD_PREFIXES
        .iter()
        .any(|p| id.strip_prefix(p).is_some_and(|rest| !rest.is_empty()))
}

/// The JSON / `q=` name of a Rust field: `company_name` → `companyName` (a leading `r#` and leading
/// or trailing underscores do not count).
///
/// ```
/// assert_eq!(nstba_record::names::camel_case("date_created_2"), "dateCreated2");
/// assert_eq!(nstba_record::names::camel_case("r#type"), "type");
/// assert_eq!(nstba_record::names::camel_case("type_"), "type");
/// ```
pub fn camel_case(rust: &str) -> String {
    let rust = rust.strip_prefix("r#").unwrap_or(rust);
    let mut out = String::with_capacity(rust.len());
    let mut upper = false;
    for c in rust.chars() {
        if c == '_' {
            upper = !out.is_empty();
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The identifier rule NetSuite names follow where they reach a URL or a SuiteQL text (record types,
/// field and sublist names, SuiteQL tables and columns, script ids): ASCII letters, digits and `_`,
/// at least one character. The one check the derive, the client, the generator and the emulator
/// share.
///
/// ```
/// use nstba_record::names::is_netsuite_id;
/// assert!(is_netsuite_id("customrecord_pm_milestone") && is_netsuite_id("salesOrder"));
/// assert!(!is_netsuite_id("") && !is_netsuite_id("a b") && !is_netsuite_id("cust/../x"));
/// ```
pub fn is_netsuite_id(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Whether a custom record type id is well formed: `customrecord` followed by lower-case letters,
/// digits or `_`.
///
/// ```
/// use nstba_record::names::is_custom_record_type;
/// assert!(is_custom_record_type("customrecord_tier") && is_custom_record_type("customrecord5"));
/// assert!(!is_custom_record_type("customrecord") && !is_custom_record_type("customrecord_A"));
/// ```
pub fn is_custom_record_type(t: &str) -> bool {
    t.strip_prefix("customrecord").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    })
}
