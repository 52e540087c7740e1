//! The first rows of the result. Values are text nodes, never markup.
use std::rc::Rc;

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PreviewProps {
    /// The header row, then data rows.
    pub rows: Rc<Vec<Vec<String>>>,
    pub converted: u64,
}

#[component]
pub fn PreviewTable(props: &PreviewProps) -> Html {
    let Some((header, rows)) = props.rows.split_first() else { return html! {} };
    let caption = if (rows.len() as u64) < props.converted { format!("The first {} of {} rows", rows.len(), props.converted) } else { format!("All {} rows", rows.len()) };
    html! {
        <div class="preview" tabindex="0" role="region" aria-label="Preview of the first rows">
            <table>
                <caption>{ caption }</caption>
                <thead><tr>{ for header.iter().map(|h| html! { <th scope="col">{ h.clone() }</th> }) }</tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! { <tr>{ for r.iter().map(|v| html! { <td>{ v.clone() }</td> }) }</tr> }) }
                </tbody>
            </table>
        </div>
    }
}
