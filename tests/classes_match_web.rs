//! The Rust port of the web legend's classing rule (`src/render/classes.rs`) agrees with the
//! JavaScript it was ported from (`web/js/choropleth.js`, `web/js/scales.js`), run by node on
//! the real Durham data: same breaks, colours, labels and counts, and every area in the same
//! class, for every indicator at every level it has values, for IMD deciles and IMD scores.
//!
//! Needs `node` (installed by `scripts/setup` for the web map).
#![allow(clippy::unwrap_used)]

mod common;

use common::durham::durham_dataset;
use gapmap::disclosure::PublicIndicator;
use gapmap::render::classes::{
    imd_decile_choropleth, imd_score_choropleth, indicator_choropleth, AreaClass, Choropleth,
};
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Run the web's own functions on `cases` (one per map) and return their answers.
fn run_web(cases: &Value) -> Value {
    let web = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("web/js/choropleth.js");
    let script = format!(
        r#"
import {{ indicatorChoropleth, imdDecileChoropleth, imdScoreChoropleth }} from {web:?};
let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = JSON.parse(input).map((c) => {{
  if (c.kind === 'indicator') {{
    const r = indicatorChoropleth(c.indicator, c.values);
    return {{ breaks: r.breaks, legend: r.legend, classes: c.values.map((v) => r.classFor(v)) }};
  }}
  const areas = c.areas.map((a) => ({{ imd: a }}));
  const r = c.kind === 'imd-decile' ? imdDecileChoropleth(areas, c.edition) : imdScoreChoropleth(areas, c.edition);
  return {{ breaks: r.breaks, legend: r.legend }};
}});
process.stdout.write(JSON.stringify(out));
"#,
        web = format!("file://{}", web.display())
    );
    let mut child = Command::new("node")
        .args(["--input-type=module", "-e", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node is installed (scripts/setup installs it for the web map)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cases.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The parts of a Rust choropleth the web also returns, in the web's JSON shape.
fn legend_json(c: &Choropleth) -> Value {
    json!({
        "title": c.legend.title,
        "subtitle": c.legend.subtitle,
        "colours": c.legend.items.iter().map(|i| i.colour.to_string()).collect::<Vec<_>>(),
        "labels": c.legend.items.iter().map(|i| i.label.clone()).collect::<Vec<_>>(),
        "counts": c.legend.items.iter().map(|i| i.count).collect::<Vec<_>>(),
        "noData": c.legend.no_data,
        "suppressed": c.legend.suppressed,
    })
}

fn web_legend_json(web: &Value) -> Value {
    let items = web["legend"]["items"].as_array().unwrap();
    json!({
        "title": web["legend"]["title"],
        "subtitle": web["legend"]["subtitle"],
        "colours": items.iter().map(|i| i["colour"].clone()).collect::<Vec<_>>(),
        "labels": items.iter().map(|i| i["label"].clone()).collect::<Vec<_>>(),
        "counts": items.iter().map(|i| i["count"].clone()).collect::<Vec<_>>(),
        "noData": web["legend"]["noData"],
        "suppressed": web["legend"]["suppressed"],
    })
}

#[test]
fn rust_classes_equal_the_web_legend_on_the_durham_data() {
    let dataset = durham_dataset();
    let mut cases = Vec::new();
    let mut ours = Vec::new();
    for indicator in &dataset.indicators {
        let public = PublicIndicator::new(&dataset, indicator);
        let shown = gapmap::figures::map::shown_values(&public);
        let m = &indicator.meta;
        cases.push(json!({
            "kind": "indicator",
            "indicator": { "short_name": m.short_name, "name": m.name, "polarity": m.polarity, "period": m.period, "unit": m.unit },
            "values": public.values,
        }));
        ours.push(indicator_choropleth(m, &shown));
    }
    for layer in &dataset.layers {
        for &edition in &layer.imd_editions {
            let imd: Vec<Option<&gapmap::imd::AreaImd>> =
                layer.areas.iter().map(|a| a.imd(edition)).collect();
            for kind in ["imd-decile", "imd-score"] {
                cases.push(json!({
                    "kind": kind,
                    "edition": edition.as_str(),
                    "areas": imd.iter().map(|i| i.map(|i| json!({"decile": i.decile, "score": i.score}))).collect::<Vec<_>>(),
                }));
                ours.push(if kind == "imd-decile" {
                    imd_decile_choropleth(
                        &imd.iter().map(|i| i.map(|i| i.decile)).collect::<Vec<_>>(),
                        edition.label(),
                    )
                } else {
                    imd_score_choropleth(
                        &imd.iter().map(|i| i.map(|i| i.score)).collect::<Vec<_>>(),
                        edition.label(),
                    )
                });
            }
        }
    }
    let web = run_web(&Value::Array(cases.clone()));
    let web = web.as_array().unwrap();
    assert_eq!(web.len(), ours.len());
    let mut areas_compared = 0;
    for ((case, w), r) in cases.iter().zip(web).zip(&ours) {
        let what = format!("{} {}", case["kind"], case["indicator"]["short_name"]);
        let web_breaks: Vec<f64> = w["breaks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_f64().unwrap())
            .collect();
        assert_eq!(web_breaks, r.breaks, "{what}: breaks");
        assert_eq!(web_legend_json(w), legend_json(r), "{what}: legend");
        if let Some(classes) = w.get("classes").and_then(Value::as_array) {
            for (i, (c, ours)) in classes.iter().zip(&r.classes).enumerate() {
                let expected = match ours {
                    AreaClass::Class(k) => json!(k),
                    AreaClass::Suppressed => json!(-1),
                    AreaClass::NoData => Value::Null,
                };
                assert_eq!(c, &expected, "{what}: area {i}");
                areas_compared += 1;
            }
        }
    }
    // 5 indicators × 66 MSOAs, and IMD classes on every level.
    assert_eq!(areas_compared, 5 * 66);
    assert!(
        ours.len() > 5 + 2 * 6,
        "IMD cases for the levels: {}",
        ours.len()
    );
}
