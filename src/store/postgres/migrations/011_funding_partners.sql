-- Joint funding (issue 24, src/app/funding/): the partners that share packages' costs (an ICB,
-- another council), each bound to its own Microsoft 365 tenant. Splits live on the request and the
-- agreement documents; a partner's approvals are rows in `approvals` (007) under its own body.
CREATE TABLE funding_partners (id text PRIMARY KEY, doc jsonb NOT NULL);
