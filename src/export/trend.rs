//! Gap trends ([`crate::public::GapTrend`]) as a table: one row per period and group (value and
//! 95% interval, suppression), then one row per period for each summary measure (SII, RII,
//! absolute gap), then the change between the first and latest period and the slope. The
//! verdict in words and the method notes travel with it, so CSV, XLSX and the terminal table
//! are [`super::table`]'s writers on this one table.

use crate::analyst::{Cell, Column, OutputTable, Role};
use crate::public::GapTrend;
use crate::stats::Estimate;

/// The trend's rows and notes (the verdict first, then the method notes).
pub fn trend_table(trend: &GapTrend) -> OutputTable {
    let mut rows: Vec<[Cell; 10]> = Vec::new();
    let text = |s: &str| Cell::Text(s.to_string());
    let flag = |b: bool| text(if b { "true" } else { "false" });
    for p in &trend.periods {
        for g in &p.groups {
            rows.push([
                text(&p.period),
                text("group"),
                text(&g.label),
                g.value.into(),
                g.lower95.into(),
                g.upper95.into(),
                g.count.into(),
                g.denominator.into(),
                flag(g.suppressed),
                Cell::Empty,
            ]);
        }
        for (measure, e) in [
            ("SII", p.sii),
            ("RII", p.rii),
            ("absolute gap", p.absolute_gap),
        ] {
            rows.push(measure_row(&p.period, measure, e, ""));
        }
    }
    if let Some(c) = &trend.change {
        rows.push(measure_row(
            &format!("{} to {}", c.from_period, c.to_period),
            "SII change (latest − first)",
            Some(c.change.difference),
            if c.change.significant {
                "significant at 95%"
            } else {
                "not significant at 95%"
            },
        ));
    }
    if let Some(s) = &trend.slope {
        rows.push(measure_row(
            "all periods",
            "SII slope per year",
            Some(s.slope),
            if s.significant {
                "significant at 95%"
            } else {
                "not significant at 95%"
            },
        ));
    }
    let names = [
        ("period", Role::Key),
        ("row", Role::Key),
        ("label", Role::Key),
        ("value", Role::Value),
        ("lower95", Role::Lower),
        ("upper95", Role::Upper),
        ("count", Role::Data),
        ("denominator", Role::Data),
        ("suppressed", Role::Data),
        ("significance", Role::Meta),
    ];
    let mut columns: Vec<Column> = names
        .iter()
        .map(|(name, role)| Column {
            name: (*name).to_string(),
            role: *role,
            cells: Vec::with_capacity(rows.len()),
        })
        .collect();
    for row in rows {
        for (column, cell) in columns.iter_mut().zip(row) {
            column.cells.push(cell);
        }
    }
    columns.push(Column {
        name: "synthetic".into(),
        role: Role::Meta,
        cells: vec![flag(trend.synthetic); columns[0].cells.len()],
    });
    let mut notes = vec![trend.verdict.clone()];
    notes.extend(trend.method_notes.iter().cloned());
    OutputTable { columns, notes }
}

fn measure_row(period: &str, measure: &str, e: Option<Estimate>, significance: &str) -> [Cell; 10] {
    let text = |s: &str| Cell::Text(s.to_string());
    [
        text(period),
        text("summary"),
        text(measure),
        e.map(|e| e.value).into(),
        e.map(|e| e.lower95).into(),
        e.map(|e| e.upper95).into(),
        Cell::Empty,
        Cell::Empty,
        text("false"),
        if significance.is_empty() {
            Cell::Empty
        } else {
            text(significance)
        },
    ]
}
