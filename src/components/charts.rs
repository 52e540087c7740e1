//! Two small bar charts (inline SVG, sized by attributes: the CSP forbids inline styles).
use yew::prelude::*;

use crate::job::Summary;

const SEVERITIES: [&str; 6] = ["none", "MINIMAL", "LOW", "MED", "HIGH", "EXTREME"];

fn bars(title: &str, data: &[(String, u64)]) -> Html {
    let max = data.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (80.0, 180.0, 22.0);
    let height = (data.len() as f64 * row_h).max(row_h);
    let described = data.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ");
    html! {
        <figure class="chart">
            <figcaption>{ title }</figcaption>
            <svg role="img" aria-label={format!("{title}: {described}")} width="340" height={height.to_string()} viewBox={format!("0 0 340 {height}")}>
                { for data.iter().enumerate().map(|(i, (k, n))| {
                    let y = i as f64 * row_h;
                    let w = (*n as f64 / max as f64 * bar_w).max(if *n > 0 { 1.0 } else { 0.0 });
                    html! {
                        <g>
                            <text x="0" y={(y + 15.0).to_string()} class="label">{ k.clone() }</text>
                            <rect x={label_w.to_string()} y={(y + 3.0).to_string()} width={w.to_string()} height="16" class="bar" />
                            <text x={(label_w + w + 6.0).to_string()} y={(y + 15.0).to_string()} class="value">{ n.to_string() }</text>
                        </g>
                    }
                }) }
            </svg>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub summary: Summary,
}

#[component]
pub fn Charts(props: &ChartsProps) -> Html {
    let s = &props.summary;
    let severity: Vec<(String, u64)> = SEVERITIES.iter().zip(s.by_severity).map(|(l, n)| (l.to_string(), n)).collect();
    html! {
        <div class="charts">
            if !s.by_type.is_empty() { { bars("Converted by type", &s.by_type) } }
            { bars("Converted by severity", &severity) }
        </div>
    }
}
