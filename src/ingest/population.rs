//! ONS small-area population estimates by single year of age (SAPE layout:
//! `<level>_code,total_population,0,1,…,89,90+`).

use super::table::Table;
use super::IngestError;
use crate::dataset::Population;
use std::collections::HashMap;
use std::path::Path;

/// Read a population table keyed by `code_column`; every row's ages must not exceed its total.
pub fn load_population(
    path: &Path,
    code_column: &str,
    year: u16,
) -> Result<HashMap<String, Population>, IngestError> {
    let table = Table::read(path)?;
    let codes = table.strings(code_column)?;
    let totals = table.integers("total_population")?;
    let mut ages: Vec<Vec<u32>> = Vec::with_capacity(20);
    for age in 0..20 {
        ages.push(table.integers(&age.to_string())?);
    }
    let mut out = HashMap::with_capacity(codes.len());
    for (i, code) in codes.into_iter().enumerate() {
        let mut a = [0u32; 20];
        for (k, col) in ages.iter().enumerate() {
            a[k] = col[i];
        }
        let population = Population {
            year,
            total: totals[i],
            ages_0_19: a,
        };
        if population.ages(0, 19) > population.total {
            return Err(IngestError::Invalid {
                path: path.into(),
                message: format!(
                    "line {}: ages 0–19 sum to more than total_population for {code}",
                    i + 2
                ),
            });
        }
        if out.insert(code.clone(), population).is_some() {
            return Err(IngestError::Duplicate {
                path: path.into(),
                line: i + 2,
                key: format!("area {code}"),
                first_line: 0,
            });
        }
    }
    Ok(out)
}
