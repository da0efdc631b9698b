//! Serde helpers for the way NetSuite writes values: numbers as strings (`"42"`, `"12.50"`),
//! booleans as `"T"`/`"F"`, dates as ISO (`2024-01-31`) or the account format (`1/31/2024`), and
//! null columns omitted.
//!
//! ```
//! use nstba_record::values::{self, Date};
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Row {
//!     #[serde(with = "values::number_string")]
//!     id: u64,
//!     #[serde(with = "values::tf_bool")]
//!     isinactive: bool,
//!     // Omitted (null) columns become None; None is not sent.
//!     #[serde(default, with = "values::opt_number_string", skip_serializing_if = "Option::is_none")]
//!     balance: Option<f64>,
//!     #[serde(default, skip_serializing_if = "Option::is_none")]
//!     datecreated: Option<Date>,
//! }
//! let row: Row = serde_json::from_str(r#"{"id":"7","isinactive":"F","datecreated":"1/31/2024"}"#)?;
//! assert_eq!(row.id, 7);
//! assert!(!row.isinactive);
//! assert_eq!(row.balance, None);
//! assert_eq!(row.datecreated, Some(Date::new(2024, 1, 31).unwrap()));
//! assert_eq!(
//!     serde_json::to_string(&row)?,
//!     r#"{"id":"7","isinactive":"F","datecreated":"2024-01-31"}"#
//! );
//! # Ok::<(), serde_json::Error>(())
//! ```

use core::fmt;
use core::str::FromStr;
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Numbers sent as strings; accepts a JSON string or number when reading.
///
/// Works for any `T: FromStr + Display` (`u64`, `i32`, `f64`, …).
pub mod number_string {
    use super::*;

    /// Writes the number as a string.
    pub fn serialize<T: fmt::Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    /// Reads a string or a number.
    pub fn deserialize<'de, T, D>(d: D) -> Result<T, D::Error>
    where
        T: FromStr,
        T::Err: fmt::Display,
        D: Deserializer<'de>,
    {
        let text = d.deserialize_any(TextVisitor)?;
        text.trim()
            .parse::<T>()
            .map_err(|e| de::Error::custom(format_args!("invalid number {text:?}: {e}")))
    }
}

/// Like [`number_string`] for `Option<T>`: missing, `null` or `""` is `None`. Use with
/// `#[serde(default, skip_serializing_if = "Option::is_none")]`.
pub mod opt_number_string {
    use super::*;

    /// Writes `Some(n)` as a string and `None` as `null`.
    pub fn serialize<T: fmt::Display, S: Serializer>(
        v: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.collect_str(v),
            None => s.serialize_none(),
        }
    }

    /// Reads a string, a number, `null` or `""`.
    pub fn deserialize<'de, T, D>(d: D) -> Result<Option<T>, D::Error>
    where
        T: FromStr,
        T::Err: fmt::Display,
        D: Deserializer<'de>,
    {
        let text: Option<String> = Option::deserialize(d).map(|o: Option<Text>| o.map(|t| t.0))?;
        match text {
            None => Ok(None),
            Some(t) if t.trim().is_empty() => Ok(None),
            Some(t) => t
                .trim()
                .parse::<T>()
                .map(Some)
                .map_err(|e| de::Error::custom(format_args!("invalid number {t:?}: {e}"))),
        }
    }
}

/// `"T"` / `"F"` booleans; also accepts JSON booleans and `"true"`/`"false"` when reading.
pub mod tf_bool {
    use super::*;

    /// Writes `"T"` or `"F"`.
    pub fn serialize<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if *v { "T" } else { "F" })
    }

    /// Reads `"T"`, `"F"`, `true`, `false`, `"true"`, `"false"`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        d.deserialize_any(BoolVisitor)
    }
}

/// Like [`tf_bool`] for `Option<bool>`.
pub mod opt_tf_bool {
    use super::*;

