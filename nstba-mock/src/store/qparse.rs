//! The record list `q=` grammar, parsed and translated to SQL over the stored JSON bodies.
//!
//! ```text
//! expr   := term ("OR" term)*
//! term   := factor ("AND" factor)*
//! factor := "(" expr ")" | field OPERATOR [value]
//! value  := "quoted \"string\"" | bare-word | "[" value ("," value)* "]"
//! ```
//! Operators: `IS`, `CONTAIN`, `START_WITH`, `END_WITH`, `EQUAL`, `GREATER`, `GREATER_OR_EQUAL`, `LESS`,
//! `LESS_OR_EQUAL`, `BETWEEN`, `ANY_OF`, `WITHIN`, `AFTER`, `BEFORE`, `ON`, `ON_OR_AFTER`,
//! `ON_OR_BEFORE`, `EMPTY` (no value), each also with `_NOT`.

use rusqlite::types::Value as Sql;
use std::collections::BTreeMap;

/// A parse or validation failure: (error code, detail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QError {
    pub code: &'static str,
    pub detail: String,
}

fn err(detail: impl Into<String>) -> QError {
    QError {
        code: "INVALID_PARAMETER",
        detail: detail.into(),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Word(String),
    Quoted(String),
    List(Vec<String>),
}

fn tokenize(q: &str) -> Result<Vec<Tok>, QError> {
    let chars: Vec<char> = q.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            out.push(Tok::LParen);
            i += 1;
        } else if c == ')' {
            out.push(Tok::RParen);
            i += 1;
        } else if c == '"' {
            let (s, next) = quoted(&chars, i)?;
            out.push(Tok::Quoted(s));
            i = next;
        } else if c == '[' {
            i += 1;
            let mut items = Vec::new();
            loop {
                while i < chars.len() && chars[i].is_whitespace() {
                    i += 1;
                }
                if i >= chars.len() {
                    return Err(err("Invalid search query: a '[' list is not closed."));
                }
                if chars[i] == ']' && items.is_empty() {
                    i += 1;
                    break;
                }
                if chars[i] == '"' {
                    let (s, next) = quoted(&chars, i)?;
                    items.push(s);
                    i = next;
                } else {
                    let start = i;
                    while i < chars.len() && chars[i] != ',' && chars[i] != ']' {
                        i += 1;
                    }
                    items.push(chars[start..i].iter().collect::<String>().trim().to_owned());
                }
                while i < chars.len() && chars[i].is_whitespace() {
                    i += 1;
                }
                match chars.get(i) {
                    Some(',') => i += 1,
                    Some(']') => {
                        i += 1;
                        break;
                    }
                    _ => return Err(err("Invalid search query: expected ',' or ']' in a list.")),
                }
            }
            out.push(Tok::List(items));
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '(' && chars[i] != ')'
            {
                i += 1;
            }
            out.push(Tok::Word(chars[start..i].iter().collect()));
        }
    }
    Ok(out)
}

fn quoted(chars: &[char], start: usize) -> Result<(String, usize), QError> {
    let mut s = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() => {
                s.push(chars[i + 1]);
                i += 2;
            }
            '"' => return Ok((s, i + 1)),
            c => {
                s.push(c);
                i += 1;
            }
        }
    }
    Err(err("Invalid search query: a quoted value is not closed."))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Is,
    Contain,
    StartWith,
    EndWith,
    Equal,
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Between,
    AnyOf,
    Within,
    After,
    Before,
    On,
    OnOrAfter,
    OnOrBefore,
    Empty,
}

