//! The form: API access, filters and output options. Every control has a visible label
//! that is its accessible name.
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::settings::{MinLevel, OutFormat, Settings};

#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    pub settings: Settings,
    pub token: String,
    pub onsettings: Callback<Settings>,
    pub ontoken: Callback<String>,
    pub onforget: Callback<()>,
}

const TYPES: [&str; 4] = ["url", "domain", "ip", "file"];

fn level_select(id: &str, value: MinLevel, onchange: Callback<Event>) -> Html {
    html! {
        <select id={id.to_string()} {onchange}>
            { for MinLevel::ALL.into_iter().map(|l| html! { <option value={l.as_str()} selected={l == value}>{ l.as_str() }</option> }) }
        </select>
    }
}

#[component]
pub fn Controls(props: &ControlsProps) -> Html {
    let s = &props.settings;
    // Each control edits a copy of the settings and hands it up.
    let edit = |f: fn(&mut Settings, String)| {
        let (settings, cb) = (s.clone(), props.onsettings.clone());
        Callback::from(move |e: Event| {
            let value = e.target_dyn_into::<HtmlInputElement>().map(|i| i.value()).or_else(|| e.target_dyn_into::<HtmlSelectElement>().map(|s| s.value())).unwrap_or_default();
            let mut next = settings.clone();
            f(&mut next, value);
            cb.emit(next);
        })
    };
    let on_token = {
        let cb = props.ontoken.clone();
        Callback::from(move |e: InputEvent| cb.emit(e.target_unchecked_into::<HtmlInputElement>().value()))
    };
    let on_forget = {
        let cb = props.onforget.clone();
        Callback::from(move |_| cb.emit(()))
    };
    let type_box = |i: usize| {
        let (settings, cb) = (s.clone(), props.onsettings.clone());
        let onchange = Callback::from(move |e: Event| {
            let mut next = settings.clone();
            next.convert.types[i] = e.target_unchecked_into::<HtmlInputElement>().checked();
            cb.emit(next);
        });
        html! { <label class="check"><input type="checkbox" value={TYPES[i]} checked={s.convert.types[i]} {onchange} />{ TYPES[i] }</label> }
    };
    html! {
        <>
        <fieldset class="group">
            <legend>{ "API access" }</legend>
            <div class="field wide">
                <label for="api-url">{ "API URL" }</label>
                <input id="api-url" type="url" spellcheck="false" value={s.api_url.clone()} onchange={edit(|s, v| s.api_url = v)} />
            </div>
            <div class="field">
                <label for="api-token">{ "API token" }</label>
                <div class="inline">
                    <input id="api-token" type="password" autocomplete="off" spellcheck="false" value={props.token.clone()} oninput={on_token} />
                    <button type="button" onclick={on_forget} disabled={props.token.is_empty()}>{ "Forget token" }</button>
                </div>
                <p class="hint">{ "Kept in this tab's session only; sent only in the auth-token header to the API URL." }</p>
            </div>
            <div class="field narrow">
                <label for="days">{ "Days" }</label>
                <input id="days" type="number" min="1" max="3650" value={s.days.to_string()} onchange={edit(|s, v| if let Ok(d) = v.trim().parse::<u32>() { s.days = d.max(1) })} />
                <p class="hint">{ "For fetches." }</p>
            </div>
        </fieldset>
        <fieldset class="group">
            <legend>{ "Filters and output" }</legend>
            <div class="field">
                <label for="min-severity">{ "Minimum severity" }</label>
                { level_select("min-severity", s.convert.min_severity, edit(|s, v| s.convert.min_severity = MinLevel::parse(&v))) }
            </div>
            <div class="field">
                <label for="min-confidence">{ "Minimum confidence" }</label>
                { level_select("min-confidence", s.convert.min_confidence, edit(|s, v| s.convert.min_confidence = MinLevel::parse(&v))) }
            </div>
            <fieldset class="field types">
                <legend>{ "Indicator types" }</legend>
                { for (0..4).map(type_box) }
                <p class="hint">{ "None checked means all." }</p>
            </fieldset>
            <div class="field narrow">
                <label for="csv-version">{ "CSV version" }</label>
                <select id="csv-version" onchange={edit(|s, v| s.convert.csv_version = if v == "1" { 1 } else { 2 })}>
                    <option value="1" selected={s.convert.csv_version == 1}>{ "1" }</option>
                    <option value="2" selected={s.convert.csv_version != 1}>{ "2" }</option>
                </select>
            </div>
            <div class="field narrow">
                <label for="output-format">{ "Output format" }</label>
                <select id="output-format" onchange={edit(|s, v| s.set_format(OutFormat::parse(&v)))}>
                    <option value="csv" selected={s.convert.format == OutFormat::Csv}>{ "csv" }</option>
                    <option value="json" selected={s.convert.format == OutFormat::Json}>{ "json" }</option>
                </select>
            </div>
            <div class="field">
                <label for="file-name">{ "File name" }</label>
                <input id="file-name" type="text" spellcheck="false" value={s.file_name.clone()} onchange={edit(|s, v| s.set_file_name(v))} />
            </div>
        </fieldset>
        </>
    }
}
