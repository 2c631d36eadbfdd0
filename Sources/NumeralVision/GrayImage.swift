// Placeholder: reading images lands with issue #4.
