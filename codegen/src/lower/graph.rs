//! Strongly connected components of the type graph, in linear time (Tarjan's algorithm,
//! without recursion so that long chains of types cannot overflow the stack).

use std::collections::BTreeMap;

/// The component of every node of `edges` (node → the nodes it points to); targets that are
/// not nodes are ignored. Two nodes share a component exactly when each reaches the other.
pub(crate) fn components(edges: &BTreeMap<String, Vec<String>>) -> BTreeMap<&str, usize> {
    let names: Vec<&str> = edges.keys().map(String::as_str).collect();
    let id: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let adjacent: Vec<Vec<usize>> = edges
        .values()
        .map(|targets| {
            targets
                .iter()
                .filter_map(|t| id.get(t.as_str()).copied())
                .collect()
        })
        .collect();
    let count = names.len();
    let mut index: Vec<Option<usize>> = vec![None; count];
    let mut low: Vec<usize> = vec![0; count];
    let mut on_stack = vec![false; count];
    let mut component: Vec<usize> = vec![0; count];
    let mut stack: Vec<usize> = Vec::new();
    let (mut next_index, mut next_component) = (0usize, 0usize);
    let visit = |v: usize,
                 next_index: &mut usize,
                 index: &mut Vec<Option<usize>>,
                 low: &mut Vec<usize>,
                 stack: &mut Vec<usize>,
                 on_stack: &mut Vec<bool>| {
        if let Some(slot) = index.get_mut(v) {
            *slot = Some(*next_index);
        }
        if let Some(slot) = low.get_mut(v) {
            *slot = *next_index;
        }
        *next_index += 1;
        stack.push(v);
        if let Some(slot) = on_stack.get_mut(v) {
            *slot = true;
        }
    };
    for root in 0..count {
        if index.get(root).copied().flatten().is_some() {
            continue;
        }
        visit(
            root,
            &mut next_index,
            &mut index,
            &mut low,
            &mut stack,
            &mut on_stack,
        );
        // (node, position of the next edge to follow)
        let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&(v, position)) = calls.last() {
            let next = adjacent.get(v).and_then(|a| a.get(position)).copied();
            if let Some(w) = next {
                if let Some(call) = calls.last_mut() {
                    call.1 += 1;
                }
                match index.get(w).copied().flatten() {
                    None => {
                        visit(
                            w,
                            &mut next_index,
                            &mut index,
                            &mut low,
                            &mut stack,
                            &mut on_stack,
                        );
                        calls.push((w, 0));
                    }
                    Some(w_index) if on_stack.get(w).copied().unwrap_or(false) => {
                        if let Some(slot) = low.get_mut(v) {
                            *slot = (*slot).min(w_index);
                        }
                    }
                    Some(_) => {}
                }
                continue;
            }
            calls.pop();
            let v_low = low.get(v).copied().unwrap_or(0);
            if let Some(&(u, _)) = calls.last() {
                if let Some(slot) = low.get_mut(u) {
                    *slot = (*slot).min(v_low);
                }
            }
            if Some(v_low) == index.get(v).copied().flatten() {
                while let Some(w) = stack.pop() {
                    if let Some(slot) = on_stack.get_mut(w) {
                        *slot = false;
                    }
                    if let Some(slot) = component.get_mut(w) {
                        *slot = next_component;
                    }
                    if w == v {
                        break;
                    }
                }
                next_component += 1;
            }
        }
    }
    names
        .into_iter()
        .zip(component)
        .collect::<BTreeMap<&str, usize>>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        edges
            .iter()
            .map(|(from, to)| {
                (
                    (*from).to_owned(),
                    to.iter().map(|t| (*t).to_owned()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn cycles_share_a_component_and_chains_do_not() {
        let edges = graph(&[
            ("A", &["B"]),
            ("B", &["C", "X"]),
            ("C", &["A"]),
            ("D", &["A"]),
            ("E", &["E"]),
            ("F", &[]),
        ]);
        let c = components(&edges);
        assert_eq!(c["A"], c["B"]);
        assert_eq!(c["B"], c["C"]);
        assert_ne!(c["D"], c["A"]);
        assert_ne!(c["E"], c["F"]);
        assert_ne!(c["E"], c["A"]);
    }

    #[test]
    fn a_long_ring_is_one_component() {
        let n = 100_000;
        let edges: BTreeMap<String, Vec<String>> = (0..n)
            .map(|i| (format!("T{i}"), vec![format!("T{}", (i + 1) % n)]))
            .collect();
        let c = components(&edges);
        assert!(c.values().all(|v| *v == c["T0"]));
    }
}
