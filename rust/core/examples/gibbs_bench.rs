//! Instruction-count benchmark of the Gibbs engine (one thread), for `valgrind --tool=callgrind`
//! or `perf stat`: `cargo run --release --example gibbs_bench -- ising|dag random|systematic
//! SWEEPS CHAINS`. Prints the number of site updates so counts can be divided by it.

use natabs_core::{BlockSampler, Blocks, Cancel, Chains, FactorGraph, Scan};
use rand_core::{Rng, SeedableRng};

fn ising(l: u32, beta: f64) -> FactorGraph {
    let mut scopes = Vec::new();
    let mut logs = Vec::new();
    for i in 0..l {
        for j in 0..l {
            let v = i * l + j;
            for w in [i * l + (j + 1) % l, ((i + 1) % l) * l + j] {
                scopes.push(vec![v, w]);
                logs.extend_from_slice(&[beta, -beta, -beta, beta]);
            }
        }
    }
    FactorGraph::new(vec![2; (l * l) as usize], &scopes, logs).unwrap()
}

fn dag(n: u32, window: u32) -> FactorGraph {
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(7);
    let mut scopes = Vec::new();
    let mut logs = Vec::new();
    for i in 0..n {
        let k = i.min(3);
        let lo = i.saturating_sub(window);
        let mut parents: Vec<u32> = Vec::new();
        while (parents.len() as u32) < k {
            let p = lo + (rng.next_u64() % (i - lo) as u64) as u32;
            if !parents.contains(&p) {
                parents.push(p);
            }
        }
        parents.sort();
        parents.push(i);
        for _ in 0..(1u32 << k) {
            let p = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
            let p = p.clamp(1e-6, 1.0 - 1e-6);
            logs.extend_from_slice(&[(1.0 - p).ln(), p.ln()]);
        }
        scopes.push(parents);
    }
    FactorGraph::new(vec![2; n as usize], &scopes, logs).unwrap()
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let which = a.get(1).map_or("ising", |s| s.as_str());
    let scan = match a.get(2).map_or("random", |s| s.as_str()) {
        "systematic" => Scan::Systematic,
        _ => Scan::Random,
    };
    let sweeps: u64 = a.get(3).map_or(4, |s| s.parse().unwrap());
    let chains: usize = a.get(4).map_or(2, |s| s.parse().unwrap());
    let g = match which {
        "dag" => dag(100_000, 1000),
        _ => ising(256, 0.44),
    };
    let n = g.n();
    let blocks: Vec<Vec<u32>> = (0..n as u32).map(|i| vec![i]).collect();
    let b = Blocks::new(&g, &blocks).unwrap();
    let k = BlockSampler::new(g, b, true);
    let mut ch = Chains::new(k, scan, vec![0; chains * n], chains, 1).unwrap();
    let t = std::time::Instant::now();
    ch.advance(sweeps, Cancel::never()).unwrap();
    let dt = t.elapsed().as_secs_f64();
    let updates = sweeps * chains as u64 * ch.steps_per_sweep();
    let ones: u64 = ch.states().iter().map(|&v| v as u64).sum();
    println!(
        "{which} {scan:?}: {updates} updates in {dt:.3} s = {:.1} M/s (ones {ones})",
        updates as f64 / dt / 1e6
    );
}
