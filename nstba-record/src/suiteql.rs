//! SuiteQL text facts shared by the emulator and the CLI.

/// The top-level SELECT list of `q`: the text between the first `SELECT` and its `FROM`, split at
/// commas outside parentheses and quotes (the emulator orders a row's columns by it; `nstba suiteql`
/// orders CSV/JSON columns by it, since NetSuite leaves NULL columns out of the rows).
///
/// ```
/// use nstba_record::suiteql::select_list;
/// assert_eq!(
///     select_list("SELECT a, NVL(b, 'x, y') AS c, t.d FROM t WHERE e IN (SELECT f FROM g)"),
///     ["a", "NVL(b, 'x, y') AS c", "t.d"]
/// );
/// ```
pub fn select_list(q: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    let mut chars = q.chars().peekable();
    let mut started = false;
    let mut word = String::new();
    while let Some(c) = chars.next() {
        if c == '\'' || c == '"' {
            cur.push(c);
            for d in chars.by_ref() {
                cur.push(d);
                if d == c {
                    break;
                }
            }
            word.clear();
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            word.clear();
        }
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        cur.push(c);
        let boundary = chars
            .peek()
            .is_none_or(|n| !(n.is_ascii_alphanumeric() || *n == '_'));
        if depth == 0 && boundary && !word.is_empty() {
            if !started && word.eq_ignore_ascii_case("select") {
                started = true;
                cur.clear();
                continue;
            }
            if started && word.eq_ignore_ascii_case("from") {
                let item = cur[..cur.len() - 4].trim().to_owned();
                if !item.is_empty() {
                    items.push(item);
                }
                return items;
            }
        }
        if started && depth == 0 && c == ',' {
            cur.pop();
            items.push(cur.trim().to_owned());
            cur.clear();
        }
    }
    if started && !cur.trim().is_empty() {
        items.push(cur.trim().to_owned());
    }
    items
}
