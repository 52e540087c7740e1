//! A realistic, deterministic IntelGraph export: the same seed and `now` give the same bytes.
use std::fmt::Write as _;
use std::str::FromStr;

use serde::Serialize;
use ti_core::time::{format_timestamp, EpochMs};

const DAY_MS: i64 = 86_400_000;

/// SplitMix64: small, fast, good enough for test data, and stable across platforms.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }
    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
    /// Uniform in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn range(&mut self, lo: i64, hi_inclusive: i64) -> i64 {
        lo + self.below((hi_inclusive - lo + 1) as u64) as i64
    }
    fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len() as u64) as usize]
    }
    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            let _ = write!(s, "{:016x}", self.next_u64());
        }
        s.truncate(len);
        s
    }
    fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        let a = (a & !0xF000) | 0x4000; // version 4
        let b = (b & !(0xC << 60)) | (0x8 << 60); // RFC 4122 variant
        format!("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFFF, b >> 48, b & 0xFFFF_FFFF_FFFF)
    }
}

/// The SplitMix64 finaliser: a well-mixed 64-bit hash of `z`.
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The file layouts [`generate_shape`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Shape {
    /// One API response `{"results": [...], "total_size": N, "page": 1, "page_size": N,
    /// "more": false}`, pretty-printed (a saved API response).
    #[default]
    Response,
    /// A JSON array of API responses of 200 records each (saved pages), pretty-printed.
    Pages,
    /// A JSON array of indicators, pretty-printed.
    Array,
    /// One compact indicator per line (newline-delimited JSON).
    Ndjson,
}

impl FromStr for Shape {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "response" => Ok(Self::Response),
            "pages" => Ok(Self::Pages),
            "array" => Ok(Self::Array),
            "ndjson" => Ok(Self::Ndjson),
            _ => Err(format!("unknown shape \"{s}\": use response, pages, array or ndjson")),
        }
    }
}

#[derive(Serialize)]
struct Related {
    key: String,
    display_text: String,
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    relationship: &'static str,
    relationship_created_on: String,
    href: String,
}

#[derive(Serialize)]
struct File {
    key: String,
    display_text: String,
    uuid: String,
    #[serde(rename = "type")]
    kind: &'static str,
    sha1: String,
    sha256: String,
    relationship: &'static str,
    relationship_created_on: String,
    href: String,
}

#[derive(Serialize)]
struct Indicator {
    key: String,
    display_text: String,
    #[serde(rename = "type")]
    kind: &'static str,
    uuid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    confidence: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_seen: Option<String>,
    last_seen_as: Vec<&'static str>,
    threat_types: Vec<&'static str>,
    malware_family: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<Vec<File>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    seen_at: Vec<Related>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    threat_campaigns: Vec<Related>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    threat_actors: Vec<Related>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    threat_groups: Vec<Related>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    arguments: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_int: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ip_type: Option<&'static str>,
    last_published: String,
    last_modified: String,
    index_timestamp: String,
    replication_id: u64,
}

