//! Aligned text tables for the terminal and the README.

/// Prints `rows` (header first) with aligned columns: as a Markdown table
/// (cells left-aligned, ready for the README), or as plain columns with
/// the first left-aligned and the others right-aligned.
pub fn print_table(rows: &[Vec<String>], markdown: bool) {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|row| row.get(c))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (r, row) in rows.iter().enumerate() {
        let cells = widths.iter().enumerate().map(|(c, &width)| {
            let cell = row.get(c).map_or("", String::as_str);
            if markdown || c == 0 {
                format!("{cell:<width$}")
            } else {
                format!("{cell:>width$}")
            }
        });
        let cells: Vec<String> = cells.collect();
        if markdown {
            println!("| {} |", cells.join(" | "));
            if r == 0 {
                let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
                println!("|-{}-|", rule.join("-|-"));
            }
        } else {
            println!("{}", cells.join("  ").trim_end());
        }
    }
}
