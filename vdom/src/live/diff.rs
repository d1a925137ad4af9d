//! Diffing two rendered trees of the same program into patch operations:
//! per slot, and per keyed loop with deletes, inserts and the fewest moves
//! (items on a longest increasing subsequence of old positions stay put).
use std::collections::HashMap;
use std::sync::Arc;

use super::compile::{FragId, Program, SlotId, SlotKind};
use super::patch::{Op, Seg};
use super::rendered::{RFrag, RList, RVal};

/// The operations that turn `old` into `new` (both rendered from `prog`).
pub fn diff(prog: &Program, old: &RFrag, new: &RFrag) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut path = Vec::new();
    frag(prog, 0, old, new, &mut path, &mut ops);
    ops
}

fn frag(
    prog: &Program,
    fid: FragId,
    old: &RFrag,
    new: &RFrag,
    path: &mut Vec<Seg>,
    ops: &mut Vec<Op>,
) {
    for ((sid, o), n) in prog.frag(fid).slots.iter().zip(&old.vals).zip(&new.vals) {
        val(prog, *sid, o, n, path, ops);
    }
}

fn with_slot(path: &[Seg], sid: SlotId) -> Vec<Seg> {
    let mut p = path.to_vec();
    p.push(Seg::Slot(sid));
    p
}

fn val(
    prog: &Program,
    sid: SlotId,
    old: &RVal,
    new: &RVal,
    path: &mut Vec<Seg>,
    ops: &mut Vec<Op>,
) {
    let kind = &prog.slot(sid).kind;
    match (kind, old, new) {
        (_, RVal::Text(a), RVal::Text(b)) => {
            if a != b {
                ops.push(Op::Set {
                    path: with_slot(path, sid),
                    html: b.clone(),
                });
            }
        }
        (SlotKind::With(_, f) | SlotKind::Autoescape(_, f), RVal::Frag(a), RVal::Frag(b)) => {
            if !Arc::ptr_eq(a, b) {
                path.push(Seg::Slot(sid));
                frag(prog, *f, a, b, path, ops);
                path.pop();
            }
        }
        (SlotKind::If(branches), RVal::Branch(Some((ba, a))), RVal::Branch(Some((bb, b))))
            if ba == bb =>
        {
            if !Arc::ptr_eq(a, b) {
                if let Some((_, f)) = branches.get(*ba as usize) {
                    path.push(Seg::Slot(sid));
                    frag(prog, *f, a, b, path, ops);
                    path.pop();
                }
            }
        }
        (SlotKind::For { body, empty, .. }, RVal::List(a), RVal::List(b)) => {
            if Arc::ptr_eq(a, b) {
                return;
            }
            match (&a.empty, &b.empty) {
                (Some(ea), Some(eb)) => {
                    path.push(Seg::Slot(sid));
                    frag(prog, *empty, ea, eb, path, ops);
                    path.pop();
                }
                (None, None) => list(prog, sid, *body, a, b, path, ops),
                _ => ops.push(Op::Replace {
                    path: with_slot(path, sid),
                    value: new.clone(),
                }),
            }
        }
        _ => {
            if old != new {
                ops.push(Op::Replace {
                    path: with_slot(path, sid),
                    value: new.clone(),
                });
            }
        }
    }
}

fn list(
    prog: &Program,
    sid: SlotId,
    body: FragId,
    old: &RList,
    new: &RList,
    path: &mut Vec<Seg>,
    ops: &mut Vec<Op>,
) {
    let here = with_slot(path, sid);
    let old_pos: HashMap<&str, usize> = old
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| (&**k, i))
        .collect();
    let new_keys: std::collections::HashSet<&str> = new.keys.iter().map(|k| &**k).collect();
    for k in &old.keys {
        if !new_keys.contains(&**k) {
            ops.push(Op::Delete {
                path: here.clone(),
                key: k.clone(),
            });
        }
    }
    // Old positions of the kept items, in new order; those on a longest
    // increasing subsequence keep their place, the others move.
    let kept: Vec<(usize, usize)> = new
        .keys
        .iter()
        .enumerate()
        .filter_map(|(ni, k)| old_pos.get(&**k).map(|&oi| (ni, oi)))
        .collect();
    let seq: Vec<usize> = kept.iter().map(|&(_, oi)| oi).collect();
    let mut stays = vec![false; new.keys.len()];
    for i in lis(&seq) {
        stays[kept[i].0] = true;
    }
    for (ni, k) in new.keys.iter().enumerate() {
        let after = if ni == 0 {
            None
        } else {
            Some(new.keys[ni - 1].clone())
        };
        match old_pos.get(&**k) {
            None => ops.push(Op::Insert {
                path: here.clone(),
                key: k.clone(),
                after,
                item: new.items[ni].clone(),
            }),
            Some(_) if !stays[ni] => ops.push(Op::Move {
                path: here.clone(),
                key: k.clone(),
                after,
            }),
            Some(_) => {}
        }
    }
    for (ni, k) in new.keys.iter().enumerate() {
        if let Some(&oi) = old_pos.get(&**k) {
            let (a, b) = (&old.items[oi], &new.items[ni]);
            if !Arc::ptr_eq(a, b) && a != b {
                path.push(Seg::Slot(sid));
                path.push(Seg::Key(k.clone()));
                frag(prog, body, a, b, path, ops);
                path.pop();
                path.pop();
            }
        }
    }
}

/// Indices into `seq` of one longest strictly increasing subsequence
/// (patience sorting, O(n log n)).
pub fn lis(seq: &[usize]) -> Vec<usize> {
    let mut tails: Vec<usize> = Vec::new(); // indices into seq
    let mut prev = vec![usize::MAX; seq.len()];
    for (i, &x) in seq.iter().enumerate() {
        let pos = tails.partition_point(|&t| seq[t] < x);
        if pos > 0 {
            prev[i] = tails[pos - 1];
        }
        if pos == tails.len() {
            tails.push(i);
        } else {
            tails[pos] = i;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut cur = tails.last().copied();
    while let Some(i) = cur {
        out.push(i);
        cur = if prev[i] == usize::MAX {
            None
        } else {
            Some(prev[i])
        };
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::lis;

    #[test]
    fn lis_keeps_the_longest_run() {
        assert_eq!(lis(&[0, 1, 2, 3]), vec![0, 1, 2, 3]);
        assert_eq!(lis(&[1, 0]).len(), 1);
        let seq = [3, 0, 1, 4, 2, 5];
        let r = lis(&seq);
        assert_eq!(r.len(), 4);
        assert!(r.windows(2).all(|w| seq[w[0]] < seq[w[1]]));
        assert!(lis(&[]).is_empty());
    }
}