    /// Writes `"T"`, `"F"` or `null`.
    pub fn serialize<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(b) => tf_bool::serialize(b, s),
            None => s.serialize_none(),
        }
    }

    /// Reads a [`tf_bool`] value or `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        Option::<TfBool>::deserialize(d).map(|o| o.map(|b| b.0))
    }
}

struct TfBool(bool);

impl<'de> Deserialize<'de> for TfBool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BoolVisitor).map(TfBool)
    }
}

struct BoolVisitor;

impl Visitor<'_> for BoolVisitor {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"T\", \"F\" or a boolean")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
        Ok(v)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<bool, E> {
        match v {
            "T" | "t" | "true" | "TRUE" | "True" => Ok(true),
            "F" | "f" | "false" | "FALSE" | "False" => Ok(false),
            _ => Err(E::invalid_value(Unexpected::Str(v), &self)),
        }
    }
}

struct Text(String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TextVisitor).map(Text)
    }
}

struct TextVisitor;

impl Visitor<'_> for TextVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number or a string holding one")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
}

/// A calendar date without time zone. Reads ISO `YYYY-MM-DD` (also the date part of a date-time) and
/// NetSuite's `M/D/YYYY`; writes ISO.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// A value that is not a valid [`Date`] or [`DateTime`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseDateError(String);

impl fmt::Display for ParseDateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid date {:?}: expected YYYY-MM-DD or M/D/YYYY",
            self.0
        )
    }
}

impl std::error::Error for ParseDateError {}

impl Date {
    /// A date, when it exists in the (proleptic Gregorian) calendar.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        ((1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then_some(Date { year, month, day })
    }

    /// The year.
    pub fn year(&self) -> i32 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(&self) -> u8 {
        self.month
    }

    /// The day of the month, 1..=31.
    pub fn day(&self) -> u8 {
        self.day
    }

    /// `M/D/YYYY`, NetSuite's default account format (for `q=` filters).
    pub fn to_netsuite(&self) -> String {
        format!("{}/{}/{}", self.month, self.day, self.year)
    }
}

