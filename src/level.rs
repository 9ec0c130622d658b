//! Geography levels: which small-area geography a layer, an indicator or a lookup is on.
//!
//! Codes are the join keys everywhere (E01… LSOA, E02… MSOA, E05… ward, E06/E07/E08/E09 LA).
//! 2011 and 2021 census geographies are different levels: they are never mixed silently.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// GSS code of England: as an area of interest it means every local authority.
pub const ENGLAND: &str = "E92000001";

/// `E06000047`-style local authority code (unitary, district, metropolitan or London borough).
pub fn is_la_code(code: &str) -> bool {
    code.len() == 9
        && ["E06", "E07", "E08", "E09"]
            .iter()
            .any(|p| code.starts_with(p))
        && code[3..].bytes().all(|b| b.is_ascii_digit())
}

/// A small-area geography level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Middle layer Super Output Areas, 2011 Census geography (E02…).
    Msoa11,
    /// Lower layer Super Output Areas, 2011 Census geography (E01…).
    Lsoa11,
    /// Electoral wards / divisions in force from May 2025 (E05…).
    Ward,
    /// Electoral wards / divisions in force until May 2025 (WD22/WD24 codes).
    Ward22,
    /// Middle layer Super Output Areas, 2021 Census geography.
    Msoa21,
    /// Lower layer Super Output Areas, 2021 Census geography.
    Lsoa21,
    /// Local authority (the area of interest as a whole).
    La,
    /// User-defined localities: groups of areas from a locality CSV.
    Locality,
}

impl Level {
    /// Every level, in display order.
    pub const ALL: [Level; 8] = [
        Level::Msoa11,
        Level::Lsoa11,
        Level::Ward,
        Level::Ward22,
        Level::Msoa21,
        Level::Lsoa21,
        Level::La,
        Level::Locality,
    ];

    /// Short identifier used in URLs, configs and the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Msoa11 => "msoa11",
            Level::Lsoa11 => "lsoa11",
            Level::Ward => "ward",
            Level::Ward22 => "ward22",
            Level::Msoa21 => "msoa21",
            Level::Lsoa21 => "lsoa21",
            Level::La => "la",
            Level::Locality => "locality",
        }
    }

    /// Human-readable label.
    pub fn label(self) -> &'static str {
        match self {
            Level::Msoa11 => "MSOA (2011)",
            Level::Lsoa11 => "LSOA (2011)",
            Level::Ward => "Electoral division (2025)",
            Level::Ward22 => "Electoral division (to 2025)",
            Level::Msoa21 => "MSOA (2021)",
            Level::Lsoa21 => "LSOA (2021)",
            Level::La => "Local authority",
            Level::Locality => "Locality",
        }
    }

    /// The census vintage whose IMD edition is native to this level:
    /// IMD 2019 is published on LSOA 2011, IMD 2025 on LSOA 2021.
    pub fn native_imd(self) -> crate::imd::ImdEdition {
        match self {
            Level::Msoa11 | Level::Lsoa11 | Level::La | Level::Locality => {
                crate::imd::ImdEdition::Imd2019
            }
            Level::Ward | Level::Ward22 | Level::Msoa21 | Level::Lsoa21 => {
                crate::imd::ImdEdition::Imd2025
            }
        }
    }

    /// All identifiers, for error messages that list what is allowed.
    pub fn allowed() -> String {
        Self::ALL
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for an unknown level identifier; lists the allowed ones.
#[derive(Debug, thiserror::Error)]
#[error("unknown level {0:?}; expected one of: {allowed}", allowed = Level::allowed())]
pub struct UnknownLevel(pub String);

impl FromStr for Level {
    type Err = UnknownLevel;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.trim().to_ascii_lowercase();
        // Accept the common aliases planners type.
        let level = match lower.as_str() {
            "msoa11" | "msoa" => Level::Msoa11,
            "lsoa11" | "lsoa" => Level::Lsoa11,
            "ward" | "ward25" | "wd25" | "division" => Level::Ward,
            "ward22" | "ward24" | "wd22" => Level::Ward22,
            "msoa21" => Level::Msoa21,
            "lsoa21" => Level::Lsoa21,
            "la" | "lad" | "county" => Level::La,
            "locality" | "localities" => Level::Locality,
            _ => return Err(UnknownLevel(s.to_string())),
        };
        Ok(level)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn level_identifiers_round_trip() {
        for level in Level::ALL {
            assert_eq!(level.as_str().parse::<Level>().ok(), Some(level));
        }
    }

    #[test]
    fn unknown_level_lists_allowed_values() {
        let err = "postcode".parse::<Level>().err().map(|e| e.to_string());
        assert!(err.is_some_and(|m| m.contains("msoa11") && m.contains("locality")));
    }
}
