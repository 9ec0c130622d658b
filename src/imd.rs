//! Index of Multiple Deprivation: the IoD score method and the per-area deprivation record.
//!
//! The English Indices of Deprivation combine seven domains. Each domain's ranks are turned
//! into an exponentially distributed score and the IMD score is their weighted sum
//! (MHCLG, *The English Indices of Deprivation 2019: Technical Report*, section 3.8 and
//! Appendix N; unchanged for IoD2025):
//!
//! ```text
//! X = -23 ln(1 - R (1 - e^(-100/23)))       R = (N + 1 - rank) / N, rank 1 = most deprived
//! IMD = 0.225 Income + 0.225 Employment + 0.135 Education + 0.135 Health
//!     + 0.093 Crime + 0.093 Barriers + 0.093 Living environment
//! ```
//!
//! R runs from 1/N (least deprived) to 1 (most deprived), so X runs from ~0 to 100.
//! The mirror has IoD2019 domain *ranks* but no IoD2019 LSOA scores, so gapmap rebuilds them
//! with this function; the same function reproduces the published IoD2025 scores (tested).

use serde::{Deserialize, Serialize};

/// Which edition of the English Indices of Deprivation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImdEdition {
    /// IoD2019, on LSOA 2011 (32,844 English LSOAs).
    Imd2019,
    /// IoD2025, on LSOA 2021 (33,755 English LSOAs).
    Imd2025,
}

impl ImdEdition {
    pub fn as_str(self) -> &'static str {
        match self {
            ImdEdition::Imd2019 => "imd2019",
            ImdEdition::Imd2025 => "imd2025",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ImdEdition::Imd2019 => "IMD 2019",
            ImdEdition::Imd2025 => "IMD 2025",
        }
    }
}

/// An IMD edition that is not known; lists the allowed ones.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("unknown IMD edition {0:?}; expected one of: imd2019, imd2025 (or 2019, 2025)")]
pub struct UnknownEdition(pub String);

impl std::str::FromStr for ImdEdition {
    type Err = UnknownEdition;
    /// `imd2019`/`2019` and `imd2025`/`2025`, any case — the one parser for the CLI and the API.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "imd2019" | "2019" => Ok(ImdEdition::Imd2019),
            "imd2025" | "2025" => Ok(ImdEdition::Imd2025),
            _ => Err(UnknownEdition(s.to_string())),
        }
    }
}

/// The seven IoD domains, in the order used by every array in this crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    Income,
    Employment,
    Education,
    Health,
    Crime,
    /// Barriers to Housing and Services.
    Barriers,
    /// Living Environment.
    LivingEnvironment,
}

impl Domain {
    pub const ALL: [Domain; 7] = [
        Domain::Income,
        Domain::Employment,
        Domain::Education,
        Domain::Health,
        Domain::Crime,
        Domain::Barriers,
        Domain::LivingEnvironment,
    ];

    /// Domain weight in the IMD (IoD2019 Technical Report, Table 3.1).
    pub fn weight(self) -> f64 {
        match self {
            Domain::Income | Domain::Employment => 0.225,
            Domain::Education | Domain::Health => 0.135,
            Domain::Crime | Domain::Barriers | Domain::LivingEnvironment => 0.093,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Income => "income",
            Domain::Employment => "employment",
            Domain::Education => "education",
            Domain::Health => "health",
            Domain::Crime => "crime",
            Domain::Barriers => "barriers",
            Domain::LivingEnvironment => "living_environment",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Domain::Income => "Income",
            Domain::Employment => "Employment",
            Domain::Education => "Education, skills and training",
            Domain::Health => "Health deprivation and disability",
            Domain::Crime => "Crime",
            Domain::Barriers => "Barriers to housing and services",
            Domain::LivingEnvironment => "Living environment",
        }
    }
}

/// The IoD exponential transform of a rank (rank 1 = most deprived among `n` areas).
///
/// Returns a value in (0, 100]: 100 for the most deprived area.
pub fn exponential_transform(rank: u32, n: u32) -> f64 {
    let r = (f64::from(n) + 1.0 - f64::from(rank)) / f64::from(n);
    -23.0 * (1.0 - r * (1.0 - (-100.0_f64 / 23.0).exp())).ln()
}

/// IMD score from the seven domain ranks (in [`Domain::ALL`] order) among `n` areas.
pub fn imd_score_from_domain_ranks(ranks: &[u32; 7], n: u32) -> f64 {
    Domain::ALL
        .iter()
        .zip(ranks)
        .map(|(d, &rank)| d.weight() * exponential_transform(rank, n))
        .sum()
}

/// Rank values (1 = highest value = most deprived) with ties broken by input order,
/// as MHCLG ranks IMD scores. Returns the rank of each input position.
pub fn rank_descending(values: &[f64]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    let mut ranks = vec![0u32; values.len()];
    for (position, &index) in order.iter().enumerate() {
        ranks[index] = u32::try_from(position + 1).unwrap_or(u32::MAX);
    }
    ranks
}

