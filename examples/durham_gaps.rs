//! Headline gaps for the County Durham demo indicators (SYNTHETIC data), most vs least
//! deprived local quintile, as a markdown table.
//!
//! ```text
//! cargo run --release --example durham_gaps
//! ```

#[path = "../tests/common/durham.rs"]
mod durham;

use gapmap::gaps::{gap_table, GapRequest, GroupBy};

fn main() {
    let dataset = durham::durham_dataset();
    println!("**Synthetic demonstration data, not official statistics.** County Durham MSOAs, local IMD 2019 quintiles; 95% CIs; SII/RII from 100,000 replicates (seed {}).\n", gapmap::stats::sii::DEFAULT_SEED);
    println!("| ID | Indicator | Q1 most deprived % (95% CI) | Q5 least deprived % (95% CI) | Gap Q1−Q5, pts (95% CI) | Ratio Q1/Q5 (95% CI) | SII, pts (95% CI) | RII (95% CI) |");
    println!("|---|---|---|---|---|---|---|---|");
    for id in ["990001", "990002", "990005", "990003", "990004"] {
        let req = GapRequest::for_indicator(&dataset, id, GroupBy::LocalQuintile);
        let table = match gap_table(&dataset, &req) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{id}: {e}");
                continue;
            }
        };
        let g = |i: usize| {
            let g = &table.groups[i];
            format!(
                "{:.1} ({:.1}–{:.1})",
                g.value.unwrap_or(f64::NAN),
                g.lower95.unwrap_or(f64::NAN),
                g.upper95.unwrap_or(f64::NAN)
            )
        };
        let e = |e: Option<gapmap::stats::Estimate>, d: usize| {
            e.map(|e| format!("{:.d$} ({:.d$} to {:.d$})", e.value, e.lower95, e.upper95))
                .unwrap_or_else(|| "n/a".into())
        };
        let s = &table.summary;
        println!(
            "| {id} | {} | {} | {} | {} | {} | {} | {} |",
            table.indicator.short_name,
            g(0),
            g(table.groups.len() - 1),
            e(s.absolute_gap, 1),
            e(s.relative_gap, 2),
            e(s.sii, 1),
            e(s.rii, 2)
        );
    }
    println!("\nSII sign: positive = most deprived worse off (breastfeeding: higher is better, so SII = least − most deprived and RII = least/most).");
}