const TLDS: &[&str] = &["com", "net", "org", "info", "ru", "cn", "top", "xyz", "de", "br", "io", "biz", "online", "site"];
const SYLLABLES: &[&str] = &[
    "mail", "secure", "login", "update", "cloud", "cdn", "micro", "soft", "pay", "bank", "verify", "account", "service", "support", "online", "web",
    "data", "sync", "office", "drive", "share", "doc", "track", "net", "host", "box", "app", "portal", "auth", "client",
];
const UNICODE_LABELS: &[&str] = &["bücher", "café-login", "пример", "παράδειγμα", "münchen-bank", "xn--80ak6aa92e", "société-générale-verif"];
const PATH_WORDS: &[&str] = &[
    "wp-content", "wp-admin", "images", "uploads", "admin", "includes", "js", "css", "files", "tmp", "cgi-bin", "bin", "download", "panel", "gate", "api", "v1", "static", "doc", "invoice",
];
const PATH_FILES: &[&str] = &["gate.php", "index.php", "login.html", "admin.php", "update.exe", "invoice.doc", "payload.bin", "config.bin", "panel.php", "dl.php", "a.jpg", "Rechnung_2024.zip"];
const ARG_NAMES: &[&str] = &["id", "q", "ref", "u", "token", "session", "file", "p", "lang"];
const SEEN_AS: &[&str] = &["MALWARE_C2", "MALWARE_DOWNLOAD", "EXPLOIT", "PHISHING", "MALWARE_DROP", "SPAM", "SCANNER", "SINKHOLE"];
const THREAT_TYPES: &[&str] = &["Cyber Crime", "Cyber Espionage", "Hacktivism", "Vulnerability"];
const FAMILIES: &[&str] = &[
    "Emotet", "TrickBot", "Qakbot", "Dridex", "Agent Tesla", "AZORult", "Cobalt Strike", "IcedID", "LokiBot", "Formbook", "NanoCore", "njRAT", "Remcos", "Ursnif",
    "Zeus, Panda variant", "\"Sofacy\" loader", "PlugX", "ShadowPad", "Mirai", "Gh0st RAT", "Ryuk", "Conti", "LockBit", "Raccoon Stealer", "RedLine",
];
const CAMPAIGNS: &[&str] = &[
    "Operation Night Dragon", "Opération Café Noir", "Invoice Spam Wave, Q3", "\"Tax Season\" Phishing", "COVID-19 Lures", "Кампания Зима", "Supply Chain Update Hijack",
    "Olympic Destroyer", "银狐 Silver Fox",
];
const ACTORS: &[&str] = &["BELUGASTURGEON", "SNAKEMACKEREL", "WHITE KNIGHT", "Lazarus", "FIN7", "TA505", "\"Wizard Spider\"", "Evil Corp, Ltd.", "Ιπποκράτης"];
const GROUPS: &[&str] = &["APT28", "APT29", "APT41", "Carbanak Group", "Kimsuky", "Sandworm Team", "Turla"];
const COUNTRIES: &[&str] = &["RU", "CN", "US", "DE", "NL", "BR", "UA", "IR", "KP", "VN", "FR", "RO"];
const C2_REL: &[&str] = &["contactsC2At", "deliveredFrom", "downloadedFrom", "communicatesWith"];

fn domain(rng: &mut Rng) -> String {
    if rng.chance(0.02) {
        return format!("{}.{}", rng.pick(UNICODE_LABELS), rng.pick(TLDS));
    }
    let mut s = String::new();
    for i in 0..rng.range(2, 3) {
        if i > 0 && rng.chance(0.3) {
            s.push('-');
        }
        s.push_str(rng.pick(SYLLABLES));
    }
    if rng.chance(0.15) {
        let _ = write!(s, "{}", rng.below(1000));
    }
    if rng.chance(0.3) {
        s = format!("{}.{s}", rng.pick(&["www", "cdn", "mail", "api", "files", "update"]));
    }
    format!("{s}.{}", rng.pick(TLDS))
}

fn ipv4(rng: &mut Rng) -> u32 {
    loop {
        let ip = rng.next_u64() as u32;
        let first = ip >> 24;
        // Skip 0/8, 10/8, 127/8 and multicast/reserved: feeds hold public addresses.
        if !matches!(first, 0 | 10 | 127 | 224..=255) {
            return ip;
        }
    }
}