fn op(word: &str) -> Option<(Op, bool)> {
    let (base, negated) = match word.strip_suffix("_NOT") {
        Some(b) => (b, true),
        None => (word, false),
    };
    let op = match base {
        "IS" => Op::Is,
        "CONTAIN" => Op::Contain,
        "START_WITH" => Op::StartWith,
        "END_WITH" => Op::EndWith,
        "EQUAL" => Op::Equal,
        "GREATER" => Op::Greater,
        "GREATER_OR_EQUAL" => Op::GreaterOrEqual,
        "LESS" => Op::Less,
        "LESS_OR_EQUAL" => Op::LessOrEqual,
        "BETWEEN" => Op::Between,
        "ANY_OF" => Op::AnyOf,
        "WITHIN" => Op::Within,
        "AFTER" => Op::After,
        "BEFORE" => Op::Before,
        "ON" => Op::On,
        "ON_OR_AFTER" => Op::OnOrAfter,
        "ON_OR_BEFORE" => Op::OnOrBefore,
        "EMPTY" => Op::Empty,
        _ => return None,
    };
    Some((op, negated))
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    fields: &'a BTreeMap<String, String>,
    args: Vec<Sql>,
    depth: usize,
}

/// Translates `q` into a SQL condition over columns `id`, `eid` and `body` (JSON), with `?`
/// placeholders filled by the returned values in order.
pub(crate) fn to_sql(
    q: &str,
    fields: &BTreeMap<String, String>,
) -> Result<(String, Vec<Sql>), QError> {
    let toks = tokenize(q)?;
    if toks.is_empty() {
        return Err(err("Invalid search query: the query is empty."));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        fields,
        args: Vec::new(),
        depth: 0,
    };
    let sql = p.expr()?;
    if p.pos != p.toks.len() {
        return Err(err(format!(
            "Invalid search query: unexpected {} after a complete condition.",
            describe(&p.toks[p.pos])
        )));
    }
    Ok((sql, p.args))
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Word(w) => format!("'{w}'"),
        Tok::Quoted(s) => format!("\"{s}\""),
        Tok::List(_) => "a list".into(),
    }
}

