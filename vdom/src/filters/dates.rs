//! `django.utils.dateformat` (the PHP-style format characters),
//! `formats.date_format` / `time_format`, `django.utils.timesince`, and the
//! `date`, `time`, `timesince` and `timeuntil` filters.
use std::fmt::Write as _;

use super::{out, text_of, FilterCtx};
use crate::error::{Error, Result};
use crate::host::Host;
use crate::value::{Date, DateTime, Time, TzInfo, Value};

// ---------------------------------------------------------------- calendar

/// Days since 1970-01-01 (proleptic Gregorian), Howard Hinnant's algorithm.
pub(crate) fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `days` after 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> Date {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = yoe + era * 400 + i64::from(m <= 2);
    Date {
        year: y as i32,
        month: m,
        day: d,
    }
}

pub(crate) fn is_leap(y: i32) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

pub(crate) fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Python's `weekday()`: Monday is 0.
fn weekday(d: &Date) -> i64 {
    (days_from_civil(d.year, d.month, d.day) + 3).rem_euclid(7)
}

fn day_of_year(d: &Date) -> i64 {
    days_from_civil(d.year, d.month, d.day) - days_from_civil(d.year, 1, 1) + 1
}

/// Python's `isocalendar()`: (ISO year, ISO week).
fn iso_calendar(d: &Date) -> (i32, i64) {
    let days = days_from_civil(d.year, d.month, d.day);
    let wd = weekday(d);
    // The Thursday of this ISO week decides the ISO year.
    let thursday = civil_from_days(days - wd + 3);
    let jan1 = days_from_civil(thursday.year, 1, 1);
    let week = (days - wd + 3 - jan1) / 7 + 1;
    (thursday.year, week)
}

/// Microseconds since the epoch of a wall-clock datetime, ignoring zones.
fn wall_micros(dt: &DateTime) -> i128 {
    let days = i128::from(days_from_civil(dt.date.year, dt.date.month, dt.date.day));
    let secs = days * 86_400
        + i128::from(dt.time.hour) * 3600
        + i128::from(dt.time.minute) * 60
        + i128::from(dt.time.second);
    secs * 1_000_000 + i128::from(dt.time.microsecond)
}

/// The wall-clock datetime `micros` after the epoch.
fn from_wall_micros(micros: i128, tz: Option<TzInfo>) -> DateTime {
    let secs = micros.div_euclid(1_000_000);
    let us = micros.rem_euclid(1_000_000) as u32;
    let days = secs.div_euclid(86_400) as i64;
    let sod = secs.rem_euclid(86_400) as u32;
    DateTime {
        date: civil_from_days(days),
        time: Time {
            hour: (sod / 3600) as u8,
            minute: ((sod % 3600) / 60) as u8,
            second: (sod % 60) as u8,
            microsecond: us,
            tz,
        },
    }
}

// ------------------------------------------------------------- formatting