fn dotted(ip: u32) -> String {
    format!("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 0xFF, (ip >> 8) & 0xFF, ip & 0xFF)
}

/// A `k` of `0..=max` distinct picks from `items`, in list order.
fn some_of(rng: &mut Rng, items: &[&'static str], min: u64, max: u64) -> Vec<&'static str> {
    let k = min + rng.below(max - min + 1);
    let mut chosen: Vec<usize> = Vec::new();
    while (chosen.len() as u64) < k.min(items.len() as u64) {
        let i = rng.below(items.len() as u64) as usize;
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    chosen.into_iter().map(|i| items[i]).collect()
}

fn related(rng: &mut Rng, kind: &'static str, href_kind: &str, key: String, relationship: &'static str, created: EpochMs, published: EpochMs) -> Related {
    let uuid = rng.uuid();
    Related {
        display_text: key.clone(),
        key,
        href: format!("/rest/{href_kind}/v0/{uuid}"),
        uuid,
        kind,
        relationship,
        relationship_created_on: format_timestamp(created.max(published - 90 * DAY_MS)),
    }
}

fn file(rng: &mut Rng, created: EpochMs, published: EpochMs) -> File {
    let md5 = rng.hex(32);
    let uuid = rng.uuid();
    File {
        display_text: md5.clone(),
        key: md5,
        href: format!("/rest/fundamental/v0/file/{uuid}"),
        uuid,
        kind: "file",
        sha1: rng.hex(40),
        sha256: rng.hex(64),
        relationship: rng.pick(C2_REL),
        relationship_created_on: format_timestamp(created.max(published - 90 * DAY_MS)),
    }
}

fn indicator(rng: &mut Rng, last_modified: EpochMs, counter: u64) -> Indicator {
    let last_published = last_modified - rng.range(0, 6 * 3_600_000);
    let created_on = last_published - rng.range(0, 400 * DAY_MS);
    let index_timestamp = last_modified + rng.range(200, 90_000);
    let (mut path, mut arguments, mut ip_int, mut ip_type) = (None, None, None, None);
    let roll = rng.below(100);
    let (kind, key) = if roll < 40 {
        let host = if rng.chance(0.2) { dotted(ipv4(rng)) } else { domain(rng) };
        let mut segs: Vec<String> = (0..rng.range(0, 3)).map(|_| rng.pick(PATH_WORDS).to_string()).collect();
        if rng.chance(0.7) {
            segs.push(rng.pick(PATH_FILES).to_string());
        }
        if rng.chance(0.03) {
            segs.push("a,b".into());
        }
        let mut url = format!("{}://{host}/{}", if rng.chance(0.6) { "http" } else { "https" }, segs.join("/"));
        if rng.chance(0.4) {
            let args: Vec<String> = (0..rng.range(1, 3)).map(|_| {
                    let name = rng.pick(ARG_NAMES);
                    let len = rng.range(2, 10) as usize;
                    format!("{name}={}", rng.hex(len))
                })
                .collect();
            let args = args.join("&");
            url.push('?');
            url.push_str(&args);
            arguments = Some(args);
        }
        path = Some(segs);
        ("url", url)
    } else if roll < 65 {
        ("domain", domain(rng))
    } else if roll < 90 {
        let ip = ipv4(rng);
        ip_int = Some(ip);
        ip_type = Some("4");
        ("ip", dotted(ip))
    } else {
        ("file", rng.hex(32))
    };
    let severity = (!rng.chance(0.03)).then(|| rng.range(1, 5) as u8);
    let confidence = (!rng.chance(0.10)).then(|| {
        // Most are machine-scored below 75; analyst-entered ones reach 75 and above.
        if rng.chance(0.15) { rng.range(75, 100) as u8 } else { rng.range(0, 74) as u8 }
    });
    let last_seen = (!rng.chance(0.30)).then(|| format_timestamp(last_modified - rng.range(0, 20 * DAY_MS)));
    let last_seen_as = some_of(rng, SEEN_AS, 1, 2);
    let threat_types = some_of(rng, THREAT_TYPES, 1, 2);
    let malware_family = if rng.chance(0.25) { Vec::new() } else { some_of(rng, FAMILIES, 1, 2) };
    // Most network indicators list no related file; some list one to three; a few have an
    // empty list (which crashed the legacy script).
    let files = match rng.below(100) {
        0..=7 => Some(Vec::new()),
        n if n < 74 || kind == "file" => None,
        n => {
            let k = if n < 94 { 1 } else if n < 99 { 2 } else { 3 };
            Some((0..k).map(|_| file(rng, created_on, last_published)).collect())
        }
    };
    let rel = |rng: &mut Rng, p: f64, kind: &'static str, href: &str, names: &[&str], r: &'static str| -> Vec<Related> {
        if rng.chance(p) {
            let name = rng.pick(names).to_string();
            vec![related(rng, kind, href, name, r, created_on, last_published)]
        } else {
            Vec::new()
        }
    };
    let seen_at = rel(rng, 0.06, "country", "country", COUNTRIES, "seenAt");
    let threat_campaigns = rel(rng, 0.03, "threat_campaign", "threatcampaign", CAMPAIGNS, "associatedWith");
    let threat_actors = rel(rng, 0.02, "threat_actor", "threatactor", ACTORS, "usedBy");
    let threat_groups = rel(rng, 0.015, "threat_group", "threatgroup", GROUPS, "usedBy");
    Indicator {
        display_text: key.clone(),
        key,
        kind,
        uuid: rng.uuid(),
        severity,
        confidence,
        last_seen,
        last_seen_as,
        threat_types,
        malware_family,
        files,
        seen_at,
        threat_campaigns,
        threat_actors,
        threat_groups,
        path,
        arguments,
        ip_int,
        ip_type,
        last_published: format_timestamp(last_published),
        last_modified: format_timestamp(last_modified),
        index_timestamp: format_timestamp(index_timestamp),
        replication_id: last_modified as u64 * 1_000_000 + counter % 1_000_000,
    }
}

fn indicators(count: usize, seed: u64, now_ms: EpochMs) -> Vec<Indicator> {
    let mut rng = Rng::new(seed);
    // last_modified uniform over the 30 days before `now`, in ascending order (the order of
    // an incremental export: replication_id grows).
    let mut times: Vec<EpochMs> = (0..count).map(|_| now_ms - 1 - rng.below(30 * DAY_MS as u64) as i64).collect();
    times.sort_unstable();
    times.iter().enumerate().map(|(i, &t)| indicator(&mut rng, t, i as u64)).collect()
}

#[derive(Serialize)]
struct Response<'a> {
    results: &'a [Indicator],
    total_size: usize,
    page: usize,
    page_size: usize,
    more: bool,
}

/// A realistic export of `count` indicators as one pretty-printed API response (see
/// [`generate_shape`]).
pub fn generate(count: usize, seed: u64, now_ms: EpochMs) -> Vec<u8> {
    generate_shape(count, seed, now_ms, Shape::Response)
}

/// A realistic export of `count` indicators in the given file layout. The same arguments
/// always give the same bytes. `last_modified` is spread uniformly over the 30 days before
/// `now_ms`, and `replication_id` is `last_modified` epoch ms × 10^6 + the record's index.
pub fn generate_shape(count: usize, seed: u64, now_ms: EpochMs, shape: Shape) -> Vec<u8> {
    let items = indicators(count, seed, now_ms);
    let mut out = Vec::with_capacity(count * 1000 + 200);
    let written = match shape {
        Shape::Response => serde_json::to_writer_pretty(&mut out, &Response { results: &items, total_size: count, page: 1, page_size: count, more: false }),
        Shape::Pages => {
            let pages: Vec<Response> = items
                .chunks(200)
                .enumerate()
                .map(|(i, chunk)| Response { results: chunk, total_size: count, page: i + 1, page_size: 200, more: (i + 1) * 200 < count })
                .collect();
            serde_json::to_writer_pretty(&mut out, &pages)
        }
        Shape::Array => serde_json::to_writer_pretty(&mut out, &items),
        Shape::Ndjson => items.iter().try_for_each(|item| {
            serde_json::to_writer(&mut out, item)?;
            out.push(b'\n');
            Ok(())
        }),
    };
    written.expect("writing JSON to memory cannot fail");
    if shape != Shape::Ndjson {
        out.push(b'\n');
    }
    out
}
