//! [`read`]: the current generation of the dataset in PostGIS, read whole into a [`Dataset`]
//! in one `REPEATABLE READ` transaction.

use super::connection::{connect, enum_from_text, multipolygon_from_wkb, redact, PostgisError};
use super::schema;
use crate::dataset::{
    AgeStandard, Area, BandCount, Comparator, Dataset, DatasetMeta, Indicator, IndicatorMeta,
    IndicatorValue, Layer, LocalityScheme, NationalDeprivationRow, PeriodValues, Population,
    Postcode, ReachSummary, Site, SourceRecord,
};
use crate::imd::{AreaImd, ImdEdition};
use crate::level::Level;
use postgres::types::FromSql;
use postgres::{Row, Transaction};
use std::collections::HashMap;

/// A dataset read from PostGIS, with the generation it is and the digest of its geometry.
#[derive(Debug, Clone)]
pub struct Generation {
    pub number: i64,
    pub geometry_sha256: String,
    pub dataset: Dataset,
}

/// Read the current generation from the database at `url` (retrying once when a load dropped
/// the generation being read: the next read finds the new one).
pub fn read(url: &str) -> Result<Generation, PostgisError> {
    let mut client = connect(url)?;
    match read_with(&mut client, url) {
        Err(PostgisError::Query { .. }) => read_with(&mut client, url),
        other => other,
    }
}

/// Why a row could not be turned back into the dataset.
enum Fault {
    Db(postgres::Error),
    Bad(String),
}

impl From<postgres::Error> for Fault {
    fn from(e: postgres::Error) -> Self {
        Fault::Db(e)
    }
}

pub(super) fn read_with(
    client: &mut postgres::Client,
    url: &str,
) -> Result<Generation, PostgisError> {
    let shown = redact(url);
    let query_error = |what: &str, source| PostgisError::Query {
        url: shown.clone(),
        what: what.to_string(),
        source,
    };
    let mut tx = client
        .build_transaction()
        .isolation_level(postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .map_err(|e| query_error("cannot start a read transaction", e))?;
    let current = tx
        .query_opt(
            "SELECT c.generation, c.schema_name FROM gapmap.current c",
            &[],
        )
        .map_err(|e| {
            if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) {
                None
            } else {
                Some(query_error("cannot read gapmap.current", e))
            }
        });
    let row = match current {
        Ok(Some(row)) => row,
        Ok(None) | Err(None) => return Err(PostgisError::Empty { url: shown }),
        Err(Some(e)) => return Err(e),
    };
    let number: i64 = row
        .try_get(0)
        .map_err(|e| query_error("cannot read gapmap.current", e))?;
    let schema_name: String = row
        .try_get(1)
        .map_err(|e| query_error("cannot read gapmap.current", e))?;
    let bad = |what: String| PostgisError::Bad {
        url: shown.clone(),
        schema: schema_name.clone(),
        what,
    };
    if schema::parse_generation_schema(&schema_name) != Some(number) {
        return Err(bad(format!(
            "gapmap.current names schema {schema_name:?} for generation {number}"
        )));
    }
    let result = read_generation(&mut tx, &schema_name);
    let _ = tx.commit();
    match result {
        Ok((dataset, geometry_sha256)) => Ok(Generation {
            number,
            geometry_sha256,
            dataset,
        }),
        Err(Fault::Db(e)) => Err(query_error(&format!("cannot read {schema_name}"), e)),
        Err(Fault::Bad(what)) => Err(bad(what)),
    }
}

/// Column `i` of `row` (a type mismatch or NULL where a value is required is a fault naming
/// the column).
fn get<'a, T: FromSql<'a>>(row: &'a Row, column: &str) -> Result<T, Fault> {
    row.try_get(column)
        .map_err(|e| Fault::Bad(format!("column {column}: {e}")))
}

fn unsigned<T: TryFrom<i64>>(value: i64, column: &str) -> Result<T, Fault> {
    T::try_from(value).map_err(|_| Fault::Bad(format!("column {column}: {value} is out of range")))
}

fn level(text: &str) -> Result<Level, Fault> {
    text.parse()
        .map_err(|e: crate::level::UnknownLevel| Fault::Bad(e.to_string()))
}

fn text_enum<T: serde::de::DeserializeOwned>(text: &str, column: &str) -> Result<T, Fault> {
    enum_from_text(text)
        .ok_or_else(|| Fault::Bad(format!("column {column}: unknown value {text:?}")))
}

/// An area's age bands from the two parallel arrays.
fn bands(counts: Vec<f64>, populations: Vec<f64>) -> Result<Vec<BandCount>, Fault> {
    if counts.len() != populations.len() {
        return Err(Fault::Bad(format!(
            "band_counts has {} bands but band_populations {}",
            counts.len(),
            populations.len()
        )));
    }
    Ok(counts
        .into_iter()
        .zip(populations)
        .map(|(count, population)| BandCount { count, population })
        .collect())
}

