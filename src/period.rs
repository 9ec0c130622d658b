//! Time periods as Fingertips labels them, parsed so they sort in time order.
//!
//! Fingertips (and so every export and tidy CSV gapmap reads) labels a period by text, and
//! text order is wrong as soon as forms mix (`"2019"` sorts before `"2019/20 - 21/22"` but
//! also before `"2019/20"`, and `"2021/22 - 23/24"` sorts after `"2021/22"` though it ends two
//! years later). [`Period::parse`] reads every form and [`Period`]'s order is by the month the
//! period *ends*, then the month it starts, so a rolling three-year period sorts with its last
//! year and, of two periods ending together, the longer one comes first.
//!
//! Forms (each with the months it covers):
//! - calendar year `2019`: January–December 2019;
//! - financial or academic year (also survey school years) `2019/20`: April 2019–March 2020
//!   (Fingertips starts both at April for ordering; an academic year is September–August,
//!   but no two periods of one indicator differ only by that);
//! - rolling financial/academic years `2018/19 - 20/21`: April 2018–March 2021;
//! - rolling calendar years `2017 - 19` (also `2017-19`, `2017 - 2019`): January 2017–
//!   December 2019;
//! - a quarter of a financial year `2023/24 Q1`: April–June 2023;
//! - a month of a year `Jan 2024` / `January 2024`.
//!
//! Source of the label forms: the Fingertips "Time period" column (the England file in the
//! mirror carries `2019`, `2019/20`, `2018/19 - 20/21` and `2019/20 - 23/24`); the forms are
//! listed in the Fingertips API `/api/time_periods` metadata (calendar, financial, academic,
//! quarterly, monthly, rolling).

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// A parsed period: its label as given and the months it covers (months since year 0,
/// January = 0), inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    label: String,
    start_month: u32,
    end_month: u32,
}

/// A period label in none of the forms gapmap reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{label:?} is not a period label; expected a year (2019), a financial or academic year (2019/20), a rolling range (2018/19 - 20/21 or 2017 - 19), a quarter (2023/24 Q1) or a month (Jan 2024)")]
pub struct BadPeriod {
    pub label: String,
}

/// The longest rolling range read (a two-digit end year further away is a typo).
const MAX_RANGE_YEARS: u32 = 10;

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// A four-digit year in a plausible range (1900–2199).
fn year(text: &str) -> Option<u32> {
    let y: u32 = text.parse().ok().filter(|_| text.len() == 4)?;
    (1900..2200).contains(&y).then_some(y)
}

/// The second year of a split year given as two or four digits: `20` or `2020` after 2019.
fn following_year(first: u32, text: &str) -> Option<u32> {
    let second = match text.len() {
        2 => {
            let yy: u32 = text.parse().ok()?;
            let century = first - first % 100;
            let candidate = century + yy;
            if candidate < first {
                candidate + 100
            } else {
                candidate
            }
        }
        4 => year(text)?,
        _ => return None,
    };
    Some(second)
}

/// `2019/20` → (2019, 2020); the second year must follow the first.
fn split_year(text: &str) -> Option<(u32, u32)> {
    let (a, b) = text.split_once('/')?;
    let first = year(a.trim())?;
    let second = following_year(first, b.trim())?;
    (second == first + 1).then_some((first, second))
}

/// Months of a financial year starting in April of `first`.
fn financial(first: u32) -> (u32, u32) {
    (first * 12 + 3, (first + 1) * 12 + 2)
}

fn calendar(y: u32) -> (u32, u32) {
    (y * 12, y * 12 + 11)
}

fn parse_months(label: &str) -> Option<(u32, u32)> {
    let text = label.trim();
    if let Some(y) = year(text) {
        return Some(calendar(y));
    }
    if let Some((first, _)) = split_year(text) {
        return Some(financial(first));
    }
    // "2023/24 Q1"
    if let Some((fy, q)) = text.rsplit_once(' ') {
        if let (Some((first, _)), Some(q)) = (
            split_year(fy.trim()),
            q.strip_prefix(['Q', 'q'])
                .and_then(|n| n.parse::<u32>().ok())
                .filter(|n| (1..=4).contains(n)),
        ) {
            let start = first * 12 + 3 + (q - 1) * 3;
            return Some((start, start + 2));
        }
        // "Jan 2024", "January 2024"
        let month = fy.trim().to_ascii_lowercase();
        if let (Some(m), Some(y)) = (
            MONTHS
                .iter()
                .position(|m| month.len() >= 3 && m.starts_with(&month[..3.min(month.len())]))
                .filter(|_| month.len() == 3 || month_name_matches(&month)),
            year(q.trim()),
        ) {
            let at = y * 12 + u32::try_from(m).ok()?;
            return Some((at, at));
        }
    }
    // Rolling ranges: "2018/19 - 20/21", "2017 - 19", "2017-19", "2017 - 2019".
    let (from, to) = text.split_once(" - ").or_else(|| text.split_once('-'))?;
    let (from, to) = (from.trim(), to.trim());
    if let Some((first, _)) = split_year(from) {
        // "20/21" or "2020/21": the last financial year of the range.
        let (a, b) = to.split_once('/')?;
        let last_first = following_year(first, a.trim())?;
        let last_second = following_year(last_first, b.trim())?;
        let plausible = last_second == last_first + 1 && last_first > first;
        return (plausible && last_first - first <= MAX_RANGE_YEARS)
            .then(|| (financial(first).0, financial(last_first).1));
    }
    let first = year(from)?;
    let last = following_year(first, to)?;
    (last > first && last - first <= MAX_RANGE_YEARS).then(|| (calendar(first).0, calendar(last).1))
}

