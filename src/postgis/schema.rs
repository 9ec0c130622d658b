//! The tables of one generation of a dataset in PostGIS (one schema, `gapmap_g<N>`), and the
//! stable names in schema `gapmap` that point at the current one.
//!
//! Every list keeps its order in a `position` column (area codes sorted by byte order in Rust
//! need not sort the same way under the database's collation), floating-point values are
//! `float8` and geometry travels as WKB, so [`super::read`] gives back exactly the dataset
//! [`super::load`] wrote. Enumerations are stored as their serde text (`proportion`,
//! `higher_is_worse`, `imd2019`), levels as their identifiers (`msoa11`).

/// The name of generation `generation`'s schema.
pub fn generation_schema(generation: i64) -> String {
    format!("gapmap_g{generation}")
}

/// The generation of a schema name made by [`generation_schema`] (`None` for anything else,
/// so a name read from the database is never put into SQL unchecked).
pub fn parse_generation_schema(name: &str) -> Option<i64> {
    let digits = name.strip_prefix("gapmap_g")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `gapmap.current`: the one row saying which generation is served.
pub const CURRENT: &str = "
CREATE SCHEMA IF NOT EXISTS gapmap;
CREATE TABLE IF NOT EXISTS gapmap.current (
    generation bigint NOT NULL,
    schema_name text NOT NULL,
    dataset_name text NOT NULL,
    built_at text NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);";

/// The tables of one generation, in schema `s`.
pub fn tables(s: &str) -> String {
    format!(
        "
CREATE SCHEMA {s};
CREATE TABLE {s}.dataset_meta (
    snapshot_version integer NOT NULL,
    name text NOT NULL,
    area_of_interest text[] NOT NULL,
    default_level text NOT NULL,
    suppress_max_count bigint NOT NULL,
    built_at text NOT NULL,
    config_sha256 text NOT NULL,
    locality_scheme text,
    locality_illustrative boolean,
    locality_note text,
    -- sha256 of every area's WKB, in layer and area order: equal digests = identical tiles.
    geometry_sha256 text NOT NULL
);
CREATE TABLE {s}.sources (
    position integer PRIMARY KEY,
    id text NOT NULL, title text NOT NULL, publisher text NOT NULL, licence text NOT NULL,
    attribution text NOT NULL, sha256 text NOT NULL
);
CREATE TABLE {s}.layers (
    position integer PRIMARY KEY,
    level text NOT NULL UNIQUE,
    imd_editions text[] NOT NULL
);
CREATE TABLE {s}.areas (
    level text NOT NULL REFERENCES {s}.layers (level),
    position integer NOT NULL,
    code text NOT NULL,
    name text NOT NULL,
    ons_name text NOT NULL,
    geom geometry(MultiPolygon, 4326) NOT NULL,
    geom_bng geometry(MultiPolygon, 27700),
    area_m2 float8 NOT NULL,
    centroid_lon float8 NOT NULL, centroid_lat float8 NOT NULL,
    centroid_easting float8 NOT NULL, centroid_northing float8 NOT NULL,
    population_year integer, population_total bigint, population_ages_0_19 bigint[],
    locality text,
    members text[] NOT NULL,
    PRIMARY KEY (level, code),
    UNIQUE (level, position)
);
CREATE TABLE {s}.area_imd (
    level text NOT NULL, code text NOT NULL, position integer NOT NULL, edition text NOT NULL,
    score float8 NOT NULL, rank bigint NOT NULL, rank_of bigint NOT NULL,
    decile integer NOT NULL, quintile integer NOT NULL, local_quintile integer NOT NULL,
    most_deprived_30pct boolean NOT NULL, domain_scores float8[] NOT NULL,
    PRIMARY KEY (level, code, position),
    FOREIGN KEY (level, code) REFERENCES {s}.areas (level, code)
);
CREATE TABLE {s}.indicators (
    position integer PRIMARY KEY,
    id text NOT NULL UNIQUE, name text NOT NULL, short_name text NOT NULL,
    value_type text NOT NULL, multiplier float8 NOT NULL, polarity text NOT NULL,
    synthetic boolean NOT NULL, level text NOT NULL, period text NOT NULL, sex text NOT NULL,
    age text NOT NULL, source_id text NOT NULL, unit text NOT NULL,
    -- direct | indirect | adjusted (NULL: crude); an age-band indicator's standard population
    -- (name NULL: none), its band labels and weights
    standardisation text, age_standard text, age_bands text[] NOT NULL,
    age_weights float8[] NOT NULL
);
-- Periods oldest first; the last (position = number of earlier periods) is the latest.
CREATE TABLE {s}.indicator_periods (
    indicator_id text NOT NULL REFERENCES {s}.indicators (id),
    position integer NOT NULL, period text NOT NULL,
    PRIMARY KEY (indicator_id, position)
);
CREATE TABLE {s}.indicator_values (
    indicator_id text NOT NULL, period_position integer NOT NULL, position integer NOT NULL,
    area_code text NOT NULL,
    count float8, denominator float8, value float8,
    lower95 float8, upper95 float8, lower998 float8, upper998 float8,
    -- Age-band events and populations (age-band indicators only; never published)
    band_counts float8[] NOT NULL, band_populations float8[] NOT NULL,
    PRIMARY KEY (indicator_id, period_position, position),
    FOREIGN KEY (indicator_id, period_position) REFERENCES {s}.indicator_periods (indicator_id, position)
);
CREATE TABLE {s}.comparators (
    indicator_id text NOT NULL, period_position integer NOT NULL,
    kind text NOT NULL CHECK (kind IN ('england', 'county')),
    area_code text NOT NULL, area_name text NOT NULL,
    value float8, lower95 float8, upper95 float8, count float8, denominator float8,
    note text NOT NULL,
    PRIMARY KEY (indicator_id, period_position, kind),
    FOREIGN KEY (indicator_id, period_position) REFERENCES {s}.indicator_periods (indicator_id, position)
);
CREATE TABLE {s}.national_by_deprivation (
    position integer PRIMARY KEY,
    indicator_id text NOT NULL, indicator_name text NOT NULL, sex text NOT NULL, age text NOT NULL,
    category_type text NOT NULL, category text NOT NULL, period text NOT NULL,
    value float8, lower95 float8, upper95 float8, count float8, denominator float8,
    line bigint NOT NULL
);
CREATE TABLE {s}.sites (
    position integer PRIMARY KEY,
    id text NOT NULL, name text NOT NULL, kind text NOT NULL, postcode text,
    lon float8 NOT NULL, lat float8 NOT NULL, easting float8 NOT NULL, northing float8 NOT NULL,
    existing boolean NOT NULL, illustrative boolean NOT NULL,
    geom geometry(Point, 4326) NOT NULL
);
CREATE TABLE {s}.postcodes (
    position integer PRIMARY KEY,
    postcode text NOT NULL,
    lon float8 NOT NULL, lat float8 NOT NULL, easting float8 NOT NULL, northing float8 NOT NULL,
    lsoa11 text, msoa11 text,
    geom geometry(Point, 4326) NOT NULL
);
CREATE TABLE {s}.reach (
    position integer PRIMARY KEY,
    indicator_id text NOT NULL, service text NOT NULL, ages text NOT NULL, rows bigint NOT NULL,
    contacts float8 NOT NULL, first_month text NOT NULL, last_month text NOT NULL,
    unknown_postcode bigint NOT NULL, outside_area bigint NOT NULL,
    unplaced_lines bigint[] NOT NULL, synthetic boolean NOT NULL
);"
    )
}

/// Derived columns and indexes, made after the rows are in (one index build instead of one
/// update per row).
pub fn indexes(s: &str) -> String {
    format!(
        "
UPDATE {s}.areas SET geom_bng = ST_Transform(geom, 27700);
CREATE INDEX ON {s}.areas USING gist (geom);
CREATE INDEX ON {s}.areas USING gist (geom_bng);
CREATE INDEX ON {s}.areas (code);
CREATE INDEX ON {s}.sites USING gist (geom);
CREATE INDEX ON {s}.postcodes USING gist (geom);
CREATE INDEX ON {s}.postcodes (postcode);
CREATE INDEX ON {s}.indicator_values (indicator_id, area_code);
ANALYZE {s}.areas;"
    )
}

/// The stable view `gapmap.areas_<level>` of the current generation's areas of one level
/// (code, names, geometry in 4326 and 27700), for QGIS, Martin and other tools.
pub fn level_view(s: &str, level: crate::level::Level) -> String {
    let l = level.as_str();
    format!(
        "CREATE VIEW gapmap.areas_{l} AS SELECT code, name, ons_name, geom, geom_bng \
         FROM {s}.areas WHERE level = '{l}';"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_generation_schema_names_are_accepted() {
        assert_eq!(parse_generation_schema(&generation_schema(12)), Some(12));
        assert_eq!(parse_generation_schema("gapmap_g"), None);
        assert_eq!(parse_generation_schema("gapmap_g1; DROP TABLE x"), None);
        assert_eq!(parse_generation_schema("public"), None);
    }
}
