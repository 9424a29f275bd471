-- One table per collection: the document as the application wrote it (jsonb), keyed by its id.
-- Columns generated from the document carry the indexes the named reads (src/store/reads.ts) use;
-- the adapter never writes them, so they cannot drift from the document.

CREATE TABLE lots (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE zones (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE providers (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE users (id text PRIMARY KEY, doc jsonb NOT NULL);
-- usersWithRole: doc->'roles' ? 'broker'
CREATE INDEX users_roles ON users USING gin ((doc -> 'roles'));
CREATE TABLE criteria (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE settings (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE installations (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE counters (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE admission_questions (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE applications (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE windows (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE admission (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE contract_rules (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE agreements (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE bids (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE jobs (id text PRIMARY KEY, doc jsonb NOT NULL);

-- Idempotency receipts: the key is the primary key, so two instances racing with one key
-- cannot both commit (the loser gets a unique violation and retries, then finds the receipt).
CREATE TABLE receipts (id text PRIMARY KEY, doc jsonb NOT NULL);

CREATE TABLE requests (
  id text PRIMARY KEY,
  doc jsonb NOT NULL,
  owner text GENERATED ALWAYS AS (doc ->> 'owner') STORED,
  state text GENERATED ALWAYS AS (doc ->> 'state') STORED
);
CREATE INDEX requests_owner ON requests (owner);
CREATE INDEX requests_open ON requests (id) WHERE state = 'open';

-- The days a request had a reportable moment (reportableMoments in reads.ts), kept by the adapter
-- on every put of a request: requestsActiveBetween reads a range of this index, not every request.
CREATE TABLE request_days (
  request_id text NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
  day date NOT NULL,
  PRIMARY KEY (request_id, day)
);
CREATE INDEX request_days_day ON request_days (day);

CREATE TABLE outbox (
  id text PRIMARY KEY,
  doc jsonb NOT NULL,
  status text GENERATED ALWAYS AS (doc ->> 'status') STORED,
  batch_id text GENERATED ALWAYS AS (doc -> 'batch' ->> 'id') STORED
);
CREATE INDEX outbox_pending ON outbox (id) WHERE status = 'pending';
CREATE INDEX outbox_batch ON outbox (batch_id);

-- Shared work (a pending post, a due job) taken by one instance until `until` (database clock).
CREATE TABLE claims (
  kind text NOT NULL,
  id text NOT NULL,
  holder text NOT NULL,
  until timestamptz NOT NULL,
  PRIMARY KEY (kind, id)
);
