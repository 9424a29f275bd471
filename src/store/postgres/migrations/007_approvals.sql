-- Decisions under the scheme of delegation (src/app/approvals/): one row per spending decision,
-- each approving body's levels, and approvers' out-of-office periods. As in 001, the columns the
-- named reads use are generated from the document, so the adapter never writes them.
CREATE TABLE approvals (
  id text PRIMARY KEY,
  doc jsonb NOT NULL,
  status text GENERATED ALWAYS AS (doc ->> 'status') STORED,
  -- The UTC day it was raised (an ISO timestamp's first ten characters): approvalsRaisedBetween.
  raised_day text GENERATED ALWAYS AS (left(doc ->> 'raisedAt', 10)) STORED
);
CREATE INDEX approvals_waiting ON approvals (id) WHERE status = 'waiting';
CREATE INDEX approvals_raised ON approvals (raised_day);

CREATE TABLE approval_schemes (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE absences (id text PRIMARY KEY, doc jsonb NOT NULL);