fn read_generation(tx: &mut Transaction<'_>, s: &str) -> Result<(Dataset, String), Fault> {
    let (meta, geometry_sha256) = read_meta(tx, s)?;
    let layers = read_layers(tx, s)?;
    let indicators = read_indicators(tx, s)?;
    let national_by_deprivation = tx
        .query(
            &format!("SELECT * FROM {s}.national_by_deprivation ORDER BY position"),
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(NationalDeprivationRow {
                indicator_id: get(r, "indicator_id")?,
                indicator_name: get(r, "indicator_name")?,
                sex: get(r, "sex")?,
                age: get(r, "age")?,
                category_type: get(r, "category_type")?,
                category: get(r, "category")?,
                period: get(r, "period")?,
                value: get(r, "value")?,
                lower95: get(r, "lower95")?,
                upper95: get(r, "upper95")?,
                count: get(r, "count")?,
                denominator: get(r, "denominator")?,
                line: unsigned(get(r, "line")?, "line")?,
            })
        })
        .collect::<Result<_, Fault>>()?;
    let sites = tx
        .query(&format!("SELECT * FROM {s}.sites ORDER BY position"), &[])?
        .iter()
        .map(|r| {
            Ok(Site {
                id: get(r, "id")?,
                name: get(r, "name")?,
                kind: get(r, "kind")?,
                postcode: get(r, "postcode")?,
                lon: get(r, "lon")?,
                lat: get(r, "lat")?,
                easting: get(r, "easting")?,
                northing: get(r, "northing")?,
                existing: get(r, "existing")?,
                illustrative: get(r, "illustrative")?,
            })
        })
        .collect::<Result<_, Fault>>()?;
    let postcodes = tx
        .query(
            &format!(
                "SELECT postcode, lon, lat, easting, northing, lsoa11, msoa11 \
                 FROM {s}.postcodes ORDER BY position"
            ),
            &[],
        )?
        .iter()
        .map(|r| {
            Ok(Postcode {
                postcode: get(r, "postcode")?,
                lon: get(r, "lon")?,
                lat: get(r, "lat")?,
                easting: get(r, "easting")?,
                northing: get(r, "northing")?,
                lsoa11: get(r, "lsoa11")?,
                msoa11: get(r, "msoa11")?,
            })
        })
        .collect::<Result<_, Fault>>()?;
    let reach = tx
        .query(&format!("SELECT * FROM {s}.reach ORDER BY position"), &[])?
        .iter()
        .map(|r| {
            let lines: Vec<i64> = get(r, "unplaced_lines")?;
            Ok(ReachSummary {
                indicator_id: get(r, "indicator_id")?,
                service: get(r, "service")?,
                ages: get(r, "ages")?,
                rows: unsigned(get(r, "rows")?, "rows")?,
                contacts: get(r, "contacts")?,
                first_month: get(r, "first_month")?,
                last_month: get(r, "last_month")?,
                unknown_postcode: unsigned(get(r, "unknown_postcode")?, "unknown_postcode")?,
                outside_area: unsigned(get(r, "outside_area")?, "outside_area")?,
                unplaced_lines: lines
                    .into_iter()
                    .map(|l| unsigned(l, "unplaced_lines"))
                    .collect::<Result<_, _>>()?,
                synthetic: get(r, "synthetic")?,
            })
        })
        .collect::<Result<_, Fault>>()?;
    Ok((
        Dataset {
            meta,
            layers,
            indicators,
            national_by_deprivation,
            sites,
            postcodes,
            reach,
        },
        geometry_sha256,
    ))
}

fn read_meta(tx: &mut Transaction<'_>, s: &str) -> Result<(DatasetMeta, String), Fault> {
    let r = tx.query_one(&format!("SELECT * FROM {s}.dataset_meta"), &[])?;
    let sources = tx
        .query(&format!("SELECT * FROM {s}.sources ORDER BY position"), &[])?
        .iter()
        .map(|r| {
            Ok(SourceRecord {
                id: get(r, "id")?,
                title: get(r, "title")?,
                publisher: get(r, "publisher")?,
                licence: get(r, "licence")?,
                attribution: get(r, "attribution")?,
                sha256: get(r, "sha256")?,
            })
        })
        .collect::<Result<_, Fault>>()?;
    let scheme: Option<String> = get(&r, "locality_scheme")?;
    let locality_scheme = match scheme {
        Some(name) => Some(LocalityScheme {
            name,
            illustrative: get::<Option<bool>>(&r, "locality_illustrative")?.unwrap_or(false),
            note: get::<Option<String>>(&r, "locality_note")?.unwrap_or_default(),
        }),
        None => None,
    };
    let snapshot_version: i32 = get(&r, "snapshot_version")?;
    let meta = DatasetMeta {
        snapshot_version: unsigned(i64::from(snapshot_version), "snapshot_version")?,
        name: get(&r, "name")?,
        area_of_interest: get(&r, "area_of_interest")?,
        default_level: level(get(&r, "default_level")?)?,
        suppress_max_count: unsigned(get(&r, "suppress_max_count")?, "suppress_max_count")?,
        built_at: get(&r, "built_at")?,
        config_sha256: get(&r, "config_sha256")?,
        sources,
        locality_scheme,
    };
    Ok((meta, get(&r, "geometry_sha256")?))
}

