//! Strongly connected components (Tarjan) and one ring through each.

use std::collections::{BTreeMap, VecDeque};

/// The strongly connected components with more than one node, each sorted, in order of their smallest node.
pub(crate) fn loops(nodes: usize, edges: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut adj = vec![Vec::new(); nodes];
    for &(a, b) in edges {
        if let Some(v) = adj.get_mut(a) {
            v.push(b);
        }
    }
    let mut t = Tarjan {
        adj: &adj,
        index: vec![None; nodes],
        low: vec![0; nodes],
        on_stack: vec![false; nodes],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for n in 0..nodes {
        if t.index.get(n).copied().flatten().is_none() {
            t.visit(n);
        }
    }
    let mut out: Vec<Vec<usize>> = t.out.into_iter().filter(|c| c.len() > 1).collect();
    for c in &mut out {
        c.sort_unstable();
    }
    out.sort();
    out
}

struct Tarjan<'a> {
    adj: &'a [Vec<usize>],
    index: Vec<Option<usize>>,
    low: Vec<usize>,
    on_stack: Vec<bool>,
    stack: Vec<usize>,
    next: usize,
    out: Vec<Vec<usize>>,
}

impl Tarjan<'_> {
    // Recursion depth is bounded by the number of modules in a crate (tens to hundreds).
    fn visit(&mut self, v: usize) {
        self.index[v] = Some(self.next);
        self.low[v] = self.next;
        self.next += 1;
        self.stack.push(v);
        self.on_stack[v] = true;
        let adj = self.adj;
        for &w in adj.get(v).map(Vec::as_slice).unwrap_or_default() {
            match self.index[w] {
                None => {
                    self.visit(w);
                    self.low[v] = self.low[v].min(self.low[w]);
                }
                Some(iw) if self.on_stack[w] => self.low[v] = self.low[v].min(iw),
                Some(_) => {}
            }
        }
        if Some(self.low[v]) == self.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            self.out.push(comp);
        }
    }
}

/// A shortest ring through `component[0]` that stays inside `component`: `[a, b, …, a]`.
pub(crate) fn ring(component: &[usize], edges: &[(usize, usize)]) -> Vec<usize> {
    let Some(&start) = component.first() else {
        return Vec::new();
    };
    let inside = |n: usize| component.contains(&n);
    let mut prev: BTreeMap<usize, usize> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &(a, b) in edges {
            if a != v || !inside(b) {
                continue;
            }
            if b == start {
                let mut path = vec![start, v];
                let mut at = v;
                while let Some(&p) = prev.get(&at) {
                    path.push(p);
                    at = p;
                }
                // path is start, v, …, start reversed apart from the first element.
                let mut ring: Vec<usize> = path.into_iter().skip(1).collect();
                ring.reverse();
                ring.push(start);
                return ring;
            }
            if b != start && !prev.contains_key(&b) {
                prev.insert(b, v);
                queue.push_back(b);
            }
        }
    }
    vec![start]
}
