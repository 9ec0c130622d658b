//! The exact solver against brute force over every subset, on seeded random instances, for
//! every model and both access measures; plus hand-worked evaluations.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::place::model::ObjectiveValue;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn demand(id: &str, x: f64, y: f64, weight: f64, quintile: u8) -> DemandPoint {
    DemandPoint {
        id: id.to_string(),
        name: String::new(),
        x,
        y,
        lonlat: None,
        weight,
        quintile: Some(quintile),
        children: Some(weight.round()),
    }
}

fn site(id: &str, x: f64, y: f64, existing: bool) -> SitePoint {
    SitePoint {
        id: id.to_string(),
        name: String::new(),
        x,
        y,
        lonlat: None,
        existing,
    }
}

/// A random instance: 15–39 demand points (40% in quintile 1), 5–11 candidates (some sharing a
/// position, so dominance ties occur), 0–2 existing sites, straight-line or matrix access.
fn random_instance(rng: &mut ChaCha8Rng, model: Model, matrix: bool) -> Instance {
    let n = rng.random_range(15..40);
    let m = rng.random_range(5..12);
    let e = rng.random_range(0..3);
    let demand: Vec<DemandPoint> = (0..n)
        .map(|i| {
            let w = if rng.random_bool(0.15) {
                0.0
            } else {
                rng.random_range(0.5..100.0)
            };
            demand(
                &format!("d{i}"),
                rng.random_range(0.0..10_000.0),
                rng.random_range(0.0..10_000.0),
                w,
                if rng.random_bool(0.4) {
                    1
                } else {
                    rng.random_range(2..=5)
                },
            )
        })
        .collect();
    let mut sites: Vec<SitePoint> = Vec::new();
    for j in 0..m + e {
        let (x, y) = if j > 0 && rng.random_bool(0.25) {
            let other = &sites[rng.random_range(0..j)];
            (other.x, other.y)
        } else {
            (
                rng.random_range(0.0..10_000.0),
                rng.random_range(0.0..10_000.0),
            )
        };
        sites.push(site(&format!("s{j}"), x, y, j >= m));
    }
    let radius = rng.random_range(2_000.0..4_500.0);
    let access = if matrix {
        let radius_min = rng.random_range(10.0..25.0);
        let complete = model == Model::PMedian;
        let mut pairs = Vec::new();
        for i in 0..n {
            for j in 0..m + e {
                if complete || rng.random_bool(0.7) {
                    pairs.push((i, j, f64::from(rng.random_range(1u32..60))));
                }
            }
        }
        Access::Matrix(TravelTimes::new(radius_min, n, m + e, pairs))
    } else {
        Access::Distance { radius }
    };
    Instance::new(demand, sites, access).unwrap()
}

