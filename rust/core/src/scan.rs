//! The order in which a step visits the blocks: one enum for the exact kernel and the
//! Gibbs chains alike.

/// How one step (exact kernel) or one sweep (Gibbs chains) uses the blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// Draw a block uniformly at random: `K = (1/|B|) Σ_B Π_B`. A Gibbs sweep is
    /// `m / mean |B|` such steps.
    Random,
    /// One pass over the blocks in the given order: `K = Π_{B_1} Π_{B_2} ... Π_{B_m}`.
    Systematic,
}

impl Scan {
    /// The names the front ends use, in the order of the variants.
    pub const NAMES: [&'static str; 2] = ["random", "systematic"];

    /// Parses `"random"` or `"systematic"`; the error lists the valid values.
    pub fn parse(name: &str) -> crate::Result<Scan> {
        match name {
            "random" => Ok(Scan::Random),
            "systematic" => Ok(Scan::Systematic),
            other => Err(crate::Error::invalid(format!(
                "scan must be 'random' or 'systematic', got {other:?}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(Scan::parse("random"), Ok(Scan::Random));
        assert_eq!(Scan::parse(Scan::NAMES[1]), Ok(Scan::Systematic));
        let err = Scan::parse("Random").unwrap_err().to_string();
        assert!(err.contains("'random' or 'systematic'"), "{err}");
    }
}
