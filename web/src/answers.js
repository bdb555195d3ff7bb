// What the engine's answers mean to the page and the worker alike.

// A failed engine call answers `{"error": …}` (a token that does not read adds `part` and
// `offset`); a load summary of a rejected map also has an `error` field, next to its others.
export const isFailure = (r) =>
  !!r && typeof r.error === "string" && Object.keys(r).every((k) => k === "error" || k === "part" || k === "offset");
