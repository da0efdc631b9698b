//! Partial updates: every field of a `PATCH` left unchanged, cleared or set.

/// One field of a partial update: leave it as it is, clear it (send `null`), or set it.
///
/// ```
/// use nstba_record::Patch;
/// let p: Patch<String> = Patch::set("x");
/// assert_eq!(p, Patch::Set("x".to_owned()));
/// assert_eq!(Patch::<String>::default(), Patch::Unchanged);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Patch<T> {
    /// Not sent: NetSuite keeps the current value.
    Unchanged,
    /// Sent as `null`: NetSuite clears the field.
    Clear,
    /// Sent with this value.
    Set(T),
}

// Hand-written: a derive would require `T: Default`.
#[allow(clippy::derivable_impls)]
impl<T> Default for Patch<T> {
    fn default() -> Self {
        Patch::Unchanged
    }
}

impl<T> From<T> for Patch<T> {
    fn from(v: T) -> Self {
        Patch::Set(v)
    }
}

impl<T> Patch<T> {
    /// `Set(v)`.
    pub fn set(v: impl Into<T>) -> Self {
        Patch::Set(v.into())
    }

    /// Whether the field is left unchanged.
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }
}
