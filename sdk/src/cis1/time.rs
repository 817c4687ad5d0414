//! `xsd:dateTime` as SAML 1.1 writes it (`2018-06-28T14:30:51Z`), to [`UnixTime`], without a date crate.

use crate::time::UnixTime;

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; fractions are floored. A time zone is required (a bare
/// local time is ambiguous); times before 1970 are refused.
pub(crate) fn parse_datetime(s: &str) -> Option<UnixTime> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from.checked_add(len)?)?;
        digits.iter().try_fold(0i64, |acc, d| {
            d.is_ascii_digit()
                .then(|| acc.checked_mul(10)?.checked_add(i64::from(d.checked_sub(b'0')?)))
                .flatten()
        })
    };
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = frac.get(digits..)?;
    }
    let offset = match rest {
        "Z" => 0,
        _ => {
            let ob = rest.as_bytes();
            if ob.len() != 6 || ob.get(3) != Some(&b':') {
                return None;
            }
            let sign = match ob.first() {
                Some(b'+') => 1i8,
                Some(b'-') => -1i8,
                _ => return None,
            };
            let oh = rest.get(1..3)?.parse::<i64>().ok()?;
            let om = rest.get(4..6)?.parse::<i64>().ok()?;
            if oh > 14 || om > 59 || !rest.get(1..3)?.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let magnitude = oh.checked_mul(3600)?.checked_add(om.checked_mul(60)?)?;
            if sign > 0 {
                magnitude
            } else {
                magnitude.checked_neg()?
            }
        }
    };
    let days = days_from_civil(year, month, day)?;
    let secs = days
        .checked_mul(86_400)?
        .checked_add(
            hour.checked_mul(3600)?
                .checked_add(minute.checked_mul(60)?)?
                .checked_add(second)?,
        )?
        .checked_sub(offset)?;
    u64::try_from(secs).ok().map(UnixTime::from_secs)
}

fn is_leap(y: i64) -> bool {
    let divides = |n: i64| y.checked_rem(n) == Some(0);
    divides(4) && (!divides(100) || divides(400))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`), every step checked.
fn days_from_civil(y: i64, m: i64, d: i64) -> Option<i64> {
    let y = if m <= 2 { y.checked_sub(1)? } else { y };
    let era = y.checked_div_euclid(400)?;
    let yoe = y.checked_rem_euclid(400)?;
    let mp = m.checked_add(9)?.checked_rem(12)?;
    let doy = mp
        .checked_mul(153)?
        .checked_add(2)?
        .checked_div(5)?
        .checked_add(d)?
        .checked_sub(1)?;
    let doe = yoe
        .checked_mul(365)?
        .checked_add(yoe.checked_div(4)?)?
        .checked_sub(yoe.checked_div(100)?)?
        .checked_add(doy)?;
    era.checked_mul(146_097)?.checked_add(doe)?.checked_sub(719_468)
}

#[cfg(test)]
mod tests {
    use super::parse_datetime;

    #[test]
    fn documented_instants() {
        assert_eq!(
            parse_datetime("1970-01-01T00:00:00Z").map(|t| t.as_secs()),
            Some(0)
        );
        assert_eq!(
            parse_datetime("2018-06-28T14:30:51Z").map(|t| t.as_secs()),
            Some(1_530_196_251)
        );
        assert_eq!(
            parse_datetime("2018-06-28T14:30:51.999Z").map(|t| t.as_secs()),
            Some(1_530_196_251)
        );
        assert_eq!(
            parse_datetime("2018-06-28T15:30:51+01:00").map(|t| t.as_secs()),
            Some(1_530_196_251)
        );
        assert_eq!(
            parse_datetime("2024-02-29T00:00:00Z").map(|t| t.as_secs()),
            Some(1_709_164_800)
        );
    }

    #[test]
    fn refuses_bad_shapes() {
        for s in [
            "",
            "2018-06-28T14:30:51",
            "2018-06-28 14:30:51Z",
            "2018-13-01T00:00:00Z",
            "2023-02-29T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2018-06-28T24:00:00Z",
            "2018-06-28T14:30:51.Z",
            "2018-06-28T14:30:51+1:00",
            "+018-06-28T14:30:51Z",
            "2018-06-28T14:30:51+01:00x",
            "2018-06-28T14:30:51+-1:00",
        ] {
            assert_eq!(parse_datetime(s), None, "{s}");
        }
    }
}