/// The best objective over every set of at most k candidates.
fn brute_force(instance: &Instance, model: Model, k: usize) -> ObjectiveValue {
    let candidates = instance.candidates();
    let mut best: Option<ObjectiveValue> = None;
    for bits in 0u32..(1 << candidates.len()) {
        if bits.count_ones() as usize > k {
            continue;
        }
        let set: Vec<usize> = (0..candidates.len())
            .filter(|b| bits & (1 << b) != 0)
            .map(|b| candidates[b])
            .collect();
        let value = evaluate(instance, &set).objective(model);
        if best.is_none_or(|b| value.better_than(&b, model, 1e-12)) {
            best = Some(value);
        }
    }
    best.unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn check_against_brute_force(model: Model, matrix: bool, seed: u64, instances: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut through_milp = 0;
    for case in 0..instances {
        let instance = random_instance(&mut rng, model, matrix);
        let k = rng.random_range(1..=instance.candidates().len().min(4));
        let solution = solve(&instance, &SolveOptions::new(model, k), &mut |_| {
            Control::Continue
        })
        .unwrap();
        let best = brute_force(&instance, model, k);
        let what = format!(
            "{model:?} matrix={matrix} case {case} k={k}: solver {:?} vs brute force {best:?}",
            solution.objective
        );
        assert_eq!(solution.status, SolveStatus::Optimal, "{what}");
        assert!(close(solution.objective.primary, best.primary), "{what}");
        if model == Model::Equity {
            assert!(
                close(
                    solution.objective.secondary.unwrap(),
                    best.secondary.unwrap()
                ),
                "{what}"
            );
        }
        assert!(solution.chosen.len() <= k, "{what}");
        if solution
            .stages
            .iter()
            .any(|s| s.status != super::milp::MilpStatus::Trivial)
        {
            through_milp += 1;
        }
        assert_eq!(
            solution.evaluation,
            evaluate(&instance, &solution.chosen),
            "{what}"
        );
        // The bound brackets the optimum.
        let slack = 1e-6 * best.primary.abs().max(1.0);
        if model.maximises() {
            assert!(
                solution.bound + slack >= best.primary,
                "{what}: bound {}",
                solution.bound
            );
        } else {
            assert!(
                solution.bound - slack <= best.primary,
                "{what}: bound {}",
                solution.bound
            );
        }
    }
    // Presolve makes many small instances trivial; most must still reach HiGHS.
    assert!(
        through_milp * 2 >= instances,
        "only {through_milp} of {instances} instances needed the MILP"
    );
}

#[test]
fn mclp_equals_brute_force_on_random_distance_instances() {
    check_against_brute_force(Model::Mclp, false, 1, 60);
}

#[test]
fn mclp_equals_brute_force_on_random_matrix_instances() {
    check_against_brute_force(Model::Mclp, true, 2, 60);
}

#[test]
fn p_median_equals_brute_force_on_random_distance_instances() {
    check_against_brute_force(Model::PMedian, false, 3, 60);
}

#[test]
fn p_median_equals_brute_force_on_random_matrix_instances() {
    check_against_brute_force(Model::PMedian, true, 4, 60);
}

#[test]
fn equity_equals_brute_force_on_random_distance_instances() {
    check_against_brute_force(Model::Equity, false, 5, 60);
}

#[test]
fn equity_equals_brute_force_on_random_matrix_instances() {
    check_against_brute_force(Model::Equity, true, 6, 60);
}

/// Three points on a line at x = 0, 1000, 5000; an existing site at 0, candidates at 1000 and
/// 5000; radius 1500. Worked by hand:
/// before, the existing site covers x = 0 and 1000 (weights 10 + 20 = 30 of 100);
/// opening the candidate at 5000 newly covers weight 70 (quintile 1): coverage 100%.
/// Distances after: 0, 1000 (to the existing site; the candidate at 1000 is closed), 0.
#[test]
fn evaluation_matches_a_hand_worked_line() {
    let instance = Instance::new(
        vec![
            demand("a", 0.0, 0.0, 10.0, 5),
            demand("b", 1000.0, 0.0, 20.0, 5),
            demand("c", 5000.0, 0.0, 70.0, 1),
        ],
        vec![
            site("old", 0.0, 0.0, true),
            site("mid", 1000.0, 0.0, false),
            site("far", 5000.0, 0.0, false),
        ],
        Access::Distance { radius: 1500.0 },
    )
    .unwrap();
    let e = evaluate(&instance, &[2]);
    assert_eq!(e.total().need_covered_before, 30.0);
    assert_eq!(e.total().need_covered_after, 100.0);
    let q1 = e.quintile(1).unwrap();
    assert_eq!((q1.need_covered_before, q1.need_covered_after), (0.0, 70.0));
    // Before: weighted distances 10·0 + 20·1000 + 70·5000 = 370,000 over weight 100.
    assert_eq!(e.weighted_cost_before, 370_000.0);
    assert_eq!(e.weighted_cost_after, 20_000.0);
    assert_eq!(q1.mean_cost_before, Some(5000.0));
    assert_eq!(q1.mean_cost_after, Some(0.0));
    assert_eq!(e.sites[0].need_newly_covered, 70.0);
    assert_eq!(e.sites[0].need_only_here, 70.0);
    // MCLP with k = 1 opens "far"; p-median too (it saves 70 × 5000 against 20 × 1000).
    for model in [Model::Mclp, Model::PMedian, Model::Equity] {
        let s = solve(&instance, &SolveOptions::new(model, 1), &mut |_| {
            Control::Continue
        })
        .unwrap();
        assert_eq!(s.chosen, vec![2], "{model:?}");
    }
}

#[test]
fn a_site_that_adds_nothing_is_not_reported_as_chosen() {
    // Both demand points are already covered: no new site adds coverage.
    let instance = Instance::new(
        vec![
            demand("a", 0.0, 0.0, 5.0, 1),
            demand("b", 100.0, 0.0, 5.0, 2),
        ],
        vec![
            site("old", 50.0, 0.0, true),
            site("new", 9000.0, 0.0, false),
        ],
        Access::Distance { radius: 1000.0 },
    )
    .unwrap();
    let s = solve(&instance, &SolveOptions::new(Model::Mclp, 1), &mut |_| {
        Control::Continue
    })
    .unwrap();
    assert!(s.chosen.is_empty());
    assert_eq!(s.unused_slots, 1);
    assert_eq!(s.objective.primary, 10.0);
}

#[test]
fn bad_requests_are_typed_errors() {
    let instance = Instance::new(
        vec![demand("a", 0.0, 0.0, 5.0, 1)],
        vec![site("new", 10.0, 0.0, false)],
        Access::Distance { radius: 1000.0 },
    )
    .unwrap();
    let err = solve(&instance, &SolveOptions::new(Model::Mclp, 2), &mut |_| {
        Control::Continue
    })
    .unwrap_err();
    assert_eq!(
        err,
        PlaceError::KTooLarge {
            k: 2,
            candidates: 1
        }
    );
    let err = Instance::new(Vec::new(), Vec::new(), Access::Distance { radius: 1.0 }).unwrap_err();
    assert_eq!(err, PlaceError::EmptyDemand);
    let err = Instance::new(
        vec![demand("a", 0.0, 0.0, 5.0, 1)],
        Vec::new(),
        Access::Distance { radius: 0.0 },
    )
    .unwrap_err();
    assert!(matches!(err, PlaceError::BadRadius { .. }));
}

#[test]
fn equity_never_trades_total_coverage_for_a_narrower_gap() {
    // One Q1 point reachable only from "q1"; two Q5 points reachable from "q5".
    // k = 2: equity must open both (Q1 first, then total), never leave Q5 uncovered to
    // narrow the gap.
    let instance = Instance::new(
        vec![
            demand("poor", 0.0, 0.0, 10.0, 1),
            demand("rich1", 9000.0, 0.0, 10.0, 5),
            demand("rich2", 9100.0, 0.0, 10.0, 5),
        ],
        vec![site("q1", 0.0, 0.0, false), site("q5", 9050.0, 0.0, false)],
        Access::Distance { radius: 500.0 },
    )
    .unwrap();
    let s = solve(&instance, &SolveOptions::new(Model::Equity, 2), &mut |_| {
        Control::Continue
    })
    .unwrap();
    assert_eq!(s.chosen, vec![0, 1]);
    assert_eq!(s.objective.secondary, Some(30.0));
}

#[test]
fn a_stopped_search_says_it_is_not_proven() {
    // Stop at the first progress report; the result is still a valid site set.
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let n = 400;
    let demand: Vec<DemandPoint> = (0..n)
        .map(|i| {
            demand(
                &format!("d{i}"),
                rng.random_range(0.0..50_000.0),
                rng.random_range(0.0..50_000.0),
                rng.random_range(1.0..100.0),
                1,
            )
        })
        .collect();
    let sites: Vec<SitePoint> = (0..120)
        .map(|j| {
            site(
                &format!("s{j}"),
                rng.random_range(0.0..50_000.0),
                rng.random_range(0.0..50_000.0),
                false,
            )
        })
        .collect();
    let instance = Instance::new(demand, sites, Access::Distance { radius: 4_000.0 }).unwrap();
    let mut options = SolveOptions::new(Model::PMedian, 12);
    options.progress_interval = std::time::Duration::ZERO;
    let mut milp_reports = 0;
    let s = solve(&instance, &options, &mut |p| {
        if p.stage.starts_with("MILP") {
            milp_reports += 1;
            return Control::Stop;
        }
        Control::Continue
    })
    .unwrap();
    assert!(milp_reports > 0, "the MILP never reported progress");
    assert_eq!(s.status, SolveStatus::Interrupted);
    assert!(s.bound <= s.objective.primary + 1e-6);
    assert!(s.gap > 0.0);
    assert!(s.chosen.len() <= 12);
    assert_eq!(s.evaluation, evaluate(&instance, &s.chosen));
}

/// Presolve on a hand-made line (radius 1000): points at x = 0, 100, 2000, 2100, 5000, 9000;
/// existing site at 0; candidates at 2050 ("a"), 2060 ("b", the same reach as "a"), 5500 ("c",
/// reaches only x = 5000), 4000 ("d", reaches x = 5000 too), 20000 ("e", reaches nothing).
/// Worked by hand: x = 0 and 100 are covered by the existing site (constant 1 + 2); x = 9000
/// is out of reach; 2000 and 2100 have the same candidate set {a, b} and merge into one group
/// of weight 3 + 4; b is dominated by a (equal reach, higher index), c by d or d by c (equal
/// reach {5000}: the lower index, c, stays), e covers nothing; then {a} and {c} are singleton
/// groups folded into their candidates: no MILP rows are left but the cardinality row.
#[test]
fn presolve_removes_merges_drops_and_folds_as_worked_by_hand() {
    use super::presolve::presolve_cover;
    use super::reach::{Cutoff, Reach};
    let xs = [0.0, 100.0, 2000.0, 2100.0, 5000.0, 9000.0];
    let demand: Vec<DemandPoint> = xs
        .iter()
        .enumerate()
        .map(|(i, &x)| demand(&format!("p{i}"), x, 0.0, (i + 1) as f64, 1))
        .collect();
    let sites = vec![
        site("old", 0.0, 0.0, true),
        site("a", 2050.0, 0.0, false),
        site("b", 2060.0, 0.0, false),
        site("c", 5500.0, 0.0, false),
        site("d", 4000.0, 0.0, false),
        site("e", 20000.0, 0.0, false),
    ];
    let instance = Instance::new(demand, sites, Access::Distance { radius: 1000.0 }).unwrap();
    let all = vec![true; instance.sites.len()];
    let reach = Reach::build(&instance, &all, |_| Cutoff::AtMost(1000.0));
    let existing: Vec<bool> = instance.sites.iter().map(|s| s.existing).collect();
    let weight: Vec<f64> = instance.demand.iter().map(|d| d.weight).collect();
    let red = presolve_cover(&reach, &existing, &instance.candidates(), &weight, None);
    let s = &red.stats;
    assert_eq!(red.constant, 3.0);
    assert_eq!((s.covered_by_existing, s.out_of_reach), (2, 1));
    assert_eq!(s.groups, 2);
    assert_eq!((s.candidates_dominated, s.candidates_useless), (2, 1));
    assert_eq!(red.cols, vec![1, 3]);
    assert!(red.groups.is_empty());
    assert_eq!(red.fold, vec![7.0, 5.0]);
    assert_eq!(s.rows, 1);
}