/// National decile (1 = most deprived 10%) from a rank among `n` areas, as MHCLG defines
/// it: decile d holds ranks in ((d-1)·n/10, d·n/10].
pub fn decile_from_rank(rank: u32, n: u32) -> u8 {
    let d = (f64::from(rank) * 10.0 / f64::from(n)).ceil();
    d.clamp(1.0, 10.0) as u8
}

/// Quintile (1 = most deprived 20%) from a rank among `n` areas.
pub fn quintile_from_rank(rank: u32, n: u32) -> u8 {
    let q = (f64::from(rank) * 5.0 / f64::from(n)).ceil();
    q.clamp(1.0, 5.0) as u8
}

/// A weighted mean of IMD scores (and domain scores) being accumulated: how the IMD of an MSOA,
/// ward, LA or locality is made from its LSOAs (population-weighted mean of LSOA scores, the
/// IMD R package / OCSI method), or of a locality from its MSOAs. The one place that formula is.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WeightedScore {
    weight: f64,
    score: f64,
    domains: [f64; 7],
}

impl WeightedScore {
    /// Add one member's score and domain scores with weight `w` (its population).
    pub fn add(&mut self, w: f64, score: f64, domains: &[f64; 7]) {
        self.weight += w;
        self.score += w * score;
        for (d, x) in self.domains.iter_mut().zip(domains) {
            *d += w * x;
        }
    }

    /// The weighted mean score and domain scores, or `None` with no weight.
    pub fn mean(&self) -> Option<(f64, [f64; 7])> {
        (self.weight > 0.0).then(|| {
            (
                self.score / self.weight,
                self.domains.map(|d| d / self.weight),
            )
        })
    }
}

/// Deprivation of one area under one IMD edition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AreaImd {
    pub edition: ImdEdition,
    /// IMD score (published for LSOAs of IoD2025; rebuilt from domain ranks for IoD2019;
    /// population-weighted mean of LSOA scores for larger areas).
    pub score: f64,
    /// National rank among areas of the same level (1 = most deprived).
    pub rank: u32,
    /// How many areas of this level were ranked nationally.
    pub rank_of: u32,
    /// National decile, 1 = most deprived 10% of areas of this level in England.
    pub decile: u8,
    /// National quintile, 1 = most deprived 20%.
    pub quintile: u8,
    /// Quintile within the area of interest, cut into groups of ~20% of its population,
    /// 1 = most deprived.
    pub local_quintile: u8,
    /// In the 30% most deprived areas of this level nationally (deciles 1–3).
    pub most_deprived_30pct: bool,
    /// Domain scores in [`Domain::ALL`] order (exponentially transformed ranks for LSOAs,
    /// population-weighted means for larger areas).
    pub domain_scores: [f64; 7],
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn exponential_transform_spans_zero_to_one_hundred() {
        // The most deprived area scores exactly 100; the least deprived scores ~0.
        assert!((exponential_transform(1, 32_844) - 100.0).abs() < 1e-9);
        assert!(exponential_transform(32_844, 32_844) < 0.01);
    }

    #[test]
    fn imd_score_matches_published_iod2025_value_for_e01000001() {
        // E01000001 (City of London 001A), IoD2025 File 7: domain ranks income 33730,
        // employment 33708, education 33755, health 33108, crime 33698,
        // barriers 29220, living environment 244; published IMD score 8.742.
        let ranks = [33_730, 33_708, 33_755, 33_108, 33_698, 29_220, 244];
        let score = imd_score_from_domain_ranks(&ranks, 33_755);
        assert!((score - 8.742).abs() < 0.0005, "score {score}");
    }

    #[test]
    fn deciles_follow_mhclg_cut_points() {
        assert_eq!(decile_from_rank(1, 32_844), 1);
        assert_eq!(decile_from_rank(3_284, 32_844), 1);
        assert_eq!(decile_from_rank(3_285, 32_844), 2);
        assert_eq!(decile_from_rank(32_844, 32_844), 10);
        assert_eq!(quintile_from_rank(6_569, 32_844), 2);
    }

    #[test]
    fn editions_parse_with_or_without_prefix_and_list_the_allowed_ones() {
        assert_eq!("2019".parse::<ImdEdition>(), Ok(ImdEdition::Imd2019));
        assert_eq!(" IMD2025".parse::<ImdEdition>(), Ok(ImdEdition::Imd2025));
        let err = "1999".parse::<ImdEdition>().unwrap_err().to_string();
        assert!(err.contains("imd2019") && err.contains("imd2025"), "{err}");
    }

    #[test]
    fn weighted_score_is_the_population_weighted_mean() {
        let mut w = WeightedScore::default();
        assert_eq!(w.mean(), None);
        w.add(1000.0, 10.0, &[1.0; 7]);
        w.add(3000.0, 30.0, &[5.0; 7]);
        let (score, domains) = w.mean().unwrap();
        assert!((score - 25.0).abs() < 1e-12 && (domains[0] - 4.0).abs() < 1e-12);
    }

    #[test]
    fn ranking_puts_highest_score_first() {
        assert_eq!(rank_descending(&[10.0, 30.0, 20.0]), vec![3, 1, 2]);
    }
}