/// Full month names are accepted too ("January"), but not other words starting "jan".
fn month_name_matches(word: &str) -> bool {
    const FULL: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    FULL.contains(&word) || word == "sept"
}

impl Period {
    /// Parse a period label (surrounding spaces ignored; the label is kept as given, trimmed).
    pub fn parse(label: &str) -> Result<Period, BadPeriod> {
        let label = label.trim();
        match parse_months(label) {
            Some((start_month, end_month)) => Ok(Period {
                label: label.to_string(),
                start_month,
                end_month,
            }),
            None => Err(BadPeriod {
                label: label.to_string(),
            }),
        }
    }

    /// The label as given, e.g. `2018/19 - 20/21`.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The period's middle as a fractional year (2019/20 → 2019.75; 2019 → 2019.5), the
    /// time axis of a trend regression.
    pub fn mid_year(&self) -> f64 {
        (f64::from(self.start_month) + f64::from(self.end_month) + 1.0) / 24.0
    }

    /// True when the two periods share a month (rolling periods that overlap are not
    /// independent samples).
    pub fn overlaps(&self, other: &Period) -> bool {
        self.start_month <= other.end_month && other.start_month <= self.end_month
    }
}

impl Ord for Period {
    fn cmp(&self, other: &Self) -> Ordering {
        self.end_month
            .cmp(&other.end_month)
            .then(self.start_month.cmp(&other.start_month))
            .then_with(|| self.label.cmp(&other.label))
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn p(label: &str) -> Period {
        Period::parse(label).unwrap()
    }

    /// Every label form in `england_by_deprivation_decile.csv` and the synthetic trend file,
    /// with the months each covers.
    #[test]
    fn every_label_form_in_the_shipped_files_parses_to_its_months() {
        let cases = [
            ("2019", (2019, 0), (2019, 11)),
            ("2023", (2023, 0), (2023, 11)),
            ("2019/20", (2019, 3), (2020, 2)),
            ("2014/15", (2014, 3), (2015, 2)),
            ("2018/19 - 20/21", (2018, 3), (2021, 2)),
            ("2018/19 - 22/23", (2018, 3), (2023, 2)),
            ("2019/20 - 23/24", (2019, 3), (2024, 2)),
            ("2021/22 - 23/24", (2021, 3), (2024, 2)),
            ("2017 - 19", (2017, 0), (2019, 11)),
            ("2017-2019", (2017, 0), (2019, 11)),
            ("2023/24 Q1", (2023, 3), (2023, 5)),
            ("2023/24 Q4", (2024, 0), (2024, 2)),
            ("Jan 2024", (2024, 0), (2024, 0)),
            ("September 2024", (2024, 8), (2024, 8)),
            ("1999/00", (1999, 3), (2000, 2)),
            ("1998/99 - 00/01", (1998, 3), (2001, 2)),
        ];
        for (label, (sy, sm), (ey, em)) in cases {
            let period = p(label);
            assert_eq!(
                (period.start_month, period.end_month),
                (sy * 12 + sm, ey * 12 + em),
                "{label}"
            );
            assert_eq!(period.label(), label);
        }
    }

    #[test]
    fn periods_sort_by_end_then_longest_first() {
        let mut labels = vec![
            "2021/22 - 23/24",
            "2023/24",
            "2019",
            "2018/19",
            "2019/20 - 21/22",
            "2018/19 - 20/21",
            "2020",
            "2019/20",
            "2017/18 - 19/20",
            "2020/21 - 22/23",
        ];
        labels.sort_by_key(|l| p(l));
        assert_eq!(
            labels,
            [
                "2018/19",
                "2019",
                "2017/18 - 19/20",
                "2019/20",
                "2020",
                "2018/19 - 20/21",
                "2019/20 - 21/22",
                "2020/21 - 22/23",
                "2021/22 - 23/24",
                "2023/24",
            ]
        );
    }

    #[test]
    fn text_order_and_time_order_differ_and_time_order_wins() {
        // As text "2021/22 - 23/24" > "2021/22"; in time it ends two years later, so also
        // later; but "2019/20 - 21/22" < "2021/22" in time while > "2019/20" as text.
        assert!(p("2019/20 - 21/22") < p("2021/22"));
        assert!(p("2019/20 - 21/22") > p("2019/20"));
        assert!(p("2099/00") < p("2100"));
    }

    #[test]
    fn bad_labels_are_refused_with_the_forms_expected() {
        for bad in [
            "",
            "20/21",
            "2019/21",
            "2019/2",
            "twenty19",
            "2019 - 18",
            "2018/19 - 17/18",
            "2023/24 Q5",
            "Janu 2024",
            "1066",
            "2019/20 - 21",
        ] {
            let err = Period::parse(bad).unwrap_err();
            assert_eq!(err.label, bad.trim());
            assert!(err.to_string().contains("2019/20"), "{err}");
        }
    }

    #[test]
    fn mid_year_and_overlap() {
        assert_eq!(p("2019").mid_year(), 2019.5);
        assert_eq!(p("2019/20").mid_year(), 2019.75);
        assert!(p("2018/19 - 20/21").overlaps(&p("2019/20 - 21/22")));
        assert!(!p("2017/18 - 19/20").overlaps(&p("2021/22 - 23/24")));
    }
}
