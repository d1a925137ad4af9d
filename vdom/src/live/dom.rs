//! The reference client: what `djust.js` does with the join payload and
//! patch messages, written against plain JSON so it exercises the wire
//! format itself. It keeps the program tables and the rendered values,
//! applies each operation, and renders the page's HTML. Property tests
//! check that this HTML equals a fresh full render after every update.
use serde_json::Value as Json;

use super::patch::PROTOCOL_VERSION;

/// A malformed join payload or patch.
#[derive(Debug, thiserror::Error)]
pub enum DomError {
    /// Not JSON.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Another protocol version.
    #[error("protocol version {0}, expected {PROTOCOL_VERSION}")]
    Version(u64),
    /// A field is missing or has the wrong type.
    #[error("malformed message: {0}")]
    Malformed(&'static str),
    /// A path names a slot or key that is not there.
    #[error("no such slot or key: {0}")]
    Missing(String),
}

type Res<T> = std::result::Result<T, DomError>;

#[derive(Debug, Clone)]
enum SlotDesc {
    Text,
    If(Vec<usize>),
    List { body: usize, empty: usize },
    With(usize),
}

#[derive(Debug, Clone)]
struct FragDesc {
    statics: Vec<String>,
    slots: Vec<usize>,
}

/// A client's view state: program tables plus rendered values.
#[derive(Debug, Clone)]
pub struct Client {
    frags: Vec<FragDesc>,
    slots: Vec<SlotDesc>,
    root: Json,
}

fn num(v: &Json) -> Res<usize> {
    v.as_u64()
        .map(|n| n as usize)
        .ok_or(DomError::Malformed("expected a number"))
}

fn arr(v: &Json) -> Res<&Vec<Json>> {
    v.as_array().ok_or(DomError::Malformed("expected an array"))
}

fn version(msg: &Json) -> Res<()> {
    match msg.get("v").and_then(Json::as_u64) {
        Some(v) if v == u64::from(PROTOCOL_VERSION) => Ok(()),
        Some(v) => Err(DomError::Version(v)),
        None => Err(DomError::Malformed("missing v")),
    }
}

impl Client {
    /// Build from a join payload (`LiveTemplate::join_json`).
    pub fn from_join(join: &str) -> Res<Client> {
        let j: Json = serde_json::from_str(join)?;
        version(&j)?;
        let mut frags = Vec::new();
        for f in arr(j.get("f").ok_or(DomError::Malformed("missing f"))?)? {
            let statics = arr(f.get("s").ok_or(DomError::Malformed("missing f.s"))?)?
                .iter()
                .map(|s| s.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .ok_or(DomError::Malformed("statics must be strings"))?;
            let slots = arr(f.get("d").ok_or(DomError::Malformed("missing f.d"))?)?
                .iter()
                .map(num)
                .collect::<Res<Vec<_>>>()?;
            frags.push(FragDesc { statics, slots });
        }
        let mut slots = Vec::new();
        for s in arr(j.get("s").ok_or(DomError::Malformed("missing s"))?)? {
            let f = s.get("f");
            slots.push(match s.get("t").and_then(Json::as_str) {
                Some("t") => SlotDesc::Text,
                Some("i") => SlotDesc::If(
                    arr(f.ok_or(DomError::Malformed("if without f"))?)?
                        .iter()
                        .map(num)
                        .collect::<Res<_>>()?,
                ),
                Some("l") => SlotDesc::List {
                    body: num(f.ok_or(DomError::Malformed("loop without f"))?)?,
                    empty: num(s.get("e").ok_or(DomError::Malformed("loop without e"))?)?,
                },
                Some("w") => SlotDesc::With(num(f.ok_or(DomError::Malformed("with without f"))?)?),
                _ => return Err(DomError::Malformed("unknown slot type")),
            });
        }
        let root = j
            .get("r")
            .cloned()
            .ok_or(DomError::Malformed("missing r"))?;
        Ok(Client { frags, slots, root })
    }

    /// Apply one patch message.
    pub fn apply(&mut self, patch: &str) -> Res<()> {
        let p: Json = serde_json::from_str(patch)?;
        version(&p)?;
        for op in arr(p.get("d").ok_or(DomError::Malformed("missing d"))?)? {
            self.apply_op(op)?;
        }
        Ok(())
    }

    fn apply_op(&mut self, op: &Json) -> Res<()> {
        let path = arr(op.get("p").ok_or(DomError::Malformed("op without p"))?)?.clone();
        let code = op.get("o").and_then(Json::as_str).unwrap_or("");
        let (frags, slots) = (&self.frags, &self.slots);
        let target = locate(frags, slots, &mut self.root, 0, &path)?;
        let key = || {
            op.get("k")
                .and_then(Json::as_str)
                .ok_or(DomError::Malformed("op without k"))
        };
        let after = || op.get("a").and_then(Json::as_str);
        match code {
            "s" | "r" => {
                *target = op
                    .get("v")
                    .cloned()
                    .ok_or(DomError::Malformed("op without v"))?
            }
            "d" => {
                let i = key_index(target, key()?)?;
                remove_item(target, i)?;
            }
            "i" => {
                let v = op
                    .get("v")
                    .cloned()
                    .ok_or(DomError::Malformed("op without v"))?;
                let at = insert_pos(target, after())?;
                insert_item(target, at, key()?, v)?;
            }
            "m" => {
                let i = key_index(target, key()?)?;
                let item = remove_item(target, i)?;
                let at = insert_pos(target, after())?;
                insert_item(target, at, key()?, item)?;
            }
            _ => return Err(DomError::Malformed("unknown op")),
        }
        Ok(())
    }

    /// The page's HTML from the current values.
    pub fn html(&self) -> String {
        let mut out = String::new();
        if let Some(vals) = self.root.as_array() {
            self.frag_html(0, vals, &mut out);
        }
        out
    }

    fn frag_html(&self, fid: usize, vals: &[Json], out: &mut String) {
        let Some(f) = self.frags.get(fid) else { return };
        out.push_str(f.statics.first().map_or("", String::as_str));
        for (i, (sid, v)) in f.slots.iter().zip(vals).enumerate() {
            match (self.slots.get(*sid), v) {
                (_, Json::String(s)) => out.push_str(s),
                (Some(SlotDesc::With(f)), v) => self.frag_html(*f, items_of(v, "d"), out),
                (Some(SlotDesc::If(fs)), v) => {
                    if let Some(b) = v.get("b").and_then(Json::as_u64) {
                        if let Some(f) = fs.get(b as usize) {
                            self.frag_html(*f, items_of(v, "d"), out);
                        }
                    }
                }
                (Some(SlotDesc::List { body, empty }), v) => {
                    for item in items_of(v, "i") {
                        self.frag_html(*body, item.as_array().map_or(&[], Vec::as_slice), out);
                    }
                    if let Some(e) = v.get("e").and_then(Json::as_array) {
                        self.frag_html(*empty, e, out);
                    }
                }
                _ => {}
            }
            out.push_str(f.statics.get(i + 1).map_or("", String::as_str));
        }
    }
}

fn items_of<'a>(v: &'a Json, field: &str) -> &'a [Json] {
    v.get(field)
        .and_then(Json::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The value of the slot `path` ends with, inside fragment `fid`'s
/// values `vals`.
fn locate<'a>(
    frags: &[FragDesc],
    slots: &[SlotDesc],
    vals: &'a mut Json,
    fid: usize,
    path: &[Json],
) -> Res<&'a mut Json> {
    let sid = num(path.first().ok_or(DomError::Malformed("empty path"))?)?;
    let idx = frags
        .get(fid)
        .and_then(|f| f.slots.iter().position(|s| *s == sid))
        .ok_or_else(|| DomError::Missing(format!("slot {sid} in fragment {fid}")))?;
    let v = vals
        .as_array_mut()
        .and_then(|a| a.get_mut(idx))
        .ok_or_else(|| DomError::Missing(format!("value of slot {sid}")))?;
    if path.len() == 1 {
        return Ok(v);
    }
    let missing = || DomError::Missing(format!("inside slot {sid}"));
    match slots.get(sid).ok_or_else(missing)? {
        SlotDesc::Text => Err(missing()),
        SlotDesc::With(f) => locate(
            frags,
            slots,
            v.get_mut("d").ok_or_else(missing)?,
            *f,
            &path[1..],
        ),
        SlotDesc::If(fs) => {
            let b = v.get("b").and_then(Json::as_u64).ok_or_else(missing)? as usize;
            let f = *fs.get(b).ok_or_else(missing)?;
            locate(
                frags,
                slots,
                v.get_mut("d").ok_or_else(missing)?,
                f,
                &path[1..],
            )
        }
        SlotDesc::List { body, empty } => match &path[1] {
            Json::String(k) => {
                let i = key_index(v, k)?;
                let item = v
                    .get_mut("i")
                    .and_then(|i| i.as_array_mut())
                    .and_then(|a| a.get_mut(i))
                    .ok_or_else(missing)?;
                locate(frags, slots, item, *body, &path[2..])
            }
            _ => locate(
                frags,
                slots,
                v.get_mut("e").ok_or_else(missing)?,
                *empty,
                &path[1..],
            ),
        },
    }
}