/// What a format runs on: Django's `self.data`.
enum Data<'a> {
    Date(&'a Date),
    Time(&'a Time),
    DateTime(&'a DateTime),
    /// A value with none of the attributes (a string, a number).
    Other,
}

/// Why a format failed, as the Python exception it would be.
enum Fail {
    /// `AttributeError`: the value lacks a field the format reads.
    Attr,
    /// `TypeError` with its message.
    Type(String),
}

struct Formatter<'a> {
    data: Data<'a>,
    /// `self.timezone`: set for datetimes only.
    timezone: Option<TzInfo>,
    host: &'a dyn Host,
    /// `DateFormat` (date filter) or `TimeFormat` (time filter).
    date_chars: bool,
}

const TIME_CHARS: &str = "aAefgGhHiOPsTuZ";
const FORMAT_CHARS: &str = "aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ";

impl<'a> Formatter<'a> {
    fn new(value: &'a Value, host: &'a dyn Host, date_chars: bool) -> Self {
        let data = match value {
            Value::Date(d) => Data::Date(d),
            Value::Time(t) => Data::Time(t),
            Value::DateTime(dt) => Data::DateTime(dt),
            _ => Data::Other,
        };
        let timezone = match &data {
            Data::DateTime(dt) => match &dt.time.tz {
                Some(tz) => Some(tz.clone()),
                None => host.default_zone(dt),
            },
            _ => None,
        };
        Formatter {
            data,
            timezone,
            host,
            date_chars,
        }
    }

    fn format(&self, fmt: &str) -> Result<String, Fail> {
        let mut out = String::new();
        let mut literal = String::new();
        let mut prev = None;
        for c in fmt.chars() {
            if FORMAT_CHARS.contains(c) && prev != Some('\\') {
                unescape_into(&literal, &mut out);
                literal.clear();
                if matches!(self.data, Data::Date(_)) && TIME_CHARS.contains(c) {
                    return Err(Fail::Type(format!(
                        "The format for date objects may not contain time-related format specifiers (found '{c}')."
                    )));
                }
                if !self.date_chars && !TIME_CHARS.contains(c) {
                    return Err(Fail::Attr);
                }
                self.spec(c, &mut out)?;
            } else {
                literal.push(c);
            }
            prev = Some(c);
        }
        unescape_into(&literal, &mut out);
        Ok(out)
    }

    fn date(&self) -> Result<&Date, Fail> {
        match self.data {
            Data::Date(d) => Ok(d),
            Data::DateTime(dt) => Ok(&dt.date),
            _ => Err(Fail::Attr),
        }
    }

    fn time(&self) -> Result<&Time, Fail> {
        match self.data {
            Data::Time(t) => Ok(t),
            Data::DateTime(dt) => Ok(&dt.time),
            _ => Err(Fail::Attr),
        }
    }

    fn t(&self, msgid: &str) -> String {
        self.host.gettext(msgid)
    }

    fn spec(&self, c: char, out: &mut String) -> Result<(), Fail> {
        match c {
            'a' => out.push_str(&self.t(if self.time()?.hour > 11 {
                "p.m."
            } else {
                "a.m."
            })),
            'A' => out.push_str(&self.t(if self.time()?.hour > 11 { "PM" } else { "AM" })),
            'e' => {
                if self.timezone.is_some() {
                    if let Data::DateTime(DateTime {
                        time: Time { tz: Some(tz), .. },
                        ..
                    }) = self.data
                    {
                        out.push_str(&tz.name);
                    }
                }
            }
            'f' => self.f(out)?,
            'g' => {
                let _ = write!(out, "{}", twelve(self.time()?.hour));
            }
            'G' => {
                let _ = write!(out, "{}", self.time()?.hour);
            }
            'h' => {
                let _ = write!(out, "{:02}", twelve(self.time()?.hour));
            }
            'H' => {
                let _ = write!(out, "{:02}", self.time()?.hour);
            }
            'i' => {
                let _ = write!(out, "{:02}", self.time()?.minute);
            }
            'O' => {
                if let Some(tz) = &self.timezone {
                    out.push_str(&offset_hhmm(tz.utc_offset));
                }
            }
            'P' => {
                let t = self.time()?;
                if t.minute == 0 && t.hour == 0 {
                    out.push_str(&self.t("midnight"));
                } else if t.minute == 0 && t.hour == 12 {
                    out.push_str(&self.t("noon"));
                } else {
                    self.f(out)?;
                    out.push(' ');
                    self.spec('a', out)?;
                }
            }
            's' => {
                let _ = write!(out, "{:02}", self.time()?.second);
            }
            'T' => {
                if let Some(tz) = &self.timezone {
                    out.push_str(&tz.name);
                }
            }
            'u' => {
                let _ = write!(out, "{:06}", self.time()?.microsecond);
            }
            'Z' => {
                if let Some(tz) = &self.timezone {
                    let _ = write!(out, "{}", tz.utc_offset);
                }
            }
            'b' => out.push_str(&self.t(MONTHS_3[self.month()?])),
            'c' => out.push_str(&self.isoformat()?),
            'd' => {
                let _ = write!(out, "{:02}", self.date()?.day);
            }
            'D' => out.push_str(&self.t(WEEKDAYS_ABBR[weekday(self.date()?) as usize])),
            'E' => out.push_str(&self.host.pgettext("alt. month", MONTHS[self.month()?])),
            'F' => out.push_str(&self.t(MONTHS[self.month()?])),
            'I' => {
                if let Some(tz) = &self.timezone {
                    out.push(if tz.dst == Some(true) { '1' } else { '0' });
                }
            }
            'j' => {
                let _ = write!(out, "{}", self.date()?.day);
            }
            'l' => out.push_str(&self.t(WEEKDAYS[weekday(self.date()?) as usize])),
            'L' => out.push_str(if is_leap(self.date()?.year) {
                "True"
            } else {
                "False"
            }),
            'm' => {
                let _ = write!(out, "{:02}", self.date()?.month);
            }
            'M' => out.push_str(&super::text::py_title(&self.t(MONTHS_3[self.month()?]))),
            'n' => {
                let _ = write!(out, "{}", self.date()?.month);
            }
            'N' => out.push_str(
                &self
                    .host
                    .pgettext("abbrev. month", MONTHS_AP[self.month()?]),
            ),
            'o' => {
                let _ = write!(out, "{}", iso_calendar(self.date()?).0);
            }
            'r' => self.rfc5322(out)?,
            'S' => {
                let day = self.date()?.day;
                out.push_str(match day {
                    11..=13 => "th",
                    _ => match day % 10 {
                        1 => "st",
                        2 => "nd",
                        3 => "rd",
                        _ => "th",
                    },
                });
            }
            't' => {
                let d = self.date()?;
                let _ = write!(out, "{}", days_in_month(d.year, d.month));
            }
            'U' => {
                let _ = write!(out, "{}", self.timestamp()?);
            }
            'w' => {
                let _ = write!(out, "{}", (weekday(self.date()?) + 1) % 7);
            }
            'W' => {
                let _ = write!(out, "{}", iso_calendar(self.date()?).1);
            }
            'y' => {
                let _ = write!(out, "{:02}", self.date()?.year % 100);
            }
            'Y' => {
                let _ = write!(out, "{:04}", self.date()?.year);
            }
            'z' => {
                let _ = write!(out, "{}", day_of_year(self.date()?));
            }
            _ => return Err(Fail::Attr),
        }
        Ok(())
    }

    fn month(&self) -> Result<usize, Fail> {
        Ok(usize::from(self.date()?.month.clamp(1, 12)) - 1)
    }

    fn f(&self, out: &mut String) -> Result<(), Fail> {
        let t = self.time()?;
        if t.minute != 0 {
            let _ = write!(out, "{}:{:02}", twelve(t.hour), t.minute);
        } else {
            let _ = write!(out, "{}", twelve(t.hour));
        }
        Ok(())
    }

    fn isoformat(&self) -> Result<String, Fail> {
        Ok(match self.data {
            Data::Date(d) => d.to_string(),
            Data::Time(t) => t.to_string(),
            Data::DateTime(dt) => format!("{}T{}", dt.date, dt.time),
            Data::Other => return Err(Fail::Attr),
        })
    }

    /// The value as an aware datetime, for `r` and `U`: a date is midnight
    /// in the default zone, a naive datetime is in the default zone.
    fn aware(&self) -> Result<(DateTime, Option<TzInfo>), Fail> {
        let dt = match self.data {
            Data::Time(_) => {
                return Err(Fail::Type(
                    "combine() argument 1 must be datetime.date, not datetime.time".into(),
                ))
            }
            Data::Date(d) => DateTime {
                date: *d,
                time: Time {
                    hour: 0,
                    minute: 0,
                    second: 0,
                    microsecond: 0,
                    tz: None,
                },
            },
            Data::DateTime(dt) => dt.clone(),
            _ => return Err(Fail::Attr),
        };
        let tz = match &dt.time.tz {
            Some(tz) => Some(tz.clone()),
            None if matches!(self.data, Data::DateTime(_)) => self.timezone.clone(),
            None => self.host.default_zone(&dt),
        };
        Ok((dt, tz))
    }

    fn rfc5322(&self, out: &mut String) -> Result<(), Fail> {
        let (dt, tz) = self.aware()?;
        const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        const MON: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let zone = match tz {
            Some(tz) => offset_hhmm(tz.utc_offset),
            None => "-0000".to_owned(),
        };
        let _ = write!(
            out,
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} {}",
            DAYS[weekday(&dt.date) as usize],
            dt.date.day,
            MON[usize::from(dt.date.month.clamp(1, 12)) - 1],
            dt.date.year,
            dt.time.hour,
            dt.time.minute,
            dt.time.second,
            zone
        );
        Ok(())
    }

    fn timestamp(&self) -> Result<i64, Fail> {
        let (dt, tz) = self.aware()?;
        let offset = tz.map_or(0, |t| i128::from(t.utc_offset));
        let micros = wall_micros(&dt) - offset * 1_000_000;
        // int(value.timestamp()): truncated toward zero.
        Ok((micros / 1_000_000) as i64)
    }
}

