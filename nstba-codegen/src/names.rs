//! Rust names for NetSuite names.

// NetSuite's naming facts (custom-field prefixes, the derive's camelCase rule) come from this one
// table; the generator must agree with the derive, so it uses the same functions.
use nstba_record::names as record_names;

/// `true` for a custom-field script id (`custentity_tier`).
pub(crate) fn is_custom_id(wire: &str) -> bool {
    record_names::is_custom_field_id(wire)
}

const KEYWORDS: [&str; 51] = [
    "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn", "for",
    "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref", "return",
    "self", "Self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
    "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

/// Splits a wire name into lower-case words: `companyName` → [company, name], `custentity_tier` →
/// [custentity, tier], `prefCCProcessor` → [pref, cc, processor], `1099Eligible` → [1099, eligible].
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = match prev {
            Some(p) if p.is_ascii_alphanumeric() => {
                (c.is_ascii_uppercase() && (p.is_ascii_lowercase() || p.is_ascii_digit()))
                    || (c.is_ascii_uppercase()
                        && p.is_ascii_uppercase()
                        && next.is_some_and(|n| n.is_ascii_lowercase()))
                    || (c.is_ascii_digit() != p.is_ascii_digit() && p.is_ascii_digit())
            }
            _ => false,
        };
        if boundary && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// A snake_case field name that is a valid, non-keyword Rust identifier.
pub(crate) fn field_name(wire: &str) -> String {
    let mut s = words(wire).join("_");
    if s.is_empty() {
        s = "field".to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, "n_");
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// A PascalCase type name.
pub(crate) fn type_name(name: &str) -> String {
    let mut s: String = words(name)
        .iter()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect();
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, 'V');
    }
    if KEYWORDS.contains(&s.as_str()) {
        s.push('_');
    }
    s
}

/// The wire name the derive gives a Rust field name (to decide whether a generated field needs an
/// explicit `rename`): the same function the derive uses.
pub(crate) fn default_wire(rust: &str) -> String {
    record_names::camel_case(rust)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(field_name("companyName"), "company_name");
        assert_eq!(field_name("prefCCProcessor"), "pref_cc_processor");
        assert_eq!(field_name("custentity_tier"), "custentity_tier");
        assert_eq!(field_name("1099Eligible"), "n_1099_eligible");
        assert_eq!(field_name("type"), "type_");
        assert_eq!(field_name("self"), "self_");
        assert_eq!(
            field_name("addressBookAddress_text"),
            "address_book_address_text"
        );
        assert_eq!(type_name("salesOrder-itemElement"), "SalesOrderItemElement");
        assert_eq!(type_name("_beforeNumber"), "BeforeNumber");
        assert_eq!(type_name("1"), "V1");
        assert_eq!(default_wire("company_name"), "companyName");
        assert!(is_custom_id("custentity_tier") && !is_custom_id("customer"));
    }
}
