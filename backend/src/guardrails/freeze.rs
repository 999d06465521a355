//! Freeze windows: whether one is on at an instant, and until when; and the checks the shared
//! crate can't make (time zones exist, instants parse, a one-off window ends after it starts).

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, Zoned};
use shared::error::FieldError;
use shared::guardrails::{FreezeWhen, FreezeWindow, Guardrails};

/// A window that is on: its name and when it ends (after any window it runs straight into).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frozen {
    pub name: String,
    pub until: Timestamp,
}

/// The time zones and instants of the windows, checked (the shapes are `Guardrails::validate`'s).
pub(crate) fn check(guardrails: &Guardrails) -> Result<(), Vec<FieldError>> {
    guardrails.validate()?;
    let mut errors = Vec::new();
    for (i, window) in guardrails.freeze_windows.iter().enumerate() {
        let at = |field: &str| format!("freezeWindows[{i}].{field}");
        match window.when() {
            Ok(FreezeWhen::Recurring { time_zone, .. }) => {
                if TimeZone::get(time_zone).is_err() {
                    errors.push(FieldError::new(
                        at("timeZone"),
                        format!("{time_zone:?} is not an IANA time zone (Europe/Lisbon, America/New_York, UTC, …)."),
                    ));
                }
            }
            Ok(FreezeWhen::Once { start, end }) => {
                let parsed = |field: &str, text: &str, errors: &mut Vec<FieldError>| {
                    text.parse::<Timestamp>()
                        .map_err(|_| {
                            errors.push(FieldError::new(
                                at(field),
                                format!(
                                    "{text:?} is not an RFC 3339 instant (2026-12-24T18:00:00Z, or with an offset)."
                                ),
                            ))
                        })
                        .ok()
                };
                let (s, e) = (parsed("start", start, &mut errors), parsed("end", end, &mut errors));
                if let (Some(s), Some(e)) = (s, e) {
                    if e <= s {
                        errors.push(FieldError::new(at("end"), "Ends before it starts."));
                    }
                }
            }
            Err(_) => {}
        }
    }
    if errors.is_empty() { Ok(()) } else { Err(errors) }
}

/// The window on at `now`, if any, with the instant the freeze ends (following on into any other
/// window that starts as this one ends, so a weekend made of two days ends on Monday).
pub(crate) fn frozen_at(windows: &[FreezeWindow], now: Timestamp) -> Option<Frozen> {
    let first = windows.iter().find_map(|w| end_of(w, now).map(|until| (w.name.clone(), until)))?;
    let (name, mut until) = first;
    // A chain of windows is at most a week of days (plus the one-offs): bounded.
    for _ in 0..(7 * windows.len() + 1) {
        match windows.iter().filter_map(|w| end_of(w, until)).max() {
            Some(later) if later > until => until = later,
            _ => break,
        }
    }
    Some(Frozen { name, until })
}

