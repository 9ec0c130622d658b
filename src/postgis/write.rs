//! [`load`]: write a [`Dataset`] into PostGIS as a new generation and make it current, in one
//! transaction.

use super::connection::{connect, enum_text, multipolygon_wkb, redact, PostgisError, CHANNEL};
use super::schema;
use crate::dataset::{Comparator, Dataset, IndicatorValue};
use crate::level::Level;
use postgres::types::ToSql;
use postgres::Transaction;
use sha2::{Digest, Sha256};

/// What a load wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// The new generation (1 for the first load into a database).
    pub generation: i64,
    /// Its schema, e.g. `gapmap_g3`.
    pub schema: String,
    /// Rows written per table, in the order written.
    pub rows: Vec<(&'static str, u64)>,
}

/// Write `dataset` into the database at `url` as a new generation and make it the one served,
/// in one transaction (readers see the old dataset or the new one, never a mix; a failure
/// changes nothing). Replicas following the database (`gapmap serve --postgis`) are told by
/// `NOTIFY gapmap_dataset` when it commits. Generations older than the one replaced are
/// dropped.
pub fn load(url: &str, dataset: &Dataset) -> Result<LoadReport, PostgisError> {
    let mut client = connect(url)?;
    let shown = redact(url);
    let err = |what: &str| {
        let shown = shown.clone();
        let what = what.to_string();
        move |source| PostgisError::Query {
            url: shown,
            what,
            source,
        }
    };
    client
        .batch_execute("CREATE EXTENSION IF NOT EXISTS postgis")
        .map_err(|source| PostgisError::NoPostgis {
            url: shown.clone(),
            source,
        })?;
    let mut tx = client
        .transaction()
        .map_err(err("cannot start a transaction"))?;
    tx.batch_execute(schema::CURRENT)
        .map_err(err("cannot create gapmap.current"))?;
    // One load at a time: a second loader waits here until the first commits.
    tx.batch_execute("LOCK TABLE gapmap.current IN EXCLUSIVE MODE")
        .map_err(err("cannot lock gapmap.current"))?;
    let previous: Option<i64> = tx
        .query_one("SELECT max(generation) FROM gapmap.current", &[])
        .and_then(|row| row.try_get(0))
        .map_err(err("cannot read gapmap.current"))?;
    // Generations may also exist without a current row (a database restored by hand): never
    // reuse a schema name.
    let existing: Vec<String> = tx
        .query(
            "SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'gapmap\\_g%'",
            &[],
        )
        .map_err(err("cannot list gapmap schemas"))?
        .iter()
        .filter_map(|row| row.try_get::<_, String>(0).ok())
        .collect();
    let highest = existing
        .iter()
        .filter_map(|s| schema::parse_generation_schema(s))
        .chain(previous)
        .max()
        .unwrap_or(0);
    let generation = highest + 1;
    let s = schema::generation_schema(generation);
    tx.batch_execute(&schema::tables(&s))
        .map_err(err(&format!("cannot create the tables of {s}")))?;
    let mut rows = Vec::new();
    let geometry_sha256 =
        write_layers(&mut tx, &s, dataset, &mut rows).map_err(err("cannot write areas"))?;
    write_meta(&mut tx, &s, dataset, &geometry_sha256, &mut rows)
        .map_err(err("cannot write metadata"))?;
    write_indicators(&mut tx, &s, dataset, &mut rows).map_err(err("cannot write indicators"))?;
    write_points(&mut tx, &s, dataset, &mut rows)
        .map_err(err("cannot write sites and postcodes"))?;
    tx.batch_execute(&schema::indexes(&s))
        .map_err(err("cannot index the new tables"))?;
    make_current(&mut tx, &s, generation, dataset, &existing)
        .map_err(err("cannot make the new generation current"))?;
    tx.commit().map_err(err("cannot commit the load"))?;
    Ok(LoadReport {
        generation,
        schema: s,
        rows,
    })
}

