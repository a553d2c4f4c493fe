//! Tests of `scripts/ansi2html.py`, which turns the UI's screen, captured with
//! its ANSI colours, into the HTML page that the screenshots are rendered from.
//! Each test runs the script with python3 on a capture file.

use std::path::Path;
use std::process::Command;

const COLS: usize = 12;
const ROWS: usize = 4;

/// Runs the converter on `capture` and returns the page and what it printed.
fn convert(capture: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("screen.ansi");
    let output = dir.path().join("screen.html");
    std::fs::write(&input, capture).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/ansi2html.py");
    let run = Command::new("python3")
        .arg(&script)
        .args(["--cols", &COLS.to_string(), "--rows", &ROWS.to_string()])
        .arg(&input)
        .arg(&output)
        .output()
        .expect("python3 runs; it is needed to make the screenshots");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let page = std::fs::read_to_string(&output).unwrap();
    (page, String::from_utf8(run.stdout).unwrap())
}

/// Returns the HTML of each screen row.
fn rows(page: &str) -> Vec<&str> {
    page.split("<div class=\"r\">")
        .skip(1)
        .map(|rest| rest.split("</div>").next().unwrap())
        .collect()
}

/// Counts the cells of a row: one per character box, two for a wide one.
fn cells(row: &str) -> usize {
    row.matches("<i").count() + row.matches("class=\"w2\"").count()
}

#[test]
fn converter_fills_every_row_to_the_screen_width() {
    // tmux leaves out the blank end of a row, and a wide character takes two cells.
    let (page, _) = convert("short\n注文 wide\n\x1b[1mbold\x1b[0m\n");

    let rows = rows(&page);
    assert_eq!(rows.len(), ROWS);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(cells(row), COLS, "row {i}: {row}");
    }
    assert_eq!(rows[1].matches("class=\"w2\"").count(), 2);
}

#[test]
fn converter_maps_sgr_colours() {
    let capture = concat!(
        "\x1b[1m\x1b[38;5;6mtitle\x1b[0m\n",
        "\x1b[38;5;196mred\x1b[39m \x1b[38;2;1;2;3mrgb\n",
        "\x1b[0m\x1b[7mrev\x1b[27m plain\n",
    );
    let (page, _) = convert(capture);
    let rows = rows(&page);

    assert!(rows[0].contains("color:#3cbcd0;font-weight:bold"), "{}", rows[0]);
    assert!(rows[1].contains("color:#ff0000"), "{}", rows[1]);
    assert!(rows[1].contains("color:#010203"), "{}", rows[1]);
    // Reverse video swaps the default colours.
    assert!(rows[2].contains("color:#1c1e24;background:#d4d6dc"), "{}", rows[2]);
    assert!(rows[2].contains("<span><i> </i><i>p</i>"), "{}", rows[2]);
}

#[test]
fn converter_escapes_screen_text() {
    let (page, _) = convert("<b>&\n");

    assert!(page.contains("<i>&lt;</i><i>b</i><i>&gt;</i><i>&amp;</i>"));
    assert!(!page.contains("<b>"));
}

#[test]
fn converter_prints_the_page_size() {
    let (_, printed) = convert("x\n");

    // Cells of 9 by 18 pixels, and 12 pixels of padding on each side.
    assert_eq!(printed.trim(), format!("{},{}", COLS * 9 + 24, ROWS * 18 + 24));
}
