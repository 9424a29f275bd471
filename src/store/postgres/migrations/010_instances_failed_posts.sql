-- Operations (issue 27): what GET /readyz and the `ops` view read.

-- Each running instance of the bot, kept by its own heartbeat (instances.ts): the row is written
-- when the instance starts, refreshed every 15 s (database clock) and deleted when it stops. An
-- instance not seen for 45 s counts as gone (it was killed, or lost the database).
CREATE TABLE IF NOT EXISTS instances (
  id text PRIMARY KEY,
  build text NOT NULL,
  started_at timestamptz NOT NULL,
  seen_at timestamptz NOT NULL
);

-- failedPosts (src/store/reads.ts): the posts that failed lately, by when they were last tried
-- (`dueAt`), for the `ops` view's "Send again". Partial: failed posts are few among the sent.
CREATE INDEX IF NOT EXISTS outbox_failed ON outbox ((doc ->> 'dueAt')) WHERE status = 'failed';