/// Point `gapmap.current` and the level views at `s`, drop generations older than the one it
/// replaces, and notify followers (delivered on commit).
fn make_current(
    tx: &mut Transaction<'_>,
    s: &str,
    generation: i64,
    dataset: &Dataset,
    existing: &[String],
) -> Result<(), postgres::Error> {
    tx.execute("DELETE FROM gapmap.current", &[])?;
    tx.execute(
        "INSERT INTO gapmap.current (generation, schema_name, dataset_name, built_at) VALUES ($1, $2, $3, $4)",
        &[&generation, &s, &dataset.meta.name, &dataset.meta.built_at],
    )?;
    for level in Level::ALL {
        tx.batch_execute(&format!(
            "DROP VIEW IF EXISTS gapmap.areas_{}",
            level.as_str()
        ))?;
    }
    for layer in &dataset.layers {
        tx.batch_execute(&schema::level_view(s, layer.level))?;
    }
    // Keep the generation being replaced (a reader may have just found it); drop older ones.
    for old in existing {
        if let Some(g) = schema::parse_generation_schema(old) {
            if g < generation - 1 {
                tx.batch_execute(&format!("DROP SCHEMA {old} CASCADE"))?;
            }
        }
    }
    tx.batch_execute(&format!("NOTIFY {CHANNEL}, '{generation}'"))?;
    Ok(())
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn position(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// The layers and their areas with geometry as WKB; returns the sha256 of every area's WKB in
/// order (equal digests: identical geometry, so identical tiles).
fn write_layers(
    tx: &mut Transaction<'_>,
    s: &str,
    dataset: &Dataset,
    rows: &mut Vec<(&'static str, u64)>,
) -> Result<String, postgres::Error> {
    let layer_stmt = tx.prepare(&format!(
        "INSERT INTO {s}.layers (position, level, imd_editions) VALUES ($1, $2, $3)"
    ))?;
    let area_stmt = tx.prepare(&format!(
        "INSERT INTO {s}.areas (level, position, code, name, ons_name, geom, area_m2, \
         centroid_lon, centroid_lat, centroid_easting, centroid_northing, population_year, \
         population_total, population_ages_0_19, locality, members) VALUES ($1, $2, $3, $4, $5, \
         ST_GeomFromWKB($6, 4326), $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)"
    ))?;
    let imd_stmt = tx.prepare(&format!(
        "INSERT INTO {s}.area_imd (level, code, position, edition, score, rank, rank_of, decile, \
         quintile, local_quintile, most_deprived_30pct, domain_scores) VALUES ($1, $2, $3, $4, \
         $5, $6, $7, $8, $9, $10, $11, $12)"
    ))?;
    let mut digest = Sha256::new();
    let (mut areas, mut imds) = (0u64, 0u64);
    for (i, layer) in dataset.layers.iter().enumerate() {
        let level = layer.level.as_str();
        let editions: Vec<String> = layer
            .imd_editions
            .iter()
            .map(|e| e.as_str().to_string())
            .collect();
        tx.execute(&layer_stmt, &[&position(i), &level, &editions])?;
        for (j, area) in layer.areas.iter().enumerate() {
            let wkb = multipolygon_wkb(&area.geometry);
            digest.update(&wkb);
            let (year, total, ages) = match &area.population {
                Some(p) => (
                    Some(i32::from(p.year)),
                    Some(i64::from(p.total)),
                    Some(
                        p.ages_0_19
                            .iter()
                            .map(|&a| i64::from(a))
                            .collect::<Vec<i64>>(),
                    ),
                ),
                None => (None, None, None),
            };
            let params: [&(dyn ToSql + Sync); 16] = [
                &level,
                &position(j),
                &area.code,
                &area.name,
                &area.ons_name,
                &wkb,
                &area.area_m2,
                &area.centroid[0],
                &area.centroid[1],
                &area.centroid_bng[0],
                &area.centroid_bng[1],
                &year,
                &total,
                &ages,
                &area.locality,
                &area.members,
            ];
            tx.execute(&area_stmt, &params)?;
            areas += 1;
            for (k, imd) in area.imd.iter().enumerate() {
                let domains = imd.domain_scores.to_vec();
                let params: [&(dyn ToSql + Sync); 12] = [
                    &level,
                    &area.code,
                    &position(k),
                    &imd.edition.as_str(),
                    &imd.score,
                    &i64::from(imd.rank),
                    &i64::from(imd.rank_of),
                    &i32::from(imd.decile),
                    &i32::from(imd.quintile),
                    &i32::from(imd.local_quintile),
                    &imd.most_deprived_30pct,
                    &domains,
                ];
                tx.execute(&imd_stmt, &params)?;
                imds += 1;
            }
        }
    }
    rows.push(("layers", dataset.layers.len() as u64));
    rows.push(("areas", areas));
    rows.push(("area_imd", imds));
    Ok(hex::encode(digest.finalize()))
}

fn write_meta(
    tx: &mut Transaction<'_>,
    s: &str,
    dataset: &Dataset,
    geometry_sha256: &str,
    rows: &mut Vec<(&'static str, u64)>,
) -> Result<(), postgres::Error> {
    let m = &dataset.meta;
    let snapshot_version = i32::try_from(m.snapshot_version).unwrap_or(i32::MAX);
    let scheme = m.locality_scheme.as_ref();
    tx.execute(
        &format!(
            "INSERT INTO {s}.dataset_meta (snapshot_version, name, area_of_interest, \
             default_level, suppress_max_count, built_at, config_sha256, locality_scheme, \
             locality_illustrative, locality_note, geometry_sha256) VALUES ($1, $2, $3, $4, $5, \
             $6, $7, $8, $9, $10, $11)"
        ),
        &[
            &snapshot_version,
            &m.name,
            &m.area_of_interest,
            &m.default_level.as_str(),
            &i64::from(m.suppress_max_count),
            &m.built_at,
            &m.config_sha256,
            &scheme.map(|l| l.name.as_str()),
            &scheme.map(|l| l.illustrative),
            &scheme.map(|l| l.note.as_str()),
            &geometry_sha256,
        ],
    )?;
    let stmt = tx.prepare(&format!(
        "INSERT INTO {s}.sources (position, id, title, publisher, licence, attribution, sha256) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ))?;
    for (i, r) in m.sources.iter().enumerate() {
        tx.execute(
            &stmt,
            &[
                &position(i),
                &r.id,
                &r.title,
                &r.publisher,
                &r.licence,
                &r.attribution,
                &r.sha256,
            ],
        )?;
    }
    rows.push(("dataset_meta", 1));
    rows.push(("sources", m.sources.len() as u64));
    let stmt = tx.prepare(&format!(
        "INSERT INTO {s}.reach (position, indicator_id, service, ages, rows, contacts, \
         first_month, last_month, unknown_postcode, outside_area, unplaced_lines, synthetic) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
    ))?;
    for (i, r) in dataset.reach.iter().enumerate() {
        let lines: Vec<i64> = r.unplaced_lines.iter().map(|&l| count(l)).collect();
        let params: [&(dyn ToSql + Sync); 12] = [
            &position(i),
            &r.indicator_id,
            &r.service,
            &r.ages,
            &i64::try_from(r.rows).unwrap_or(i64::MAX),
            &r.contacts,
            &r.first_month,
            &r.last_month,
            &i64::try_from(r.unknown_postcode).unwrap_or(i64::MAX),
            &i64::try_from(r.outside_area).unwrap_or(i64::MAX),
            &lines,
            &r.synthetic,
        ];
        tx.execute(&stmt, &params)?;
    }
    rows.push(("reach", dataset.reach.len() as u64));
    Ok(())
}

fn write_indicators(
    tx: &mut Transaction<'_>,
    s: &str,
    dataset: &Dataset,
    rows: &mut Vec<(&'static str, u64)>,
) -> Result<(), postgres::Error> {
    let ind_stmt = tx.prepare(&format!(
        "INSERT INTO {s}.indicators (position, id, name, short_name, value_type, multiplier, \
         polarity, synthetic, level, period, sex, age, source_id, unit, standardisation, \
         age_standard, age_bands, age_weights) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18)"
    ))?;
    let period_stmt = tx.prepare(&format!(
        "INSERT INTO {s}.indicator_periods (indicator_id, position, period) VALUES ($1, $2, $3)"
    ))?;
    let value_stmt = tx.prepare(&format!(
        "INSERT INTO {s}.indicator_values (indicator_id, period_position, position, area_code, \
         count, denominator, value, lower95, upper95, lower998, upper998, band_counts, \
         band_populations) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ))?;
    let comparator_stmt = tx.prepare(&format!(
        "INSERT INTO {s}.comparators (indicator_id, period_position, kind, area_code, area_name, \
         value, lower95, upper95, count, denominator, note) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11)"
    ))?;
    let (mut periods, mut values, mut comparators) = (0u64, 0u64, 0u64);
    for (i, ind) in dataset.indicators.iter().enumerate() {
        let m = &ind.meta;
        let standardisation = m.standardisation.as_ref().map(enum_text);
        let age_standard = m.age_standard.as_ref().map(|a| a.name.as_str());
        let (age_bands, age_weights) = m
            .age_standard
            .as_ref()
            .map(|a| (a.bands.clone(), a.weights.clone()))
            .unwrap_or_default();
        let params: [&(dyn ToSql + Sync); 18] = [
            &position(i),
            &m.id,
            &m.name,
            &m.short_name,
            &enum_text(&m.value_type),
            &m.multiplier,
            &enum_text(&m.polarity),
            &m.synthetic,
            &m.level.as_str(),
            &m.period,
            &m.sex,
            &m.age,
            &m.source_id,
            &m.unit,
            &standardisation,
            &age_standard,
            &age_bands,
            &age_weights,
        ];
        tx.execute(&ind_stmt, &params)?;
        // Earlier periods oldest first, then the latest.
        let all = ind
            .earlier
            .iter()
            .map(|p| (&p.period, &p.values, &p.england, &p.county))
            .chain(std::iter::once((
                &m.period,
                &ind.values,
                &ind.england,
                &ind.county,
            )));
        for (p, (label, period_values, england, county)) in all.enumerate() {
            let p = position(p);
            tx.execute(&period_stmt, &[&m.id, &p, label])?;
            periods += 1;
            for (k, v) in period_values.iter().enumerate() {
                write_value(tx, &value_stmt, &m.id, p, position(k), v)?;
                values += 1;
            }
            for (kind, c) in [("england", england), ("county", county)] {
                if let Some(c) = c {
                    write_comparator(tx, &comparator_stmt, &m.id, p, kind, c)?;
                    comparators += 1;
                }
            }
        }
    }
    rows.push(("indicators", dataset.indicators.len() as u64));
    rows.push(("indicator_periods", periods));
    rows.push(("indicator_values", values));
    rows.push(("comparators", comparators));
    let stmt = tx.prepare(&format!(
        "INSERT INTO {s}.national_by_deprivation (position, indicator_id, indicator_name, sex, \
         age, category_type, category, period, value, lower95, upper95, count, denominator, line) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    ))?;
    for (i, r) in dataset.national_by_deprivation.iter().enumerate() {
        let params: [&(dyn ToSql + Sync); 14] = [
            &position(i),
            &r.indicator_id,
            &r.indicator_name,
            &r.sex,
            &r.age,
            &r.category_type,
            &r.category,
            &r.period,
            &r.value,
            &r.lower95,
            &r.upper95,
            &r.count,
            &r.denominator,
            &count(r.line),
        ];
        tx.execute(&stmt, &params)?;
    }
    rows.push((
        "national_by_deprivation",
        dataset.national_by_deprivation.len() as u64,
    ));
    Ok(())
}

fn write_value(
    tx: &mut Transaction<'_>,
    stmt: &postgres::Statement,
    indicator_id: &str,
    period_position: i32,
    position: i32,
    v: &IndicatorValue,
) -> Result<(), postgres::Error> {
    let band_counts: Vec<f64> = v.bands.iter().map(|b| b.count).collect();
    let band_populations: Vec<f64> = v.bands.iter().map(|b| b.population).collect();
    let params: [&(dyn ToSql + Sync); 13] = [
        &indicator_id,
        &period_position,
        &position,
        &v.area_code,
        &v.count,
        &v.denominator,
        &v.value,
        &v.lower95,
        &v.upper95,
        &v.lower998,
        &v.upper998,
        &band_counts,
        &band_populations,
    ];
    tx.execute(stmt, &params).map(|_| ())
}

fn write_comparator(
    tx: &mut Transaction<'_>,
    stmt: &postgres::Statement,
    indicator_id: &str,
    period_position: i32,
    kind: &str,
    c: &Comparator,
) -> Result<(), postgres::Error> {
    let params: [&(dyn ToSql + Sync); 11] = [
        &indicator_id,
        &period_position,
        &kind,
        &c.area_code,
        &c.area_name,
        &c.value,
        &c.lower95,
        &c.upper95,
        &c.count,
        &c.denominator,
        &c.note,
    ];
    tx.execute(stmt, &params).map(|_| ())
}

fn write_points(
    tx: &mut Transaction<'_>,
    s: &str,
    dataset: &Dataset,
    rows: &mut Vec<(&'static str, u64)>,
) -> Result<(), postgres::Error> {
    let stmt = tx.prepare(&format!(
        "INSERT INTO {s}.sites (position, id, name, kind, postcode, lon, lat, easting, northing, \
         existing, illustrative, geom) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
         ST_SetSRID(ST_MakePoint($6, $7), 4326))"
    ))?;
    for (i, site) in dataset.sites.iter().enumerate() {
        let params: [&(dyn ToSql + Sync); 11] = [
            &position(i),
            &site.id,
            &site.name,
            &site.kind,
            &site.postcode,
            &site.lon,
            &site.lat,
            &site.easting,
            &site.northing,
            &site.existing,
            &site.illustrative,
        ];
        tx.execute(&stmt, &params)?;
    }
    rows.push(("sites", dataset.sites.len() as u64));
    let stmt = tx.prepare(&format!(
        "INSERT INTO {s}.postcodes (position, postcode, lon, lat, easting, northing, lsoa11, \
         msoa11, geom) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, ST_SetSRID(ST_MakePoint($3, $4), 4326))"
    ))?;
    for (i, p) in dataset.postcodes.iter().enumerate() {
        let params: [&(dyn ToSql + Sync); 8] = [
            &position(i),
            &p.postcode,
            &p.lon,
            &p.lat,
            &p.easting,
            &p.northing,
            &p.lsoa11,
            &p.msoa11,
        ];
        tx.execute(&stmt, &params)?;
    }
    rows.push(("postcodes", dataset.postcodes.len() as u64));
    Ok(())
}
