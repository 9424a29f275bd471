-- Personal documents behind short-lived links (choice packs, payments exports): any instance may
-- be asked for a link another made. Rows are deleted once they expire.
CREATE TABLE shelf_files (
  id text PRIMARY KEY,
  body bytea NOT NULL,
  content_type text NOT NULL,
  filename text,
  expires_at timestamptz NOT NULL
);
CREATE INDEX shelf_files_expires_at ON shelf_files (expires_at);