/// When `window` ends, if it is on at `now`.
fn end_of(window: &FreezeWindow, now: Timestamp) -> Option<Timestamp> {
    match window.when().ok()? {
        FreezeWhen::Once { start, end } => {
            let (start, end) = (start.parse::<Timestamp>().ok()?, end.parse::<Timestamp>().ok()?);
            (start <= now && now < end).then_some(end)
        }
        FreezeWhen::Recurring { days, from, to, time_zone } => {
            let zone = TimeZone::get(time_zone).ok()?;
            let here = now.to_zoned(zone.clone());
            let today = here.date();
            let minute = u32::from(here.hour() as u8) * 60 + u32::from(here.minute() as u8);
            let on = |date: Date| days.iter().any(|d| d.index() == date.weekday().to_monday_zero_offset() as usize);
            let at = |date: Date, minutes: u32| -> Option<Timestamp> {
                let (date, minutes) = if minutes == 24 * 60 { (date.tomorrow().ok()?, 0) } else { (date, minutes) };
                let time = Time::new((minutes / 60) as i8, (minutes % 60) as i8, 0, 0).ok()?;
                date.to_datetime(time).to_zoned(zone.clone()).ok().map(|z: Zoned| z.timestamp())
            };
            if from < to {
                (on(today) && from <= minute && minute < to).then(|| at(today, to)).flatten()
            } else if on(today) && minute >= from {
                // Past midnight: it ends tomorrow at `to`.
                at(today.tomorrow().ok()?, to)
            } else {
                let yesterday = today.checked_sub(1.day()).ok()?;
                (on(yesterday) && minute < to).then(|| at(today, to)).flatten()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use shared::guardrails::Weekday;

    use super::*;

    fn recurring(name: &str, days: &[Weekday], from: &str, to: &str, zone: &str) -> FreezeWindow {
        FreezeWindow {
            name: name.into(),
            days: days.to_vec(),
            from: Some(from.into()),
            to: Some(to.into()),
            time_zone: Some(zone.into()),
            ..Default::default()
        }
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_recurring_window_is_on_in_its_own_time_zone() {
        // 2026-12-04 is a Friday. Lisbon is UTC+0 in December, New York UTC-5.
        let ny = [recurring("after hours", &[Weekday::Fri], "17:00", "24:00", "America/New_York")];
        assert_eq!(frozen_at(&ny, at("2026-12-04T21:59:00Z")), None, "16:59 in New York");
        let on = frozen_at(&ny, at("2026-12-04T22:00:00Z")).expect("17:00 in New York");
        assert_eq!((on.name.as_str(), on.until), ("after hours", at("2026-12-05T05:00:00Z")));
    }

    #[test]
    fn a_window_past_midnight_runs_into_the_next_day_and_chained_windows_end_together() {
        let nightly = [recurring("nightly", &[Weekday::Mon], "22:00", "06:00", "UTC")];
        // Monday 2026-11-30 23:00 and Tuesday 05:59: on; Tuesday 06:00: off.
        assert_eq!(frozen_at(&nightly, at("2026-11-30T23:00:00Z")).unwrap().until, at("2026-12-01T06:00:00Z"));
        assert!(frozen_at(&nightly, at("2026-12-01T05:59:00Z")).is_some());
        assert!(frozen_at(&nightly, at("2026-12-01T06:00:00Z")).is_none());
        assert!(frozen_at(&nightly, at("2026-12-01T23:00:00Z")).is_none(), "Tuesday is not a listed day");

        let weekend = [
            recurring("friday evening", &[Weekday::Fri], "18:00", "24:00", "Europe/Lisbon"),
            recurring("weekend", &[Weekday::Sat, Weekday::Sun], "00:00", "24:00", "Europe/Lisbon"),
        ];
        let frozen = frozen_at(&weekend, at("2026-12-04T19:00:00Z")).unwrap();
        assert_eq!(frozen.name, "friday evening");
        assert_eq!(frozen.until, at("2026-12-07T00:00:00Z"), "the freeze ends on Monday, not at Friday's midnight");
    }

    #[test]
    fn a_one_off_window_is_on_from_its_start_until_its_end() {
        let once = [FreezeWindow {
            name: "holidays".into(),
            start: Some("2026-12-24T00:00:00+01:00".into()),
            end: Some("2026-12-27T00:00:00Z".into()),
            ..Default::default()
        }];
        assert!(frozen_at(&once, at("2026-12-23T22:59:59Z")).is_none());
        assert_eq!(frozen_at(&once, at("2026-12-23T23:00:00Z")).unwrap().until, at("2026-12-27T00:00:00Z"));
        assert!(frozen_at(&once, at("2026-12-27T00:00:00Z")).is_none());
    }

    #[test]
    fn unknown_time_zones_bad_instants_and_backwards_windows_are_refused_by_field() {
        let g = Guardrails {
            freeze_windows: vec![
                recurring("a", &[Weekday::Mon], "08:00", "09:00", "Europe/Lisbn"),
                FreezeWindow {
                    name: "b".into(),
                    start: Some("tomorrow".into()),
                    end: Some("2026-12-27T00:00:00Z".into()),
                    ..Default::default()
                },
                FreezeWindow {
                    name: "c".into(),
                    start: Some("2026-12-27T00:00:00Z".into()),
                    end: Some("2026-12-26T00:00:00Z".into()),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let paths: Vec<String> = check(&g).unwrap_err().into_iter().map(|e| e.path).collect();
        assert_eq!(paths, ["freezeWindows[0].timeZone", "freezeWindows[1].start", "freezeWindows[2].end"]);
    }
}
