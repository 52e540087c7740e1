//! The live figures (`role="status"`) and the failure sentence (`role="alert"`).
use yew::prelude::*;

use crate::browser::now_ms;
use crate::error::AppError;
use crate::state::{FetchPhase, State};

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub state: State,
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A byte count for people.
pub fn size(bytes: f64) -> String {
    match bytes {
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b if b >= 1e3 => format!("{:.1} KB", b / 1e3),
        b => format!("{b} bytes"),
    }
}

#[component]
pub fn StatusPanel(props: &StatusProps) -> Html {
    let s = &props.state;
    let mut lines: Vec<Html> = Vec::new();
    if let Some(p) = &s.fetch_progress {
        let verb = match s.fetch {
            FetchPhase::Running => "Fetching",
            FetchPhase::Stopped => "Fetch stopped",
            FetchPhase::Idle => "Fetched",
        };
        let pages = match p.pages_total {
            Some(t) => format!("{} of {t} pages", p.pages_done),
            None => format!("{} pages", p.pages_done),
        };
        let inds = match p.indicators_total {
            Some(t) => format!("{} of {t} indicators", p.indicators_done),
            None => plural(p.indicators_done, "indicator", "indicators"),
        };
        let retries = if p.retries > 0 { format!(", {}", plural(u64::from(p.retries), "retry", "retries")) } else { String::new() };
        lines.push(html! { <p class="fig">{ format!("{verb}: {pages}, {inds}{retries}.") }</p> });
        if s.fetch == FetchPhase::Running {
            let (value, max) = match (p.indicators_total, p.pages_total) {
                (Some(t), _) if t > 0 => (p.indicators_done as f64, t as f64),
                (_, Some(t)) => (f64::from(p.pages_done), f64::from(t.max(1))),
                _ => (0.0, 1.0),
            };
            lines.push(html! { <progress aria-label="Fetch progress" value={value.to_string()} max={max.to_string()}></progress> });
            if let Some((at, why)) = &p.retry_at {
                let secs = ((at - now_ms()).max(0) + 999) / 1000;
                lines.push(html! { <p class="fig retry">{ format!("Retrying in {secs} s: {why}.") }</p> });
            }
        }
    }
    if let Some((done, total)) = s.converting {
        if total == 0 {
            lines.push(html! { <p class="fig">{ "Reading and converting the data…" }</p> });
            lines.push(html! { <progress aria-label="Conversion progress"></progress> });
        } else {
            lines.push(html! { <p class="fig">{ format!("Converting: {done} of {} records.", total) }</p> });
            lines.push(html! { <progress aria-label="Conversion progress" value={done.to_string()} max={total.to_string()}></progress> });
        }
    } else if let Some(r) = &s.result {
        let m = &r.summary;
        lines.push(html! { <p class="fig">{ format!("Read {}: {}.", if m.shape.is_empty() { "the data" } else { m.shape.as_str() }, m.sentence.trim_end_matches('.')) }</p> });
        lines.push(html! {
            <ul class="counts">
                <li><strong>{ m.converted }</strong>{ " converted" }</li>
                <li><strong>{ m.filtered_out }</strong>{ " filtered out" }</li>
                if m.duplicates > 0 { <li><strong>{ m.duplicates }</strong>{ " duplicates dropped" }</li> }
                <li><strong>{ m.rejected }</strong>{ " rejected" }</li>
            </ul>
        });
        if s.downloadable().is_some() {
            lines.push(html! { <p class="fig">{ format!("{} ready to download as {}.", size(r.output.size()), s.settings.download_name()) }</p> });
        }
    }
    if let Some(n) = &s.note {
        lines.push(html! { <p class="fig">{ n.clone() }</p> });
    }
    if lines.is_empty() {
        lines.push(html! { <p class="fig">{ "Nothing loaded yet: fetch from the API, choose or drop a JSON export, or try the sample." }</p> });
    }
    html! { <div id="status" class="status" role="status" aria-live="polite">{ for lines }</div> }
}

#[derive(Properties, PartialEq)]
pub struct AlertProps {
    pub error: Option<AppError>,
    pub ondismiss: Callback<()>,
}

#[component]
pub fn Alert(props: &AlertProps) -> Html {
    let ondismiss = props.ondismiss.clone();
    html! {
        <div class="alert-slot">
            if let Some(e) = &props.error {
                <div class="alert" role="alert">
                    <p>{ e.to_string() }</p>
                    <button type="button" onclick={move |_| ondismiss.emit(())}>{ "Dismiss" }</button>
                </div>
            }
        </div>
    }
}
