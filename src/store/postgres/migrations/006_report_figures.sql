-- The report card's reads (requestFiguresBetween, bidsOf in src/store/reads.ts) without reading
-- whole documents: a request's figures (a few hundred bytes; the document is kilobytes, kept out
-- of line) and each bid's call-off and status, generated from the document like the columns of
-- 001, so the adapter never writes them and they cannot drift. Adding them rewrites both tables.

-- The fields of RequestFigures (reads.ts, requestFigures), nulls left out. IMMUTABLE is true: it
-- reads only its argument (jsonb_build_object is marked STABLE because of other argument types).
CREATE FUNCTION request_figures(doc jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_strip_nulls(jsonb_build_object(
    'id', doc -> 'id',
    'state', doc -> 'state',
    'createdAt', doc -> 'createdAt',
    'submittedAt', doc -> 'submittedAt',
    'calloff', CASE WHEN jsonb_typeof(doc -> 'calloff') = 'object' THEN jsonb_build_object(
      'publishedAt', doc #> '{calloff,publishedAt}',
      'closedAt', doc #> '{calloff,closedAt}') END,
    'award', CASE WHEN jsonb_typeof(doc -> 'award') = 'object' THEN jsonb_build_object(
      'offContract', doc #> '{award,offContract}',
      'status', doc #> '{award,status}',
      'weeklyPrice', doc #> '{award,weeklyPrice}',
      'budgetWeekly', doc #> '{award,budgetWeekly}',
      'approvedAt', doc #> '{award,approvedAt}',
      'recordedAt', doc #> '{award,recordedAt}') END,
    'choices', (SELECT jsonb_agg(jsonb_build_object(
        'bidId', c -> 'bidId',
        'topBidId', c -> 'topBidId',
        'reasonCategory', c -> 'reasonCategory',
        'tookPart', c -> 'tookPart',
        'packUsed', c -> 'packUsed',
        'sequential', c -> 'sequential',
        'at', c -> 'at') ORDER BY n)
      FROM jsonb_array_elements(CASE WHEN jsonb_typeof(doc -> 'choices') = 'array' THEN doc -> 'choices' ELSE '[]' END) WITH ORDINALITY AS x(c, n))
  ))
$$;

ALTER TABLE requests ADD COLUMN figures jsonb GENERATED ALWAYS AS (request_figures(doc)) STORED;

-- bidsOf(refs): ref = ANY(...); active bids per call-off are counted from this index alone.
ALTER TABLE bids
  ADD COLUMN ref text GENERATED ALWAYS AS (doc ->> 'ref') STORED,
  ADD COLUMN status text GENERATED ALWAYS AS (doc ->> 'status') STORED;
CREATE INDEX bids_ref_status ON bids (ref, status);

-- The rewrite left the planner no statistics for the new columns.
ANALYZE requests;
ANALYZE bids;