fn read_layers(tx: &mut Transaction<'_>, s: &str) -> Result<Vec<Layer>, Fault> {
    // Every area's IMD rows, by (level, code), in their stored order.
    let mut imd: HashMap<(String, String), Vec<AreaImd>> = HashMap::new();
    for r in tx.query(
        &format!("SELECT * FROM {s}.area_imd ORDER BY level, code, position"),
        &[],
    )? {
        let domains: Vec<f64> = get(&r, "domain_scores")?;
        let domain_scores: [f64; 7] = domains
            .try_into()
            .map_err(|_| Fault::Bad("column domain_scores: expected 7 scores".into()))?;
        let decile: i32 = get(&r, "decile")?;
        let quintile: i32 = get(&r, "quintile")?;
        let local_quintile: i32 = get(&r, "local_quintile")?;
        let edition: ImdEdition = text_enum(get(&r, "edition")?, "edition")?;
        imd.entry((get(&r, "level")?, get(&r, "code")?))
            .or_default()
            .push(AreaImd {
                edition,
                score: get(&r, "score")?,
                rank: unsigned(get(&r, "rank")?, "rank")?,
                rank_of: unsigned(get(&r, "rank_of")?, "rank_of")?,
                decile: unsigned(i64::from(decile), "decile")?,
                quintile: unsigned(i64::from(quintile), "quintile")?,
                local_quintile: unsigned(i64::from(local_quintile), "local_quintile")?,
                most_deprived_30pct: get(&r, "most_deprived_30pct")?,
                domain_scores,
            });
    }
    let mut layers = Vec::new();
    for r in tx.query(&format!("SELECT * FROM {s}.layers ORDER BY position"), &[])? {
        let level_text: String = get(&r, "level")?;
        let editions: Vec<String> = get(&r, "imd_editions")?;
        let imd_editions = editions
            .iter()
            .map(|e| text_enum(e, "imd_editions"))
            .collect::<Result<Vec<ImdEdition>, _>>()?;
        let mut areas = Vec::new();
        for a in tx.query(
            &format!(
                "SELECT code, name, ons_name, ST_AsBinary(geom) AS wkb, area_m2, centroid_lon, \
                 centroid_lat, centroid_easting, centroid_northing, population_year, \
                 population_total, population_ages_0_19, locality, members \
                 FROM {s}.areas WHERE level = $1 ORDER BY position"
            ),
            &[&level_text],
        )? {
            let code: String = get(&a, "code")?;
            let wkb: Vec<u8> = get(&a, "wkb")?;
            let geometry = multipolygon_from_wkb(&wkb)
                .map_err(|e| Fault::Bad(format!("area {level_text} {code}: {e}")))?;
            let year: Option<i32> = get(&a, "population_year")?;
            let population = match year {
                Some(year) => {
                    let total: Option<i64> = get(&a, "population_total")?;
                    let ages: Option<Vec<i64>> = get(&a, "population_ages_0_19")?;
                    let ages: Vec<u32> = ages
                        .unwrap_or_default()
                        .into_iter()
                        .map(|n| unsigned(n, "population_ages_0_19"))
                        .collect::<Result<_, _>>()?;
                    Some(Population {
                        year: unsigned(i64::from(year), "population_year")?,
                        total: unsigned(total.unwrap_or(0), "population_total")?,
                        ages_0_19: ages.try_into().map_err(|_| {
                            Fault::Bad(format!("area {code}: expected 20 single-year ages"))
                        })?,
                    })
                }
                None => None,
            };
            areas.push(Area {
                imd: imd
                    .remove(&(level_text.clone(), code.clone()))
                    .unwrap_or_default(),
                code,
                name: get(&a, "name")?,
                ons_name: get(&a, "ons_name")?,
                geometry,
                area_m2: get(&a, "area_m2")?,
                centroid: [get(&a, "centroid_lon")?, get(&a, "centroid_lat")?],
                centroid_bng: [get(&a, "centroid_easting")?, get(&a, "centroid_northing")?],
                population,
                locality: get(&a, "locality")?,
                members: get(&a, "members")?,
            });
        }
        layers.push(Layer::new(level(&level_text)?, areas, imd_editions));
    }
    Ok(layers)
}

