//! Spreadsheet formula injection: a text cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return is run as a formula by Excel, LibreOffice and Google Sheets when a CSV is
//! opened (`=cmd|' /C calc'!A0` in an uploaded indicator or area name). Following OWASP's
//! "CSV Injection" advice, such a cell is written with a leading `'`, which spreadsheets show
//! as text; numbers (`-1.5`) are left alone. Every CSV and XLSX writer passes its text cells
//! through [`neutralise`] (Parquet is not opened by spreadsheets and keeps the text as is).

use std::borrow::Cow;

/// `text` as a cell that no spreadsheet runs as a formula.
pub fn neutralise(text: &str) -> Cow<'_, str> {
    let risky = text
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && !text.trim().parse::<f64>().is_ok_and(f64::is_finite) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_are_quoted_and_numbers_are_not() {
        assert_eq!(neutralise("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("+1+1"), "'+1+1");
        assert_eq!(neutralise("\t=1"), "'\t=1");
        assert_eq!(neutralise("-1.5"), "-1.5");
        assert_eq!(neutralise("Durham"), "Durham");
        assert_eq!(neutralise(""), "");
    }
}
