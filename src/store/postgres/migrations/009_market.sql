-- The market view (issue 25): the council's costing models (one per lot, 'default' for the rest),
-- each provider's declared capacity by zone, and the gap rules. Small reference collections, read
-- whole like the framework's (001).
CREATE TABLE cost_models (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE capacity (id text PRIMARY KEY, doc jsonb NOT NULL);
CREATE TABLE market_rules (id text PRIMARY KEY, doc jsonb NOT NULL);
