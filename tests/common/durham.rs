//! A `Dataset` for County Durham MSOAs built straight from the shared demo files, for tests,
//! the benchmark and the `durham_gaps` example (the lead's loaders live on main; this reads
//! only what gap tables need: MSOA IMD 2019, local quintiles, mid-2020 population and the
//! five synthetic demo indicators with their England and county rows).
#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use gapmap::dataset::*;
use gapmap::imd::{decile_from_rank, quintile_from_rank, rank_descending, AreaImd, ImdEdition};
use gapmap::level::Level;
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;

/// `../shared/data` relative to the crate (the worktree's sibling `shared` link).
pub fn shared_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

fn read_csv(path: PathBuf) -> Vec<HashMap<String, String>> {
    let mut text = String::new();
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut text)
            .unwrap();
    } else {
        std::io::BufReader::new(file)
            .read_to_string(&mut text)
            .unwrap();
    }
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn num(s: &str) -> Option<f64> {
    (!s.trim().is_empty()).then(|| s.trim().parse().unwrap())
}

/// National IMD 2019 rank of every English MSOA (population-weighted LSOA scores).
fn msoa_national_ranks() -> (HashMap<String, (f64, u32)>, u32) {
    let rows = read_csv(shared_data().join("imd/imd2019_england_msoa11.csv.gz"));
    let scores: Vec<f64> = rows.iter().map(|r| r["Score"].parse().unwrap()).collect();
    let ranks = rank_descending(&scores);
    let n = rows.len() as u32;
    let map = rows
        .iter()
        .zip(scores.iter().zip(ranks))
        .map(|(r, (s, k))| (r["msoa11_code"].clone(), (*s, k)))
        .collect();
    (map, n)
}

pub fn durham_dataset() -> Dataset {
    let data = shared_data().join("indicators");
    let (national, n_msoa) = msoa_national_ranks();
    let inputs: HashMap<String, HashMap<String, String>> =
        read_csv(data.join("durham_msoa_inputs.csv"))
            .into_iter()
            .map(|r| (r["msoa11_code"].clone(), r))
            .collect();
    let mut areas: Vec<Area> = read_csv(data.join("durham_msoa_imd_quintiles.csv"))
        .into_iter()
        .map(|r| {
            let code = r["MSOA11CD"].clone();
            let (score, rank) = national[&code];
            let input = &inputs[&code];
            let mut ages = [0u32; 20];
            for (age, col) in [
                (0, "pop_age0"),
                (4, "pop_age4"),
                (5, "pop_age5"),
                (10, "pop_age10"),
            ] {
                ages[age] = input[col].parse().unwrap();
            }
            let decile = decile_from_rank(rank, n_msoa);
            Area {
                code: code.clone(),
                name: r["MSOA11HCLNM"].clone(),
                ons_name: r["MSOA11NM"].clone(),
                geometry: geo::MultiPolygon::new(vec![]),
                area_m2: 0.0,
                centroid: [0.0, 0.0],
                centroid_bng: [0.0, 0.0],
                population: Some(Population {
                    year: 2020,
                    total: r["Population mid-2020"].parse().unwrap(),
                    ages_0_19: ages,
                }),
                imd: vec![AreaImd {
                    edition: ImdEdition::Imd2019,
                    score,
                    rank,
                    rank_of: n_msoa,
                    decile,
                    quintile: quintile_from_rank(rank, n_msoa),
                    local_quintile: r["Local IMD quintile (1 = most deprived)"].parse().unwrap(),
                    most_deprived_30pct: decile <= 3,
                    domain_scores: [0.0; 7],
                }],
                locality: None,
                members: vec![],
            }
        })
        .collect();
    areas.sort_by(|a, b| a.code.cmp(&b.code));

    let mut indicators: Vec<Indicator> = Vec::new();
    for r in read_csv(data.join("durham_msoa_demo_indicators.csv")) {
        let id = r["Indicator ID"].clone();
        if indicators.last().map(|i| i.meta.id.as_str()) != Some(id.as_str()) {
            let name = r["Indicator Name"].clone();
            indicators.push(Indicator {
                meta: IndicatorMeta {
                    id: id.clone(),
                    short_name: name.split(',').next().unwrap_or(&name).to_string(),
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
                    source_id: "durham_demo_indicators".to_string(),
                    unit: "%".to_string(),
                },
                values: vec![],
                england: None,
                county: None,
            });
        }
        let ind = indicators.last_mut().unwrap();
        let comparator = |note: &str| Comparator {
            area_code: r["Area Code"].clone(),
            area_name: r["Area Name"].clone(),
            value: num(&r["Value"]),
            lower95: num(&r["Lower CI 95.0 limit"]),
            upper95: num(&r["Upper CI 95.0 limit"]),
            count: num(&r["Count"]),
            denominator: num(&r["Denominator"]),
            note: note.to_string(),
        };
        match r["Area Type"].as_str() {
            "MSOA" => ind.values.push(IndicatorValue {
                area_code: r["Area Code"].clone(),
                count: num(&r["Count"]),
                denominator: num(&r["Denominator"]),
                value: num(&r["Value"]),
                lower95: num(&r["Lower CI 95.0 limit"]),
                upper95: num(&r["Upper CI 95.0 limit"]),
                lower998: num(&r["Lower CI 99.8 limit"]),
                upper998: num(&r["Upper CI 99.8 limit"]),
            }),
            "England" => ind.england = Some(comparator(&r["Value note"])),
            _ => {
                ind.county = Some(comparator(
                    "County Durham: sum of the synthetic MSOA counts (synthetic)",
                ))
            }
        }
    }
    for ind in &mut indicators {
        ind.values.sort_by(|a, b| a.area_code.cmp(&b.area_code));
    }

    Dataset {
        meta: DatasetMeta {
            snapshot_version: SNAPSHOT_VERSION,
            name: "County Durham".to_string(),
            area_of_interest: vec!["E06000047".to_string()],
            default_level: Level::Msoa11,
            suppress_max_count: 4,
            built_at: "test".to_string(),
            config_sha256: String::new(),
            sources: vec![SourceRecord {
                id: "durham_demo_indicators".to_string(),
                title: "Durham MSOA demo indicators (SYNTHETIC)".to_string(),
                publisher: "gapmap (modelled from MHCLG IMD 2019 and ONS population)".to_string(),
                licence: "OGL v3.0 inputs".to_string(),
                attribution: "Synthetic demonstration data modelled from deprivation; not official statistics.".to_string(),
                sha256: String::new(),
            }],
            locality_scheme: None,
        },
        layers: vec![Layer::new(Level::Msoa11, areas, vec![ImdEdition::Imd2019])],
        indicators,
        national_by_deprivation: vec![],
        sites: vec![],
        postcodes: vec![],
    }
}
