//! The deadline: CIS1 Authentication is retired by the end of February 2027 (NHS England migration page).

use time::{Date, Month};

/// 28 February 2027.
pub fn deadline() -> Date {
    // A valid date; the fallback is never taken.
    Date::from_calendar_date(2027, Month::February, 28).unwrap_or(Date::MIN)
}

/// Days from `today` to the deadline (negative once it has passed).
pub fn days_left(today: Date) -> i64 {
    (deadline() - today).whole_days()
}

/// Today in UTC.
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// `YYYY-MM-DD`.
pub fn format(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parses `YYYY-MM-DD`.
pub fn parse(s: &str) -> Result<Date, String> {
    let bad = || format!("{s:?} is not a date; write YYYY-MM-DD, e.g. 2026-06-01");
    let mut it = s.split('-');
    let (Some(y), Some(m), Some(d), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(bad());
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(bad());
    }
    let y: i32 = y.parse().map_err(|_| bad())?;
    let m: u8 = m.parse().map_err(|_| bad())?;
    let d: u8 = d.parse().map_err(|_| bad())?;
    let month = Month::try_from(m).map_err(|_| bad())?;
    Date::from_calendar_date(y, month, d).map_err(|_| bad())
}
