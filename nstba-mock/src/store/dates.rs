//! Dates as SuiteQL shows them: the account's date-format preference, `TO_CHAR` with an explicit
//! format, and the ISO text records store.

use std::fmt;
use std::str::FromStr;

/// An account's date-format preference (Set Preferences → Date Format). SuiteQL shows every date
/// and timestamp column in it, date only, and the response does not say which one it is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateFormat {
    /// `M/D/YYYY` (`3/19/2025`), NetSuite's default.
    #[default]
    MonthDayYear,
    /// `D/M/YYYY` (`19/3/2025`).
    DayMonthYear,
    /// `D.M.YYYY` (`19.3.2025`).
    DayMonthYearDots,
    /// `DD-Mon-YYYY` (`19-Mar-2025`).
    DayMonYear,
    /// `YYYY-MM-DD` (`2025-03-19`).
    Iso,
}

/// A date-format name the emulator does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownDateFormat(pub String);

impl fmt::Display for UnknownDateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown date format {:?}: use M/D/YYYY, D/M/YYYY, D.M.YYYY, DD-Mon-YYYY or YYYY-MM-DD",
            self.0
        )
    }
}

impl std::error::Error for UnknownDateFormat {}

impl DateFormat {
    /// Every format, for tests and help texts.
    pub const ALL: [DateFormat; 5] = [
        DateFormat::MonthDayYear,
        DateFormat::DayMonthYear,
        DateFormat::DayMonthYearDots,
        DateFormat::DayMonYear,
        DateFormat::Iso,
    ];

    /// The preference as NetSuite names it (`M/D/YYYY`).
    pub fn pattern(&self) -> &'static str {
        match self {
            DateFormat::MonthDayYear => "M/D/YYYY",
            DateFormat::DayMonthYear => "D/M/YYYY",
            DateFormat::DayMonthYearDots => "D.M.YYYY",
            DateFormat::DayMonYear => "DD-Mon-YYYY",
            DateFormat::Iso => "YYYY-MM-DD",
        }
    }

    /// A calendar date in this format.
    pub fn format(&self, year: u32, month: u32, day: u32) -> String {
        match self {
            DateFormat::MonthDayYear => format!("{month}/{day}/{year}"),
            DateFormat::DayMonthYear => format!("{day}/{month}/{year}"),
            DateFormat::DayMonthYearDots => format!("{day}.{month}.{year}"),
            DateFormat::DayMonYear => format!("{day:02}-{}-{year}", month_abbr(month)),
            DateFormat::Iso => format!("{year:04}-{month:02}-{day:02}"),
        }
    }
}

impl fmt::Display for DateFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.pattern())
    }
}

impl FromStr for DateFormat {
    type Err = UnknownDateFormat;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        DateFormat::ALL
            .into_iter()
            .find(|f| f.pattern().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownDateFormat(s.to_owned()))
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn month_abbr(month: u32) -> &'static str {
    MONTHS
        .get((month as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("???")
}

/// A stored date or date-time: ISO `YYYY-MM-DD`, optionally followed by `T`/space and a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    pub year: u32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// Reads ISO `2025-03-19`, `2025-03-19T21:14:00Z`, `2025-03-19 21:14:00`, `2025-03-19T21:14:00.5+02:00`.
/// Anything else (free text that merely starts with a date) is not a date.
pub(crate) fn parse_iso(s: &str) -> Option<Stamp> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' || b[..4].iter().any(|c| !c.is_ascii_digit()) {
        return None;
    }
    let year = digits(&s[..4])?;
    let month = digits(s.get(5..7)?)?;
    let day = digits(s.get(8..10)?)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let mut stamp = Stamp {
        year,
        month,
        day,
        hour: 0,
        minute: 0,
        second: 0,
    };
    if b.len() == 10 {
        return Some(stamp);
    }
    if !matches!(b[10], b'T' | b' ') {
        return None;
    }
    let rest = &s[11..];
    // The clock: HH:MM[:SS[.fff]], then an optional zone (Z or ±HH[:MM]).
    let clock_end = rest.find(['Z', 'z', '+', '-']).unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(clock_end);
    let zone_ok = zone.is_empty()
        || zone.eq_ignore_ascii_case("z")
        || (zone.len() >= 3 && zone[1..].bytes().all(|c| c.is_ascii_digit() || c == b':'));
    if !zone_ok {
        return None;
    }
    let clock = clock.split('.').next().unwrap_or("");
    let mut parts = clock.split(':');
    stamp.hour = digits(parts.next()?)?;
    stamp.minute = digits(parts.next()?)?;
    stamp.second = match parts.next() {
        Some(p) => digits(p)?,
        None => 0,
    };
    if parts.next().is_some() || stamp.hour > 23 || stamp.minute > 59 || stamp.second > 60 {
        return None;
    }
    Some(stamp)
}

