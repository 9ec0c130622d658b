//! The slide renderer's classes (`src/render/classes.rs`) agree with the map's one classing
//! rule, the public face's legend ([`gapmap::public::PublicDataset::legend`], served as
//! `/api/legend` and drawn by the web map), on the real Durham data: same breaks, colours and
//! counts, and every area in the class the legend's `class_of` gives it, for every indicator
//! and for IMD deciles and scores on every level.

use crate::support::{durham, durham_public};
use gapmap::public::{Legend, PublicIndicator};
use gapmap::render::classes::{
    imd_decile_choropleth, imd_score_choropleth, indicator_choropleth, AreaClass, Choropleth,
};

fn assert_same(what: &str, ours: &Choropleth, legend: &Legend) {
    if !legend.breaks.is_empty() {
        assert_eq!(ours.breaks, legend.breaks, "{what}: breaks");
    }
    let colours: Vec<String> = ours
        .legend
        .items
        .iter()
        .map(|i| i.colour.to_string())
        .collect();
    let theirs: Vec<String> = legend.classes.iter().map(|c| c.colour.clone()).collect();
    assert_eq!(colours, theirs, "{what}: colours");
    let counts: Vec<usize> = ours.legend.items.iter().map(|i| i.count).collect();
    let theirs: Vec<usize> = legend.classes.iter().map(|c| c.count).collect();
    assert_eq!(counts, theirs, "{what}: counts");
}

#[test]
fn rust_classes_equal_the_public_legend_on_the_durham_data() {
    let dataset = durham();
    let public = durham_public();
    let mut areas_compared = 0;
    for indicator in &dataset.indicators {
        let values = PublicIndicator::new(dataset, indicator);
        let shown = gapmap::figures::map::shown_values(&values);
        let m = &indicator.meta;
        let ours = indicator_choropleth(m, &shown);
        let legend = public.legend(&m.id, Some(m.level), None).unwrap();
        assert_same(&m.id, &ours, &legend);
        for (v, class) in values.values.iter().zip(&ours.classes) {
            let expected = match (v.figures.suppressed, v.figures.value) {
                (true, _) => AreaClass::Suppressed,
                (false, Some(x)) => AreaClass::Class(legend.class_of(x)),
                (false, None) => AreaClass::NoData,
            };
            assert_eq!(*class, expected, "{} area {}", m.id, v.code);
            areas_compared += 1;
        }
    }
    let mut imd_cases = 0;
    for layer in &dataset.layers {
        for &edition in &layer.imd_editions {
            if edition != layer.level.native_imd() {
                continue; // the legend describes the level's own edition
            }
            let imd: Vec<Option<&gapmap::imd::AreaImd>> =
                layer.areas.iter().map(|a| a.imd(edition)).collect();
            let deciles = imd_decile_choropleth(
                &imd.iter().map(|i| i.map(|i| i.decile)).collect::<Vec<_>>(),
                edition.label(),
            );
            let scores = imd_score_choropleth(
                &imd.iter().map(|i| i.map(|i| i.score)).collect::<Vec<_>>(),
                edition.label(),
            );
            let what = layer.level.as_str();
            let decile_legend = public
                .legend("imd-decile", Some(layer.level), None)
                .unwrap();
            assert_same(&format!("{what} deciles"), &deciles, &decile_legend);
            let score_legend = public.legend("imd-score", Some(layer.level), None).unwrap();
            assert_same(&format!("{what} scores"), &scores, &score_legend);
            imd_cases += 2;
        }
    }
    // 5 indicators × 66 MSOAs, and IMD classes on the levels that carry IMD.
    assert_eq!(areas_compared, 5 * 66);
    assert!(imd_cases >= 4, "IMD cases: {imd_cases}");
}