fn key_index(list: &Json, key: &str) -> Res<usize> {
    list.get("k")
        .and_then(Json::as_array)
        .and_then(|ks| ks.iter().position(|k| k.as_str() == Some(key)))
        .ok_or_else(|| DomError::Missing(format!("key {key:?}")))
}

fn insert_pos(list: &Json, after: Option<&str>) -> Res<usize> {
    match after {
        None => Ok(0),
        Some(a) => Ok(key_index(list, a)? + 1),
    }
}

fn lists(list: &mut Json) -> Res<(&mut Vec<Json>, &mut Vec<Json>)> {
    let obj = list
        .as_object_mut()
        .ok_or(DomError::Malformed("loop value"))?;
    let mut keys = None;
    let mut items = None;
    for (k, v) in obj.iter_mut() {
        match k.as_str() {
            "k" => keys = v.as_array_mut(),
            "i" => items = v.as_array_mut(),
            _ => {}
        }
    }
    match (keys, items) {
        (Some(k), Some(i)) if k.len() == i.len() => Ok((k, i)),
        _ => Err(DomError::Malformed("loop value")),
    }
}

fn remove_item(list: &mut Json, i: usize) -> Res<Json> {
    let (keys, items) = lists(list)?;
    keys.remove(i);
    Ok(items.remove(i))
}

fn insert_item(list: &mut Json, at: usize, key: &str, item: Json) -> Res<()> {
    let (keys, items) = lists(list)?;
    if at > keys.len() {
        return Err(DomError::Malformed("insert position"));
    }
    keys.insert(at, Json::String(key.to_owned()));
    items.insert(at, item);
    Ok(())
}
