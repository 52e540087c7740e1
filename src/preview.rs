//! Reading back the first rows of the CSV the converter wrote, for the preview table.

/// Splits CSV text (RFC 4180, as Python's `csv` writes it) into rows of fields.
pub fn parse_csv(text: &str, max_rows: usize) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                at_field_start = true;
                if rows.len() == max_rows {
                    return rows;
                }
            }
            _ => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_python_csv() {
        let t = "type,value\r\nCyber Crime,\"a,b\"\r\n,\"say \"\"hi\"\"\r\nnext\"\r\n";
        assert_eq!(parse_csv(t, 10), vec![vec!["type", "value"], vec!["Cyber Crime", "a,b"], vec!["", "say \"hi\"\r\nnext"]]);
        assert_eq!(parse_csv(t, 2).len(), 2);
        assert!(parse_csv("", 5).is_empty());
    }
}
