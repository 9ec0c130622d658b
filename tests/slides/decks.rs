//! Slide decks on the real Durham build: LibreOffice converts our PPTX (slide count and text
//! checked in its PDF), our own PDF passes `pdfinfo`/`qpdf --check` and `pdftotext` finds the
//! numbers, the service reach slides' rows equal `PublicDataset::reach` (`/api/reach`) in both
//! PDFs, python-pptx reads titles, notes, tables and pictures back, output is byte-stable, no
//! suppressed value reaches a slide, and `gapmap slides` reports bad arguments with exit 2.
//!
//! Needs LibreOffice Impress, fonts-crosextra-carlito, poppler-utils and qpdf (installed by
//! `scripts/setup`) and python-pptx (`scripts/test-deps`).

use crate::support::{durham, durham_public, reach_row_from_json};
use gapmap::dataset::Dataset;
use gapmap::public::PublicDataset;
use gapmap::slides::model::{Content, Deck};
use gapmap::slides::reading::{key_figures, reading};
use gapmap::slides::{build_deck, write_deck, DeckFormat, DeckRequest, LocalityChoice};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

/// SII replicates for tests (the numbers are compared with tables built the same way).
const REPS: u32 = 4000;

fn request(localities: LocalityChoice) -> DeckRequest {
    DeckRequest {
        localities,
        reps: REPS,
        ..DeckRequest::default()
    }
}

fn deck(public: &PublicDataset, localities: LocalityChoice) -> Deck {
    build_deck(public, &request(localities)).unwrap()
}

/// The whole Durham deck (4 localities × 5 indicators and the Family Hub's reach), built once
/// per test binary.
fn durham_deck() -> &'static Deck {
    static DECK: OnceLock<Deck> = OnceLock::new();
    DECK.get_or_init(|| deck(durham_public(), LocalityChoice::All))
}

/// Run a command-line tool; a missing tool names the set-up script.
fn run(tool: &str, args: &[&str]) -> std::process::Output {
    Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} is not runnable ({e}); run scripts/setup"))
}