fn num<T: FromStr>(s: &str, max_len: usize) -> Option<T> {
    (!s.is_empty() && s.len() <= max_len && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

impl FromStr for Date {
    type Err = ParseDateError;
    fn from_str(s: &str) -> Result<Date, ParseDateError> {
        let err = || ParseDateError(s.to_owned());
        let t = s.trim();
        let date = if let Some((m, rest)) = t.split_once('/') {
            let (d, y) = rest.split_once('/').ok_or_else(err)?;
            Date::new(
                num(y, 4).ok_or_else(err)?,
                num(m, 2).ok_or_else(err)?,
                num(d, 2).ok_or_else(err)?,
            )
        } else {
            let day_part = t.get(..10).ok_or_else(err)?;
            if t.len() > 10 && !matches!(t.as_bytes()[10], b'T' | b' ') {
                return Err(err());
            }
            let mut it = day_part.split('-');
            let (y, m, d) = (it.next(), it.next(), it.next());
            match (y, m, d) {
                (Some(y), Some(m), Some(d)) if y.len() == 4 && m.len() == 2 && d.len() == 2 => {
                    Date::new(
                        num(y, 4).ok_or_else(err)?,
                        num(m, 2).ok_or_else(err)?,
                        num(d, 2).ok_or_else(err)?,
                    )
                }
                _ => None,
            }
        };
        date.ok_or_else(err)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

/// A date and time of day with an optional UTC offset. Reads ISO 8601 (`2024-01-31T13:45:00Z`,
/// `2024-01-31T13:45:00.123+02:00`, `2024-01-31 13:45:00`) and NetSuite's `1/31/2024 1:45 pm` /
/// `1/31/2024 13:45:00`; writes ISO 8601.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateTime {
    date: Date,
    hour: u8,
    minute: u8,
    second: u8,
    millis: u16,
    offset_minutes: Option<i16>,
}

impl DateTime {
    /// A date-time in an unspecified (account) time zone.
    pub fn new(date: Date, hour: u8, minute: u8, second: u8) -> Option<DateTime> {
        (hour < 24 && minute < 60 && second < 60).then_some(DateTime {
            date,
            hour,
            minute,
            second,
            millis: 0,
            offset_minutes: None,
        })
    }

    /// The same time with a UTC offset in minutes (`0` = `Z`).
    pub fn with_offset(mut self, minutes: i16) -> Option<DateTime> {
        (minutes.abs() < 24 * 60).then(|| {
            self.offset_minutes = Some(minutes);
            self
        })
    }

    /// The date.
    pub fn date(&self) -> Date {
        self.date
    }

    /// `(hour, minute, second, millisecond)`.
    pub fn time(&self) -> (u8, u8, u8, u16) {
        (self.hour, self.minute, self.second, self.millis)
    }

    /// The UTC offset in minutes, when known.
    pub fn offset_minutes(&self) -> Option<i16> {
        self.offset_minutes
    }
}

impl FromStr for DateTime {
    type Err = ParseDateError;
    fn from_str(s: &str) -> Result<DateTime, ParseDateError> {
        let err = || ParseDateError(s.to_owned());
        let t = s.trim();
        if t.contains('/') {
            // M/D/YYYY h:mm[:ss] [am|pm]
            let (d, rest) = t.split_once(' ').ok_or_else(err)?;
            let date: Date = d.parse().map_err(|_| err())?;
            let rest = rest.trim().to_ascii_lowercase();
            let (clock, meridiem) = match rest.rsplit_once(' ') {
                Some((c, m @ ("am" | "pm"))) => (c.trim().to_owned(), Some(m == "pm")),
                _ => (rest.clone(), None),
            };
            let mut parts = clock.split(':');
            let mut hour: u8 = num(parts.next().ok_or_else(err)?, 2).ok_or_else(err)?;
            let minute: u8 = num(parts.next().ok_or_else(err)?, 2).ok_or_else(err)?;
            let second: u8 = match parts.next() {
                Some(p) => num(p, 2).ok_or_else(err)?,
                None => 0,
            };
            if parts.next().is_some() {
                return Err(err());
            }
            if let Some(pm) = meridiem {
                if !(1..=12).contains(&hour) {
                    return Err(err());
                }
                hour = (hour % 12) + if pm { 12 } else { 0 };
            }
            return DateTime::new(date, hour, minute, second).ok_or_else(err);
        }
        let date: Date = t.get(..10).ok_or_else(err)?.parse().map_err(|_| err())?;
        let rest = t.get(11..).ok_or_else(err)?;
        if !matches!(t.as_bytes().get(10), Some(b'T' | b' ')) {
            return Err(err());
        }
        let (clock, offset) =
            if let Some(c) = rest.strip_suffix('Z').or_else(|| rest.strip_suffix('z')) {
                (c, Some(0i16))
            } else if let Some(pos) = rest.rfind(['+', '-']) {
                let (c, o) = rest.split_at(pos);
                let sign: i16 = if o.starts_with('-') { -1 } else { 1 };
                let o = &o[1..];
                let (oh, om) = match o.split_once(':') {
                    Some((h, m)) => (h, m),
                    None if o.len() == 4 => o.split_at(2),
                    None => (o, "00"),
                };
                let oh: i16 = num(oh, 2).ok_or_else(err)?;
                let om: i16 = num(om, 2).ok_or_else(err)?;
                (c, Some(sign * (oh * 60 + om)))
            } else {
                (rest, None)
            };
        let (hms, frac) = match clock.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (clock, None),
        };
        let mut parts = hms.split(':');
        let hour: u8 = num(parts.next().ok_or_else(err)?, 2).ok_or_else(err)?;
        let minute: u8 = num(parts.next().ok_or_else(err)?, 2).ok_or_else(err)?;
        let second: u8 = match parts.next() {
            Some(p) => num(p, 2).ok_or_else(err)?,
            None => 0,
        };
        if parts.next().is_some() {
            return Err(err());
        }
        let millis = match frac {
            Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
                let digits: String = f.chars().chain("000".chars()).take(3).collect();
                digits.parse::<u16>().map_err(|_| err())?
            }
            Some(_) => return Err(err()),
            None => 0,
        };
        let mut dt = DateTime::new(date, hour, minute, second).ok_or_else(err)?;
        dt.millis = millis;
        match offset {
            Some(o) => dt.with_offset(o).ok_or_else(err),
            None => Ok(dt),
        }
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}T{:02}:{:02}:{:02}",
            self.date, self.hour, self.minute, self.second
        )?;
        if self.millis != 0 {
            write!(f, ".{:03}", self.millis)?;
        }
        match self.offset_minutes {
            Some(0) => f.write_str("Z"),
            Some(o) => {
                let sign = if o < 0 { '-' } else { '+' };
                let o = o.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", o / 60, o % 60)
            }
            None => Ok(()),
        }
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d: Date = "2024-02-29".parse().unwrap();
        assert_eq!((d.year(), d.month(), d.day()), (2024, 2, 29));
        assert_eq!("2/29/2024".parse::<Date>().unwrap(), d);
        assert_eq!("2024-02-29T10:00:00Z".parse::<Date>().unwrap(), d);
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(d.to_netsuite(), "2/29/2024");
        for bad in [
            "2023-02-29",
            "13/1/2024",
            "",
            "2024-1-1",
            "x/y/z",
            "1/1/99999",
            "2024-01-01X",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn date_times() {
        let t: DateTime = "2024-01-31T13:45:07.5+02:00".parse().unwrap();
        assert_eq!(t.time(), (13, 45, 7, 500));
        assert_eq!(t.offset_minutes(), Some(120));
        assert_eq!(t.to_string(), "2024-01-31T13:45:07.500+02:00");
        let z: DateTime = "2024-01-31T13:45:07Z".parse().unwrap();
        assert_eq!(z.to_string(), "2024-01-31T13:45:07Z");
        let ns: DateTime = "1/31/2024 1:45 pm".parse().unwrap();
        assert_eq!(ns.time(), (13, 45, 0, 0));
        let ns: DateTime = "1/31/2024 12:05 am".parse().unwrap();
        assert_eq!(ns.time(), (0, 5, 0, 0));
        let ns: DateTime = "1/31/2024 23:05:09".parse().unwrap();
        assert_eq!(ns.time(), (23, 5, 9, 0));
        let neg: DateTime = "2024-01-31 01:02:03-0530".parse().unwrap();
        assert_eq!(neg.offset_minutes(), Some(-330));
        for bad in [
            "1/31/2024 13:45 pm",
            "2024-01-31T25:00:00",
            "2024-01-31",
            "1/31/2024",
            "2024-01-31T10:00:00+99:00",
        ] {
            assert!(bad.parse::<DateTime>().is_err(), "{bad}");
        }
    }

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Row {
        #[serde(with = "number_string")]
        n: f64,
        #[serde(with = "tf_bool")]
        b: bool,
        #[serde(default, with = "opt_tf_bool", skip_serializing_if = "Option::is_none")]
        ob: Option<bool>,
        #[serde(
            default,
            with = "opt_number_string",
            skip_serializing_if = "Option::is_none"
        )]
        on: Option<i64>,
    }

    #[test]
    fn helpers_round_trip() {
        let r: Row = serde_json::from_str(r#"{"n":"12.5","b":"T","on":""}"#).unwrap();
        assert_eq!(
            r,
            Row {
                n: 12.5,
                b: true,
                ob: None,
                on: None
            }
        );
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"n":"12.5","b":"T"}"#
        );
        let r: Row = serde_json::from_str(r#"{"n":3,"b":false,"ob":"F","on":-4}"#).unwrap();
        assert_eq!(
            r,
            Row {
                n: 3.0,
                b: false,
                ob: Some(false),
                on: Some(-4)
            }
        );
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"n":"3","b":"F","ob":"F","on":"-4"}"#
        );
        assert!(serde_json::from_str::<Row>(r#"{"n":"abc","b":"T"}"#).is_err());
        assert!(serde_json::from_str::<Row>(r#"{"n":"1","b":"X"}"#).is_err());
    }
}
