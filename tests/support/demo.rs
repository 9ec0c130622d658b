//! An independent reader of the demo indicator file (the Fingertips-layout CSV), to cross-check
//! what gapmap publishes against the file itself rather than against gapmap's own loader.

use gapmap::dataset::*;
use gapmap::level::Level;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

fn gz_csv(path: &Path) -> csv::Reader<Box<dyn Read>> {
    let file = std::fs::File::open(path).unwrap();
    let reader: Box<dyn Read> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(flate2::read::GzDecoder::new(file))
    } else {
        Box::new(file)
    };
    csv::Reader::from_reader(reader)
}

fn rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut r = gz_csv(path);
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn opt_f64(s: &str) -> Option<f64> {
    s.trim().parse().ok()
}

pub fn load_demo_indicators(path: &Path) -> Vec<Indicator> {
    let mut by_id: Vec<Indicator> = Vec::new();
    for r in rows(path) {
        let id = r["Indicator ID"].clone();
        if !by_id.iter().any(|i| i.meta.id == id) {
            let name = r["Indicator Name"].clone();
            let short = name
                .split(',')
                .next()
                .unwrap_or(&name)
                .replace(" (synthetic demo)", "");
            by_id.push(Indicator {
                meta: IndicatorMeta {
                    id: id.clone(),
                    short_name: short,
                    name,
                    value_type: ValueType::Proportion,
                    multiplier: 100.0,
                    polarity: if id == "990004" {
                        Polarity::HigherIsBetter
                    } else {
                        Polarity::HigherIsWorse
                    },
                    synthetic: true,
                    level: Level::Msoa11,
                    period: r["Time period"].clone(),
                    sex: r["Sex"].clone(),
                    age: r["Age"].clone(),
                    source_id: "demo".into(),
                    unit: "%".into(),
                    standardisation: None,
                    age_standard: None,
                },
                values: vec![],
                england: None,
                county: None,
                earlier: Vec::new(),
            });
        }
        let Some(ind) = by_id.iter_mut().find(|i| i.meta.id == id) else {
            continue;
        };
        let comparator = || Comparator {
            area_code: r["Area Code"].clone(),
            area_name: r["Area Name"].clone(),
            value: opt_f64(&r["Value"]),
            lower95: opt_f64(&r["Lower CI 95.0 limit"]),
            upper95: opt_f64(&r["Upper CI 95.0 limit"]),
            count: opt_f64(&r["Count"]),
            denominator: opt_f64(&r["Denominator"]),
            note: r["Value note"].clone(),
        };
        match r["Area Type"].as_str() {
            "MSOA" => ind.values.push(IndicatorValue {
                area_code: r["Area Code"].clone(),
                count: opt_f64(&r["Count"]),
                denominator: opt_f64(&r["Denominator"]),
                value: opt_f64(&r["Value"]),
                lower95: opt_f64(&r["Lower CI 95.0 limit"]),
                upper95: opt_f64(&r["Upper CI 95.0 limit"]),
                lower998: opt_f64(&r["Lower CI 99.8 limit"]),
                upper998: opt_f64(&r["Upper CI 99.8 limit"]),
                bands: Vec::new(),
            }),
            "England" => ind.england = Some(comparator()),
            _ => ind.county = Some(comparator()),
        }
    }
    for i in &mut by_id {
        i.values.sort_by(|a, b| a.area_code.cmp(&b.area_code));
    }
    by_id
}
