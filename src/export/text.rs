//! A gap table as an aligned plain-text table for a terminal (`gapmap gaps --format table`).

use crate::gaps::GapTable;

fn fmt_opt(x: Option<f64>, decimals: usize) -> String {
    x.map(|v| format!("{v:.decimals$}")).unwrap_or_default()
}

fn fmt_estimate(e: Option<crate::stats::Estimate>, decimals: usize) -> String {
    e.map(|e| {
        format!(
            "{:.d$} ({:.d$} to {:.d$})",
            e.value,
            e.lower95,
            e.upper95,
            d = decimals
        )
    })
    .unwrap_or_else(|| "not available".to_string())
}

/// A plain aligned text table for a terminal.
pub fn render_table(table: &GapTable) -> String {
    let mut out = String::new();
    if table.synthetic {
        out.push_str("*** SYNTHETIC DEMONSTRATION DATA - NOT OFFICIAL STATISTICS ***\n");
    }
    out.push_str(&format!(
        "{} ({})\n{} {} {} | {} by {}{}\n\n",
        table.indicator.name,
        table.indicator.id,
        table.indicator.period,
        table.indicator.sex,
        table.indicator.age,
        table.level.label(),
        table.by.label().to_lowercase(),
        table
            .edition
            .map(|e| format!(", {}", e.label()))
            .unwrap_or_default()
    ));
    let headers = [
        "Group",
        "Areas",
        "Count",
        "Denominator",
        "Value",
        "95% CI",
        "vs England",
        "vs county",
    ];
    let rows: Vec<[String; 8]> = table
        .groups
        .iter()
        .map(|g| {
            [
                g.label.clone(),
                g.areas.to_string(),
                if g.suppressed {
                    "*".to_string()
                } else {
                    fmt_opt(g.count, 0)
                },
                fmt_opt(g.denominator, 0),
                if g.suppressed {
                    "*".to_string()
                } else {
                    fmt_opt(g.value, 1)
                },
                match (g.lower95, g.upper95) {
                    (Some(l), Some(u)) => format!("{l:.1} to {u:.1}"),
                    _ => String::new(),
                },
                g.vs_england.at95.label().to_string(),
                g.vs_county.at95.label().to_string(),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == 0 {
                    format!("{c:<w$}")
                } else {
                    format!("{c:>w$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
            + "\n"
    };
    out.push_str(&line(&headers.map(str::to_string)));
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    for r in &rows {
        out.push_str(&line(r));
    }
    let s = &table.summary;
    out.push_str(&format!(
        "\nAbsolute gap ({} minus {}): {}\n",
        s.most_deprived,
        s.least_deprived,
        fmt_estimate(s.absolute_gap, 2)
    ));
    out.push_str(&format!(
        "Relative gap: {}\n",
        fmt_estimate(s.relative_gap, 3)
    ));
    out.push_str(&format!("SII: {}\n", fmt_estimate(s.sii, 2)));
    out.push_str(&format!("RII: {}\n", fmt_estimate(s.rii, 3)));
    if let Some(r) = &s.reliability {
        out.push_str(&format!("Reliability: {r}\n"));
    }
    for n in &s.notes {
        out.push_str(&format!("Note: {n}\n"));
    }
    if let Some(e) = table.england.as_ref().and_then(|e| e.value) {
        out.push_str(&format!("England: {e:.1}\n"));
    }
    if table.groups.iter().any(|g| g.suppressed) {
        out.push_str("* suppressed (small count)\n");
    }
    out
}
