-- A 429's Retry-After, shared (issue 14, part 3): Teams told one instance not to send to a
-- conversation before `until`; the rate ledger (rateLedger.ts) holds every instance's sends to it
-- until then. Expired rows are pruned with the old sends.
CREATE TABLE IF NOT EXISTS rate_pauses (
  key text PRIMARY KEY,
  until timestamptz NOT NULL
);
