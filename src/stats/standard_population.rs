//! Standard populations for direct standardisation: the European Standard Population 2013
//! and 1976, 19 age bands each, 100,000 people in all.
//!
//! - **ESP 2013**, five-year bands 0–4, 5–9, …, 85–89, 90+ — the standard Fingertips and
//!   PHEindicatormethods use (`esp2013`, R/data.R: "European Standard Population 2013 divided
//!   into 19 five-year agebands: 0-4, 5-9, 10-14, .....90+"). Source: Eurostat (2013)
//!   *Revision of the European Standard Population: report of Eurostat's task force*,
//!   Methodologies and Working papers KS-RA-13-028-EN-N, Table 15.
//! - **ESP 1976**, bands <1, 1–4, 5–9, …, 80–84, 85+ (the old standard: one band fewer at the
//!   top, the first year of life on its own). Source: the same report, Table 1 (WHO 1976
//!   European Standard Population), as used by the package's own test data (`esp1976` column,
//!   tests/testthat/testDSRs.R "test with user specified vector").
//!
//! Public tables (Eurostat, reuse authorised with acknowledgement), embedded because they are
//! small and fixed.

/// A named standard population with its band labels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StandardPopulation {
    pub name: &'static str,
    pub bands: &'static [&'static str],
    pub population: &'static [f64],
}

/// European Standard Population 2013: 0–4, 5–9, …, 85–89, 90+.
pub const ESP2013: StandardPopulation = StandardPopulation {
    name: "esp2013",
    bands: &[
        "0-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
        "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85-89", "90+",
    ],
    population: &[
        5000.0, 5500.0, 5500.0, 5500.0, 6000.0, 6000.0, 6500.0, 7000.0, 7000.0, 7000.0, 7000.0,
        6500.0, 6000.0, 5500.0, 5000.0, 4000.0, 2500.0, 1500.0, 1000.0,
    ],
};

/// European Standard Population 1976: <1, 1–4, 5–9, …, 80–84, 85+.
pub const ESP1976: StandardPopulation = StandardPopulation {
    name: "esp1976",
    bands: &[
        "0", "1-4", "5-9", "10-14", "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49",
        "50-54", "55-59", "60-64", "65-69", "70-74", "75-79", "80-84", "85+",
    ],
    population: &[
        1600.0, 6400.0, 7000.0, 7000.0, 7000.0, 7000.0, 7000.0, 7000.0, 7000.0, 7000.0, 7000.0,
        7000.0, 6000.0, 5000.0, 4000.0, 3000.0, 2000.0, 1000.0, 1000.0,
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_standards_have_19_bands_and_100000_people() {
        for standard in [ESP2013, ESP1976] {
            assert_eq!(standard.population.len(), 19, "{}", standard.name);
            assert_eq!(standard.bands.len(), 19, "{}", standard.name);
            assert_eq!(standard.population.iter().sum::<f64>(), 100_000.0);
        }
    }
}