fn twelve(hour: u8) -> u8 {
    match hour % 12 {
        0 => 12,
        h => h,
    }
}

fn offset_hhmm(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    format!("{sign}{:02}{:02}", s / 3600, (s / 60) % 60)
}

/// `re_escaped.sub(r"\1", piece)`: a backslash escapes the next character
/// (not a newline, which `.` does not match).
fn unescape_into(piece: &str, out: &mut String) {
    let mut chars = piece.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                if next != '\n' {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const MONTHS_3: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const MONTHS_AP: [&str; 12] = [
    "Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.",
    "Dec.",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const WEEKDAYS_ABBR: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn run(value: &Value, fmt: &str, host: &dyn Host, date_chars: bool) -> Result<String, Fail> {
    Formatter::new(value, host, date_chars).format(fmt)
}

fn fail_to_error(fail: Fail) -> Error {
    match fail {
        Fail::Attr => Error::render("object has no attribute needed by the date format"),
        Fail::Type(msg) => Error::render(msg),
    }
}

/// Django's `formats.date_format(value, format)`: `format` is a setting
/// name (`DATE_FORMAT`, `SHORT_DATE_FORMAT`...) or a literal format string.
/// Errors where Django raises (a time character on a `date`, a value
/// without date fields).
pub fn date_format(value: &Value, format: &str, use_l10n: bool, host: &dyn Host) -> Result<String> {
    let fmt = super::format::get_format(host, format, use_l10n);
    run(value, &fmt, host, true).map_err(fail_to_error)
}

/// Django's `formats.time_format(value, format)` (`TimeFormat`: only time
/// characters).
pub fn time_format(value: &Value, format: &str, use_l10n: bool, host: &dyn Host) -> Result<String> {
    let fmt = super::format::get_format(host, format, use_l10n);
    run(value, &fmt, host, false).map_err(fail_to_error)
}

/// `value in (None, "")`, which `date` and `time` answer with `''`.
fn none_or_empty(value: &Value) -> bool {
    matches!(value, Value::None | Value::Undefined) || value.as_str() == Some("")
}

/// The `date` filter.
pub(crate) fn date_filter(ctx: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    if none_or_empty(&value) {
        return Ok(out(""));
    }
    // `format or "DATE_FORMAT"`: an empty format is the default one.
    let fmt = match &arg {
        Some(a) if a.is_true()? => text_of(a)?.to_string(),
        _ => "DATE_FORMAT".to_owned(),
    };
    let fmt = super::format::get_format(ctx.host, &fmt, true);
    match run(&value, &fmt, ctx.host, true) {
        Ok(text) => Ok(out(text)),
        Err(Fail::Attr) => Ok(out("")),
        Err(Fail::Type(msg)) => Err(Error::render(msg)),
    }
}

/// The `time` filter.
pub(crate) fn time_filter(ctx: &FilterCtx<'_>, value: Value, arg: Option<Value>) -> Result<Value> {
    if none_or_empty(&value) {
        return Ok(out(""));
    }
    let fmt = match &arg {
        Some(a) if a.is_true()? => text_of(a)?.to_string(),
        _ => "TIME_FORMAT".to_owned(),
    };
    let fmt = super::format::get_format(ctx.host, &fmt, true);
    Ok(out(run(&value, &fmt, ctx.host, false).unwrap_or_default()))
}

// -------------------------------------------------------------- timesince

const TIME_STRINGS: [(&str, &str); 6] = [
    ("%(num)d year", "%(num)d years"),
    ("%(num)d month", "%(num)d months"),
    ("%(num)d week", "%(num)d weeks"),
    ("%(num)d day", "%(num)d days"),
    ("%(num)d hour", "%(num)d hours"),
    ("%(num)d minute", "%(num)d minutes"),
];
const TIME_CHUNKS: [i128; 4] = [604_800, 86_400, 3600, 60];
const MONTHS_DAYS: [u8; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

fn time_string(host: &dyn Host, unit: usize, n: i64) -> String {
    let (s, p) = TIME_STRINGS[unit];
    host.ngettext(s, p, n)
        .replace("%(num)d", &n.to_string())
        .replace(' ', "\u{a0}")
}

/// Why `timesince` gives up: Python's `TypeError` (caught by the filter)
/// or an `AttributeError` on a value that is not a date (raised).
enum SinceFail {
    Type,
    NotADate,
    /// The host could not tell the time (no clock): passed on.
    Host(Error),
}

fn as_datetime(value: &Value) -> Option<DateTime> {
    match value {
        Value::DateTime(dt) => Some(dt.clone()),
        Value::Date(d) => Some(DateTime {
            date: *d,
            time: Time {
                hour: 0,
                minute: 0,
                second: 0,
                microsecond: 0,
                tz: None,
            },
        }),
        _ => None,
    }
}

/// Convert an aware datetime to the fixed offset of `tz`.
fn to_offset(dt: &DateTime, tz: &TzInfo) -> DateTime {
    let from = dt.time.tz.as_ref().map_or(0, |t| t.utc_offset);
    let micros = wall_micros(dt) + i128::from(tz.utc_offset - from) * 1_000_000;
    from_wall_micros(micros, Some(tz.clone()))
}

/// `django.utils.timesince.timesince(d, now, reversed, depth=2)`.
fn timesince(
    host: &dyn Host,
    d: &Value,
    now: Option<&Value>,
    reversed: bool,
) -> Result<String, SinceFail> {
    let d = as_datetime(d).ok_or(SinceFail::NotADate)?;
    let now = match now {
        Some(v) => {
            let now = as_datetime(v).ok_or(SinceFail::NotADate)?;
            match (&now.time.tz, &d.time.tz) {
                (Some(_), Some(dtz)) => to_offset(&now, dtz),
                _ => now,
            }
        }
        None => {
            let now = host.now().map_err(SinceFail::Host)?;
            match (&now.time.tz, &d.time.tz) {
                (Some(_), Some(dtz)) => to_offset(&now, dtz),
                (Some(_), None) => DateTime {
                    time: Time {
                        tz: None,
                        ..now.time.clone()
                    },
                    ..now
                },
                // Django takes `datetime.now(d.tzinfo)`: the host's naive
                // clock is local time in the default zone (Django sets the
                // process zone from TIME_ZONE), so place it there first.
                (None, Some(dtz)) => match host.default_zone(&now) {
                    Some(local) => to_offset(
                        &DateTime {
                            time: Time {
                                tz: Some(local),
                                ..now.time.clone()
                            },
                            ..now
                        },
                        dtz,
                    ),
                    None => now,
                },
                _ => now,
            }
        }
    };
    if d.time.tz.is_some() != now.time.tz.is_some() {
        return Err(SinceFail::Type);
    }
    let (d, now) = if reversed { (now, d) } else { (d, now) };
    let delta = wall_micros(&now) - wall_micros(&d);
    let zero = || time_string(host, 5, 0);
    if delta.div_euclid(1_000_000) <= 0 {
        return Ok(zero());
    }
    let mut total_months = (i64::from(now.date.year) - i64::from(d.date.year)) * 12
        + (i64::from(now.date.month) - i64::from(d.date.month));
    let d_time = (
        d.time.hour,
        d.time.minute,
        d.time.second,
        d.time.microsecond,
    );
    let now_time = (
        now.time.hour,
        now.time.minute,
        now.time.second,
        now.time.microsecond,
    );
    if d.date.day > now.date.day || (d.date.day == now.date.day && d_time > now_time) {
        total_months -= 1;
    }
    let (years, months) = (total_months.div_euclid(12), total_months.rem_euclid(12));
    let pivot = if years != 0 || months != 0 {
        let mut py = i64::from(d.date.year) + years;
        let mut pm = i64::from(d.date.month) + months;
        if pm > 12 {
            pm -= 12;
            py += 1;
        }
        let pm = pm as u8;
        DateTime {
            date: Date {
                year: py as i32,
                month: pm,
                day: MONTHS_DAYS[usize::from(pm) - 1].min(d.date.day),
            },
            time: Time {
                microsecond: 0,
                ..d.time.clone()
            },
        }
    } else {
        d.clone()
    };
    let mut remaining = wall_micros(&now) - wall_micros(&pivot);
    let mut partials = vec![years, months];
    for chunk in TIME_CHUNKS {
        let count = remaining.div_euclid(chunk * 1_000_000);
        partials.push(count as i64);
        remaining -= chunk * 1_000_000 * count;
    }
    let Some(mut i) = partials.iter().position(|p| *p != 0) else {
        return Ok(zero());
    };
    let mut result = Vec::new();
    while i < TIME_STRINGS.len() && result.len() < 2 {
        if partials[i] == 0 {
            break;
        }
        result.push(time_string(host, i, partials[i]));
        i += 1;
    }
    Ok(result.join(&host.gettext(", ")))
}

fn since_filter(
    ctx: &FilterCtx<'_>,
    value: Value,
    arg: Option<Value>,
    reversed: bool,
) -> Result<Value> {
    if !value.is_true()? {
        return Ok(out(""));
    }
    let now = match &arg {
        Some(a) if a.is_true()? => Some(a),
        _ => None,
    };
    match timesince(ctx.host, &value, now, reversed) {
        Ok(text) => Ok(out(text)),
        Err(SinceFail::Type) => Ok(out("")),
        Err(SinceFail::Host(e)) => Err(e),
        Err(SinceFail::NotADate) => Err(Error::render(format!(
            "'{}' object has no attribute 'year'",
            type_name(if matches!(value, Value::Date(_) | Value::DateTime(_)) {
                arg.as_ref().unwrap_or(&value)
            } else {
                &value
            })
        ))),
    }
}

/// Python's type name of a value, for error messages.
pub(crate) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Undefined | Value::Str(_) => "str",
        Value::SafeStr(_) => "SafeString",
        Value::None => "NoneType",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float",
        Value::Decimal(_) => "decimal.Decimal",
        Value::List(_) => "list",
        Value::Map(_) => "dict",
        Value::Date(_) => "datetime.date",
        Value::Time(_) => "datetime.time",
        Value::DateTime(_) => "datetime.datetime",
        Value::Object(_) => "object",
    }
}

/// The `timesince` filter.
pub(crate) fn timesince_filter(
    ctx: &FilterCtx<'_>,
    value: Value,
    arg: Option<Value>,
) -> Result<Value> {
    since_filter(ctx, value, arg, false)
}

/// The `timeuntil` filter.
pub(crate) fn timeuntil_filter(
    ctx: &FilterCtx<'_>,
    value: Value,
    arg: Option<Value>,
) -> Result<Value> {
    since_filter(ctx, value, arg, true)
}

/// Convert a datetime for the `tz` filters (`do_timezone`): naive values
/// are first made aware in the default zone. `None` where Django returns
/// `''`.
pub(crate) fn do_timezone(value: &Value, zone: &str, host: &dyn Host) -> Option<Value> {
    let Value::DateTime(dt) = value else {
        return None;
    };
    let aware = if dt.time.tz.is_some() {
        dt.clone()
    } else {
        let tz = host.default_zone(dt)?;
        DateTime {
            time: Time {
                tz: Some(tz),
                ..dt.time.clone()
            },
            ..dt.clone()
        }
    };
    let zone = if zone.is_empty() { None } else { Some(zone) };
    host.localtime(&aware, zone).ok().map(Value::DateTime)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        for days in [-800_000, -1, 0, 1, 10_957, 20_000, 2_932_896] {
            let d = civil_from_days(days);
            assert_eq!(days_from_civil(d.year, d.month, d.day), days);
        }
        let d = Date {
            year: 2026,
            month: 11,
            day: 26,
        };
        assert_eq!(weekday(&d), 3);
        assert_eq!(
            iso_calendar(&Date {
                year: 2021,
                month: 1,
                day: 1
            }),
            (2020, 53)
        );
        assert_eq!(day_of_year(&d), 330);
    }
}
