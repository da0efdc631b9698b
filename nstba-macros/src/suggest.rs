//! Typo suggestions for error messages ("did you mean `customer`?").

fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
/// The closest candidate, when it is close enough to be a plausible typo.
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    if word.is_empty() {
        return None;
    }
    let limit = (word.chars().count() / 3).max(1) + 1;
    candidates
        .map(|c| (distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::closest;
    use nstba_record::types::RECORD_TYPES;

    #[test]
    fn suggestions() {
        assert_eq!(
            closest("custmer", RECORD_TYPES.iter().copied()),
            Some("customer")
        );
        assert_eq!(
            closest("salesorder", RECORD_TYPES.iter().copied()),
            Some("salesOrder")
        );
        assert_eq!(closest("zzzzzz", RECORD_TYPES.iter().copied()), None);
    }
}