fn stdout(tool: &str, args: &[&str]) -> String {
    let out = run(tool, args);
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Text with every run of whitespace as one space.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text without whitespace or hyphens: a PDF breaks lines where its box wraps, LibreOffice may
/// also break after a dash ("(10–" / "11)") or a hyphen, and pdftotext joins a word broken at a
/// hyphen without it ("open-" / "government" reads "opengovernment"), so texts are compared
/// with spaces and hyphen-minus signs removed.
fn bare(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

fn pdf_text(pdf: &Path) -> String {
    bare(&stdout("pdftotext", &[pdf.to_str().unwrap(), "-"]))
}

/// The PDF's text with each printed line kept together (table rows read across).
fn pdf_rows(pdf: &Path) -> String {
    stdout("pdftotext", &["-layout", pdf.to_str().unwrap(), "-"])
        .lines()
        .map(squash)
        .collect::<Vec<_>>()
        .join("\n")
}

fn pdf_pages(pdf: &Path) -> usize {
    let info = stdout("pdfinfo", &[pdf.to_str().unwrap()]);
    info.lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

/// Every visible text of the deck: titles, text boxes and table cells.
fn visible_texts(deck: &Deck) -> Vec<String> {
    let mut out = Vec::new();
    for slide in &deck.slides {
        out.push(slide.title.clone());
        for shape in &slide.shapes {
            match &shape.content {
                Content::Text(tb) => out.extend(tb.paragraphs.iter().map(|p| p.text())),
                Content::Table(t) => out.extend(
                    t.rows
                        .iter()
                        .flatten()
                        .map(|c| c.text.clone())
                        .filter(|t| !t.is_empty()),
                ),
                Content::Image(_) => {}
            }
        }
    }
    out
}

/// The indicators a deck gives a slide each: every indicator but a service's reach (the
/// services share the locality's reach slide).
fn health_indicators(dataset: &Dataset) -> Vec<&gapmap::dataset::Indicator> {
    dataset
        .indicators
        .iter()
        .filter(|i| !dataset.reach.iter().any(|r| r.indicator_id == i.meta.id))
        .collect()
}

/// Service reach slides per locality: one when the dataset has service-use records.
fn reach_slides(dataset: &Dataset) -> usize {
    usize::from(!dataset.reach.is_empty())
}

/// What a locality's reach slide quotes: `PublicDataset::reach` for every service within the
/// locality (what `/api/reach?service=&locality=` returns), as JSON.
fn reach_reports(public: &PublicDataset, locality: &str) -> Vec<serde_json::Value> {
    public
        .dataset()
        .reach
        .iter()
        .map(|s| {
            let report = public
                .reach(
                    &s.indicator_id,
                    gapmap::gaps::GroupBy::ImdQuintile,
                    Some(locality.to_string()),
                    REPS,
                )
                .unwrap();
            serde_json::to_value(report).unwrap()
        })
        .collect()
}

/// The text of one PDF page: each printed line with its whitespace squashed (`rows`), and
/// all of it without whitespace or hyphens (`bare`).
fn page_texts(pdf: &Path, page: usize) -> (String, String) {
    let p = page.to_string();
    let path = pdf.to_str().unwrap();
    let rows = stdout("pdftotext", &["-layout", "-f", &p, "-l", &p, path, "-"])
        .lines()
        .map(squash)
        .collect::<Vec<_>>()
        .join("\n");
    (
        rows,
        bare(&stdout("pdftotext", &["-f", &p, "-l", &p, path, "-"])),
    )
}

/// The public gap tables the slides quote: for every locality and indicator, national IMD
/// quintiles within the locality (what `/api/gaps?indicator=&locality=` returns), with the
/// locality's name.
fn tables(dataset: &Dataset) -> Vec<(String, gapmap::gaps::GapTable)> {
    let mut out = Vec::new();
    for locality in gapmap::figures::localities(dataset) {
        for i in health_indicators(dataset) {
            let mut req = gapmap::gaps::GapRequest::for_indicator(
                dataset,
                &i.meta.id,
                gapmap::gaps::GroupBy::ImdQuintile,
            );
            req.reps = REPS;
            req.locality = Some(locality.name.clone());
            let table = durham_public().gap_table(&req).unwrap();
            out.push((locality.name.clone(), gapmap::gaps::GapTable::clone(&table)));
        }
    }
    out
}

#[test]
fn libreoffice_converts_the_pptx_with_every_slide_and_its_text() {
    let dataset = durham();
    let deck = deck(durham_public(), LocalityChoice::One("North".into()));
    assert_eq!(
        deck.slides.len(),
        1 + health_indicators(dataset).len() + reach_slides(dataset) + 1
    );
    let dir = tempfile::tempdir().unwrap();
    let pptx = dir.path().join("north.pptx");
    std::fs::write(&pptx, write_deck(&deck, DeckFormat::Pptx).unwrap()).unwrap();
    // A fresh profile per run: two conversions sharing one fail silently.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.path().join("profile").display()
    );
    let out_dir = dir.path().join("out");
    let out = run(
        "soffice",
        &[
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            out_dir.to_str().unwrap(),
            pptx.to_str().unwrap(),
        ],
    );
    // soffice exits 0 even when it cannot load the file: the PDF must exist.
    let pdf = out_dir.join("north.pdf");
    assert!(
        pdf.exists(),
        "LibreOffice wrote no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(pdf_pages(&pdf), deck.slides.len());
    let text = pdf_text(&pdf);
    for t in visible_texts(&deck) {
        assert!(text.contains(&bare(&t)), "LibreOffice's PDF lacks {t:?}");
    }
    assert!(text.contains(&bare(
        "Synthetic demonstration data — not official statistics"
    )));
    // Calibri is named; the metric-compatible Carlito that set-up installs is what gets used.
    let fonts = stdout("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(fonts.contains("Carlito"), "{fonts}");
}

#[test]
fn our_pdf_is_valid_and_pdftotext_finds_the_numbers() {
    let dataset = durham();
    let deck = durham_deck();
    assert_eq!(
        deck.slides.len(),
        4 * (1 + health_indicators(dataset).len() + reach_slides(dataset)) + 1
    );
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("durham.pdf");
    std::fs::write(&pdf, write_deck(deck, DeckFormat::Pdf).unwrap()).unwrap();
    assert_eq!(pdf_pages(&pdf), deck.slides.len());
    let info = stdout("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("960 x 540 pts"), "{info}");
    let check = run("qpdf", &["--check", pdf.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "qpdf --check: {}",
        String::from_utf8_lossy(&check.stdout)
    );
    let text = pdf_text(&pdf);
    for t in visible_texts(deck) {
        assert!(text.contains(&bare(&t)), "our PDF lacks {t:?}");
    }
    // The numbers are the public gap tables' own: the reading, and each key-figures row as
    // one printed line.
    let rows = pdf_rows(&pdf);
    for (locality, table) in tables(dataset) {
        assert!(
            text.contains(&bare(&reading(&table, &locality, 4))),
            "{} {locality}",
            table.indicator.id
        );
        for [measure, value, ci] in key_figures(&table) {
            let row = squash(&format!("{measure} {value} {ci}"));
            assert!(
                rows.lines().any(|l| l.contains(&row)),
                "{}: no row {row:?}",
                table.indicator.id
            );
        }
    }
    let fonts = stdout("pdffonts", &[pdf.to_str().unwrap()]);
    assert!(
        fonts.contains("Carlito") && fonts.contains("Carlito-Bold"),
        "{fonts}"
    );
}

#[test]
fn decks_are_byte_stable() {
    let dataset = durham();
    let hash = |bytes: &[u8]| hex::encode(Sha256::digest(bytes));
    // Two independent builds of the whole deck (one shared with the other tests), each
    // written twice.
    let again = deck(
        &PublicDataset::new(std::sync::Arc::new(dataset.clone())),
        LocalityChoice::All,
    );
    for format in [DeckFormat::Pptx, DeckFormat::Pdf] {
        let first = write_deck(durham_deck(), format).unwrap();
        let second = write_deck(&again, format).unwrap();
        assert_eq!(
            hash(&first),
            hash(&second),
            "{format:?} differs between two builds"
        );
        assert_eq!(
            hash(&first),
            hash(&write_deck(&again, format).unwrap()),
            "{format:?} differs between two writes"
        );
    }
}

/// The value of one national IMD quintile within a locality, computed from the raw counts
/// before any suppression.
fn raw_quintile_value(dataset: &Dataset, id: &str, locality: &str, quintile: u8) -> f64 {
    let indicator = dataset.indicator(id).unwrap();
    let layer = dataset.layer(indicator.meta.level).unwrap();
    let locality_id =
        gapmap::figures::locality_id(gapmap::figures::find_locality(dataset, locality).unwrap());
    let (mut count, mut denominator) = (0.0, 0.0);
    for area in &layer.areas {
        let in_group = area.locality.as_deref() == Some(locality_id)
            && area
                .imd(layer.level.native_imd())
                .is_some_and(|i| i.quintile == quintile);
        if let (true, Some(v)) = (in_group, indicator.value_for(&area.code)) {
            count += v.count.unwrap();
            denominator += v.denominator.unwrap();
        }
    }
    count / denominator * indicator.meta.multiplier
}

#[test]
fn no_suppressed_value_appears_on_any_slide() {
    let dataset = durham();
    let deck = durham_deck();
    let pdf = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(pdf.path(), write_deck(deck, DeckFormat::Pdf).unwrap()).unwrap();
    // Each table's slide: after each locality's title slide, one per indicator in order (a
    // withheld value may well be shown for another locality or indicator, so each slide is
    // checked against its own table).
    let per_locality = 1 + health_indicators(dataset).len() + reach_slides(dataset);
    let mut withheld = 0;
    let mut saw_withheld_word = false;
    for (k, (locality, table)) in tables(dataset).into_iter().enumerate() {
        let n = (k / health_indicators(dataset).len()) * per_locality
            + 1
            + k % health_indicators(dataset).len();
        let slide = &deck.slides[n];
        assert!(
            slide.title.contains(&locality),
            "{}: {}",
            slide.title,
            locality
        );
        let page = (n + 1).to_string();
        let pdf_words = squash(&stdout(
            "pdftotext",
            &["-f", &page, "-l", &page, pdf.path().to_str().unwrap(), "-"],
        ));
        let one = Deck {
            slides: vec![slide.clone()],
            ..deck.clone()
        };
        let everything = format!(
            "{} | {}",
            visible_texts(&one).join(" | "),
            slide.notes.join(" | ")
        );
        saw_withheld_word |= everything.contains("withheld");
        for group in table.groups.iter().filter(|g| g.suppressed) {
            withheld += 1;
            let raw = raw_quintile_value(
                dataset,
                &table.indicator.id,
                &locality,
                group.key.parse().unwrap(),
            );
            let shown = format!("{raw:.1}%");
            assert!(
                !everything.contains(&shown),
                "{} {locality} {}: withheld value {shown} on its slide",
                table.indicator.id,
                group.label
            );
            assert!(
                !pdf_words.contains(&shown),
                "{} {locality} {}: withheld value {shown} on its PDF page",
                table.indicator.id,
                group.label
            );
            assert!(group.value.is_none() && group.count.is_none());
        }
    }
    assert!(
        withheld > 0,
        "some Durham locality tables withhold quintiles"
    );
    assert!(saw_withheld_word);
}

#[test]
fn python_pptx_reads_titles_notes_tables_and_pictures() {
    let deck = deck(durham_public(), LocalityChoice::One("South".into()));
    let file = tempfile::Builder::new().suffix(".pptx").tempfile().unwrap();
    std::fs::write(file.path(), write_deck(&deck, DeckFormat::Pptx).unwrap()).unwrap();
    let script = r#"
import json, sys
try:
    from pptx import Presentation
except ImportError:
    sys.exit("python-pptx is not installed: run scripts/test-deps")
p = Presentation(sys.argv[1])
out = {"width": p.slide_width, "height": p.slide_height, "slides": []}
for s in p.slides:
    out["slides"].append({
        "layout": s.slide_layout.name,
        "title": s.shapes.title.text if s.shapes.title is not None else None,
        "pictures": [sh.name for sh in s.shapes if sh.shape_type == 13],
        "tables": [[[c.text for c in row.cells] for row in sh.table.rows] for sh in s.shapes if sh.has_table],
        "texts": [sh.text_frame.text for sh in s.shapes if sh.has_text_frame and not sh.is_placeholder],
        "notes": s.notes_slide.notes_text_frame.text if s.has_notes_slide else None,
    })
print(json.dumps(out))
"#;
    let out = run("python3", &["-c", script, file.path().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(read["width"], 12_192_000);
    assert_eq!(read["height"], 6_858_000);
    let slides = read["slides"].as_array().unwrap();
    assert_eq!(slides.len(), deck.slides.len());
    for (ours, theirs) in deck.slides.iter().zip(slides) {
        assert_eq!(
            theirs["title"],
            ours.title.as_str(),
            "the title is in the title placeholder"
        );
        assert_eq!(theirs["notes"], ours.notes.join("\n").as_str());
        let pictures = ours
            .shapes
            .iter()
            .filter(|s| matches!(s.content, Content::Image(_)))
            .count();
        assert_eq!(theirs["pictures"].as_array().unwrap().len(), pictures);
        for shape in &ours.shapes {
            if let Content::Table(t) = &shape.content {
                let cells: Vec<Vec<String>> = t
                    .rows
                    .iter()
                    .map(|r| r.iter().map(|c| c.text.clone()).collect())
                    .collect();
                assert_eq!(theirs["tables"][0], serde_json::json!(cells));
            }
        }
        assert_eq!(
            theirs["texts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t == "Synthetic demonstration data — not official statistics"),
            ours.synthetic_banner
        );
    }
}

#[test]
fn every_slide_is_clear_of_overlaps_and_overflow() {
    for (n, slide) in durham_deck().slides.iter().enumerate() {
        gapmap::slides::content::check_slide(slide)
            .unwrap_or_else(|o| panic!("slide {}: {o:?}", n + 1));
        assert!(
            slide.synthetic_banner,
            "the Durham indicators are synthetic: every slide says so"
        );
    }
}

/// `gapmap slides` against a snapshot of the Durham build.
fn gapmap_slides(snapshot: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    let mut cmd = assert_cmd::Command::cargo_bin("gapmap").unwrap();
    cmd.arg("slides")
        .arg("--snapshot")
        .arg(snapshot)
        .args(args)
        .assert()
}

#[test]
fn cli_writes_a_deck_and_rejects_bad_arguments_with_exit_2() {
    let dataset = durham();
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("durham.snapshot");
    gapmap::snapshot::write_atomic(&snapshot, dataset).unwrap();
    let out = dir.path().join("east.pdf");
    gapmap_slides(
        &snapshot,
        &[
            "--locality",
            "east",
            "--indicator",
            "990003,990001",
            "--reps",
            "2000",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .success();
    assert_eq!(
        pdf_pages(&out),
        1 + 2 + 1 + 1,
        "title, two indicators, reach, sources"
    );
    let text = pdf_text(&out);
    let smoking = text
        .find(&bare("Smoking at time of delivery: East"))
        .unwrap();
    let reception = text
        .find(&bare("Excess weight, Reception (4–5): East"))
        .unwrap();
    assert!(smoking < reception, "slides follow the --indicator order");
    let reach = text.find(&bare("Service reach: East")).unwrap();
    assert!(
        reception < reach,
        "the reach slide follows the indicator slides"
    );
    // --no-reach leaves the reach slide out, and only it.
    let without = dir.path().join("east-no-reach.pdf");
    gapmap_slides(
        &snapshot,
        &[
            "--locality",
            "east",
            "--indicator",
            "990003,990001",
            "--reps",
            "2000",
            "--no-reach",
            "--out",
            without.to_str().unwrap(),
        ],
    )
    .success();
    assert_eq!(pdf_pages(&without), 1 + 2 + 1);
    let text = pdf_text(&without);
    assert!(
        !text.contains(&bare("Service reach")),
        "--no-reach kept reach"
    );
    assert!(text.contains(&bare("Excess weight, Reception (4–5): East")));

    let bad = |args: &[&str], says: &str| {
        let assert = gapmap_slides(&snapshot, args).failure().code(2);
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    };
    let pptx = dir.path().join("x.pptx");
    let pptx = pptx.to_str().unwrap();
    bad(
        &["--locality", "Atlantis", "--out", pptx],
        "available: Central, East, North, South",
    );
    bad(
        &["--locality", "all", "--indicator", "999999", "--out", pptx],
        "available: 990001",
    );
    bad(
        &[
            "--locality",
            "all",
            "--indicator",
            "reach-family-hub",
            "--no-reach",
            "--out",
            pptx,
        ],
        "--no-reach",
    );
    bad(
        &[
            "--locality",
            "all",
            "--out",
            dir.path().join("deck.txt").to_str().unwrap(),
        ],
        "--format",
    );
    bad(
        &[
            "--locality",
            "east",
            "--indicator",
            "990003",
            "--reps",
            "100",
            "--out",
            "/nonexistent-gapmap-dir/deck.pptx",
        ],
        "/nonexistent-gapmap-dir/deck.pptx",
    );
    assert!(!Path::new(pptx).exists(), "a failed run writes nothing");
}

/// LibreOffice converts `pptx` in a fresh profile; returns its PDF (which must exist: soffice
/// exits 0 even when it cannot load the file).
fn libreoffice_pdf(pptx: &Path, dir: &Path) -> std::path::PathBuf {
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("profile").display()
    );
    let out_dir = dir.join("out");
    let out = run(
        "soffice",
        &[
            &profile,
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            out_dir.to_str().unwrap(),
            pptx.to_str().unwrap(),
        ],
    );
    let pdf = out_dir.join(pptx.with_extension("pdf").file_name().unwrap());
    assert!(
        pdf.exists(),
        "LibreOffice wrote no PDF: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    pdf
}

#[test]
fn placement_slide_equals_gapmap_place_json_in_pptx_and_pdf() {
    let dataset = durham();
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("durham.snapshot");
    gapmap::snapshot::write_atomic(&snapshot, dataset).unwrap();
    let options = ["--k", "2", "--model", "mclp", "--radius", "2500"];
    let place = assert_cmd::Command::cargo_bin("gapmap")
        .unwrap()
        .args([
            "place",
            "--snapshot",
            snapshot.to_str().unwrap(),
            "--format",
            "json",
        ])
        .args(options)
        .assert()
        .success();
    let report: serde_json::Value = serde_json::from_slice(&place.get_output().stdout).unwrap();
    let rows = crate::support::placement_rows_from_json(&report);
    let chosen: Vec<&str> = report["sites"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["existing"] == false)
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(chosen.len(), 2);
    let deck = |name: &str| {
        let out = dir.path().join(name);
        let args = [
            "--locality",
            "South",
            "--indicator",
            "990002",
            "--reps",
            "1000",
            "--place",
        ];
        gapmap_slides(
            &snapshot,
            &[&args[..], &options[..], &["--out", out.to_str().unwrap()]].concat(),
        )
        .success();
        out
    };
    // Our PDF: valid, five pages (title, indicator, reach, placement, sources), every coverage
    // row of the report printed as one line.
    let pdf = deck("south.pdf");
    let check = run("qpdf", &["--check", pdf.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert_eq!(pdf_pages(&pdf), 5);
    let printed = pdf_rows(&pdf);
    for row in &rows {
        assert!(
            printed.lines().any(|l| l.contains(row.as_str())),
            "no row {row:?}"
        );
    }
    // The PPTX opens in LibreOffice with the same slides and the same numbers.
    let pptx = deck("south.pptx");
    let converted = libreoffice_pdf(&pptx, dir.path());
    assert_eq!(pdf_pages(&converted), 5);
    let text = pdf_text(&converted);
    for row in &rows {
        assert!(text.contains(&bare(row)), "LibreOffice's PDF lacks {row:?}");
    }
    assert!(text.contains(&bare("Proposed: 2 new sites for County Durham")));
    // Placement options need --place, and a bad one is exit 2 naming it.
    let out = dir.path().join("x.pdf");
    let refused = gapmap_slides(
        &snapshot,
        &[
            "--locality",
            "South",
            "--k",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .failure()
    .code(2);
    assert!(String::from_utf8_lossy(&refused.get_output().stderr).contains("--place"));
    let refused = gapmap_slides(
        &snapshot,
        &[
            "--locality",
            "South",
            "--place",
            "--out",
            out.to_str().unwrap(),
        ],
    )
    .failure()
    .code(2);
    assert!(String::from_utf8_lossy(&refused.get_output().stderr).contains("--k"));
    assert!(!out.exists());
}

#[test]
fn reach_slides_equal_public_reach_in_our_pdf_and_libreoffices() {
    let dataset = durham();
    assert!(
        !dataset.reach.is_empty(),
        "the default config loads the Family Hub's records"
    );
    // Every locality with one indicator: title, indicator, reach per locality, then sources.
    let request = DeckRequest {
        indicators: vec!["990001".into()],
        ..request(LocalityChoice::All)
    };
    let deck = build_deck(durham_public(), &request).unwrap();
    let localities = gapmap::figures::localities(dataset);
    assert_eq!(localities.len(), 4);
    assert_eq!(deck.slides.len(), 4 * 3 + 1);
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("reach.pdf");
    std::fs::write(&ours, write_deck(&deck, DeckFormat::Pdf).unwrap()).unwrap();
    let pptx = dir.path().join("reach.pptx");
    std::fs::write(&pptx, write_deck(&deck, DeckFormat::Pptx).unwrap()).unwrap();
    let theirs = libreoffice_pdf(&pptx, dir.path());
    assert_eq!(pdf_pages(&theirs), deck.slides.len());
    let mut rows = 0;
    for (l, locality) in localities.iter().enumerate() {
        let page = 3 * l + 3;
        assert_eq!(
            deck.slides[page - 1].title,
            format!("Service reach: {}", locality.name)
        );
        let (our_rows, our_text) = page_texts(&ours, page);
        let (their_rows, their_text) = page_texts(&theirs, page);
        let reports = reach_reports(durham_public(), &locality.name);
        for report in &reports {
            // Each service's row, read across in our PDF and in LibreOffice's (printed lines:
            // LibreOffice's PDF stores a table's text column by column, so only the layout
            // reading puts a row's cells side by side).
            let row = reach_row_from_json(report);
            for (pdf, printed) in [("our", &our_rows), ("LibreOffice's", &their_rows)] {
                assert!(
                    printed.lines().any(|line| line.contains(&row)),
                    "{}: no row {row:?} in {pdf} PDF:\n{printed}",
                    locality.name
                );
            }
            rows += 1;
        }
        // The headline (first) service's reading across the top, in both.
        let reading = reports[0]["reading"].as_str().unwrap();
        assert!(our_text.contains(&bare(reading)), "{}", locality.name);
        assert!(their_text.contains(&bare(reading)), "{}", locality.name);
        // The notes carry every service's reading and the reach notes (synthetic first).
        let notes = deck.slides[page - 1].notes.join("\n");
        for report in &reports {
            assert!(notes.contains(report["reading"].as_str().unwrap()));
            for note in report["notes"].as_array().unwrap() {
                assert!(notes.contains(note.as_str().unwrap()));
            }
        }
        for text in [&our_text, &their_text] {
            assert!(text.contains(&bare(
                "Synthetic demonstration data — not official statistics"
            )));
            assert!(text.contains(&bare("are synthetic demonstration data")));
        }
    }
    assert_eq!(rows, 4 * dataset.reach.len());
    // The sources slide says what reach is and that the records are synthetic.
    let (_, sources) = page_texts(&ours, deck.slides.len());
    assert!(
        sources.contains(&bare("contacts per 1,000 children")),
        "{sources}"
    );
    assert!(
        sources.contains(&bare("SYNTHETIC demonstration records")),
        "{sources}"
    );
}

/// Durham with one national IMD quintile of `locality` made small in a service's reach: one
/// area with 2 contacts, the quintile's other areas none. Everything else is the real build.
fn with_small_reach_quintile(locality: &str) -> (Dataset, u8) {
    let mut dataset = durham().clone();
    let id = dataset.reach[0].indicator_id.clone();
    let level = dataset.indicator(&id).unwrap().meta.level;
    let locality_id =
        gapmap::figures::locality_id(gapmap::figures::find_locality(&dataset, locality).unwrap())
            .to_string();
    let layer = dataset.layer(level).unwrap();
    let quintile_of = |q: u8| -> Vec<String> {
        layer
            .areas
            .iter()
            .filter(|a| {
                a.locality.as_deref() == Some(locality_id.as_str())
                    && a.imd(layer.level.native_imd())
                        .is_some_and(|i| i.quintile == q)
            })
            .map(|a| a.code.clone())
            .collect()
    };
    // The locality's smallest non-empty quintile.
    let (quintile, areas) = (1..=5)
        .map(|q| (q, quintile_of(q)))
        .filter(|(_, areas)| !areas.is_empty())
        .min_by_key(|(_, areas)| areas.len())
        .unwrap();
    let indicator = dataset
        .indicators
        .iter_mut()
        .find(|i| i.meta.id == id)
        .unwrap();
    for (k, code) in areas.iter().enumerate() {
        let v = indicator
            .values
            .iter_mut()
            .find(|v| &v.area_code == code)
            .unwrap();
        let contacts = if k == 0 { 2.0 } else { 0.0 };
        let children = v.denominator.unwrap();
        v.count = Some(contacts);
        v.value = Some(contacts / children * 1000.0);
        (v.lower95, v.upper95, v.lower998, v.upper998) = (None, None, None, None);
    }
    (dataset, quintile)
}

#[test]
fn a_withheld_reach_quintile_reads_withheld_and_the_service_can_head_a_reach_only_deck() {
    let (dataset, quintile) = with_small_reach_quintile("North");
    let public = PublicDataset::new(std::sync::Arc::new(dataset));
    let service = public.dataset().reach[0].indicator_id.clone();
    // Only the reach indicator asked for: title, reach, sources.
    let request = DeckRequest {
        indicators: vec![service.clone()],
        ..request(LocalityChoice::One("North".into()))
    };
    let deck = build_deck(&public, &request).unwrap();
    assert_eq!(deck.slides.len(), 3);
    assert_eq!(deck.slides[1].title, "Service reach: North");
    let pdf = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(pdf.path(), write_deck(&deck, DeckFormat::Pdf).unwrap()).unwrap();
    let (rows, _) = page_texts(pdf.path(), 2);
    let report = &reach_reports(&public, "North")[0];
    let group = report["table"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"].as_str().and_then(|k| k.parse::<u8>().ok()) == Some(quintile))
        .unwrap();
    assert_eq!(group["suppressed"], true, "2 contacts are withheld");
    let row = reach_row_from_json(report);
    assert!(row.contains("withheld"), "{row}");
    assert!(
        rows.lines().any(|line| line.contains(&row)),
        "no row {row:?}:\n{rows}"
    );
    // The notes say it is withheld and give no figure for it.
    let notes = deck.slides[1].notes.join("\n");
    let label = group["label"].as_str().unwrap();
    assert!(
        notes.contains(&format!("{label}: withheld")),
        "{label}: {notes}"
    );
}

#[test]
fn a_reach_indicator_picks_the_headline_and_no_reach_conflicts_with_it() {
    let dataset = durham();
    let service = &dataset.reach[0];
    let request = DeckRequest {
        indicators: vec!["990002".into(), service.indicator_id.clone()],
        ..request(LocalityChoice::One("South".into()))
    };
    let deck = build_deck(durham_public(), &request).unwrap();
    // Title, the one health indicator, reach, sources: the reach id gets no indicator slide.
    assert_eq!(deck.slides.len(), 4);
    let reach = &deck.slides[2];
    assert_eq!(reach.title, "Service reach: South");
    assert!(reach.notes[0].contains(&format!("The map shows {}", service.service)));
    let refused = build_deck(
        durham_public(),
        &DeckRequest {
            reach: false,
            ..request
        },
    )
    .unwrap_err();
    assert!(refused.is_input_error());
    assert!(refused.to_string().contains("--no-reach"), "{refused}");
}
