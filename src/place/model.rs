//! The three placement models and how their objective values compare (see the module doc of
//! [`crate::place`] for the definitions).

use serde::Serialize;

/// Which placement model to solve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Model {
    /// Maximal covering: maximise need-weighted demand within the radius.
    Mclp,
    /// p-median: minimise need-weighted distance (or time) to the nearest open site.
    #[value(name = "p-median")]
    PMedian,
    /// Equity: maximise need-weighted coverage of IMD quintile 1, then total coverage.
    Equity,
}

impl Model {
    pub fn as_str(self) -> &'static str {
        match self {
            Model::Mclp => "mclp",
            Model::PMedian => "p-median",
            Model::Equity => "equity",
        }
    }

    /// What the objective measures, for reports.
    pub fn objective_label(self, unit: &str) -> String {
        match self {
            Model::Mclp => "need-weighted demand covered (existing and new sites)".to_string(),
            Model::PMedian => {
                format!("need-weighted {unit} to the nearest open site (Σ weight × {unit})")
            }
            Model::Equity => {
                "need-weighted demand covered in IMD quintile 1 (then: total demand covered)"
                    .to_string()
            }
        }
    }

    /// True when a larger objective is better.
    pub fn maximises(self) -> bool {
        !matches!(self, Model::PMedian)
    }
}

/// A model's objective value for one site set. Equity compares `(quintile 1, total)`
/// lexicographically; the others use `primary` only.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ObjectiveValue {
    pub primary: f64,
    /// Equity only: total need covered (the tie-break).
    pub secondary: Option<f64>,
}

impl ObjectiveValue {
    /// True when `self` is strictly better than `other` for `model`, beyond a relative
    /// tolerance of `rel_tol` (floating-point sums of the same set in another order differ in
    /// the last bits).
    pub fn better_than(&self, other: &ObjectiveValue, model: Model, rel_tol: f64) -> bool {
        let differs = |a: f64, b: f64| (a - b).abs() > rel_tol * a.abs().max(b.abs()).max(1.0);
        let gt = |a: f64, b: f64| a > b && differs(a, b);
        match model {
            Model::Mclp => gt(self.primary, other.primary),
            Model::PMedian => gt(other.primary, self.primary),
            Model::Equity => {
                gt(self.primary, other.primary)
                    || (!differs(self.primary, other.primary)
                        && gt(
                            self.secondary.unwrap_or(0.0),
                            other.secondary.unwrap_or(0.0),
                        ))
            }
        }
    }
}
