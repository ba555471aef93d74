// The project's one list shape: a page of rows asked for by limit/offset, and how many match in all
// (the API answers `{ items, total }`).

export interface PageRequest {
  limit: number;
  offset: number;
}

export interface Page<T> {
  items: T[];
  total: number;
}
