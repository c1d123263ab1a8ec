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
    let mut tarjan = Tarjan::new(adjacent);
    for root in 0..names.len() {
        if tarjan.index.get(root).copied().flatten().is_none() {
            tarjan.search(root);
        }
    }
    names.into_iter().zip(tarjan.component).collect()
}

/// The state of Tarjan's algorithm over nodes `0..n`.
struct Tarjan {
    adjacent: Vec<Vec<usize>>,
    /// The order in which each node was first reached.
    index: Vec<Option<usize>>,
    /// The smallest index reachable from each node through the search tree and one back edge.
    low: Vec<usize>,
    on_stack: Vec<bool>,
    /// The nodes reached whose component is not decided yet.
    stack: Vec<usize>,
    component: Vec<usize>,
    next_index: usize,
    next_component: usize,
}

impl Tarjan {
    fn new(adjacent: Vec<Vec<usize>>) -> Self {
        let count = adjacent.len();
        Self {
            adjacent,
            index: vec![None; count],
            low: vec![0; count],
            on_stack: vec![false; count],
            stack: Vec::new(),
            component: vec![0; count],
            next_index: 0,
            next_component: 0,
        }
    }

    /// Marks `v` reached and puts it on the stack.
    fn reach(&mut self, v: usize) {
        if let Some(slot) = self.index.get_mut(v) {
            *slot = Some(self.next_index);
        }
        if let Some(slot) = self.low.get_mut(v) {
            *slot = self.next_index;
        }
        self.next_index += 1;
        self.stack.push(v);
        if let Some(slot) = self.on_stack.get_mut(v) {
            *slot = true;
        }
    }

    /// A depth-first search from `root`, with an explicit stack of calls.
    fn search(&mut self, root: usize) {
        self.reach(root);
        // (node, position of the next edge to follow)
        let mut calls: Vec<(usize, usize)> = vec![(root, 0)];
        while let Some(&(v, position)) = calls.last() {
            let next = self.adjacent.get(v).and_then(|a| a.get(position)).copied();
            let Some(w) = next else {
                calls.pop();
                self.finish(v, calls.last().map(|&(u, _)| u));
                continue;
            };
            if let Some(call) = calls.last_mut() {
                call.1 += 1;
            }
            match self.index.get(w).copied().flatten() {
                None => {
                    self.reach(w);
                    calls.push((w, 0));
                }
                Some(w_index) if self.on_stack.get(w).copied().unwrap_or(false) => {
                    if let Some(slot) = self.low.get_mut(v) {
                        *slot = (*slot).min(w_index);
                    }
                }
                Some(_) => {}
            }
        }
    }

    /// Every edge of `v` followed: passes its `low` to its caller `parent`, and closes a
    /// component when `v` is its root.
    fn finish(&mut self, v: usize, parent: Option<usize>) {
        let v_low = self.low.get(v).copied().unwrap_or(0);
        if let Some(slot) = parent.and_then(|u| self.low.get_mut(u)) {
            *slot = (*slot).min(v_low);
        }
        if Some(v_low) != self.index.get(v).copied().flatten() {
            return;
        }
        while let Some(w) = self.stack.pop() {
            if let Some(slot) = self.on_stack.get_mut(w) {
                *slot = false;
            }
            if let Some(slot) = self.component.get_mut(w) {
                *slot = self.next_component;
            }
            if w == v {
                break;
            }
        }
        self.next_component += 1;
    }
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