impl Parser<'_> {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Word(x)) if x == w)
    }

    fn expr(&mut self) -> Result<String, QError> {
        self.depth += 1;
        if self.depth > 64 {
            return Err(err("Invalid search query: nested too deeply."));
        }
        let mut parts = vec![self.term()?];
        while self.peek_word("OR") {
            self.pos += 1;
            parts.push(self.term()?);
        }
        self.depth -= 1;
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            format!("({})", parts.join(" OR "))
        })
    }

    fn term(&mut self) -> Result<String, QError> {
        let mut parts = vec![self.factor()?];
        while self.peek_word("AND") {
            self.pos += 1;
            parts.push(self.factor()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            format!("({})", parts.join(" AND "))
        })
    }

    fn factor(&mut self) -> Result<String, QError> {
        match self.toks.get(self.pos).cloned() {
            Some(Tok::LParen) => {
                self.pos += 1;
                let inner = self.expr()?;
                match self.toks.get(self.pos) {
                    Some(Tok::RParen) => {
                        self.pos += 1;
                        Ok(format!("({inner})"))
                    }
                    _ => Err(err("Invalid search query: a '(' is not closed.")),
                }
            }
            Some(Tok::Word(field)) => {
                self.pos += 1;
                self.condition(&field)
            }
            Some(t) => Err(err(format!(
                "Invalid search query: expected a field name, found {}.",
                describe(&t)
            ))),
            None => Err(err("Invalid search query: a condition is missing.")),
        }
    }

    fn condition(&mut self, field: &str) -> Result<String, QError> {
        let column = self.column(field)?;
        let Some(Tok::Word(opw)) = self.toks.get(self.pos).cloned() else {
            return Err(err(format!(
                "Invalid search query: an operator is missing after '{field}'."
            )));
        };
        let Some((op, negated)) = op(&opw) else {
            return Err(err(format!(
                "Invalid search query: unknown operator '{opw}'."
            )));
        };
        self.pos += 1;
        let cond = if op == Op::Empty {
            format!("({column} IS NULL OR CAST({column} AS TEXT) = '')")
        } else {
            let values = match self.toks.get(self.pos).cloned() {
                Some(Tok::Word(w)) if w != "AND" && w != "OR" => vec![w],
                Some(Tok::Quoted(s)) => vec![s],
                Some(Tok::List(l)) => l,
                _ => {
                    return Err(err(format!(
                        "Invalid search query: '{field} {opw}' needs a value."
                    )))
                }
            };
            self.pos += 1;
            self.compare(&column, op, &opw, values)?
        };
        Ok(if negated {
            format!("(NOT COALESCE({cond}, 0))")
        } else {
            format!("COALESCE({cond}, 0)")
        })
    }

    /// SQL for the field's scalar value: references by id, booleans as 1/0.
    fn column(&self, field: &str) -> Result<String, QError> {
        if !crate::store::is_ident(field) {
            return Err(err(format!(
                "Invalid search query: '{field}' is not a field name."
            )));
        }
        let lower = field.to_ascii_lowercase();
        if lower == "id" {
            return Ok("id".into());
        }
        if lower == "externalid" {
            return Ok("eid".into());
        }
        let name = match self.fields.get(&lower) {
            Some(n) => n.clone(),
            None if self.fields.is_empty() => field.to_owned(),
            None => {
                return Err(QError {
                    code: "NONEXISTENT_FIELD",
                    detail: format!(
                    "Invalid search query: the field '{field}' does not exist on this record type."
                ),
                })
            }
        };
        Ok(format!(
            "(CASE json_type(body, '$.\"{name}\"') WHEN 'object' THEN json_extract(body, '$.\"{name}\".id') ELSE json_extract(body, '$.\"{name}\"') END)"
        ))
    }

    fn number(&self, opw: &str, v: &str) -> Result<f64, QError> {
        v.trim()
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .ok_or_else(|| {
                err(format!(
                    "Invalid search query: {opw} needs a number, found '{v}'."
                ))
            })
    }

    fn compare(
        &mut self,
        c: &str,
        op: Op,
        opw: &str,
        values: Vec<String>,
    ) -> Result<String, QError> {
        let one = |values: &[String]| -> Result<String, QError> {
            match values {
                [v] => Ok(v.clone()),
                _ => Err(err(format!("Invalid search query: {opw} takes one value."))),
            }
        };
        let two = |values: &[String]| -> Result<(String, String), QError> {
            match values {
                [a, b] => Ok((a.clone(), b.clone())),
                _ => Err(err(format!(
                    "Invalid search query: {opw} takes two values, e.g. [1, 10]."
                ))),
            }
        };
        Ok(match op {
            Op::Is => {
                let v = one(&values)?;
                match v.to_ascii_lowercase().as_str() {
                    "true" | "t" => format!("({c} = 1 OR {c} = 'T' OR lower({c}) = 'true')"),
                    "false" | "f" => format!("({c} = 0 OR {c} = 'F' OR lower({c}) = 'false')"),
                    _ => {
                        self.args.push(Sql::Text(v));
                        format!("(lower(CAST({c} AS TEXT)) = lower(?))")
                    }
                }
            }
            Op::Contain | Op::StartWith | Op::EndWith => {
                let v = one(&values)?;
                let esc = v
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                let pattern = match op {
                    Op::Contain => format!("%{esc}%"),
                    Op::StartWith => format!("{esc}%"),
                    _ => format!("%{esc}"),
                };
                self.args.push(Sql::Text(pattern));
                format!("(CAST({c} AS TEXT) LIKE ? ESCAPE '\\')")
            }
            Op::Equal | Op::Greater | Op::GreaterOrEqual | Op::Less | Op::LessOrEqual => {
                let n = self.number(opw, &one(&values)?)?;
                self.args.push(Sql::Real(n));
                let sym = match op {
                    Op::Equal => "=",
                    Op::Greater => ">",
                    Op::GreaterOrEqual => ">=",
                    Op::Less => "<",
                    _ => "<=",
                };
                format!("(CAST({c} AS REAL) {sym} ? AND {c} IS NOT NULL)")
            }
            Op::Between | Op::Within => {
                let (a, b) = two(&values)?;
                match (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
                    (Ok(x), Ok(y)) if op == Op::Between || !looks_like_date(&a) => {
                        self.args.push(Sql::Real(x));
                        self.args.push(Sql::Real(y));
                        format!("(CAST({c} AS REAL) BETWEEN ? AND ? AND {c} IS NOT NULL)")
                    }
                    _ => {
                        let (x, y) = (date(opw, &a)?, date(opw, &b)?);
                        self.args.push(Sql::Text(x));
                        self.args.push(Sql::Text(y));
                        format!("(substr({c}, 1, 10) BETWEEN ? AND ?)")
                    }
                }
            }
            Op::AnyOf => {
                if values.is_empty() {
                    return Err(err(
                        "Invalid search query: ANY_OF needs at least one value.",
                    ));
                }
                let marks = vec!["?"; values.len()].join(", ");
                for v in values {
                    self.args.push(Sql::Text(v));
                }
                format!("(CAST({c} AS TEXT) IN ({marks}))")
            }
            Op::After | Op::Before | Op::On | Op::OnOrAfter | Op::OnOrBefore => {
                let d = date(opw, &one(&values)?)?;
                self.args.push(Sql::Text(d));
                let sym = match op {
                    Op::After => ">",
                    Op::Before => "<",
                    Op::On => "=",
                    Op::OnOrAfter => ">=",
                    _ => "<=",
                };
                format!("(substr({c}, 1, 10) {sym} ?)")
            }
            Op::Empty => unreachable!("EMPTY has no value"),
        })
    }
}