/// `TO_CHAR(value, format)` over a stored date: Oracle's `YYYY`, `MM`, `DD`, `HH24`, `HH`/`HH12`,
/// `MI`, `SS`, `MON`/`Mon`, `AM`/`PM`, `"quoted text"` and punctuation. `None` when the value is not
/// a date (then the value is returned as text) or the format has an element it does not know.
pub(crate) fn to_char(value: &str, format: &str) -> Option<String> {
    let d = parse_iso(value.trim())?;
    let mut out = String::new();
    let f = format;
    let mut i = 0;
    let starts = |i: usize, tok: &str| {
        f.get(i..i + tok.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(tok))
    };
    while i < f.len() {
        let rest = &f[i..];
        let c = rest.chars().next()?;
        if c == '"' {
            let end = rest[1..].find('"')?;
            out.push_str(&rest[1..1 + end]);
            i += end + 2;
        } else if starts(i, "YYYY") {
            out.push_str(&format!("{:04}", d.year));
            i += 4;
        } else if starts(i, "HH24") {
            out.push_str(&format!("{:02}", d.hour));
            i += 4;
        } else if starts(i, "HH12") || starts(i, "HH") {
            let h = if d.hour % 12 == 0 { 12 } else { d.hour % 12 };
            out.push_str(&format!("{h:02}"));
            i += if starts(i, "HH12") { 4 } else { 2 };
        } else if starts(i, "MON") {
            let abbr = month_abbr(d.month);
            if rest.starts_with("MON") {
                out.push_str(&abbr.to_ascii_uppercase());
            } else {
                out.push_str(abbr);
            }
            i += 3;
        } else if starts(i, "MM") {
            out.push_str(&format!("{:02}", d.month));
            i += 2;
        } else if starts(i, "MI") {
            out.push_str(&format!("{:02}", d.minute));
            i += 2;
        } else if starts(i, "DD") {
            out.push_str(&format!("{:02}", d.day));
            i += 2;
        } else if starts(i, "SS") {
            out.push_str(&format!("{:02}", d.second));
            i += 2;
        } else if starts(i, "AM") || starts(i, "PM") {
            out.push_str(if d.hour < 12 { "AM" } else { "PM" });
            i += 2;
        } else if c.is_ascii_alphanumeric() {
            return None;
        } else {
            out.push(c);
            i += c.len_utf8();
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        let expect = [
            "3/19/2025",
            "19/3/2025",
            "19.3.2025",
            "19-Mar-2025",
            "2025-03-19",
        ];
        for (f, e) in DateFormat::ALL.iter().zip(expect) {
            assert_eq!(f.format(2025, 3, 19), e);
            assert_eq!(f.pattern().parse::<DateFormat>().unwrap(), *f);
        }
        assert!("Y/M/D".parse::<DateFormat>().is_err());
    }

    #[test]
    fn iso_and_to_char() {
        assert!(parse_iso("2025-03-19").is_some());
        assert!(parse_iso("2025-03-19T21:14:00Z").is_some());
        assert!(parse_iso("2025-03-19 21:14:00").is_some());
        assert!(parse_iso("2025-03-19T21:14:00.123+02:00").is_some());
        assert!(parse_iso("2025-03-19 meeting notes").is_none());
        assert!(parse_iso("2025-13-19").is_none());
        assert!(parse_iso("SO1001").is_none());
        let iso = "YYYY-MM-DD\"T\"HH24:MI:SS";
        assert_eq!(
            to_char("2025-06-30T21:14:05Z", iso).as_deref(),
            Some("2025-06-30T21:14:05")
        );
        assert_eq!(
            to_char("2025-06-30", iso).as_deref(),
            Some("2025-06-30T00:00:00")
        );
        assert_eq!(
            to_char("2025-06-30T21:14:05Z", "DD-MON-YYYY HH:MI PM").as_deref(),
            Some("30-JUN-2025 09:14 PM")
        );
        assert_eq!(to_char("2025-06-30", "YYYYQ"), None);
        assert_eq!(to_char("x", iso), None);
    }
}
