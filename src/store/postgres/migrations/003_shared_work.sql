-- Work shared between instances (issue 14, part 3): what every instance must see that a local
-- file or memory cannot hold.

-- Each send to Teams, by every instance: the rate ledger (rateLedger.ts) counts them per
-- conversation (its key, e.g. 'provider:caring-hands') and bot-wide (the key 'bot'). Rows older
-- than the longest window (an hour) are pruned.
CREATE TABLE IF NOT EXISTS rate_sends (
  key text NOT NULL,
  at timestamptz NOT NULL
);
-- "The newest N sends to this key since T": the only question the ledger asks.
CREATE INDEX IF NOT EXISTS rate_sends_key_at ON rate_sends (key, at DESC);
CREATE INDEX IF NOT EXISTS rate_sends_at ON rate_sends (at);

-- The activity ids Teams returned, written (autocommit) the moment they arrive, before the post is
-- saved as sent: an instance that takes over a post asks here before posting it again
-- (postReceipts.ts). An item may have several (a timed-out send that went through after all).
CREATE TABLE IF NOT EXISTS post_receipts (
  item_id text NOT NULL,
  activity_id text NOT NULL,
  at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (item_id, activity_id)
);
CREATE INDEX IF NOT EXISTS post_receipts_at ON post_receipts (at);
