-- Puts back the request_days rows that earlier versions lost. Their writeRequestDays deleted a
-- request's days and re-inserted them in one statement, which sees one snapshot: a day the request
-- already had was deleted and not re-inserted, so every second save of a request left it out of
-- the reports for the days it kept (the report read, requestsActiveBetween, goes through this
-- index). The bug only ever removed rows, so adding each request's missing days repairs it; no
-- row is deleted.
--
-- A request's days are those of writes.ts (requestDays): the UTC days of reportableMoments
-- (src/store/reads.ts): submittedAt, calloff.publishedAt, every choices[].at, award.approvedAt,
-- award.recordedAt. A value that is not a readable time is left out, as the adapter does.

-- A helper for this migration only (dropped below): the owner that runs migrations can create in
-- the schema, where it may not be allowed temporary objects.
CREATE FUNCTION request_days_008_utc_day(t jsonb) RETURNS date LANGUAGE plpgsql IMMUTABLE SET TimeZone = 'UTC' AS $$
BEGIN
  IF jsonb_typeof(t) IS DISTINCT FROM 'string' OR t #>> '{}' = '' THEN RETURN NULL; END IF;
  RETURN (t #>> '{}')::timestamptz::date;
EXCEPTION WHEN others THEN
  RETURN NULL;
END
$$;

INSERT INTO request_days (request_id, day)
SELECT DISTINCT r.id, x.day
FROM requests r
CROSS JOIN LATERAL (
  SELECT r.doc -> 'submittedAt'
  UNION ALL SELECT r.doc #> '{calloff,publishedAt}'
  UNION ALL SELECT r.doc #> '{award,approvedAt}'
  UNION ALL SELECT r.doc #> '{award,recordedAt}'
  UNION ALL SELECT c -> 'at' FROM jsonb_array_elements(CASE WHEN jsonb_typeof(r.doc -> 'choices') = 'array' THEN r.doc -> 'choices' ELSE '[]' END) AS c
) AS m(at)
CROSS JOIN LATERAL (SELECT request_days_008_utc_day(m.at)) AS x(day)
WHERE x.day IS NOT NULL
ON CONFLICT DO NOTHING;

DROP FUNCTION request_days_008_utc_day(jsonb);

ANALYZE request_days;
