//! Small checkers the lessons' invariants are built from.
//!
//! Each returns `Err` with a message that names what was expected and
//! what was seen, so a failed invariant explains itself.

use std::collections::BTreeMap;
use std::fmt::Debug;

/// `Ok` if `cond`, else `Err(msg())`.
pub fn ensure(cond: bool, msg: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(msg()) }
}

/// `actual` must equal `expected`, element by element.
pub fn exact_sequence<T: PartialEq + Debug>(
    what: &str,
    actual: &[T],
    expected: &[T],
) -> Result<(), String> {
    if actual == expected {
        return Ok(());
    }
    let first_diff = actual
        .iter()
        .zip(expected)
        .position(|(a, e)| a != e)
        .unwrap_or(actual.len().min(expected.len()));
    Err(format!(
        "{what}: expected {} values {expected:?}, saw {} values {actual:?} \
         (first difference at position {first_diff})",
        expected.len(),
        actual.len()
    ))
}

/// `actual` must hold the same values as `expected`, in any order.
pub fn same_multiset<T: Ord + Clone + Debug>(
    what: &str,
    actual: &[T],
    expected: &[T],
) -> Result<(), String> {
    fn counts<T: Ord + Clone>(v: &[T]) -> BTreeMap<T, usize> {
        let mut m = BTreeMap::new();
        for x in v {
            *m.entry(x.clone()).or_insert(0) += 1;
        }
        m
    }
    let (a, e) = (counts(actual), counts(expected));
    if a == e {
        return Ok(());
    }
    let missing: Vec<_> = e
        .iter()
        .filter(|(k, n)| a.get(*k).copied().unwrap_or(0) < **n)
        .map(|(k, _)| k)
        .collect();
    let extra: Vec<_> = a
        .iter()
        .filter(|(k, n)| e.get(*k).copied().unwrap_or(0) < **n)
        .map(|(k, _)| k)
        .collect();
    Err(format!(
        "{what}: expected each of {expected:?} once (in any order), saw {actual:?}; \
         missing {missing:?}, extra or repeated {extra:?}"
    ))
}

/// The longest run of equal consecutive elements.
pub fn max_run<T: PartialEq>(seq: &[T]) -> usize {
    let mut best = 0;
    let mut run = 0;
    for (i, x) in seq.iter().enumerate() {
        run = if i > 0 && seq[i - 1] == *x {
            run + 1
        } else {
            1
        };
        best = best.max(run);
    }
    best
}

/// How often consecutive elements differ.
pub fn switches<T: PartialEq>(seq: &[T]) -> usize {
    seq.windows(2).filter(|w| w[0] != w[1]).count()
}

/// `value >= min`.
pub fn at_least(what: &str, value: f64, min: f64) -> Result<(), String> {
    ensure(value >= min, || {
        format!("{what} is {value:.3}, expected at least {min:.3}")
    })
}

/// `value <= max`.
pub fn at_most(what: &str, value: f64, max: f64) -> Result<(), String> {
    ensure(value <= max, || {
        format!("{what} is {value:.3}, expected at most {max:.3}")
    })
}

/// `min <= value <= max`.
pub fn within(what: &str, value: f64, min: f64, max: f64) -> Result<(), String> {
    ensure((min..=max).contains(&value), || {
        format!("{what} is {value:.3}, expected between {min:.3} and {max:.3}")
    })
}

/// `actual == expected` for counts and other plain values.
pub fn equal<T: PartialEq + Debug>(what: &str, actual: T, expected: T) -> Result<(), String> {
    ensure(actual == expected, || {
        format!("{what}: expected {expected:?}, saw {actual:?}")
    })
}

/// Parses a duration as tracing-subscriber prints it (`1.00s`, `12.3ms`,
/// `45.6µs`, `78ns`) into milliseconds.
pub fn parse_tracing_duration_ms(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, scale) = if let Some(n) = s.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = s.strip_suffix("µs").or_else(|| s.strip_suffix("us")) {
        (n, 1e-3)
    } else if let Some(n) = s.strip_suffix("ns") {
        (n, 1e-6)
    } else if let Some(n) = s.strip_suffix('s') {
        (n, 1e3)
    } else {
        return None;
    };
    num.parse::<f64>().ok().map(|v| v * scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_and_sets() {
        assert!(exact_sequence("x", &[1, 2, 3], &[1, 2, 3]).is_ok());
        let err = exact_sequence("x", &[1, 3, 2], &[1, 2, 3]).unwrap_err();
        assert!(err.contains("position 1"), "{err}");
        assert!(exact_sequence("x", &[1, 2], &[1, 2, 3]).is_err());
        assert!(same_multiset("x", &[3, 1, 2], &[1, 2, 3]).is_ok());
        let err = same_multiset("x", &[1, 1, 2], &[1, 2, 3]).unwrap_err();
        assert!(
            err.contains("missing [3]") && err.contains("repeated [1]"),
            "{err}"
        );
    }

    #[test]
    fn runs_and_switches() {
        assert_eq!(max_run(&[1, 1, 2, 2, 2, 1]), 3);
        assert_eq!(max_run::<i32>(&[]), 0);
        assert_eq!(switches(&[1, 1, 2, 2, 2, 1]), 2);
    }

    #[test]
    fn tracing_durations() {
        assert_eq!(parse_tracing_duration_ms("1.00s"), Some(1000.0));
        assert_eq!(parse_tracing_duration_ms("12.5ms"), Some(12.5));
        assert_eq!(parse_tracing_duration_ms("500µs"), Some(0.5));
        assert_eq!(parse_tracing_duration_ms("abc"), None);
    }
}