/// One period's values and comparators while reading.
#[derive(Default)]
struct PeriodRows {
    label: String,
    values: Vec<IndicatorValue>,
    england: Option<Comparator>,
    county: Option<Comparator>,
}

fn read_indicators(tx: &mut Transaction<'_>, s: &str) -> Result<Vec<Indicator>, Fault> {
    let mut periods: HashMap<(String, i32), PeriodRows> = HashMap::new();
    for r in tx.query(&format!("SELECT * FROM {s}.indicator_periods"), &[])? {
        periods.insert(
            (get(&r, "indicator_id")?, get(&r, "position")?),
            PeriodRows {
                label: get(&r, "period")?,
                ..PeriodRows::default()
            },
        );
    }
    let missing = |id: &str, p: i32| Fault::Bad(format!("indicator {id}: no period {p}"));
    for r in tx.query(
        &format!(
            "SELECT * FROM {s}.indicator_values ORDER BY indicator_id, period_position, position"
        ),
        &[],
    )? {
        let id: String = get(&r, "indicator_id")?;
        let p: i32 = get(&r, "period_position")?;
        let value = IndicatorValue {
            area_code: get(&r, "area_code")?,
            count: get(&r, "count")?,
            denominator: get(&r, "denominator")?,
            value: get(&r, "value")?,
            lower95: get(&r, "lower95")?,
            upper95: get(&r, "upper95")?,
            lower998: get(&r, "lower998")?,
            upper998: get(&r, "upper998")?,
            bands: bands(get(&r, "band_counts")?, get(&r, "band_populations")?)?,
        };
        periods
            .get_mut(&(id.clone(), p))
            .ok_or_else(|| missing(&id, p))?
            .values
            .push(value);
    }
    for r in tx.query(&format!("SELECT * FROM {s}.comparators"), &[])? {
        let id: String = get(&r, "indicator_id")?;
        let p: i32 = get(&r, "period_position")?;
        let kind: String = get(&r, "kind")?;
        let comparator = Comparator {
            area_code: get(&r, "area_code")?,
            area_name: get(&r, "area_name")?,
            value: get(&r, "value")?,
            lower95: get(&r, "lower95")?,
            upper95: get(&r, "upper95")?,
            count: get(&r, "count")?,
            denominator: get(&r, "denominator")?,
            note: get(&r, "note")?,
        };
        let period = periods
            .get_mut(&(id.clone(), p))
            .ok_or_else(|| missing(&id, p))?;
        match kind.as_str() {
            "england" => period.england = Some(comparator),
            _ => period.county = Some(comparator),
        }
    }
    let mut indicators = Vec::new();
    for r in tx.query(
        &format!("SELECT * FROM {s}.indicators ORDER BY position"),
        &[],
    )? {
        let id: String = get(&r, "id")?;
        let mut meta = IndicatorMeta {
            id: id.clone(),
            name: get(&r, "name")?,
            short_name: get(&r, "short_name")?,
            value_type: text_enum(get(&r, "value_type")?, "value_type")?,
            multiplier: get(&r, "multiplier")?,
            polarity: text_enum(get(&r, "polarity")?, "polarity")?,
            synthetic: get(&r, "synthetic")?,
            level: level(get(&r, "level")?)?,
            period: get(&r, "period")?,
            sex: get(&r, "sex")?,
            age: get(&r, "age")?,
            source_id: get(&r, "source_id")?,
            unit: get(&r, "unit")?,
            standardisation: get::<Option<String>>(&r, "standardisation")?
                .map(|t| text_enum(&t, "standardisation"))
                .transpose()?,
            age_standard: get::<Option<String>>(&r, "age_standard")?.map(|name| AgeStandard {
                name,
                bands: Vec::new(),
                weights: Vec::new(),
            }),
        };
        if let Some(standard) = &mut meta.age_standard {
            standard.bands = get(&r, "age_bands")?;
            standard.weights = get(&r, "age_weights")?;
        }
        // Periods 0.. in order; the last is the latest.
        let mut own: Vec<PeriodRows> = Vec::new();
        for p in 0.. {
            match periods.remove(&(id.clone(), p)) {
                Some(rows) => own.push(rows),
                None => break,
            }
        }
        let latest = own.pop().ok_or_else(|| missing(&id, 0))?;
        if latest.label != meta.period {
            return Err(Fault::Bad(format!(
                "indicator {id}: latest period {:?} is not the indicator's period {:?}",
                latest.label, meta.period
            )));
        }
        indicators.push(Indicator {
            meta,
            values: latest.values,
            england: latest.england,
            county: latest.county,
            earlier: own
                .into_iter()
                .map(|p| PeriodValues {
                    period: p.label,
                    values: p.values,
                    england: p.england,
                    county: p.county,
                })
                .collect(),
        });
    }
    Ok(indicators)
}
