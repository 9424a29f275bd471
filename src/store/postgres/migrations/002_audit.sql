-- The audit log: append-only, enforced by the database, not only by the application.
--
-- Grants a council should use (migrations run as an owner role, the bot as an app role that does
-- not own the table, so it cannot drop or alter the trigger):
--   GRANT INSERT, SELECT ON audit TO brokerage_app;
--   GRANT USAGE ON SEQUENCE audit_seq_seq TO brokerage_app;
--   -- and no UPDATE, DELETE or TRUNCATE on audit (REVOKE them if a default privilege gave them).
-- The trigger below makes UPDATE, DELETE and TRUNCATE raise even for a role that holds them
-- (the owner included), so a history cannot be rewritten by mistake; only a superuser or the
-- owner disabling the trigger on purpose could, and that is itself a DDL change to review.

CREATE TABLE audit (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  collection text NOT NULL,
  item_id text NOT NULL,
  before jsonb,
  after jsonb
);
CREATE INDEX audit_item ON audit (collection, item_id);
CREATE INDEX audit_action ON audit (action);
CREATE INDEX audit_actor ON audit (actor);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