fn looks_like_date(s: &str) -> bool {
    s.contains('/') || s.contains('-') && s.len() >= 8
}

/// `YYYY-MM-DD` from `YYYY-MM-DD[...]` or the account format `M/D/YYYY`.
fn date(opw: &str, v: &str) -> Result<String, QError> {
    let v = v.trim();
    let bad = || {
        err(format!(
            "Invalid search query: {opw} needs a date (M/D/YYYY or YYYY-MM-DD), found '{v}'."
        ))
    };
    let (y, m, d) = if let Some((m, rest)) = v.split_once('/') {
        let (d, y) = rest.split_once('/').ok_or_else(bad)?;
        (y, m, d)
    } else {
        let head = v.get(..10).unwrap_or(v);
        let mut it = head.split('-');
        let y = it.next().ok_or_else(bad)?;
        let m = it.next().ok_or_else(bad)?;
        let d = it.next().ok_or_else(bad)?;
        (y, m, d)
    };
    let y: u32 = y.parse().map_err(|_| bad())?;
    let m: u32 = m.parse().map_err(|_| bad())?;
    let d: u32 = d.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || y > 9999 {
        return Err(bad());
    }
    Ok(format!("{y:04}-{m:02}-{d:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> BTreeMap<String, String> {
        [("companyname", "companyName"), ("balance", "balance")]
            .into_iter()
            .map(|(a, b)| (a.to_owned(), b.to_owned()))
            .collect()
    }

    #[test]
    fn parses_precedence_and_lists() {
        let (sql, args) = to_sql(
            "companyName START_WITH \"A\" OR (balance BETWEEN [1, 2] AND id ANY_OF [1,2,3])",
            &fields(),
        )
        .unwrap();
        assert!(sql.contains(" OR "), "{sql}");
        assert_eq!(args.len(), 6);
    }

    #[test]
    fn rejects_garbage() {
        for q in [
            "",
            "companyName",
            "companyName FOO x",
            "(companyName IS x",
            "companyName IS",
            "balance EQUAL abc",
            "nope IS x",
            "companyName IS \"x",
            "id ANY_OF [1, 2",
            "a'b IS 1",
            ")",
        ] {
            assert!(to_sql(q, &fields()).is_err(), "{q}");
        }
        assert_eq!(
            to_sql("nope IS x", &fields()).unwrap_err().code,
            "NONEXISTENT_FIELD"
        );
    }

    #[test]
    fn dates() {
        assert_eq!(date("ON", "1/2/2024").unwrap(), "2024-01-02");
        assert_eq!(date("ON", "2024-01-02T00:00:00Z").unwrap(), "2024-01-02");
        assert!(date("ON", "13/1/2024").is_err());
    }
}
